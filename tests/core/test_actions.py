"""Button actions (bot/core/actions.py): every token the bot makes reads back as the same typed value, buttons
already sent keep working, and data that is not ours is refused with ActionError rather than acted on."""

from __future__ import annotations

import pytest

from bot.core import actions
from bot.core.actions import (
    Diary,
    Forget,
    ForgetVerb,
    Inbox,
    NoneOfThese,
    PickLanguage,
    PlanPress,
    PlanVerb,
    Reminder,
    ShowEntry,
    StartGuide,
    Vote,
    Walk,
    WalkVerb,
    pack_callback,
    unpack,
    unpack_callback,
)
from bot.errors import ActionError


@pytest.mark.parametrize(
    ("token", "action"),
    [
        pytest.param("e:impact.credit", ShowEntry("impact.credit"), id="entry"),
        pytest.param("n:", NoneOfThese(), id="none-of-these"),
        pytest.param("g:start", StartGuide(), id="guide"),
        pytest.param("w:next", Walk(WalkVerb.NEXT), id="bare-next"),
        pytest.param("w:back:days", Walk(WalkVerb.BACK, "days"), id="back"),
        pytest.param("w:o:product:huabei", Walk(WalkVerb.OPTION, "product", "huabei"), id="option"),
        pytest.param("w:use:monthly:1200", Walk(WalkVerb.USE, "monthly", "1200"), id="use-amount"),
        pytest.param("w:goto:result", Walk(WalkVerb.GOTO, "result"), id="goto"),
        pytest.param("p:keep:owed", PlanPress(PlanVerb.KEEP, "owed"), id="plan-keep"),
        pytest.param("p:again", PlanPress(PlanVerb.AGAIN), id="plan-again"),
        pytest.param("f:yes", Forget(ForgetVerb.YES), id="forget"),
        pytest.param("l:zh-hant", PickLanguage("zh-hant"), id="language"),
        pytest.param("v:-:impact.credit", Vote("-", "impact.credit"), id="vote"),
        pytest.param("d:day:1", Diary("day", "1"), id="diary"),
        pytest.param("r:tz:Asia/Hong_Kong", Reminder("tz", "Asia/Hong_Kong"), id="reminder-zone"),
        pytest.param("i:ok:abc123", Inbox("ok", "abc123"), id="inbox"),
    ],
)
def test_a_token_already_on_buttons_reads_back_as_its_typed_action(token: str, action: actions.Action) -> None:
    assert unpack(token) == action
    assert action.pack() == token


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("w:fly", id="unknown-walk-verb"),
        pytest.param("w:o:days", id="option-without-value"),
        pytest.param("e:", id="entry-without-id"),
        pytest.param("x:1", id="unknown-kind"),
        pytest.param("plain", id="no-colon"),
        pytest.param("f:maybe", id="unknown-forget-answer"),
        pytest.param("e:债务", id="not-ascii"),
    ],
)
def test_a_token_the_bot_does_not_make_is_refused(token: str) -> None:
    with pytest.raises(ActionError):
        unpack(token)


def test_pack_refuses_an_action_that_would_not_fit_in_a_button() -> None:
    with pytest.raises(ActionError, match="at most"):
        ShowEntry("x" * actions.MAX_TOKEN_BYTES).pack()
    assert len(pack_callback(ShowEntry("x" * (actions.MAX_TOKEN_BYTES - 2)), "abcdef").encode()) == 64


def test_callback_data_carries_the_knowledge_version_and_an_older_one_is_stale() -> None:
    data = pack_callback(Walk(WalkVerb.NEXT, "days"), "abcdef12")
    assert data == "abcd|w:next:days"
    assert unpack_callback(data, "abcdef12") == (Walk(WalkVerb.NEXT, "days"), False)
    assert unpack_callback(data, "99990000") == (Walk(WalkVerb.NEXT, "days"), True)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("w:next", id="no-version"),
        pytest.param("abcd|w:", id="no-verb"),
        pytest.param("abcd|" + "e:" + "x" * 70, id="too-long"),
    ],
)
def test_callback_data_that_is_not_ours_raises_a_clear_error(data: str) -> None:
    with pytest.raises(ActionError):
        unpack_callback(data, "abcdef12")
