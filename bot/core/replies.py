"""Transport-neutral replies: what the core wants shown, which the Telegram or terminal transport renders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


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
    """A file that goes with a reply (the diary export): Telegram sends it as a document, the terminal saves it."""

    filename: str
    data: bytes = field(repr=False)
    mime: str = "application/octet-stream"


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

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form, kept to answer an update again after a crash (`from_json` reads it back).

        An attachment is not kept (a file is made again on request, never stored): the text is answered again."""
        shape: dict[str, Any] = {"text": self.text}
        if self.title:
            shape["title"] = self.title
        if self.choices:
            shape["choices"] = [[choice.label, choice.action] for choice in self.choices]
        if self.edit:
            shape["edit"] = True
        if self.chart is not None:
            shape["chart"] = {**asdict(self.chart), "instalments": list(self.chart.instalments)}
        return shape

    @classmethod
    def from_json(cls, shape: Mapping[str, Any]) -> Reply:
        """The reply `to_json` described; ValueError when the shape is not one it makes."""
        text, title, choices = shape.get("text"), shape.get("title", ""), shape.get("choices", [])
        if not isinstance(text, str) or not isinstance(title, str) or not isinstance(choices, list):
            raise ValueError("not a stored reply")
        pairs = [
            pair
            for pair in choices
            if isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ]
        if len(pairs) != len(choices):
            raise ValueError("not a stored reply")
        chart = shape.get("chart")
        try:
            drawn = None if chart is None else Chart(**{**chart, "instalments": tuple(chart["instalments"])})
        except (TypeError, KeyError) as error:
            raise ValueError("not a stored reply") from error
        edit = shape.get("edit", False) is True
        return cls(text, tuple(Choice(label, action) for label, action in pairs), title, chart=drawn, edit=edit)
