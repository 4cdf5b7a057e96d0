"""What a first-user trial met in the walkthrough and around it, pinned through the real engine.

Fixture knowledge and the fixture walkthrough (tests/kbfactory.py): every text says its own key, so a test names the
text it expects and never the shipped wording.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.advisor import Advisor
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.progress import Progress, from_saved
from bot.core.walkthrough import load_walkthrough
from bot.engine import Engine, Knowledge
from bot.engine.saved_state import PROGRESS_KEY
from bot.storage import Storage
from tests.kbfactory import write_kb, write_walkthrough
from tests.transcript import EngineUser


def fixture_knowledge(folder: Path) -> Knowledge:
    """kbfactory entries and texts with the kbfactory walkthrough (labels «id», texts ‹key name=value›)."""
    kb = load_knowledge(write_kb(folder), required_ids=())
    matcher = Matcher(kb)
    return Knowledge(kb, matcher, Advisor(kb, matcher), load_walkthrough(write_walkthrough(folder)))


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    async with await Storage.open(tmp_path / "db.sqlite3") as opened:
        yield opened


@pytest.fixture
def engine(tmp_path: Path, storage: Storage) -> Engine:
    return Engine(fixture_knowledge(tmp_path / "kb"), storage)


async def saved_progress(storage: Storage, user: EngineUser) -> Progress | None:
    session = await storage.load_session(user.user_id)
    assert session is not None
    assert session.state is not None
    return from_saved(session.state[PROGRESS_KEY])


async def at_amount_step(user: EngineUser) -> None:
    await user.says("/guide")
    await user.presses("w:o:product:both")
    await user.presses("w:o:days:d1_30")
    assert "‹steps.amount.prompt›" in user.text


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
