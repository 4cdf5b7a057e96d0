"""The Bot API client: PTB's `BaseRequest` over aiohttp, with the bot's one retry policy.

aiohttp keeps a pool of keep-alive connections per host, checks TLS against certifi's CA bundle, goes through an
HTTP proxy by itself or a SOCKS proxy with aiohttp-socks, and sends uploads (multipart) over the same pool. Every
Bot API call — PTB's own (getMe, getUpdates, setMyCommands) and the transport's — comes through `do_request`, which
asks `bot.telegram.retry.RetryPolicy` after each attempt whether to try again; nothing else in the bot retries.

PTB's four timeouts are kept apart: ``pool`` (waiting for a free connection) and ``connect`` make aiohttp's connect
limit, ``write`` bounds sending the request once connected, and ``read`` (aiohttp's ``sock_read``) starts only when
the request has been written. A failure is raised as `NotSent` when the request cannot have reached the server whole
(safe to send again) and as `Unanswered` when it was written and no answer came (it may have been carried out).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import io
import json
import logging
import ssl
from collections.abc import AsyncIterator
from typing import Any, Final

import aiohttp
import certifi
import msgspec
from aiohttp_socks import ProxyConnector
from python_socks import ProxyError, ProxyTimeoutError
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

from bot.telegram.retry import Failure, RetryPolicy

logger = logging.getLogger(__name__)

#: Bodies are handed to the socket in pieces of this size, so a write that stalls is noticed between pieces.
_CHUNK: Final = 64 * 1024
_SOCKS_SCHEMES: Final = frozenset({"socks4", "socks5", "socks5h"})


class NotSent(NetworkError):
    """The request never reached the Bot API whole (refused, unreachable, timed out before it was written)."""


class Unanswered(TimedOut):
    """The request was written but no answer came (timed out, or the connection dropped): it may have been done."""


def redact(url: str) -> str:
    """`url` without its user name and password, for logs and error messages."""
    try:
        parsed = URL(url)
    except (TypeError, ValueError):
        return "<unreadable URL>"
    return str(parsed.with_user(None)) if parsed.user or parsed.password else url


class AiohttpRequest(BaseRequest):
    """PTB request backend on one aiohttp session: pooled connections, an optional proxy, one retry policy."""

    def __init__(
        self,
        connection_pool_size: int = 8,
        *,
        proxy: str = "",
        policy: RetryPolicy | None = None,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._proxy = URL(proxy) if proxy else None
        self.policy = policy or RetryPolicy()
        self._timeouts = {"read": read_timeout, "write": write_timeout, "connect": connect_timeout,
                          "pool": pool_timeout}  # fmt: skip
        self._session: aiohttp.ClientSession | None = None
        self._http_proxy: URL | None = None
        self._http_proxy_headers: dict[str, str] | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    @staticmethod
    def parse_json_payload(payload: bytes) -> Any:
        """The Bot API's answer decoded by msgspec, as PTB's documentation suggests overriding this for: every call's
        answer passes here (getUpdates' too), and the stdlib's `json.loads` was about a tenth of a call's client CPU.
        Anything msgspec refuses (bytes that are not UTF-8, say) goes PTB's own way, with its replacement characters
        and its error."""
        try:
            return msgspec.json.decode(payload)
        except (msgspec.DecodeError, UnicodeError):
            return BaseRequest.parse_json_payload(payload)

    async def initialize(self) -> None:
        """Nothing to do: the session opens with the first request, so a client never used holds no socket."""

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    def _new_session(self) -> aiohttp.ClientSession:
        context = _tls_context()
        connector: aiohttp.BaseConnector
        proxy = self._proxy
        if proxy is not None and proxy.scheme in _SOCKS_SCHEMES:
            connector = ProxyConnector.from_url(
                str(proxy.with_scheme("socks5")) if proxy.scheme == "socks5h" else str(proxy),
                rdns=True if proxy.scheme == "socks5h" else None,
                limit=self._pool_size,
                ssl=context,
            )
        else:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ssl=context)
            if proxy is not None:
                self._http_proxy = proxy.with_user(None)
                if proxy.user is not None:
                    credentials = base64.b64encode(f"{proxy.user}:{proxy.password or ''}".encode()).decode("ascii")
                    self._http_proxy_headers = {"Proxy-Authorization": f"Basic {credentials}"}
        # No cookies (the Bot API sets none), no environment proxies (config.py has already read them).
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": self.USER_AGENT},
            trust_env=False,
            skip_auto_headers=("Accept-Encoding",),
        )

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
        if self._session is None or self._session.closed:
            self._session = self._new_session()
        body, content_type = await _encode(request_data)
        given = {"read": read_timeout, "write": write_timeout, "connect": connect_timeout, "pool": pool_timeout}
        limits = {name: self._timeouts[name] if value is BaseRequest.DEFAULT_NONE else value
                  for name, value in given.items()}  # fmt: skip
        api_method = url.rsplit("/", 1)[-1]
        attempt = 1
        while True:
            try:
                status, payload = await self._attempt(url, method, body, content_type, limits)
            except (NotSent, Unanswered) as error:
                failure = Failure.NOT_SENT if isinstance(error, NotSent) else Failure.UNANSWERED
                wait = self.policy.after_failure(api_method, attempt, failure)
                if wait is None:
                    raise
                logger.info("%s %s (attempt %d); trying again in %.1f s", api_method, failure.value, attempt, wait)
            else:
                wait = self.policy.after_answer(api_method, attempt, status, payload)
                if wait is None:
                    return status, payload
                logger.info("%s answered %d (attempt %d); trying again in %.1f s", api_method, status, attempt, wait)
            await asyncio.sleep(wait)
            attempt += 1

    async def _attempt(
        self, url: str, method: str, body: bytes, content_type: str, limits: dict[str, Any]
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None:
            raise RuntimeError("AiohttpRequest is shut down")
        read, write, connect, pool = (_seconds(limits[name]) for name in ("read", "write", "connect", "pool"))
        timeout = _client_timeout(connect, pool, read)
        headers = {"Content-Type": content_type, "Content-Length": str(len(body))} if body else {}
        if self._http_proxy_headers and url.startswith("http:"):
            # A plain-HTTP API URL is forwarded by the proxy, not tunnelled: its credentials ride on the request
            # itself (never for https, where the request goes through the tunnel to the API server).
            headers.update(self._http_proxy_headers)
        deadline: asyncio.Timeout | None = None
        try:
            if len(body) <= _CHUNK:  # one write the socket takes at once: there is no writing to time
                async with session.request(
                    method,
                    url,
                    data=body or None,
                    headers=headers,
                    timeout=timeout,
                    proxy=self._http_proxy,
                    proxy_headers=self._http_proxy_headers,
                ) as response:
                    return response.status, await response.read()
            # Until the body is written: aiohttp's connect limit, then `write` for each piece handed to the socket.
            loop = asyncio.get_running_loop()
            connecting = None if connect is None or pool is None else loop.time() + connect + pool + 1.0
            async with asyncio.timeout(connecting) as deadline:

                async def pieces() -> AsyncIterator[bytes]:
                    for start in range(0, len(body), _CHUNK):
                        deadline.reschedule(None if write is None else loop.time() + write)
                        yield body[start : start + _CHUNK]
                    deadline.reschedule(None)  # written: from here on only the read timeout counts

                async with session.request(
                    method,
                    url,
                    data=pieces(),
                    headers=headers,
                    timeout=timeout,
                    proxy=self._http_proxy,
                    proxy_headers=self._http_proxy_headers,
                ) as response:
                    return response.status, await response.read()
        except TimeoutError as error:
            if isinstance(error, aiohttp.ConnectionTimeoutError) or (deadline is not None and deadline.expired()):
                raise NotSent(f"Timed out before the request to the Bot API was written: {error!r}") from error
            raise Unanswered(f"Timed out waiting for the Bot API to answer: {error!r}") from error
        except (aiohttp.ClientConnectorError, aiohttp.ClientHttpProxyError, ProxyError, ProxyTimeoutError,
                OSError) as error:  # fmt: skip
            raise NotSent(f"Cannot reach the Bot API{self._via()}: {_describe(error)}") from error
        except aiohttp.ClientError as error:
            raise Unanswered(f"The Bot API connection failed before an answer came: {_describe(error)}") from error

    def _via(self) -> str:
        return f" through the proxy {redact(str(self._proxy))}" if self._proxy is not None else ""


async def _encode(request_data: RequestData | None) -> tuple[bytes, str]:
    """The request body and its content type: JSON, or multipart when files are uploaded."""
    if request_data is None:
        return b"", ""
    if not request_data.contains_files:
        # One JSON document of the parameters as they are (PTB's json_parameters would encode each value twice), by
        # msgspec: UTF-8 rather than \u escapes, and a few times faster than `json.dumps`, which still takes what
        # msgspec does not (a lone surrogate in a text, say).
        try:
            return msgspec.json.encode(request_data.parameters), "application/json"
        except (TypeError, UnicodeError):
            return json.dumps(request_data.parameters).encode(), "application/json"
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        stream = io.BytesIO(content) if isinstance(content, bytes) else content  # bytes over 1 MiB would warn
        form.add_field(name, stream, filename=filename, content_type=mimetype)
    multipart = form()
    return await multipart.as_bytes(), multipart.content_type


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """TLS checked against certifi's CA bundle; made on first use and shared by every session of the process (reading
    the bundle costs some 30 ms of CPU, and a context holds no per-connection state)."""
    return ssl.create_default_context(cafile=certifi.where())


@functools.lru_cache(maxsize=64)
def _client_timeout(connect: float | None, pool: float | None, read: float | None) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for PTB's: the connect limit covers waiting for the pool too; reading starts once written."""
    both = None if connect is None or pool is None else connect + pool
    return aiohttp.ClientTimeout(connect=both, sock_connect=connect, sock_read=read)


def _seconds(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _describe(error: BaseException) -> str:
    """What went wrong, without a URL (which could carry proxy credentials)."""
    if isinstance(error, aiohttp.ClientConnectorError):
        return f"{type(error).__name__} ({error.os_error.strerror or type(error.os_error).__name__})"
    if isinstance(error, aiohttp.ClientResponseError):
        return f"{type(error).__name__} (HTTP {error.status})"
    return type(error).__name__
