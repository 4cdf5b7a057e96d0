"""A user's saved state read through its declared shapes: every shape the database may hold still loads, what is
written reads back the same, and a garbled part is refused alone, logged by place (never by value)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.core.flow import Step
from bot.core.plan import Field, Inputs
from bot.core.planchat import PlanState
from bot.core.progress import Progress
from bot.core.walkthrough import Walkthrough, load_walkthrough
from bot.engine import CRISIS_MEMORY, FORM_KEY, PLAN_KEY, PROGRESS_KEY
from bot.engine.care import SOFT_WINDOW, Care
from bot.engine.saved_state import CARE_KEY, CRISIS_KEY, FORGET_KEY, UserState
from bot.storage import Session
from bot.tools import Form
from tests.kbfactory import write_walkthrough


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Walkthrough:
    return load_walkthrough(write_walkthrough(Path(tmp_path_factory.mktemp("walkthrough"))))


def stored(**parts: object) -> Session:
    """A session as the database hands it back: the state went through JSON."""
    return Session(user_id=42, state=json.loads(json.dumps(parts)))


# Rows in the shapes earlier releases wrote, as they sit in the database.
FIRST_WALKTHROUGH = {
    "version": 1, "step": "agreement", "product": "huabei", "days": "d1_30", "days_typed": 15, "amount": None,
    "amount_typed": None, "cause": "income_drop", "ticked": ["id_card"], "channel": "hotline",
    "demands": ["longer_term"], "agreement": None, "terms": None, "paused": False,
}  # fmt: skip
BEFORE_MONTHLY_AND_ASKED = {
    "version": 2, "step": "channel", "product": "jiebei", "days": None, "days_typed": None, "amount": "k1_plus",
    "amount_typed": 2000, "cause": None, "materials": [], "channel": None, "requests": [], "result": None,
    "terms": None, "paused": True,
}  # fmt: skip
FIRST_PLAN = {"version": 1, "asking": "income", "owed": 30000, "income": None, "spending": None, "other": None,
              "proposal": None}  # fmt: skip
PLAN_BEFORE_EARLIER = {**FIRST_PLAN, "paused": True}


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        pytest.param(
            {PROGRESS_KEY: FIRST_WALKTHROUGH},
            UserState(progress=Progress(step=Step.RESULT, product="huabei", days="d1_30", days_typed=15,
                                        cause="income_drop", materials=("id_card",), channel="hotline",
                                        requests=("longer_term",))),
            id="the-first-walkthrough",
        ),
        pytest.param(
            {PROGRESS_KEY: BEFORE_MONTHLY_AND_ASKED},
            UserState(progress=Progress(step=Step.CHANNEL, product="jiebei", amount="k1_plus", amount_typed=2000,
                                        paused=True)),
            id="progress-before-monthly-and-asked",
        ),
        pytest.param({PLAN_KEY: FIRST_PLAN}, UserState(plan=PlanState(Field.INCOME, Inputs(owed=30000))),
                     id="the-first-plan"),
        pytest.param({PLAN_KEY: PLAN_BEFORE_EARLIER},
                     UserState(plan=PlanState(Field.INCOME, Inputs(owed=30000), paused=True)),
                     id="a-plan-before-the-earlier-result-was-kept"),
        pytest.param({FORM_KEY: {"kind": "due"}}, UserState(form=Form("due", {})), id="waiting-for-a-due-day"),
        pytest.param({FORM_KEY: {"kind": "tz"}}, UserState(form=Form("tz", {})), id="waiting-for-a-time-zone"),
        pytest.param({FORM_KEY: {"kind": "note", "row": 7}}, UserState(form=Form("note", {"row": 7})),
                     id="waiting-for-a-note"),
        pytest.param(
            {FORM_KEY: {"kind": "diary", "at": "who", "day": "2026-11-30", "channel": "phone", "who": None}},
            UserState(form=Form("diary", {"at": "who", "day": "2026-11-30", "channel": "phone", "who": None})),
            id="a-diary-entry-half-written",
        ),
        pytest.param({CRISIS_KEY: 2}, UserState(crisis=2), id="crisis-memory"),
        pytest.param({CRISIS_KEY: CRISIS_MEMORY + 50}, UserState(crisis=CRISIS_MEMORY), id="crisis-memory-capped"),
        pytest.param({FORGET_KEY: True}, UserState(forget_asked=True), id="delete-everything-asked"),
        pytest.param({CARE_KEY: {"version": 1, "at": 1800000000, "soft": 2, "cared": True}},
                     UserState(care=Care(1800000000, 2, cared=True)), id="the-soft-tiers-memory"),
        pytest.param({CARE_KEY: {"version": 1, "at": 1800000000, "soft": SOFT_WINDOW + 9}},
                     UserState(care=Care(1800000000, SOFT_WINDOW)), id="the-soft-tiers-memory-capped"),
    ],
)  # fmt: skip
def test_every_shape_the_database_may_hold_still_loads(walk: Walkthrough, parts: dict[str, object],
                                                       expected: UserState) -> None:  # fmt: skip
    assert UserState.from_session(stored(**parts), walk) == expected


def test_what_is_saved_reads_back_the_same(walk: Walkthrough) -> None:
    state = UserState(
        progress=Progress(step=Step.MONTHLY, product="huabei", days="d1_30", days_typed=15, materials=("id_card",),
                          requests=("longer_term",), monthly_typed=800, terms=None, asked=3),
        plan=PlanState(Field.PROPOSAL, Inputs(owed=30000, income=5000), earlier=Inputs(owed=20000)),
        form=Form("diary", {"at": "day", "day": None, "channel": None, "who": None}),
        crisis=1,
        forget_asked=True,
        care=Care(1800000000, 1, cared=True),
    )  # fmt: skip
    saved = state.to_dict()
    assert saved is not None
    assert UserState.from_session(stored(**saved), walk) == state


def test_a_garbled_part_is_refused_alone_and_logged_by_place_not_by_value(
    walk: Walkthrough, caplog: pytest.LogCaptureFixture
) -> None:
    plan = {**FIRST_PLAN, "owed": "三万块 欠了好久"}  # hand-edited: the user's words where a number belongs
    with caplog.at_level(logging.WARNING, logger="bot.engine"):
        state = UserState.from_session(stored(**{PROGRESS_KEY: BEFORE_MONTHLY_AND_ASKED, PLAN_KEY: plan}), walk)

    assert state.plan is None  # that part starts afresh
    assert state.progress is not None  # the rest is kept
    assert state.progress.step is Step.CHANNEL
    [warning] = caplog.records
    assert warning.levelno == logging.WARNING
    assert warning.getMessage() == (
        "user 42: saved /plan calculation: owed: expected a whole number or nothing, found a text; "
        "that part of their state starts afresh"
    )
    assert "三万" not in caplog.text


@pytest.mark.parametrize(
    ("parts", "place"),
    [
        pytest.param({PROGRESS_KEY: {"version": 3, "step": "days"}}, "saved walkthrough progress: a version",
                     id="progress-from-a-newer-release"),
        pytest.param({FORM_KEY: {"kind": "survey"}}, "saved form: kind: not one of the values allowed there",
                     id="a-form-nobody-knows"),
        pytest.param({FORM_KEY: {"kind": "diary", "channel": "carrier pigeon"}}, "saved form: channel: expected",
                     id="a-diary-channel-nobody-knows"),
        pytest.param({FORM_KEY: {"kind": "note"}}, "saved form: row: missing", id="a-note-without-its-row"),
        pytest.param({CRISIS_KEY: True}, "saved crisis memory: expected a whole number, found true or false",
                     id="crisis-as-a-bool"),
        pytest.param({CRISIS_KEY: 0}, "saved crisis memory: expected `int` >= 1", id="crisis-used-up"),
        pytest.param({FORGET_KEY: "yes"}, "saved /forget question: expected true or false, found a text",
                     id="forget-question-in-words"),
        pytest.param({FORGET_KEY: False}, "saved /forget question: not one of the values allowed there",
                     id="a-closed-question-is-never-stored"),
        pytest.param({CARE_KEY: {"version": 2, "at": 1800000000}}, "saved care memory: version: not one of the values",
                     id="care-memory-from-a-newer-release"),
        pytest.param({CARE_KEY: {"version": 1, "at": 1800000000, "text": "我受够了"}},
                     "saved care memory: text: not a key this version has", id="care-memory-with-a-message-in-it"),
        pytest.param({CARE_KEY: {"version": 1, "at": 1800000000, "soft": -1}}, "saved care memory: soft: expected",
                     id="care-memory-counting-below-zero"),
    ],
)  # fmt: skip
def test_each_kind_of_part_is_refused_with_a_clear_reason(
    walk: Walkthrough, caplog: pytest.LogCaptureFixture, parts: dict[str, object], place: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.engine"):
        assert UserState.from_session(stored(**parts), walk) == UserState()
    [warning] = caplog.records
    assert warning.getMessage().startswith(f"user 42: {place}")
