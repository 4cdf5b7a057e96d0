"""Crisis screen: recall on bench/crisis.tsv, false alarms on ordinary messages (see bench/screening.py).

    python -m bench.crisis
    python -m bench.crisis --dev      # the screen's own development phrases (bench/safety_dev.tsv) instead
"""

from __future__ import annotations

from bench.screening import BENCH, run
from bot.core.safety import Concern

if __name__ == "__main__":
    raise SystemExit(run(Concern.CRISIS, BENCH / "crisis.tsv", BENCH / "crisis_negatives.tsv"))
