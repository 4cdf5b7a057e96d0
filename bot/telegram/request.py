"""A lean HTTP/1.1 client for the Bot API, plugged into PTB through its `BaseRequest` extension point.

Why: under load a bare PTB bot spends most of its CPU in httpx/httpcore's connection-pool bookkeeping, not in
Telegram logic. The Bot API needs very little of HTTP — one host, POST with a JSON body, a JSON answer, keep-alive —
so this client does exactly that over asyncio protocols: a small pool of persistent connections, a response
parser for Content-Length and chunked bodies, and PTB's own error types (`TimedOut`, `NetworkError`).
Requests that upload files are handed to PTB's standard `HTTPXRequest`, which this bot never needs in practice.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections import deque
from typing import Final, cast
from urllib.parse import urlsplit

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

_HEADER_END: Final = b"\r\n\r\n"
_MAX_HEADER: Final = 64 * 1024


class _Response:
    """Incremental parse of one HTTP/1.1 response."""

    __slots__ = ("body", "chunked", "close", "done", "header_end", "length", "status")

    def __init__(self) -> None:
        self.status = 0
        self.header_end = -1
        self.length = -1  # Content-Length, -1 when absent
        self.chunked = False
        self.close = False
        self.done = False
        self.body = b""

    def feed(self, buffer: bytearray, eof: bool = False) -> bool:
        """Try to complete the response from `buffer`; True when done (then `body`/`status` are set)."""
        if self.header_end < 0:
            end = buffer.find(_HEADER_END)
            if end < 0:
                if len(buffer) > _MAX_HEADER:
                    raise NetworkError("Bot API answered with an oversized header")
                return False
            self._parse_head(bytes(buffer[:end]))
            self.header_end = end + 4
        start = self.header_end
        if self.chunked:
            return self._feed_chunked(buffer, start)
        if self.length >= 0:
            if len(buffer) - start < self.length:
                return False
            self.body = bytes(buffer[start : start + self.length])
        elif eof:  # no length: the body runs to the end of the connection
            self.body = bytes(buffer[start:])
            self.close = True
        else:
            return False
        self.done = True
        return True

    def _parse_head(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise NetworkError("Bot API answered with something that is not HTTP/1.1")
        self.status = int(parts[1])
        self.close = parts[0] == b"HTTP/1.0"
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                self.length = int(value.strip())
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                self.chunked = True
            elif name == b"connection":
                self.close = value.strip().lower() == b"close"

    def _feed_chunked(self, buffer: bytearray, start: int) -> bool:
        pieces: list[bytes] = []
        at = start
        while True:
            line_end = buffer.find(b"\r\n", at)
            if line_end < 0:
                return False
            size = int(bytes(buffer[at:line_end]).split(b";", 1)[0], 16)
            at = line_end + 2
            if size == 0:
                if buffer.find(b"\r\n", at) < 0:  # trailers end with an empty line
                    return False
                self.body = b"".join(pieces)
                self.done = True
                return True
            if len(buffer) < at + size + 2:
                return False
            pieces.append(bytes(buffer[at : at + size]))
            at += size + 2


class _Connection(asyncio.Protocol):
    """One keep-alive connection; carries one request at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.response: _Response | None = None
        self.waiter: asyncio.Future[_Response] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport; not necessarily an asyncio.Transport subclass (uvloop has its own classes).
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._advance(eof=False)

    def eof_received(self) -> bool | None:
        self._advance(eof=True)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._advance(eof=True)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(NetworkError(f"Bot API connection lost: {exc or 'closed by the server'}"))

    def _advance(self, *, eof: bool) -> None:
        if self.waiter is None or self.waiter.done() or self.response is None:
            return
        try:
            if self.response.feed(self.buffer, eof):
                self.waiter.set_result(self.response)
        except (NetworkError, ValueError) as error:
            self.waiter.set_exception(error if isinstance(error, NetworkError) else NetworkError(str(error)))

    async def exchange(self, request: bytes, read_timeout: float | None) -> _Response:
        if self.transport is None or self.closed:
            raise NetworkError("Bot API connection is closed")
        self.buffer.clear()
        self.response = _Response()
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        try:
            async with asyncio.timeout(read_timeout):
                return await self.waiter
        finally:
            self.waiter = None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class LeanRequest(BaseRequest):
    """PTB request backend: persistent HTTP/1.1 connections to the Bot API host, JSON bodies."""

    def __init__(
        self,
        connection_pool_size: int = 8,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._idle: deque[_Connection] = deque()
        self._slots = asyncio.BoundedSemaphore(connection_pool_size)
        self._ssl: ssl.SSLContext | None = None
        self._files: HTTPXRequest | None = None
        self._closed = False

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        self._closed = False

    async def shutdown(self) -> None:
        self._closed = True
        while self._idle:
            self._idle.popleft().close()
        if self._files is not None:
            await self._files.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is not None and request_data.contains_files:
            return await self._upload(url, method, request_data, read_timeout, write_timeout, connect_timeout)
        if self._closed:
            raise RuntimeError("This LeanRequest is shut down")
        read = self._read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
        connect = self._connect_timeout if connect_timeout is BaseRequest.DEFAULT_NONE else connect_timeout
        pool = self._pool_timeout if pool_timeout is BaseRequest.DEFAULT_NONE else pool_timeout
        parts = urlsplit(url)
        # One JSON document of the parameters as they are (PTB's json_payload would encode each value twice).
        body = json.dumps(request_data.parameters).encode() if request_data is not None else b""
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: {self.USER_AGENT}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        request = head.encode("ascii") + body
        try:
            async with asyncio.timeout(pool if isinstance(pool, (int, float)) else None):
                await self._slots.acquire()
        except TimeoutError as error:
            raise TimedOut("Pool timeout: every Bot API connection is busy; the request was not sent") from error
        try:
            return await self._send(parts.scheme, parts.hostname or "", parts.port, request, read, connect)
        finally:
            self._slots.release()

    async def _send(
        self, scheme: str, host: str, port: int | None, request: bytes, read: object, connect: object
    ) -> tuple[int, bytes]:
        while self._idle and self._idle[-1].closed:  # the server closed it while it was idle
            self._idle.pop()
        connection = self._idle.pop() if self._idle else await self._connect(scheme, host, port, connect)
        try:
            response = await connection.exchange(request, read if isinstance(read, (int, float)) else None)
        except TimeoutError as error:
            connection.close()
            raise TimedOut("Timed out waiting for the Bot API") from error
        except NetworkError:
            # Not retried here: the request may have been carried out (a message sent twice is worse than a
            # retry decided by the caller, who knows whether the call is safe to repeat).
            connection.close()
            raise
        if response.close or connection.closed:
            connection.close()
        else:
            self._idle.append(connection)
        return response.status, response.body

    async def _connect(self, scheme: str, host: str, port: int | None, connect_timeout: object) -> _Connection:
        loop = asyncio.get_running_loop()
        secure = scheme == "https"
        if secure and self._ssl is None:
            self._ssl = ssl.create_default_context()
        try:
            limit = connect_timeout if isinstance(connect_timeout, (int, float)) else None
            async with asyncio.timeout(limit):
                _, connection = await loop.create_connection(
                    _Connection,
                    host,
                    port or (443 if secure else 80),
                    ssl=self._ssl if secure else None,
                    server_hostname=host if secure else None,
                )
        except TimeoutError as error:
            raise TimedOut("Timed out connecting to the Bot API") from error
        except OSError as error:
            raise NetworkError(f"Cannot connect to the Bot API: {error}") from error
        return connection

    async def _upload(
        self,
        url: str,
        method: str,
        request_data: RequestData,
        read_timeout: object,
        write_timeout: object,
        connect_timeout: object,
    ) -> tuple[int, bytes]:
        if self._files is None:
            self._files = HTTPXRequest(connection_pool_size=1)
            await self._files.initialize()
        return await self._files.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,  # type: ignore[arg-type]
            write_timeout=write_timeout,  # type: ignore[arg-type]
            connect_timeout=connect_timeout,  # type: ignore[arg-type]
        )
