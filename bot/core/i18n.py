"""Languages the advisor speaks, and the one place Simplified and Traditional Chinese are converted.

Knowledge is written in Simplified Chinese (`zh-hans`) and English (`en`); Traditional Chinese is derived from the
Simplified text, in Taiwan wording (`zh-hant`, OpenCC's s2twp) or Hong Kong wording (`zh-hk`, OpenCC's s2hk), so an
admin never maintains a third copy. Where OpenCC's phrasing is wrong for this subject (its Taiwan profile turns 注销
into 登出, "log out"), a reviewed phrase table in the knowledge folder (`traditional.yaml`) puts it right: the
phrases it lists are written as reviewed, OpenCC converts the text around them.

The two Traditional profiles are OpenCC's own, bundled in bot/core/data/opencc/ with one change that saves ~16 MiB
of every process that writes Traditional Chinese: their two Simplified phrase dictionaries, which OpenCC joins in a
"union" group, are merged into one file (same phrases, same output; `python -m bench.script_tables` rebuilds the
folder and checks it against OpenCC).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Protocol


class Lang(StrEnum):
    """The language a reply is written in."""

    ZH_HANS = "zh-hans"
    ZH_HANT = "zh-hant"  # Traditional Chinese, Taiwan wording
    EN = "en"
    ZH_HK = "zh-hk"  # Traditional Chinese, Hong Kong wording

    @property
    def traditional(self) -> bool:
        return self in (Lang.ZH_HANT, Lang.ZH_HK)


#: Each language's name in itself, as the /language menu and its confirmation show it: a user who chose 繁體中文 reads
#: 繁體中文, not the "中文" a Simplified sentence converted to Traditional would say.
NATIVE_NAMES: Mapping[Lang, str] = {
    Lang.ZH_HANS: "简体中文",
    Lang.ZH_HANT: "繁體中文",
    Lang.EN: "English",
    Lang.ZH_HK: "繁體中文（香港）",
}
#: Languages an admin writes texts in; the Traditional ones are derived from zh-hans.
AUTHORED_LANGS: tuple[Lang, ...] = (Lang.ZH_HANS, Lang.EN)
#: The OpenCC profile each Traditional wording is made with.
OPENCC_PROFILES: Mapping[Lang, str] = {Lang.ZH_HANT: "s2twp", Lang.ZH_HK: "s2hk"}
#: Where those profiles are bundled, with their phrase dictionaries merged (built by bench/script_tables.py).
OPENCC_DATA = Path(__file__).resolve().parent / "data" / "opencc"


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@cache
def _converter(config: str) -> _Converter:
    import opencc  # deferred: building the converter reads OpenCC's dictionaries

    bundled = OPENCC_DATA / f"{config}.json"
    converter: Any = opencc.OpenCC(str(bundled) if config in OPENCC_PROFILES.values() else config)
    return converter  # type: ignore[no-any-return]


def opencc_convert(config: str, text: str) -> str:
    """`text` through one of OpenCC's own profiles ("tw2s", "s2tw" …; s2twp and s2hk from the bundled copies)."""
    return _converter(config).convert(text)


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (other scripts pass through unchanged)."""
    return opencc_convert("tw2s", text)


def to_traditional(text: str, lang: Lang = Lang.ZH_HANT) -> str:
    """Simplified → Traditional Chinese by OpenCC alone, in the wording of `lang` (Taiwan unless zh-hk)."""
    return opencc_convert(OPENCC_PROFILES.get(lang, "s2twp"), text)


@dataclass(frozen=True)
class Phrase:
    """A reviewed conversion: wherever the Simplified text has `simplified`, Traditional readers get these words."""

    simplified: str
    tw: str | None  # Taiwan wording; None: OpenCC's is right
    hk: str | None  # Hong Kong wording; None: OpenCC's is right
    source: str = ""  # "traditional.yaml:12", for admins

    def wording(self, lang: Lang) -> str | None:
        return self.hk if lang is Lang.ZH_HK else self.tw


class Traditional:
    """Simplified → Traditional Chinese: OpenCC, with the reviewed phrases written as the table says."""

    def __init__(self, phrases: Iterable[Phrase] = ()) -> None:
        self.phrases = tuple(phrases)
        self._by_text = {phrase.simplified: phrase for phrase in self.phrases}
        ordered = sorted(self._by_text, key=lambda s: (-len(s), s))  # the longest phrase wins where two overlap
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def convert(self, simplified: str, lang: Lang) -> str:
        """`simplified` in the Traditional wording of `lang` (zh-hant: Taiwan, zh-hk: Hong Kong)."""
        if self._pattern is None:
            return to_traditional(simplified, lang)
        parts: list[str] = []
        done = 0
        for found in self._pattern.finditer(simplified):
            reviewed = self._by_text[found.group(0)].wording(lang)
            if reviewed is None:
                continue
            parts.append(to_traditional(simplified[done : found.start()], lang))
            parts.append(reviewed)
            done = found.end()
        parts.append(to_traditional(simplified[done:], lang))
        return "".join(parts)

    def derive(self, texts: Mapping[str, str]) -> Mapping[str, str]:
        """An authored {zh-hans, en} mapping that also has its Traditional texts (made on first use: a process that
        never shows Traditional never loads OpenCC's Taiwan tables, which take 40 MB)."""
        return _WithTraditional(texts, self)


class _WithTraditional(Mapping[str, str]):
    """Authored texts plus zh-hant / zh-hk, each converted from zh-hans when first asked for and then kept."""

    def __init__(self, authored: Mapping[str, str], traditional: Traditional) -> None:
        self._texts = dict(authored)
        self._traditional = traditional

    def __getitem__(self, key: str) -> str:
        text = self._texts.get(key)
        if text is not None:
            return text
        simplified = self._texts.get(Lang.ZH_HANS.value)
        if simplified is None or key not in _DERIVED_KEYS:
            raise KeyError(key)
        text = self._texts[key] = self._traditional.convert(simplified, Lang(key))
        return text

    def __iter__(self) -> Iterator[str]:
        yield from self._texts
        if Lang.ZH_HANS.value in self._texts:
            yield from (key for key in _DERIVED_KEYS if key not in self._texts)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr({key: self._texts[key] for key in self._texts})


_DERIVED_KEYS = frozenset(lang.value for lang in OPENCC_PROFILES)


def lang_from_telegram(code: str | None) -> Lang:
    """Map a Telegram `language_code` (IETF tag) to the language the advisor answers in."""
    tag = (code or "").lower().replace("_", "-")
    if tag.startswith("zh"):
        if tag.endswith(("-hk", "-mo")):
            return Lang.ZH_HK
        if tag in {"zh-hant", "zh-tw"} or tag.startswith("zh-hant"):
            return Lang.ZH_HANT
        return Lang.ZH_HANS
    if tag == "":
        return Lang.ZH_HANS
    return Lang.EN


def pick(texts: Mapping[str, str], lang: Lang) -> str:
    """Choose the text for a language from an authored {zh-hans, en} mapping (Traditional: derived, or OpenCC's)."""
    if lang is Lang.EN:
        return texts.get(Lang.EN.value) or texts[Lang.ZH_HANS.value]
    simplified = texts.get(Lang.ZH_HANS.value) or texts[Lang.EN.value]
    if not lang.traditional:
        return simplified
    return texts.get(lang.value) or to_traditional(simplified, lang)
