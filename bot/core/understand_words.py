"""How a typed answer is read before its meaning: whether it asks something, tries a number, is written in
Traditional, where it breaks into clauses, and every way a walkthrough option is named (see `understand`)."""

from __future__ import annotations

import functools
import re
from typing import Final

from bot.core.i18n import Lang, to_simplified
from bot.core.normalize import basic_form
from bot.core.walkthrough import Option

#: Words that make a text a question rather than an answer (also used by the engine at the terms step); "算不算",
#: "是不是", "有没有" are questions too (a word, 不 or 没, the word again). "can't" / "cannot" says, not asks.
QUESTION_MARKERS: Final = re.compile(
    r"[?？]|吗|怎么|如何|什么|能不能|可不可以|为什么|為什麼|嗎|怎麼|會不會|会不会|(\w)[不没沒]\1"
    r"|\b(how|what|can(?!['’]?t\b|not\b)|should|why|will)\b"
)


#: At a step whose options are wishes (the requests), "能不能少点利息" asks for one rather than asking a question.
_WISHING: Final = re.compile(r"能不能|可不可以|能否|可否|行不行|可以吗|可以嗎")


_PARTS: Final = re.compile(r"[（）()/、,，]|\s+or\s+|或")


#: A number tried in words or digits: a digit, two numerals together ("五六"), a numeral with a unit ("五天",
#: "几百"), or a Chinese number before 个 ("三个月").
_TRIES_NUMBER: Final = re.compile(
    r"\d|[零〇一二两兩三四五六七八九十几幾半]{2,}|[零〇一二两兩三四五六七八九十百千万萬几幾半][个個]?(?:天|日|月|周|週|星期|礼拜|年|万|萬|千|百|块|塊|元)"
)


#: A text longer than this is no attempt at a number, whatever numerals it holds.
_TRY_CHARS: Final = 40


#: Where a sentence breaks into clauses, each saying something of its own ("身份证有 收入证明没有", "…, no payslip").
CLAUSE: Final = re.compile(r"[，,。.;；!！、\n]|(?<=[\u3400-\u9fff])\s+|\s+(?=[\u3400-\u9fff])|\s+but\s+")


def is_question(text: str, *, wishes: bool = False) -> bool:
    """Whether a text asks something; with `wishes`, "能不能…" asks for the thing rather than about it."""
    folded = text.casefold()
    return QUESTION_MARKERS.search(_WISHING.sub(" ", folded) if wishes else folded) is not None


def tries_number(text: str) -> bool:
    """Whether a short text that asks nothing tries to give a number ("差不多5个月了吧", "五六万", "去年10月")."""
    return len(text) <= _TRY_CHARS and not is_question(text) and _TRIES_NUMBER.search(text) is not None


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
