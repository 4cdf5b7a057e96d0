"""Agreement between two labellings of the same questions (counts only, never question texts).

    python -m bench.label_agreement                                  # atec_tune.tsv vs atec_tune_second.tsv
    python -m bench.label_agreement --first a.tsv --second b.tsv

A question's label set is its `accept` ids, or `none:<route>` when it is `none` (route `-` stays `none:-`), so two
labellers who both say `none` but route differently disagree; the figures are also given with routes ignored.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def read_labels(path: Path) -> dict[str, frozenset[str]]:
    """qid → its label set."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {row["qid"]: label_set(row["accept"], row.get("route") or "-") for row in rows}


def label_set(accept: str, route: str) -> frozenset[str]:
    ids = {a.strip() for a in accept.split(",") if a.strip()}
    return frozenset(f"none:{route.strip()}" if a == "none" else a for a in ids)


def without_route(labels: frozenset[str]) -> frozenset[str]:
    return frozenset("none" if a.startswith("none:") else a for a in labels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=Path, default=BENCH / "atec_tune.tsv")
    parser.add_argument("--second", type=Path, default=BENCH / "atec_tune_second.tsv")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)
    first, second = read_labels(args.first), read_labels(args.second)
    shared = sorted(first.keys() & second.keys())
    if not shared:
        print("no question labelled in both files")
        return 1
    overlap = sum(bool(first[q] & second[q]) for q in shared)
    exact = sum(first[q] == second[q] for q in shared)
    bare = {q: (without_route(first[q]), without_route(second[q])) for q in shared}
    bare_overlap = sum(bool(a & b) for a, b in bare.values())
    bare_exact = sum(a == b for a, b in bare.values())
    pairs: Counter[tuple[str, str]] = Counter()
    for q in shared:
        if not first[q] & second[q]:
            pairs.update((a, b) for a in sorted(first[q]) for b in sorted(second[q]))
    n = len(shared)
    print(f"questions labelled in both: {n} (first has {len(first)}, second {len(second)})")
    print(f"label sets intersect: {overlap}/{n} = {overlap / n:.1%}")
    print(f"exact same set:       {exact}/{n} = {exact / n:.1%}")
    print(f"routes ignored: intersect {bare_overlap}/{n} = {bare_overlap / n:.1%},", end=" ")
    print(f"exact {bare_exact}/{n} = {bare_exact / n:.1%}")
    print(f"top {args.top} disagreement pairs (first vs second) over questions whose sets do not intersect:")
    for (a, b), count in pairs.most_common(args.top):
        print(f"  {count:4d}  {a}  vs  {b}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
