"""Scam screen: recall on bench/scams.tsv, false alarms on ordinary messages (see bench/screening.py).

    python -m bench.scams
    python -m bench.scams --dev       # the screen's own development phrases (bench/safety_dev.tsv) instead
    python -m bench.scams --positives bench/scam_tune.tsv --negatives bench/safety_hard_negatives.tsv
    python -m bench.scams --positives bench/scam_tune.tsv --negatives bench/walkthrough_replies.tsv
    python -m bench.scams --phrases-only   # without the learned model, for comparison

bench/walkthrough_replies.tsv: short replies users type during the walkthrough, among them asking for the words to say
to customer service ("给我个话术"), which is no scam.
"""

from __future__ import annotations

from bench.screening import BENCH, run
from bot.core.safety import Concern

if __name__ == "__main__":
    raise SystemExit(run(Concern.SCAM, BENCH / "scams.tsv", BENCH / "scam_negatives.tsv"))
