"""The Bot API client (aiohttp) and its one retry policy, against the fake Bot API and tiny proxies on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import socket
import time
import warnings
from collections.abc import AsyncIterator

import pytest
import telegram
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.telegram.request import AiohttpRequest, NotSent, Unanswered
from bot.telegram.retry import RetryPolicy
from fakebotapi import FakeBotAPI
from tests.proxies import HttpProxy, Socks5Proxy

#: Short pauses so the retry tests run quickly; the rules are the production ones.
QUICK = RetryPolicy(attempts=4, max_wait=5.0, backoff=0.1)


def client_bot(fake: FakeBotAPI, *, base_url: str | None = None, **options: object) -> telegram.Bot:
    options.setdefault("policy", QUICK)
    return telegram.Bot(
        fake.token,
        base_url=base_url or fake.base_url,
        request=AiohttpRequest(4, **options),  # type: ignore[arg-type]
        get_updates_request=AiohttpRequest(1, **options),  # type: ignore[arg-type]
    )


@pytest.fixture
async def client(fake_api: FakeBotAPI) -> AsyncIterator[telegram.Bot]:
    async with client_bot(fake_api) as bot:
        yield bot


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns when RetryAfter.retry_after is read as an int


def statuses(fake: FakeBotAPI, method: str) -> list[int]:
    return [call.status for call in fake.calls(method)]


# -- plain calls -----------------------------------------------------------------------------------------------------


async def test_a_message_with_a_keyboard_goes_through(fake_api: FakeBotAPI, client: telegram.Bot) -> None:
    fake_api.inject_message(7, "hi")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="ab|e:x")]])
    sent = await client.send_message(7, "<b>你好</b> &amp; 再见", parse_mode="HTML", reply_markup=markup)
    assert sent.text == "你好 & 再见"
    recorded = fake_api.sent_messages(7)[-1]
    assert recorded["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ab|e:x"


async def test_long_polling_receives_an_update(fake_api: FakeBotAPI, client: telegram.Bot) -> None:
    fake_api.inject_message(8, "你好")
    updates = await client.get_updates(timeout=1)
    assert [u.message.text for u in updates if u.message] == ["你好"]


def test_answers_decode_as_the_standard_library_reads_them() -> None:
    answers = [b'{"ok":true,"result":{"text":"\xe4\xbd\xa0\xe5\xa5\xbd \\u4f60","id":123456789012345678901234}}',
               b'[1, 2.5, null, "a"]', b'{"ok":true,"result":{"text":"\\ud800"}}']  # fmt: skip
    for answer in answers:
        assert AiohttpRequest.parse_json_payload(answer) == json.loads(answer)


@pytest.mark.parametrize("answer", [b"\xff\xfe", b'{"ok": tru', b""], ids=["not-utf8", "cut-short", "empty"])
def test_an_answer_that_is_not_json_is_the_error_ptb_gives(answer: bytes) -> None:
    with pytest.raises(TelegramError, match="Invalid server response"):
        AiohttpRequest.parse_json_payload(answer)


async def test_a_text_msgspec_cannot_encode_goes_as_the_standard_library_writes_it() -> None:
    """A lone surrogate (which the transport's `valid_unicode` keeps out of users' texts) is refused by msgspec; the
    body is then json.dumps', as before msgspec: the call is still made, and the server decides."""
    bodies: list[bytes] = []

    async def answer(request: web.Request) -> web.Response:
        if request.match_info["method"] == "getMe":  # what `async with Bot` asks first
            return web.json_response({"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "b"}})
        bodies.append(await request.read())
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with telegram.Bot("1:A", base_url=f"http://127.0.0.1:{port}/bot",
                                request=AiohttpRequest(1, policy=QUICK)) as bot:  # fmt: skip
            for text in ("你好 ok", "a\ud800b"):
                # a method PTB does not wrap, so it does not warn; the body is made the same way for every call
                assert await bot.do_api_request("sendNote", api_kwargs={"chat_id": 1, "text": text}) is True
    finally:
        await runner.cleanup()
    expected = [{"chat_id": 1, "text": "你好 ok"}, {"chat_id": 1, "text": "a\ud800b"}]
    assert [json.loads(body) for body in bodies] == expected
    assert "你好".encode() in bodies[0]  # UTF-8, not \u escapes
    assert bodies[1] == json.dumps(expected[1]).encode()


async def test_an_upload_goes_as_multipart_through_the_same_client(fake_api: FakeBotAPI, client: telegram.Bot) -> None:
    fake_api.inject_message(9, "hi")
    sent = await client.send_document(9, document=b"%PDF-1.4 agreement", filename="agreement.pdf", caption="协议")
    assert sent.document is not None
    assert sent.document.file_name == "agreement.pdf"
    assert statuses(fake_api, "sendDocument") == [200]


async def test_connections_are_kept_alive_and_pooled_per_host(fake_api: FakeBotAPI, client: telegram.Bot) -> None:
    fake_api.inject_message(10, "hi")
    for _ in range(5):
        await client.send_message(10, "again")
    calls = fake_api.calls()
    assert [call.method for call in calls] == ["getMe"] + ["sendMessage"] * 5
    assert len({call.peer for call in calls}) == 1  # one host, one keep-alive connection reused for every call
    assert calls[0].peer is not None


async def test_a_cancelled_long_poll_leaks_nothing(fake_api: FakeBotAPI) -> None:
    problems: list[str] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _, context: problems.append(context["message"]))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            bot = client_bot(fake_api)
            await bot.initialize()
            poll = asyncio.create_task(bot.get_updates(timeout=10))
            await fake_api.wait_for(lambda: fake_api.requests_received("getUpdates") or None)
            poll.cancel()
            with pytest.raises(asyncio.CancelledError):
                await poll
            await bot.shutdown()
            del bot, poll
            gc.collect()
            await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert problems == []


# -- the retry policy, case by case ----------------------------------------------------------------------------------


async def test_a_flood_wait_is_waited_out_for_as_long_as_telegram_asks(
    fake_api: FakeBotAPI, client: telegram.Bot
) -> None:
    fake_api.inject_message(11, "hi")
    fake_api.rate_limit_next("sendMessage", 1, retry_after=1)
    await client.send_message(11, "after the wait")
    first, second = fake_api.calls("sendMessage")
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1.0


async def test_a_flood_wait_longer_than_max_wait_is_not_waited(fake_api: FakeBotAPI) -> None:
    fake_api.inject_message(12, "hi")
    fake_api.rate_limit_next("sendMessage", 1, retry_after=60)
    async with client_bot(fake_api) as bot:
        with pytest.raises(RetryAfter):
            await bot.send_message(12, "x")
    assert statuses(fake_api, "sendMessage") == [429]


async def test_flood_waits_are_tried_at_most_attempts_times(fake_api: FakeBotAPI) -> None:
    fake_api.inject_message(13, "hi")
    fake_api.rate_limit_next("sendMessage", 10, retry_after=1)
    async with client_bot(fake_api, policy=RetryPolicy(attempts=3)) as bot:
        with pytest.raises(RetryAfter):
            await bot.send_message(13, "x")
    assert statuses(fake_api, "sendMessage") == [429] * 3


async def test_server_errors_are_tried_again_with_growing_pauses(fake_api: FakeBotAPI, client: telegram.Bot) -> None:
    fake_api.inject_message(14, "hi")
    fake_api.fail_next("sendMessage", 2, status=502, description="Bad Gateway")
    await client.send_message(14, "third time lucky")
    calls = fake_api.calls("sendMessage")
    assert [call.status for call in calls] == [502, 502, 200]
    first_pause, second_pause = calls[1].at - calls[0].at, calls[2].at - calls[1].at
    assert first_pause >= QUICK.backoff
    assert second_pause >= 2 * QUICK.backoff
    assert len(fake_api.sent_messages(14)) == 1


async def test_server_errors_past_the_attempts_are_a_network_error(fake_api: FakeBotAPI) -> None:
    fake_api.inject_message(15, "hi")
    fake_api.fail_next("sendMessage", 10, status=500)
    async with client_bot(fake_api) as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(15, "x")
    assert statuses(fake_api, "sendMessage") == [500] * QUICK.attempts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_a_refused_connection_is_tried_again_until_the_server_is_up() -> None:
    port = free_port()
    fake = FakeBotAPI(port=port)
    bot = client_bot(fake, base_url=f"http://127.0.0.1:{port}/bot", policy=RetryPolicy(attempts=8, backoff=0.1))

    async def server_comes_up() -> None:
        await asyncio.sleep(0.3)
        await fake.start()
        fake.inject_message(16, "hi")

    starting = asyncio.create_task(server_comes_up())
    try:
        sent = await bot.send_message(16, "once it listens")
        assert sent.text == "once it listens"
        assert len(fake.sent_messages(16)) == 1
    finally:
        await starting
        await bot.shutdown()
        await bot.request.shutdown()
        await fake.stop()


async def test_nothing_listening_after_every_attempt_is_not_sent() -> None:
    request = AiohttpRequest(1, policy=RetryPolicy(attempts=2, backoff=0.05))
    try:
        with pytest.raises(NotSent):
            await request.do_request(f"http://127.0.0.1:{free_port()}/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()


async def test_a_send_that_timed_out_after_it_was_written_is_not_sent_again(fake_api: FakeBotAPI) -> None:
    fake_api.inject_message(17, "hi")
    fake_api.delay("sendMessage", 0.6, after_processing=True)
    async with client_bot(fake_api, read_timeout=0.2) as bot:
        with pytest.raises(Unanswered):
            await bot.send_message(17, "slow")
    await fake_api.wait_for(lambda: fake_api.sent_messages(17) or None)
    await asyncio.sleep(0.7)  # time for a second attempt to have arrived, were there one
    assert fake_api.requests_received("sendMessage") == 1
    assert len(fake_api.sent_messages(17)) == 1  # it did arrive: sending again would have doubled it


async def test_an_edit_whose_answer_was_lost_is_tried_again(fake_api: FakeBotAPI, client: telegram.Bot) -> None:
    fake_api.inject_message(18, "hi")
    sent = await client.send_message(18, "before")
    fake_api.drop_next("editMessageText", 1, after_processing=True)
    # The repeat finds the edit done: "not modified", which the transport takes as success.
    with pytest.raises(BadRequest, match="not modified"):
        await client.edit_message_text("after", chat_id=18, message_id=sent.message_id)
    assert statuses(fake_api, "editMessageText") == [0, 400]
    assert fake_api.last_message(18)["text"] == "after"  # type: ignore[index]


async def test_a_send_whose_connection_dropped_after_it_was_done_is_not_sent_again(
    fake_api: FakeBotAPI, client: telegram.Bot
) -> None:
    fake_api.inject_message(19, "hi")
    fake_api.drop_next("sendMessage", 1, after_processing=True)
    with pytest.raises(Unanswered):
        await client.send_message(19, "once")
    assert statuses(fake_api, "sendMessage") == [0]
    assert [m["text"] for m in fake_api.sent_messages(19)] == ["once"]


class _Sink:
    """Accepts connections and never reads: a sender's socket buffers fill and its write stalls."""

    async def __aenter__(self) -> _Sink:
        self.connections: list[asyncio.StreamWriter] = []
        self.server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        return self

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.append(writer)

    async def __aexit__(self, *exc: object) -> None:
        for writer in self.connections:
            writer.close()
        self.server.close()
        await self.server.wait_closed()

    @property
    def port(self) -> int:
        port: int = self.server.sockets[0].getsockname()[1]
        return port


async def test_the_write_timeout_bounds_sending_a_large_upload() -> None:
    request = AiohttpRequest(1, policy=RetryPolicy(attempts=1), read_timeout=30.0)
    async with _Sink() as sink:
        bot = telegram.Bot("1:x", base_url=f"http://127.0.0.1:{sink.port}/bot", request=request)
        started = time.monotonic()
        try:
            with pytest.raises(NotSent):  # the body never got out whole: safe to send again
                await bot.send_document(1, document=b"x" * (48 * 1024 * 1024), filename="big.bin", write_timeout=0.3)
            assert time.monotonic() - started < 3.0
        finally:
            await request.shutdown()


# -- credentials and proxies -----------------------------------------------------------------------------------------


class _Recorder:
    """A loopback HTTP server that answers every request with ok and keeps the request heads."""

    async def __aenter__(self) -> _Recorder:
        self.heads: list[bytes] = []
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.heads.append(head)
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length")), 0)  # fmt: skip
        await reader.readexactly(length)
        body = b'{"ok":true,"result":true}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(body), body))  # fmt: skip
        await writer.drain()
        writer.close()

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await self.server.wait_closed()

    @property
    def port(self) -> int:
        port: int = self.server.sockets[0].getsockname()[1]
        return port


async def test_credentials_in_the_api_url_never_go_in_the_host_header() -> None:
    request = AiohttpRequest(1)
    async with _Recorder() as server:
        port = server.port
        status, _ = await request.do_request(f"http://bob:s3cret@127.0.0.1:{port}/bot1:x/close", "POST")
        await request.shutdown()
    assert status == 200
    [head] = server.heads
    host = next(line for line in head.split(b"\r\n") if line.lower().startswith(b"host:"))
    assert host == f"Host: 127.0.0.1:{port}".encode()
    assert b"s3cret" not in head.split(b"\r\n")[0]


@pytest.mark.parametrize("proxy_kind", ["http", "socks5", "socks5h"])
async def test_calls_go_through_a_proxy_with_credentials(
    fake_api: FakeBotAPI, proxy_kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    proxy_class = HttpProxy if proxy_kind == "http" else Socks5Proxy
    async with proxy_class(username="agent", password="pa55word") as proxy:
        fake_api.inject_message(20, "hi")
        async with client_bot(fake_api, proxy=proxy.url(proxy_kind)) as bot:
            sent = await bot.send_message(20, "via the proxy")
        assert sent.text == "via the proxy"
        assert ("127.0.0.1", fake_api.port) in proxy.targets
        assert set(proxy.offered) == {("agent", "pa55word")}
        for head in proxy.heads:
            assert b"pa55word" not in head.split(b"\r\n")[0]
    assert "pa55word" not in caplog.text


async def test_a_proxy_that_refuses_is_an_error_that_keeps_the_password_out(
    fake_api: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with HttpProxy(username="agent", password="right") as proxy:
        wrong = proxy.url("http").replace("right", "wr0ng-pa55")
        bot = client_bot(fake_api, proxy=wrong, policy=RetryPolicy(attempts=2, backoff=0.05))
        try:
            with pytest.raises(NetworkError) as caught:  # 407 from the proxy (CONNECT, for https, is NotSent)
                await bot.send_message(21, "x")
        finally:
            await bot.request.shutdown()
        assert proxy.refused >= 1
    assert fake_api.requests_received("sendMessage") == 0
    assert "wr0ng-pa55" not in str(caught.value)
    assert "wr0ng-pa55" not in caplog.text
