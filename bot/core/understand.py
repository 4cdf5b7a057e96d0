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
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Final

from bot.core.amounts import amounts_in, foreign_currency, parse_amount, spread_in, varies
from bot.core.i18n import Lang, to_simplified
from bot.core.normalize import CJK_RUN, basic_form
from bot.core.numbers import Unit, read_number, rough_days
from bot.core.slips import letters_as_digits
from bot.core.walkthrough import Option

#: Words that make a text a question rather than an answer (also used by the engine at the terms step); "算不算",
#: "是不是", "有没有" are questions too (a word, 不 or 没, the word again). "can't" / "cannot" says, not asks.
QUESTION_MARKERS: Final = re.compile(
    r"[?？]|吗|怎么|如何|什么|能不能|可不可以|为什么|為什麼|嗎|怎麼|會不會|会不会|(\w)[不没沒]\1"
    r"|\b(how|what|can(?!['’]?t\b|not\b)|should|why|will)\b"
)
#: At a step whose options are wishes (the requests), "能不能少点利息" asks for one rather than asking a question.
_WISHING: Final = re.compile(r"能不能|可不可以|能否|可否|行不行|可以吗|可以嗎")
#: rapidfuzz ratio (0–100) from which a short answer is a typo of an option's phrase.
TYPO_RATIO: Final = 80
#: An answer longer than this is a story, not a pick; only phrases found inside it count.
SHORT_ANSWER: Final = 12
#: The button mark the terminal shows before a button's number ("#3").
_BUTTON_NUMBER: Final = re.compile(r"#?\s*(\d{1,3})")
_PARTS: Final = re.compile(r"[（）()/、,，]|\s+or\s+|或")
_AMOUNT_SPAN: Final = re.compile(r"[0-9][0-9.,]*(?:\s*[万萬千]|[kKwW](?![a-zA-Z]))?[0-9]*")


@dataclass(frozen=True)
class Picked:
    """An option named; `exact` is False when it was found inside a longer sentence (the reply says what it read)."""

    option: str
    exact: bool


@dataclass(frozen=True)
class Number:
    """A number of days or yuan; `exact` as for Picked. `parts` are the amounts it adds up, each with the option id
    that named it ("花呗1.2万借呗3万" → 42000 from ("huabei", 12000), ("jiebei", 30000)). `high` is set when the
    text gave a range or good and bad months ("五六万", "好的时候四五千差的时候一两千"): `value` is its low end."""

    value: int
    exact: bool
    parts: tuple[tuple[str, int], ...] = ()
    high: int | None = None
    rough: bool = False  # a span said roughly ("大半年", "两个多月"): `value` is a guess, asked about first
    #: read from one clause, the rest being context ("两个月了吧 工作也丢了"); the rest may be a question without a
    #: question mark ("逾期3个月了 对信用记录有影响"), so the knowledge base may answer it first
    in_clause: bool = False



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

#: A number tried in words or digits: a digit, two numerals together ("五六"), a numeral with a unit ("五天",
#: "几百"), or a Chinese number before 个 ("三个月").
_TRIES_NUMBER: Final = re.compile(
    r"\d|[零〇一二两兩三四五六七八九十几幾半]{2,}|[零〇一二两兩三四五六七八九十百千万萬几幾半][个個]?(?:天|日|月|周|週|星期|礼拜|年|万|萬|千|百|块|塊|元)"
)
#: Words saying a span is just under what follows ("快一年", "将近两个月"): the number read is no exact answer.
_ALMOST: Final = re.compile(r"快|将近|接近")
#: A text longer than this is no attempt at a number, whatever numerals it holds.
_TRY_CHARS: Final = 40

#: Words saying an item named is missing ("没有收入证明", "no payslip", "哪来收入证明"): the text unticks it.
_MISSING: Final = re.compile(
    r"没有|没|沒|无|無|缺|不需要|不用|不要|不想|还不|還不|哪来|哪有|哪里有|哪裡有|開不了|开不了|拿不到|办不了"
    r"|\b(?:no|not|don't|dont|haven't|havent|without|missing|lack|never)\b"
)
#: Words saying an item named is there ("身份证有", "I have my ID").
_HAVE: Final = re.compile(r"有|带|準備|准备|拿到|备好|齐|\b(?:have|got|ready|with)\b")
#: Where a sentence breaks into clauses, each saying something of its own ("身份证有 收入证明没有", "…, no payslip").
_CLAUSE: Final = re.compile(r"[，,。.;；!！、\n]|(?<=[\u3400-\u9fff])\s+|\s+(?=[\u3400-\u9fff])|\s+but\s+")
#: A phrase right after one of these is denied ("他们不同意", "没谈好"), so it does not name its option.
_DENIED: Final = re.compile(r"(?:不|没|未|别|无|\bnot|\bnever|n't|n t|\bno)\s*$")
#: A phrase that is itself a denial ("不同意", "not agreed") is named even after another word of that kind.
_DENIAL: Final = re.compile(r"不|没|未|别|无|(?:not|never|no)\b")


def is_question(text: str, *, wishes: bool = False) -> bool:
    """Whether a text asks something; with `wishes`, "能不能…" asks for the thing rather than about it."""
    folded = text.casefold()
    return QUESTION_MARKERS.search(_WISHING.sub(" ", folded) if wishes else folded) is not None


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
    found = _number(text, unit, sentence, naming) if unit is not None else None
    if found is not None:
        return found
    if says_one_of(text, dont_know):  # "不清楚", "idk"
        return Unsure()
    if says_one_of(text, unsure):  # "看情况", "一半一半"
        return Unsure(vague=True)
    if unit is not None and tries_number(text) and varies(text):
        return None
    return _option(text, options)


def tries_number(text: str) -> bool:
    """Whether a short text that asks nothing tries to give a number ("差不多5个月了吧", "五六万", "去年10月")."""
    return len(text) <= _TRY_CHARS and not is_question(text) and _TRIES_NUMBER.search(text) is not None


def read_items(text: str, items: Sequence[Option], *, wishes: bool = False) -> Ticked | None:
    """The checklist items a text names (each by its label, a part of it, or an `also:` word), each read as had or
    missing by the words beside it in its clause; None for a question or a text naming none. With `wishes` (the
    requests), "能不能少点利息" names a wish, not a question."""
    if not text.strip() or is_question(text, wishes=wishes):
        return None
    state: dict[str, bool] = {}
    traditional = writes_traditional(text)
    for clause in _CLAUSE.split(unicodedata.normalize("NFKC", text)):
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


def writes_traditional(text: str) -> bool:
    """Whether the text has Traditional characters: its writer may be typing what a Traditional button shows."""
    return to_simplified(text) != text


#: The languages whose labels name an option: the authored ones, and with `traditional` the Traditional renderings
#: too, whose wording may differ from the Simplified label ("線上客服" is the Taiwan button for 在线客服). Those are
#: made only for a text written in Traditional: a process that never sees one never loads OpenCC's Taiwan tables.
_LABEL_LANGS: Final = {False: (Lang.ZH_HANS, Lang.EN), True: tuple(Lang)}


@functools.lru_cache(maxsize=1024)  # every option of the step, for each typed message; options are immutable values
def phrases(option: Option, *, traditional: bool = False) -> tuple[str, ...]:
    """Every way an option is named, in normal form: each part of its label and script wording (with `traditional`,
    as each Traditional button shows them too), and its `also:`."""
    named: list[str] = []
    texts = [option.label, *([option.said] if option.said else [])]
    for written in texts:
        for lang in _LABEL_LANGS[traditional]:
            whole = written.render(lang)
            named.append(whole)
            named.extend(_PARTS.split(whole))
    named.extend(option.also)
    forms = (basic_form(name) for name in named)
    return tuple(dict.fromkeys(form for form in forms if len(form) >= 2))


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


def _number(
    text: str, unit: Unit, sentence: Callable[[str], int | None] | None, naming: Sequence[Option]
) -> Number | None:
    slipped = letters_as_digits(text)
    if slipped is not None:  # "5OOO": letters typed for digits, read as them; not exact, so the reply says it
        found = _number(slipped, unit, sentence, naming)
        return None if found is None else replace(found, exact=False)
    if unit is Unit.DAYS:
        simplified = to_simplified(text)
        return _days(simplified) or _days_in_a_clause(simplified)
    amount = parse_amount(text)
    if isinstance(amount, int):
        return Number(amount, exact=True)
    spread = spread_in(text)
    if spread is not None:  # what the user can count on: the low end, and the reply says so
        return Number(spread.low, exact=False, high=spread.high)
    if varies(text):
        return None  # good and bad months, the bad one too vague to count on: asked again, never the good one
    parts = named_amounts(text, naming)
    if parts:
        return Number(sum(yuan for _, yuan in parts), exact=False, parts=parts)
    total = _total_of_parts(text, naming)
    if total is not None:
        return total
    guessed = sentence(text) if sentence is not None else None
    return Number(guessed, exact=False) if guessed is not None else None


def _days(text: str) -> Number | None:
    """Days overdue said as the whole text: a rough span ("两个多月", a guess, asked about), "快一年" (just under
    what is said, noted with how to change it), or a number ("15天")."""
    rough = rough_days(text)
    if rough is not None:
        return Number(rough, exact=False, rough=True)
    days = read_number(text, Unit.DAYS)
    return Number(days, exact=_ALMOST.search(text) is None) if days is not None else None


def _days_in_a_clause(text: str) -> Number | None:
    """Days overdue said in one clause of a longer text, the rest being context ("两个月了吧 工作也丢了"), or said
    twice in ways that agree ("三个月了吧 九十多天": the exact one, 90): read as understood (the reply says how to
    change it). None when no clause gives days, when another clause tries a number it cannot read, or when two
    readings disagree ("两个月了 又过了10天" is asked again)."""
    clauses = [clause.strip() for clause in _CLAUSE.split(text) if clause.strip()]
    readings = [_days(clause) for clause in clauses]
    found = [reading for reading in readings if reading is not None]
    tried = any(reading is None and tries_number(clause) for clause, reading in zip(clauses, readings, strict=True))
    if len(clauses) < 2 or not found or tried or not _agree([reading.value for reading in found]):
        return None
    days = next((reading for reading in found if not reading.rough), found[0])  # the exact one, if one is
    return Number(days.value, exact=False, rough=days.rough, in_clause=True)


#: Two readings of one span agree when they are this close: within a tenth of the larger, or this many days.
_AGREE_SHARE: Final = 0.1
_AGREE_DAYS: Final = 5


def _agree(values: Sequence[int]) -> bool:
    """Whether numbers said for one thing are the same said twice ("三个月" and "九十多天"), not two different ones."""
    low, high = min(values), max(values)
    return high - low <= max(_AGREE_DAYS, _AGREE_SHARE * high)


def _total_of_parts(text: str, naming: Sequence[Option]) -> Number | None:
    """A total given first, then the amounts it is made of, each named ("6万左右 花呗2万多借呗3万多" is 60000)."""
    found = amounts_in(text)
    if not naming or len(found) < 3:
        return None
    first = found[0]
    parts = named_amounts(text[first.end :], naming)
    owned = sum(yuan for _, yuan in parts)
    if len(parts) != len(found) - 1 or not owned <= first.yuan <= owned * 3 // 2:
        return None
    return Number(first.yuan, exact=False, parts=parts)


def named_amounts(text: str, naming: Sequence[Option]) -> tuple[tuple[str, int], ...]:
    """Each amount in the text with the option named right before it ("花呗1.2万，借呗三万二"); empty unless every
    amount is named so, since an amount without a name may be a total already counted or a number of days."""
    if not naming:
        return ()
    parts: list[tuple[str, int]] = []
    end = 0
    for amount in amounts_in(text):
        name = _last_named(text[end : amount.start], naming)
        if name is None:
            return ()
        parts.append((name, amount.yuan))
        end = amount.end
    return tuple(parts)


def _last_named(text: str, naming: Sequence[Option]) -> str | None:
    """The option named last in the text (the longest name where two end together), or None."""
    form = basic_form(text)
    best: tuple[int, int, str] | None = None
    for option in naming:
        for phrase in phrases(option, traditional=writes_traditional(text)):
            at = form.rfind(phrase)
            if at >= 0 and (best is None or (at + len(phrase), len(phrase)) > best[:2]):
                best = (at + len(phrase), len(phrase), option.id)
    return best[2] if best else None


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
