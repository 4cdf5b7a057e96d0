"""Loads knowledge/walkthrough.yaml — every text and option of the negotiation walkthrough — into an immutable value.

Validation reports every problem at once, each as `file:line: where: what to do`, so an admin can fix the YAML from
the message alone. The shape the file must have is declared once below (`SECTIONS`, `STEPS`, `OPTION_FIELDS`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from bot.core.flow import AGREED, REFUSED, STILL_WAITING
from bot.core.i18n import AUTHORED_LANGS, Lang, Traditional, pick
from bot.core.placeholders import placeholder_problems
from bot.core.yamlsrc import LocatedDict, LocatedList, load_located
from bot.errors import KnowledgeError, Problem

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
    "amount": ({"prompt": (), "typed": ("n",)}, ("options", "bucket")),
    "cause": ({"prompt": ()}, ("options", "cause")),
    "materials": ({"prompt": (), "count": ("done", "total")}, ("items", "material")),
    "channel": ({"prompt": (), "line": ("label", "how")}, ("options", "channel")),
    "requests": (
        {"prompt": (), "situation": ("facts",), "reason": ("cause", "reason"), "reason_unknown": ()},
        ("options", "plain"),
    ),
    "monthly": ({"prompt": (), "typed": ("n",)}, ("options", "plain")),
    "contact": ({"prompt": ("how",), "no_channel": (), "script": ("script",), "after": ()}, None),
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

# Fields an option of each kind has besides `id` and `label`: "text" or "int" or "int?" (may be left out) or "ids".
OPTION_FIELDS: Final[Mapping[str, Mapping[str, str]]] = {
    "plain": {"said": "text?", "also": "words?"},
    "bucket": {"min": "int", "max": "int?", "said": "text?", "also": "words?"},
    "cause": {"reason": "text", "before_due": "text?", "also": "words?"},
    "material": {"causes": "ids?", "script": "text?"},
    "channel": {"how": "text", "greeting": "text", "also": "words?"},
}

_MARKS: Final = ("checked", "unchecked", "chosen")


def _kind_of(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "nothing"
    return type(value).__name__


def _listed(names: Any) -> str:
    return ", ".join(str(name) for name in names)


class _Checker:
    """Collects every problem of one file while building its values; a builder returns None where it failed."""

    def __init__(self, path: str, traditional: Traditional | None = None) -> None:
        self.traditional = traditional
        self.path = path
        self.problems: list[Problem] = []

    def report(self, line: int, where: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, f"{where}: {message}"))

    def mapping(self, value: object, line: int, where: str) -> LocatedDict | None:
        if isinstance(value, LocatedDict):
            return value
        self.report(line, where, f"expected a mapping of keys (key: value lines), found {_kind_of(value)}")
        return None

    def keys(self, node: LocatedDict, line: int, where: str, required: Any, optional: Any = ()) -> None:
        """Report keys that are missing (at `line`, where the mapping is named) or unknown here."""
        allowed = [*required, *optional]
        for key in node:
            if isinstance(key, bool):
                self.report(
                    node.line_of(key),
                    where,
                    'YAML reads a bare yes/no/on/off key as true/false; put the key in quotes, like "yes":',
                )
            elif key not in allowed:
                self.report(
                    node.line_of(key),
                    where,
                    f"unknown key {key!r}; the keys allowed here are: {_listed(sorted(allowed))}",
                )
        for key in required:
            if key not in node:
                self.report(line, where, f"the key {key!r} is missing; add it")

    def text(self, parent: LocatedDict, key: str, where: str, placeholders: tuple[str, ...]) -> Text | None:
        if key not in parent:
            return None  # already reported by keys()
        where = f"{where}.{key}"
        line = parent.line_of(key)
        node = parent[key]
        if not isinstance(node, LocatedDict):
            self.report(
                line,
                where,
                f"expected the text in each language (zh-hans: …, en: …), found {_kind_of(node)}",
            )
            return None
        authored = [lang.value for lang in AUTHORED_LANGS]
        found: dict[str, str] = {}
        for lang_key, value in node.items():
            value_line = node.line_of(lang_key)
            if lang_key == Lang.ZH_HANT.value:
                self.report(value_line, where, "zh-hant is made from zh-hans automatically; remove the zh-hant line")
            elif lang_key not in authored:
                self.report(value_line, where, f"unknown language {lang_key!r}; write zh-hans and en")
            elif not isinstance(value, str):
                self.report(value_line, f"{where}.{lang_key}", f"expected a text, found {_kind_of(value)}")
            elif not value.strip():
                self.report(value_line, f"{where}.{lang_key}", "the text is empty; write what users should read")
            elif self._placeholders_ok(value, value_line, f"{where}.{lang_key}", placeholders):
                found[lang_key] = value
        for lang_key in authored:
            if lang_key not in node:
                self.report(line, where, f"the {lang_key} text is missing; every text needs zh-hans and en")
        if set(found) != set(authored):
            return None
        zh_hans, en = found[Lang.ZH_HANS.value], found[Lang.EN.value]
        if self.traditional is None:
            return Text(zh_hans=zh_hans, en=en)
        return Text(zh_hans=zh_hans, en=en, derived=self.traditional.derive({Lang.ZH_HANS.value: zh_hans}))

    def _placeholders_ok(self, value: str, line: int, where: str, placeholders: tuple[str, ...]) -> bool:
        problems = placeholder_problems(value, placeholders)
        for problem in problems:
            self.report(line, where, problem)
        return not problems

    def options(self, parent: LocatedDict, key: str, where: str, kind: str, causes: frozenset[str]) -> list[Any]:
        """Build the option list at parent[key] (ids checked, then kind-specific fields)."""
        if key not in parent:
            return []
        where = f"{where}.{key}"
        node = parent[key]
        if not isinstance(node, LocatedList):
            self.report(parent.line_of(key), where, f"expected a list of options (- id: …), found {_kind_of(node)}")
            return []
        if not node:
            self.report(parent.line_of(key), where, "the list is empty; add at least one option")
            return []
        built: list[Any] = []
        first_line: dict[str, int] = {}
        fields = OPTION_FIELDS[kind]
        required = ["id", "label", *(name for name, spec in fields.items() if not spec.endswith("?"))]
        optional = [name for name, spec in fields.items() if spec.endswith("?")]
        for index, item in enumerate(node):
            item_where = f"{where}[{index + 1}]"
            item_node = self.mapping(item, node.line_of(index), item_where)
            if item_node is None:
                continue
            self.keys(item_node, node.line_of(index), item_where, required, optional)
            option_id = self._option_id(item_node, item_where, first_line)
            label = self.text(item_node, "label", item_where, ())
            extra = self._option_fields(item_node, item_where, fields, causes)
            if option_id is None or label is None or extra is None:
                continue
            built.append(_build_option(kind, option_id, label, extra))
        if kind == "bucket" and len(built) == len(node):
            self._check_ranges(node, where, built)
        return built

    def _option_id(self, item: LocatedDict, where: str, first_line: dict[str, int]) -> str | None:
        if "id" not in item:
            return None
        value = item["id"]
        line = item.line_of("id")
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            self.report(
                line,
                f"{where}.id",
                f"{value!r} is not a usable id; write lowercase letters, digits and _ "
                "(starting with a letter, at most 24), and never change it once users have answered",
            )
            return None
        if value in first_line:
            self.report(
                line,
                f"{where}.id",
                f"{value!r} is used twice in this list (first at line {first_line[value]}); "
                "give each option its own id",
            )
            return None
        first_line[value] = line
        return value

    def _option_fields(
        self, item: LocatedDict, where: str, fields: Mapping[str, str], causes: frozenset[str]
    ) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        ok = True
        for name, spec in fields.items():
            if name not in item:
                if spec.endswith("?"):
                    values[name] = None
                else:
                    ok = False  # reported by keys()
                continue
            line = item.line_of(name)
            value = item[name]
            if spec.startswith("text"):
                values[name] = self.text(item, name, where, ())
                ok = ok and values[name] is not None
            elif spec.startswith("int"):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    self.report(line, f"{where}.{name}", f"expected a whole number ≥ 0, found {value!r}")
                    ok = False
                values[name] = value
            elif spec.startswith("ids"):
                values[name] = self._cause_ids(value, line, f"{where}.{name}", causes)
                ok = ok and values[name] is not None
            elif spec.startswith("words"):
                values[name] = self.words(value, line, f"{where}.{name}")
                ok = ok and values[name] is not None
        return values if ok else None

    def words(self, value: object, line: int, where: str) -> tuple[str, ...] | None:
        """A list of words or phrases in any language, such as [打电话, call, 95188]."""
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.report(line, where, f"expected a list of words like [打电话, call], found {_kind_of(value)}")
            return None
        return tuple(v.strip() for v in value)

    def _cause_ids(self, value: object, line: int, where: str, causes: frozenset[str]) -> frozenset[str] | None:
        if not isinstance(value, LocatedList) or not all(isinstance(v, str) for v in value):
            self.report(line, where, f"expected a list of cause ids like [income_drop], found {_kind_of(value)}")
            return None
        unknown = [v for v in value if v not in causes]
        for name in unknown:
            self.report(
                value.line_of(list(value).index(name)),
                where,
                f"{name!r} is not a cause id; the causes are: {_listed(sorted(causes))}",
            )
        return None if unknown else frozenset(value)

    def _check_ranges(self, node: LocatedList, where: str, buckets: list[Bucket]) -> None:
        """Ranges must cover 0, 1, 2, … with no gap or overlap, the last one open-ended, so any typed number fits."""
        expected = 0
        for index, bucket in enumerate(buckets):
            item: LocatedDict = node[index]
            item_where = f"{where}[{index + 1}]"
            last = index == len(buckets) - 1
            if bucket.low != expected:
                self.report(
                    item.line_of("min"),
                    f"{item_where}.min",
                    f"is {bucket.low}, but must be {expected}: the ranges must follow each other "
                    "from 0 with no gap or overlap",
                )
            if bucket.high is not None and bucket.high < bucket.low:
                self.report(item.line_of("max"), f"{item_where}.max", f"is below min ({bucket.low})")
            if last and bucket.high is not None:
                self.report(
                    item.line_of("max"),
                    f"{item_where}.max",
                    "the last option must have no max, so it covers every larger number; remove this line",
                )
            if not last and bucket.high is None:
                self.report(item.line, item_where, "only the last option may leave out max; add max: <number>")
                return
            expected = (bucket.high or 0) + 1


def _build_option(kind: str, option_id: str, label: Text, extra: dict[str, Any]) -> Option:
    also = extra.get("also") or ()
    if kind == "bucket":
        return Bucket(option_id, label, low=extra["min"], high=extra["max"], said=extra["said"], also=also)
    if kind == "cause":
        return Cause(option_id, label, reason=extra["reason"], before_due=extra["before_due"], also=also)
    if kind == "material":
        return Material(option_id, label, causes=extra["causes"] or frozenset(), script=extra["script"])
    if kind == "channel":
        return Channel(option_id, label, how=extra["how"], greeting=extra["greeting"], also=also)
    return Option(option_id, label, said=extra["said"], also=also)


def _cause_ids_declared(steps: LocatedDict | None) -> frozenset[str]:
    """The cause ids, read leniently first, so materials can be checked against them."""
    if steps is None or not isinstance(steps.get("cause"), dict):
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
    check = _Checker(name, traditional)
    root = check.mapping(load_located(path, name), 1, "the file")
    if root is None:
        raise KnowledgeError(check.problems)
    check.keys(root, 1, "the file", [*SECTIONS, "marks", "steps"], ["dont_know"])

    texts: dict[str, Text] = {}
    for section, keys in SECTIONS.items():
        node = check.mapping(root[section], root.line_of(section), section) if section in root else None
        if node is None:
            continue
        check.keys(node, root.line_of(section), section, keys)
        for key, placeholders in keys.items():
            text = check.text(node, key, section, placeholders)
            if text is not None:
                texts[f"{section}.{key}"] = text

    marks: dict[str, str] = {}
    marks_node = check.mapping(root["marks"], root.line_of("marks"), "marks") if "marks" in root else None
    if marks_node is not None:
        check.keys(marks_node, root.line_of("marks"), "marks", _MARKS)
        for key in _MARKS:
            value = marks_node.get(key)
            if key in marks_node and (not isinstance(value, str) or not value.strip()):
                check.report(marks_node.line_of(key), f"marks.{key}", f"expected a short symbol, found {value!r}")
            elif isinstance(value, str):
                marks[key] = value

    dont_know = check.words(root["dont_know"], root.line_of("dont_know"), "dont_know") if "dont_know" in root else ()

    steps = check.mapping(root["steps"], root.line_of("steps"), "steps") if "steps" in root else None
    causes = _cause_ids_declared(steps)
    options: dict[str, list[Any]] = {}
    if steps is not None:
        check.keys(steps, root.line_of("steps"), "steps", STEPS)
        for step_id, (keys, option_list) in STEPS.items():
            where = f"steps.{step_id}"
            node = check.mapping(steps[step_id], steps.line_of(step_id), where) if step_id in steps else None
            if node is None:
                continue
            check.keys(node, steps.line_of(step_id), where, [*keys, *([option_list[0]] if option_list else [])])
            for key, placeholders in keys.items():
                text = check.text(node, key, where, placeholders)
                if text is not None:
                    texts[f"{where}.{key}"] = text
            if option_list is not None:
                options[step_id] = check.options(node, option_list[0], where, option_list[1], causes)
                fixed = FIXED_IDS.get(step_id)
                found = [option.id for option in options[step_id]]
                if fixed is not None and option_list[0] in node and found and sorted(found) != sorted(fixed):
                    check.report(
                        node.line_of(option_list[0]),
                        f"{where}.{option_list[0]}",
                        f"the ids here must be exactly {_listed(fixed)} (each leads somewhere of its own); "
                        f"found {_listed(found)}",
                    )

    if check.problems:
        raise KnowledgeError(sorted(check.problems, key=lambda problem: problem.line))
    return Walkthrough(
        texts=MappingProxyType(texts),
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
        dont_know=dont_know or (),
    )
