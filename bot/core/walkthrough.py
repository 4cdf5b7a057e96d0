"""Loads knowledge/walkthrough.yaml — every text and option of the negotiation walkthrough — into an immutable value.

Validation reports every problem at once, each as `file:line: where: what to do`, so an admin can fix the YAML from
the message alone. The shape the file must have is declared once below (`SECTIONS`, `STEPS`, `OPTION_FIELDS`) and
checked by the shared checker (bot/core/textfiles.py, bot/schema.py); the loader adds the checks across values.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Final

import msgspec
from msgspec import Meta

from bot.core.flow import AGREED, REFUSED, STILL_WAITING
from bot.core.i18n import Lang, Traditional, pick
from bot.core.textfiles import TextFile, TextShape, record, texts_record, value_of
from bot.core.yamlsrc import LocatedDict, LocatedList, load_located
from bot.errors import KnowledgeError
from bot.schema import FAILED, kind_of, line_of

#: Option ids are stored in users' saved progress and in button actions (≤ 64 bytes), so they stay short ASCII.
ID_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,23}")
#: The monthly-amount option for "I don't know yet".
UNKNOWN_MONTHLY: Final = "unknown"


@dataclass(frozen=True)
class Text:
    """One text in each authored language; Traditional is derived from zh-hans (at load, or by OpenCC alone)."""

    zh_hans: str
    en: str
    derived: Mapping[str, str] = field(default_factory=dict, compare=False)  # zh-hant, zh-hk, with reviewed phrases

    def render(self, lang: Lang, **values: object) -> str:
        """The text in `lang`, with `{placeholders}` filled from `values` (user input is never re-formatted)."""
        template = self.derived.get(lang.value) if lang.traditional else None
        template = template or pick({Lang.ZH_HANS.value: self.zh_hans, Lang.EN.value: self.en}, lang)
        return template.format_map(values) if values else template


@dataclass(frozen=True)
class Option:
    """One answer a user can press; `id` is stable (saved progress refers to it), `label` is the button text.

    `said` is how the answer reads inside a sentence the user says (the opening script): a button reads "8–30 天",
    a person says "几个星期". Without it the label is used. `also` are more words that name it when typed
    ("打电话", "jiebei"); see bot/core/understand.py.
    """

    id: str
    label: Text
    said: Text | None = field(default=None, kw_only=True)
    also: tuple[str, ...] = field(default=(), kw_only=True)

    def in_sentence(self, lang: Lang) -> str:
        """The answer as the opening script says it."""
        return (self.said or self.label).render(lang)


@dataclass(frozen=True)
class Bucket(Option):
    """A range answer (days overdue, amount): covers low..high inclusive; high None = and above."""

    low: int
    high: int | None

    def holds(self, number: int) -> bool:
        return self.low <= number and (self.high is None or number <= self.high)


@dataclass(frozen=True)
class Cause(Option):
    """A main cause of the overdue; `reason` is how the user can explain it when stating their demands."""

    reason: Text
    before_due: Text | None = None  # the reason as said by someone not yet overdue, when it differs


@dataclass(frozen=True)
class Material(Option):
    """A checklist item; shown for the listed causes only (all causes when empty, or when the cause is unknown)."""

    causes: frozenset[str]
    script: Text | None = None  # what the opening words may say once the user has it ready


@dataclass(frozen=True)
class Channel(Option):
    """A way to reach Alipay: how to reach it, and the first words of the opening script there."""

    how: Text
    greeting: Text


@dataclass(frozen=True)
class Walkthrough:
    """Every text and option of the walkthrough, validated; texts are keyed by their YAML path ("steps.days.prompt")."""

    texts: Mapping[str, Text]
    marks: Mapping[str, str]
    products: tuple[Option, ...]
    days: tuple[Bucket, ...]
    amounts: tuple[Bucket, ...]
    causes: tuple[Cause, ...]
    materials: tuple[Material, ...]
    channels: tuple[Channel, ...]
    requests: tuple[Option, ...]
    monthly: tuple[Option, ...]
    results: tuple[Option, ...]
    dont_know: tuple[str, ...] = ()  # typed at a step, these skip it ("不知道", "idk")

    def say(self, key: str, lang: Lang, **values: object) -> str:
        """Render the text at `key` (a dotted YAML path); a wrong key is a programming error (KeyError)."""
        return self.texts[key].render(lang, **values)


# --- The shape of walkthrough.yaml -----------------------------------------------------------------------------
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
        "too_long": ("max", "length"),
        "noted": ("value",),
        "small_amount": ("n",),
        "number_check": ("value",),
        "understood": ("value",),
        "choose_one": ("last",),
        "ticked": ("value",),
        "unticked": ("value",),
        "still_missing": ("value",),
        "checklist_hint": (),
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
        "not_answered": (),
        "nothing_ticked": (),
        "script": ("script",),
        "next_agreed": (),
        "next_refused": (),
        "next_waiting": (),
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
    "monthly": ({"prompt": (), "typed": ("n",)}, ("options", "plain")),
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
    "result": ({"prompt": ()}, ("options", "plain")),
    "terms": ({"prompt": ("max",)}, None),
    "retry": ({"prompt": ()}, None),
    "waiting": ({"prompt": ()}, None),
    "repay": ({"prompt": ()}, None),
    "records": ({"prompt": ()}, None),
    "credit": ({"prompt": ()}, None),
}

#: Option lists whose ids the code leads somewhere by (bot/core/flow.py): they must be exactly these.
FIXED_IDS: Final[Mapping[str, tuple[str, ...]]] = {
    "result": (AGREED, REFUSED, STILL_WAITING),
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

_MARKS: Final = ("checked", "unchecked", "chosen")


def _listed(names: Any) -> str:
    return ", ".join(str(name) for name in names)


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
#: Words or phrases in any language, such as [打电话, call, 95188] (an option's `also`, the file's `dont_know`).
_WORDS: Final = Annotated[
    tuple[Annotated[str, Meta(pattern=r"\S", extra=_WORD)], ...],
    Meta(extra={"wrong_type": _WORD_LIST, "invalid": _WORD_LIST}),
]
#: What each spec of OPTION_FIELDS is in the file: (type, default) — a default makes the key optional.
_SPECS: Final[Mapping[str, tuple[Any, ...]]] = {
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
class _Shapes:
    """walkthrough.yaml's shape, made from the tables above (see bot/core/textfiles.py)."""

    file: type[msgspec.Struct]
    steps: type[msgspec.Struct]
    options: Mapping[str, type[msgspec.Struct]]  # by option kind


@functools.cache
def _shapes() -> _Shapes:
    marks = record(
        "marks",
        [(mark, Annotated[str, Meta(pattern=r"\S", extra={"invalid": _MARK, "wrong_type": _MARK})]) for mark in _MARKS],
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
            [("id", _OPTION_ID), ("label", TextShape), *((name, *_SPECS[spec]) for name, spec in fields.items())],
        )
        for kind, fields in OPTION_FIELDS.items()
    }
    return _Shapes(
        record("walkthrough", [*sections, ("marks", marks), ("steps", Any), ("dont_know", _WORDS, ())]), steps, options
    )


class _Loader:
    """Builds the walkthrough from the parts of the file that fit their shape, and checks what no one value shows."""

    def __init__(self, check: TextFile, traditional: Traditional | None) -> None:
        self.check = check
        self.traditional = traditional
        self.texts: dict[str, Text] = {}

    def text(self, shape: TextShape) -> Text:
        if self.traditional is None:
            return Text(zh_hans=shape.zh_hans, en=shape.en)
        derived = self.traditional.derive({Lang.ZH_HANS.value: shape.zh_hans})
        return Text(zh_hans=shape.zh_hans, en=shape.en, derived=derived)

    def add_texts(self, node: Any, table: Mapping[str, tuple[str, ...]], where: str, built: msgspec.Struct) -> None:
        for key, shape in self.check.texts(node, table, where, built).items():
            self.texts[f"{where}.{key}"] = self.text(shape)

    def options(self, parent: LocatedDict, key: str, where: str, kind: str, causes: frozenset[str]) -> list[Any]:
        """The option list at parent[key]: each option checked on its own, then ids, causes and ranges across them."""
        where = f"{where}.{key}"
        node = parent[key]
        if not isinstance(node, LocatedList):
            self.check.report(
                parent.line_of(key), where, f"expected a list of options (- id: …), found {kind_of(node)}"
            )
            return []
        if not node:
            self.check.report(parent.line_of(key), where, "the list is empty; add at least one option")
            return []
        built: list[Any] = []
        first_line: dict[str, int] = {}
        fields = OPTION_FIELDS[kind]
        for index, item in enumerate(node):
            item_where = f"{where}[{index + 1}]"
            shape = self.check.check(item, _shapes().options[kind], item_where, node.line_of(index))
            if shape is None:
                continue
            option_id: str = value_of(shape, "id")
            line = item.line_of("id")
            if option_id in first_line:
                self.check.report(
                    line,
                    f"{item_where}.id",
                    f"{option_id!r} is used twice in this list (first at line {first_line[option_id]}); "
                    "give each option its own id",
                )
                continue
            first_line[option_id] = line
            extra = {
                name: self.field(item, item_where, name, spec, value_of(shape, name), causes)
                for name, spec in fields.items()
            }
            for name, spec in fields.items():  # an optional key written with nothing after it is not left out
                if name in item and item[name] is None:
                    self.check.check(None, _SPECS[spec.rstrip("?")][0], f"{item_where}.{name}", item.line_of(name))
                    extra[name] = FAILED
            if any(value is FAILED for value in extra.values()):
                continue
            built.append(_build_option(kind, option_id, self.text(value_of(shape, "label")), extra))
        if kind == "bucket" and len(built) == len(node):
            self._check_ranges(node, where, built)
        return built

    def field(self, item: LocatedDict, where: str, name: str, spec: str, value: Any, causes: frozenset[str]) -> Any:
        """An option's field as the option holds it, by its spec in OPTION_FIELDS (None: an optional key left out)."""
        if value is None:
            return None
        if isinstance(value, TextShape):
            return self.text(value)
        if spec.startswith("words"):
            return tuple(word.strip() for word in value)
        if spec.startswith("ids"):
            unknown = [cause for cause in value if cause not in causes]
            for cause in unknown:
                self.check.report(
                    line_of(item[name], value.index(cause), item.line_of(name)),
                    f"{where}.{name}",
                    f"{cause!r} is not a cause id; the causes are: {_listed(sorted(causes))}",
                )
            return FAILED if unknown else frozenset(value)
        return value

    def _check_ranges(self, node: LocatedList, where: str, buckets: list[Bucket]) -> None:
        """Ranges must cover 0, 1, 2, … with no gap or overlap, the last one open-ended, so any typed number fits."""
        expected = 0
        for index, bucket in enumerate(buckets):
            item: LocatedDict = node[index]
            item_where = f"{where}[{index + 1}]"
            last = index == len(buckets) - 1
            if bucket.low != expected:
                self.check.report(
                    item.line_of("min"),
                    f"{item_where}.min",
                    f"is {bucket.low}, but must be {expected}: the ranges must follow each other "
                    "from 0 with no gap or overlap",
                )
            if bucket.high is not None and bucket.high < bucket.low:
                self.check.report(item.line_of("max"), f"{item_where}.max", f"is below min ({bucket.low})")
            if last and bucket.high is not None:
                self.check.report(
                    item.line_of("max"),
                    f"{item_where}.max",
                    "the last option must have no max, so it covers every larger number; remove this line",
                )
            if not last and bucket.high is None:
                self.check.report(item.line, item_where, "only the last option may leave out max; add max: <number>")
                return
            expected = (bucket.high or 0) + 1


def _build_option(kind: str, option_id: str, label: Text, extra: dict[str, Any]) -> Option:
    also = extra.get("also") or ()
    if kind == "bucket":
        return Bucket(option_id, label, low=extra["min"], high=extra["max"], said=extra["said"], also=also)
    if kind == "cause":
        return Cause(option_id, label, reason=extra["reason"], before_due=extra["before_due"], also=also)
    if kind == "material":
        causes = extra["causes"] or frozenset()
        return Material(option_id, label, causes=causes, script=extra["script"], also=also)
    if kind == "channel":
        return Channel(option_id, label, how=extra["how"], greeting=extra["greeting"], also=also)
    return Option(option_id, label, said=extra["said"], also=also)


def _cause_ids_declared(steps: object) -> frozenset[str]:
    """The cause ids, read leniently first, so materials can be checked against them."""
    if not isinstance(steps, dict) or not isinstance(steps.get("cause"), dict):
        return frozenset()
    options = steps["cause"].get("options")
    if not isinstance(options, list):
        return frozenset()
    return frozenset(o["id"] for o in options if isinstance(o, dict) and isinstance(o.get("id"), str))


def load_walkthrough(path: Path, traditional: Traditional | None = None) -> Walkthrough:
    """Read and validate walkthrough.yaml; raises KnowledgeError listing every problem found.

    `traditional` (the knowledge base's, with its reviewed phrases) makes the Traditional texts; without it they
    are OpenCC's alone.
    """
    name = str(path)
    check = TextFile(name)
    shapes = _shapes()
    root = load_located(path, name)
    parts = check.parts(root, shapes.file, "the file")
    if parts is None:
        raise KnowledgeError(check.problems)
    load = _Loader(check, traditional)
    for section, keys in SECTIONS.items():
        if section in parts:
            load.add_texts(root[section], keys, section, parts[section])
    marks: dict[str, str] = {}
    if "marks" in parts:
        marks = {mark: value_of(parts["marks"], mark) for mark in _MARKS}
    dont_know: tuple[str, ...] = tuple(word.strip() for word in parts.get("dont_know", ()))

    steps_node = root.get("steps")
    steps = check.parts(steps_node, shapes.steps, "steps", root.line_of("steps")) if "steps" in parts else None
    causes = _cause_ids_declared(steps_node)
    options: dict[str, list[Any]] = {}
    for step_id, (keys, option_list) in STEPS.items():
        where = f"steps.{step_id}"
        if steps is None or step_id not in steps:
            continue
        node = steps_node[step_id]
        load.add_texts(node, keys, where, steps[step_id])
        if option_list is not None:
            options[step_id] = load.options(node, option_list[0], where, option_list[1], causes)
            fixed = FIXED_IDS.get(step_id)
            found = [option.id for option in options[step_id]]
            if fixed is not None and found and sorted(found) != sorted(fixed):
                check.report(
                    node.line_of(option_list[0]),
                    f"{where}.{option_list[0]}",
                    f"the ids here must be exactly {_listed(fixed)} (each leads somewhere of its own); "
                    f"found {_listed(found)}",
                )

    if check.problems:
        raise KnowledgeError(check.sorted_problems())
    return Walkthrough(
        texts=MappingProxyType(load.texts),
        marks=MappingProxyType(marks),
        products=tuple(options["product"]),
        days=tuple(options["days"]),
        amounts=tuple(options["amount"]),
        causes=tuple(options["cause"]),
        materials=tuple(options["materials"]),
        channels=tuple(options["channel"]),
        requests=tuple(options["requests"]),
        monthly=tuple(options["monthly"]),
        results=tuple(options["result"]),
        dont_know=dont_know,
    )
