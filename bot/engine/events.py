"""What a transport hands the engine for one user action, and what it gets back: no transport types inside."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.i18n import Lang
from bot.core.replies import Reply


class Kind(StrEnum):
    COMMAND = "command"
    TEXT = "text"
    PRESS = "press"
    UNSUPPORTED = "unsupported"  # stickers, photos, voice, files …


@dataclass(frozen=True)
class Incoming:
    """One thing a user did, as the transport saw it; no transport types inside."""

    user_id: int
    kind: Kind
    text: str = ""  # the message text, or the command's argument
    command: str = ""  # "start", "guide", … without the slash
    action: str = ""  # a button's action token
    update_id: int | None = None  # the transport's id of this event, to recognise a redelivery after a crash
    client_lang: str | None = None  # the user's interface language as the transport reports it
    lang: Lang | None = None  # a language the transport fixes (`advisor chat --lang`): wins over any other
    stale: bool = False  # the transport saw a button from an older knowledge version
    public: bool = False  # said where others read along (a group): the walkthrough is neither shown nor changed


@dataclass(frozen=True)
class Response:
    """Everything a transport needs from one event: the replies, the language they are written in (for the
    transport's own lines), and whether a typed number is now an answer (the terminal then numbers its buttons "#N")."""

    replies: list[Reply]
    lang: Lang
    expects_number: bool = False
