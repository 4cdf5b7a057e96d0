"""Defects a first-user trial found (a helper playing a distressed borrower), each pinned on fixture knowledge.

The knowledge is tests/kbfactory.py's, so a test names the text it expects by its key, never by shipped wording.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.core.advisor import Advisor, Conversation
from bot.core.flow import Step
from bot.core.i18n import NATIVE_NAMES, Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.walkthrough import Option, load_walkthrough
from bot.engine import Engine, Incoming, Kind, Knowledge
from bot.storage import Storage
from tests.kbfactory import TEXT_KEYS, write_kb
from tests.transcript import SHIPPED


def knowledge_with_texts(root: Path, **texts: dict[str, str]) -> Knowledge:
    """kbfactory knowledge whose texts.yaml says `key 文本` / `key text`, except the `texts` given."""
    all_texts = {key: {"zh-hans": f"{key} 文本", "en": f"{key} text"} for key in TEXT_KEYS}
    all_texts.update(texts)
    folder = write_kb(root)
    (folder / "texts.yaml").write_text(yaml.safe_dump({"texts": all_texts}, allow_unicode=True), encoding="utf-8")
    kb = load_knowledge(folder, required_ids=())
    matcher = Matcher(kb)
    return Knowledge(kb, matcher, Advisor(kb, matcher), load_walkthrough(SHIPPED / "walkthrough.yaml"))


@pytest.fixture(scope="module")
def shipped() -> Knowledge:
    return Knowledge.load(SHIPPED)


# --- /language confirms in the chosen language's own name -------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("繁體", Lang.ZH_HANT, id="traditional-by-its-name"),
        pytest.param("zh-hant", Lang.ZH_HANT, id="traditional-by-tag"),
        pytest.param("简体", Lang.ZH_HANS, id="simplified"),
        pytest.param("en", Lang.EN, id="english"),
        pytest.param("hk", Lang.ZH_HK, id="hong-kong"),
    ],
)
async def test_the_language_confirmation_names_the_chosen_language_itself(
    tmp_path: Path, storage: Storage, typed: str, expected: Lang
) -> None:
    knowledge = knowledge_with_texts(tmp_path, language_set={"zh-hans": "改用 {language}", "en": "now {language}"})
    engine = Engine(knowledge, storage)
    [reply] = (await engine.handle(Incoming(1, Kind.COMMAND, command="language", text=typed))).replies
    assert reply.text.endswith(NATIVE_NAMES[expected])


async def test_every_language_in_the_menu_is_confirmed_by_its_own_name(tmp_path: Path, storage: Storage) -> None:
    knowledge = knowledge_with_texts(tmp_path, language_set={"zh-hans": "改用 {language}", "en": "now {language}"})
    engine = Engine(knowledge, storage)
    [menu] = (await engine.handle(Incoming(1, Kind.COMMAND, command="language"))).replies
    assert [choice.label for choice in menu.choices] == [
        NATIVE_NAMES[lang] for lang in (Lang.ZH_HANS, Lang.ZH_HANT, Lang.EN)
    ]
    for choice in menu.choices:
        [done] = (await engine.handle(Incoming(1, Kind.PRESS, action=choice.action))).replies
        assert done.text.endswith(choice.label)


def test_the_shipped_confirmation_names_the_language_for_every_choice() -> None:
    kb = load_knowledge(SHIPPED)
    for lang, name in NATIVE_NAMES.items():
        said = kb.text("language_set", lang, language=name)
        assert name in said
        assert "{" not in said


# --- someone who already paid a scammer gets what to do now, not only the warning --------------------------------

PAID = ["转了钱给暗号中介怎么办", "已经给暗号中介付钱了", "暗号中介收了钱联系不上", "付了暗号费用被骗了",
        "钱转给暗号的人了", "暗号收费后拉黑我了", "被暗号骗了钱怎么办", "I already paid the secret agent"]  # fmt: skip
SCAM_WARNING = ["暗号中介靠谱吗", "暗号收费正常吗", "能找暗号帮忙吗", "暗号公司可信吗",
                "暗号能帮我协商吗", "暗号要验证码", "暗号让我下载软件", "is the secret agent legit"]  # fmt: skip


def scam_knowledge(root: Path) -> Knowledge:
    """kbfactory's entries plus a scam card and an "already paid" entry; the screen reads 暗号 as a scam."""
    from tests.kbfactory import default_entries, entry

    entries = [*default_entries(), entry("safety.scams", SCAM_WARNING), entry("safety.scam_paid", PAID)]
    aliases = {"aliases": {}, "fillers": ["请问"], "greetings": ["你好"], "generic": ["怎么办"], "scams": ["暗号"]}
    folder = write_kb(root, entries, **{"aliases.yaml": yaml.safe_dump(aliases, allow_unicode=True)})
    kb = load_knowledge(folder, required_ids=())
    matcher = Matcher(kb)
    return Knowledge(kb, matcher, Advisor(kb, matcher), load_walkthrough(SHIPPED / "walkthrough.yaml"))


async def test_a_user_who_already_paid_gets_the_after_paying_answer_without_the_card_in_front(
    tmp_path: Path, storage: Storage
) -> None:
    knowledge = scam_knowledge(tmp_path)
    assert knowledge.advisor.screen("转了钱给暗号中介怎么办").concern is not None
    replies = (await Engine(knowledge, storage).handle(Incoming(1, Kind.TEXT, text="转了钱给暗号中介怎么办"))).replies
    assert [reply.title for reply in replies] == ["标题 safety.scam_paid"]


async def test_a_scam_question_on_another_topic_still_gets_the_card_first(tmp_path: Path, storage: Storage) -> None:
    knowledge = scam_knowledge(tmp_path)
    replies = (await Engine(knowledge, storage).handle(Incoming(1, Kind.TEXT, text="暗号说能减免利息吗"))).replies
    assert [reply.title for reply in replies] == ["标题 safety.scams", "标题 respond.negotiate"]


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("我已经给那个代理转了3000了怎么办", id="zh-paid-an-agent"),
        pytest.param("I already paid the 'negotiation agent'", id="en-paid-an-agent"),
    ],
)
def test_the_shipped_knowledge_tells_someone_who_paid_what_to_do_now(question: str, shipped: Knowledge) -> None:
    knowledge = shipped
    result = knowledge.matcher.match(question)
    assert result.entry is not None
    assert result.entry.id == "safety.scam_paid"
    for lang in (Lang.ZH_HANS, Lang.EN, Lang.ZH_HANT):
        answer = result.entry.answer_in(lang)
        for number in ("110", "96110", "165", "18222", "95188"):
            assert number in answer, (lang, number)


# --- collection harassment is routed to what protects the user --------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("催收打电话给我家人怎么办", id="family"),
        pytest.param("催收爆通讯录", id="phone-book"),
        pytest.param("催收威胁我", id="threats"),
        pytest.param("催收打到我单位了", id="employer"),
        pytest.param("催收天天骚扰我爸妈", id="parents"),
        pytest.param("debt collectors are threatening me", id="en-threats"),
        pytest.param("借贝又打电话来", id="the-lender-calling-again"),
    ],
)
def test_the_shipped_knowledge_routes_harassment_to_the_collection_answer(question: str, shipped: Knowledge) -> None:
    knowledge = shipped
    result = knowledge.matcher.match(question)
    shown = result.entry or result.route
    assert shown is not None
    assert shown.id == "route.collection"
    for lang in (Lang.ZH_HANS, Lang.EN):
        answer = shown.answer_in(lang)
        for number in ("95188", "12378", "110"):  # Alipay's service, the regulator's complaints line, the police
            assert number in answer, (lang, number)


def test_stress_said_with_the_calls_gets_a_kind_word_and_the_collection_answer(shipped: Knowledge) -> None:
    """Regression trial: "烦死了 借贝又打电话来" got a kind word and then "I can't answer that"."""
    outcome = shipped.advisor.ask(Conversation(Lang.ZH_HANS), "烦死了 借贝又打电话来")
    first, card, *_ = outcome.replies
    assert first.text == shipped.kb.text("reassurance", Lang.ZH_HANS)
    collection = shipped.kb.entry("route.collection")
    assert collection is not None
    assert card.title == collection.title_in(Lang.ZH_HANS)


# --- "只还本金" is a request to waive interest, not to pay interest only ---------------------------------------------


@pytest.mark.parametrize("question", ["只还本金", "能不能只还本金", "只还本金行不行"])
def test_the_shipped_answer_to_principal_only_speaks_of_the_principal(question: str, shipped: Knowledge) -> None:
    result = shipped.matcher.match(question)
    assert result.entry is not None
    assert result.entry.id == "respond.negotiate"
    assert "本金" in result.entry.answer_in(Lang.ZH_HANS)  # the principal, not only the interest (a misreading)
    assert "principal" in result.entry.answer_in(Lang.EN)


# --- the opening script reads as sentences a person says, not button labels ---------------------------------------


def test_a_range_chosen_by_button_is_said_as_its_phrase_in_the_script(tmp_path: Path) -> None:
    from bot.core import screens
    from bot.core.progress import Progress
    from tests.kbfactory import walkthrough_data, write_walkthrough

    data = walkthrough_data()
    days = data["steps"]["days"]["options"]
    days[1]["said"] = {"zh-hans": "«说法 d1_30»", "en": "«en said d1_30»"}
    walkthrough = load_walkthrough(write_walkthrough(tmp_path, data))
    said = Progress(product="huabei", days="d1_30", amount="k1_plus")
    for lang, phrase, label in [(Lang.ZH_HANS, "«说法 d1_30»", "«d1_30»"), (Lang.EN, "«en said d1_30»", "«en d1_30»")]:
        script = screens.script(said, walkthrough, lang)
        assert phrase in script
        assert label not in script
    # without a phrase the label is used: nothing the user answered is left out
    assert "«k1_plus»" in screens.script(said, walkthrough, Lang.ZH_HANS)
    # the summary still shows what the button said
    assert "«d1_30»" in screens.prompt(replace(said, step=Step.DONE), walkthrough, Lang.ZH_HANS).text


#: What a sentence a person says has none of: ranges, brackets, slashes, placeholders, ellipses.
UNSPOKEN = re.compile(r"\d\s*[-–—~～]\s*\d|[–—()（）/\[\]{}…]|\.\.\.")


def test_every_button_combination_renders_a_script_of_spoken_sentences(shipped: Knowledge) -> None:
    from itertools import product as combinations

    from bot.core import screens
    from bot.core.progress import Progress

    w = shipped.walkthrough

    def ids(options: tuple[Option, ...]) -> list[str | None]:
        return [None, *(option.id for option in options)]

    rendered = 0
    for product, days, amount in combinations(ids(w.products), ids(w.days), ids(w.amounts)):
        for cause, channel in zip(ids(w.causes), [*ids(w.channels)] * 3, strict=False):
            progress = Progress(
                product=product, days=days, amount=amount, cause=cause, channel=channel,
                materials=tuple(m.id for m in w.materials), requests=tuple(r.id for r in w.requests),
            )  # fmt: skip
            for lang in (Lang.ZH_HANS, Lang.EN, Lang.ZH_HANT, Lang.ZH_HK):
                script = screens.script(progress, w, lang)
                rendered += 1
                for line in script.splitlines():
                    assert not UNSPOKEN.search(line), (lang, progress, line)
                    assert line.endswith(("。", ".", "？", "?", "！", "!")), (lang, line)
    assert rendered >= 4 * 4 * 6 * 6


# --- a bare small amount is asked about once, never in a loop ------------------------------------------------------


def test_a_small_amount_typed_again_after_the_question_is_noted_and_survives_a_restart(tmp_path: Path) -> None:
    from bot.core import dialogue
    from bot.core.progress import Progress, from_saved
    from tests.kbfactory import write_walkthrough

    walkthrough = load_walkthrough(write_walkthrough(tmp_path))
    at_monthly = Progress(step=Step.MONTHLY)
    replies, asked = dialogue.handle(at_monthly, dialogue.TypedText("1"), walkthrough, Lang.ZH_HANS)
    assert asked is not None
    assert asked.step is Step.MONTHLY
    assert asked.monthly_typed is None
    assert "w:n:monthly:1" in [choice.action for reply in replies for choice in reply.choices]

    restarted = from_saved(asked.to_saved(), walkthrough)  # the question is open across a restart too
    assert restarted == asked
    _, noted = dialogue.handle(restarted, dialogue.TypedText("1"), walkthrough, Lang.ZH_HANS)
    assert noted is not None
    assert (noted.step, noted.monthly_typed, noted.asked) == (Step.CONTACT, 1, None)


def test_the_question_about_a_small_amount_is_open_for_the_next_message_only(tmp_path: Path) -> None:
    from bot.core import dialogue
    from bot.core.progress import Progress
    from tests.kbfactory import write_walkthrough

    walkthrough = load_walkthrough(write_walkthrough(tmp_path))
    _, asked = dialogue.handle(Progress(step=Step.MONTHLY), dialogue.TypedText("3"), walkthrough, Lang.ZH_HANS)
    _, other = dialogue.handle(asked, dialogue.TypedText("5"), walkthrough, Lang.ZH_HANS)  # another number: asked
    assert other is not None
    assert (other.asked, other.monthly_typed) == (5, None)
    _, elsewhere = dialogue.handle(other, dialogue.Resume(), walkthrough, Lang.ZH_HANS)
    assert elsewhere is not None
    assert elsewhere.asked is None
    _, again = dialogue.handle(elsewhere, dialogue.TypedText("5"), walkthrough, Lang.ZH_HANS)
    assert again is not None
    assert (again.asked, again.monthly_typed) == (5, None)  # asked afresh, not taken as the confirmation


# --- the crisis reply lists the user's own region's help first -----------------------------------------------------

REGION_LINES = {
    "crisis": {"zh-hans": "危机\n{hotlines}\n结束", "en": "crisis\n{hotlines}\nend"},
    "crisis_mainland": {"zh-hans": "大陆热线", "en": "mainland line"},
    "crisis_taiwan": {"zh-hans": "台湾热线", "en": "taiwan line"},
    "crisis_hongkong": {"zh-hans": "香港热线", "en": "hongkong line"},
    "crisis_elsewhere": {"zh-hans": "其他地区", "en": "anywhere else"},
}


@pytest.mark.parametrize(
    ("lang", "client", "first"),
    [
        pytest.param(Lang.ZH_HANS, "zh-hans", "mainland", id="simplified-mainland-first"),
        pytest.param(Lang.ZH_HANT, "zh-hant", "taiwan", id="taiwan-wording-taiwan-first"),
        pytest.param(Lang.ZH_HK, "zh-hk", "hongkong", id="hong-kong-wording-hong-kong-first"),
        pytest.param(Lang.EN, "en", "mainland", id="english-mainland-first"),
        pytest.param(Lang.EN, "en-HK", "hongkong", id="english-from-hong-kong"),
        pytest.param(Lang.EN, "en_TW", "taiwan", id="english-from-taiwan"),
    ],
)
async def test_the_crisis_reply_lists_the_users_region_first_and_every_region(
    tmp_path: Path, storage: Storage, lang: Lang, client: str, first: str
) -> None:
    knowledge = knowledge_with_texts(tmp_path, **REGION_LINES)
    engine = Engine(knowledge, storage)
    [reply] = (await engine.handle(Incoming(1, Kind.TEXT, text="我不想活了", lang=lang, client_lang=client))).replies
    lines = reply.text.splitlines()[1:-1]
    expected_first = knowledge.kb.text(f"crisis_{first}", lang)
    assert lines[0] == expected_first
    every = {knowledge.kb.text(f"crisis_{where}", lang) for where in ("mainland", "taiwan", "hongkong")}
    elsewhere = knowledge.kb.text("crisis_elsewhere", lang)
    assert set(lines) == every | {elsewhere}  # all regions stay available
    assert lines[-1] == elsewhere  # and someone in London or the US is told where to turn too


@pytest.mark.parametrize("lang", list(Lang))
def test_the_shipped_crisis_reply_keeps_every_regions_numbers(shipped: Knowledge, lang: Lang) -> None:
    text = shipped.advisor.crisis_text(lang)
    for number in ("12356", "1925", "2896 0000", "999", "110"):
        assert number in text
    assert "{" not in text
