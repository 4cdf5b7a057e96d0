"""Fear of the law over a debt is not a crisis signal by itself: the crisis `unless` patterns blank it for the phrases
and for the learned model alike (regression trial: "will i go to jail" got the crisis reply, the model having learned
"go to" from crises)."""

from __future__ import annotations

import pytest

from bot.core.safety import Concern, Screen
from bot.core.safetymodel import Linear, SafetyModel

#: A crisis model that hears "go to", "end up", "jail" and "police" clearly (score 2.0 from its full threshold 1.0),
#: as the shipped one heard "go to" and "end up" before the veto.
LAW_WORDS = {"w:go to": 4.0, "w:end up": 4.0, "w:jail": 4.0, "w:police": 4.0}
HEARS_LAW = SafetyModel({"crisis": Linear(LAW_WORDS, -2.0, 0.0, 1.0)}, ())


@pytest.mark.parametrize(
    "text",
    [
        "will i go to jail",
        "Will I go to jail for this?",
        "can i end up in prison for owing money",
        "will i get arrested",
        "will i end up in court",
        "the police called me about my huabei",
    ],
)
def test_legal_fear_alone_is_no_crisis(text: str) -> None:
    assert Screen(learned=HEARS_LAW)(text).concern is None


def test_the_veto_is_what_silences_the_model() -> None:
    assert Screen(learned=HEARS_LAW)("i want to go to bed").concern is Concern.CRISIS  # the model still speaks


@pytest.mark.parametrize(
    "text",
    ["i would rather die than go to jail", "the police are coming and i want to end my life", "我不想活了 会坐牢吗"],
)
def test_a_crisis_said_beside_it_is_still_heard(text: str) -> None:
    assert Screen(learned=HEARS_LAW)(text).concern is Concern.CRISIS
