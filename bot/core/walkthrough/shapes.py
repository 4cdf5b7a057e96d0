"""The shape knowledge/walkthrough.yaml must have, declared once: its texts, steps and kinds of option.

The tables (`SECTIONS`, `STEPS`, `OPTION_FIELDS`, `FIXED_IDS`) say what the file holds; `file_shapes()` makes the
msgspec shapes the shared checker (bot/core/textfiles.py, bot/schema.py) checks them with; the tests build their
small walkthrough.yaml from the same tables.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final

import msgspec
from msgspec import Meta

from bot.core.flow import AGREED, REFUSED, STILL_WAITING, UNAFFORDABLE
from bot.core.textfiles import TextShape, record, texts_record

#: Option ids are stored in users' saved progress and in button actions (≤ 64 bytes), so they stay short ASCII.
ID_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,23}")
#: The monthly-amount option for "I don't know yet".
UNKNOWN_MONTHLY: Final = "unknown"
#: The moves a user may say in words at any step (`said_moves:` in the file): back, skip and pause as their buttons,
#: cancel as /cancel (asked first), restart as /guide mid-way (continue or start again), resume as /resume (paused
#: too: "我回来了").
SAID_MOVES: Final = ("back", "skip", "pause", "cancel", "restart", "resume")

# Each text key maps to the {placeholders} it may use; () means a plain text.

SECTIONS: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "messages": {
        "welcome": (),
        "progress": ("n", "total", "stage"),
        "progress_part": ("n", "total", "stage", "part", "parts"),
        "resume_or_restart": ("where",),
        "finished_before": (),
        "paused": (),
        "cancelled": (),
        "cancel_confirm": (),
        "not_started": (),
        "stale": (),
        "first_step": (),
        "use_buttons": (),
        "not_a_number": (),
        "foreign_currency": (),
        "too_long": ("max", "length"),
        "noted": ("value",),
        "small_amount": ("n",),
        "number_check": ("value",),
        "understood": ("value",),
        "low_end": ("value",),
        "choose_one": ("last",),
        "ticked": ("value",),
        "unticked": ("value",),
        "still_missing": ("value",),
        "checklist_hint": (),
        "estimate_check": ("value",),
        "unsure_number": (),
        "unsure_choice": (),
        "unsure_terms": (),
        "corrected": ("value",),
        "terms_noted": (),
        "restarted": (),
        "list_separator": (),
        "list_pair": (),
        "list_last": (),
    },
    "buttons": {
        "next": (),
        "back": (),
        "skip": (),
        "pause": (),
        "resume": (),
        "restart": (),
        "cancel": (),
        "start": (),
        "continue": ("stage",),
        "goto": ("stage",),
        "confirm_number": ("value",),
        "calculate": (),
        "use_amount": ("value",),
        "contacted": (),
        "new_result": (),
    },
    "stages": {
        "intake": (),
        "prepare": (),
        "contact": (),
        "result": (),
        "aftercare": (),
        "next": (),
    },
    "script": {
        "overdue": ("product", "days"),
        "overdue_unknown": ("product",),
        "due_soon": ("product",),
        "product_unknown": (),
        "amount": ("amount",),
        "requests": ("requests",),
        "requests_none": (),
        "monthly": ("n",),
        "agreement": (),
    },
    "summary": {
        "title": (),
        "product": ("value",),
        "days": ("value",),
        "amount": ("value",),
        "cause": ("value",),
        "materials": ("value",),
        "channel": ("value",),
        "requests": ("value",),
        "monthly": ("value",),
        "result": ("value",),
        "terms": ("value",),
        "terms_above_monthly": ("agreed", "monthly", "over"),
        "terms_not_written": (),
        "not_answered": (),
        "nothing_ticked": (),
        "script": ("script",),
        "next_agreed": (),
        "next_refused": (),
        "next_waiting": (),
        "next_unaffordable": (),
        "next_not_contacted": (),
    },
}

# steps.<step>: its texts, and (key, kind) of its option list if it has one.
STEPS: Final[Mapping[str, tuple[Mapping[str, tuple[str, ...]], tuple[str, str] | None]]] = {
    "product": ({"prompt": ()}, ("options", "plain")),
    "days": ({"prompt": (), "typed": ("n",)}, ("options", "bucket")),
    "amount": (
        {"prompt": (), "typed": ("n",), "part": ("product", "n"), "sum": ("parts", "total")},
        ("options", "bucket"),
    ),
    "cause": ({"prompt": ()}, ("options", "cause")),
    "materials": ({"prompt": (), "count": ("done", "total")}, ("items", "material")),
    "channel": ({"prompt": (), "line": ("label", "how")}, ("options", "channel")),
    "requests": (
        {"prompt": (), "situation": ("facts",), "reason": ("cause", "reason"), "reason_unknown": ()},
        ("options", "plain"),
    ),
    "monthly": ({"prompt": (), "typed": ("n",), "low_end": ("value",), "bad_month": ()}, ("options", "plain")),
    "contact": (
        {
            "prompt": ("how",),
            "no_channel": (),
            "script": ("script",),
            "script_bilingual": ("chinese", "meaning"),
            "yours": ("script",),
            "after": (),
        },
        None,
    ),
    "result": ({"prompt": (), "mixed": ()}, ("options", "plain")),
    "terms": ({"prompt": ("max",)}, None),
    "retry": ({"prompt": ()}, None),
    "waiting": ({"prompt": ()}, None),
    "unaffordable": ({"prompt": ()}, None),
    "repay": ({"prompt": ()}, None),
    "records": ({"prompt": ()}, None),
    "credit": ({"prompt": ()}, None),
}

#: Option lists whose ids the code leads somewhere by (bot/core/flow.py): they must be exactly these.
FIXED_IDS: Final[Mapping[str, tuple[str, ...]]] = {
    "result": (AGREED, REFUSED, STILL_WAITING, UNAFFORDABLE),
    "monthly": (UNKNOWN_MONTHLY,),
}

# Fields an option of each kind has besides `id` and `label`: "text", "int", "ids" (cause ids) or "words" (any
# words that name the option when typed); a "?" after it means the key may be left out.
OPTION_FIELDS: Final[Mapping[str, Mapping[str, str]]] = {
    "plain": {"said": "text?", "also": "words?"},
    "bucket": {"min": "int", "max": "int?", "said": "text?", "also": "words?"},
    "cause": {"reason": "text", "before_due": "text?", "also": "words?"},
    "material": {"causes": "ids?", "script": "text?", "also": "words?"},
    "channel": {"how": "text", "greeting": "text", "also": "words?"},
}

#: The symbols of the checklist and the chosen answer (`marks:` in the file).
MARKS: Final = ("checked", "unchecked", "chosen")


_NUMBER: Final = "expected a whole number ≥ 0, found {value!r}"
_CAUSES: Final = "expected a list of cause ids like [income_drop], found {found}"
_BAD_ID: Final = (
    "{value!r} is not a usable id; write lowercase letters, digits and _ "
    "(starting with a letter, at most 24), and never change it once users have answered"
)
_MARK: Final = "expected a short symbol, found {value!r}"
_WORD_LIST: Final = "expected a list of words like [打电话, call], found {found}"
_WORD: Final = {
    "wrong_type": "expected a word or phrase, found {found}",
    "invalid": "the word is empty; write a word or remove the line",
}
#: Words or phrases in any language, such as [打电话, call, 95188] (an option's `also`, the file's `dont_know`,
#: `unsure`, `yes_words`, `no_words`, `corrections`, `not_in_writing` and the lists of `said_moves`).
_WORDS: Final = Annotated[
    tuple[Annotated[str, Meta(pattern=r"\S", extra=_WORD)], ...],
    Meta(extra={"wrong_type": _WORD_LIST, "invalid": _WORD_LIST}),
]
#: What each spec of OPTION_FIELDS is in the file: (type, default) — a default makes the key optional.
FIELD_TYPES: Final[Mapping[str, tuple[Any, ...]]] = {
    "text": (TextShape,),
    "text?": (TextShape | None, None),
    "int": (Annotated[int, Meta(ge=0, extra={"invalid": _NUMBER, "wrong_type": _NUMBER})],),
    "int?": (Annotated[int, Meta(ge=0, extra={"invalid": _NUMBER, "wrong_type": _NUMBER})] | None, None),
    "ids": (Annotated[tuple[str, ...], Meta(extra={"wrong_type": _CAUSES})],),
    "ids?": (Annotated[tuple[str, ...], Meta(extra={"wrong_type": _CAUSES})] | None, None),
    "words": (_WORDS,),
    "words?": (_WORDS | None, None),
}
_OPTION_ID: Final = Annotated[
    str, Meta(pattern=f"^{ID_PATTERN.pattern}$", extra={"invalid": _BAD_ID, "wrong_type": _BAD_ID})
]


@dataclass(frozen=True)
class FileShapes:
    """walkthrough.yaml's shape, made from the tables above (see bot/core/textfiles.py)."""

    file: type[msgspec.Struct]
    steps: type[msgspec.Struct]
    options: Mapping[str, type[msgspec.Struct]]  # by option kind


@functools.cache
def file_shapes() -> FileShapes:
    """The msgspec shapes of the file, its steps and each kind of option, made once (on first use, not at import)."""
    marks = record(
        "marks",
        [(mark, Annotated[str, Meta(pattern=r"\S", extra={"invalid": _MARK, "wrong_type": _MARK})]) for mark in MARKS],
    )
    sections = [(section, texts_record(section, keys)) for section, keys in SECTIONS.items()]
    steps = record(
        "steps",
        [
            (
                step_id,
                record(
                    step_id, [*((key, TextShape) for key in keys), *([(option_list[0], Any)] if option_list else [])]
                ),
            )
            for step_id, (keys, option_list) in STEPS.items()
        ],
    )
    options = {
        kind: record(
            f"{kind} option",
            [("id", _OPTION_ID), ("label", TextShape), *((name, *FIELD_TYPES[spec]) for name, spec in fields.items())],
        )
        for kind, fields in OPTION_FIELDS.items()
    }
    return FileShapes(
        record(
            "walkthrough",
            [
                *sections,
                ("marks", marks),
                ("steps", Any),
                ("dont_know", _WORDS, ()),
                ("unsure", _WORDS, ()),
                ("yes_words", _WORDS, ()),
                ("no_words", _WORDS, ()),
                ("corrections", _WORDS, ()),
                ("said_moves", record("said_moves", [(move, _WORDS, ()) for move in SAID_MOVES]) | None, None),
                ("not_in_writing", _WORDS, ()),
            ],
        ),
        steps,
        options,
    )
