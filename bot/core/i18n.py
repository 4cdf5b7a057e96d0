"""Languages the advisor speaks, and the one place Simplified and Traditional Chinese are converted.

Knowledge is written in Simplified Chinese (`zh-hans`) and English (`en`); Traditional Chinese (`zh-hant`) is
derived from the Simplified text with OpenCC, so an admin never maintains a third copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from typing import Any, Protocol


class Lang(StrEnum):
    ZH_HANS = "zh-hans"
    ZH_HANT = "zh-hant"
    EN = "en"


#: Languages an admin writes texts in; zh-hant is derived from zh-hans.
AUTHORED_LANGS: tuple[Lang, ...] = (Lang.ZH_HANS, Lang.EN)


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@cache
def _converter(config: str) -> _Converter:
    import opencc  # deferred: building the converter reads OpenCC's dictionaries

    converter: Any = opencc.OpenCC(config)
    return converter  # type: ignore[no-any-return]


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (other scripts pass through unchanged)."""
    return _converter("tw2s").convert(text)


def to_traditional(text: str) -> str:
    """Simplified → Traditional Chinese with Taiwan phrasing, for zh-hant users."""
    return _converter("s2twp").convert(text)


def lang_from_telegram(code: str | None) -> Lang:
    """Map a Telegram `language_code` (IETF tag) to the language the advisor answers in."""
    tag = (code or "").lower().replace("_", "-")
    if tag.startswith("zh"):
        if tag in {"zh-hant", "zh-tw", "zh-hk", "zh-mo"} or tag.startswith("zh-hant"):
            return Lang.ZH_HANT
        return Lang.ZH_HANS
    if tag == "":
        return Lang.ZH_HANS
    return Lang.EN


def pick(texts: Mapping[str, str], lang: Lang) -> str:
    """Choose the text for a language from an authored {zh-hans, en} mapping."""
    if lang is Lang.EN:
        return texts.get(Lang.EN.value) or texts[Lang.ZH_HANS.value]
    simplified = texts.get(Lang.ZH_HANS.value) or texts[Lang.EN.value]
    return to_traditional(simplified) if lang is Lang.ZH_HANT else simplified
