"""What the matcher's two-phase shortcut costs on a large knowledge base, against exact scoring of every entry.

    python -m bench.twophase            # a synthetic base of 10,000 entries (as bench.latency builds it)

Features whose inverted list is longer than `Matcher.common_postings` are summed only for the promising entries.
Reported for several cut-offs: how often a question still lands on its own entry (an example with one character
dropped), and how often the decision (status and first candidate) is the same as with exact scoring.
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
from pathlib import Path

import bot.core.matcher as matching
from bench.latency import NO_CACHE, queries, synthetic
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.core.knowledge import load_knowledge


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--cutoffs", type=int, nargs="+", default=[256, 128, 64])
    args = parser.parse_args()
    rng = random.Random(20261129)
    shipped = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    stray = queries(shipped, 1000, rng)  # questions of the shipped guide: no synthetic entry is theirs
    with tempfile.TemporaryDirectory() as tmp:
        big = load_knowledge(synthetic(shipped, args.entries, Path(tmp), rng), required_ids=())
        own = []
        for entry in rng.sample(list(big.entries), 500):
            text = rng.choice(entry.examples)
            cut = rng.randrange(len(text))
            own.append((text[:cut] + text[cut + 1 :], entry.id))
        matcher = matching.Matcher(big, NO_CACHE)
        configured = matcher.common_postings

        def decisions(cutoff: float) -> list[tuple[str, str | None]]:
            matcher.common_postings = cutoff
            result = []
            for question in [q for q, _ in own] + stray:
                found = matcher.match(question)  # uncached (NO_CACHE): every cut-off decides afresh
                result.append((found.status.value, found.candidates[0].entry.id if found.candidates else None))
            return result

        exact = decisions(math.inf)
        exact_first = sum(d[1] == want for d, (_, want) in zip(exact, own, strict=False))
        print(f"exact:  own entry first {exact_first:>3} of {len(own)}")
        for cutoff in args.cutoffs:
            got = decisions(cutoff)
            first = sum(d[1] == want for d, (_, want) in zip(got, own, strict=False))
            same = sum(a == b for a, b in zip(exact, got, strict=True))
            mark = "  (configured)" if cutoff == configured else ""
            print(
                f"{cutoff:>5}:  own entry first {first:>3} of {len(own)}; "
                f"same decision as exact {same} of {len(got)}{mark}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
