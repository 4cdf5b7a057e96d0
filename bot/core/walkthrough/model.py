"""The walkthrough as the dialogue uses it: every text and option of knowledge/walkthrough.yaml, as immutable values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.i18n import Lang, pick


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
    dont_know: tuple[str, ...] = ()  # typed at a step, the step says what to put ("不知道", "idk"); /plan skips
    unsure: tuple[str, ...] = ()  # typed at a step, no answer either: the step says what to put ("看情况", "一半一半")
    yes_words: tuple[str, ...] = ()  # typed after "note 210 days, is that right?", they confirm it ("对", "yes")
    no_words: tuple[str, ...] = ()  # typed after "leave and clear your answers?", they say no ("不要", "no")
    corrections: tuple[str, ...] = ()  # before an earlier step's answer, they correct it ("不对 是3个月")
    said_moves: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # "back": ("返回", "go back") …
    not_in_writing: tuple[str, ...] = ()  # in agreed terms, these say nothing was given in writing ("只是口头")

    def say(self, key: str, lang: Lang, **values: object) -> str:
        """Render the text at `key` (a dotted YAML path); a wrong key is a programming error (KeyError)."""
        return self.texts[key].render(lang, **values)
