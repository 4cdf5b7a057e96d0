"""A fake Telegram Bot API server on 127.0.0.1: tests and benchmarks drive a bot through PTB's real HTTP stack.

Usage::

    async with FakeBotAPI() as fake:
        app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
        ...
        update_id = fake.inject_message(user_id=42, text="/start")
        [reply] = await fake.wait_for_messages(chat_id=42, count=1)
        fake.inject_callback(42, reply["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
                             message_id=reply["message_id"])

What it models, with the live server's wording where the behaviour is known:

* routes ``/bot{token}/{method}`` (GET or POST; query string, JSON, form-encoded or multipart), method names
  case-insensitive; a wrong token is 401 ``Unauthorized``, an unknown method 404 ``Not Found``;
* ``getUpdates`` long polling with ``offset`` (confirms older updates; negative counts from the end), ``limit``,
  ``timeout`` and ``allowed_updates``; a second concurrent poll ends the first with 409 ``Conflict``; polling while a
  webhook is set is 409 too;
* sending and editing text with Telegram's limits: 1..4096 UTF-16 code units after entity parsing and trimming, the
  HTML parse mode with only Telegram's tags, ``message is not modified`` on identical edits, inline keyboards with
  1..64 byte callback data;
* callback queries that can be answered once; bot commands stored per scope and language; a user who blocked the bot;
* ``sendPhoto`` and ``sendDocument`` with multipart uploads: the bytes are kept (``uploaded(file_id)``), a photo must
  be a PNG or JPEG (else ``IMAGE_PROCESS_FAILED``) and reports a PNG's real width and height.

It serves the methods the advisor bot (``bot/``) calls, plus ``setWebhook``/``deleteWebhook``; any other method is 404,
as an unknown one is on the live server. It lives outside ``bot/`` and ``tests/``: the tests and the benchmarks
(``bench/``) import it, the shipped bot never does.

Faults can be injected per method: HTTP errors, 429 flood waits, dropped connections and delays.

Where the documentation and the live server differ, the fake follows the documentation and is the stricter of the two:
a bare ``&``, ``<`` or ``>`` in HTML text is refused (the docs ask for ``&amp;``, ``&lt;``, ``&gt;``), and lengths are
counted in UTF-16 code units, like entity offsets. Pass ``strict_html=False`` for the live server's leniency with ``&``
and ``>``.

Everything runs on the caller's event loop; the ``inject_*`` helpers are plain functions and must be called from it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import random
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

__all__ = [
    "DEFAULT_TOKEN",
    "BotOutput",
    "Call",
    "FakeBotAPI",
    "HTMLParseError",
    "parse_html",
]

logger = logging.getLogger(__name__)

JSON = dict[str, Any]
T = TypeVar("T")

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly_0123456789abcd"

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_BUTTONS = 100
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# getUpdates without allowed_updates delivers everything but these (Bot API, getUpdates).
UPDATE_TYPES_OFF_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT_POLL = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)

# Form-encoded and multipart bodies carry every value as a string: PTB JSON-encodes objects and numbers.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
        "media",
    }
)
_INT_FIELDS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "reply_to_message_id",
        "message_thread_id",
        "max_connections",
        "from_chat_id",
        "user_id",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
    }
)


class ApiError(Exception):
    """A Bot API error response: ``{"ok": false, "error_code": status, "description": ...}``."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _peer(request: web.Request) -> object:
    """The client's end of the request's connection (address and port), or None once it is gone."""
    transport = request.transport
    return None if transport is None else transport.get_extra_info("peername")


def _bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True, slots=True)
class Call:
    """One request the bot made: the method as called, its decoded parameters and what the fake answered.

    ``response`` is the JSON body sent back (``None`` when the connection was dropped); ``status`` the HTTP status
    (0 when dropped); ``at`` is ``time.monotonic()`` when the response was decided; ``peer`` the client's address and
    port, which stay the same for calls over one kept-alive connection.
    """

    method: str
    params: JSON
    response: JSON | None
    status: int
    at: float
    peer: object = None

    @property
    def ok(self) -> bool:
        return self.status == 200


OutputKind = Literal["message", "edit", "answer", "action"]


@dataclass(frozen=True, slots=True)
class BotOutput:
    """Something the bot did in a chat, attributed to the last update injected in that chat before it.

    ``message`` is the stored sent-message record for ``message``/``edit``/``delete``, ``None`` otherwise; ``params``
    are the call's parameters.
    """

    kind: OutputKind
    chat_id: int
    update_id: int | None
    at: float
    params: JSON
    message: JSON | None = None


class HTMLParseError(ValueError):
    """HTML text the Bot API would refuse; the message is Telegram's text after ``can't parse entities: ``."""


# ---------------------------------------------------------------------------------------------------------------------
# HTML parse mode


_ENTITY_REF = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_START_TAG = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z_][a-zA-Z0-9_-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)"
    r"\s*(/?)>"
)
_ATTRIBUTE = re.compile(r"([a-zA-Z_][a-zA-Z0-9_-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_END_TAG = re.compile(r"</\s*([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_TELEGRAM_TAGS = frozenset({*_SIMPLE_TAGS, "span", "a"})


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets and length limits."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _unescape_attribute(value: str) -> str:
    return _ENTITY_REF.sub(lambda match: _decode_entity(match) or match.group(0), value)


def _decode_entity(match: re.Match[str]) -> str | None:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED[named]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def parse_html(source: str, *, strict: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into (plain text, entities) as the Bot API does, or raise HTMLParseError.

    Offsets and lengths of the entities are in UTF-16 code units. The text is not trimmed here.
    """
    return _HTMLParser(source, strict).parse()


class _HTMLParser:
    """One pass over one message's HTML; `parse` is called once."""

    def __init__(self, source: str, strict: bool) -> None:
        self.source = source
        self.strict = strict
        self.out: list[str] = []
        self.position = 0  # UTF-16 units written so far
        self.entities: list[JSON] = []
        # (tag name, entity or None, start position, byte offset of the tag)
        self.stack: list[tuple[str, JSON | None, int, int]] = []
        self.index = 0

    def byte_offset(self, at: int) -> int:
        return len(self.source[:at].encode("utf-8"))

    def parse(self) -> tuple[str, list[JSON]]:
        source, length = self.source, len(self.source)
        while self.index < length:
            char = source[self.index]
            if char == "&":
                self._entity_reference()
            elif char == ">" and self.strict:
                raise HTMLParseError(
                    f'Character ">" at byte offset {self.byte_offset(self.index)} must be escaped as &gt;'
                )
            elif char != "<":
                self._text_run()
            elif source.startswith("</", self.index):
                self._end_tag()
            else:
                self._start_tag()
        if self.stack:
            raise HTMLParseError(f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"')
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.out), self.entities

    def _write(self, text: str) -> None:
        self.out.append(text)
        self.position += utf16_len(text)

    def _entity_reference(self) -> None:
        match = _ENTITY_REF.match(self.source, self.index)
        decoded = _decode_entity(match) if match else None
        if match is None or decoded is None:
            if self.strict:
                raise HTMLParseError(
                    f'Character "&" at byte offset {self.byte_offset(self.index)} is not part of a supported HTML '
                    "entity; use &amp; (only &lt; &gt; &amp; &quot; and numeric entities are supported)"
                )
            self._write("&")
            self.index += 1
            return
        self._write(decoded)
        self.index = match.end()

    def _text_run(self) -> None:
        """Copy the run of plain text up to the next special character in one go."""
        source, end = self.source, self.index + 1
        while end < len(source) and source[end] not in "<&>":
            end += 1
        self._write(source[self.index : end])
        self.index = end

    def _end_tag(self) -> None:
        index = self.index
        end_match = _END_TAG.match(self.source, index)
        if end_match is None:
            raise HTMLParseError(f"Can't find end of the tag at byte offset {self.byte_offset(index)}")
        name = end_match.group(1).lower()
        if not self.stack:
            raise HTMLParseError(f'Unexpected end tag "{name}" at byte offset {self.byte_offset(index)}')
        open_name, entity, start, _ = self.stack[-1]
        if name != open_name:
            raise HTMLParseError(
                f'Unmatched end tag at byte offset {self.byte_offset(index)}, expected "</{open_name}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        if entity is not None and self.position > start:
            entity["offset"] = start
            entity["length"] = self.position - start
            self.entities.append(entity)
        self.index = end_match.end()

    def _start_tag(self) -> None:
        index = self.index
        start_match = _START_TAG.match(self.source, index)
        if start_match is None:
            raise HTMLParseError(f"Unclosed start tag at byte offset {self.byte_offset(index)}")
        name = start_match.group(1).lower()
        if name not in _TELEGRAM_TAGS or start_match.group(3):
            raise HTMLParseError(f'Unsupported start tag "{name}" at byte offset {self.byte_offset(index)}')
        attributes = {
            attr.group(1).lower(): _unescape_attribute(attr.group(2) or attr.group(3) or attr.group(4) or "")
            for attr in _ATTRIBUTE.finditer(start_match.group(2))
        }
        entity = _entity_for_tag(name, attributes, self.stack, self.byte_offset(index))
        self.stack.append((name, entity, self.position, self.byte_offset(index)))
        self.index = start_match.end()


def _entity_for_tag(
    name: str, attributes: Mapping[str, str], stack: list[tuple[str, JSON | None, int, int]], offset: int
) -> JSON | None:
    if name == "span":
        if attributes.get("class") != "tg-spoiler":
            raise HTMLParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        return {"type": "spoiler"}
    if name == "a":
        href = attributes.get("href", "").strip()
        return {"type": "text_link", "url": href} if href else None
    if name == "code" and stack and stack[-1][0] == "pre":
        language = attributes.get("class", "")
        pre = stack[-1][1]
        if pre is not None and language.startswith("language-"):
            pre["language"] = language.removeprefix("language-")
        return None  # Telegram folds <pre><code> into one pre entity
    if name == "blockquote" and "expandable" in attributes:
        return {"type": "expandable_blockquote"}
    return {"type": _SIMPLE_TAGS[name]}


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading and trailing whitespace as Telegram does, keeping entities on the same characters."""
    stripped = text.strip()
    if stripped == text or not stripped:
        return stripped, entities if stripped else []
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    end = lead + utf16_len(stripped)
    kept = []
    for entity in entities:
        start, stop = max(entity["offset"], lead), min(entity["offset"] + entity["length"], end)
        if stop > start:
            kept.append({**entity, "offset": start - lead, "length": stop - start})
    return stripped, kept


# ---------------------------------------------------------------------------------------------------------------------
# Server


class _Signal:
    """Wakes every waiter at each notify(); a waiter re-checks its own condition, so no notification is lost."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, deadline: float) -> None:
        """Return at the next notify() or at ``deadline`` (time.monotonic()), whichever is first."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                await self._event.wait()


@dataclass(slots=True)
class _Fault:
    kind: Literal["error", "drop", "drop_after"]
    remaining: int
    status: int = 500
    description: str = "Internal Server Error"
    parameters: JSON | None = None
    spared: int = 0  # calls that go through before the fault starts


@dataclass(slots=True)
class _Chat:
    info: JSON
    next_message_id: int = 1
    last_update_id: int | None = None
    outputs: list[BotOutput] = field(default_factory=list)
    sent: list[JSON] = field(default_factory=list)
    signal: _Signal = field(default_factory=_Signal)


class FakeBotAPI:
    """A fake Bot API server bound to 127.0.0.1 on an ephemeral port; use as ``async with FakeBotAPI() as fake``."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "fake_advisor_bot",
        bot_first_name: str = "逾期协商助手",
        strict_html: bool = True,
        port: int = 0,
    ) -> None:
        self.token = token
        self._requested_port = port  # 0: any free port
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456789
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.strict_html = strict_html
        self.webhook: JSON | None = None

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing = False

        self._update_ids = itertools.count(1)
        self._pending: deque[JSON] = deque()
        self._allowed_updates: frozenset[str] | None = None  # None: Telegram's default set
        self._updates_signal = _Signal()
        self._poll_generation = 0
        self._update_chats: dict[int, int] = {}

        self._chats: dict[int, _Chat] = {}
        self._messages: dict[tuple[int, int], JSON] = {}  # every message in every chat, as Telegram JSON
        self._sent: dict[tuple[int, int], JSON] = {}  # the bot's own messages, as records (see sent_messages)
        self._sent_order: list[JSON] = []
        self._blocked: set[int] = set()
        self._replies: dict[int, list[BotOutput]] = {}
        self._callback_queries: dict[str, JSON] = {}
        self._query_ids = itertools.count(1)
        self._files: dict[str, tuple[str, bytes]] = {}
        self._file_ids = itertools.count(1)

        self._calls: list[Call] = []
        self._calls_by_method: dict[str, list[Call]] = {}
        self._calls_signal = _Signal()
        self._received: dict[str, int] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, float] = {}
        self._answer_delays: dict[str, float] = {}
        self._holds: dict[str, asyncio.Event] = {}  # methods held until released, by lower-case name
        self._rates: dict[str, tuple[float, float, float, random.Random]] = {}
        self._confirmed_below = 0
        self._webhook_confirmed: set[int] = set()  # updates answered 2xx by deliver_to_webhook
        self.webhook_statuses: dict[int, int] = {}  # HTTP status (0: no answer) → how many deliver_to_webhook got

        self.commands: dict[tuple[str, str], list[JSON]] = {}

        self._methods: dict[str, Callable[[JSON], Awaitable[Any]]] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "sendMessage": self._send_message,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "editMessageText": self._edit_message_text,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "setMyCommands": self._set_my_commands,
            }.items()
        }

    # -- lifecycle ------------------------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # handler_cancellation: a client that gives up on a long poll frees its handler at once.
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._requested_port).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True
        self._updates_signal.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url``: PTB appends the token and the method name."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def bot_user(self) -> JSON:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_first_name, "username": self.bot_username}

    # -- simulated users ------------------------------------------------------------------------------------------

    def inject_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: Literal["private", "group", "supergroup"] = "private",
        language_code: str | None = "zh-hans",
        first_name: str | None = None,
        username: str | None = None,
        entities: list[JSON] | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """A user sends ``text``; ``/commands`` and ``@mentions`` get their entities unless ``entities`` is given.

        Group chats (``chat_type="group"``/``"supergroup"``) get a negative ``chat_id`` unless one is given; mention
        the bot with ``f"@{fake.bot_username} ..."``. Returns the update_id.
        """
        extra: JSON = {"text": text}
        found = _auto_entities(text) if entities is None else entities
        if found:
            extra["entities"] = found
        return self._inject_content(
            user_id,
            extra,
            chat_id=chat_id,
            chat_type=chat_type,
            language_code=language_code,
            first_name=first_name,
            username=username,
            reply_to_message_id=reply_to_message_id,
        )

    def inject_sticker(self, user_id: int, *, emoji: str = "👍", chat_id: int | None = None, **user: Any) -> int:
        file_id, unique_id = self._new_file("stickers/sticker.webp", b"RIFF\x00\x00\x00\x00WEBP")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": 12,
        }
        return self._inject_content(user_id, {"sticker": sticker}, chat_id=chat_id, **user)

    def inject_photo(self, user_id: int, *, caption: str | None = None, chat_id: int | None = None, **user: Any) -> int:
        sizes = []
        for width in (90, 320, 800):
            file_id, unique_id = self._new_file(f"photos/photo_{width}.jpg", b"\xff\xd8\xff\xe0" + bytes(width))
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "width": width,
                    "height": width * 3 // 4,
                    "file_size": width + 4,
                }
            )
        content: JSON = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self._inject_content(user_id, content, chat_id=chat_id, **user)

    def inject_voice(self, user_id: int, *, duration: int = 3, chat_id: int | None = None, **user: Any) -> int:
        file_id, unique_id = self._new_file("voice/voice.oga", b"OggS" + bytes(60))
        voice = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 64,
        }
        return self._inject_content(user_id, {"voice": voice}, chat_id=chat_id, **user)

    def inject_location(
        self,
        user_id: int,
        *,
        latitude: float = 31.2304,
        longitude: float = 121.4737,
        chat_id: int | None = None,
        **user: Any,
    ) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return self._inject_content(user_id, {"location": location}, chat_id=chat_id, **user)

    def inject_document(
        self,
        user_id: int,
        *,
        file_name: str = "账单.pdf",
        mime_type: str = "application/pdf",
        content: bytes = b"%PDF-1.4\n%fake\n",
        caption: str | None = None,
        chat_id: int | None = None,
        **user: Any,
    ) -> int:
        file_id, unique_id = self._new_file(f"documents/{file_name}", content)
        document = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        extra: JSON = {"document": document}
        if caption is not None:
            extra["caption"] = caption
        return self._inject_content(user_id, extra, chat_id=chat_id, **user)

    def inject_callback(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int,
        chat_id: int | None = None,
        language_code: str | None = "zh-hans",
        first_name: str | None = None,
        username: str | None = None,
    ) -> int:
        """A user presses an inline button with ``data`` under message ``message_id``; returns the update_id.

        The message need not exist or carry that button: a forged or stale press is attached to a stand-in
        message from the bot, as Telegram would show an old message.
        """
        chat_id = user_id if chat_id is None else chat_id
        user = self._user(user_id, language_code, first_name, username)
        chat = self._chat(chat_id, "private" if chat_id > 0 else "group", user)
        message = self._messages.get((chat_id, message_id))
        if message is None:
            message = {
                "message_id": message_id,
                "date": int(time.time()) - 3600,
                "chat": chat.info,
                "from": self.bot_user,
                "text": "…",
            }
        query_id = f"{next(self._query_ids)}{user_id:x}"
        query = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": str(abs(chat_id) * 7919 % 10**12),
            "data": data,
        }
        update_id = self._enqueue("callback_query", query, chat_id)
        self._callback_queries[query_id] = {"answered": False, "update_id": update_id, "chat_id": chat_id}
        return update_id

    def press(self, user_id: int, label: str, *, chat_id: int | None = None) -> int:
        """Press the button whose text or callback_data is ``label`` on the newest bot message that has one."""
        chat_id = user_id if chat_id is None else chat_id
        for record in reversed(self.sent_messages(chat_id)):
            for button in _inline_buttons(record["reply_markup"]):
                if label in (button.get("text"), button.get("callback_data")) and "callback_data" in button:
                    return self.inject_callback(
                        user_id, button["callback_data"], message_id=record["message_id"], chat_id=chat_id
                    )
        raise LookupError(f"no inline button {label!r} in chat {chat_id}")

    def block(self, user_id: int) -> None:
        """From now on, sending to this user's private chat fails with 403 ``bot was blocked by the user``."""
        self._blocked.add(user_id)

    def _inject_content(
        self,
        user_id: int,
        content: JSON,
        *,
        chat_id: int | None = None,
        chat_type: Literal["private", "group", "supergroup"] = "private",
        language_code: str | None = "zh-hans",
        first_name: str | None = None,
        username: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        if chat_id is None:
            chat_id = {"private": user_id, "group": -user_id, "supergroup": -1_000_000_000_000 - user_id}[chat_type]
        elif (chat_id > 0) != (chat_type == "private"):
            raise ValueError("private chats have positive ids, groups negative ones")
        user = self._user(user_id, language_code, first_name, username)
        chat = self._chat(chat_id, chat_type, user)
        message: JSON = {
            "message_id": chat.next_message_id,
            "from": user,
            "chat": chat.info,
            "date": int(time.time()),
            **content,
        }
        chat.next_message_id += 1
        if reply_to_message_id is not None:
            replied = self._messages.get((chat_id, reply_to_message_id))
            if replied is None:
                raise LookupError(f"no message {reply_to_message_id} in chat {chat_id}")
            message["reply_to_message"] = replied
        self._messages[(chat_id, message["message_id"])] = message
        return self._enqueue("message", message, chat_id)

    def _user(self, user_id: int, language_code: str | None, first_name: str | None, username: str | None) -> JSON:
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name or f"用户{user_id}"}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat(self, chat_id: int, chat_type: str, user: JSON) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_type == "private":
                info = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
                if "username" in user:
                    info["username"] = user["username"]
            else:
                info = {"id": chat_id, "type": chat_type, "title": f"群聊 {chat_id}"}
            chat = self._chats[chat_id] = _Chat(info)
        return chat

    def _enqueue(self, kind: str, payload: JSON, chat_id: int) -> int:
        update_id = next(self._update_ids)
        self._chats[chat_id].last_update_id = update_id
        self._update_chats[update_id] = chat_id
        self._replies[update_id] = []
        allowed = self._allowed_updates
        if kind in UPDATE_TYPES_OFF_BY_DEFAULT if allowed is None else kind not in allowed:
            logger.debug("update %d (%s) not allowed by allowed_updates; dropped", update_id, kind)
            return update_id
        self._pending.append({"update_id": update_id, kind: payload})
        self._updates_signal.notify()
        return update_id

    def uploaded(self, file_id: str) -> bytes:
        """The bytes the bot uploaded as the file ``file_id`` (a photo or document it sent)."""
        return self._files[file_id][1]

    def _new_file(self, path: str, content: bytes) -> tuple[str, str]:
        number = next(self._file_ids)
        file_id = f"FAKEFILE{number:06d}"
        self._files[file_id] = (f"{number}_{path}", content)
        return file_id, f"U{number:06d}"

    def inject_raw(self, payload: JSON) -> int:
        """An update exactly as given, with the next update_id: for shapes a real server of another version sends."""
        update_id = next(self._update_ids)
        self._replies[update_id] = []
        self._pending.append({"update_id": update_id, **payload})
        self._updates_signal.notify()
        return update_id

    @property
    def pending_updates(self) -> int:
        return len(self._pending)

    async def post_update_to_webhook(
        self,
        url: str | None = None,
        *,
        secret_token: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[int]:
        """Deliver the pending updates, oldest first, by POST as Telegram does; return the HTTP statuses.

        ``url`` and ``secret_token`` default to those given to setWebhook. An update is confirmed by a 2xx answer;
        delivery stops at the first other answer, leaving that update pending. Only loopback URLs are allowed.
        """
        target = url or (self.webhook or {}).get("url")
        if not target:
            raise RuntimeError("no webhook URL: pass one or let the bot call setWebhook")
        if urlsplit(target).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the fake delivers only to loopback addresses, not {target}")
        secret = secret_token if secret_token is not None else (self.webhook or {}).get("secret_token")
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(secret)
        statuses: list[int] = []
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            while self._pending:
                update = self._pending[0]
                # ASCII escapes, as a forged call may use: a lone surrogate (\ud800) has no UTF-8 form.
                async with session.post(target, data=json.dumps(update), headers=headers) as answer:
                    statuses.append(answer.status)
                if not 200 <= answer.status < 300:
                    break
                if self._pending and self._pending[0] is update:
                    self._pending.popleft()
        return statuses

    async def deliver_to_webhook(self, *, connections: int = 40, retry_after: float = 1.0) -> None:
        """Deliver pending updates by POST until cancelled, as Telegram does: up to ``connections`` at once, one
        update per chat at a time (in order), each sent again ``retry_after`` seconds after a non-2xx answer or a
        failed connection, and confirmed (see `confirmed`) by a 2xx answer. Statuses go to `webhook_statuses`."""
        webhook = self.webhook or {}
        target = str(webhook.get("url") or "")
        if urlsplit(target).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise RuntimeError(f"no loopback webhook URL to deliver to: {target!r}")
        headers = {"Content-Type": "application/json"}
        if webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(webhook["secret_token"])
        sending: set[int] = set()  # chats with an update on its way
        resting: dict[int, float] = {}  # update id → when it may be sent again
        tasks: set[asyncio.Task[None]] = set()

        async def post(session: aiohttp.ClientSession, update: JSON, chat: int) -> None:
            update_id = update["update_id"]
            try:
                async with session.post(target, data=json.dumps(update), headers=headers) as answer:
                    status = answer.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0  # no answer: Telegram sends it again
            self.webhook_statuses[status] = self.webhook_statuses.get(status, 0) + 1
            sending.discard(chat)
            if 200 <= status < 300:
                self._webhook_confirmed.add(update_id)
                with contextlib.suppress(ValueError):
                    self._pending.remove(update)
            else:
                resting[update_id] = time.monotonic() + retry_after
            self._updates_signal.notify()
            self._calls_signal.notify()  # wait_for(confirmed) wakes

        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=75)) as session:
            try:
                while True:
                    for update, chat in self._due_for_webhook(sending, resting, connections - len(tasks)):
                        sending.add(chat)
                        task = asyncio.create_task(post(session, update, chat))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                    await self._updates_signal.wait_until(time.monotonic() + 0.1)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    def _due_for_webhook(self, sending: set[int], resting: dict[int, float], room: int) -> list[tuple[JSON, int]]:
        """Up to `room` pending updates to POST now, with their chats: the oldest of each chat not `sending` one,
        unless it is `resting` after a failed delivery (then the chat's later updates wait too)."""
        now, waiting = time.monotonic(), set(sending)
        due: list[tuple[JSON, int]] = []
        for update in self._pending:
            chat = self._update_chats.get(update["update_id"], 0)
            if len(due) >= room:
                break
            if chat in waiting:
                continue
            waiting.add(chat)
            if resting.get(update["update_id"], 0.0) <= now:
                resting.pop(update["update_id"], None)
                due.append((update, chat))
        return due

    # -- recorded calls and bot output ----------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Every request so far, in order; with ``method``, only that method's (case-insensitive)."""
        if method is None:
            return list(self._calls)
        return list(self._calls_by_method.get(method.lower(), ()))

    def requests_received(self, method: str) -> int:
        """How many requests for ``method`` have arrived, including ones still waiting (a long poll)."""
        return self._received.get(method.lower(), 0)

    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """The bot's messages in order of sending, as live records updated by later edits.

        A record has ``chat_id``, ``message_id``, ``method``, ``text`` (what the user sees), ``source_text`` (as
        sent), ``parse_mode``, ``entities``, ``reply_markup``, ``update_id`` (the update it answered), ``at``,
        ``edits`` (earlier versions, oldest first) and ``message`` (the Telegram JSON).
        """
        if chat_id is None:
            return list(self._sent_order)
        chat = self._chats.get(chat_id)
        return list(chat.sent) if chat else []

    def last_message(self, chat_id: int) -> JSON | None:
        chat = self._chats.get(chat_id)
        return chat.sent[-1] if chat and chat.sent else None

    def outputs(self, chat_id: int) -> list[BotOutput]:
        """Everything the bot did in a chat: messages, edits, callback answers, deletions, chat actions."""
        chat = self._chats.get(chat_id)
        return list(chat.outputs) if chat else []

    def replies_to(self, update_id: int) -> list[BotOutput]:
        """What the bot did in the update's chat after it arrived and before the next update in that chat."""
        return list(self._replies.get(update_id, ()))

    def callback_answer(self, update_id: int) -> JSON | None:
        """The parameters of answerCallbackQuery for the callback update ``update_id``, if answered."""
        for output in self._replies.get(update_id, ()):
            if output.kind == "answer" and output.update_id == update_id:
                return output.params
        return None

    # The waiting helpers take a timeout (ASYNC109) like asyncio.wait_for: a test reads better with the limit in
    # the call than wrapped in asyncio.timeout at every use.

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:  # noqa: ASYNC109
        """Wait until ``predicate()`` is truthy, re-checking after every bot call; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met in {timeout}s; last calls: {self._describe_calls()}")
            await self._calls_signal.wait_until(deadline)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[JSON]:
        """Wait until the bot has sent at least ``count`` messages to ``chat_id`` in all; return all of them."""
        deadline = time.monotonic() + timeout
        chat = self._chats.get(chat_id)
        while chat is None or len(chat.sent) < count:
            if time.monotonic() >= deadline:
                have = [record["text"] for record in chat.sent] if chat else []
                raise TimeoutError(
                    f"chat {chat_id}: wanted {count} bot messages in {timeout}s, have {len(have)}: {have!r}; "
                    f"last calls: {self._describe_calls()}"
                )
            if chat is None:
                await self._calls_signal.wait_until(deadline)
                chat = self._chats.get(chat_id)
            else:
                await chat.signal.wait_until(deadline)
        return list(chat.sent)

    async def wait_for_reply(
        self,
        update_id: int,
        *,
        kinds: Iterable[OutputKind] = ("message", "edit"),
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> BotOutput:
        """Wait for the bot's first output of one of ``kinds`` in answer to ``update_id``; return it."""
        wanted = frozenset(kinds)
        chat_id = self._update_chats[update_id]
        chat = self._chats[chat_id]
        replies = self._replies[update_id]
        deadline = time.monotonic() + timeout
        checked = 0
        while True:
            for output in replies[checked:]:
                if output.kind in wanted:
                    return output
            checked = len(replies)
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no {sorted(wanted)} for update {update_id} in chat {chat_id} in {timeout}s")
            await chat.signal.wait_until(deadline)

    def _describe_calls(self, last: int = 5) -> str:
        return "; ".join(
            f"{call.method} -> {call.status} {(call.response or {}).get('description', '')}".rstrip()
            for call in self._calls[-last:]
        )

    def _record_output(self, kind: OutputKind, chat_id: int, params: JSON, message: JSON | None = None) -> None:
        chat = self._chats[chat_id]
        output = BotOutput(kind, chat_id, chat.last_update_id, time.monotonic(), params, message)
        chat.outputs.append(output)
        if output.update_id is not None:
            self._replies[output.update_id].append(output)
        chat.signal.notify()

    # -- fault injection ------------------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        count: int = 1,
        *,
        status: int = 500,
        description: str = "Internal Server Error",
        after: int = 0,
    ) -> None:
        """The next ``count`` calls of ``method`` fail with HTTP ``status`` and ``description``, doing nothing; with
        ``after``, that many calls go through first."""
        self._add_fault(method, _Fault("error", count, status, description, spared=after))

    def rate_limit_next(self, method: str, count: int = 1, *, retry_after: int = 1) -> None:
        """The next ``count`` calls get Telegram's flood-wait answer: 429 with ``parameters.retry_after``."""
        fault = _Fault(
            "error",
            count,
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )
        self._add_fault(method, fault)

    def drop_next(self, method: str, count: int = 1, *, after_processing: bool = False) -> None:
        """The next ``count`` calls lose their connection with no response.

        With ``after_processing`` the call takes effect first (a message is sent) and only the answer is lost,
        as when a network fails on the way back: a client that retries then sends twice.
        """
        self._add_fault(method, _Fault("drop_after" if after_processing else "drop", count))

    def delay(self, method: str, seconds: float, *, after_processing: bool = False) -> None:
        """Every later call of ``method`` waits ``seconds`` before it is handled; 0 turns the delay off.

        With ``after_processing`` the call takes effect at once and only its answer is late, as when the network is
        slow on the way back: a client that gives up waiting has still had its message sent.
        """
        delays = self._answer_delays if after_processing else self._delays
        if seconds > 0:
            delays[method.lower()] = seconds
        else:
            delays.pop(method.lower(), None)

    def hold(self, method: str) -> None:
        """Every later call of ``method`` waits, before it is handled, until `release` is called: a test holds a reply
        exactly as long as it needs to look at what happens meanwhile, however loaded the machine."""
        self._holds.setdefault(method.lower(), asyncio.Event())

    def release(self, method: str) -> None:
        """Let the calls of ``method`` held by `hold` go on, and the later ones go through at once."""
        gate = self._holds.pop(method.lower(), None)
        if gate is not None:
            gate.set()

    def fault_rates(
        self, method: str, *, error: float = 0.0, flood: float = 0.0, drop_after: float = 0.0, seed: int = 0
    ) -> None:
        """Every later call of ``method`` fails at random: HTTP 500 with probability ``error``, a 429 (retry after 1 s)
        with ``flood``, or its connection dropped after it took effect with ``drop_after``; 0 for all turns it off.

        Queued faults (``fail_next`` …) come first. ``seed`` makes a run repeatable.
        """
        if error + flood + drop_after <= 0:
            self._rates.pop(method.lower(), None)
            return
        self._rates[method.lower()] = (error, flood, drop_after, random.Random(seed))

    def confirmed(self, update_id: int) -> bool:
        """Whether the bot has confirmed ``update_id`` (asked getUpdates for a later offset, or answered it 2xx when
        `deliver_to_webhook` sent it)."""
        return update_id < self._confirmed_below or update_id in self._webhook_confirmed

    def _add_fault(self, method: str, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("count must be at least 1")
        self._faults.setdefault(method.lower(), deque()).append(fault)

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return self._random_fault(method)
        fault = queue[0]
        if fault.spared:
            fault.spared -= 1
            return None
        fault.remaining -= 1
        if fault.remaining == 0:
            queue.popleft()
        return fault

    def _random_fault(self, method: str) -> _Fault | None:
        rates = self._rates.get(method)
        if rates is None:
            return None
        error, flood, drop_after, rng = rates
        roll = rng.random()
        if roll < error:
            return _Fault("error", 1)
        if roll < error + flood:
            return _Fault("error", 1, 429, "Too Many Requests: retry after 1", {"retry_after": 1})
        if roll < error + flood + drop_after:
            return _Fault("drop_after", 1)
        return None

    # -- HTTP -----------------------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        key = method.lower()
        self._received[key] = self._received.get(key, 0) + 1
        self._calls_signal.notify()
        if request.match_info["token"] != self.token:
            return self._respond(request, {}, ApiError(401, "Unauthorized"))
        try:
            params = await _read_params(request)
        except ValueError as error:
            return self._respond(request, {}, _bad_request(str(error)))
        await self._held_back(key)
        fault = self._take_fault(key)
        if fault is not None and fault.kind == "drop":
            return self._drop(request, method, params)
        if fault is not None and fault.kind == "error":
            return self._respond(request, params, ApiError(fault.status, fault.description, fault.parameters))
        handler = self._methods.get(key)
        if handler is None:
            return self._respond(request, params, ApiError(404, "Not Found"))
        try:
            result = await handler(params)
        except ApiError as error:
            return self._respond(request, params, error)
        if fault is not None:  # drop_after: the work is done, the answer is lost
            return self._drop(request, method, params)
        late = self._answer_delays.get(key)
        if late:
            await asyncio.sleep(late)
        return self._respond(request, params, result)

    async def _held_back(self, method: str) -> None:
        """Wait as `delay` and `hold` ask for ``method`` (lower case) before the call is handled."""
        delay = self._delays.get(method)
        if delay:
            await asyncio.sleep(delay)
        gate = self._holds.get(method)
        if gate is not None:
            await gate.wait()

    def _respond(self, request: web.Request, params: JSON, outcome: object) -> web.Response:
        if isinstance(outcome, ApiError):
            body: JSON = {"ok": False, "error_code": outcome.status, "description": outcome.description}
            if outcome.parameters:
                body["parameters"] = outcome.parameters
            status = outcome.status
        else:
            body = {"ok": True, "result": outcome}
            status = 200
        self._record(Call(request.match_info["method"], params, body, status, time.monotonic(), _peer(request)))
        return web.Response(status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json")

    def _drop(self, request: web.Request, method: str, params: JSON) -> web.StreamResponse:
        self._record(Call(method, params, None, 0, time.monotonic(), _peer(request)))
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise asyncio.CancelledError  # aiohttp's way to end a handler with no response on a gone connection

    def _record(self, call: Call) -> None:
        self._calls.append(call)
        self._calls_by_method.setdefault(call.method.lower(), []).append(call)
        self._calls_signal.notify()

    # -- methods --------------------------------------------------------------------------------------------------

    async def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = int(params.get("offset", 0))
        limit = int(params.get("limit", 100))
        timeout = float(params.get("timeout", 0))
        if not 1 <= limit <= 100:
            limit = 100
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = frozenset(allowed) if allowed else None
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.notify()  # ends a poll still waiting: only one poller at a time
        deadline = time.monotonic() + timeout
        while True:
            self._confirm(offset)
            if self._pending:
                return list(itertools.islice(self._pending, limit))
            if time.monotonic() >= deadline or self._closing:
                return []
            await self._updates_signal.wait_until(deadline)
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_POLL)

    def _confirm(self, offset: int) -> None:
        self._confirmed_below = max(self._confirmed_below, offset)
        pending = self._pending
        if offset < 0:
            while len(pending) > -offset:
                pending.popleft()
            return
        while pending and pending[0]["update_id"] < offset:
            pending.popleft()

    async def _set_webhook(self, params: JSON) -> bool:
        url = str(params.get("url", ""))
        if not url:
            return await self._delete_webhook(params)
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):  # loopback: for tests only
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        if "allowed_updates" in params:
            self._allowed_updates = frozenset(params["allowed_updates"]) or None
        self.webhook = {k: params[k] for k in ("url", "secret_token", "max_connections") if k in params}
        self._updates_signal.notify()
        return True

    async def _delete_webhook(self, params: JSON) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _target_chat(self, params: JSON) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        if not isinstance(chat_id, int):
            raise _bad_request("chat not found")
        chat = self._chats.get(chat_id)
        if chat is None:
            raise _bad_request("chat not found")
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _parse_text(self, params: JSON, key: str, limit: int, *, required: bool) -> tuple[str, list[JSON]]:
        source = params.get(key)
        if source is None or source == "":
            if required:
                raise _bad_request("message text is empty")
            return "", []
        source = str(source)
        parse_mode = str(params.get("parse_mode") or "")
        entity_key = "entities" if key == "text" else "caption_entities"
        if parse_mode.lower() == "html":
            try:
                text, entities = parse_html(source, strict=self.strict_html)
            except HTMLParseError as error:
                raise _bad_request(f"can't parse entities: {error}") from error
        elif parse_mode and parse_mode.lower() not in ("markdown", "markdownv2"):
            raise _bad_request(f"unsupported parse_mode {parse_mode!r}")
        else:
            text, entities = source, list(params.get(entity_key) or [])
        text, entities = _trim(text, entities)
        if not text and required:
            raise _bad_request("message text is empty")
        if utf16_len(text) > limit:
            raise _bad_request("message is too long" if key == "text" else "message caption is too long")
        return text, entities

    def _new_bot_message(self, method: str, chat: _Chat, params: JSON, content: JSON, shown: str) -> JSON:
        markup = _validate_markup(params.get("reply_markup"))
        message: JSON = {
            "message_id": chat.next_message_id,
            "from": self.bot_user,
            "chat": chat.info,
            "date": int(time.time()),
            **content,
        }
        chat.next_message_id += 1
        if _inline_only(markup) is not None:
            message["reply_markup"] = markup
        reply_to = params.get("reply_to_message_id") or (params.get("reply_parameters") or {}).get("message_id")
        if reply_to is not None:
            replied = self._messages.get((chat.info["id"], int(reply_to)))
            if replied is None:
                raise _bad_request("message to be replied not found")
            message["reply_to_message"] = replied
        key = (chat.info["id"], message["message_id"])
        self._messages[key] = message
        record: JSON = {
            "chat_id": chat.info["id"],
            "message_id": message["message_id"],
            "method": method,
            "text": shown,
            "source_text": params.get("text", params.get("caption")),
            "parse_mode": params.get("parse_mode"),
            "entities": message.get("entities", message.get("caption_entities", [])),
            "reply_markup": markup,
            "update_id": chat.last_update_id,
            "at": time.monotonic(),
            "edits": [],
            "message": message,
        }
        self._sent[key] = record
        self._sent_order.append(record)
        chat.sent.append(record)
        self._record_output("message", chat.info["id"], params, record)
        return message

    async def _send_message(self, params: JSON) -> JSON:
        chat = self._target_chat(params)
        text, entities = self._parse_text(params, "text", MAX_MESSAGE_LENGTH, required=True)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return self._new_bot_message("sendMessage", chat, params, content, text)

    async def _send_photo(self, params: JSON) -> JSON:
        return await self._send_file(params, "photo")

    async def _send_document(self, params: JSON) -> JSON:
        return await self._send_file(params, "document")

    async def _send_file(self, params: JSON, kind: str) -> JSON:
        chat = self._target_chat(params)
        upload = params.get(kind)
        if not upload:
            raise _bad_request(f"there is no {kind} in the request")
        caption, entities = self._parse_text(params, "caption", MAX_CAPTION_LENGTH, required=False)
        width, height = 800, 600
        if isinstance(upload, dict):
            name, size, data = upload.get("filename") or kind, upload.get("size", 0), upload.get("content", b"")
            if kind == "photo":
                width, height = _photo_size(data)
            file_id, unique_id = self._new_file(f"uploads/{name}", data)
        else:
            name, size, file_id, unique_id = kind, 0, str(upload), f"U{upload}"
        file_info = {"file_id": file_id, "file_unique_id": unique_id, "file_size": size}
        if kind == "photo":
            content: JSON = {"photo": [{**file_info, "width": width, "height": height}]}
        else:
            content = {"document": {**file_info, "file_name": name}}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        method = "sendPhoto" if kind == "photo" else "sendDocument"
        return self._new_bot_message(method, chat, params, content, caption)

    def _find_for_edit(self, params: JSON) -> tuple[_Chat, JSON, JSON]:
        if "inline_message_id" in params:
            raise _bad_request("MESSAGE_ID_INVALID")
        chat = self._target_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad_request("message identifier is not specified")
        key = (chat.info["id"], message_id)
        message = self._messages.get(key)
        if message is None:
            raise _bad_request("message to edit not found")
        record = self._sent.get(key)
        if record is None:
            raise _bad_request("message can't be edited")
        return chat, message, record

    def _apply_edit(
        self,
        chat: _Chat,
        record: JSON,
        params: JSON,
        message_changes: JSON,
        drop: tuple[str, ...],
        record_changes: JSON,
    ) -> JSON:
        """Store a new version of a bot message; the old one stays in ``record["edits"]``."""
        record["edits"].append(
            {
                key: record[key]
                for key in ("text", "source_text", "parse_mode", "entities", "reply_markup", "at", "update_id")
            }
        )
        message = {key: value for key, value in record["message"].items() if key not in drop}
        message.update(message_changes)
        message["edit_date"] = int(time.time())
        record.update(record_changes)
        record["message"] = message
        record["at"] = time.monotonic()
        record["update_id"] = chat.last_update_id
        self._messages[(record["chat_id"], record["message_id"])] = message
        self._record_output("edit", record["chat_id"], params, record)
        return message

    async def _edit_message_text(self, params: JSON) -> JSON:
        chat, message, record = self._find_for_edit(params)
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        text, entities = self._parse_text(params, "text", MAX_MESSAGE_LENGTH, required=True)
        inline = _inline_only(_validate_markup(params.get("reply_markup")))
        if (
            text == message["text"]
            and entities == message.get("entities", [])
            and inline == _inline_only(record["reply_markup"])
        ):
            raise ApiError(400, NOT_MODIFIED)
        new: JSON = {"text": text}
        if entities:
            new["entities"] = entities
        if inline is not None:  # an edit without reply_markup removes the inline keyboard, as on Telegram
            new["reply_markup"] = inline
        record_changes = {
            "text": text,
            "source_text": params.get("text"),
            "parse_mode": params.get("parse_mode"),
            "entities": entities,
            "reply_markup": inline,
        }
        return self._apply_edit(chat, record, params, new, ("text", "entities", "reply_markup"), record_changes)

    async def _answer_callback_query(self, params: JSON) -> bool:
        query = self._callback_queries.get(str(params.get("callback_query_id", "")))
        if query is None or query["answered"]:
            raise ApiError(400, QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        query["answered"] = True
        chat = self._chats[query["chat_id"]]
        output = BotOutput("answer", query["chat_id"], query["update_id"], time.monotonic(), params)
        chat.outputs.append(output)
        self._replies[query["update_id"]].append(output)
        chat.signal.notify()
        return True

    async def _send_chat_action(self, params: JSON) -> bool:
        chat = self._target_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        self._record_output("action", chat.info["id"], params)
        return True

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad_request("can't parse BotCommandScope JSON object")
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request('parameter "commands" is required')
        if len(commands) > 100:
            raise _bad_request("too many commands specified")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            name, description = str(command.get("command", "")), str(command.get("description", ""))
            if not COMMAND_NAME.fullmatch(name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description.strip()) <= 256 or len(description) > 256:
                raise _bad_request(
                    "command description is empty" if not description.strip() else "BOT_COMMAND_DESCRIPTION_INVALID"
                )
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True


# ---------------------------------------------------------------------------------------------------------------------
# Request decoding and validation


def _photo_size(data: bytes) -> tuple[int, int]:
    """Width and height of an uploaded PNG or JPEG; anything else is refused as Telegram does."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith(b"\xff\xd8"):
        return 800, 600  # JPEG: the size is not read here
    raise _bad_request("IMAGE_PROCESS_FAILED")


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError as error:
            raise ValueError(f"can't parse {name} JSON object") from error
    if name in _INT_FIELDS or name == "chat_id":
        try:
            return int(value)
        except ValueError:
            if name == "chat_id":
                return value  # "@channelusername"
            raise ValueError(f"wrong parameter {name}") from None
    if name in _BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value


async def _read_params(request: web.Request) -> JSON:
    """The call's parameters from the query string and a JSON, form-encoded or multipart body, typed as JSON."""
    raw: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("request body must be a JSON object")
            raw.update(body)
        else:
            form = await request.post()
            attachments: dict[str, JSON] = {}
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    content = value.file.read()
                    attachments[name] = {
                        "filename": value.filename,
                        "content_type": value.content_type,
                        "size": len(content),
                        "content": content,  # kept, so a test can read what the bot uploaded
                    }
                else:
                    raw[name] = value
            for name, value in list(raw.items()):
                if isinstance(value, str) and value.startswith("attach://"):
                    raw[name] = attachments.get(value.removeprefix("attach://"), {})
            for name, attachment in attachments.items():
                raw.setdefault(name, attachment)
    return {name: _coerce(name, value) for name, value in raw.items()}


_COMMAND_OR_MENTION = re.compile(r"(?<![\w/@])(/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?|@[A-Za-z0-9_]{5,32})")


def _auto_entities(text: str) -> list[JSON]:
    entities = []
    for match in _COMMAND_OR_MENTION.finditer(text):
        token = match.group(1)
        kind = "bot_command" if token.startswith("/") else "mention"
        entities.append({"type": kind, "offset": utf16_len(text[: match.start(1)]), "length": utf16_len(token)})
    return entities


def _inline_buttons(markup: JSON | None) -> Iterable[JSON]:
    if not markup:
        return ()
    return (button for row in markup.get("inline_keyboard", ()) for button in row)


_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def _inline_only(markup: JSON | None) -> JSON | None:
    """Only inline keyboards belong to a message; reply keyboards belong to the chat's input field."""
    return markup if markup is not None and "inline_keyboard" in markup else None


def _validate_markup(markup: Any) -> JSON | None:
    """Check a reply_markup as Telegram does; return it normalised (None for absent)."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _validate_inline_keyboard(markup["inline_keyboard"])
        return markup
    if "keyboard" in markup:
        _validate_reply_keyboard(markup["keyboard"])
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise _bad_request("can't parse reply keyboard markup JSON object")


def _validate_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        raise _bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            _validate_inline_button(button)


def _validate_reply_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays')
    for row in rows:
        for button in row:
            text = button if isinstance(button, str) else button.get("text") if isinstance(button, dict) else None
            if not text:
                raise _bad_request("keyboard button text must be non-empty")


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not isinstance(button.get("text"), str) or not button["text"]:
        raise _bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    actions = [action for action in _INLINE_ACTIONS if action in button]
    if not actions:
        raise _bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise _bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"(https?|tg)://\S+$", url):
            raise _bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
