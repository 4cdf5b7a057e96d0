"""Accuracy of the matcher on labelled question sets, through the real `advisor ask --json` batch mode.

    python -m bench.accuracy                       # the project's sets (questions, holdout, holdout2, offtopic),
                                                   # ../shared/eval/dev-atec.tsv, and the blind split of real
                                                   # questions (bench/atec_blind.tsv) when ../shared is present
    python -m bench.accuracy --set path.tsv --misses
    python -m bench.accuracy --set bench/atec_blind.tsv --calibration   # also the table and plot of confidence

A set is a TSV with a header naming `question` (or `qid`: a question of ../shared/data/atec-pairs.tsv as
`pair id:side`, read from there because its text may not be committed) and `accept` columns; `accept` is
comma-separated entry ids or `none` (the guide cannot answer: the bot must not give an answer). Reported, as the issue
defines them: top-1 and useful over in-KB questions; confident-wrong and clarify rate over all questions; and
out-of-scope questions answered with an entry.

bench/atec_blind.tsv is the blind split: labelled by a helper who never saw the knowledge examples, and never used to
train or tune anything (bench/train.py leaves its questions and their paraphrases out). Look at it rarely.
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
PAIRS = ROOT.parent / "shared" / "data" / "atec-pairs.tsv"
DEFAULT_SETS = [
    ROOT / "bench" / "atec_blind.tsv",
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
    none_answered: int = 0

    def row(self) -> str:
        def pct(n: int, d: int) -> str:
            return f"{100 * n / d:5.1f}%" if d else "   n/a"

        return (
            f"{self.name:<14} n={self.total:<4} top-1 {pct(self.top1, self.in_kb)}"
            f" useful {pct(self.useful, self.in_kb)}"
            f"  confident-wrong {pct(self.confident_wrong, self.total)}  clarify {pct(self.clarify, self.total)}"
            f"  route-recognised {pct(self.none_routed, self.none_total)} of none"
            f"  out-of-scope answered {pct(self.none_answered, self.none_total)}"
        )


def read_set(path: Path) -> list[tuple[str, set[str]]] | None:
    """The set's (question, accepted ids); None when its questions live in ../shared and that is absent."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if rows and "question" not in rows[0]:
        if not PAIRS.exists():
            return None
        text_of = pair_questions()
        return [(text_of[r["qid"]], {a.strip() for a in r["accept"].split(",")}) for r in rows]
    return [(r["question"], {a.strip() for a in r["accept"].split(",")}) for r in rows]


def pair_questions() -> dict[str, str]:
    """`pair id:side` → question text, for every question of ../shared/data/atec-pairs.tsv."""
    text_of: dict[str, str] = {}
    with PAIRS.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        for pair_id, q1, q2, _ in rows:
            text_of[f"{pair_id}:1"] = q1.strip()
            text_of[f"{pair_id}:2"] = q2.strip()
    return text_of


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
            s.none_answered += wrong
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
    parser.add_argument(
        "--calibration", action="store_true", help="per confidence band, how many answers were right (table + PNG)"
    )
    args = parser.parse_args()
    for path in args.set or [p for p in DEFAULT_SETS if p.exists()]:
        rows = read_set(path)
        if rows is None:
            print(f"{path.stem:<14} skipped: its questions are read from {PAIRS.name}, which is not here")
            continue
        results, elapsed = run_batch([q for q, _ in rows])
        s = score(path.stem, rows, results, args.misses)
        print(s.row() + f"  ({elapsed:.2f} s for the batch, start-up included)")
        if args.calibration:
            calibration(path.stem, rows, results)
    return 0


def calibration(name: str, rows: list[tuple[str, set[str]]], results: list[dict[str, object]]) -> None:
    """For answers given, the share that was right per band of the reported confidence (`score`)."""
    bands = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]
    table: list[tuple[str, int, int, float]] = []
    for low, high in bands:
        answered = [
            (accept, result)
            for (_, accept), result in zip(rows, results, strict=True)
            if result["status"] == "answer" and low <= float(result["score"]) < high  # type: ignore[arg-type]
        ]
        right = sum(1 for accept, result in answered if result["entry"] in accept)
        scores = [float(r["score"]) for _, r in answered]  # type: ignore[arg-type]
        mean = sum(scores) / len(scores) if scores else 0.0
        table.append((f"{low:.1f}-{min(high, 1.0):.1f}", len(answered), right, mean))
    print(f"  calibration of {name}: band, answers, right, share right, mean confidence")
    for band, n, right, mean in table:
        share = f"{100 * right / n:5.1f}%" if n else "   n/a"
        print(f"    {band}  {n:4d}  {right:4d}  {share}  {mean:.2f}")
    import matplotlib  # only for this report

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    used = [(mean, right / n, n) for _, n, right, mean in table if n]
    figure, axes = plt.subplots(figsize=(5, 5), dpi=120)
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    axes.scatter([m for m, _, _ in used], [r for _, r, _ in used], s=[20 + 3 * n for _, _, n in used], label="answers")
    axes.set_xlabel("confidence reported (mean of band)")
    axes.set_ylabel("share of answers that were right")
    axes.set_title(f"Calibration on {name}")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.legend(loc="upper left")
    out = ROOT / "bench" / "results" / f"calibration-{name}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, bbox_inches="tight")
    plt.close(figure)
    print(f"  plot: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    raise SystemExit(main())
