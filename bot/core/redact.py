"""Blanks personal data (ID-card, phone, bank-card numbers, emails) out of text before it is stored or shown.

Written by hand because no maintained library knows mainland ID-card and mobile formats and also leaves the loan
figures people write (13000, 2024-03-07, 12期, 36个月) alone. A number is personal data only when it stands alone:
digits glued to more digits are a different, longer number. Each kind is replaced by a bracketed tag, so the
question stays readable ("我的手机 [phone] 收到催收短信").
"""

from __future__ import annotations

import re
import unicodedata

#: The tags personal data is replaced by, for admins reading the report.
EMAIL, ID_CARD, CARD, PHONE = "[email]", "[id]", "[card]", "[phone]"

_NOT_DIGIT_BEFORE = r"(?<![0-9])"
_NOT_DIGIT_AFTER = r"(?![0-9])"
_SEP = r"[ \-]?"  # people group long numbers with a space or a dash

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
#: Resident ID: 6 area digits, a birth date 18xx–20xx, 3 sequence digits, a check digit or X (18 characters), or
#: the old 15-digit form (two-digit year).
_ID_CARD = re.compile(
    _NOT_DIGIT_BEFORE
    + r"(?:[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
    + r"|[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})"
    + r"(?![0-9A-Za-z])"
)
#: Bank cards: 16 to 19 digits, written straight or in groups of four.
_CARD = re.compile(_NOT_DIGIT_BEFORE + r"(?:\d{4}(?:[ \-]\d{4}){3}(?:[ \-]?\d{1,3})?|\d{16,19})" + _NOT_DIGIT_AFTER)
#: Mainland mobiles (1[3-9] and nine more digits, grouped 3-4-4 or not), with or without +86 / 0086.
_MOBILE = re.compile(
    _NOT_DIGIT_BEFORE + r"(?:(?:\+|00)?86" + _SEP + r")?1[3-9]\d" + _SEP + r"\d{4}" + _SEP + r"\d{4}"
    + _NOT_DIGIT_AFTER
)  # fmt: skip
#: Landlines with their area code (010-12345678, (0755) 1234 5678) and international numbers (+852 9123 4567).
_OTHER_PHONE = re.compile(
    _NOT_DIGIT_BEFORE
    + r"(?:[(（]?0\d{2,3}[)）]?" + _SEP + r"\d{3,4}" + _SEP + r"\d{4}"
    + r"|\+\d{1,3}" + _SEP + r"(?:\d[ \-]?){6,12}\d)"
    + _NOT_DIGIT_AFTER
)  # fmt: skip

_PATTERNS = ((_EMAIL, EMAIL), (_ID_CARD, ID_CARD), (_CARD, CARD), (_MOBILE, PHONE), (_OTHER_PHONE, PHONE))
_FULL_WIDTH_DIGITS = re.compile(r"[０-９＋－（）＠．]")


def _half_width(text: str) -> str:
    # Full-width digits are the same number to a reader; only they (and + - ( ) @ .) are made half-width.
    return _FULL_WIDTH_DIGITS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def redact(text: str) -> str:
    """`text` with every email, ID-card, bank-card and phone number replaced by its tag; the rest unchanged."""
    text = _half_width(text)
    for pattern, tag in _PATTERNS:
        text = pattern.sub(tag, text)
    return text


def has_personal_data(text: str) -> bool:
    """Whether `redact` would blank anything in `text`."""
    text = _half_width(text)
    return any(pattern.search(text) for pattern, _ in _PATTERNS)
