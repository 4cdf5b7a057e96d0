"""Transport-neutral replies: what the core wants shown, which the Telegram or terminal transport renders."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Choice:
    """One button (Telegram) or numbered option (terminal).

    `action` is a compact, transport-neutral token the core understands when it comes back
    (for example ``"e:impact.credit"`` or ``"w:next"``); transports keep it under 64 bytes.
    """

    label: str
    action: str


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
    sent after the text (a photo in Telegram, a PNG file in the terminal).
    """

    text: str
    choices: tuple[Choice, ...] = field(default=())
    title: str = ""
    chart: Chart | None = None
