"""Defects a first-user trial found (a helper playing a distressed borrower), each pinned on fixture knowledge.

The knowledge is tests/kbfactory.py's, so a test names the text it expects by its key, never by shipped wording.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.core.advisor import Advisor
from bot.core.i18n import NATIVE_NAMES, Lang
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.core.walkthrough import load_walkthrough
from bot.engine import Engine, Incoming, Kind, Knowledge
from bot.storage import Storage
from tests.kbfactory import TEXT_KEYS, write_kb
from tests.transcript import SHIPPED


def knowledge_with_texts(root: Path, **texts: dict[str, str]) -> Knowledge:
    """kbfactory knowledge whose texts.yaml says `key 文本` / `key text`, except the `texts` given."""
    all_texts = {key: {"zh-hans": f"{key} 文本", "en": f"{key} text"} for key in TEXT_KEYS}
    all_texts.update(texts)
    folder = write_kb(root, **{"texts.yaml": yaml.safe_dump({"texts": all_texts}, allow_unicode=True)})
    kb = load_knowledge(folder, required_ids=())
    matcher = Matcher(kb)
    return Knowledge(kb, matcher, Advisor(kb, matcher), load_walkthrough(SHIPPED / "walkthrough.yaml"))


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    async with await Storage.open(tmp_path / "db.sqlite3") as opened:
        yield opened


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
    [reply] = await engine.handle(Incoming(1, Kind.COMMAND, command="language", text=typed))
    assert reply.text.endswith(NATIVE_NAMES[expected])


async def test_every_language_in_the_menu_is_confirmed_by_its_own_name(tmp_path: Path, storage: Storage) -> None:
    knowledge = knowledge_with_texts(tmp_path, language_set={"zh-hans": "改用 {language}", "en": "now {language}"})
    engine = Engine(knowledge, storage)
    [menu] = await engine.handle(Incoming(1, Kind.COMMAND, command="language"))
    assert [choice.label for choice in menu.choices] == [
        NATIVE_NAMES[lang] for lang in (Lang.ZH_HANS, Lang.ZH_HANT, Lang.EN)
    ]
    for choice in menu.choices:
        [done] = await engine.handle(Incoming(1, Kind.PRESS, action=choice.action))
        assert done.text.endswith(choice.label)


def test_the_shipped_confirmation_names_the_language_for_every_choice() -> None:
    kb = load_knowledge(SHIPPED)
    for lang, name in NATIVE_NAMES.items():
        said = kb.text("language_set", lang, language=name)
        assert name in said
        assert "{" not in said
