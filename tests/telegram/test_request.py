"""The lean Bot API client speaks enough HTTP/1.1 for Telegram: keep-alive, lengths, chunks, errors as PTB's own."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.telegram.request import LeanRequest
from tests.fakebotapi import FakeBotAPI


@pytest.fixture
async def lean_bot(fake_api: FakeBotAPI) -> AsyncIterator[telegram.Bot]:
    bot = telegram.Bot(
        fake_api.token, base_url=fake_api.base_url, request=LeanRequest(4), get_updates_request=LeanRequest(1)
    )
    async with bot:
        yield bot


async def test_a_message_with_a_keyboard_goes_through(fake_api: FakeBotAPI, lean_bot: telegram.Bot) -> None:
    fake_api.inject_message(7, "hi")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="ab|e:x")]])
    sent = await lean_bot.send_message(7, "<b>你好</b> &amp; 再见", parse_mode="HTML", reply_markup=markup)
    assert sent.text == "你好 & 再见"
    recorded = fake_api.sent_messages(7)[-1]
    assert recorded["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ab|e:x"


async def test_long_polling_receives_an_update(fake_api: FakeBotAPI, lean_bot: telegram.Bot) -> None:
    fake_api.inject_message(8, "你好")
    updates = await lean_bot.get_updates(timeout=1)
    assert [u.message.text for u in updates if u.message] == ["你好"]


@pytest.mark.parametrize(
    ("inject", "error"),
    [
        pytest.param(
            lambda f: f.fail_next("sendMessage", status=502), NetworkError, id="bad-gateway-is-a-network-error"
        ),
        pytest.param(lambda f: f.drop_next("sendMessage"), NetworkError, id="dropped-connection-is-a-network-error"),
        pytest.param(
            lambda f: f.rate_limit_next("sendMessage", retry_after=3), RetryAfter, id="flood-wait-says-how-long"
        ),
    ],
)
async def test_faults_become_ptbs_own_errors(
    fake_api: FakeBotAPI,
    lean_bot: telegram.Bot,
    inject: Callable[[FakeBotAPI], None],
    error: type[Exception],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake_api.inject_message(9, "hi")
    inject(fake_api)
    with pytest.raises(error):
        await lean_bot.send_message(9, "x")
    assert (await lean_bot.send_message(9, "after the fault")).text == "after the fault"


class _RawServer:
    """A loopback HTTP server with canned answers, counting the connections clients open."""

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = answers
        self.connections = 0
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> _RawServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/bot1:x/getMe"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while self.answers:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(
                    next(
                        line.split(b":")[1]
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    )
                )
                self.requests.append(head + await reader.readexactly(length))
                answer = self.answers.pop(0)
                writer.write(answer)
                await writer.drain()
                if b"Connection: close" in answer or (b"Content-Length" not in answer and b"chunked" not in answer):
                    break
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()
            await writer.wait_closed()


OK = json.dumps({"ok": True, "result": True}).encode()


def answer(body: bytes, *headers: str) -> bytes:
    head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + "".join(f"{h}\r\n" for h in headers)
    return head.encode() + b"\r\n" + body


async def test_connections_are_kept_alive_between_requests() -> None:
    async with _RawServer([answer(OK, f"Content-Length: {len(OK)}")] * 3) as server:
        request = LeanRequest(1)
        for _ in range(3):
            assert await request.do_request(server.url, "POST") == (200, OK)
        await request.shutdown()
    assert server.connections == 1
    assert all(r.startswith(b"POST /bot1:x/getMe HTTP/1.1\r\n") for r in server.requests)


async def test_chunked_and_close_delimited_bodies_are_read_whole() -> None:
    chunked = answer(b"5\r\n" + OK[:5] + b"\r\n" + f"{len(OK) - 5:x}".encode() + b"\r\n" + OK[5:] + b"\r\n0\r\n\r\n",
                     "Transfer-Encoding: chunked")  # fmt: skip
    until_close = answer(OK, "Connection: close")
    async with _RawServer([chunked, until_close]) as server:
        request = LeanRequest(1)
        assert await request.do_request(server.url, "POST") == (200, OK)
        assert await request.do_request(server.url, "POST") == (200, OK)
        await request.shutdown()


async def test_a_silent_server_times_out_as_ptb_expects() -> None:
    finished = asyncio.Event()

    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        await finished.wait()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = LeanRequest(1, read_timeout=0.2)
    with pytest.raises(TimedOut):
        await request.do_request(f"http://127.0.0.1:{port}/bot1:x/getMe", "POST")
    await request.shutdown()
    finished.set()
    await asyncio.sleep(0.05)
    server.close()
    await server.wait_closed()


async def test_nothing_listening_is_a_network_error() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    request = LeanRequest(1)
    with pytest.raises(NetworkError):
        await request.do_request(f"http://127.0.0.1:{port}/bot1:x/getMe", "POST")
    await request.shutdown()
