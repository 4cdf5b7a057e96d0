"""Turns core replies into Telegram messages: escaped HTML, 4096-character pieces, inline keyboards.

Callback data is written by bot/core/actions.py (`pack_callback`): the knowledge version it was made under and the
action, so a button pressed on an old message after the knowledge changed is recognised as stale rather than acted on.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.core.actions import MAX_CALLBACK_BYTES, pack_callback
from bot.core.replies import Reply

__all__ = ["MAX_CALLBACK_BYTES", "Keyboard", "Outgoing", "keyboard", "render"]

#: Pieces are cut well below Telegram's limit on a message's text (4096 UTF-16 code units) so the title never pushes
#: one over (escaping does not count: the limit applies to the text after HTML parsing).
_PIECE = 3800


#: An InlineKeyboardMarkup in the Bot API's own JSON shape.
Keyboard = dict[str, list[list[dict[str, str]]]]


@dataclass(frozen=True)
class Outgoing:
    """One Telegram message to send: HTML text and an optional keyboard."""

    html: str
    keyboard: Keyboard | None = None

    def api_kwargs(self, chat_id: int) -> dict[str, object]:
        """Parameters of a Bot API sendMessage for this piece."""
        kwargs: dict[str, object] = {"chat_id": chat_id, "text": self.html, "parse_mode": "HTML"}
        if self.keyboard is not None:
            kwargs["reply_markup"] = self.keyboard
        return kwargs


def _units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji or a rare CJK character counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _fitting(text: str, limit: int) -> int:
    """How many characters of `text` Telegram counts as at most `limit`."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _split(text: str, limit: int = _PIECE) -> list[str]:
    """Cut long text at paragraph, then line, then sentence boundaries; never mid-character."""
    pieces: list[str] = []
    rest = text.strip()
    while _units(rest) > limit:
        end = _fitting(rest, limit)
        window = rest[:end]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < end // 2:
            cut = max(window.rfind(mark) for mark in ("。", "！", "？", ". ", "! ", "? ", "；"))
            cut = cut + 1 if cut >= end // 2 else end
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces or [""]


#: Buttons with labels this short ("◀ 上一步", "跳过", "暂停") share a row, up to three, to keep menus short on a phone.
_SHORT_LABEL = 8
_PER_ROW = 3


def keyboard(reply: Reply, version: str) -> Keyboard | None:
    """An inline keyboard as the Bot API's JSON (plain dicts: nothing to build or convert per message)."""
    if not reply.choices:
        return None
    rows: list[list[dict[str, str]]] = []
    previous_short = False
    for choice in reply.choices:
        button = {"text": choice.label[:64], "callback_data": pack_callback(choice.action, version)}
        short = len(choice.label) <= _SHORT_LABEL
        if short and previous_short and len(rows[-1]) < _PER_ROW:
            rows[-1].append(button)
        else:
            rows.append([button])
        previous_short = short
    return {"inline_keyboard": rows}


def render(reply: Reply, version: str) -> list[Outgoing]:
    """A reply as one or more messages; the keyboard goes under the last piece."""
    title = f"<b>{html.escape(reply.title, quote=False)}</b>\n\n" if reply.title else ""
    pieces = _split(reply.text)
    messages = [Outgoing(html.escape(piece, quote=False)) for piece in pieces]
    messages[0] = Outgoing(title + messages[0].html)
    messages[-1] = Outgoing(messages[-1].html, keyboard(reply, version))
    return messages
