"""Turns a knowledge folder into a `KnowledgeBase`, or a KnowledgeError listing each problem as `file:line: the fix`.

Each file is read with its lines kept (bot/core/yamlsrc.py) and checked against its declared shape
(bot/core/knowledge/shapes.py) by the shared checker (bot/schema.py), worded for an admin by `problems`; this module
turns what fits into the model and checks the texts the code needs, the {placeholders} each text may use, lengths and
Simplified/Traditional wording. What no single file shows (unique ids and examples, related ids) is in `crosscheck`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.core.i18n import Phrase, Traditional, to_simplified
from bot.core.knowledge.crosscheck import check_cross_references
from bot.core.knowledge.model import Entry, KnowledgeBase
from bot.core.knowledge.problems import FileProblems, entry_namer, fitting_items, ignore, plain, table_namer
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
from bot.schema import FAILED, conform, line_of

T = TypeVar("T")


# --- entries/*.yaml --------------------------------------------------------------------------------------------------


def _entries(path: Path, out: FileProblems, seen: Callable[[bytes], object]) -> list[tuple[Entry, FileProblems, Any]]:
    data = load_located(path, out.shown_as, seen)
    if data is None:
        return []
    out.check(data, EntriesFile, plain)
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


def _entry(raw: Any, line: int, out: FileProblems) -> Entry | None:
    namer = entry_namer(raw)
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


# --- aliases.yaml ----------------------------------------------------------------------------------------------------


_WORD_LISTS = ("fillers", "greetings", "thanks", "generic", "respell", "crisis", "scams", "needs")


@dataclass(frozen=True)
class _Vocabulary:
    """What aliases.yaml holds (see bot/core/knowledge/__init__.py)."""

    aliases: tuple[tuple[str, str], ...] = ()  # (variant, canonical)
    fillers: tuple[str, ...] = ()
    greetings: tuple[str, ...] = ()
    thanks: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()
    respell: tuple[str, ...] = ()
    crisis: tuple[str, ...] = ()
    scams: tuple[str, ...] = ()
    dialect: tuple[tuple[str, str], ...] = ()  # (dialect word, Mandarin word)
    needs: tuple[str, ...] = ()


def _load_aliases(path: Path, out: FileProblems, seen: Callable[[bytes], object]) -> _Vocabulary:
    data = load_located(path, out.shown_as, seen)
    if data is None:
        sections = ", ".join(AliasesFile.__struct_fields__)
        out.add(1, f"the file is empty; it needs its sections ({sections}), or remove the file")
        return _Vocabulary()
    shape = out.check(data, AliasesFile, plain)
    if shape is None and not isinstance(data, Mapping):
        return _Vocabulary()
    if shape is None:  # the parts that are right, so their own problems are found as well
        lists = {name: conform(data.get(name) or (), Words, report=ignore) for name in _WORD_LISTS}
        fitting = {name: words for name, words in lists.items() if words is not FAILED}
        shape = AliasesFile(
            aliases=fitting_items(data.get("aliases"), Words),
            dialect=fitting_items(data.get("dialect"), Words),
            **fitting,
        )

    def words(listed: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(word.strip() for word in listed)

    return _Vocabulary(
        _variants(shape.aliases, data.get("aliases"), out),
        fillers=words(shape.fillers),
        greetings=words(shape.greetings),
        thanks=words(shape.thanks),
        generic=words(shape.generic),
        respell=words(shape.respell),
        crisis=words(shape.crisis),
        scams=words(shape.scams),
        dialect=_variants(shape.dialect, data.get("dialect"), out),
        needs=words(shape.needs),
    )


def _variants(written: Mapping[str, tuple[str, ...]], table: Any, out: FileProblems) -> tuple[tuple[str, str], ...]:
    """(variant, canonical) pairs of an `aliases:` or `dialect:` table, each variant belonging to one word only."""
    pairs: list[tuple[str, str]] = []
    owner: dict[str, str] = {}
    for canonical, variants in written.items():
        for index, variant in enumerate(word.strip() for word in variants):
            line = line_of(table[canonical], index, 1)
            if variant == canonical:
                out.add(line, f"'{variant}' is listed as a variant of itself")
            elif variant in owner and owner[variant] != canonical:
                out.add(line, f"'{variant}' is a variant of both '{owner[variant]}' and '{canonical}'; pick one")
            else:
                owner[variant] = canonical
                pairs.append((variant, canonical))
    return tuple(pairs)


# --- texts.yaml and tools.yaml ---------------------------------------------------------------------------------------


def _load_texts(
    path: Path,
    out: FileProblems,
    required: Iterable[str],
    placeholders: Mapping[str, tuple[str, ...]],
    seen: Callable[[bytes], object],
) -> tuple[dict[str, dict[str, str]], Any]:
    """The texts that are right, and the `texts:` table as written (for the lines)."""
    data = load_located(path, out.shown_as, seen)
    table = data.get("texts") if isinstance(data, Mapping) else None
    shape = out.check(data, TextsFile, table_namer("texts", "text", table))
    if not isinstance(table, Mapping):
        return {}, table
    # the texts that are right are kept when others are not, so their placeholders and keys are checked too
    written = shape.texts if shape is not None else fitting_items(table, Authored)
    texts: dict[str, dict[str, str]] = {}
    for key, authored in written.items():
        parsed = authored.by_language()
        if _placeholders_ok(key, parsed, placeholders.get(key, ()), table[key], out):
            texts[key] = parsed
    for key in required:
        if key not in table:
            out.add(getattr(table, "line", 1), f"text '{key}' is missing; the bot uses it")
    return texts, table


def _placeholders_ok(key: str, texts: Mapping[str, str], names: tuple[str, ...], node: Any, out: FileProblems) -> bool:
    """A text may use only the {placeholders} the code fills in for it (see bot/core/placeholders.py)."""
    ok = True
    for lang_key, text in texts.items():
        for problem in placeholder_problems(text, names):
            out.add(line_of(node, lang_key, 1), f"text '{key}'.{lang_key}: {problem}")
            ok = False
    return ok


def _load_tool_texts(
    path: Path,
    out: FileProblems,
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


def _load_traditional(path: Path, out: FileProblems, seen: Callable[[bytes], object]) -> Traditional:
    """traditional.yaml: reviewed Traditional wording for Simplified phrases OpenCC converts wrongly."""
    data = load_located(path, out.shown_as, seen)
    if data is None:
        return Traditional()
    table = data.get("phrases") if isinstance(data, Mapping) else None
    shape = out.check(data, TraditionalFile, table_namer("phrases", "phrase", table))
    if shape is None:
        return Traditional()
    phrases = [_phrase(simplified, value, table, out) for simplified, value in shape.phrases.items()]
    return Traditional([phrase for phrase in phrases if phrase is not None])


def _phrase(simplified: str, value: str | Wordings, table: Any, out: FileProblems) -> Phrase | None:
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

    def file(self, path: Path) -> FileProblems:
        return FileProblems(path.relative_to(self.directory).as_posix(), self.problems)

    def reading(self, load: Callable[[], T], default: T) -> T:
        """`load()`, or `default` once a file that cannot be read or parsed is reported."""
        try:
            return load()
        except KnowledgeError as error:
            self.problems.extend(error.problems)
            return default


def _read_entries(folder: _Folder) -> list[tuple[Entry, FileProblems, Any]]:
    """Every entry of entries/*.yaml, with its file and raw node (for line numbers), in file order."""
    entries_dir = folder.directory / "entries"
    entry_files = sorted(entries_dir.glob("*.yaml")) if entries_dir.is_dir() else []
    if not entry_files:
        folder.problems.append(Problem("entries/", 1, "no entry files: put YAML files with 'entries:' in entries/"))
    parsed: list[tuple[Entry, FileProblems, Any]] = []
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
    check_cross_references(parsed, required_ids, problems)

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
        thanks=vocabulary.thanks,
        respell=vocabulary.respell,
        crisis=vocabulary.crisis,
        scams=vocabulary.scams,
        dialect=vocabulary.dialect,
        needs=vocabulary.needs,
        traditional=traditional,
    )
