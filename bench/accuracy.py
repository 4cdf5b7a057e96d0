"""Accuracy of the matcher on labelled question sets, through the real `advisor ask --json` batch mode.

    python -m bench.accuracy                       # the project's sets (questions, holdout, holdout2, offtopic),
                                                   # and ../shared/eval/dev-atec.tsv if present
    python -m bench.accuracy --set path.tsv --misses

A set is a TSV with a header naming `question` and `accept` columns; `accept` is comma-separated entry ids
or `none` (the guide cannot answer: the bot must not give an answer). Reported, as the issue defines them:
top-1 and useful over in-KB questions; confident-wrong and clarify rate over all questions.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETS = [
    ROOT / "bench" / "questions.tsv",
    ROOT / "bench" / "holdout.tsv",
    ROOT / "bench" / "holdout2.tsv",
    ROOT / "bench" / "offtopic.tsv",
    ROOT.parent / "shared" / "eval" / "dev-atec.tsv",
]


@dataclass
class Scores:
    name: str
    total: int = 0
    in_kb: int = 0
    top1: int = 0
    useful: int = 0
    confident_wrong: int = 0
    clarify: int = 0
    none_total: int = 0
    none_routed: int = 0

    def row(self) -> str:
        def pct(n: int, d: int) -> str:
            return f"{100 * n / d:5.1f}%" if d else "   n/a"

        return (
            f"{self.name:<14} n={self.total:<4} top-1 {pct(self.top1, self.in_kb)}"
            f" useful {pct(self.useful, self.in_kb)}"
            f"  confident-wrong {pct(self.confident_wrong, self.total)}  clarify {pct(self.clarify, self.total)}"
            f"  route-recognised {pct(self.none_routed, self.none_total)} of none"
        )


def read_set(path: Path) -> list[tuple[str, set[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(r["question"], {a.strip() for a in r["accept"].split(",")}) for r in rows]


def run_batch(questions: list[str]) -> tuple[list[dict[str, object]], float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"],
        input="\n".join(q.replace("\n", " ") for q in questions) + "\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - started
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()], elapsed


def score(name: str, rows: list[tuple[str, set[str]]], results: list[dict[str, object]], misses: bool) -> Scores:
    s = Scores(name)
    for (question, accept), result in zip(rows, results, strict=True):
        s.total += 1
        status, entry = result["status"], result["entry"]
        candidates = list(result["candidates"])[:3]  # type: ignore[call-overload]
        is_none = accept == {"none"}
        s.clarify += status == "clarify"
        if is_none:
            s.none_total += 1
            s.none_routed += "route" in result
            wrong = status == "answer"
        else:
            s.in_kb += 1
            hit = status == "answer" and entry in accept
            s.top1 += hit
            s.useful += hit or (status == "clarify" and any(c in accept for c in candidates))
            wrong = status == "answer" and entry not in accept
        s.confident_wrong += wrong
        if misses and (wrong or (not is_none and not (status == "answer" and entry in accept))):
            shown = entry or result.get("route") or ""
            print(
                f"  {'WRONG' if wrong else 'miss '} {status:<8} {shown!s:<22} {candidates} "
                f"{result['score']:.2f} want={','.join(sorted(accept))}  {question}"
            )
    return s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", action="append", type=Path, help="TSV set(s); default: the project's and dev-atec")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args()
    for path in args.set or [p for p in DEFAULT_SETS if p.exists()]:
        rows = read_set(path)
        results, elapsed = run_batch([q for q, _ in rows])
        s = score(path.stem, rows, results, args.misses)
        print(s.row() + f"  ({elapsed:.2f} s for the batch, start-up included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
