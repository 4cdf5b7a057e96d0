"""Turns a knowledge folder into a `KnowledgeBase`, or a KnowledgeError listing each problem as `file:line: the fix`.

Each file is read with its lines kept (bot/core/yamlsrc.py) and checked against its declared shape
(bot/core/knowledge/shapes.py) by the shared checker (bot/schema.py); this module words what the checker reports the
way an admin reads it, and checks what no single value shows: unique ids and examples, related ids that exist, the
texts the code needs, the {placeholders} each text may use, lengths, and Simplified/Traditional wording.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.core.i18n import Phrase, Traditional, to_simplified
from bot.core.knowledge.model import Entry, KnowledgeBase
from bot.core.knowledge.shapes import (
    LOADED_BESIDE,
    MAX_ID_CHARS,
    MAX_TITLE_CHARS,
    MIN_EXAMPLES,
    REQUIRED_ENTRY_IDS,
    REQUIRED_TEXT_KEYS,
    TEXT_PLACEHOLDERS,
    TOOL_TEXTS,
    AliasesFile,
    Authored,
    EntriesFile,
    EntryShape,
    TextsFile,
    TraditionalFile,
    Wordings,
    Words,
)
from bot.core.language import Written, detect
from bot.core.placeholders import placeholder_problems
from bot.core.yamlsrc import load_located, read_source
from bot.errors import KnowledgeError, Problem
from bot.schema import FAILED, Issue, conform, line_of

T = TypeVar("T")

#: How the checker's place ("answer.zh-hans", "texts.greeting.en") is named for an admin: (label, what).
Namer = Callable[[str], tuple[str, str]]
_ITEM_AT_END = re.compile(r"\[\d+\]$")


class _File:
    """One file's problems, worded for an admin and collected so checking goes on after the first one."""

    def __init__(self, shown_as: str, problems: list[Problem]) -> None:
        self.shown_as = shown_as
        self.problems = problems

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown_as, line, message))

    def check(self, value: Any, shape: type[T], namer: Namer, *, line: int = 1) -> T | None:
        """`value` as `shape`, or None after adding every problem the checker found."""

        def report(at: int, place: str, issue: Issue) -> None:
            self.add(at, _worded(issue, "" if place == "the file" else place, namer))

        result = conform(value, shape, report=report, line=line)
        return None if result is FAILED else result


def _plain(place: str) -> tuple[str, str]:
    return "", place


def _worded(issue: Issue, place: str, namer: Namer) -> str:
    """The message a shape declares for this kind of problem (see shapes.py), else a plain one."""
    if issue.item is not None:
        place = _ITEM_AT_END.sub("", place)
    key = issue.value if issue.kind in {"unknown_key", "missing", "bad_key"} else place.rsplit(".", 1)[-1]
    label, what = namer(place)
    context = {
        "label": label,
        "what": what,
        "place": place,
        "key": key,
        "value": issue.value,
        "found": type(issue.value).__name__,
        "wanted": _WANTED.get(issue.wanted, issue.wanted),
        "n": issue.item,
        "allowed": ", ".join(issue.allowed),
        "allowed_sorted": ", ".join(sorted(issue.allowed)),
    }
    declared: Mapping[str, str] = getattr(issue.record, "messages", {}) if issue.record is not None else {}
    template = (
        declared.get(f"{issue.kind}:{key}")
        or declared.get(issue.kind)
        or issue.extra.get(issue.kind)
        or _PLAIN.get(issue.kind if issue.wanted != "array" else "not_a_list")
    )
    if template is None:
        return f"{what}: {issue.text}" if what else issue.text
    return template.format(**context)


_WANTED: Mapping[str, str] = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false"}
_PLAIN: Mapping[str, str] = {
    "not_a_list": "'{place}' must be a list, got {found}",
    "wrong_type": "{what} must be {wanted}, got {found}",
    "unknown_key": "{what}: unknown key '{key}' (allowed: {allowed_sorted})",
    "missing": "{what}: '{key}' is missing",
}


def _entry_namer(raw: Any) -> Namer:
    entry_id = raw.get("id") if isinstance(raw, Mapping) else None
    label = f"entry '{entry_id}'" if isinstance(entry_id, str) else "an entry"
    return lambda place: (label, f"{label}: {place}" if place else label)


def _table_namer(section: str, noun: str, table: Any) -> Namer:
    """Names `section.KEY[.sub]` as (noun 'KEY', noun 'KEY'.sub): a text of texts.yaml, a phrase of traditional.yaml."""

    def name(place: str) -> tuple[str, str]:
        if not place.startswith(f"{section}."):
            return "", place
        rest = place[len(section) + 1 :]
        key, sub = (rest, "") if not isinstance(table, Mapping) or rest in table else rest.rsplit(".", 1)
        label = f"{noun} '{key}'"
        return label, f"{label}.{sub}" if sub else label

    return name


def _ignore(_line: int, _place: str, _issue: Issue) -> None:
    return None


def _fitting(table: object, kind: type[T] | Any) -> dict[str, Any]:
    """The items of a table that fit `kind` (its problems being reported already), so they are checked further."""
    if not isinstance(table, Mapping):
        return {}
    fitting = {key: conform(value, kind, report=_ignore) for key, value in table.items() if isinstance(key, str)}
    return {key: value for key, value in fitting.items() if value is not FAILED}


# --- entries/*.yaml --------------------------------------------------------------------------------------------------


def _entries(path: Path, out: _File, seen: Callable[[bytes], object]) -> list[tuple[Entry, _File, Any]]:
    data = load_located(path, out.shown_as, seen)
    if data is None:
        return []
    out.check(data, EntriesFile, _plain)
    raw_entries = data.get("entries") if isinstance(data, Mapping) else None
    if not isinstance(raw_entries, list):
        return []
    parsed = []
    for index, raw in enumerate(raw_entries):
        line = line_of(raw_entries, index, 1)
        entry = _entry(raw, line, out)
        if entry is not None:
            parsed.append((entry, out, raw))
    return parsed


def _entry(raw: Any, line: int, out: _File) -> Entry | None:
    namer = _entry_namer(raw)
    shape = out.check(raw, EntryShape, namer, line=line)
    if shape is None:
        return None
    label = namer("")[0]
    if len(shape.id) > MAX_ID_CHARS:  # kept, so links to it resolve
        too_long = f"id '{shape.id[:20]}…' has {len(shape.id)} characters; shorten it to at most {MAX_ID_CHARS}"
        out.add(line_of(raw, "id", line), f"{too_long} (it travels inside buttons)")
    title = shape.title.by_language()
    for lang_key, text in title.items():
        if len(text) > MAX_TITLE_CHARS:
            too_long = f"{label}: title.{lang_key} has {len(text):,} characters; keep it to {MAX_TITLE_CHARS}"
            out.add(line_of(raw["title"], lang_key, line), f"{too_long} (it is a heading and a button label)")
    if len(shape.examples) < MIN_EXAMPLES:
        out.add(
            line_of(raw, "examples", line),
            f"{label} has {len(shape.examples)} example questions; write at least {MIN_EXAMPLES} "
            "(how real users would ask, colloquial ones included)",
        )
        return None
    return Entry(
        id=shape.id,
        kind=shape.kind,
        section=str(shape.section),
        title=title,
        answer=shape.answer.by_language(),
        examples=tuple(example.strip() for example in shape.examples),
        keywords=tuple(keyword.strip() for keyword in shape.keywords),
        related=tuple(other.strip() for other in shape.related),
        source=f"{out.shown_as}:{line}",
    )


def _example_key(text: str) -> str:
    """What makes two examples 'the same question' for the duplicate check: letters and digits only."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _check_cross_references(
    entries: list[tuple[Entry, _File, Any]], required_ids: Iterable[str], problems: list[Problem]
) -> None:
    first_seen: dict[str, Entry] = {}
    for entry, out, _ in entries:
        line = int(entry.source.rsplit(":", 1)[1])
        if entry.id in first_seen:
            out.add(line, f"id '{entry.id}' is used twice (first at {first_seen[entry.id].source}); ids must be unique")
        else:
            first_seen[entry.id] = entry
    seen_examples: dict[str, tuple[str, str]] = {}
    for entry, out, raw in entries:
        _check_examples(entry, out, raw.get("examples"), seen_examples)
        _check_related(entry, out, raw.get("related"), first_seen)
    for required in required_ids:
        if required not in first_seen:
            problems.append(Problem("entries/", 1, f"the entry '{required}' is missing; the bot needs it"))


def _check_examples(entry: Entry, out: _File, examples_node: Any, seen_examples: dict[str, tuple[str, str]]) -> None:
    """An example question belongs to one entry, once; `seen_examples` holds where each was first listed."""
    for index, example in enumerate(entry.examples):
        key = _example_key(example)
        line = line_of(examples_node, index, 1)
        if key in seen_examples and seen_examples[key][0] != entry.id:
            other_id, other_where = seen_examples[key]
            out.add(
                line,
                f"example question '{example}' is listed in '{entry.id}' and in '{other_id}' ({other_where}); "
                "keep it in the one entry whose answer helps",
            )
        elif key in seen_examples:
            out.add(line, f"example question '{example}' is listed twice in '{entry.id}'")
        else:
            seen_examples[key] = (entry.id, f"{out.shown_as}:{line}")


def _check_related(entry: Entry, out: _File, related_node: Any, known: Mapping[str, Entry]) -> None:
    """Related entries exist and are other entries."""
    for index, other in enumerate(entry.related):
        if other == entry.id:
            out.add(line_of(related_node, index, 1), f"entry '{entry.id}' lists itself as related")
        elif other not in known:
            shown = other if len(other) <= MAX_ID_CHARS else f"{other[:MAX_ID_CHARS]}…"
            out.add(line_of(related_node, index, 1), f"entry '{entry.id}' is related to unknown id '{shown}'")


# --- aliases.yaml ----------------------------------------------------------------------------------------------------


_WORD_LISTS = ("fillers", "greetings", "generic", "respell", "crisis", "scams")


@dataclass(frozen=True)
class _Vocabulary:
    """What aliases.yaml holds (see bot/core/knowledge/__init__.py)."""

    aliases: tuple[tuple[str, str], ...] = ()  # (variant, canonical)
    fillers: tuple[str, ...] = ()
    greetings: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()
    respell: tuple[str, ...] = ()
    crisis: tuple[str, ...] = ()
    scams: tuple[str, ...] = ()


def _load_aliases(path: Path, out: _File, seen: Callable[[bytes], object]) -> _Vocabulary:
    data = load_located(path, out.shown_as, seen)
    if data is None:
        sections = ", ".join(AliasesFile.__struct_fields__)
        out.add(1, f"the file is empty; it needs its sections ({sections}), or remove the file")
        return _Vocabulary()
    shape = out.check(data, AliasesFile, _plain)
    if shape is None and not isinstance(data, Mapping):
        return _Vocabulary()
    if shape is None:  # the parts that are right, so their own problems are found as well
        lists = {name: conform(data.get(name) or (), Words, report=_ignore) for name in _WORD_LISTS}
        fitting = {name: words for name, words in lists.items() if words is not FAILED}
        shape = AliasesFile(aliases=_fitting(data.get("aliases"), Words), **fitting)
    aliases: list[tuple[str, str]] = []
    owner: dict[str, str] = {}
    table = data.get("aliases")
    for canonical, variants in shape.aliases.items():
        for index, variant in enumerate(word.strip() for word in variants):
            line = line_of(table[canonical], index, 1)
            if variant == canonical:
                out.add(line, f"'{variant}' is listed as a variant of itself")
            elif variant in owner and owner[variant] != canonical:
                out.add(line, f"'{variant}' is a variant of both '{owner[variant]}' and '{canonical}'; pick one")
            else:
                owner[variant] = canonical
                aliases.append((variant, canonical))

    def words(listed: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(word.strip() for word in listed)

    return _Vocabulary(
        tuple(aliases),
        fillers=words(shape.fillers),
        greetings=words(shape.greetings),
        generic=words(shape.generic),
        respell=words(shape.respell),
        crisis=words(shape.crisis),
        scams=words(shape.scams),
    )


# --- texts.yaml and tools.yaml ---------------------------------------------------------------------------------------


def _load_texts(
    path: Path,
    out: _File,
    required: Iterable[str],
    placeholders: Mapping[str, tuple[str, ...]],
    seen: Callable[[bytes], object],
) -> tuple[dict[str, dict[str, str]], Any]:
    """The texts that are right, and the `texts:` table as written (for the lines)."""
    data = load_located(path, out.shown_as, seen)
    table = data.get("texts") if isinstance(data, Mapping) else None
    shape = out.check(data, TextsFile, _table_namer("texts", "text", table))
    if not isinstance(table, Mapping):
        return {}, table
    # the texts that are right are kept when others are not, so their placeholders and keys are checked too
    written = shape.texts if shape is not None else _fitting(table, Authored)
    texts: dict[str, dict[str, str]] = {}
    for key, authored in written.items():
        parsed = authored.by_language()
        if _placeholders_ok(key, parsed, placeholders.get(key, ()), table[key], out):
            texts[key] = parsed
    for key in required:
        if key not in table:
            out.add(getattr(table, "line", 1), f"text '{key}' is missing; the bot uses it")
    return texts, table


def _placeholders_ok(key: str, texts: Mapping[str, str], names: tuple[str, ...], node: Any, out: _File) -> bool:
    """A text may use only the {placeholders} the code fills in for it (see bot/core/placeholders.py)."""
    ok = True
    for lang_key, text in texts.items():
        for problem in placeholder_problems(text, names):
            out.add(line_of(node, lang_key, 1), f"text '{key}'.{lang_key}: {problem}")
            ok = False
    return ok


def _load_tool_texts(
    path: Path,
    out: _File,
    required: Mapping[str, tuple[str, ...]],
    taken: set[str],
    seen: Callable[[bytes], object],
) -> dict[str, dict[str, str]]:
    """tools.yaml: like texts.yaml, but each text may use only the placeholders `required` declares for it."""
    if not path.is_file():
        out.add(1, "tools.yaml is missing; the reminders', diary's and feedback's texts live there")
        return {}
    texts, table = _load_texts(path, out, required, required, seen)
    for key in texts:
        line = line_of(table, key, 1)
        if key in taken:
            out.add(line, f"text '{key}' is also in texts.yaml; keep it in one file")
        if key not in required:
            out.add(line, f"unknown text '{key}'; the tools use: {', '.join(sorted(required))}")
    return texts


# --- traditional.yaml ------------------------------------------------------------------------------------------------


def _load_traditional(path: Path, out: _File, seen: Callable[[bytes], object]) -> Traditional:
    """traditional.yaml: reviewed Traditional wording for Simplified phrases OpenCC converts wrongly."""
    data = load_located(path, out.shown_as, seen)
    if data is None:
        return Traditional()
    table = data.get("phrases") if isinstance(data, Mapping) else None
    shape = out.check(data, TraditionalFile, _table_namer("phrases", "phrase", table))
    if shape is None:
        return Traditional()
    phrases = [_phrase(simplified, value, table, out) for simplified, value in shape.phrases.items()]
    return Traditional([phrase for phrase in phrases if phrase is not None])


def _phrase(simplified: str, value: str | Wordings, table: Any, out: _File) -> Phrase | None:
    """One reviewed phrase of traditional.yaml, or None once what is wrong with it is reported."""
    line = line_of(table, simplified, 1)
    if to_simplified(simplified) != simplified:
        out.add(line, f"phrase '{simplified}' is not Simplified Chinese; write it as the zh-hans texts do")
        return None
    if isinstance(value, str) and not value.strip():
        for region in ("tw", "hk"):
            out.add(line, f"phrase '{simplified}': the {region} text must be non-empty text, got {value!r}")
        return None
    wordings = Wordings(tw=value, hk=value) if isinstance(value, str) else value
    if wordings.tw is None and wordings.hk is None:
        out.add(line, f"phrase '{simplified}' needs its Traditional text, or {{tw: …, hk: …}}")
        return None
    ok = True
    for region, text in (("tw", wordings.tw), ("hk", wordings.hk)):
        if text is not None and detect(text) is Written.SIMPLIFIED:
            where = line_of(table[simplified] if isinstance(table, Mapping) else None, region, line)
            out.add(where, f"phrase '{simplified}': '{text}' reads as Simplified; write the Traditional text")
            ok = False
    return Phrase(simplified, wordings.tw, wordings.hk, source=f"{out.shown_as}:{line}") if ok else None


# --- the folder ------------------------------------------------------------------------------------------------------


def _present(path: Path) -> bool:
    """Whether something is at `path`, a broken or looping symbolic link included (reading it says what is wrong)."""
    return path.is_symlink() or path.exists()


def _with_traditional(entry: Entry, traditional: Traditional) -> Entry:
    return replace(entry, title=traditional.derive(entry.title), answer=traditional.derive(entry.answer))


class _Folder:
    """The knowledge folder being read: every problem found so far, and the version digest of what was read."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []
        self.digest = hashlib.sha256()

    def file(self, path: Path) -> _File:
        return _File(path.relative_to(self.directory).as_posix(), self.problems)

    def reading(self, load: Callable[[], T], default: T) -> T:
        """`load()`, or `default` once a file that cannot be read or parsed is reported."""
        try:
            return load()
        except KnowledgeError as error:
            self.problems.extend(error.problems)
            return default


def _read_entries(folder: _Folder) -> list[tuple[Entry, _File, Any]]:
    """Every entry of entries/*.yaml, with its file and raw node (for line numbers), in file order."""
    entries_dir = folder.directory / "entries"
    entry_files = sorted(entries_dir.glob("*.yaml")) if entries_dir.is_dir() else []
    if not entry_files:
        folder.problems.append(Problem("entries/", 1, "no entry files: put YAML files with 'entries:' in entries/"))
    parsed: list[tuple[Entry, _File, Any]] = []
    for path in entry_files:
        parsed += folder.reading(partial(_entries, path, folder.file(path), folder.digest.update), [])
    return parsed


def _read_texts(
    folder: _Folder, required_texts: Iterable[str], required_tools: Mapping[str, tuple[str, ...]]
) -> dict[str, dict[str, str]]:
    """The bot's own sentences (texts.yaml) and the tools' (tools.yaml), by key."""
    texts: dict[str, dict[str, str]] = {}
    texts_path = folder.directory / "texts.yaml"
    if _present(texts_path):
        file = folder.file(texts_path)
        load = partial(_load_texts, texts_path, file, required_texts, TEXT_PLACEHOLDERS, folder.digest.update)
        texts = folder.reading(load, (texts, None))[0]
    elif list(required_texts):
        folder.problems.append(Problem("texts.yaml", 1, "texts.yaml is missing; the bot's own sentences live there"))
    tools_path = folder.directory / "tools.yaml"
    if tools_path.is_file() or required_tools:
        taken = set(texts)
        no_texts: dict[str, dict[str, str]] = {}
        file = folder.file(tools_path)
        load_tools = partial(_load_tool_texts, tools_path, file, required_tools, taken, folder.digest.update)
        texts |= folder.reading(load_tools, no_texts)
    return texts


def load_knowledge(
    directory: Path,
    *,
    required_ids: Iterable[str] = REQUIRED_ENTRY_IDS,
    required_texts: Iterable[str] = REQUIRED_TEXT_KEYS,
    required_tools: Mapping[str, tuple[str, ...]] = TOOL_TEXTS,
    extra: Callable[[Path, list[Problem]], None] | None = None,
) -> KnowledgeBase:
    """Load every knowledge file under `directory`; raise KnowledgeError listing every problem found."""
    if not directory.is_dir():
        raise KnowledgeError([Problem(str(directory), 1, "the knowledge folder does not exist")])
    folder = _Folder(directory)
    problems, digest, file, reading = folder.problems, folder.digest, folder.file, folder.reading
    parsed = _read_entries(folder)
    _check_cross_references(parsed, required_ids, problems)

    vocabulary = _Vocabulary()
    alias_path = directory / "aliases.yaml"
    if _present(alias_path):
        vocabulary = reading(partial(_load_aliases, alias_path, file(alias_path), digest.update), vocabulary)
    texts = _read_texts(folder, required_texts, required_tools)
    traditional = Traditional()
    traditional_path = directory / "traditional.yaml"
    if _present(traditional_path):
        traditional = reading(
            partial(_load_traditional, traditional_path, file(traditional_path), digest.update), traditional
        )
    for name in LOADED_BESIDE:  # part of the version too: their texts and options are in buttons as well
        if _present(directory / name):
            digest.update(reading(partial(read_source, directory / name, name), b""))
    if extra is not None:
        extra(directory, problems)
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(
        entries=tuple(_with_traditional(entry, traditional) for entry, _, _ in parsed),
        aliases=vocabulary.aliases,
        fillers=vocabulary.fillers,
        generic=vocabulary.generic,
        texts={key: traditional.derive(value) for key, value in texts.items()},
        version=digest.hexdigest()[:8],
        greetings=vocabulary.greetings,
        respell=vocabulary.respell,
        crisis=vocabulary.crisis,
        scams=vocabulary.scams,
        traditional=traditional,
    )
