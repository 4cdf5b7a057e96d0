"""What `bench.crisis` and `bench.scams` share: recall on a labelled set, false alarms on ordinary messages.

The screen measured is the one the bot ships: bot/core/safety.py's built-in phrases plus the shipped knowledge's
aliases.yaml additions. Ordinary messages are every question of the project's sets under bench/ (those labelled with
`safety.scams` are left out of the scam bench: they are about scams), ../shared/eval/dev-atec.tsv and the everyday
questions of ../shared/data/atec-pairs.tsv (read at run time, never copied into the project; skipped with a note
when ../shared is absent), plus the bench's own negatives file. Every miss and every false alarm is listed.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.knowledge import load_knowledge
from bot.core.safety import Concern, Screen

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SHARED = ROOT.parent / "shared"
QUESTION_SETS = ("questions.tsv", "holdout.tsv", "holdout2.tsv", "offtopic.tsv")
ATEC_PAIRS = SHARED / "data" / "atec-pairs.tsv"
DEV_ATEC = SHARED / "eval" / "dev-atec.tsv"


@dataclass
class Tally:
    name: str
    total: int = 0
    flagged: list[tuple[str, str, str]] = field(default_factory=list)  # (text, what it was taken for, rule)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


DEV_SET = BENCH / "safety_dev.tsv"  # the screen's own development phrases (columns text, lang, kind, expect)


def labelled(path: Path, expect: str | None = None, keep: bool = True) -> list[tuple[str, str]]:
    """(text, kind) of a file with columns text, lang, kind; with `expect`, only rows whose `expect` column is (keep)
    or is not (not keep) that value."""
    return [
        (r["text"], r.get("kind") or "")
        for r in _rows(path)
        if (r.get("text") or "").strip() and (expect is None or (r.get("expect") == expect) is keep)
    ]


def ordinary(concern: Concern, negatives: Path, dev: Path | None = None) -> tuple[dict[str, list[str]], list[str]]:
    """Ordinary messages by source, and notes on what was skipped."""
    sources: dict[str, list[str]] = {}
    notes: list[str] = []
    for name in QUESTION_SETS:
        path = BENCH / name
        if path.exists():
            sources[path.stem] = _questions(_rows(path), concern)
    if DEV_ATEC.exists():
        sources["dev-atec"] = _questions(_rows(DEV_ATEC), concern)
    else:
        notes.append(f"{DEV_ATEC.relative_to(ROOT.parent)} absent: skipped")
    if ATEC_PAIRS.exists():
        seen: dict[str, None] = {}
        for row in _rows(ATEC_PAIRS):
            for key in ("question1", "question2"):
                text = (row.get(key) or "").strip()
                if text:
                    seen.setdefault(text)
        sources["atec-pairs"] = list(seen)
    else:
        notes.append(f"{ATEC_PAIRS.relative_to(ROOT.parent)} absent: the everyday questions are skipped")
    if dev is not None:
        sources[dev.stem] = [text for text, _ in labelled(dev, concern.value, keep=False)]
    elif negatives.exists():
        sources[negatives.stem] = [text for text, _ in labelled(negatives)]
    else:
        notes.append(f"{negatives.relative_to(ROOT)} absent: skipped")
    return sources, notes


def _questions(rows: Iterable[dict[str, str]], concern: Concern) -> list[str]:
    kept = []
    for row in rows:
        accept = {a.strip() for a in (row.get("accept") or "").split(",")}
        if concern is Concern.SCAM and "safety.scams" in accept:
            continue  # a question about scams: the card is right there
        if (row.get("question") or "").strip():
            kept.append(row["question"])
    return kept


def shipped_screen() -> Screen:
    kb = load_knowledge(ROOT / "knowledge")
    return Screen(kb.crisis, kb.scams)


def run(concern: Concern, positives: Path, negatives: Path, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--positives", type=Path, default=positives, help=f"default: {positives.relative_to(ROOT)}")
    parser.add_argument("--negatives", type=Path, default=negatives, help=f"default: {negatives.relative_to(ROOT)}")
    parser.add_argument(
        "--dev", nargs="?", type=Path, const=DEV_SET, metavar="TSV",
        help=f"positives and negatives from a file with an `expect` column instead (default {DEV_SET.name}; "
        "also bench/safety_blind.tsv)",
    )
    args = parser.parse_args(argv)
    screen = shipped_screen()
    started = time.perf_counter()

    if not args.dev and not args.positives.exists():
        print(f"{args.positives} is missing", file=sys.stderr)
        return 2
    found = Tally("positives")
    misses: list[tuple[str, str, str]] = []
    by_kind: Counter[str] = Counter()
    kind_hits: Counter[str] = Counter()
    for text, kind in labelled(args.dev, concern.value) if args.dev else labelled(args.positives):
        found.total += 1
        by_kind[kind] += 1
        screening = screen(text)
        if screening.concern is concern:
            found.flagged.append((text, kind, screening.rule))
            kind_hits[kind] += 1
        else:
            taken = screening.concern.value if screening.concern else "none"
            misses.append((text, f"{kind}; taken as {taken}", screening.rule))

    sources, notes = ordinary(concern, args.negatives, args.dev)
    alarms: list[Tally] = []
    for name, texts in sources.items():
        tally = Tally(name, total=len(texts))
        for text in texts:
            screening = screen(text)
            if screening.concern is concern:
                tally.flagged.append((text, name, screening.rule))
        alarms.append(tally)
    elapsed = time.perf_counter() - started

    recall = len(found.flagged) / found.total if found.total else 0.0
    negatives_total = sum(t.total for t in alarms)
    false_alarms = sum(len(t.flagged) for t in alarms)
    rate = false_alarms / negatives_total if negatives_total else 0.0
    shown = args.dev.name if args.dev else args.positives.name
    print(f"{concern.value}: recall {100 * recall:.1f}% ({len(found.flagged)}/{found.total}) on {shown}")
    print(f"{concern.value}: false alarms {100 * rate:.2f}% ({false_alarms}/{negatives_total}) on ordinary messages")
    for tally in alarms:
        share = 100 * len(tally.flagged) / tally.total if tally.total else 0.0
        print(f"  {tally.name:<22} {len(tally.flagged):>4} of {tally.total:<6} ({share:.2f}%)")
    print("  recall by kind: " + ", ".join(f"{k or '-'} {kind_hits[k]}/{n}" for k, n in sorted(by_kind.items())))
    for note in notes:
        print(f"  note: {note}")
    print(f"\nmisses ({len(misses)}):")
    for text, why, rule in misses:
        print(f"  MISS  [{why}]{f' ({rule})' if rule else ''}  {text}")
    print(f"\nfalse alarms ({false_alarms}):")
    for tally in alarms:
        for text, name, rule in tally.flagged:
            print(f"  ALARM [{name}] ({rule})  {text}")
    print(f"\n({elapsed:.1f} s for {found.total + negatives_total} messages)")
    return 0
