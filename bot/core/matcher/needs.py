"""A borrower who says they cannot pay asks about the guide's core: never an out-of-scope card for it.

The learned judge knows real traffic, and a message such as "I want to go back to work, but I can't pay" can read to it
like the everyday questions it learned to decline (a few words of it are common there). The knowledge says what such a
message is: its `needs:` phrases (aliases.yaml: 还不起, 没钱还, can't afford …), looked for in the question's words as
meant, before the aliases (which also make a repayment that fails, "手动还不了", into 还不上). A route or chit-chat
entry none of whose own examples or titles says one was never written for such a question, so it is not shown as its
answer; the in-scope topics the question ranks next are offered instead (a menu: none of them was sure enough to be
answered on its own). A need said negated ("不是还不起"), or a repayment asked why it fails ("怎么还不上"), is none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Final

from bot.core.knowledge import Entry, EntryKind
from bot.core.matcher.values import Candidate, MatchResult, Status

#: What, right before a need phrase, says the opposite ("不是还不起", "并没有没钱还", "not unable to pay").
_NEGATED: Final = re.compile(r"(?:没有|没|未|无|不是|不|非|\bnot|\bnever)(?:任何|过|曾|再|有)?\s*$")
#: What, anywhere before it, asks why a repayment does not go through ("为什么我还不上花呗了", "怎么还不上"): in real
#: customer-service traffic that is a payment that fails, an everyday question, not a borrower without the money.
#: "怎么办" asks what to do, which a borrower without the money does ask.
_ASKS_WHY: Final = re.compile(r"为什么|为啥|怎么(?!办|样)|咋(?!办)|\bwhy\b|\bhow come\b")


class Needs:
    """Which entries may not answer a question that says a need, and the rule that keeps them out."""

    def __init__(self, phrases: Iterable[str], entries: Sequence[Entry], form: Callable[[str], str]) -> None:
        """`form` puts text in the form the phrases are looked for in (the words as meant, before aliases)."""
        unique = sorted({p for p in (form(phrase) for phrase in phrases) if p}, key=lambda p: (-len(p), p))
        self._phrases = re.compile("|".join(_whole(p) for p in unique)) if unique else None
        self.unsaid = frozenset(
            entry.id
            for entry in entries
            if not entry.kind.answered
            and not any(self.said(form(text)) for text in (*entry.examples, *entry.title.values()))
        )

    def said(self, meant: str) -> bool:
        """Whether text (in the form of `__init__`) says a need: a need phrase not negated right before it."""
        if self._phrases is None:
            return False
        return any(
            _NEGATED.search(meant[: m.start()]) is None and _ASKS_WHY.search(meant[: m.start()]) is None
            for m in self._phrases.finditer(meant)
        )

    def shows_unsaid(self, result: MatchResult) -> bool:
        """Whether a match shows (answers, or routes to) an entry that may not answer a question saying a need."""
        shown = result.entry if result.status is Status.ANSWER else result.route
        return shown is not None and shown.id in self.unsaid

    def in_scope(self, result: MatchResult, ranking: Sequence[Candidate], max_candidates: int) -> MatchResult:
        """What a question that says a need gets instead of `result` (which `shows_unsaid`): a menu of the in-scope
        topics among its candidates and `ranking` (in that order), or, when there is none, the plain fallback."""
        offered: dict[str, Candidate] = {}
        for candidate in (*result.candidates, *ranking):
            if candidate.entry.kind is EntryKind.TOPIC and candidate.entry.id not in offered:
                offered[candidate.entry.id] = candidate
        menu = tuple(offered.values())[:max_candidates]
        if not menu:
            rest = tuple(c for c in result.candidates if c.entry.id not in self.unsaid)
            return MatchResult(Status.FALLBACK, None, rest, result.score, result.normalized)
        return MatchResult(Status.CLARIFY, None, menu, menu[0].score, result.normalized)


def _whole(phrase: str) -> str:
    """A phrase as a pattern; a Latin phrase only as whole words ("can't pay", not inside another word)."""
    escaped = re.escape(phrase)
    if phrase[0].isascii():
        escaped = rf"(?<![a-z0-9]){escaped}"
    if phrase[-1].isascii():
        escaped = rf"{escaped}(?![a-z0-9])"
    return escaped
