"""The table of screens: dialogue.mmd draws exactly its edges, and the paths the result answers make."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core import flow
from bot.core.flow import SCREENS, Interaction, Step, edges, path, previous

DIAGRAM = Path(flow.__file__).with_name("dialogue.mmd")
_EDGE = re.compile(r"^\s*(\w+)\s*-->\s*(\w+)\s*:\s*(.*)$")


def drawn() -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for line in DIAGRAM.read_text(encoding="utf-8").splitlines():
        match = _EDGE.match(line)
        if match:  # "[*] --> product" and "%%" comments do not match
            assert (match[1], match[2]) not in found, f"drawn twice: {line}"
            found[match[1], match[2]] = match[3]
    return found


def test_the_diagram_draws_every_edge_of_the_table_and_no_other():
    table = {(source.value, target.value) for source, target, _ in edges()}
    assert set(drawn()) == table


def test_the_diagram_labels_each_branch_with_its_answer():
    labels = drawn()
    for source, target, move in edges():
        if move not in ("next", "tick", "jump"):
            assert move in labels[source.value, target.value], (source, target, move)


def test_the_diagram_names_only_real_screens():
    names = {name for pair in drawn() for name in pair}
    assert names <= {step.value for step in Step}


def test_every_step_has_one_row():
    assert [screen.step for screen in SCREENS] == list(dict.fromkeys(screen.step for screen in SCREENS))
    assert {screen.step for screen in SCREENS} == set(Step)


@pytest.mark.parametrize(
    ("result", "ending"),
    [
        pytest.param(
            "agreed", [Step.RESULT, Step.TERMS, Step.REPAY, Step.RECORDS, Step.CREDIT, Step.DONE], id="agreed"
        ),
        pytest.param("refused", [Step.RESULT, Step.RETRY, Step.DONE], id="refused"),
        pytest.param("waiting", [Step.RESULT, Step.WAITING, Step.DONE], id="waiting"),
        pytest.param(None, [Step.RESULT, Step.DONE], id="no-result-yet"),
    ],
)
def test_contact_comes_before_the_result_and_the_result_decides_what_follows(result, ending):
    steps = path(result)
    assert steps[: steps.index(Step.CONTACT) + 1] == (
        Step.PRODUCT, Step.DAYS, Step.AMOUNT, Step.CAUSE, Step.MATERIALS, Step.CHANNEL, Step.REQUESTS, Step.MONTHLY,
        Step.CONTACT,
    )  # fmt: skip
    assert list(steps[steps.index(Step.CONTACT) + 1 :]) == ending


def test_back_goes_one_screen_up_along_the_path():
    assert previous(Step.PRODUCT, None) is Step.PRODUCT
    assert previous(Step.CONTACT, None) is Step.MONTHLY
    assert previous(Step.DONE, "refused") is Step.RETRY
    assert previous(Step.TERMS, None) is Step.RESULT  # off the path: the screen that leads there


def test_only_the_summary_ends_the_table():
    for screen in SCREENS:
        assert (screen.forward is None) is (screen.interaction is Interaction.SUMMARY), screen.step
