"""Turns a plain-text or Markdown document with numbered headings into a YAML skeleton of knowledge entries.

The admin then enriches the skeleton (English answer, example questions, keywords). Damaged copies of web
articles can be repaired on the way in: pinyin annotations like `協(xié)商` removed, lost characters restored
from a repair table, Traditional → Simplified, and contact details of the hosting site dropped — a phone number
or e-mail address never reaches a user.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.core.i18n import to_simplified
from bot.core.numbers import chinese_number

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# A pinyin reading in brackets right after a Chinese character: 協(xié)商 → 協商.
_PINYIN = re.compile(rf"(?<=[{_CJK}])\((?:[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\s?)+\)")
# Mobile numbers also as 138-0000-0000 or 138 0000 0000; landlines with an area code; QQ numbers.
_PHONE = re.compile(
    r"(?<!\d)1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)|qq\s*[:：号]?\s*\d{5,12}",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_CHAPTER = re.compile(r"^((?:[二三四五六七八九]?十)?[一二三四五六七八九]?)(?<=[一二三四五六七八九十])、\s*(.+)$")
_SECTION = re.compile(r"^(\d+\.\d+)(?![\d.])(\s*)(.+)$")
_NUMBERED = re.compile(r"^(\d+)[.．](?!\d)\s*(.+)$")
_MARKDOWN = re.compile(r"^(#{1,6})\s+(.+)$")


@dataclass(frozen=True)
class Repairs:
    """How to mend a damaged copy; loaded from a small YAML file an admin can extend."""

    replace: tuple[tuple[str, str], ...] = ()  # literal damaged → repaired, after pinyin is stripped
    regex: tuple[tuple[re.Pattern[str], str], ...] = ()
    drop_lines: tuple[re.Pattern[str], ...] = ()  # lines that are site furniture or spam

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Repairs:
        return cls(
            replace=tuple((str(k), str(v)) for k, v in (data.get("replace") or {}).items()),
            regex=tuple((re.compile(str(k)), str(v)) for k, v in (data.get("regex") or {}).items()),
            drop_lines=tuple(re.compile(str(p)) for p in data.get("drop_lines") or ()),
        )


@dataclass
class Section:
    number: str  # "3.1", "7", "intro"
    title: str
    body: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.body).strip()


def repair(text: str, repairs: Repairs) -> str:
    """Strip pinyin, apply the repair table, convert to Simplified and drop spam lines."""
    text = _PINYIN.sub("", text)
    for damaged, repaired in repairs.replace:
        text = text.replace(damaged, repaired)
    for pattern, repaired in repairs.regex:
        text = pattern.sub(repaired, text)
    kept = []
    for original in text.splitlines():
        line = to_simplified(original)
        # a pattern copied from the damaged (Traditional) copy works as well as its Simplified form
        if any(p.search(original) or p.search(line) for p in repairs.drop_lines):
            continue
        if _PHONE.search(line) or _EMAIL.search(line):
            continue  # contact details of whoever hosted the copy never reach users
        kept.append(line.rstrip())
    return "\n".join(kept)


def _chapter_number(numeral: str) -> int:
    """一 → 1, 十 → 10, 十一 → 11, 二十三 → 23 (chapter numbers as written in headings like 十一、)."""
    value = chinese_number(numeral)
    assert value is not None, numeral  # _CHAPTER only matches numerals
    return int(value)


def _looks_like_heading(title: str) -> bool:
    """`1. 收入减少:…` inside a section is a list item, not a heading: headings are short and have no colon."""
    return len(title) <= 20 and not re.search(r"[:：。,，;；]", title)


def _numbered_section(line: str) -> Section | None:
    """`1.1 标题`, or `1.1标题` when it reads like a heading (not `1.5万元，分12期` in running text)."""
    m = _SECTION.match(line)
    if m is None or not (m.group(2) or _looks_like_heading(m.group(3))):
        return None
    return Section(m.group(1), m.group(3).strip())


def split_sections(text: str) -> list[Section]:
    """Split a document into sections by its headings (一、 / 1.1 / 1. / #); text before the first is 'intro'."""
    sections: list[Section] = [Section("intro", "")]
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if m := _CHAPTER.match(line):
            sections.append(Section(str(_chapter_number(m.group(1))), m.group(2).strip()))
        elif section := _numbered_section(line):
            sections.append(section)
        elif m := _MARKDOWN.match(line):
            title = m.group(2).strip()
            # "## 3.1 对个人信用的影响" keeps its own number
            sections.append(_numbered_section(title) or Section(str(len(sections)), title))
        elif (m := _NUMBERED.match(line)) and _looks_like_heading(m.group(2)):
            sections.append(Section(m.group(1), m.group(2).strip()))
        else:
            sections[-1].body.append(line)
    return [s for s in sections if s.text or s.title]


def skeleton(sections: Sequence[Section], ids: Mapping[str, str] | None = None) -> str:
    """YAML text of entries an admin enriches: title, section and answer from the document, the rest to fill."""
    ids = ids or {}
    entries = []
    for section in sections:
        if not section.text:
            continue  # a chapter heading whose text lives in its sub-sections
        entries.append(
            {
                "id": ids.get(section.number, f"section_{section.number.replace('.', '_')}"),
                "section": section.number,
                "title": {"zh-hans": section.title or "导语", "en": "TODO"},
                "answer": {"zh-hans": section.text, "en": "TODO"},
                "examples": [],
                "keywords": [],
                "related": [],
            }
        )
    header = (
        "# Skeleton made by `advisor kb import`: rename ids, translate 'en', add at least 8 example\n"
        "# questions per entry, then move the entries into knowledge/entries/ and run `advisor kb validate`.\n"
    )
    return header + yaml.safe_dump({"entries": entries}, allow_unicode=True, sort_keys=False, width=100)
