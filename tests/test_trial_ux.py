"""What a first-user trial met in the walkthrough and around it, pinned through the real engine.

Fixture knowledge and the fixture walkthrough (tests/kbfactory.py): every text says its own key, so a test names the
text it expects and never the shipped wording.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.advisor import Advisor
from bot.core.dialogue_queries import SCRIPT_ENTRY
from bot.core.i18n import Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.progress import Progress, from_saved
from bot.core.walkthrough import load_walkthrough
from bot.engine import Engine, Incoming, Kind, Knowledge
from bot.engine.saved_state import PROGRESS_KEY
from bot.storage import Storage
from tests.kbfactory import default_entries, entry, write_kb, write_walkthrough
from tests.transcript import EngineUser

#: Questions the fixture's entry about what to say to customer service answers.
SCRIPT_QUESTIONS = [
    "跟客服如何开口", "协商时的话术", "打电话协商该说什么", "头一回协商不知道说啥",
    "协商的时候怎么讲", "给我一段话术", "what should I say to customer service", "give me a script",
]  # fmt: skip


def fixture_knowledge(folder: Path) -> Knowledge:
    """kbfactory entries and texts with the kbfactory walkthrough (labels «id», texts ‹key name=value›)."""
    kb = load_knowledge(write_kb(folder, [*default_entries(), entry(SCRIPT_ENTRY, SCRIPT_QUESTIONS)]), required_ids=())
    matcher = Matcher(kb)
    return Knowledge(kb, matcher, Advisor(kb, matcher), load_walkthrough(write_walkthrough(folder)))


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    """Built once for the module: the bot shares one immutable Knowledge between all its users too."""
    return fixture_knowledge(tmp_path_factory.mktemp("kb"))


@pytest.fixture
def engine(knowledge: Knowledge, storage: Storage) -> Engine:
    return Engine(knowledge, storage)


async def saved_progress(storage: Storage, user: EngineUser) -> Progress | None:
    session = await storage.load_session(user.user_id)
    assert session is not None
    assert session.state is not None
    return from_saved(session.state[PROGRESS_KEY])


async def at_amount_step(user: EngineUser) -> None:
    await user.says("/guide")
    await user.presses("w:o:product:both")
    await user.presses("w:o:days:d1_30")
    assert "steps.amount.prompt›" in user.text


# --- 1. several amounts, each with its product, at the amount step ---------------------------------------------


@pytest.mark.parametrize(
    ("typed", "total"),
    [
        pytest.param("两个都有 «huabei»1.2万«jiebei»3万", 42000, id="trial-user-words"),
        pytest.param("«huabei»1.2w «jiebei»三万二", 44000, id="w-and-chinese-numerals"),
        pytest.param("«huabei»12000块，«jiebei»一万", 22000, id="kuai"),
    ],
)
async def test_amounts_per_product_are_recorded_as_their_sum_and_confirmed(
    engine: Engine, storage: Storage, typed: str, total: int
) -> None:
    user = EngineUser(engine, 1)
    await at_amount_step(user)
    await user.says(typed)
    progress = await saved_progress(storage, user)
    assert progress is not None
    assert (progress.amount_typed, progress.step.value) == (total, "cause")
    assert f"total=‹steps.amount.typed n={total}›" in user.text
    assert user.text.count("‹steps.amount.part product=") == 2
    assert "‹steps.cause.prompt›" in user.text


# --- 2. typed text at the checklist steps ------------------------------------------------------------------------


async def at_materials_step(user: EngineUser) -> None:
    await at_amount_step(user)
    await user.presses("w:o:amount:k1_plus")
    await user.presses("w:o:cause:income_drop")
    assert "steps.materials.prompt›" in user.text


async def test_items_named_in_words_are_ticked_and_said_back(engine: Engine, storage: Storage) -> None:
    user = EngineUser(engine, 2)
    await at_materials_step(user)
    await user.says("«bank_statements»有了")
    assert user.replies[0].text == "‹messages.ticked value=«bank_statements»›"
    assert "‹steps.materials.prompt›" in user.text  # the checklist again, showing the tick
    await user.says("«id_card»和«income_drop_proof»都有")
    progress = await saved_progress(storage, user)
    assert progress is not None
    assert progress.materials == ("id_card", "bank_statements", "income_drop_proof")


async def test_an_item_said_to_be_missing_is_unticked(engine: Engine, storage: Storage) -> None:
    user = EngineUser(engine, 3)
    await at_materials_step(user)
    await user.presses("w:t:materials:id_card")
    await user.presses("w:t:materials:bank_statements")
    await user.says("其实还没有«bank_statements»")
    assert user.replies[0].text == "‹messages.unticked value=«bank_statements»›"
    progress = await saved_progress(storage, user)
    assert progress is not None
    assert progress.materials == ("id_card",)


async def test_text_naming_no_item_gets_the_hint_and_keeps_the_ticks(engine: Engine, storage: Storage) -> None:
    user = EngineUser(engine, 4)
    await at_materials_step(user)
    await user.presses("w:t:materials:id_card")
    await user.says("嗯嗯 好的")
    assert user.replies[0].text == "‹messages.checklist_hint›"
    assert "steps.materials.prompt›" in user.text
    progress = await saved_progress(storage, user)
    assert progress is not None
    assert (progress.step.value, progress.materials) == ("materials", ("id_card",))


async def test_a_question_at_a_checklist_still_goes_to_the_knowledge_base(engine: Engine) -> None:
    user = EngineUser(engine, 5)
    await at_materials_step(user)
    await user.says("逾期了征信会受影响吗")
    assert "w:resume" in user.actions  # a side answer, with the button back to the walkthrough
    assert "‹messages.checklist_hint›" not in user.text


async def test_requests_are_ticked_from_words_too(engine: Engine, storage: Storage) -> None:
    user = EngineUser(engine, 6)
    await at_materials_step(user)
    await user.presses("w:next:materials")
    await user.presses("w:o:channel:app")
    assert "‹steps.requests.prompt" in user.text
    await user.says("想要«longer_term»，还有«instalments»")
    progress = await saved_progress(storage, user)
    assert progress is not None
    assert progress.requests == ("longer_term", "instalments")


# --- 3. the filled opening script from a plain question; 4. in Chinese too for English readers -------------------


async def test_asking_what_to_say_gets_the_script_filled_with_the_users_answers(engine: Engine) -> None:
    user = EngineUser(engine, 7)
    await at_amount_step(user)
    await user.says("两个都有 «huabei»1.2万«jiebei»3万")
    await user.says("跟客服如何开口")
    assert user.replies[0].title == f"标题 {SCRIPT_ENTRY}"  # the knowledge's own answer first
    filled = user.replies[-1].text
    assert filled.startswith("‹steps.contact.yours script=‹steps.contact.script script=")
    assert "‹script.overdue product=«both»" in filled
    assert "n=42000" in filled


async def test_the_topic_button_gives_the_filled_script_too(engine: Engine) -> None:
    user = EngineUser(engine, 8)
    await at_amount_step(user)
    # as a related-topic or clarify button would send it
    response = await engine.handle(Incoming(user.user_id, Kind.PRESS, action=f"e:{SCRIPT_ENTRY}", lang=user.lang))
    replies = response.replies
    assert replies[0].title == f"标题 {SCRIPT_ENTRY}"
    assert replies[-1].text.startswith("‹steps.contact.yours")


async def test_without_walkthrough_answers_the_knowledges_own_script_is_all(engine: Engine) -> None:
    user = EngineUser(engine, 9)
    await user.says("跟客服如何开口")
    assert user.replies[0].title == f"标题 {SCRIPT_ENTRY}"
    assert "steps.contact.yours" not in user.text


async def test_an_english_reader_gets_the_script_in_chinese_with_its_meaning(engine: Engine) -> None:
    user = EngineUser(engine, 10, Lang.EN)
    await at_amount_step(user)
    await user.says("what should I say to customer service")
    filled = user.replies[-1].text
    assert filled.startswith("‹en steps.contact.yours script=‹en steps.contact.script_bilingual chinese=")
    chinese, _, meaning = filled.partition(" meaning=")
    assert "‹script.overdue product=«both»" in chinese  # the Chinese words to read out
    assert "‹en script.overdue product=«en both»" in meaning  # and what they say


async def test_the_contact_step_shows_an_english_reader_the_chinese_script_too(engine: Engine) -> None:
    user = EngineUser(engine, 11, Lang.EN)
    await at_materials_step(user)
    await user.presses("w:next:materials")
    await user.presses("w:o:channel:app")
    await user.presses("w:next:requests")
    await user.presses("w:o:monthly:unknown")
    assert "‹en steps.contact.script_bilingual chinese=" in user.text
    assert "‹script.overdue product=«both»" in user.text
