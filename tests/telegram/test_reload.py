"""/reload through the real transport: a refused edit is reported in one short message and the old knowledge stays."""

from __future__ import annotations

from bot.telegram.admin_commands import RELOAD_PROBLEMS_SHOWN
from tests.telegram.conftest import RELOADED_WITHIN, Person, Setup, StartBot


async def test_a_reload_refused_for_thousands_of_problems_answers_in_one_capped_message(
    setup: Setup, start_bot: StartBot
) -> None:
    knowledge = setup.own_knowledge()
    setup.admin_ids = (4401,)
    bad = "".join(f"  - id: bad.e{n}\n    colour: blue\n" for n in range(1000))  # each: 4 problems
    async with start_bot() as advisor:
        admin = Person(advisor, 4401)
        (knowledge / "entries" / "bad.yaml").write_text("entries:\n" + bad, encoding="utf-8")
        [refused] = await admin.says("/reload", within=RELOADED_WITHIN)
        [answer] = await admin.says("逾期了征信会受影响吗")

    lines = refused.text.splitlines()
    assert lines[0].startswith("Reload refused; the bot keeps version")
    assert [line.split(":")[0] for line in lines[1:-1]] == ["entries/bad.yaml"] * RELOAD_PROBLEMS_SHOWN
    assert lines[-1].startswith("… and ")
    assert "advisor kb validate" in lines[-1]
    assert answer.bold()  # still answered from the knowledge it had
