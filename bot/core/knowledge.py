"""Loads and validates the admin-edited knowledge YAML into an immutable `KnowledgeBase`.

Layout of a knowledge folder (see knowledge/README.md):

    entries/*.yaml   `entries:` — one item per topic (`kind: route` for topics the guide does not cover,
                     `kind: offtopic` for chit-chat that is not about overdue loans at all)
    aliases.yaml     `aliases:` canonical → variants users type; `fillers:` words with no topic;
                     `greetings:` hello / thanks words (fillers too; a message of only these gets a kind word);
                     `generic:` question words ("怎么样") that alone do not make a question about loans;
                     `respell:` words a typo that sounds like them is put right to (写商 → 协商);
                     `crisis:`, `scams:` phrases the safety screen (bot/core/safety.py) looks for besides its
                     built-in ones; they can only add (an empty list switches nothing off)
    texts.yaml       `texts:` the bot's own sentences, per language
    tools.yaml       `texts:` the sentences of the tools (reminders, diary, export, feedback), with the
                     {placeholders} each may use declared in `TOOL_TEXTS`
    traditional.yaml `phrases:` reviewed Traditional wording for Simplified phrases OpenCC converts wrongly
                     (注销 → 註銷, not 登出); optional

Every problem is collected (not just the first) and reported as `file:line: sentence`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.core.i18n import AUTHORED_LANGS, Lang, Phrase, Traditional, pick, to_simplified
from bot.core.language import Written, detect
from bot.core.placeholders import placeholder_problems
from bot.core.yamlsrc import LocatedDict, LocatedList, load_located, read_source
from bot.errors import KnowledgeError, Problem

#: Ids other code, admins' statistics and the evaluation refer to; the shipped knowledge base must have them all.
REQUIRED_ENTRY_IDS: tuple[str, ...] = (
    "about.loans", "about.application",
    "causes.economic", "causes.management", "causes.communication",
    "impact.credit", "impact.cost", "impact.legal",
    "respond.contact", "respond.plan", "respond.negotiate",
    "steps.materials", "steps.channel", "steps.demands", "steps.agreement",
    "after.repay", "after.records", "after.credit",
    "overview", "safety.scams",
)  # fmt: skip

#: Texts the code asks for by key; a knowledge base missing one is rejected at load, not at the first user.
REQUIRED_TEXT_KEYS: tuple[str, ...] = (
    "greeting", "help", "fallback", "clarify_prompt", "route_footer", "related_label", "guide_button",
    "continue_guide_button", "chat_quit_hint", "chat_number_hint", "goodbye", "empty_message", "too_long_notice",
    "none_of_these", "courtesy", "crisis", "crisis_mainland", "crisis_taiwan", "crisis_hongkong", "reassurance",
    "non_text", "group_hint", "group_private", "not_your_button", "slow_down", "privacy", "forget_button",
    "forget_confirm", "forget_yes", "forget_no", "forgotten",
    "forget_cancelled", "error_apology", "menu_expired", "language_prompt", "language_set", "unknown_command",
    "nothing_to_cancel", "command_start", "command_guide", "command_plan", "command_resume", "command_cancel",
    "command_help", "command_language", "command_privacy", "command_forget",
    "crisis_again", "crisis_checkin", "crisis_question_button", "unclear_message", "already_shown",
    "show_again_button",
)  # fmt: skip

#: Texts that are filled in, and the {placeholders} each may use; every other text is shown as written.
TEXT_PLACEHOLDERS: Mapping[str, tuple[str, ...]] = {
    "related_label": ("title",), "group_private": ("link",), "language_set": ("language",), "crisis": ("hotlines",),
    "crisis_again": ("hotline",), "crisis_checkin": ("hotline",), "crisis_question_button": ("title",),
}  # fmt: skip
#: An entry id travels in button data (64 bytes with the version and action prefix): this leaves room for both.
MAX_ID_CHARS = 48
#: A title is a message's heading and a button's label; longer than this it is an answer, not a title.
MAX_TITLE_CHARS = 120
#: The tools' texts (tools.yaml) and the {placeholders} each may use; every one is required.
TOOL_TEXTS: Mapping[str, tuple[str, ...]] = {
    "command_reminders": (), "reminder_none": ("tz",), "reminder_list": ("reminders", "tz"),
    "reminder_line": ("what", "next"), "reminder_monthly": ("day",), "reminder_once": ("date",),
    "reminder_credit": ("months",), "reminder_every": ("months",), "reminder_cancel_button": ("n",),
    "reminder_add_button": (), "reminder_credit_button": (), "reminder_tz_button": (), "reminder_list_button": (),
    "reminder_stop_button": (), "reminder_due_prompt": (), "reminder_due_unclear": (), "reminder_past": (),
    "reminder_credit_prompt": (), "reminder_set": ("reminders",), "reminder_too_many": ("max",),
    "reminder_cancelled": (), "reminder_gone": (), "reminder_stopped": (), "reminder_tz_prompt": ("tz",),
    "reminder_tz_other": (), "reminder_tz_type": (), "reminder_tz_unknown": (), "reminder_tz_set": ("tz",),
    "reminder_fire_due": ("date",), "reminder_fire_credit": ("date",), "reminder_late": ("when",),
    "reminder_offer": (),
    "command_log": (), "command_export": (),
    "diary_ask_day": (), "diary_ask_channel": (), "diary_ask_who": (), "diary_ask_said": (), "diary_today": (),
    "diary_yesterday": (), "diary_channel_phone": (), "diary_channel_app": (), "diary_channel_sms": (),
    "diary_channel_letter": (), "diary_channel_visit": (), "diary_channel_other": (), "diary_skip": (),
    "diary_stop_button": (), "diary_list_button": (), "diary_bad_day": ("max",), "diary_future_day": ("max",),
    "diary_use_buttons": ("max",), "diary_too_long": ("max",), "diary_saved": (), "diary_full": ("max",),
    "diary_deleted": (), "diary_gone": (), "diary_stopped": (), "diary_terms_line": ("terms",),
    "diary_delete_button": ("n",), "diary_new_button": (), "diary_export_button": (), "diary_empty": (),
    "diary_list": ("entries", "count"),
    "export_sent": ("count",), "export_title": (), "export_generated": ("date",), "export_terms_heading": (),
    "export_terms_none": (), "export_terms_blank": (), "export_plan_heading": (), "export_diary_heading": ("count",),
    "export_diary_none": (), "export_footer": (),
    "feedback_up": (), "feedback_down": (), "feedback_thanks": (), "feedback_ask_note": (),
    "feedback_skip_button": (), "feedback_noted": (), "feedback_skipped": (),
    "admin_inbox_empty": (), "admin_inbox": ("groups", "total"),
    "admin_inbox_line": ("n", "times", "users", "disliked", "question", "wordings", "entry", "notes"),
    "admin_inbox_no_question": (), "admin_resolve_button": ("n",), "admin_ignore_button": ("n",),
    "admin_csv_button": (), "admin_csv_sent": ("groups",), "admin_group_gone": (),
    "admin_marked_resolved": ("question",), "admin_marked_ignored": ("question",),
    "admin_stats_head": ("users", "active", "unanswered", "version"), "admin_funnel_title": (),
    "admin_funnel_line": ("step", "reached", "stopped"), "admin_period_day": (), "admin_period_week": (),
    "admin_shares": ("period", "answered", "clarified", "fallback", "total"), "admin_votes_title": (),
    "admin_votes_line": ("entry", "up", "down"), "admin_none": (),
}  # fmt: skip

#: Files of the folder that other modules load (bot/core/walkthrough.py, bot/core/plantexts.py); the version covers
#: them, so an edit of any of them and a /reload marks the buttons sent before as stale.
LOADED_BESIDE: tuple[str, ...] = ("walkthrough.yaml", "plan.yaml")

MIN_EXAMPLES = 8
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_ENTRY_FIELDS = {"id", "kind", "section", "title", "answer", "examples", "keywords", "related"}


class EntryKind(StrEnum):
    TOPIC = "topic"  # answered from the guide
    ROUTE = "route"  # the guide does not cover it: say so and route the user to official channels
    OFFTOPIC = "offtopic"  # not about overdue loans at all (thanks, jokes, weather): say what the bot is for

    @property
    def answered(self) -> bool:
        """Whether a match on this kind is an answer from the guide (else: recognised, but honestly declined)."""
        return self is EntryKind.TOPIC


@dataclass(frozen=True)
class Entry:
    id: str
    kind: EntryKind
    section: str
    title: Mapping[str, str]
    answer: Mapping[str, str]
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    related: tuple[str, ...]
    source: str  # "entries/impact.yaml:12", for admins

    def title_in(self, lang: Lang) -> str:
        return pick(self.title, lang)

    def answer_in(self, lang: Lang) -> str:
        return pick(self.answer, lang).strip()


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    aliases: tuple[tuple[str, str], ...]  # (variant, canonical), as written
    fillers: tuple[str, ...]
    generic: tuple[str, ...]
    texts: Mapping[str, Mapping[str, str]]
    version: str  # short content hash: buttons from an older version are recognised as stale
    greetings: tuple[str, ...] = ()
    respell: tuple[str, ...] = ()
    crisis: tuple[str, ...] = ()  # added to the safety screen's built-in crisis phrases
    scams: tuple[str, ...] = ()  # added to its built-in scam phrases
    traditional: Traditional = field(default_factory=Traditional)  # how zh-hans texts become zh-hant / zh-hk
    _by_id: Mapping[str, Entry] = field(repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {entry.id: entry for entry in self.entries})

    def entry(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    @property
    def by_id(self) -> Mapping[str, Entry]:
        return self._by_id

    def text(self, key: str, lang: Lang, **values: str) -> str:
        """A UI text in `lang`, with `{placeholders}` filled; an unknown key is a programming error."""
        template = pick(self.texts[key], lang).strip()
        return template.format(**values) if values else template


class _Collector:
    """Gathers problems for one file so validation can go on after the first one."""

    def __init__(self, shown_as: str, problems: list[Problem]) -> None:
        self.shown_as = shown_as
        self.problems = problems

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.shown_as, line, message))


def _line(container: Any, key: Any) -> int:
    if isinstance(container, (LocatedDict, LocatedList)):
        return container.line_of(key)
    return 1


def _languages(value: Any, what: str, line: int, out: _Collector) -> dict[str, str] | None:
    """Validate a {zh-hans: ..., en: ...} mapping of non-empty strings."""
    if not isinstance(value, Mapping):
        out.add(line, f"{what} must be a mapping with one text per language (zh-hans, en)")
        return None
    result: dict[str, str] = {}
    ok = True
    for lang in AUTHORED_LANGS:
        text = value.get(lang.value)
        if text is None:
            out.add(line, f"{what} has no '{lang.value}' text; add one")
            ok = False
        elif not isinstance(text, str):
            out.add(_line(value, lang.value), f"{what}.{lang.value} must be text, got {type(text).__name__}")
            ok = False
        elif not text.strip():
            out.add(_line(value, lang.value), f"{what}.{lang.value} is empty; write the text")
            ok = False
        else:
            result[lang.value] = text
    for extra in value:
        if extra not in {lang.value for lang in AUTHORED_LANGS}:
            hint = " (Traditional Chinese is made from zh-hans automatically)" if extra == "zh-hant" else ""
            out.add(_line(value, extra), f"{what} has an unknown language '{extra}'; use zh-hans and en{hint}")
            ok = False
    return result if ok else None


def _strings(value: Any, what: str, line: int, out: _Collector, *, required: bool) -> tuple[str, ...] | None:
    if value is None:
        if required:
            out.add(line, f"'{what}' is missing")
            return None
        return ()
    if not isinstance(value, list):
        out.add(line, f"'{what}' must be a list, got {type(value).__name__}")
        return None
    items: list[str] = []
    ok = True
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            out.add(_line(value, index), f"'{what}' item {index + 1} must be non-empty text, got {item!r}")
            ok = False
        else:
            items.append(item.strip())
    return tuple(items) if ok else None


def _parse_entry(raw: Any, line: int, out: _Collector) -> Entry | None:
    if not isinstance(raw, Mapping):
        out.add(line, f"each entry must be a mapping (id, title, answer, examples, …), got {type(raw).__name__}")
        return None
    for key in raw:
        if key not in _ENTRY_FIELDS:
            out.add(_line(raw, key), f"unknown field '{key}' (allowed: {', '.join(sorted(_ENTRY_FIELDS))})")
    entry_id = raw.get("id")
    label = f"entry '{entry_id}'" if isinstance(entry_id, str) else "an entry"
    ok = True
    if entry_id is None:
        out.add(line, "an entry has no 'id'; give it one like 'impact.credit'")
        ok = False
    elif not isinstance(entry_id, str) or not _ID_PATTERN.match(entry_id):
        out.add(_line(raw, "id"), f"id {entry_id!r} must be lowercase words joined by dots, like 'impact.credit'")
        ok = False
    elif len(entry_id) > MAX_ID_CHARS:
        too_long = f"id '{entry_id[:20]}…' has {len(entry_id)} characters; shorten it to at most {MAX_ID_CHARS}"
        out.add(_line(raw, "id"), f"{too_long} (it travels inside buttons)")  # kept, so links to it resolve
    kind_value = raw.get("kind", EntryKind.TOPIC.value)
    if kind_value not in {k.value for k in EntryKind}:
        out.add(_line(raw, "kind"), f"{label}: kind must be 'topic', 'route' or 'offtopic', got {kind_value!r}")
        ok = False
    section = raw.get("section", "")
    if not isinstance(section, (str, int, float)):
        out.add(_line(raw, "section"), f'{label}: section must be text like "3.1"')
        ok = False
    title = _languages(raw.get("title"), f"{label}: title", _line(raw, "title"), out)
    for lang_key, text in (title or {}).items():
        if len(text) > MAX_TITLE_CHARS:
            too_long = f"{label}: title.{lang_key} has {len(text):,} characters; keep it to {MAX_TITLE_CHARS}"
            out.add(_line(raw.get("title"), lang_key), f"{too_long} (it is a heading and a button label)")
    answer = _languages(raw.get("answer"), f"{label}: answer", _line(raw, "answer"), out)
    examples = _strings(raw.get("examples"), "examples", _line(raw, "examples"), out, required=True)
    if examples is not None and len(examples) < MIN_EXAMPLES:
        out.add(
            _line(raw, "examples"),
            f"{label} has {len(examples)} example questions; write at least {MIN_EXAMPLES} "
            "(how real users would ask, colloquial ones included)",
        )
        ok = False
    keywords = _strings(raw.get("keywords"), "keywords", _line(raw, "keywords"), out, required=False)
    related = _strings(raw.get("related"), "related", _line(raw, "related"), out, required=False)
    if not ok or title is None or answer is None or examples is None or keywords is None or related is None:
        return None
    assert isinstance(entry_id, str)
    return Entry(
        id=entry_id,
        kind=EntryKind(kind_value),
        section=str(section),
        title=title,
        answer=answer,
        examples=examples,
        keywords=keywords,
        related=related,
        source=f"{out.shown_as}:{line}",
    )


def _example_key(text: str) -> str:
    """What makes two examples 'the same question' for the duplicate check: letters and digits only."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _check_cross_references(
    entries: list[tuple[Entry, _Collector, Any]], required_ids: Iterable[str], problems: list[Problem]
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
        examples_node = raw.get("examples")
        for index, example in enumerate(entry.examples):
            key = _example_key(example)
            where = f"{out.shown_as}:{_line(examples_node, index)}"
            if key in seen_examples and seen_examples[key][0] != entry.id:
                other_id, other_where = seen_examples[key]
                out.add(
                    _line(examples_node, index),
                    f"example question '{example}' is listed in '{entry.id}' and in '{other_id}' ({other_where}); "
                    "keep it in the one entry whose answer helps",
                )
            elif key in seen_examples:
                out.add(_line(examples_node, index), f"example question '{example}' is listed twice in '{entry.id}'")
            else:
                seen_examples[key] = (entry.id, where)
        related_node = raw.get("related")
        for index, other in enumerate(entry.related):
            if other == entry.id:
                out.add(_line(related_node, index), f"entry '{entry.id}' lists itself as related")
            elif other not in first_seen:
                shown = other if len(other) <= MAX_ID_CHARS else f"{other[:MAX_ID_CHARS]}…"
                out.add(_line(related_node, index), f"entry '{entry.id}' is related to unknown id '{shown}'")
    for required in required_ids:
        if required not in first_seen:
            problems.append(Problem("entries/", 1, f"the entry '{required}' is missing; the bot needs it"))


@dataclass(frozen=True)
class _Vocabulary:
    """What aliases.yaml holds (see the module docstring)."""

    aliases: tuple[tuple[str, str], ...] = ()  # (variant, canonical)
    fillers: tuple[str, ...] = ()
    greetings: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()
    respell: tuple[str, ...] = ()
    crisis: tuple[str, ...] = ()
    scams: tuple[str, ...] = ()


_WORD_LISTS = ("fillers", "greetings", "generic", "respell", "crisis", "scams")


def _load_aliases(path: Path, shown_as: str, problems: list[Problem], seen: Callable[[bytes], object]) -> _Vocabulary:
    out = _Collector(shown_as, problems)
    data = load_located(path, shown_as, seen)
    sections = ", ".join(("aliases", *_WORD_LISTS))
    if data is None:
        out.add(1, f"the file is empty; it needs its sections ({sections}), or remove the file")
        return _Vocabulary()
    if not isinstance(data, Mapping):
        out.add(1, f"expected sections at the top level ({sections})")
        return _Vocabulary()
    for key in data:
        if key not in {"aliases", *_WORD_LISTS}:
            out.add(_line(data, key), f"unknown section '{key}' (allowed: {sections})")
    aliases: list[tuple[str, str]] = []
    owner: dict[str, str] = {}
    table = data.get("aliases") or {}
    if not isinstance(table, Mapping):
        out.add(_line(data, "aliases"), "'aliases' must map a canonical word to a list of variants")
        table = {}
    for canonical, variants in table.items():
        line = _line(table, canonical)
        if not isinstance(canonical, str) or not canonical.strip():
            out.add(line, f"alias key {canonical!r} must be non-empty text")
            continue
        parsed = _strings(variants, f"aliases.{canonical}", line, out, required=True)
        for index, variant in enumerate(parsed or ()):
            vline = _line(variants, index)
            if variant == canonical:
                out.add(vline, f"'{variant}' is listed as a variant of itself")
            elif variant in owner and owner[variant] != canonical:
                out.add(vline, f"'{variant}' is a variant of both '{owner[variant]}' and '{canonical}'; pick one")
            else:
                owner[variant] = canonical
                aliases.append((variant, canonical))
    lists = {key: _strings(data.get(key), key, _line(data, key), out, required=False) or () for key in _WORD_LISTS}
    return _Vocabulary(tuple(aliases), **lists)


def _load_texts(
    path: Path,
    shown_as: str,
    required: Iterable[str],
    placeholders: Mapping[str, tuple[str, ...]],
    problems: list[Problem],
    seen: Callable[[bytes], object],
) -> dict[str, dict[str, str]]:
    out = _Collector(shown_as, problems)
    data = load_located(path, shown_as, seen)
    texts: dict[str, dict[str, str]] = {}
    table = data.get("texts") if isinstance(data, Mapping) else None
    if not isinstance(table, Mapping):
        out.add(_line(data, "texts"), "expected 'texts:' at the top level, mapping each key to zh-hans and en texts")
        return texts
    for key, value in table.items():
        parsed = _languages(value, f"text '{key}'", _line(table, key), out)
        if parsed is not None and _placeholders_ok(str(key), parsed, placeholders.get(str(key), ()), value, out):
            texts[str(key)] = parsed
    for key in required:
        if key not in table:
            out.add(table.line if isinstance(table, LocatedDict) else 1, f"text '{key}' is missing; the bot uses it")
    return texts


def _load_tool_texts(
    path: Path,
    shown_as: str,
    required: Mapping[str, tuple[str, ...]],
    taken: set[str],
    problems: list[Problem],
    seen: Callable[[bytes], object],
) -> dict[str, dict[str, str]]:
    """tools.yaml: like texts.yaml, but each text may use only the placeholders `required` declares for it."""
    if not path.is_file():
        problems.append(
            Problem(shown_as, 1, "tools.yaml is missing; the reminders', diary's and feedback's texts live there")
        )
        return {}
    out = _Collector(shown_as, problems)
    texts = _load_texts(path, shown_as, required, required, problems, seen)
    table = load_located(path, shown_as).get("texts", {})  # again, for the lines (not hashed twice)
    for key in texts:
        line = _line(table, key)
        if key in taken:
            out.add(line, f"text '{key}' is also in texts.yaml; keep it in one file")
        if key not in required:
            out.add(line, f"unknown text '{key}'; the tools use: {', '.join(sorted(required))}")
    return texts


def _placeholders_ok(key: str, texts: Mapping[str, str], names: tuple[str, ...], node: Any, out: _Collector) -> bool:
    """A text may use only the {placeholders} the code fills in for it (see bot/core/placeholders.py)."""
    ok = True
    for lang_key, text in texts.items():
        for problem in placeholder_problems(text, names):
            out.add(_line(node, lang_key), f"text '{key}'.{lang_key}: {problem}")
            ok = False
    return ok


def _present(path: Path) -> bool:
    """Whether something is at `path`, a broken or looping symbolic link included (reading it says what is wrong)."""
    return path.is_symlink() or path.exists()


_PHRASE_WORDINGS = ("tw", "hk")


def _load_traditional(
    path: Path, shown_as: str, problems: list[Problem], seen: Callable[[bytes], object]
) -> Traditional:
    """traditional.yaml: `phrases:` mapping a Simplified phrase to its Traditional wording, one text for both
    Taiwan and Hong Kong or `{tw: …, hk: …}` (either may be left to OpenCC)."""
    out = _Collector(shown_as, problems)
    data = load_located(path, shown_as, seen)
    if data is None:
        return Traditional()
    table = data.get("phrases") if isinstance(data, Mapping) else None
    if not isinstance(table, Mapping):
        out.add(_line(data, "phrases"), "expected 'phrases:' at the top level, mapping Simplified to Traditional")
        return Traditional()
    for key in data:
        if key != "phrases":
            out.add(_line(data, key), f"unknown top-level key '{key}'; only 'phrases' belongs here")
    phrases: list[Phrase] = []
    for simplified, value in table.items():
        line = _line(table, simplified)
        if not isinstance(simplified, str) or not simplified.strip():
            out.add(line, f"phrase {simplified!r} must be non-empty Simplified Chinese text")
            continue
        if to_simplified(simplified) != simplified:
            out.add(line, f"phrase '{simplified}' is not Simplified Chinese; write it as the zh-hans texts do")
            continue
        wordings: dict[str, Any] = {}
        ok = True
        if isinstance(value, str):
            wordings = dict.fromkeys(_PHRASE_WORDINGS, value)
        elif isinstance(value, Mapping) and value:
            for region, text in value.items():
                if region not in _PHRASE_WORDINGS:
                    out.add(_line(value, region), f"phrase '{simplified}': unknown wording '{region}'; use tw or hk")
                    ok = False
                else:
                    wordings[str(region)] = text
        else:
            out.add(line, f"phrase '{simplified}' needs its Traditional text, or {{tw: …, hk: …}}")
            continue
        for region, text in wordings.items():
            where = _line(value, region) if isinstance(value, Mapping) else line
            if not isinstance(text, str) or not text.strip():
                out.add(where, f"phrase '{simplified}': the {region} text must be non-empty text, got {text!r}")
                ok = False
            elif detect(text) is Written.SIMPLIFIED:
                out.add(where, f"phrase '{simplified}': '{text}' reads as Simplified; write the Traditional text")
                ok = False
        if ok:
            phrases.append(Phrase(simplified, wordings.get("tw"), wordings.get("hk"), source=f"{shown_as}:{line}"))
    return Traditional(phrases)


def _with_traditional(entry: Entry, traditional: Traditional) -> Entry:
    return replace(entry, title=traditional.derive(entry.title), answer=traditional.derive(entry.answer))


def load_knowledge(
    directory: Path,
    *,
    required_ids: Iterable[str] = REQUIRED_ENTRY_IDS,
    required_texts: Iterable[str] = REQUIRED_TEXT_KEYS,
    required_tools: Mapping[str, tuple[str, ...]] = TOOL_TEXTS,
    extra: Callable[[Path, list[Problem]], None] | None = None,
) -> KnowledgeBase:
    """Load every knowledge file under `directory`; raise KnowledgeError listing every problem found."""
    problems: list[Problem] = []
    if not directory.is_dir():
        raise KnowledgeError([Problem(str(directory), 1, "the knowledge folder does not exist")])
    digest = hashlib.sha256()

    def shown(path: Path) -> str:
        return path.relative_to(directory).as_posix()

    entry_files = sorted((directory / "entries").glob("*.yaml")) if (directory / "entries").is_dir() else []
    if not entry_files:
        problems.append(Problem("entries/", 1, "no entry files: put YAML files with 'entries:' in entries/"))
    parsed: list[tuple[Entry, _Collector, Any]] = []
    for path in entry_files:
        out = _Collector(shown(path), problems)
        try:
            data = load_located(path, shown(path), digest.update)
        except KnowledgeError as error:
            problems.extend(error.problems)
            continue
        if data is None:
            continue
        raw_entries = data.get("entries") if isinstance(data, Mapping) else None
        if not isinstance(raw_entries, list):
            out.add(_line(data, "entries"), "expected 'entries:' at the top level, followed by a list of entries")
            continue
        if isinstance(data, Mapping):
            for key in data:
                if key != "entries":
                    out.add(_line(data, key), f"unknown top-level key '{key}'; only 'entries' belongs here")
        for index, raw in enumerate(raw_entries):
            entry = _parse_entry(raw, _line(raw_entries, index), out)
            if entry is not None:
                parsed.append((entry, out, raw))
    _check_cross_references(parsed, required_ids, problems)

    vocabulary = _Vocabulary()
    alias_path = directory / "aliases.yaml"
    if _present(alias_path):
        try:
            vocabulary = _load_aliases(alias_path, shown(alias_path), problems, digest.update)
        except KnowledgeError as error:
            problems.extend(error.problems)
    texts: dict[str, dict[str, str]] = {}
    texts_path = directory / "texts.yaml"
    if _present(texts_path):
        try:
            texts = _load_texts(
                texts_path, shown(texts_path), required_texts, TEXT_PLACEHOLDERS, problems, digest.update
            )
        except KnowledgeError as error:
            problems.extend(error.problems)
    elif list(required_texts):
        problems.append(Problem("texts.yaml", 1, "texts.yaml is missing; the bot's own sentences live there"))
    tools_path = directory / "tools.yaml"
    if tools_path.is_file() or required_tools:
        try:
            texts |= _load_tool_texts(
                tools_path, shown(tools_path), required_tools, set(texts), problems, digest.update
            )
        except KnowledgeError as error:
            problems.extend(error.problems)
    traditional = Traditional()
    traditional_path = directory / "traditional.yaml"
    if _present(traditional_path):
        try:
            traditional = _load_traditional(traditional_path, shown(traditional_path), problems, digest.update)
        except KnowledgeError as error:
            problems.extend(error.problems)
    for name in LOADED_BESIDE:  # part of the version too: their texts and options are in buttons as well
        if _present(directory / name):
            try:
                digest.update(read_source(directory / name, name))
            except KnowledgeError as error:
                problems.extend(error.problems)
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
