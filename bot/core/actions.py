"""Button actions as typed values: the one module that knows how an action is written into a button and read back.

A button carries a short ASCII token (``e:impact.credit``, ``w:o:product:huabei``) that every layer builds with
`pack()` and reads with `unpack()`, never by splitting strings itself. On the wire (Telegram's callback data, at most
64 bytes) the token goes behind the first characters of the knowledge version it was made under
(``ab12|w:next:days``), so a button pressed on an old message after the knowledge changed is recognised as stale;
`unpack_callback` checks both and raises `ActionError` for data that is not one of ours (forged, garbled, or from a
grammar no longer spoken — the transport answers that as an expired menu, kindly). The grammar is unchanged from the
one buttons already sent carry, so they keep working:

    e:<entry id>                  ShowEntry     a topic (clarify choices, related topics)
    n:                            NoneOfThese   "none of these" under a clarify menu
    g:start                       StartGuide    start or resume the walkthrough
    w:<verb>[:<step>[:<value>]]   Walk          the walkthrough (verbs in `WalkVerb`; see bot/core/dialogue.py)
    p:<verb>[:<field>]            PlanPress     the /plan calculator (bot/core/planchat.py)
    f:ask | f:yes | f:no          Forget        /forget and its confirmation
    l:<language>                  PickLanguage  the /language menu
    v:+:<entry> | v:-:<entry> | v:skip   Vote   feedback under an answer (bot/tools.py)
    d:<verb>[:<value>]            Diary         the diary (bot/tools.py)
    r:<verb>[:<value>]            Reminder      reminders (bot/tools.py)
    i:<verb>[:<key>]              Inbox         the admins' unmatched-questions inbox (bot/admin.py)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Final

from bot.errors import ActionError

#: Telegram's limit on a button's callback data, in bytes.
MAX_CALLBACK_BYTES: Final = 64
#: How many characters of the knowledge version a button carries (enough to tell two versions apart).
VERSION_CHARS: Final = 4
#: The longest token `pack()` lets through: what is left of the callback data after the version and its "|".
MAX_TOKEN_BYTES: Final = MAX_CALLBACK_BYTES - VERSION_CHARS - 1


def _checked(token: str) -> str:
    """A token that fits in a button, or ActionError naming the one that does not."""
    if not token.isascii() or not token.isprintable() or "|" in token:
        raise ActionError(f"action {token!r}: only printable ASCII without '|' fits in a button")
    if len(token) > MAX_TOKEN_BYTES:
        raise ActionError(f"action {token!r} is {len(token)} bytes; a button holds at most {MAX_TOKEN_BYTES}")
    return token


def _join(*parts: str) -> str:
    while len(parts) > 2 and not parts[-1]:  # "w:next" rather than "w:next:" when no step is named
        parts = parts[:-1]
    return _checked(":".join(parts))


@dataclass(frozen=True)
class ShowEntry:
    """Show a knowledge entry."""

    PREFIX: ClassVar = "e"
    entry_id: str

    def pack(self) -> str:
        return _join(self.PREFIX, self.entry_id)


@dataclass(frozen=True)
class NoneOfThese:
    """"None of these" under a clarify menu: the honest fallback."""

    PREFIX: ClassVar = "n"

    def pack(self) -> str:
        return "n:"


@dataclass(frozen=True)
class StartGuide:
    """Start the walkthrough, or offer to resume it."""

    PREFIX: ClassVar = "g"

    def pack(self) -> str:
        return "g:start"


class WalkVerb(StrEnum):
    START = "start"
    RESUME = "resume"
    RESTART = "restart"
    GOTO = "goto"
    NEXT = "next"
    BACK = "back"
    SKIP = "skip"
    PAUSE = "pause"
    OPTION = "o"
    TICK = "t"
    NUMBER = "n"
    CALC = "calc"
    USE = "use"
    CANCEL = "cancel"  # /cancel confirmed: leave the walkthrough, its answers cleared


#: Verbs valid from anywhere, even outside the walkthrough: their answer is a new message, never an edit.
_ENTRY_VERBS: Final = frozenset({WalkVerb.START, WalkVerb.RESUME, WalkVerb.RESTART, WalkVerb.GOTO, WalkVerb.CANCEL})
_OFF_SCREEN_VERBS: Final = frozenset({WalkVerb.CALC, WalkVerb.USE})  # pressed under another message
#: How many of (step, value) each verb takes: (least, most).
_WALK_ARITY: Final = {
    **dict.fromkeys((WalkVerb.START, WalkVerb.RESUME, WalkVerb.RESTART, WalkVerb.CANCEL), (0, 0)),
    WalkVerb.GOTO: (1, 1),
    **dict.fromkeys((WalkVerb.NEXT, WalkVerb.BACK, WalkVerb.SKIP, WalkVerb.PAUSE), (0, 1)),
    **dict.fromkeys((WalkVerb.OPTION, WalkVerb.TICK, WalkVerb.NUMBER, WalkVerb.USE), (2, 2)),
    WalkVerb.CALC: (1, 1),
}


@dataclass(frozen=True)
class Walk:
    """A walkthrough button: `step` is the screen it was shown on ("" for a bare "next" or a verb that names none),
    `value` the option, item or number it carries."""

    PREFIX: ClassVar = "w"
    verb: WalkVerb
    step: str = ""
    value: str = ""

    def pack(self) -> str:
        return _join(self.PREFIX, self.verb.value, self.step, self.value)

    @property
    def edits_in_place(self) -> bool:
        """Whether the answer replaces the message the button was on (a move on the current screen), rather than
        coming as a new message (a start, a jump, or a button pressed under another message)."""
        return self.verb not in _ENTRY_VERBS and self.verb not in _OFF_SCREEN_VERBS

    @property
    def number(self) -> int | None:
        """The number a NUMBER or USE button carries."""
        return int(self.value) if self.value.isascii() and self.value.isdigit() else None


class PlanVerb(StrEnum):
    SKIP = "skip"
    KEEP = "keep"
    STOP = "stop"
    AGAIN = "again"
    RESUME = "resume"


@dataclass(frozen=True)
class PlanPress:
    """A /plan button; `field` names the question it was shown under (skip, keep)."""

    PREFIX: ClassVar = "p"
    verb: PlanVerb
    field: str = ""

    def pack(self) -> str:
        return _join(self.PREFIX, self.verb.value, self.field)


class ForgetVerb(StrEnum):
    ASK = "ask"
    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class Forget:
    PREFIX: ClassVar = "f"
    verb: ForgetVerb

    def pack(self) -> str:
        return _join(self.PREFIX, self.verb.value)


@dataclass(frozen=True)
class PickLanguage:
    PREFIX: ClassVar = "l"
    code: str  # a `Lang` value; the engine checks it

    def pack(self) -> str:
        return _join(self.PREFIX, self.code)


@dataclass(frozen=True)
class Vote:
    """Feedback under an answer: `verb` is "+", "-" (with the entry) or "skip" (leave the note out)."""

    PREFIX: ClassVar = "v"
    verb: str
    entry_id: str = ""

    def pack(self) -> str:
        return _join(self.PREFIX, self.verb, self.entry_id)


@dataclass(frozen=True)
class Diary:
    PREFIX: ClassVar = "d"
    verb: str
    value: str = ""

    def pack(self) -> str:
        return _join(self.PREFIX, self.verb, self.value)


@dataclass(frozen=True)
class Reminder:
    PREFIX: ClassVar = "r"
    verb: str
    value: str = ""

    def pack(self) -> str:
        return _join(self.PREFIX, self.verb, self.value)


@dataclass(frozen=True)
class Inbox:
    """An admin's button under the unmatched-questions report."""

    PREFIX: ClassVar = "i"
    verb: str
    key: str = ""

    def pack(self) -> str:
        return _join(self.PREFIX, self.verb, self.key)


Action = (
    ShowEntry | NoneOfThese | StartGuide | Walk | PlanPress | Forget | PickLanguage | Vote | Diary | Reminder | Inbox
)
#: Actions about the user's own progress or data: in a group they are answered with a pointer to the private chat.
PERSONAL: Final = (Walk, StartGuide, Forget, PickLanguage)
#: Actions the tools (bot/tools.py) handle.
TOOL_ACTIONS: Final = (Diary, Reminder, Vote)


def _verb_and_value(parts: list[str]) -> tuple[str, str] | None:
    return (parts[0], ":".join(parts[1:])) if parts and parts[0] else None


def _entry(parts: list[str]) -> ShowEntry | None:
    return ShowEntry(parts[0]) if len(parts) == 1 and parts[0] else None


def _walk(parts: list[str]) -> Walk | None:
    if not parts:
        return None
    verb, args = WalkVerb(parts[0]), parts[1:]
    least, most = _WALK_ARITY[verb]
    if not least <= len(args) <= most or not all(args):
        return None
    step, value = (*args, "", "")[:2]
    return Walk(verb, step, value)


def _plan(parts: list[str]) -> PlanPress | None:
    return PlanPress(PlanVerb(parts[0]), *parts[1:]) if 1 <= len(parts) <= 2 else None


def _tool(kind: type[Diary | Reminder | Inbox]) -> Callable[[list[str]], Action | None]:
    def parse(parts: list[str]) -> Action | None:
        pair = _verb_and_value(parts)
        return kind(*pair) if pair is not None else None

    return parse


_PARSERS: Final[dict[str, Callable[[list[str]], Action | None]]] = {
    "e": _entry,
    "n": lambda parts: NoneOfThese() if not parts else None,
    "g": lambda parts: StartGuide() if parts == ["start"] else None,
    "w": _walk,
    "p": _plan,
    "f": lambda parts: Forget(ForgetVerb(parts[0])) if len(parts) == 1 else None,
    "l": lambda parts: PickLanguage(parts[0]) if len(parts) == 1 and parts[0] else None,
    "v": lambda parts: Vote(*parts) if 1 <= len(parts) <= 2 and parts[0] else None,
    "d": _tool(Diary),
    "r": _tool(Reminder),
    "i": _tool(Inbox),
}


def unpack(token: str) -> Action:
    """The action a token names; ActionError when it is not one `pack()` makes."""
    _checked(token)
    prefix, colon, rest = token.partition(":")
    parse = _PARSERS.get(prefix)
    if not colon or parse is None:
        raise ActionError(f"action {token!r}: no known kind before ':'")
    try:
        action = parse(rest.split(":") if rest else [])
    except ValueError as error:  # a verb no enum knows
        raise ActionError(f"action {token!r}: unknown verb") from error
    if action is None:
        raise ActionError(f"action {token!r} is not one the bot makes")
    return action


def pack_callback(action: Action | str, version: str) -> str:
    """Callback data for a button: the knowledge version's first characters, "|", the action's token."""
    token = action if isinstance(action, str) else action.pack()
    return f"{version[:VERSION_CHARS]}|{_checked(token)}"


def unpack_callback(data: str, version: str) -> tuple[Action, bool]:
    """(the action, whether it was made under another knowledge version) from a button's callback data; ActionError
    when the data is not a button of ours."""
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ActionError(f"callback data over {MAX_CALLBACK_BYTES} bytes")
    made_under, bar, token = data.partition("|")
    if not bar:
        raise ActionError("callback data without a knowledge version")
    return unpack(token), made_under != version[:VERSION_CHARS]
