"""The safety screen's phrases: the shipped list (`safety_phrases.yaml`, read on first use) and one concern's
phrases, patterns, co-occurrences and vetoes compiled and searched as written, by sound and in pinyin."""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

from bot.core.safety.patterns import bounded, compiled, either
from bot.core.safety.reading import CJK_CHAR, SPACES, Unit, normal_form, readings_of

#: From how many characters on a phrase heard by sound may use any reading of a character, not only its usual one.
_ANY_READING = 4
#: From how many letters on a phrase typed in pinyin may end inside a word (a particle such as "le" after it).
_LONG_PINYIN = 8
#: How many characters either side of a hit an `unless` pattern may look at.
_VETO_REACH = 30


@functools.cache
def builtin_phrases() -> dict[str, Any]:
    """The shipped phrases, read once on first use (not at import)."""
    import yaml

    source = resources.files("bot.core").joinpath("safety_phrases.yaml").read_text(encoding="utf-8")
    # LibYAML's parser when PyYAML has it: the same data, several times faster than the pure-Python one.
    data: dict[str, Any] = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return data


class Rules:
    """One concern's phrases, patterns, co-occurrences and vetoes, compiled."""

    def __init__(self, section: Mapping[str, Any], extra: Iterable[str] = ()) -> None:
        phrases = {normal_form(p) for p in [*section.get("phrases", ()), *extra]} - {""}
        words = sorted(phrases, key=lambda w: (-len(w), w))
        # Words are looked up with `in` (Latin ones padded with spaces: whole words) and patterns one by one: both
        # far faster in CPython than one alternation of hundreds of branches.
        # Each word is filed under its first character (after the padding), so a message is searched only for the
        # words that can be in it, still in this order.
        self._words: dict[str, list[tuple[int, str, str]]] = {}
        for rank, word in enumerate(words):
            needle = f" {word} " if word[0].isascii() or word[-1].isascii() else word
            self._words.setdefault(needle.strip()[0], []).append((rank, word, needle))
        self._patterns = [compiled(p) for p in dict.fromkeys(section.get("patterns", ()))]
        self._together = [tuple(compiled(p) for p in group) for group in section.get("together", ())]
        # a denial of self-harm ("我没想伤害自己") and everyday things that read like the means ("感冒药买好了") veto
        # as `unless` does
        vetoes = (*section.get("unless", ()), *section.get("denial", ()), *section.get("everyday", ()))
        self._unless = either(bounded(p) for p in vetoes)
        # Chinese phrases by sound.
        self._by_start: dict[tuple[str, str], list[tuple[tuple[tuple[str, ...], ...], str]]] = {}
        sound_alike = {normal_form(w) for w in section.get("by_sound", ())}
        typed: dict[str, str] = {}
        for word in words:
            if len(word) >= 2 and all(CJK_CHAR.fullmatch(c) for c in word):
                sound = tuple(readings_of(c) for c in word)
                if len(word) >= 3 or word in sound_alike:
                    for first in sound[0]:  # indexed by how its first two characters may sound
                        for second in sound[1]:
                            self._by_start.setdefault((first, second), []).append((sound, word))
                joined = "".join(r[0] for r in sound)
                if len(joined) >= 5:  # "zisha": shorter pinyin is too easily part of something else
                    typed.setdefault(joined, word)
        self._typed = typed
        self._pinyin = either(re.escape(t) for t in typed)

    def find(self, text: str, units: Sequence[Unit], latin: str, starts: set[int], ends: set[int]) -> str | None:
        """The first phrase or pattern that counts in `text` (normal form; `units` how it sounds, `latin` its Latin
        words run together), or None."""
        chars = set(text)
        for finder in (self._by_word, self._by_pattern, self._by_patterns_together):
            found = finder(text, chars)
            if found is not None:
                return found
        return self._by_sound(text, units) or self._in_pinyin(latin, starts, ends)

    def _by_word(self, text: str, chars: set[str]) -> str | None:
        """The first phrase in `text` (by rank) that no veto covers."""
        padded = f" {text} "
        candidates = sorted(found for char in chars for found in self._words.get(char, ()))
        for _rank, word, needle in candidates:
            at = padded.find(needle)
            while at >= 0:
                # `padded` is `text` one place to the right; a padded needle starts one place before its word
                start = at if needle is not word else at - 1
                if not self._vetoed(text, start, start + len(word)):
                    return word
                at = padded.find(needle, at + 1)
        return None

    def _by_pattern(self, text: str, chars: set[str]) -> str | None:
        """The first pattern match in `text` that no veto covers."""
        for pattern in self._patterns:
            if pattern.needed is not None and pattern.needed.isdisjoint(chars):
                continue
            for hit in pattern.regex.finditer(text):
                if not self._vetoed(text, hit.start(), hit.end()):
                    return hit.group(0)
        return None

    def _by_patterns_together(self, text: str, chars: set[str]) -> str | None:
        """The first group of patterns that all match `text`, none of them vetoed."""
        for group in self._together:
            hits: list[re.Match[str]] = []
            for pattern in group:
                found = None if pattern.needed is not None and pattern.needed.isdisjoint(chars) else (
                    pattern.regex.search(text))  # fmt: skip
                if found is None or self._vetoed(text, found.start(), found.end()):
                    break
                hits.append(found)
            else:
                return " + ".join(hit.group(0) for hit in hits)
        return None

    def _by_sound(self, text: str, units: Sequence[Unit]) -> str | None:
        for first, (unit, after) in enumerate(itertools.pairwise(units)):
            heads = [(a, b) for a in unit.readings for b in after.readings]
            for sound, word in (found for head in heads for found in self._by_start.get(head, ())):
                typed = units[first : first + len(sound)]
                if len(typed) < len(sound):
                    continue
                # a short phrase must sound so in the characters' usual readings (以 can be read si, but 想以后 is
                # not 想死; 合 can be ge, but 符合自己 is not 割自己); a longer one may use any reading (活着没意似)
                short = len(sound) < _ANY_READING
                # (a Latin word typed among the characters is heard with its fuzzy twin: it has no "usual" reading)
                heard = [t.readings[:1] if short and not text[t.start].isascii() else t.readings for t in typed]
                meant = [r[:1] if short else r for r in sound]
                if not all(set(h) & set(m) for h, m in zip(heard, meant, strict=True)):
                    continue
                same = sum(text[t.start : t.end] == c for t, c in zip(typed, word, strict=True))
                start, end = typed[0].start, typed[-1].end
                if same >= math.ceil(len(word) / 2) and not self._vetoed(text, start, end):
                    return word
        return None

    def _in_pinyin(self, latin: str, starts: set[int], ends: set[int]) -> str | None:
        if self._pinyin is not None and latin:
            for hit in self._pinyin.finditer(latin):
                # on word boundaries; a long one may end inside a word ("buxiangzaihuole": 不想再活 + le)
                if hit.start() in starts and (hit.end() in ends or hit.end() - hit.start() >= _LONG_PINYIN):
                    return self._typed[hit.group(0)]
        return None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where in `text` (normal form) each phrase and pattern is found as written, vetoed ones left out."""
        padded, chars = f" {text} ", set(text)
        found: list[tuple[int, int]] = []
        for _rank, word, needle in (item for char in chars for item in self._words.get(char, ())):
            at = padded.find(needle)
            while at >= 0:
                start = at if needle is not word else at - 1  # as in `_by_word`
                found.append((start, start + len(word)))
                at = padded.find(needle, at + 1)
        for pattern in self._patterns:
            if pattern.needed is None or not pattern.needed.isdisjoint(chars):
                found.extend(hit.span() for hit in pattern.regex.finditer(text))
        return [(start, end) for start, end in found if not self._vetoed(text, start, end)]

    def without_vetoes(self, text: str) -> str:
        """`text` with every span an `unless` pattern matches blanked out: what the learned model may read, so that
        a veto (不想死, 想死你了, "financial suicide") holds for it as it does for the phrases."""
        if self._unless is None:
            return text
        return SPACES.sub(" ", self._unless.sub(" ", text)).strip()

    def _vetoed(self, text: str, start: int, end: int) -> bool:
        if self._unless is None:
            return False
        left = max(0, start - _VETO_REACH)
        for veto in self._unless.finditer(text, left, min(len(text), end + _VETO_REACH)):
            if veto.start() <= start and end <= veto.end():
                return True
        return False
