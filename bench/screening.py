"""What `bench.crisis` and `bench.scams` share: recall on a labelled set, false alarms on ordinary messages.

The screen measured is the one the bot ships: bot/core/safety.py's built-in phrases plus the shipped knowledge's
aliases.yaml additions, and the learned models of bot/core/safetymodel.py (`--phrases-only` leaves them out); each
hit says which decided. Ordinary messages are every question of the project's sets under bench/ (those labelled with
`safety.scams` are left out of the scam bench: they are about scams), ../shared/eval/dev-atec.tsv and the everyday
questions of ../shared/data/atec-pairs.tsv (read at run time, never copied into the project; skipped with a note
when ../shared is absent; split into the half the learned models were trained on and the half they never saw), plus
the bench's own negatives file. Every miss and every false alarm is listed.

Crisis has two tiers: the full crisis reply, and the soft one (the answer, then a caring line with a hotline) for a
model-only hit with a lower score. Recall counts either; false alarms are the full reply and the soft line apart. A
soft hit is settled as the advisor settles it (`Advisor.settled`: nothing in the knowledge to show for the message →
the full reply), so the figures are what users get; `--screen-only` shows the screen's own tiers.

The models were trained on the project's question sets, half the everyday questions and the bench's default
positives and negatives (bench/train_safety.py), so the honest figures are those on sets they never saw: the
held-out everyday questions, ../shared/eval/dev-atec.tsv, bench/safety_hard_negatives.tsv, and the blind halves.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.advisor import Advisor
from bot.core.knowledge import KnowledgeBase, load_knowledge
from bot.core.matcher import Matcher
from bot.core.safety import Concern, Screen, Screening, normal_form
from bot.core.safetymodel import units

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
    soft: list[tuple[str, str, str]] = field(default_factory=list)  # the same, for the concern's soft tier


#: A concern's softer tier: the answer and a caring line (counts towards recall, and is listed apart from the full
#: response among false alarms).
SOFTER = {Concern.CRISIS: Concern.CRISIS_SOFT}


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


#: The training sets of the learned safety models (bench/train_safety.py), by the writer who wrote them.
SAFETY_TRAIN = BENCH / "safety_train"
WRITERS = ("C", "D")


def positives_of(concern: Concern) -> list[Path]:
    """The files of `concern`'s written positives the learned model is trained on (crisis: also indirect.tsv,
    despair said without a word of death — farewells, rooftops, sleep, "done with everything", "no way out", 解脱,
    affairs put in order before leaving — measured by bench/indirect_despair.tsv, written apart, never trained on)."""
    if concern is Concern.CRISIS:
        return [
            BENCH / "crisis.tsv",
            BENCH / "crisis_tune.tsv",
            *(SAFETY_TRAIN / f"{w}_crisis.tsv" for w in WRITERS),
            SAFETY_TRAIN / "indirect.tsv",
        ]
    return [BENCH / "scams.tsv", BENCH / "scam_tune.tsv", *(SAFETY_TRAIN / f"{w}_scam.tsv" for w in WRITERS)]


def negatives_of(concern: Concern) -> list[Path]:
    """The files of `concern`'s written hard negatives the learned model is trained on.

    short_chat.tsv: everyday chat such as 算了, 我走了, goodbye, 笑死, so that leaving is not taken for a farewell;
    everyday.tsv: questions, notes and chit-chat that start with 想 or say "go on" or "dying to", written for the
    model after it took such messages for a crisis; stress.tsv: borrowers who are stressed, afraid, ashamed or angry
    about their debt (often with a question) but say nothing of ending their life, written for the model after it
    took such messages for a crisis (not copied from any test set); walkthrough.tsv: the short replies users type
    during the walkthrough (ready, done, yes and no, amounts, days, jobs, causes, requests, materials, channels,
    "what do I say to customer service", results, terms), written for the models after they took such replies for a
    crisis or a scam (bench/walkthrough_replies.tsv, written apart, measures them); debt.tsv: the plain statements of
    a borrower's situation a first message is made of (how much is owed, how long overdue, which product, a lost job,
    fear of calls to family, shame, collectors' calls, anger at Alipay), alone or run together, written for the models
    after they took "欠了4万" or "借呗逾期三个月了" for a crisis (bench/debt_statements.tsv, written apart, measures
    them); places.tsv: where the user is ("我人在台灣", "im in london") and ordinary hardship ("我妈哭了一晚上",
    "我真的不知道怎么说了", a rooftop or a farewell that is only weather or a move), written after the first-user trial
    heard them as a faint crisis (bench/places_hardship.tsv, written apart, measures them); requests.tsv: asking the bot
    for a tool or an answer ("我想设个提醒", "I want to export my notes") and saying the family does not know, written
    after the eleventh trial got the full crisis reply for such requests (the model weighed 想 and 醒 alone)."""
    ours = [
        SAFETY_TRAIN / f"{name}.tsv"
        for name in ("short_chat", "everyday", "stress", "walkthrough", "debt", "places", "requests")
    ]
    if concern is Concern.CRISIS:
        return [BENCH / "crisis_negatives.tsv", *(SAFETY_TRAIN / f"{w}_crisis_negatives.tsv" for w in WRITERS), *ours]
    return [BENCH / "scam_negatives.tsv", *(SAFETY_TRAIN / f"{w}_scam_negatives.tsv" for w in WRITERS), *ours]


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
        trained, held_out = atec_halves()
        sources["atec-pairs (trained on)"] = trained
        sources["atec-pairs (held out)"] = held_out
    else:
        notes.append(f"{ATEC_PAIRS.relative_to(ROOT.parent)} absent: the everyday questions are skipped")
    if dev is not None:
        sources[dev.stem] = [text for text, _ in labelled(dev, concern.value, keep=False)]
    elif negatives.exists():
        sources[negatives.stem] = [text for text, _ in labelled(negatives)]
    else:
        notes.append(f"{negatives.relative_to(ROOT)} absent: skipped")
    return sources, notes


def atec_halves() -> tuple[list[str], list[str]]:
    """The everyday questions of ../shared/data/atec-pairs.tsv, split by a hash of the pair id into the half the
    learned safety model is trained on (bench/train_safety.py) and the half it never sees (a text found in both
    halves counts as trained on)."""
    halves: tuple[dict[str, None], dict[str, None]] = ({}, {})
    for row in _rows(ATEC_PAIRS):
        half = halves[0] if zlib.crc32(f"safety:{row['id']}".encode()) % 2 == 0 else halves[1]
        for key in ("question1", "question2"):
            text = (row.get(key) or "").strip()
            if text:
                half.setdefault(text)
    return list(halves[0]), [text for text in halves[1] if text not in halves[0]]


#: The longest clause `short_clauses` keeps, in `safetymodel.units` (a Chinese character, an English word or a number
#: count one).
SHORT_CLAUSE = 8
_CLAUSE_BREAK = re.compile(r"[\s,.!?;:，。！？、；：…~～]+")


def short_clauses(texts: Iterable[str], longest: int = SHORT_CLAUSE) -> list[str]:
    """The clauses of one to `longest` units that `texts` are made of (split at punctuation and spaces), each once,
    in order, without the texts that are that short as a whole: the short everyday pieces ("已经还了", "就是提不上去",
    "我就想") a user may send alone."""
    whole = set(texts)
    found: dict[str, None] = {}
    for text in whole:
        for clause in _CLAUSE_BREAK.split(text):
            if clause not in whole and 1 <= units(normal_form(clause)) <= longest:
                found.setdefault(clause)
    return sorted(found)


def _questions(rows: Iterable[dict[str, str]], concern: Concern) -> list[str]:
    kept = []
    for row in rows:
        accept = {a.strip() for a in (row.get("accept") or "").split(",")}
        if concern is Concern.SCAM and "safety.scams" in accept:
            continue  # a question about scams: the card is right there
        if (row.get("question") or "").strip():
            kept.append(row["question"])
    return kept


def shipped_screen(learned: bool = True, kb: KnowledgeBase | None = None) -> Screen:
    kb = kb or load_knowledge(ROOT / "knowledge")
    return Screen(kb.crisis, kb.scams, learned=learned)


def _decider(rule: str) -> str:
    return "learned model" if rule.startswith("learned ") else "phrases"


class _Timed:
    """The screen, adding up the CPU time it spends; a soft crisis hit is then settled as the advisor settles it
    (`settle`: with nothing to answer, the full reply), outside the time counted."""

    def __init__(self, screen: Screen, settle: Callable[[str, Screening], Screening] | None = None) -> None:
        self.screen = screen
        self.settle = settle
        self.cpu = 0.0

    def __call__(self, text: str) -> Screening:
        before = time.process_time()
        result = self.screen(text)
        self.cpu += time.process_time() - before
        if result.concern is Concern.CRISIS_SOFT and self.settle is not None:
            return self.settle(text, result)
        return result


def _settler(kb: KnowledgeBase) -> Callable[[str, Screening], Screening]:
    """What the user gets from a soft hit (`Advisor.settled`): soft when the shipped knowledge has something to show
    for the message or the hit was faint, else the full crisis reply."""
    matcher = Matcher(kb)

    def settle(text: str, screening: Screening) -> Screening:
        if Advisor.settled(screening.concern, matcher.match(text), clear=screening.clear) is Concern.CRISIS:
            return Screening(Concern.CRISIS, f"{screening.rule}, nothing to answer: full")
        return screening

    return settle


@dataclass
class _Found:
    """What the screen made of the messages it should flag."""

    tally: Tally = field(default_factory=lambda: Tally("positives"))
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)
    kind_hits: Counter[str] = field(default_factory=Counter)


def _arguments(positives: Path, negatives: Path, argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--positives", type=Path, default=positives, help=f"default: {positives.relative_to(ROOT)}")
    parser.add_argument("--negatives", type=Path, default=negatives, help=f"default: {negatives.relative_to(ROOT)}")
    parser.add_argument(
        "--dev",
        nargs="?",
        type=Path,
        const=DEV_SET,
        metavar="TSV",
        help=f"positives and negatives from a file with an `expect` column instead (default {DEV_SET.name}; "
        "also bench/safety_blind.tsv)",
    )
    parser.add_argument("--phrases-only", action="store_true", help="the phrases without the learned model")
    parser.add_argument(
        "--screen-only",
        action="store_true",
        help="the screen's tiers as they are, without settling soft hits that have nothing to answer as full ones",
    )
    return parser.parse_args(argv)


def _screen_positives(screened: _Timed, concern: Concern, rows: list[tuple[str, str]]) -> _Found:
    found = _Found()
    for text, kind in rows:
        found.tally.total += 1
        found.by_kind[kind] += 1
        screening = screened(text)
        if screening.concern is concern:
            found.tally.flagged.append((text, kind, screening.rule))
            found.kind_hits[kind] += 1
        elif screening.concern is not None and screening.concern is SOFTER.get(concern):
            found.tally.soft.append((text, kind, screening.rule))
            found.kind_hits[kind] += 1
        else:
            taken = screening.concern.value if screening.concern else "none"
            found.misses.append((text, f"{kind}; taken as {taken}", screening.rule))
    return found


def _screen_negatives(screened: _Timed, concern: Concern, sources: dict[str, list[str]]) -> list[Tally]:
    alarms: list[Tally] = []
    for name, texts in sources.items():
        tally = Tally(name, total=len(texts))
        for text in texts:
            screening = screened(text)
            if screening.concern is concern:
                tally.flagged.append((text, name, screening.rule))
            elif screening.concern is not None and screening.concern is SOFTER.get(concern):
                tally.soft.append((text, name, screening.rule))
        alarms.append(tally)
    return alarms


def run(concern: Concern, positives: Path, negatives: Path, argv: list[str] | None = None) -> int:
    args = _arguments(positives, negatives, argv)
    kb = load_knowledge(ROOT / "knowledge")
    screen = shipped_screen(learned=not args.phrases_only, kb=kb)
    started = time.perf_counter()
    screen("")  # the phrases and the model are read on first use: not part of any message's cost
    screened = _Timed(screen, None if args.screen_only else _settler(kb))
    if not args.dev and not args.positives.exists():
        print(f"{args.positives} is missing", file=sys.stderr)
        return 2
    rows = labelled(args.dev, concern.value) if args.dev else labelled(args.positives)
    found = _screen_positives(screened, concern, rows)
    sources, notes = ordinary(concern, args.negatives, args.dev)
    alarms = _screen_negatives(screened, concern, sources)
    elapsed = time.perf_counter() - started
    shown = args.dev.name if args.dev else args.positives.name
    _report(concern, shown, found, alarms, notes)
    count = found.tally.total + sum(t.total for t in alarms)
    per_message = 1000 * screened.cpu / max(count, 1)
    print(f"\n({elapsed:.1f} s for {count} messages; the screen's CPU time {per_message:.3f} ms a message)")
    return 0


def _report(concern: Concern, shown: str, found: _Found, alarms: list[Tally], notes: list[str]) -> None:
    positives = found.tally
    full, soft = len(positives.flagged), len(positives.soft)
    negatives_total = sum(t.total for t in alarms)
    false_alarms = sum(len(t.flagged) for t in alarms)
    soft_alarms = sum(len(t.soft) for t in alarms)
    softer = SOFTER.get(concern)
    if softer is None:
        print(f"{concern.value}: recall {_share(full, positives.total)} on {shown}")
        print(f"{concern.value}: false alarms {_share(false_alarms, negatives_total, 2)} on ordinary messages")
    else:
        print(
            f"{concern.value}: recall (full or soft) {_share(full + soft, positives.total)} on {shown}; "
            f"full reply {_share(full, positives.total)}, soft {_share(soft, positives.total)}"
        )
        print(
            f"{concern.value}: false alarms (full reply) {_share(false_alarms, negatives_total, 2)} on ordinary "
            f"messages; soft line {_share(soft_alarms, negatives_total, 2)}"
        )
    _by_source(alarms, softer is not None)
    kinds = sorted(found.by_kind.items())
    print("  recall by kind: " + ", ".join(f"{k or '-'} {found.kind_hits[k]}/{n}" for k, n in kinds))
    deciders = Counter(_decider(rule) for _, _, rule in positives.flagged)
    alarm_deciders = Counter(_decider(rule) for t in alarms for _, _, rule in t.flagged)
    print(
        "  found by: "
        + ", ".join(f"{k} {n}" for k, n in sorted(deciders.items()))
        + "; false alarms by: "
        + (", ".join(f"{k} {n}" for k, n in sorted(alarm_deciders.items())) or "-")
    )
    for note in notes:
        print(f"  note: {note}")
    print(f"\nmisses ({len(found.misses)}):")
    for text, why, rule in found.misses:
        print(f"  MISS  [{why}]{f' ({rule})' if rule else ''}  {text}")
    if softer is not None:
        _listed(f"positives given only the soft line ({soft})", "SOFT ", positives.soft)
    _listed(f"false alarms ({false_alarms})", "ALARM", [hit for tally in alarms for hit in tally.flagged])
    if softer is not None:
        _listed(f"ordinary messages given the soft line ({soft_alarms})", "SOFT ", [h for t in alarms for h in t.soft])


def _by_source(alarms: list[Tally], soft: bool) -> None:
    for tally in alarms:
        line = f"  {tally.name:<22} {len(tally.flagged):>4} of {tally.total:<6} "
        line += f"({_share(len(tally.flagged), tally.total, 2, counts=False)})"
        print(
            line
            + (f"; soft {len(tally.soft)} ({_share(len(tally.soft), tally.total, 2, counts=False)})" if soft else "")
        )


def _listed(heading: str, mark: str, hits: list[tuple[str, str, str]]) -> None:
    print(f"\n{heading}:")
    for text, why, rule in hits:
        print(f"  {mark} [{why}] ({rule})  {text}")


def _share(count: int, total: int, digits: int = 1, counts: bool = True) -> str:
    """A count as a share of its total, "12.5% (1/8)" (0% of nothing)."""
    percent = f"{100 * count / total if total else 0.0:.{digits}f}%"
    return f"{percent} ({count}/{total})" if counts else percent
