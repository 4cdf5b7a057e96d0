"""The safety screen: is a message from someone in crisis, about a scam, or in despair? Checked before anything else.

`Screen(extra_crisis, extra_scams)(text) -> Screening`. The built-in phrases live beside this module
(`safety_phrases.yaml`, read on first use) and are always on; the knowledge folder's aliases.yaml can only add
phrases. A pure function of the text: no I/O after the first load, nothing logged, nothing kept.

How a message is read, so that a risk said in passing, or typed carelessly, is still seen:

* one normal form (NFKC, Traditional → Simplified, lower case, punctuation and spaces inside Chinese words gone);
* the whole message is searched, so one clause inside a long story about debt counts;
* Chinese phrases are also matched by sound (pinyin from pypinyin's table, as the respeller reads it), so
  a homophone typo (不相活, 自沙) or a phrase typed in pinyin ("zi sha") is caught — at least half of the
  characters must be the right ones, so unrelated words that merely sound alike (紫砂) are not;
* a long English word one typing slip away from a key word ("suicde", "myslef") is read as that word;
* `unless` patterns veto a hit inside a negation, an idiom, or words about someone else (不想死, 想死你了,
  你去死, "financial suicide"); idioms such as 累死了, 笑死, 死贵 or "kill time" are not in the lists at all.

Written by hand because no maintained library screens Chinese and English text for these risks; the pieces that are
libraries (OpenCC for the script, pypinyin's readings, rapidfuzz's edit distance) are used through this one module.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

from bot.core.i18n import to_simplified

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_KEPT = re.compile(rf"[^{_CJK}a-z0-9]+")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_SCRIPT_CHANGE = re.compile(rf"(?<=[{_CJK}])(?=[a-z0-9])|(?<=[a-z0-9])(?=[{_CJK}])")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_LATIN_WORD = re.compile(r"[a-z]+")

#: English key words a typing slip is put right to ("suicde" → "suicide"); only long, distinctive words, so that an
#: everyday word is never "corrected" into one of them.
_KEY_WORDS = ("suicide", "suicidal", "myself", "overdose", "hopeless", "unalive", "verification", "password")
#: How many characters either side of a hit an `unless` pattern may look at.
_VETO_REACH = 12


class Concern(StrEnum):
    CRISIS = "crisis"  # thoughts of ending one's life: the crisis reply, before anything else
    SCAM = "scam"  # paid agents, "credit repair", codes and passwords asked for: the scam card, then the answer
    DISTRESS = "distress"  # despair that is not a crisis: a kind sentence first, then the answer


@dataclass(frozen=True)
class Screening:
    """What the screen found: the concern (None for an ordinary message) and the phrase or pattern that decided it
    (for the benchmark's listing of misses and false alarms; never logged)."""

    concern: Concern | None = None
    rule: str = ""


def normal_form(text: str) -> str:
    """The form phrases are written in: see safety_phrases.yaml's header."""
    text = unicodedata.normalize("NFKC", text)
    text = _APOSTROPHES.sub("", text)
    text = to_simplified(text).casefold()
    text = _NOT_KEPT.sub(" ", text).strip()
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return _SCRIPT_CHANGE.sub(" ", text)


@functools.cache
def _builtin() -> dict[str, Any]:
    """The shipped phrases, read once on first use (not at import)."""
    import yaml

    source = resources.files("bot.core").joinpath("safety_phrases.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(source)
    return data


def _syllable(char: str) -> str:
    from bot.core.respell import syllable  # deferred: the respeller's pinyin table is loaded on first use

    return syllable(char)


def _either(patterns: Iterable[str]) -> re.Pattern[str] | None:
    unique = sorted(set(patterns), key=lambda p: (-len(p), p))
    return re.compile("|".join(f"(?:{p})" for p in unique)) if unique else None


class _Rules:
    """One concern's phrases, patterns and vetoes, compiled."""

    def __init__(
        self, phrases: Iterable[str], patterns: Iterable[str], unless: Iterable[str], by_sound: Iterable[str] = ()
    ) -> None:
        words = sorted({normal_form(p) for p in phrases} - {""}, key=lambda w: (-len(w), w))
        # Words are looked up with `in` (Latin ones padded with spaces: whole words) and patterns one by one: both
        # far faster in CPython than one alternation of hundreds of branches.
        self._words = [(w, f" {w} " if w[0].isascii() or w[-1].isascii() else w) for w in words]
        self._patterns = [re.compile(p) for p in dict.fromkeys(patterns)]
        self._unless = _either(unless)
        # Chinese phrases by sound, indexed by their first syllable: 不想活 under "bu" as (bu, xiang, huo).
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        sound_alike = {normal_form(w) for w in by_sound}
        typed: dict[str, str] = {}
        for word in words:
            if len(word) >= 2 and all(_CJK_CHAR.fullmatch(c) for c in word):
                sound = tuple(_syllable(c) for c in word)
                if len(word) >= 3 or word in sound_alike:
                    self._by_first.setdefault(sound[0], []).append((sound, word))
                if len("".join(sound)) >= 5:  # "zisha": shorter pinyin is too easily part of something else
                    typed.setdefault("".join(sound), word)
        self._typed = typed
        self._pinyin = _either(re.escape(t) for t in typed)

    def find(self, text: str, sounds: Sequence[str], latin: str, starts: set[int], ends: set[int]) -> str | None:
        """The first phrase or pattern that counts in `text` (normal form; `sounds` is each character's syllable,
        `latin` its Latin words run together), or None."""
        padded = f" {text} "
        for word, needle in self._words:
            at = padded.find(needle)
            while at >= 0:
                # `padded` is `text` one place to the right; a padded needle starts one place before its word
                start = at if needle is not word else at - 1
                if not self._vetoed(text, start, start + len(word)):
                    return word
                at = padded.find(needle, at + 1)
        for pattern in self._patterns:
            for hit in pattern.finditer(text):
                if not self._vetoed(text, hit.start(), hit.end()):
                    return hit.group(0)
        for first, sound in enumerate(sounds):
            for phrase, word in self._by_first.get(sound, ()):
                end = first + len(phrase)
                if tuple(sounds[first:end]) != phrase:
                    continue
                same = sum(a == b for a, b in zip(word, text[first:end], strict=True))
                if same >= math.ceil(len(word) / 2) and not self._vetoed(text, first, end):
                    return word
        if self._pinyin is not None and latin:
            for hit in self._pinyin.finditer(latin):
                if hit.start() in starts and hit.end() in ends:
                    return self._typed[hit.group(0)]
        return None

    def _vetoed(self, text: str, start: int, end: int) -> bool:
        if self._unless is None:
            return False
        left = max(0, start - _VETO_REACH)
        for veto in self._unless.finditer(text, left, min(len(text), end + _VETO_REACH)):
            if veto.start() <= start and end <= veto.end():
                return True
        return False


class Screen:
    """The safety screen for one knowledge base: the built-in phrases plus the admin's additions."""

    def __init__(self, extra_crisis: Sequence[str] = (), extra_scams: Sequence[str] = ()) -> None:
        data = _builtin()
        extra = {Concern.CRISIS: extra_crisis, Concern.SCAM: extra_scams}
        self._rules: list[tuple[Concern, _Rules]] = []
        for concern in Concern:  # declared in order of precedence
            section = data.get(concern.value) or {}
            self._rules.append(
                (
                    concern,
                    _Rules(
                        [*section.get("phrases", ()), *extra.get(concern, ())],
                        section.get("patterns", ()),
                        section.get("unless", ()),
                        section.get("by_sound", ()),
                    ),
                )
            )

    def __call__(self, text: str) -> Screening:
        form = _corrected(normal_form(text))
        if not form:
            return Screening()
        sounds = _sounds_of(form)
        latin, starts, ends = _latin_of(form)
        for concern, rules in self._rules:
            rule = rules.find(form, sounds, latin, starts, ends)
            if rule is not None:
                return Screening(concern, rule)
        return Screening()


def _sounds_of(form: str) -> list[str]:
    """Each character's syllable ("不想" → bu, xiang); other characters stand for themselves (no phrase sounds so)."""
    return [_syllable(char) if _CJK_CHAR.fullmatch(char) else char for char in form]


def _latin_of(form: str) -> tuple[str, set[int], set[int]]:
    """The Latin words of `form` run together ("zi sha" → "zisha") with where each word starts and ends in it, so
    that a phrase typed in pinyin is matched on word boundaries only."""
    joined: list[str] = []
    starts: set[int] = set()
    ends: set[int] = set()
    length = 0
    for word in _LATIN_WORD.findall(form):
        starts.add(length)
        joined.append(word)
        length += len(word)
        ends.add(length)
    return "".join(joined), starts, ends


def _corrected(form: str) -> str:
    """Long English words one slip away from a key word are read as it ("suicde" → "suicide")."""
    from rapidfuzz.distance import OSA

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < 6 or word in _KEY_WORDS:
            return word
        for key in _KEY_WORDS:
            if abs(len(key) - len(word)) <= 1 and OSA.distance(word, key, score_cutoff=1) <= 1:
                return key
        return word

    return _LATIN_WORD.sub(fix, form)
