"""Loads knowledge/plan.yaml — every sentence, button and chart label of the /plan calculator — into `PlanTexts`.

The file's shape is declared once in `_SECTIONS` (each key with the placeholders it may use); validation reports every
problem at once as `file:line: where: what to do`, through the checker of text files (bot/core/textfiles.py) the
walkthrough uses too, so both files read alike. Chart
texts must also be drawable: a character the chart font lacks (in zh-hans or en, and with `check_traditional` in the
derived Traditional texts too) is refused by name, since it would show as an empty box.

The zh-hant check is left to `advisor kb validate` and the tests: it needs OpenCC's Simplified→Traditional tables
(about 40 MB), which the bot otherwise loads only when a Traditional Chinese reader turns up. The font keeps the
Traditional form of every character it has for Simplified text, so a label that passes in zh-hans rarely fails there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from bot.core.i18n import Lang, Traditional
from bot.core.textfiles import TextFile, record, texts_record
from bot.core.walkthrough import Text
from bot.core.yamlsrc import load_located
from bot.errors import KnowledgeError
from bot.fonts import missing_glyphs

_SECTIONS: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "messages": {
        "intro": (),
        "resumed": (),
        "stopped": (),
        "stale": (),
        "not_started": (),
        "zero_proposal": (),
        "left_open": (),
        "low_end": ("amount", "high"),
        "range_low": ("amount", "low", "high"),
        "range_high": ("amount", "low", "high"),
        "added_up": ("parts", "total"),
        "added_up_total": ("parts", "sum", "said", "total"),
        "total_of_parts": ("parts", "sum", "said", "total"),
        "letters_read": ("typed", "amount"),
        "read_in_sentence": ("amount",),
        "corrected": ("item", "amount"),
        "ask_again": ("item",),
        "other_subject": ("item",),
        "zero_spending": (),
        "owed_check": ("owed", "proposal"),
    },
    "items": {"owed": (), "income": (), "spending": (), "other": (), "proposal": ()},
    "questions": {
        "owed": (),
        "owed_known": ("amount",),
        "income": (),
        "spending": (),
        "other": (),
        "proposal": (),
        "proposal_known": ("amount",),
    },
    "problems": {
        "empty": (),
        "not_a_number": (),
        "range": (),
        "negative": (),
        "too_large": (),
        "bad_month": (),
        "foreign_currency": (),
        "not_taken": (),
    },
    "buttons": {"skip": (), "keep": ("amount",), "stop": (), "again": (), "continue": ()},
    "result": {
        "title": (),
        "given": ("owed", "income", "spending", "other", "proposal"),
        "amount": ("amount",),
        "skipped": (),
        "surplus": ("amount",),
        "counted_as_zero": ("items",),
        "item_spending": (),
        "item_other": (),
        "list_separator": (),
        "schedule_even": ("months", "amount"),
        "schedule_last": ("months", "amount", "last", "last_month", "total_months"),
        "schedule_once": ("amount",),
        "long": ("months", "years"),
        "no_interest": (),
        "chart_caption": (),
        "chart_file": ("path",),
    },
    "verdicts": {
        "no_debt": (),
        "need_owed": (),
        "need_income": (),
        "no_surplus": ("amount",),
        "fits": ("months",),
        "too_high": ("proposal", "surplus"),
        "too_high_no_surplus": ("proposal",),  # too high, and nothing is left each month at all
        "instead": ("amount", "months"),
        "no_room": (),
        "unchecked": ("proposal",),
    },
    "chart": {"title": (), "month_axis": (), "paid_axis": (), "left_axis": (), "paid": (), "left": ()},
}


@dataclass(frozen=True)
class PlanTexts:
    """Every text of plan.yaml, keyed by its dotted path ("questions.income")."""

    texts: Mapping[str, Text]

    def say(self, key: str, lang: Lang, **values: object) -> str:
        """The text at `key` in `lang`, placeholders filled; a wrong key is a programming error (KeyError)."""
        return self.texts[key].render(lang, **values).strip()


def load_plan_texts(path: Path, wording: Traditional | None = None, *, check_traditional: bool = False) -> PlanTexts:
    """Read and validate plan.yaml; raises KnowledgeError listing every problem found.

    `wording` (the knowledge base's reviewed Traditional phrases) makes the Traditional texts, as for the walkthrough.
    `check_traditional`: also check that the chart font draws the derived Traditional labels (see the module
    docstring).
    """
    checked = tuple(Lang) if check_traditional else (Lang.ZH_HANS, Lang.EN)
    name = str(path)
    check = TextFile(name)
    root = load_located(path, name)
    parts = check.parts(
        root,
        record("plan", [(section, texts_record(section, keys)) for section, keys in _SECTIONS.items()]),
        "the file",
    )
    if parts is None:
        raise KnowledgeError(check.problems)
    texts: dict[str, Text] = {}
    for section, keys in _SECTIONS.items():
        if section not in parts:
            continue
        node = root[section]
        for key, shape in check.texts(node, keys, section, parts[section]).items():
            derived = wording.derive({Lang.ZH_HANS.value: shape.zh_hans}) if wording is not None else {}
            text = Text(zh_hans=shape.zh_hans, en=shape.en, derived=derived)
            texts[f"{section}.{key}"] = text
            if section == "chart":
                for lang in checked:
                    missing = missing_glyphs(text.render(lang))
                    if missing:
                        written = Lang.EN if lang is Lang.EN else Lang.ZH_HANS  # Traditional is made from zh-hans
                        check.report(
                            node[key].line_of(written.value),
                            f"chart.{key}",
                            f"the chart font cannot draw {' '.join(missing)} ({lang.value}); use other words, "
                            "or add the characters to the font (bot/fonts/README.md)",
                        )
    if check.problems:
        raise KnowledgeError(check.sorted_problems())
    return PlanTexts(MappingProxyType(texts))
