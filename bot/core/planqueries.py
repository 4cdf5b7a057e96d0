"""What the engine asks of the /plan calculation between steps: whether it waits for an amount or waits elsewhere,
whether typed text reads as its answer, whether a step just showed the result."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from bot.core.amounts import SENTENCE_CHARS, Unreadable, amounts_in, foreign_currency, parse_amount, spread_in
from bot.core.planstate import PlanState

#: A typed text longer than this, or with a question word, is a side question, not an amount.
_ANSWER_CHARS: Final = 40
_QUESTION: Final = re.compile(
    r"[?？]|吗|嗎|怎么|怎麼|如何|什么|什麼|为什么|為什麼|能不能|可不可以|\b(how|what|why|can|should|will)\b"
)


_CJK: Final = re.compile(r"[\u3400-\u9fff]")


def asking(state: PlanState | None) -> bool:
    """Whether the calculation waits for an amount (typed numbers are answers, not button numbers)."""
    return state is not None and state.asking is not None and not state.paused


def paused(state: PlanState | None) -> PlanState | None:
    """The state once the walkthrough, a tool or the crisis reply takes over: an open question waits (`left_open`),
    typed text goes elsewhere."""
    return replace(state, paused=True) if asking(state) and state is not None else state


def left_open(state: PlanState | None) -> bool:
    """Whether a question waits while the user is elsewhere (the walkthrough, a tool, after the crisis reply): typed
    numbers are not its answers until /plan or its button brings it back."""
    return state is not None and state.asking is not None and state.paused


def reads_as_amount(text: str) -> bool:
    """Whether typed text is an amount and nothing else ("5万", "12,000"), as an answer to a /plan question reads."""
    amount = parse_amount(text)
    return not isinstance(amount, Unreadable) and amount > 0 and not _QUESTION.search(text.casefold())


def gives_amount(text: str) -> bool:
    """Whether typed text gives an amount, a range of one, or one in another currency, even beside "don't know"
    ("不知道 可能一两千吧"): it is then read as the answer, not as a skip."""
    amount = parse_amount(text)
    return (
        isinstance(amount, int)
        or amount is Unreadable.FOREIGN
        or foreign_currency(text)
        or spread_in(text) is not None
        or bool(amounts_in(text))
    )


def reads_as_answer(state: PlanState | None, text: str) -> bool:
    """Whether typed text answers the open question; a longer text or a question is a side question instead. An
    English sentence that gives an amount may be longer ("no income, my parents send me 1500 rmb a month"): it takes
    about twice the letters a Chinese one does to say as much."""
    size = len(text.strip())
    latin = _CJK.search(text) is None
    short = size <= _ANSWER_CHARS or (latin and size <= SENTENCE_CHARS and bool(amounts_in(text)))
    return asking(state) and short and not _QUESTION.search(text.casefold())


def just_finished(before: PlanState | None, after: PlanState | None) -> bool:
    """Whether a step showed the result: a question was open before, none is after."""
    return before is not None and before.asking is not None and after is not None and after.asking is None
