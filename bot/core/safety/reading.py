"""How the safety screen reads a message: one normal form, each character's readings, the Latin words run together,
and English key words put right after a typing slip (see the package's docstring)."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from bot.core.i18n import to_simplified

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # incl. Cantonese 𠝹 (extension B)
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_KEPT = re.compile(rf"[^{_CJK}a-z0-9]+")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_SCRIPT_CHANGE = re.compile(rf"(?<=[{_CJK}])(?=[a-z])|(?<=[a-z])(?=[{_CJK}])")
CJK_CHAR = re.compile(rf"[{_CJK}]")
_LATIN_WORD = re.compile(r"[a-z]+")
_UNIT = re.compile(rf"[{_CJK}]|[a-z]+")
SPACES = re.compile(" +")

#: English key words a typing slip is put right to ("suicde" → "suicide"); only long, distinctive words, so that an
#: everyday word is never "corrected" into one of them.
_KEY_WORDS = ("suicide", "suicidal", "myself", "overdose", "hopeless", "unalive", "verification", "password")


def normal_form(text: str) -> str:
    """The form phrases are written in: see safety_phrases.yaml's header."""
    text = unicodedata.normalize("NFKC", text)
    text = _APOSTROPHES.sub("", text)
    text = to_simplified(text).casefold().replace("帐", "账")  # 停息挂帐 is 停息挂账
    text = _NOT_KEPT.sub(" ", text).strip()
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return _SCRIPT_CHANGE.sub(" ", text)


def readings_of(char: str) -> tuple[str, ...]:
    from bot.core.respell import syllables  # deferred: the respeller's pinyin table is loaded on first use

    return syllables(char)


class Unit(NamedTuple):
    """One character of Chinese, or one Latin word, with its readings and where it lies in the normal form.

    A named tuple, not a dataclass: one is made for every character of every message."""

    readings: tuple[str, ...]
    start: int
    end: int


_FLAT_OR_CURLED = re.compile(r"^(zh|ch|sh|z|c|s)(?=[aeiou])")
_OTHER_INITIAL = {"zh": "z", "ch": "c", "sh": "s", "z": "zh", "c": "ch", "s": "sh"}


def typed_readings(token: str) -> tuple[str, ...]:
    """How a Latin word typed among Chinese may be meant: itself, and with the flat and curled initials swapped
    (sa ↔ sha, zi ↔ zhi), as pinyin input methods' fuzzy mode reads them — many southern speakers type them alike."""
    found = _FLAT_OR_CURLED.match(token)
    if found is None:
        return (token,)
    return (token, _OTHER_INITIAL[found.group(1)] + token[found.end() :])


def units_of(form: str) -> list[Unit]:
    """The text as the screen hears it: each Chinese character with its readings (似 → shi, si), each Latin word as
    itself and its fuzzy twin (不想huo → bu, xiang, huo; 自sa → zi, sa/sha)."""
    # A unit is one CJK character or a run of a-z: the Latin ones, and only they, are ASCII.
    return [
        Unit(typed_readings(token) if token.isascii() else readings_of(token), match.start(), match.end())
        for match in _UNIT.finditer(form)
        for token in (match.group(0),)
    ]


def latin_of(form: str) -> tuple[str, set[int], set[int]]:
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


def corrected(form: str) -> str:
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
