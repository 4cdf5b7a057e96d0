"""Loads knowledge/walkthrough.yaml into a `Walkthrough`, reporting every problem at once.

Each problem reads `file:line: where: what to do`, so an admin can fix the YAML from the message alone. Each value is
checked against its declared shape (bot/core/walkthrough/shapes.py) by the shared checker (bot/core/textfiles.py,
bot/schema.py); this module builds the values and adds the checks across them: ids used twice, causes that do not
exist, bucket ranges with a gap, option lists whose ids the code relies on.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import msgspec

from bot.core.i18n import Lang, Traditional
from bot.core.textfiles import TextFile, TextShape, value_of
from bot.core.walkthrough.model import Bucket, Cause, Channel, Material, Option, Text, Walkthrough
from bot.core.walkthrough.shapes import (
    FIELD_TYPES,
    FIXED_IDS,
    MARKS,
    OPTION_FIELDS,
    SAID_MOVES,
    SECTIONS,
    STEPS,
    file_shapes,
)
from bot.core.yamlsrc import LocatedDict, LocatedList, load_located
from bot.errors import KnowledgeError
from bot.schema import FAILED, kind_of, line_of


def _listed(names: Any) -> str:
    return ", ".join(str(name) for name in names)


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
            shape = self.check.check(item, file_shapes().options[kind], item_where, node.line_of(index))
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
                    self.check.check(None, FIELD_TYPES[spec.rstrip("?")][0], f"{item_where}.{name}", item.line_of(name))
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
    shapes = file_shapes()
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
        marks = {mark: value_of(parts["marks"], mark) for mark in MARKS}
    dont_know: tuple[str, ...] = tuple(word.strip() for word in parts.get("dont_know", ()))
    not_in_writing: tuple[str, ...] = tuple(word.strip() for word in parts.get("not_in_writing", ()))
    word_lists = ("unsure", "yes_words", "no_words", "corrections")
    words = {key: tuple(word.strip() for word in parts.get(key, ())) for key in word_lists}
    said = parts.get("said_moves")
    said_moves = {move: tuple(word.strip() for word in value_of(said, move)) for move in SAID_MOVES} if said else {}

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
        unsure=words["unsure"],
        yes_words=words["yes_words"],
        no_words=words["no_words"],
        corrections=words["corrections"],
        said_moves=MappingProxyType(said_moves),
        not_in_writing=not_in_writing,
    )
