"""A borrower's plain first message — how much they owe, how long overdue, a lost job, fear of calls to family — gets
no crisis reply and no hotline line: the shipped screen (phrases and learned models) through the engine with the
shipped knowledge, as `advisor ask` and Telegram answer it. And a question that may hide the thought gets the line.

Smoke tests of the shipped models: the rules themselves are tested with hand-made models in tests/test_soft_crisis.py
and tests/test_walkthrough_replies.py; the whole measuring set is `python -m bench.crisis --negatives
bench/debt_statements.tsv`. Which reply is the crisis one is read from the knowledge's own hotline texts, not from
their wording.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.i18n import Lang
from bot.engine import Engine, Knowledge
from bot.storage import Storage
from tests.transcript import SHIPPED, EngineUser

ZH, HANT, EN = Lang.ZH_HANS, Lang.ZH_HANT, Lang.EN

#: First messages of the kinds a tester saw taken for a crisis, and others of their kind (the brief's cases are among
#: bench/debt_statements.tsv, which the models never saw).
FIRST_MESSAGES = [
    ("欠了4万", ZH),
    ("欠4万", ZH),
    ("欠了三万", ZH),
    ("我欠了2万多", ZH),
    ("借呗逾期三个月了", ZH),
    ("已经三个月了", ZH),
    ("欠4万多 失业了", ZH),
    ("家里人不知道我欠钱", ZH),
    ("借呗逾期三个月了 欠了4万多 我失业了 好怕他们打电话给我家里人", ZH),
    ("借唄逾期咗三個月 欠咗四萬", HANT),
    ("I owe 40k and I'm three months overdue", EN),
]
#: Those of them that get no hotline line either. Two still get the soft line from the shipped model (已经三个月了,
#: 家里人不知道我欠钱: the model still weighs 已经, 家 and 我 heavily); see the README's figures for
#: bench/debt_statements.tsv.
NO_LINE = [(text, lang) for text, lang in FIRST_MESSAGES if text not in {"已经三个月了", "家里人不知道我欠钱"}]


@pytest.fixture(scope="module")
def shipped() -> Knowledge:
    return Knowledge.load(SHIPPED)


@pytest.fixture
async def engine(shipped: Knowledge, tmp_path: Path) -> AsyncIterator[Engine]:
    async with await Storage.open(tmp_path / "db.sqlite3") as storage:
        yield Engine(shipped, storage)


def _hotlines(user: EngineUser) -> list[str]:
    kb = user.engine.knowledge.kb
    return [kb.text(f"crisis_{region}", user.lang).strip() for region in ("mainland", "taiwan", "hongkong")]


def hotline_shown(user: EngineUser) -> bool:
    """Whether the last replies hold a crisis hotline (the crisis reply, the soft line or a check-in all do)."""
    return any(line in reply.text for reply in user.replies for line in _hotlines(user))


def crisis_reply_shown(user: EngineUser) -> bool:
    """Whether the last replies hold the full crisis reply (the only one that lists every region's hotline)."""
    return any(all(line in reply.text for line in _hotlines(user)) for reply in user.replies)


@pytest.mark.parametrize(("text", "lang"), [pytest.param(t, lang, id=t) for t, lang in FIRST_MESSAGES])
async def test_a_plain_first_message_about_the_debt_gets_no_crisis_reply(engine: Engine, text: str, lang: Lang) -> None:
    user = EngineUser(engine, 1, lang)
    await user.says(text)
    assert not crisis_reply_shown(user)


@pytest.mark.parametrize(("text", "lang"), [pytest.param(t, lang, id=t) for t, lang in NO_LINE])
async def test_nor_a_hotline_line(engine: Engine, text: str, lang: Lang) -> None:
    user = EngineUser(engine, 1, lang)
    await user.says(text)
    assert not hotline_shown(user)


async def test_the_detectors_see_the_crisis_reply(engine: Engine) -> None:
    """The two detectors above do see the crisis reply and the soft line when they are there."""
    user = EngineUser(engine, 3)
    await user.says("我不想活了")
    assert crisis_reply_shown(user)
    assert hotline_shown(user)


async def test_a_question_that_may_hide_the_thought_gets_the_hotline(engine: Engine) -> None:
    user = EngineUser(engine, 2)
    await user.says("人死了借呗还要还吗")
    assert hotline_shown(user)
