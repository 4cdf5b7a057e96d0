"""Text normalisation shared by the knowledge base and user questions, so both are compared in one form.

NFKC (full-width → half-width), Traditional → Simplified, case-folding, punctuation and emoji removed, written
Cantonese words put in Mandarin (逾咗期 → 逾期, 点算 → 怎么办: the admin's `dialect:` table), then admin-defined
aliases (typos and variants → one canonical word) applied, filler words dropped. The dialect pass comes first so that
a Cantonese form of a variant ("还唔起") becomes that variant ("还不起") and then its canonical word ("还不上").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence

from bot.core.i18n import to_simplified

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_NOT_KEPT = re.compile(rf"[^{_CJK}a-z0-9]+")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
CJK_RUN = re.compile(rf"[{_CJK}]+")  # a run of Chinese characters
_WORD = re.compile(r"[a-z0-9]+")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """`text` with lone UTF-16 surrogates (no encoder accepts them; a forged update can carry one) made U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text)


@functools.lru_cache(maxsize=4096)  # a message is checked several times (greetings, matching)
def basic_form(text: str) -> str:
    """Normalise everything but aliases and fillers: the form aliases themselves are written in."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text).casefold()
    text = _NOT_KEPT.sub(" ", text).strip()
    return _SPACE_BETWEEN_CJK.sub("", text)


def _table(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """(variant, word) pairs as written → variant → word, both in the basic form text is compared in."""
    table: dict[str, str] = {}
    for variant, word in pairs:
        key = basic_form(variant)
        if key:
            table[key] = basic_form(word)
    return table


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    unique = sorted({w for w in words if w}, key=lambda w: (-len(w), w))
    if not unique:
        return None
    parts = []
    for word in unique:
        escaped = re.escape(word)
        # Latin variants must match whole words ("hua bei", not the inside of another word).
        if word[0].isascii():
            escaped = rf"(?<![a-z0-9]){escaped}"
        if word[-1].isascii():
            escaped = rf"{escaped}(?![a-z0-9])"
        parts.append(escaped)
    return re.compile("|".join(parts))


class Dialect:
    """The admin's `dialect:` table (dialect word, Mandarin word) compiled: `Dialect(pairs)(form)` is `form` (already in
    the basic form, or the safety screen's normal form: both simplified and case-folded) with each written Cantonese
    word put in Mandarin, longest first ("我冇事 只係" → "我没事 只是"). One reading shared by the matcher, the safety
    screen and the minimising-words check."""

    def __init__(self, pairs: Sequence[tuple[str, str]] = ()) -> None:
        self._mandarin = _table(pairs)
        self._words = _alternation(self._mandarin)

    def __call__(self, form: str) -> str:
        if self._words is None:
            return form
        return self._words.sub(lambda m: self._mandarin[m.group(0)], form)


class Normalizer:
    """Turns raw text into the matching form; built once per knowledge base (aliases are compiled)."""

    def __init__(
        self,
        aliases: Sequence[tuple[str, str]] = (),
        fillers: Sequence[str] = (),
        greetings: Sequence[str] = (),
        thanks: Sequence[str] = (),
        dialect: Sequence[tuple[str, str]] = (),
    ) -> None:
        self._canonical = _table(aliases)
        self._aliases = _alternation(self._canonical)
        self.dialect = Dialect(dialect)
        # Greetings and thanks say nothing about the topic either: both are dropped before matching.
        self._fillers = _alternation(basic_form(f) for f in [*fillers, *greetings, *thanks])
        self._greetings = _alternation(basic_form(g) for g in [*greetings, *thanks])
        self._hello = _alternation(basic_form(g) for g in greetings)
        self._thanks = _alternation(basic_form(t) for t in thanks)

    def only_greetings(self, text: str) -> bool:
        """A message of greetings and thanks ("你好", "谢谢", "在吗"), with perhaps fillers, and nothing else."""
        text = basic_form(text)  # no alias turns anything into a greeting or a filler: none needed here
        if self._greetings is None or self._fillers is None or not self._greetings.search(text):
            return False
        return not self._fillers.sub("", text).strip()

    def only_thanks(self, text: str) -> bool:
        """A message of thanks or acknowledgement ("谢谢", "thx", "好的", "收到"), with perhaps fillers, and no
        hello in it: it gets a short "you're welcome" rather than "I'm here, ask me"."""
        if self._thanks is None or not self.only_greetings(text):
            return False
        form = basic_form(text)
        return self._thanks.search(form) is not None and (self._hello is None or not self._hello.search(form))

    def mandarin(self, text: str) -> str:
        """The basic form with dialect words in Mandarin, before aliases and fillers: the words as the user meant them
        ("还不了" is still "还不了", which the aliases would make "还不上")."""
        return self.dialect(basic_form(text))

    def __call__(self, text: str) -> str:
        text = self.mandarin(text)
        if self._aliases is not None:
            text = self._aliases.sub(lambda m: self._canonical[m.group(0)], text)
        if self._fillers is not None:
            stripped = self._fillers.sub(" ", text)
            stripped = _SPACE_BETWEEN_CJK.sub("", " ".join(stripped.split()))
            if stripped:  # a message of nothing but fillers keeps its words
                text = stripped
        return text


def features(normalized: str) -> list[str]:
    """Matching features of normalised text: CJK characters and character bigrams, Latin words and stems."""
    result: list[str] = []
    for run in CJK_RUN.findall(normalized):
        result.extend(run)
        result.extend(run[i : i + 2] for i in range(len(run) - 1))
    for word in _WORD.findall(normalized):
        result.append(f"w:{word}")
        if len(word) > 5 and not word.isdigit():
            result.append(f"s:{word[:5]}")  # a crude stem: overdue/overdued, negotiate/negotiation
    return result
