"""A user's saved progress: it survives JSON, garbage is refused with the field named, version-1 rows are upgraded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.flow import Step
from bot.core.progress import MAX_TERMS, VERSION, Progress, from_saved
from bot.core.walkthrough import Walkthrough, load_walkthrough
from bot.errors import StateError
from tests.kbfactory import write_walkthrough


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> Walkthrough:
    return load_walkthrough(write_walkthrough(Path(tmp_path_factory.mktemp("walkthrough"))))


FULL = Progress(
    step=Step.CREDIT, product="huabei", days="d1_30", days_typed=15, amount="k1_plus", amount_typed=2000,
    cause="income_drop", materials=("id_card",), channel="hotline", requests=("longer_term",), monthly_typed=800,
    result="agreed", terms="分 12 期", paused=True,
)  # fmt: skip


def test_progress_survives_json_and_back(walk):
    saved = json.loads(json.dumps(FULL.to_saved()))
    assert saved["version"] == VERSION
    assert from_saved(saved) == FULL
    assert from_saved(saved, walk) == FULL


GOOD = Progress(step=Step.DAYS, product="huabei").to_saved()


def test_no_saved_progress_reads_as_none():
    assert from_saved(None) is None


@pytest.mark.parametrize(
    ("data", "where"),
    [
        pytest.param("days", "not a mapping", id="a-string"),
        pytest.param([GOOD], "not a mapping", id="a-list"),
        pytest.param({}, "no version", id="an-empty-dict"),
        pytest.param({**GOOD, "version": 99}, "a version this advisor does not read", id="a-newer-version"),
        pytest.param({**GOOD, "version": True}, "a version this advisor does not read", id="a-bool-as-version"),
        pytest.param({k: v for k, v in GOOD.items() if k != "version"}, "no version", id="no-version"),
        pytest.param({**GOOD, "step": "negotiate"}, "step: not one of the values allowed there", id="an-unknown-step"),
        pytest.param({**GOOD, "step": None}, "step: expected", id="no-step"),
        pytest.param({k: v for k, v in GOOD.items() if k != "step"}, "step: missing", id="step-left-out"),
        pytest.param({**GOOD, "product": 7}, "product: expected a text or nothing, found a whole number",
                     id="a-number-as-option"),
        pytest.param({**GOOD, "product": "Hua Bei!"}, "product: expected `str` matching regex",
                     id="a-malformed-option-id"),
        pytest.param({**GOOD, "days_typed": "15"}, "days_typed: expected a whole number or nothing, found a text",
                     id="typed-days-as-text"),
        pytest.param({**GOOD, "monthly_typed": -3}, "monthly_typed: expected `int` >= 0", id="a-negative-amount"),
        pytest.param({**GOOD, "days_typed": True}, "days_typed: expected a whole number or nothing, found true or",
                     id="a-bool-as-number"),
        pytest.param({**GOOD, "materials": "id_card"}, "materials: expected a list, found a text",
                     id="ticks-not-a-list"),
        pytest.param({**GOOD, "requests": [None]}, "requests[0]: expected a text, found nothing",
                     id="a-tick-that-is-not-an-id"),
        pytest.param({**GOOD, "result": True}, "result: expected a text or nothing", id="result-as-a-bool"),
        pytest.param({**GOOD, "terms": "x" * (MAX_TERMS + 1)}, f"terms: expected `str` of length <= {MAX_TERMS}",
                     id="overlong-terms"),
        pytest.param({**GOOD, "paused": "no"}, "paused: expected true or false, found a text", id="paused-as-text"),
        pytest.param({**GOOD, "debt": 3}, "debt: not a key this version has", id="an-unknown-key"),
        pytest.param({"version": 1, "step": "agreement", "agreement": "yes"}, "agreement: expected true or false",
                     id="a-garbled-version-1"),
        pytest.param({"version": 1, "step": "negotiate"}, "step: not a step of version 1", id="a-version-1-step"),
    ],
)  # fmt: skip
def test_garbled_saved_progress_is_refused_with_the_field_and_the_problem(data, where):
    with pytest.raises(StateError) as refused:
        from_saved(data)
    assert str(refused.value).startswith(f"saved walkthrough progress: {where}")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("terms", "还不起了 x" * 100, id="overlong-terms"),
        pytest.param("step", "我的欠款 30000", id="text-as-step"),
        pytest.param("product", "借呗 30000", id="text-as-option"),
        pytest.param("materials", ["身份证 110101"], id="text-as-tick"),
    ],
)
def test_a_refusal_never_repeats_what_was_stored(field, value):
    with pytest.raises(StateError) as refused:
        from_saved({**GOOD, field: value})
    assert field in str(refused.value)
    assert "还不起" not in str(refused.value)
    assert "3000" not in str(refused.value)
    assert "110101" not in str(refused.value)


def version_1(**fields: object) -> dict[str, object]:
    """A session saved by the first walkthrough (before contact and result existed), as it sits in the database."""
    return {
        "version": 1, "step": "product", "product": None, "days": None, "days_typed": None, "amount": None,
        "amount_typed": None, "cause": None, "ticked": [], "channel": None, "demands": [], "agreement": None,
        "terms": None, "paused": False, **fields,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("saved", "expected"),
    [
        pytest.param(
            version_1(step="days", product="huabei", paused=True),
            Progress(step=Step.DAYS, product="huabei", paused=True),
            id="mid-intake",
        ),
        pytest.param(
            version_1(step="materials", cause="budgeting", ticked=["id_card", "repayment_plan"]),
            Progress(step=Step.MATERIALS, cause="budgeting", materials=("id_card", "repayment_plan")),
            id="ticked-materials",
        ),
        pytest.param(
            version_1(step="demands", demands=["longer_term", "instalments"]),
            Progress(step=Step.REQUESTS, requests=("longer_term", "instalments")),
            id="demands-become-requests",
        ),
        pytest.param(
            version_1(step="agreement"),
            Progress(step=Step.RESULT),
            id="the-agreement-question-becomes-the-result-question",
        ),
        pytest.param(
            version_1(step="terms", agreement=True, terms="分 12 期"),
            Progress(step=Step.TERMS, result="agreed", terms="分 12 期"),
            id="a-written-agreement-is-agreed",
        ),
        pytest.param(
            version_1(step="records", agreement=True),
            Progress(step=Step.RECORDS, result="agreed"),
            id="after-care-with-an-agreement-stays",
        ),
        pytest.param(
            version_1(step="repay", agreement=False),
            Progress(step=Step.WAITING, result="waiting"),
            id="not-yet-is-still-waiting",
        ),
        pytest.param(
            version_1(step="credit"),
            Progress(step=Step.RESULT),
            id="after-care-skipped-without-an-answer-asks-how-it-went",
        ),
        pytest.param(
            version_1(step="done", agreement=False, channel="online"),
            Progress(step=Step.DONE, channel="online", result="waiting"),
            id="finished",
        ),
    ],
)
def test_a_version_1_session_is_upgraded(saved, expected):
    assert from_saved(json.loads(json.dumps(saved))) == expected


def test_an_upgraded_session_is_saved_in_the_current_version():
    upgraded = from_saved(version_1(step="agreement", demands=["longer_term"]))
    assert upgraded is not None
    assert upgraded.to_saved()["version"] == VERSION
    assert from_saved(upgraded.to_saved()) == upgraded


def test_options_an_admin_removed_are_dropped(walk):
    saved = {**GOOD, "product": "zhima", "materials": ["id_card", "old_item"], "requests": ["longer_term", "x"],
             "channel": "fax", "result": "maybe"}  # fmt: skip
    assert from_saved(saved, walk) == Progress(step=Step.DAYS, materials=("id_card",), requests=("longer_term",))


def test_a_typed_number_is_re_bucketed_when_the_ranges_change(walk):
    progress = from_saved({**GOOD, "days": "d_old_range", "days_typed": 15}, walk)
    assert progress is not None
    assert progress.days == "d1_30"
