"""The safety screen and what the advisor does with its verdict: crisis reply, scam card, a kind word for despair.

The screen is tested with its built-in phrases (they ship with the package); the advisor with small fixture knowledge.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.advisor import SCAM_ENTRY, Advisor, Conversation
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher, Status
from bot.core.safety import Concern, Screen, normal_form
from bot.core.safety.reading import typed_readings
from tests.kbfactory import default_entries, entry, write_kb

CRISIS, SCAM, DISTRESS = Concern.CRISIS, Concern.SCAM, Concern.DISTRESS


@pytest.fixture(scope="module")
def screen() -> Screen:
    return Screen()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # crisis, said plainly, indirectly, inside a story, in every script
        pytest.param("我不想活了", CRISIS, id="plain"),
        pytest.param("活着好累不如死了", CRISIS, id="tired-of-living"),
        pytest.param("只想一了百了", CRISIS, id="end-it-all-idiom"),
        pytest.param("活著好累", CRISIS, id="traditional"),
        pytest.param("頂唔順了，想死咗佢算", CRISIS, id="cantonese"),
        pytest.param("欠了八万，每天被催收，我想干脆从楼顶跳下去算了，花呗还能协商吗", CRISIS, id="inside-a-story"),
        pytest.param("要是我死了，花呗是不是就不用还了", CRISIS, id="death-as-the-way-out"),
        pytest.param("炭都买好了", CRISIS, id="means-prepared"),
        pytest.param("I can't go on anymore", CRISIS, id="english-indirect"),
        pytest.param("I don't want to be alive anymore", CRISIS, id="english-not-alive"),
        pytest.param("everyone would be better off without me", CRISIS, id="english-burden"),
        # robust to the way it is typed
        pytest.param("我不相活了", CRISIS, id="homophone-typo"),
        pytest.param("想自沙", CRISIS, id="two-character-homophone"),
        pytest.param("活着没意似", CRISIS, id="homophone-in-a-second-reading"),
        pytest.param("wo bu xiang huo le", CRISIS, id="pinyin"),
        pytest.param("我不想huo了", CRISIS, id="pinyin-mixed-in"),
        pytest.param("我.不.想 活", CRISIS, id="punctuation-and-spaces-inside"),
        pytest.param("thinking of suicde", CRISIS, id="english-typo"),
        # idioms, negation and other people are not a crisis
        pytest.param("累死了，今天加班到十点", None, id="tired-to-death-idiom"),
        pytest.param("笑死，客服说话好搞笑", None, id="laughing-to-death"),
        pytest.param("这利息也太死贵了吧", None, id="deadly-expensive"),
        pytest.param("死活还不上怎么办", None, id="no-matter-what"),
        pytest.param("I'm just trying to kill time", None, id="kill-time"),
        pytest.param("我不想死，只想把债还上", None, id="negated"),
        pytest.param("想死你了", None, id="miss-you-idiom"),
        pytest.param("催收的人都去死吧", None, id="wished-on-someone-else"),
        pytest.param("一次性还清，一了百了", None, id="done-with-it-by-paying"),
        pytest.param("紫砂壶能用花呗买吗", None, id="sounds-alike-but-no-character-right"),
        pytest.param("我想以后不用花呗", None, id="a-rare-reading-is-not-heard-in-a-short-phrase"),
        pytest.param("it would be financial suicide to borrow more", None, id="financial-suicide"),
        pytest.param("I'm not suicidal, just want to know how to negotiate", None, id="english-negated"),
        # despair that is not a crisis
        pytest.param("好崩溃", DISTRESS, id="breaking-down"),
        pytest.param("压力好大", DISTRESS, id="under-pressure"),
        pytest.param("I'm so stressed", DISTRESS, id="english-stressed"),
        pytest.param("this debt is killing me", DISTRESS, id="killing-me-idiom"),
        # scams
        pytest.param("有人说交两千就能帮我停息挂账，靠谱吗", SCAM, id="paid-agent"),
        pytest.param("客服要我的验证码能给吗", SCAM, id="code-asked-for"),
        pytest.param("对方自称支付宝客服，让我把钱转到安全账户", SCAM, id="safe-account"),
        pytest.param("征信修复公司靠谱吗", SCAM, id="credit-repair"),
        pytest.param("網上搜到的協商電話可以信嗎", SCAM, id="fake-hotline-traditional"),
        pytest.param("有人說可以幫我停息掛帳，要收手續費", SCAM, id="traditional-variant-character"),
        pytest.param(
            "the collector says if I transfer 5000 to his personal account they will stop the lawsuit",
            SCAM,
            id="english-private-account",
        ),
        # asking about negotiating with Alipay itself, codes and passwords in ordinary use: not scams
        pytest.param("想问问怎么和支付宝协商还款", None, id="negotiating-with-alipay"),
        pytest.param("How do I negotiate with Alipay myself?", None, id="english-negotiating-with-alipay"),
        pytest.param("可以申请停息挂账吗", None, id="asking-for-an-interest-freeze"),
        pytest.param("验证码收不到怎么办", None, id="code-not-received"),
        pytest.param("支付密码忘了怎么办", None, id="password-forgotten"),
        pytest.param("花呗分期手续费怎么算", None, id="alipays-own-fee"),
        pytest.param("what's the installment fee for Huabei", None, id="english-fee"),
        pytest.param("花呗逾期了征信会受影响吗", None, id="an-ordinary-question"),
    ],
)
def test_the_screen_sees_crisis_scam_and_despair(screen: Screen, text: str, expected: Concern | None) -> None:
    assert screen(text).concern is expected


def test_a_crisis_outweighs_a_scam_in_the_same_message(screen: Screen) -> None:
    assert screen("有人让我交钱协商，我真的不想活了").concern is CRISIS


@pytest.mark.parametrize("learned", [pytest.param(False, id="phrases"), pytest.param(True, id="phrases-and-model")])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # everyday medicine is no means (regression trial: "感冒药买好了" got the full crisis reply)
        pytest.param("感冒药买好了", None, id="cold-medicine-bought"),
        pytest.param("胃药已经买好了 谢谢", None, id="stomach-medicine-bought"),
        pytest.param("药已经吃了 好多了", None, id="medicine-taken-feeling-better"),
        pytest.param("孩子的药买好了 借呗逾期怎么协商", None, id="a-childs-medicine"),
        pytest.param("止痛药在手边 牙疼", None, id="painkillers-at-hand"),
        pytest.param("感冒藥買好了", None, id="traditional"),
        # a harmful substance, an amount or hoarding still is
        pytest.param("安眠药都买好了", CRISIS, id="sleeping-pills-bought"),
        pytest.param("吃了一瓶感冒药", CRISIS, id="a-bottle-taken"),
        pytest.param("我把药都攒好了", CRISIS, id="medicine-hoarded"),
        pytest.param("攒了很多药", CRISIS, id="a-lot-of-medicine-saved-up"),
        pytest.param("我妈的安眠药都买好了", CRISIS, id="sleeping-pills-are-no-everyday-medicine"),
    ],
)
def test_medicine_is_a_means_only_when_harmful_or_hoarded(text: str, expected: Concern | None, learned: bool) -> None:
    assert Screen(learned=learned)(text).concern is expected


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        pytest.param("感冒药买好了", True, id="any-medicine-once-the-intent-is-known"),
        pytest.param("药都买好了", True, id="medicine-bought"),
        pytest.param("借呗逾期了怎么协商", False, id="a-question"),
    ],
)
def test_right_after_the_crisis_reply_the_means_alone_are_urgent(screen: Screen, text: str, urgent: bool) -> None:
    """The intent was said a message or two ago: any medicine bought is the means, as in the same message."""
    found = screen(text, after_crisis=True)
    assert found.urgent is urgent
    assert (found.concern is CRISIS) is urgent
    assert screen(f"我不想活了 {text}").urgent is urgent


@pytest.mark.parametrize(
    ("raw", "form"),
    [
        pytest.param("不 想.活！", "不想活", id="spaces-and-punctuation-inside-chinese"),
        pytest.param("I DON'T want", "i dont want", id="apostrophes-and-case"),
        pytest.param("我想kill myself", "我想 kill myself", id="a-space-between-scripts"),
        pytest.param("交2000手續費", "交2000手续费", id="digits-stay-joined-traditional-converted"),
    ],
)
def test_the_normal_form(raw: str, form: str) -> None:
    assert normal_form(raw) == form


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("人死了借呗还要还吗", Concern.CRISIS_SOFT, id="does-a-dead-persons-debt-remain"),
        pytest.param("人要是死了 欠的钱还要还吗", Concern.CRISIS_SOFT, id="if-one-dies"),
        pytest.param("If someone dies, do they still have to repay Jiebei?", Concern.CRISIS_SOFT, id="english"),
        pytest.param("人死了借呗就不用还了吧", Concern.CRISIS, id="the-way-out-is-a-full-crisis"),
        pytest.param("我爸去世了 他的借呗我们要还吗", None, id="a-relatives-debt-is-a-practical-question"),
    ],
)
def test_a_question_that_may_hide_the_thought_gets_the_soft_tier(text: str, expected: Concern | None) -> None:
    """The soft tier's own patterns, heard with the phrases alone (no model)."""
    assert Screen(learned=False)(text).concern is expected


def test_admin_phrases_add_to_the_built_in_ones() -> None:
    phrases = Screen(learned=False)  # the learned model may well find it: this is about the phrase lists
    added = Screen(extra_crisis=["不想再拖累家人"], extra_scams=["逾期处理中心"], learned=False)
    assert phrases("我不想再拖累家人").concern is None
    assert added("我不想再拖累家人").concern is CRISIS
    assert added("逾期处理中心打电话来了").concern is SCAM
    assert added("我不想活了").concern is CRISIS  # the built-in ones stay


# -- the advisor's replies, on fixture knowledge ---------------------------------------------------------------------

SCAMS = [
    "代理协商要收钱正常吗", "停息挂账的中介可信不", "征信修复公司靠谱吗", "客服要我的验证码能给吗",
    "有人自称客服让我转账", "找中介替我协商好不好", "交钱就能洗白逾期吗", "网上查到的协商电话能信吗",
]  # fmt: skip


def advisor_on(root: Path, **files: str) -> Advisor:
    entries = [*default_entries(), entry(SCAM_ENTRY, SCAMS, keywords=["中介", "骗"])]
    kb = load_knowledge(write_kb(root, entries, **files), required_ids=())
    return Advisor(kb, Matcher(kb))


@pytest.fixture
def advisor(tmp_path: Path) -> Advisor:
    return advisor_on(tmp_path)


@pytest.mark.parametrize("lang", list(Lang))
def test_a_person_in_crisis_gets_the_crisis_reply_and_nothing_else(advisor: Advisor, lang: Lang) -> None:
    outcome = advisor.ask(Conversation(lang), "花呗逾期了征信会受影响吗？我真的不想活了")
    assert [r.text for r in outcome.replies] == [advisor.kb.text("crisis", lang)]
    # the conversation goes on; the question asked in the same message waits under a button, never answered first
    assert [c.action for c in outcome.replies[0].choices] == ["e:impact.credit", "g:start"]
    assert outcome.safety is CRISIS
    assert outcome.match is None
    assert not outcome.unanswered


def test_a_scam_gets_the_card_first_and_then_the_answer(advisor: Advisor) -> None:
    outcome = advisor.ask(Conversation(), "有人说交两千就能帮我处理，逾期了征信会受影响吗")
    card = advisor.kb.entry(SCAM_ENTRY)
    credit = advisor.kb.entry("impact.credit")
    assert card is not None
    assert credit is not None
    assert [(r.title, r.text) for r in outcome.replies] == [
        (card.title_in(Lang.ZH_HANS), card.answer_in(Lang.ZH_HANS)),
        (credit.title_in(Lang.ZH_HANS), credit.answer_in(Lang.ZH_HANS)),
    ]
    assert outcome.replies[0].choices == ()  # the buttons stay under the answer
    assert outcome.safety is SCAM
    assert outcome.match is not None
    assert outcome.match.entry is credit


def test_a_scam_question_answered_by_the_card_shows_it_once(advisor: Advisor) -> None:
    outcome = advisor.ask(Conversation(), "征信修复公司靠谱吗")
    assert [r.title for r in outcome.replies] == [advisor.kb.entry(SCAM_ENTRY).title_in(Lang.ZH_HANS)]  # type: ignore[union-attr]
    assert outcome.safety is SCAM


def test_a_scam_message_nothing_else_answers_gets_the_card_not_the_fallback(advisor: Advisor) -> None:
    outcome = advisor.ask(Conversation(), "对方让我开屏幕共享")
    card = advisor.kb.entry(SCAM_ENTRY)
    assert card is not None
    assert outcome.replies[0].title == card.title_in(Lang.ZH_HANS)
    assert advisor.kb.text("fallback", Lang.ZH_HANS) not in [r.text for r in outcome.replies]
    assert outcome.safety is SCAM
    assert not outcome.unanswered


def test_asking_about_negotiating_with_alipay_is_not_a_scam(advisor: Advisor) -> None:
    outcome = advisor.ask(Conversation(), "想跟支付宝协商")
    assert outcome.safety is None
    assert outcome.match is not None
    assert outcome.match.status is Status.ANSWER
    assert outcome.replies[0].title == advisor.kb.entry("respond.negotiate").title_in(Lang.ZH_HANS)  # type: ignore[union-attr]


@pytest.mark.parametrize("lang", list(Lang))
def test_despair_gets_a_kind_word_before_the_practical_answer(advisor: Advisor, lang: Lang) -> None:
    outcome = advisor.ask(Conversation(lang), "好崩溃，逾期了征信会受影响吗")
    first, *rest = outcome.replies
    assert first.text == advisor.kb.text("reassurance", lang)
    assert rest[0].title == advisor.kb.entry("impact.credit").title_in(lang)  # type: ignore[union-attr]
    assert outcome.safety is None  # despair is not reported as a safety event


CALLS = [
    "催收天天打电话", "借呗又来电话了", "催收打给我家人", "一直有电话催我还钱",
    "催收电话太多了", "催收骂人怎么办", "会不会打给我同事", "collectors keep calling",
]  # fmt: skip
CHAT = ["烦死了", "今天好烦啊", "心情不好", "好无聊啊", "压力好大啊", "真的好累", "你好烦", "陪我聊聊天"]


def test_words_of_stress_do_not_hide_the_question(tmp_path: Path) -> None:
    """Regression trial: "烦死了 借贝又打电话来" got the kind word and then "I can't answer that": the stress words
    pulled the message towards chit-chat. The kind word comes first, and the question is answered as if asked alone."""
    entries = [
        *default_entries(),
        entry("route.collection", CALLS, kind="route", keywords=["催收"]),
        entry("offtopic.chat", CHAT, kind="offtopic"),
    ]
    kb = load_knowledge(write_kb(tmp_path, entries), required_ids=())
    advisor = Advisor(kb, Matcher(kb))
    text = "压力好大 烦死了 借呗又打电话来"
    whole = advisor.matcher.match(text)  # the whole message, stress words and all, reads as small talk
    assert (whole.entry or whole.route) == kb.entry("offtopic.chat")

    outcome = advisor.ask(Conversation(Lang.ZH_HANS), text)

    first, shown = outcome.replies
    assert first.text == kb.text("reassurance", Lang.ZH_HANS)
    assert shown.title == kb.entry("route.collection").title_in(Lang.ZH_HANS)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "calm"),
    [
        pytest.param("压力好大 烦死了 借呗又打电话来", "借呗又打电话来", id="two-kinds-of-stress"),
        pytest.param("好崩溃，逾期了征信会受影响吗", "逾期了征信会受影响吗", id="a-pattern-and-punctuation"),
        pytest.param("I'm so stressed, can I negotiate", "im can i negotiate", id="english"),
        pytest.param("逾期了征信会受影响吗", "逾期了征信会受影响吗", id="no-stress-nothing-taken"),
    ],
)
def test_calm_takes_out_the_words_of_stress(screen: Screen, text: str, calm: str) -> None:
    assert screen.calm(text) == calm


@pytest.mark.parametrize(
    "aliases",
    [
        pytest.param("crisis: []\nscams: []\n", id="empty-lists"),
        pytest.param("crisis:\nscams:\n", id="lists-with-nothing-under-them"),
        pytest.param(yaml.safe_dump({"fillers": ["请问"]}, allow_unicode=True), id="no-safety-lists"),
    ],
)
def test_the_shipped_safeguards_stay_on_whatever_aliases_yaml_says(tmp_path: Path, aliases: str) -> None:
    advisor = advisor_on(tmp_path, **{"aliases.yaml": aliases})
    assert advisor.ask(Conversation(), "我不想活了").safety is CRISIS
    assert advisor.ask(Conversation(), "有人说交钱就能帮我停息挂账").safety is SCAM


def test_phrases_in_aliases_yaml_are_added(tmp_path: Path) -> None:
    advisor = advisor_on(tmp_path, **{"aliases.yaml": "crisis: [对不起大家了]\nscams: [逾期处理中心]\n"})
    assert advisor.ask(Conversation(), "对不起大家了").safety is CRISIS
    assert advisor.ask(Conversation(), "逾期处理中心说能帮我").safety is SCAM


@pytest.mark.parametrize(
    ("pattern", "needed"),
    [
        pytest.param("死了", {"死"}, id="one-required-character-is-enough"),
        pytest.param("(我|要是我)(就)?死", {"死"}, id="optional-part-not-required"),
        pytest.param("(割|切)腕?", {"割", "切"}, id="branch-unites-its-choices"),
        pytest.param("(交|付)了?.{0,10}(钱|费)", {"交", "付"}, id="gap-ignored"),
        pytest.param("[a-c]x*", {"a", "b", "c"}, id="narrow-class"),
        pytest.param(r"\d+|fee", None, id="branch-with-an-unknown-side"),
        pytest.param("(?i)fee", None, id="case-folded"),
        pytest.param("(?<!其)他", {"他"}, id="lookbehind-ignored"),
    ],
)
def test_needed_characters_are_read_from_the_pattern(pattern: str, needed: set[str] | None) -> None:
    from bot.core.safety.patterns import needed as _needed

    assert _needed(pattern) == (None if needed is None else frozenset(needed))


def test_a_pattern_skipped_by_its_characters_could_not_have_matched() -> None:
    """Every shipped pattern that matches a benchmark message shares a character with it: the shortcut that skips
    patterns is never what decides a verdict."""
    import re

    from bot.core.safety.patterns import bounded as _bounded
    from bot.core.safety.patterns import needed as _needed
    from bot.core.safety.rules import builtin_phrases as _builtin

    bench = Path(__file__).resolve().parents[2] / "bench"
    texts = [
        normal_form(line.split("\t", 1)[0])
        for name in ("crisis.tsv", "scams.tsv", "safety_dev.tsv", "safety_blind.tsv", "questions.tsv")
        for line in (bench / name).read_text(encoding="utf-8").splitlines()[1:]
    ]
    checked = 0
    for section in _builtin().values():
        if not isinstance(section, dict):
            continue
        patterns = [
            *section.get("patterns", ()),
            *section.get("soft", ()),
            *(p for group in section.get("together", ()) for p in group),
        ]
        for pattern in patterns:
            needed, regex = _needed(pattern), re.compile(_bounded(pattern))
            for text in texts:
                if regex.search(text):
                    checked += 1
                    assert needed is None or not needed.isdisjoint(text), (pattern, text)
    assert checked > 100  # the sets do exercise the patterns


# -- words about the walkthrough (first-user trial) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("can we go back, it's 5 months really", id="go-back-with-a-correction"),
        pytest.param("I wanna go back", id="go-back-alone"),
        pytest.param("i just want to go back", id="just-want-to-go-back"),
        pytest.param("i give up on this part", id="give-up-on-this-part"),
        pytest.param("I just can't do this anymore, the questions are too long", id="cant-do-this-then-the-questions"),
        pytest.param("this form is way too long, i cant take this anymore", id="the-form-then-cant-take-this"),
        pytest.param("这张表太麻烦了 我填不下去了", id="zh-the-form-then-giving-up"),
        pytest.param("这个问题我不想做了", id="zh-this-question"),
        pytest.param("这个流程太复杂了 我受够了", id="zh-fed-up-with-the-process"),
        pytest.param("I'm done with the list", id="done-with-the-list"),
        pytest.param("im done with this page", id="done-with-this-page"),
        pytest.param("done with the materials list", id="done-with-the-materials-list"),
        pytest.param("这个清单我不想弄了", id="zh-this-list"),
        pytest.param("我受够了这个清单", id="zh-fed-up-with-the-list"),
    ],
)
def test_words_about_the_walkthrough_are_no_crisis_signal(screen: Screen, text: str) -> None:
    """First-user trial: going back, or giving up on a step or the form, got the caring line or the full crisis card
    in place of the step. A message that says what it is about is about the task."""
    assert screen(text).concern not in (CRISIS, Concern.CRISIS_SOFT)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I just can't do this anymore", id="cant-do-this-alone"),
        pytest.param("我真的做不下去了", id="zh-cant-go-on-alone"),
        pytest.param("this form is too long, i cant do this anymore, i want to end it all", id="the-form-and-a-crisis"),
        pytest.param("im done with everything, the form too", id="done-with-everything"),
        pytest.param("I'm done with everything", id="done-with-everything-alone"),
        pytest.param("I'm done with life", id="done-with-life"),
        pytest.param("I'm done with the list, I want to die", id="the-list-and-a-crisis"),
        pytest.param("我受够了这个清单 不想活了", id="zh-the-list-and-a-crisis"),
    ],
)
def test_despair_that_names_no_task_or_more_than_a_task_is_still_heard(screen: Screen, text: str) -> None:
    assert screen(text).concern is CRISIS


# -- anger at Alipay or the debt (first-user trial) --------------------------------------------------------------------

ANGER = Concern.ANGER


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("这个破花呗 老是乱扣钱 真恶心", id="zh-venting"),
        pytest.param("花呗就是一群吸血鬼", id="zh-insult"),
        pytest.param("huabei is such a scam, honestly hate them", id="scam-as-an-insult"),
        pytest.param("jiebei sucks so much", id="en-venting"),
    ],
)
def test_anger_at_alipay_is_heard_as_anger_not_as_a_scam(screen: Screen, text: str) -> None:
    assert screen(text).concern is ANGER


def test_anger_next_to_a_real_scam_is_still_a_scam(screen: Screen) -> None:
    assert screen("气死了 客服要我的验证码能给吗").concern is SCAM


@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("这个破花呗 老是乱扣钱 真恶心", "anger_ack", id="zh-venting-a-menu"),
        pytest.param("花呗骗子 恶心 骗人的东西", "anger_ack", id="scam-as-an-insult-near-the-scam-card"),
        pytest.param("so stressed about my debt, i cant sleep at night", "reassurance", id="stress-no-question"),
    ],
)
def test_venting_gets_an_acknowledging_line_then_the_guide(advisor: Advisor, lang: Lang, text: str, line: str) -> None:
    """First-user trial: anger at Alipay got a bare menu, or one led by the scam card; stress about the debt got the
    kind line, then "I only help with overdue loans". The line that hears them, then the guide's offer."""
    outcome = advisor.ask(Conversation(lang), text)

    first, offer = outcome.replies
    assert first.text == advisor.kb.text(line, lang)
    assert offer.text == advisor.kb.text("venting_next", lang)
    assert [choice.action for choice in offer.choices] == ["g:start"]
    assert outcome.safety is None
    assert not outcome.unanswered


def test_anger_with_a_question_gets_the_line_then_the_answer(advisor: Advisor) -> None:
    outcome = advisor.ask(Conversation(Lang.EN), "so angry, can I negotiate a longer term?")

    first, answer = outcome.replies
    assert first.text == advisor.kb.text("anger_ack", Lang.EN)
    assert answer.title == advisor.kb.entry("respond.negotiate").title_in(Lang.EN)  # type: ignore[union-attr]


# -- a correction of what was typed; 'scam' as an insult (regression trial) --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("大概 不对", id="bare-correction"),
        pytest.param("大概吧 不对", id="bare-correction-ba"),
        pytest.param("大概两万块 不对 是一万八", id="amount-corrected"),
    ],
)
def test_a_correction_of_what_was_typed_is_no_crisis_signal(screen: Screen, text: str) -> None:
    """Regression trial: at the amount step "大概两万块 不对 是一万八" got the caring line (the learned model heard 大
    and 不 in a short text) and the amount was not recorded."""
    assert screen(text).concern is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("我觉得活着没意思 不对 是一点意思都没有", id="despair-beside-a-correction"),
        pytest.param("我感觉自己不对劲 不想活了", id="buduijin-is-no-correction"),
    ],
)
def test_despair_beside_a_correction_is_still_heard(screen: Screen, text: str) -> None:
    assert screen(text).concern is CRISIS


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("this is a scam, you guys are scammers", id="en-you-guys"),
        pytest.param("Alipay is a bunch of scammers", id="en-bunch-of"),
        pytest.param("你们这个骗子程序", id="zh-this-scam-program"),
    ],
)
def test_scam_as_an_insult_at_the_bot_or_alipay_is_anger(screen: Screen, text: str) -> None:
    assert screen(text).concern is ANGER


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("有人冒充支付宝客服 让我转账 是骗子吗", id="zh-impersonation"),
        pytest.param(
            "someone called saying they are from alipay and asked me to transfer money, are they scammers",
            id="en-impersonation",
        ),
    ],
)
def test_a_real_scam_report_that_says_scammers_is_still_a_scam(screen: Screen, text: str) -> None:
    assert screen(text).concern is SCAM


@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("this is a scam, you guys are scammers", id="en-you-guys"),
        pytest.param("Alipay is a bunch of scammers", id="en-bunch-of"),
        pytest.param("你们这个骗子程序", id="zh-this-scam-program"),
    ],
)
def test_scam_as_an_insult_gets_the_acknowledging_line_then_the_guide(advisor: Advisor, lang: Lang, text: str) -> None:
    """Regression trial: these got "I only help with…" (the off-topic line) or a bare menu."""
    outcome = advisor.ask(Conversation(lang), text)

    first, offer = outcome.replies
    assert first.text == advisor.kb.text("anger_ack", lang)
    assert offer.text == advisor.kb.text("venting_next", lang)
    assert outcome.safety is None


# -- an amount given as a range (first-user trial, /plan) -------------------------------------------------------------


@pytest.mark.parametrize("text", ["3000到4000", "3000到5000", "收入3000到4000元", "3k-5k"])
def test_an_amount_given_as_a_range_is_no_scam(screen: Screen, text: str) -> None:
    """The learned scam model heard a scam in '3000到4000' typed at a /plan question, and the amount was lost."""
    assert screen(text).concern is None


def test_a_fee_given_as_a_range_beside_a_scam_is_still_a_scam(screen: Screen) -> None:
    assert screen("交3000到5000元就能帮你消除逾期记录").concern is Concern.SCAM


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("真的想自sa了", CRISIS, id="flat-for-curled"),  # sa typed for sha, as fuzzy pinyin does
        pytest.param("不如zi杀算了", CRISIS, id="pinyin-first"),
        pytest.param("活着没意si", CRISIS, id="curled-or-flat-either-way"),
        pytest.param("周末去sa拉拉队", None, id="sa-among-ordinary-words"),
        pytest.param("自助sa", None, id="the-characters-are-not-the-phrase"),
    ],
)
def test_pinyin_typed_among_characters_is_heard_with_its_fuzzy_twin(text: str, expected: Concern | None) -> None:
    assert Screen(learned=False)(text).concern is expected


def test_a_latin_word_is_read_as_itself_and_with_flat_and_curled_initials_swapped() -> None:
    assert typed_readings("sa") == ("sa", "sha")
    assert typed_readings("zhi") == ("zhi", "zi")
    assert typed_readings("chi") == ("chi", "ci")
    assert typed_readings("huo") == ("huo",)
    assert typed_readings("s") == ("s",)  # a letter, no syllable
