"""Transport-neutral replies: what the core wants shown, which the Telegram or terminal transport renders."""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec


@dataclass(frozen=True)
class Choice:
    """One button (Telegram) or numbered option (terminal).

    `action` is the token of a typed action (bot/core/actions.py: `ShowEntry("impact.credit").pack()`), which
    `actions.unpack` reads back when the button is pressed; `pack()` keeps it inside Telegram's 64 bytes.
    """

    label: str
    action: str


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a reply (the diary export): Telegram sends it as a document, the terminal saves it.

    `note` is said with the file where it is sent as it is (the caption under Telegram's document: "sent only to you,
    no copy kept"); the terminal writes the file to disk instead, and says where, not this.
    """

    filename: str
    data: bytes = field(repr=False)
    mime: str = "application/octet-stream"
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A repayment schedule to draw (bot/chart.py): one bar per instalment, the balance left as a line.

    The labels are already in the user's language; `caption` goes under the picture (Telegram) or beside the path
    of the saved file (terminal).
    """

    instalments: tuple[int, ...]
    title: str
    month_axis: str
    paid_axis: str
    left_axis: str
    paid: str
    left: str
    caption: str


@dataclass(frozen=True)
class Reply:
    """One message to the user: plain text (transports escape it) and optional choices, one per row.

    `title`, when set, is shown above the text as a heading (bold in Telegram). `chart`, when set, is drawn and
    sent after the text (a photo in Telegram, a PNG file in the terminal); `attachment`, a file sent after it.
    `edit`: the reply replaces the message whose button was pressed (a move on the walkthrough's own screen) rather
    than coming as a new message; a transport that cannot edit sends it.
    """

    text: str
    choices: tuple[Choice, ...] = field(default=())
    title: str = ""
    attachment: Attachment | None = None
    chart: Chart | None = None
    edit: bool = False

    def to_saved(self) -> SavedReply:
        """The reply as kept to answer its update again after a crash (`from_saved` reads it back).

        An attachment is not kept (a file is made again on request, never stored): the text is answered again."""
        pairs = tuple((choice.label, choice.action) for choice in self.choices)
        return SavedReply(self.text, self.title, pairs, self.edit, self.chart)

    @classmethod
    def from_saved(cls, saved: SavedReply) -> Reply:
        """The reply a saved shape holds (checked when it was read: `bot.schema.saved_json`)."""
        choices = tuple(Choice(label, action) for label, action in saved.choices)
        return cls(saved.text, choices, saved.title, chart=saved.chart, edit=saved.edit)


class SavedReply(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """The saved shape of a reply (`Reply.to_saved`), every one the database may hold: a key at its default is left
    out, as it was before `edit` and `chart` were kept."""

    text: str
    title: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (label, action) of each button
    edit: bool = False
    chart: Chart | None = None
