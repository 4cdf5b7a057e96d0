"""Crisis screen: recall on bench/crisis.tsv, false alarms on ordinary messages (see bench/screening.py).

    python -m bench.crisis
    python -m bench.crisis --dev      # the screen's own development phrases (bench/safety_dev.tsv) instead
    python -m bench.crisis --positives bench/crisis_tune.tsv --negatives bench/safety_hard_negatives.tsv
    python -m bench.crisis --positives bench/crisis_tune.tsv --negatives bench/walkthrough_replies.tsv
    python -m bench.crisis --positives bench/crisis_tune.tsv --negatives bench/debt_statements.tsv
    python -m bench.crisis --phrases-only   # without the learned model, for comparison
    python -m bench.crisis --screen-only    # the screen's tiers, soft hits with nothing to answer not made full

Recall counts the full crisis reply and the soft tier (the answer, then a caring line with a hotline); false alarms
are listed for each apart. bench/walkthrough_replies.tsv: short replies users type during the walkthrough (ready,
done, amounts, jobs, materials, "what do I say to customer service"), screened here out of context (the engine also
knows which step they answer: `Screen(answer=True)`); bench/debt_statements.tsv: how borrowers state their situation
(amounts, how long overdue, a lost job, fear of calls to family, shame), never trained on.
"""

from __future__ import annotations

from bench.screening import BENCH, run
from bot.core.safety import Concern

if __name__ == "__main__":
    raise SystemExit(run(Concern.CRISIS, BENCH / "crisis.tsv", BENCH / "crisis_negatives.tsv"))
