"""Crisis screen on short texts: how often a short ordinary message (one to eight characters) gets the caring line or
the crisis reply, and whether short messages from someone at risk are still met.

    python -m bench.short_texts
    python -m bench.short_texts --list 40     # also list up to 40 hits per set

Short texts are where the learned model is weakest: a handful of n-grams decide alone, so "大概两万块 不对 是一万八"
once got the caring line for 大 and 不. Every message is screened out of context (`Screen(text)`, not as the answer
to a step's question, which silences the soft tier), and a soft hit is then settled as the advisor settles it (nothing
in the knowledge to show for it: the full reply), as in `bench.crisis`.

Ordinary sets (none is trained on; bench/train_safety.py lists what is):
* bench/short_replies.tsv: short replies written for this bench (yes and no, "I don't know", amounts, dates, how
  long, how many instalments, chit-chat);
* typed answers made here from a few frames (amounts, dates, durations: "欠了3万", "每月15号", "逾期两个月");
* bench/walkthrough_replies.tsv and bench/debt_statements.tsv, their rows of at most eight characters;
* the held-out half of ../shared/data/atec-pairs.tsv's everyday questions: questions of at most eight characters, and
  the clauses of one to eight characters the longer ones are made of (`screening.short_clauses`), less those that
  are also a question or a clause of the trained half (bench/train_safety.py learns from those).
Short positives (at most eight characters) of the non-blind crisis sets: bench/crisis.tsv, crisis_tune.tsv,
indirect_despair.tsv, the `expect: crisis` rows of safety_dev.tsv, and the training sets of bench/safety_train/;
a count of full, soft and missed. Characters are counted as `safetymodel.units` counts them (an English word or a
number is one).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.screening import (
    ATEC_PAIRS,
    BENCH,
    DEV_SET,
    SAFETY_TRAIN,
    WRITERS,
    _settler,
    atec_halves,
    labelled,
    shipped_screen,
    short_clauses,
)
from bot.core.knowledge import load_knowledge
from bot.core.safety import Concern, Screen, Screening, normal_form
from bot.core.safetymodel import units

#: The longest text counted as short (in `safetymodel.units`).
SHORT = 8


def typed_answers() -> list[str]:
    """Amounts, dates and durations as a borrower types them at the walkthrough's questions."""
    amounts = ["500", "1200", "3000", "8000", "2万", "3.5万", "四千", "六千五", "一万三", "两万八", "三万多", "十二万"]
    amount_frames = ["{}", "{}块", "{}元", "大概{}", "{}左右", "欠了{}", "还剩{}", "一共{}", "每月{}", "能还{}"]
    days = ["1", "5", "8", "15", "28", "三", "十五", "二十"]
    date_frames = ["{}号", "每月{}号", "下个月{}号", "{}号发工资", "{}号还款"]
    spans = ["两天", "十天", "一个月", "两个月", "三个多月", "半年", "一年"]
    span_frames = ["{}", "逾期{}", "逾期{}了", "快{}了", "已经{}了", "{}没还"]
    texts = [frame.format(a) for frame in amount_frames for a in amounts]
    texts += [frame.format(d) for frame in date_frames for d in days]
    texts += [frame.format(s) for frame in span_frames for s in spans]
    return list(dict.fromkeys(texts))


def short(text: str) -> bool:
    return 1 <= units(normal_form(text)) <= SHORT


def ordinary_sets() -> dict[str, list[str]]:
    sets = {
        "short_replies": [text for text, _ in labelled(BENCH / "short_replies.tsv")],
        "typed answers": typed_answers(),
        "walkthrough_replies": [t for t, _ in labelled(BENCH / "walkthrough_replies.tsv") if short(t)],
        "debt_statements": [t for t, _ in labelled(BENCH / "debt_statements.tsv") if short(t)],
    }
    if ATEC_PAIRS.exists():
        trained, held_out = atec_halves()
        seen = set(trained) | set(short_clauses(trained, SHORT))  # the crisis model learns from these
        sets["atec held out, whole"] = [t for t in held_out if short(t)]
        sets["atec held out, clauses"] = [c for c in short_clauses(held_out, SHORT) if c not in seen]
    return sets


def positive_sets() -> dict[str, list[str]]:
    names = ["crisis.tsv", "crisis_tune.tsv", "indirect_despair.tsv"]
    sets = {name: [t for t, _ in labelled(BENCH / name) if short(t)] for name in names}
    sets[DEV_SET.name] = [t for t, _ in labelled(DEV_SET, Concern.CRISIS.value) if short(t)]
    trained = [SAFETY_TRAIN / f"{w}_crisis.tsv" for w in WRITERS] + [SAFETY_TRAIN / "indirect.tsv"]
    sets["safety_train (trained on)"] = [t for path in trained for t, _ in labelled(path) if short(t)]
    return sets


@dataclass
class Count:
    total: int = 0
    full: list[tuple[str, str]] = field(default_factory=list)
    soft: list[tuple[str, str]] = field(default_factory=list)
    settled_full: list[tuple[str, str]] = field(default_factory=list)  # soft with nothing to answer: full


def count(screen: Screen, settle: Callable[[str, Screening], Screening], texts: list[str]) -> Count:
    found = Count(total=len(texts))
    for text in texts:
        screening = screen(text)
        if screening.concern is Concern.CRISIS:
            found.full.append((text, screening.rule))
        elif screening.concern is Concern.CRISIS_SOFT:
            found.soft.append((text, screening.rule))
            if settle(text, screening).concern is Concern.CRISIS:
                found.settled_full.append((text, screening.rule))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", type=int, default=0, metavar="N", help="list up to N hits of each set")
    args = parser.parse_args(argv)
    kb = load_knowledge(BENCH.parent / "knowledge")
    report(shipped_screen(kb=kb), _settler(kb), args.list)
    return 0


def report(screen: Screen, settle: Callable[[str, Screening], Screening], limit: int = 0) -> None:
    """Print the counts for `screen` (a soft hit settled by `settle`), listing up to `limit` hits of each set."""
    if not ATEC_PAIRS.exists():
        print(f"note: {ATEC_PAIRS.name} absent: the everyday questions are skipped")
    print(f"ordinary messages of 1 to {SHORT} characters, screened out of context")
    print("  (soft: the caring line by the screen; of them 'to full': nothing to answer, so the full reply)")
    totals = Count()
    for name, texts in ordinary_sets().items():
        found = count(screen, settle, texts)
        totals.total += found.total
        totals.full += found.full
        totals.soft += found.soft
        totals.settled_full += found.settled_full
        _line(name, found)
        _list(found, limit)
    _line("all ordinary", totals)
    print(f"\nshort messages from someone at risk (1 to {SHORT} characters)")
    for name, texts in positive_sets().items():
        found = count(screen, settle, texts)
        missed = found.total - len(found.full) - len(found.soft)
        print(
            f"  {name:<28} {found.total:>5}: full {len(found.full)}, soft {len(found.soft)} "
            f"(to full {len(found.settled_full)}), missed {missed}"
        )
        if limit:
            hit = {t for t, _ in found.full + found.soft}
            for text in [t for t in texts if t not in hit][:limit]:
                print(f"      MISS  {text}")


def _line(name: str, found: Count) -> None:
    share = 100 * (len(found.full) + len(found.soft)) / max(found.total, 1)
    print(
        f"  {name:<28} {found.total:>6}: full {len(found.full):>3}, soft {len(found.soft):>3} "
        f"(to full {len(found.settled_full):>3}); any {share:.2f}%"
    )


def _list(found: Count, limit: int) -> None:
    for mark, hits in (("FULL", found.full), ("SOFT", found.soft)):
        for text, rule in hits[:limit]:
            print(f"      {mark}  ({rule})  {text}")


if __name__ == "__main__":
    raise SystemExit(main())
