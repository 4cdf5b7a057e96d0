"""Slips of the keyboard inside a typed number: letters typed for digits ("5OOO", "1O,OOO", "l5000", "3O天").

Written by hand because no maintained library reads these: the letters O and o look like 0, and l, I and | like 1,
and on a phone keyboard they sit where the digits are. They are read as digits only inside a run of characters that
holds a real digit too, and stands apart from other Latin letters (so "OK", "Io" or "I owe" stay words); the caller
says what it read, since a slip read is a guess the user should see.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

#: A run of digits and digit-like letters, not inside a word ("5ook" is left alone); a unit may follow it.
_RUN: Final = re.compile(r"(?<![A-Za-z])[0-9OoIl|][0-9OoIl|.,]*(?=$|[^A-Za-z]|yuan|rmb|RMB|days?\b)")
_AS_DIGITS: Final = str.maketrans("OoIl|", "00111")


def letters_as_digits(text: str) -> str | None:
    """`text` with letters typed for digits read as digits ("5OOO" → "5000", "欠了2OOOO" → "欠了20000"); None when
    it holds no such slip."""
    form = unicodedata.normalize("NFKC", text)
    changed = False

    def fixed(run: re.Match[str]) -> str:
        nonlocal changed
        typed = run.group()
        if not any(char.isdigit() for char in typed) or typed.isdigit() or not re.search(r"[OoIl|]", typed):
            return typed
        changed = True
        return typed.translate(_AS_DIGITS)

    read = _RUN.sub(fixed, form)
    return read if changed else None
