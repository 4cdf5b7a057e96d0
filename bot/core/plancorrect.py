"""An earlier /plan answer put right while a later question is open ("不对 开支是3500" asked about other debts): which
question the words name, and the amount they give. The caller records it there, says so, and asks the open question
again; without this the amount would be filed as the open question's answer."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from bot.core.amounts import amounts_in
from bot.core.i18n import to_simplified
from bot.core.plan import ORDER, Field

#: Words that take back an earlier answer (not "不是": "收入不是固定的 3000左右" describes, it does not correct).
_CORRECTION: Final = re.compile(
    r"不对(?!劲|头)|(?:说|打|写|输|填|搞|弄|记|算|看)错|更正|纠正|改成|改为|改一下|应该是|其实是"
    r"|\b(?:actually|correction|sorry|i meant?|typo|mistyped|my mistake|i got \w+ wrong)\b"
)
#: The stricter words that take back the answer just given, naming no question ("不对 是一万五", "no, I mean 15000"):
#: not "应该是", "其实是" or "actually", which as often give a first answer as take one back.
_TAKEN_BACK: Final = re.compile(
    r"不对(?!劲|头)|(?:说|打|写|输|填|搞|弄|记|算|看)错|更正|纠正|改成|改为|改一下"
    r"|^no\b|\b(?:correction|i meant?|typo|mistyped|my mistake|wrong)\b"
)
#: Words naming each question, checked in this order and taken out once found: "其他欠款" names the other debts'
#: payments, and only what is left of the text can still name the amount owed ("欠款").
_NAMES: Final = (
    (Field.OTHER, r"其他欠款|其它欠款|别的欠款|其他贷款|别的贷款|其他的债|别的债|信用卡|房贷|车贷|网贷|月供"
                  r"|other debts?|other loans?|credit cards?|mortgage"),
    (Field.PROPOSAL, r"打算(?:每个?月)?还|提出(?:每个?月)?还|每个?月(?:打算|能|可以)?还|能还|offer|instal(?:l)?ment"),
    (Field.OWED, r"欠款|欠的|欠了|一共欠|总共欠|欠|总共|一共|债|debt|owe"),
    (Field.INCOME, r"收入|工资|薪水|薪资|月薪|月入|到手|挣|赚|income|salary|wages?|earn"),
    (Field.SPENDING, r"开支|开销|支出|生活费|花销|花费|房租|吃饭|spending|living costs?|expenses?|costs?|rent"),
)  # fmt: skip


@dataclass(frozen=True)
class Correction:
    """The earlier question a typed correction names, and the amount it gives that question."""

    field: Field
    amount: int


#: The subject a sentence gives an amount for, as the open question may be answered with another's
#: ("房租加生活费大概两万五" at the income question): only the amount owed, income and spending, whose words rarely
#: stand in another's answer.
_SUBJECTS: Final = (
    (Field.OWED, r"欠|debt|owe"),
    (Field.INCOME, r"工资|收入|月薪|薪水|薪资|income|salary|wages?"),
    (Field.SPENDING, r"房租|生活费|开支|开销|支出|花销|吃饭|rent\b|living costs?|expenses?"),
)


def _form(text: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", text)).lower()


def other_subject(asking: Field, text: str) -> Field | None:
    """The one other question among amount owed, income and spending that `text` names while `asking` (one of those
    three) is open: an amount for it is not this question's answer. None when it names none, the open one, or two."""
    if asking not in {field for field, _ in _SUBJECTS}:
        return None
    form = _form(text)
    named = [field for field, words in _SUBJECTS if re.search(words, form)]
    return named[0] if len(named) == 1 and named[0] is not asking else None


@dataclass(frozen=True)
class TakenBack:
    """The answer just given taken back ("不对"): `amount` is the right one when the words give it, else None."""

    field: Field
    amount: int | None


def just_taken_back(asking: Field, text: str) -> TakenBack | None:
    """The answer to the question before `asking` taken back by words that name no question ("不对 是一万五", "打错了",
    "no, I mean 15000"); None when there is no such word, a question is named, or no question came before."""
    position = ORDER.index(asking)
    form = _form(text)
    if position == 0 or _TAKEN_BACK.search(form) is None:
        return None
    if any(re.search(words, form) for _, words in _NAMES):
        return None
    found = amounts_in(form)
    return TakenBack(ORDER[position - 1], found[-1].yuan if found else None)


def earlier_corrected(asking: Field, text: str) -> Correction | None:
    """The answer to an earlier question that `text` puts right while `asking` is open: a correction word, one
    earlier question named and an amount given ("说错了 收入是四千五", "sorry, my income is 4500"). None for
    anything else: no correction word, the open question or a later one named, two named, or no amount."""
    form = _form(text)
    if _CORRECTION.search(form) is None:
        return None
    named: list[Field] = []
    rest = form
    for field, words in _NAMES:
        if re.search(words, rest):
            named.append(field)
            rest = re.sub(words, " ", rest)
    if len(named) != 1 or ORDER.index(named[0]) >= ORDER.index(asking):
        return None
    found = amounts_in(form)  # an amount before the correction word is the one taken back
    return Correction(named[0], found[-1].yuan) if found else None
