"""What a first user met with the shipped screen, knowledge and models (smoke tests through the engine): despair said
indirectly gets care before anything else, saying where one is gets no scam card and a Traditional reply when typed
in Traditional, and a fake "legal department" threatening arrest gets the card about that, not the one about paid
agents. The wording is the shipped one and may change: these tests check which entry, which concern and which
order, never a sentence."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.advisor import Conversation
from bot.core.i18n import Lang
from bot.core.replies import Reply
from bot.engine import Engine, Knowledge
from bot.storage import Storage
from tests.transcript import EngineUser

SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"


@pytest.fixture(scope="module")
def shipped() -> Knowledge:
    return Knowledge.load(SHIPPED)


@pytest.fixture
def engine(shipped: Knowledge, storage: Storage) -> Engine:
    return Engine(shipped, storage, directory=SHIPPED)


def care_texts(shipped: Knowledge, lang: Lang) -> set[str]:
    """The first lines of the replies that are care (the crisis reply and the soft tier's care-first reply)."""
    advisor = shipped.advisor
    conversation = Conversation(lang)
    return {
        advisor.crisis(conversation)[0].text.splitlines()[0],
        advisor.soft_first(conversation).text.splitlines()[0],
    }


def first_line(replies: list[Reply]) -> str:
    return replies[0].text.splitlines()[0]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        pytest.param("跟家人道过别了", Lang.ZH_HANS, id="farewell"),
        pytest.param("我想把借呗的事处理完就走了", Lang.ZH_HANS, id="affairs-then-leaving"),
        pytest.param("天台的风挺大的", Lang.ZH_HANS, id="rooftop"),
        pytest.param("好想解脱", Lang.ZH_HANS, id="release"),
        pytest.param("there's no way out", Lang.EN, id="no-way-out"),
        pytest.param("im done with everything", Lang.EN, id="done-with-everything"),
        pytest.param("no point anymore", Lang.EN, id="no-point"),
    ],
)
async def test_despair_said_indirectly_gets_care_first_and_no_topic_menu(
    engine: Engine, shipped: Knowledge, storage: Storage, text: str, lang: Lang
) -> None:
    user = EngineUser(engine, 1, lang)
    replies = await user.says(text)
    assert first_line(replies) in care_texts(shipped, lang)
    assert "n:" not in user.actions  # no "none of these" under a menu of topics
    assert await storage.unmatched_report() == []  # never filed as a question nobody could answer


async def test_two_faint_signals_in_a_row_get_the_full_crisis_reply(engine: Engine, shipped: Knowledge) -> None:
    user = EngineUser(engine, 2)
    await user.says("跟家人道过别了")
    replies = await user.says("好想解脱")
    crisis = shipped.kb.text("crisis", Lang.ZH_HANS).splitlines()[0]
    again = shipped.kb.text("crisis_again", Lang.ZH_HANS).splitlines()[0]
    assert first_line(replies) in {crisis, again}  # the full reply (again, if the first already got it)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        pytest.param("我人在台灣", "zh-hant", id="taiwan-in-traditional"),
        pytest.param("我人在上海", "zh-hans", id="shanghai"),
        pytest.param("我人在香港", "zh-hans", id="hong-kong"),
    ],
)
def test_saying_where_one_is_gets_no_scam_card_and_the_users_script(text: str, lang: str) -> None:
    out = io.StringIO()
    assert main(["ask", "--json", "--path", str(SHIPPED), text], out) == 0
    data = json.loads(out.getvalue())
    assert data["lang"] == lang  # Traditional in, Traditional out
    assert data["safety"] != "scam"
    assert data["entry"] != "safety.code"


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        pytest.param(
            "法务部的人打电话 说我涉嫌恶意透支诈骗 今天不还明天警察上门抓我 让我转到一个个人账户",
            "safety.fake_authority",
            id="fake-legal-department-wants-a-transfer",
        ),
        pytest.param("催收说我再不还就要抓我坐牢", "safety.fake_authority", id="collector-threatens-jail"),
        pytest.param("借呗一直拖着不还 会不会要坐牢啊", "impact.legal", id="the-question-about-jail-keeps-its-answer"),
        pytest.param("代理协商要收钱正常吗", "safety.scams", id="paid-agent"),
        pytest.param("有人打电话说是支付宝客服要我的验证码", "safety.code", id="code-on-the-phone"),
        # second user trial: it has happened already, so the steps that cut the caller off come first
        pytest.param(
            "已经开了共享 他刚才让我输了支付密码", "safety.screen_shared", id="screen-shared-and-password-typed"
        ),
        pytest.param("我开着共享的时候把密码输进去了", "safety.screen_shared", id="password-typed-while-sharing"),
    ],
)
def test_the_scam_screen_answers_each_kind_with_its_own_card(shipped: Knowledge, text: str, entry: str) -> None:
    outcome = shipped.advisor.ask(Conversation(Lang.ZH_HANS), text)
    assert outcome.match is not None
    assert outcome.match.entry is not None
    assert outcome.match.entry.id == entry
    shown = shipped.kb.entry(entry)
    assert shown is not None
    assert outcome.replies[0].title == shown.title_in(Lang.ZH_HANS)  # its own card first, not the agents' one


def test_the_fake_authority_card_points_to_the_legal_consequences(shipped: Knowledge) -> None:
    card = shipped.kb.entry("safety.fake_authority")
    assert card is not None
    assert "impact.legal" in card.related
