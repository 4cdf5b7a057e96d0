"""Puts right typos that sound like a word of the knowledge base: Chinese is typed by pinyin, so 写商 is 协商.

`Respeller` is built from the knowledge base's own words and used by the matcher before scoring. pypinyin supplies
each character's reading; its table is loaded on first use.
"""

from __future__ import annotations

import bisect
import functools
import importlib.util
import itertools
import json
import unicodedata
from array import array
from collections import Counter
from collections.abc import Container, Iterable
from pathlib import Path

from bot.core.normalize import CJK_RUN


class Readings:
    """pypinyin's readings by character, kept small: 42,000 characters as a sorted array of code points and an index
    into their 8,600 distinct readings (as a dict of strings it took 6 MiB of every bot's memory)."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        """`pairs`: (code point in decimal, readings) as in the table ("12295", "líng,yuán,xīng")."""
        ordered = sorted((int(point), readings) for point, readings in pairs)
        distinct: dict[str, int] = {}
        self._points = array("I", (point for point, _ in ordered))
        self._which = array("I", (distinct.setdefault(readings, len(distinct)) for _, readings in ordered))
        # One string for all readings, not 8,600: the strings parsed from the JSON sit among the freed pairs, and each
        # one kept would keep its whole block of the heap.
        self._text = "".join(f"{readings}\n" for readings in distinct)
        self._starts = array("I", itertools.accumulate((len(r) + 1 for r in distinct), initial=0))

    def get(self, char: str) -> str | None:
        """The character's readings, comma-separated with tones ("líng,yuán,xīng"); None when the table has none."""
        point = ord(char)
        at = bisect.bisect_left(self._points, point)
        if at < len(self._points) and self._points[at] == point:
            which = self._which[at]
            return self._text[self._starts[which] : self._starts[which + 1] - 1]
        return None

    def distinct(self) -> list[str]:
        """Every distinct value of the table (readings strings), in first-seen order."""
        return self._text.split("\n")[:-1]


@functools.cache
def reading_table() -> Readings:
    """pypinyin's table of each character's readings, loaded on first use, once for every reader (the respeller,
    the safety screen, the language detector's list of syllables).

    Read from the package's JSON directly: importing `pypinyin` would also load its phrase tables, which the
    advisor does not need and which take longer than everything else it does at start-up.
    """
    spec = importlib.util.find_spec("pypinyin")  # finds the package without running it
    locations = spec.submodule_search_locations if spec is not None else None
    table = Path(next(iter(locations), "")) / "pinyin_dict.json" if locations else None
    if table is not None and table.is_file():
        # Straight into the compact form: the pairs are never a dict of 42,000 entries.
        readings: Readings = json.loads(table.read_text(encoding="utf-8"), object_pairs_hook=Readings)
        return readings
    from pypinyin.pinyin_dict import pinyin_dict  # another layout: the slower, supported way

    return Readings((str(k), v) for k, v in pinyin_dict.items())


@functools.cache
def syllables(char: str) -> tuple[str, ...]:
    """The character's readings in pinyin without tone ("还" → hai, huan); the character itself if it has none."""
    found = reading_table().get(char)
    if not found:
        return (char,)
    toneless = ("".join(c for c in unicodedata.normalize("NFKD", r) if c.isascii()) for r in found.split(","))
    return tuple(dict.fromkeys(toneless))  # in the table's order, without repeats


def _sounds(pair: str) -> list[tuple[str, str]]:
    """Every way a pair of characters can be read: a typo typed by pinyin may come from any of them."""
    return [(a, b) for a in syllables(pair[0]) for b in syllables(pair[1])]


class Respeller:
    """Respells normalised text toward the words of one knowledge base; build once, call many times."""

    def __init__(self, words: Iterable[str], uses: Counter[str], known: Container[str], min_uses: int) -> None:
        """`words`: the admins' terms (keywords, aliases' words, titles), normalised; `uses`: how often each pair
        of characters occurs in the knowledge base; `known`: every feature the matcher knows. A typo is only put
        right to a pair of characters from `words` used at least `min_uses` times."""
        pairs: set[str] = set()
        for word in words:
            for run in CJK_RUN.findall(word):
                pairs.update(run[k : k + 2] for k in range(len(run) - 1))
        by_sound: dict[tuple[str, str], list[str]] = {}
        for pair, n in uses.most_common():
            if n < min_uses:
                break
            if pair in pairs:
                for sound in _sounds(pair):
                    by_sound.setdefault(sound, []).append(pair)
        self._by_sound = by_sound  # most used first
        self._known = known

    def __call__(self, normalized: str) -> str:
        """Put right typos that sound like a word of the knowledge base: 写商 → 协商, 证信 → 征信, 起素 → 起诉.

        In a pair of characters the knowledge base never uses, one character may be swapped for a same-sounding
        one when that makes a pair of its words and no pair beside it that the knowledge base knew is lost (so the
        boundary between two real words, "能|补救", is not "corrected" into "能不|救").
        """
        chars = list(normalized)
        changed = False
        for run in CJK_RUN.finditer(normalized):
            for i in range(run.start(), run.end() - 1):
                pair = chars[i] + chars[i + 1]
                if pair in self._known:
                    continue
                for word in dict.fromkeys(w for sound in _sounds(pair) for w in self._by_sound.get(sound, ())):
                    if (word[0] == pair[0]) == (word[1] == pair[1]):
                        continue  # exactly one character may differ
                    if self._keeps_neighbours(chars, i, word):
                        chars[i : i + 2] = word
                        changed = True
                        break
        return "".join(chars) if changed else normalized

    def _keeps_neighbours(self, chars: list[str], i: int, word: str) -> bool:
        """Whether putting `word` at chars[i:i + 2] loses no known pair on either side of it."""
        known = self._known
        before = chars[i - 1] if i > 0 else ""
        after = chars[i + 2] if i + 2 < len(chars) else ""
        if before and before + chars[i] in known and before + word[0] not in known:
            return False
        return not (after and chars[i + 1] + after in known and word[1] + after not in known)
