"""Reads what a user typed at a walkthrough step: an option named in their own words, a number, or "I don't know".

People answer a question in words as often as with its buttons: "借呗", "借唄", "jiebei", "打电话吧",
"送外卖的 这两个月单少了". An option is named by its label in every language (each part of it:
"收入减少（失业或收入大幅下降）" is also "失业"), by how the opening script says it, and by the `also:`
phrases an admin lists in knowledge/walkthrough.yaml. The text and the phrases are compared in the matcher's
normal form (`normalize.basic_form`: NFKC, Traditional → Simplified, case-folded), so no phrase needs writing
twice. rapidfuzz's ratio forgives a typo in a short answer ("jeibei"); it is called here because the matcher's
scoring is built for questions against entries, not for a word against a handful of labels. Amounts are read by
`amounts.py`, the /plan parser, so the guide and /plan accept the same ones; days by `numbers.read_number`.

A text that asks something ("借呗逾期会怎样？") is never an answer: the knowledge base answers it.

By job: `understand_words` (questions, clauses, how an option is named), `understand_numbers` (days and amounts),
and this module (options, checklists, "I don't know": what a text answers).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from bot.core.amounts import foreign_currency, varies
from bot.core.normalize import CJK_RUN, basic_form
from bot.core.numbers import Unit
from bot.core.understand_numbers import Number, named_amounts, number_in
from bot.core.understand_words import (
    CLAUSE,
    QUESTION_MARKERS,
    is_question,
    phrases,
    tries_number,
    writes_traditional,
)
from bot.core.walkthrough import Option

__all__ = [
    "QUESTION_MARKERS",
    "SHORT_ANSWER",
    "TYPO_RATIO",
    "Number",
    "OffMenu",
    "Picked",
    "Ticked",
    "Understood",
    "Unsure",
    "button_number",
    "is_question",
    "named_amounts",
    "named_options",
    "phrases",
    "read",
    "read_items",
    "says_one_of",
    "tries_number",
    "writes_traditional",
]


#: rapidfuzz ratio (0–100) from which a short answer is a typo of an option's phrase.
TYPO_RATIO: Final = 80
#: An answer longer than this is a story, not a pick; only phrases found inside it count.
SHORT_ANSWER: Final = 12
#: The button mark the terminal shows before a button's number ("#3").
_BUTTON_NUMBER: Final = re.compile(r"#?\s*(\d{1,3})")
_AMOUNT_SPAN: Final = re.compile(r"[0-9][0-9.,]*(?:\s*[万萬千]|[kKwW](?![a-zA-Z]))?[0-9]*")


@dataclass(frozen=True)
class Picked:
    """An option named; `exact` is False when it was found inside a longer sentence (the reply says what it read)."""

    option: str
    exact: bool


@dataclass(frozen=True)
class Unsure:
    """ "I don't know", "不清楚" (`vague` False), or no answer at all ("看情况", "一半一半"): nothing is recorded; the
    step says what to put (at the monthly step "I don't know" is its own option)."""

    vague: bool = False


@dataclass(frozen=True)
class OffMenu:
    """A bare number ("5", "#5") that is no option here: the user is asked to choose among the options."""

    number: int


@dataclass(frozen=True)
class Ticked:
    """Checklist items named in words, each read as had ("收入证明有了") or missing ("没有收入证明") by the words
    next to it: "身份证有 收入证明没有" has one and lacks the other."""

    have: tuple[str, ...]
    missing: tuple[str, ...] = ()


Understood = Picked | Number | Unsure | OffMenu | Ticked


#: Words saying an item named is missing ("没有收入证明", "no payslip", "哪来收入证明"): the text unticks it.
_MISSING: Final = re.compile(
    r"没有|没|沒|无|無|缺|不需要|不用|不要|不想|还不|還不|哪来|哪有|哪里有|哪裡有|開不了|开不了|拿不到|办不了"
    r"|\b(?:no|not|don't|dont|haven't|havent|without|missing|lack|never)\b"
)
#: Words saying an item named is there ("身份证有", "I have my ID").
_HAVE: Final = re.compile(r"有|带|準備|准备|拿到|备好|齐|\b(?:have|got|ready|with)\b")
#: A phrase right after one of these is denied ("他们不同意", "没谈好"), so it does not name its option.
_DENIED: Final = re.compile(r"(?:不|没|未|别|无|\bnot|\bnever|n't|n t|\bno)\s*$")
#: A phrase that is itself a denial ("不同意", "not agreed") is named even after another word of that kind.
_DENIAL: Final = re.compile(r"不|没|未|别|无|(?:not|never|no)\b")


def button_number(text: str) -> int | None:
    """The number of a bare "3" or "#3", else None."""
    match = _BUTTON_NUMBER.fullmatch(text.strip())
    return int(match.group(1)) if match else None


def read(
    text: str,
    options: Sequence[Option],
    *,
    unit: Unit | None = None,
    dont_know: Iterable[str] = (),
    unsure: Iterable[str] = (),
    sentence: Callable[[str], int | None] | None = None,
    naming: Sequence[Option] = (),
) -> Understood | None:
    """What `text` answers at a step offering `options` (and taking a number in `unit`, if any); None: no answer.

    A bare number at a step without a unit is `OffMenu`: the buttons, not the text, choose there. With `sentence`,
    an amount is also read out of a longer sentence ("收入5000左右…最多一千五" → 1500 with
    `amounts.amount_in_sentence`). With `naming` (the products, at the amount step), amounts each named by one of
    those options are added up ("花呗1.2万借呗3万" is 42000). At a step taking a number, good and bad months whose
    low end cannot be read ("看情况…差的时候几百") are no answer, not the option named beside them ("看情况"); nor is an
    amount in another currency ("6萬台幣"). A number read wins over "don't know" said beside it ("不知道 可能一两千吧").
    """
    if not text.strip() or is_question(text):
        return None
    number = button_number(text)
    if number is not None and unit is None:
        return OffMenu(number)
    if text.strip().startswith("#") and number is not None:
        return OffMenu(number)  # "#7" where there is no button 7 is no amount either
    if unit is Unit.YUAN and foreign_currency(text):
        return None  # "6萬台幣": no yuan, and no rate is guessed; the step asks for the amount in yuan
    # A number comes before "don't know": "不知道 可能一两千吧" gives its range ("不知道" alone skips the step).
    found = number_in(text, unit, sentence, naming) if unit is not None else None
    if found is not None:
        return found
    if says_one_of(text, dont_know):  # "不清楚", "idk"
        return Unsure()
    if says_one_of(text, unsure):  # "看情况", "一半一半"
        return Unsure(vague=True)
    if unit is not None and tries_number(text) and varies(text):
        return None
    return _option(text, options)


def read_items(text: str, items: Sequence[Option], *, wishes: bool = False) -> Ticked | None:
    """The checklist items a text names (each by its label, a part of it, or an `also:` word), each read as had or
    missing by the words beside it in its clause; None for a question or a text naming none. With `wishes` (the
    requests), "能不能少点利息" names a wish, not a question."""
    if not text.strip() or is_question(text, wishes=wishes):
        return None
    state: dict[str, bool] = {}
    traditional = writes_traditional(text)
    for clause in CLAUSE.split(unicodedata.normalize("NFKC", text)):
        for item, has in _clause_items(basic_form(clause), items, traditional):
            state[item] = has  # a later clause says the last word on an item
    if not state:
        return None
    order = [item.id for item in items]
    have = tuple(item for item in order if state.get(item) is True)
    missing = tuple(item for item in order if state.get(item) is False)
    return Ticked(have, missing)


def _clause_items(form: str, items: Sequence[Option], traditional: bool = False) -> list[tuple[str, bool]]:
    """The items one clause names, in order, each with whether the clause says the user has it.

    The words between two items say something of one of them: of the item before in "身份证有 流水也有" (the clause
    starts with an item), of the item after in "有身份证没有流水" or "I have my ID, no payslip". An item with
    no such word shares its neighbour's ("身份证和流水都没有"), and alone it is had ("收入证明").
    """
    mentions = _mentions(form, items, traditional)
    if not mentions:
        return []
    head = form[: mentions[0][0]]
    after_first = _signal(head) is None  # "身份证有 …": the words after an item say something of it
    gaps = [form[end : (mentions[i + 1][0] if i + 1 < len(mentions) else len(form))] for i, (_, end, _) in
            enumerate(mentions)]  # fmt: skip
    befores = [head, *gaps[:-1]]
    said: list[bool | None] = []
    for before, after in zip(befores, gaps, strict=True):
        own, other = (after, before) if after_first else (before, after)
        signal = _signal(own)
        said.append(signal if signal is not None else _signal(other) if after_first else None)
    for i in range(len(said)):  # an item with no word of its own shares its neighbour's, then the default
        if said[i] is None:
            near = said[i + 1 :] if after_first else said[:i][::-1]
            said[i] = next((value for value in near if value is not None), True)
    return [(item, bool(has)) for (_, _, item), has in zip(mentions, said, strict=True)]


def _mentions(form: str, items: Sequence[Option], traditional: bool = False) -> list[tuple[int, int, str]]:
    """Where each item is named in the clause (start, end, id), in order; a name inside a longer one is not its own
    ("收入证明" names one item; the "证明" in another's label "…的票据或证明" is only part of those words)."""
    found: list[tuple[int, int, str]] = []
    for item in items:
        for phrase in phrases(item, traditional=traditional):
            inside = [(m.start(), m.end(), item.id) for m in _occurrences(form, phrase)] if len(phrase) >= 2 else []
            if not inside and _same(form, phrase):
                inside = [(len(form), len(form), item.id)]  # a typo of the whole name: the clause's words are its
            found.extend(inside)
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, named in found:
        if kept and start < kept[-1][1]:
            continue  # inside (or across) a name already kept, which starts earlier or is longer
        kept.append((start, end, named))
    return kept


def _signal(words: str) -> bool | None:
    """What the words beside an item say: missing (False), had (True), or nothing."""
    if _MISSING.search(words):
        return False
    return True if _HAVE.search(words) else None


def says_one_of(text: str, words: Iterable[str], *, typos: bool = True) -> bool:
    """Whether the whole text is one of `words` ("确定", "yes"), perhaps with a particle ("好的") or (with `typos`)
    a typo."""
    form = basic_form(text)
    if not typos:
        return bool(form) and any(form in _particled(basic_form(phrase)) for phrase in words)
    return bool(form) and any(_same(form, basic_form(phrase)) for phrase in words)


def _particled(phrase: str) -> set[str]:
    """A phrase as typed alone or with a closing particle."""
    return {phrase, *(phrase + particle for particle in _PARTICLES)} if phrase else set()


def _same(form: str, phrase: str) -> bool:
    """The whole text is the phrase, perhaps with a particle ("不知道啊") or a typo."""
    if not phrase:
        return False
    if form == phrase or form.rstrip(_PARTICLES) == phrase:
        return True
    return len(form) <= SHORT_ANSWER and len(phrase) >= 4 and _ratio(form, phrase) >= TYPO_RATIO


def _ratio(a: str, b: str) -> float:
    from rapidfuzz import fuzz  # deferred like the matcher's: only typed walkthrough answers need it here

    return float(fuzz.ratio(a, b, processor=None))


def _option(text: str, options: Sequence[Option]) -> Picked | None:
    """The one option the text names best; None when none, or two name it equally well ("客服" is in two labels).
    A phrase denied where it stands ("他们不同意", "没谈好") does not name its option."""
    # Amounts say nothing about which option: "花呗1.2万借呗3万" names 花呗借呗.
    form = basic_form(_AMOUNT_SPAN.sub(" ", text))
    if not form:
        return None
    scored: list[tuple[float, str]] = []
    traditional = writes_traditional(text)
    for option in options:
        named = phrases(option, traditional=traditional)
        best = max((_score(form, phrase, denials=True) for phrase in named), default=0.0)
        if best > 0:
            scored.append((best, option.id))
    if not scored:
        return None
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    best_score, option_id = scored[0]
    return Picked(option_id, exact=best_score >= _WHOLE)


def named_options(text: str, options: Sequence[Option]) -> tuple[str, ...]:
    """Every option a sentence names, in the order named ("借呗答应分12期了 花呗说要等审核" names agreed, then
    waiting): a phrase inside a longer one named at the same place ("没谈好" in "还没谈好") or denied where it
    stands ("不同意" for "同意") does not count."""
    form = basic_form(_AMOUNT_SPAN.sub(" ", text))
    found = [
        (at.start(), at.end(), option.id)
        for option in options
        for phrase in phrases(option, traditional=writes_traditional(text))
        if len(phrase) >= 2
        for at in _occurrences(form, phrase)
        if not _denied(form, at.start(), phrase)
    ]
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, named in found:
        if kept and start < kept[-1][1]:
            continue  # inside (or across) a name already kept
        kept.append((start, end, named))
    return tuple(dict.fromkeys(named for _, _, named in kept))


_WHOLE: Final = 3.0
#: Closing particles an answer may end with ("不知道啊", "好的").
_PARTICLES: Final = "吧啊呢呀啦哦的了"


def _score(form: str, phrase: str, *, denials: bool = False) -> float:
    """How well the text names a phrase: all of it (3), the phrase inside it (2 + its weight), it inside the phrase
    (1, a short text only), or a typo of it (1 + similarity). With `denials`, a phrase only found right after a
    "not" ("不同意" for "同意") is not named."""
    if _same(form, phrase):
        return _WHOLE
    if len(phrase) >= 2 and _contains(form, phrase):
        if denials and all(_denied(form, found.start(), phrase) for found in _occurrences(form, phrase)):
            return 0.0
        return 2 + _weight(phrase) / 100
    if len(form) <= SHORT_ANSWER and len(form) >= (2 if not form.isascii() else 4) and _contains(phrase, form):
        return 1.0
    return 0.0


def _weight(phrase: str) -> int:
    """How much a phrase says: a Chinese character counts one, a Latin word two ("两个都有" outweighs "huabei")."""
    return len(CJK_RUN.sub("", phrase).split()) * 2 + sum(map(len, CJK_RUN.findall(phrase)))


def _contains(text: str, part: str) -> bool:
    """`part` inside `text`; a Latin end must be a word's end ("app" is not inside "happy")."""
    # most phrases are not in the text at all: told by `in` before a pattern is made for the word ends
    return part in text and next(_occurrences(text, part), None) is not None


def _occurrences(text: str, part: str) -> Iterator[re.Match[str]]:
    """Each place `part` stands in `text` as in `_contains`."""
    before = r"(?<![a-z0-9])" if part[0].isascii() else ""
    after = r"(?![a-z0-9])" if part[-1].isascii() else ""
    return re.finditer(f"{before}{re.escape(part)}{after}", text)


def _denied(form: str, at: int, phrase: str) -> bool:
    """Whether the phrase standing at `at` follows a "not" (a phrase that is itself a denial, "不同意", is not)."""
    return _DENIAL.match(phrase) is None and _DENIED.search(form[:at]) is not None
