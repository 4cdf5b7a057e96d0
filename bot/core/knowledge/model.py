"""The knowledge base as the matcher, the advisor and the tools use it: immutable entries, vocabulary and texts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.i18n import Lang, Traditional, pick


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


#: What separates the words of a word-list text: commas of either width, 、 and /.
_WORD_SEPARATORS = re.compile(r"\s*[,，、/]\s*")


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    aliases: tuple[tuple[str, str], ...]  # (variant, canonical), as written
    fillers: tuple[str, ...]
    generic: tuple[str, ...]
    texts: Mapping[str, Mapping[str, str]]
    version: str  # short content hash: buttons from an older version are recognised as stale
    greetings: tuple[str, ...] = ()
    thanks: tuple[str, ...] = ()  # thanks and "ok, got it": a message of only these gets a short "you're welcome"
    respell: tuple[str, ...] = ()
    crisis: tuple[str, ...] = ()  # added to the safety screen's built-in crisis phrases
    scams: tuple[str, ...] = ()  # added to its built-in scam phrases
    dialect: tuple[tuple[str, str], ...] = ()  # (dialect word, Mandarin word): read before the aliases
    needs: tuple[str, ...] = ()  # canonical words of a borrower saying they cannot pay
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

    def words(self, key: str, lang: Lang) -> list[str]:
        """The words of a word-list text ("确定, 是, 好" or "电话/打电话") in `lang`, each stripped."""
        return [word for word in _WORD_SEPARATORS.split(self.text(key, lang)) if word]
