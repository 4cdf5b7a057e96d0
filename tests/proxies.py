"""Two tiny proxies on 127.0.0.1 for tests: HTTP (CONNECT tunnels and forwarded requests) and SOCKS5.

Each records what it was asked (targets, the credentials a client offered) so a test can tell it was really used;
each refuses to connect anywhere but 127.0.0.1, so no test can reach the outside through it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import struct
from dataclasses import dataclass, field


@dataclass
class _Proxy:
    username: str = ""
    password: str = ""
    targets: list[tuple[str, int]] = field(default_factory=list)  # where clients asked to go, in order
    offered: list[tuple[str, str]] = field(default_factory=list)  # credentials clients offered
    heads: list[bytes] = field(default_factory=list)  # request heads seen (HTTP proxy: the first of a connection)
    refused: int = 0
    server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def port(self) -> int:
        assert self.server is not None
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    def url(self, scheme: str, *, with_credentials: bool = True) -> str:
        auth = f"{self.username}:{self.password}@" if self.username and with_credentials else ""
        return f"{scheme}://{auth}127.0.0.1:{self.port}"

    async def __aenter__(self) -> _Proxy:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.server.wait_closed()

    def _allowed(self, user: str, password: str) -> bool:
        return not self.username or (user, password) == (self.username, self.password)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._handle(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def _splice(
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
) -> None:
    await asyncio.gather(_pipe(client[0], upstream[1]), _pipe(upstream[0], client[1]), return_exceptions=True)


def _loopback_only(host: str) -> None:
    if host not in ("127.0.0.1", "localhost"):
        raise ConnectionError(f"test proxy: refusing to connect to {host}")


class HttpProxy(_Proxy):
    """CONNECT host:port tunnels, and forwarded requests (absolute URI), with optional Basic proxy auth."""

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.heads.append(head)
        lines = head.decode("latin-1").split("\r\n")
        verb, target, _ = lines[0].split(" ", 2)
        pairs = (line.partition(":") for line in lines[1:])
        headers = {name.strip().lower(): value.strip() for name, _, value in pairs}
        user = password = ""
        if "proxy-authorization" in headers:
            scheme, _, encoded = headers["proxy-authorization"].partition(" ")
            if scheme.lower() == "basic":
                user, _, password = base64.b64decode(encoded).decode().partition(":")
                self.offered.append((user, password))
        if not self._allowed(user, password):
            self.refused += 1
            writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            return
        if verb == "CONNECT":
            host, _, port = target.rpartition(":")
            _loopback_only(host)
            self.targets.append((host, int(port)))
            upstream = await asyncio.open_connection(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _splice((reader, writer), upstream)
            return
        # A forwarded request: "POST http://host:port/path HTTP/1.1"; sent on with the proxy's own header removed.
        authority = target.split("://", 1)[1].split("/", 1)[0]
        host, _, port = authority.rpartition(":")
        _loopback_only(host)
        self.targets.append((host, int(port or 80)))
        upstream = await asyncio.open_connection(host, int(port or 80))
        kept = [line for line in lines if line and not line.lower().startswith("proxy-authorization:")]
        upstream[1].write(("\r\n".join(kept) + "\r\n\r\n").encode("latin-1"))
        await _splice((reader, writer), upstream)


class Socks5Proxy(_Proxy):
    """SOCKS5 CONNECT (RFC 1928) with no auth or username/password (RFC 1929)."""

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        assert version == 5
        wanted = 2 if self.username else 0
        if wanted not in methods:
            writer.write(b"\x05\xff")
            self.refused += 1
            return
        writer.write(bytes([5, wanted]))
        if wanted == 2:
            _, ulen = await reader.readexactly(2)
            user = (await reader.readexactly(ulen)).decode()
            (plen,) = await reader.readexactly(1)
            password = (await reader.readexactly(plen)).decode()
            self.offered.append((user, password))
            if not self._allowed(user, password):
                self.refused += 1
                writer.write(b"\x01\x01")
                return
            writer.write(b"\x01\x00")
        _, command, _, kind = await reader.readexactly(4)
        assert command == 1  # CONNECT
        if kind == 1:
            host = ".".join(map(str, await reader.readexactly(4)))
        elif kind == 3:
            (length,) = await reader.readexactly(1)
            host = (await reader.readexactly(length)).decode()
        else:
            raise ConnectionError("test proxy: IPv6 is not supported")
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        _loopback_only(host)
        self.targets.append((host, port))
        upstream = await asyncio.open_connection(host, port)
        writer.write(b"\x05\x00\x00\x01" + bytes([127, 0, 0, 1]) + struct.pack("!H", port))
        await writer.drain()
        await _splice((reader, writer), upstream)
