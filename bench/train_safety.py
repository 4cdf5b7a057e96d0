"""Rebuild the safety screen's learned models (`bot/core/data/safety.npz`) — deterministic, fixed seeds.

    pip install -e '.[train]'
    python -m bench.train_safety              # cross-validate, choose thresholds, fit, write, print the figures
    python -m bench.train_safety --cv-only    # the cross-validated figures only, nothing written

Two models, one per concern (crisis vs not, scam vs not), each a logistic regression over the n-grams of
`bot/core/safetymodel.py` (character 1–4-grams and English words and word pairs of the screen's normal form, with the
concern's `unless` spans blanked, exactly as the screen reads a message).

What they learn from (all committed except the everyday questions):
* positives: bench/crisis.tsv, bench/crisis_tune.tsv, bench/scams.tsv, bench/scam_tune.tsv, the `expect` rows of
  bench/safety_dev.tsv and bench/safety_blind.tsv (an older set, no longer blind), two writers' training sets
  bench/safety_train/{C,D}_{crisis,scam}.tsv, and indirect despair for crisis (bench/safety_train/indirect.tsv);
* written negatives: bench/crisis_negatives.tsv, bench/scam_negatives.tsv, bench/safety_train/*_negatives.tsv, the
  everyday chat, stress and walkthrough replies of bench/safety_train/ (`bench.screening.negatives_of`), the other
  rows of the two `expect` files; each concern's positives are the other concern's negatives;
* ordinary messages: the project's question sets (bench/questions.tsv, holdout*.tsv, offtopic.tsv; those answered by
  `safety.scams` are not scam negatives) and the half of ../shared/data/atec-pairs.tsv's everyday questions that
  `bench.screening.atec_halves` assigns to training (read at run time, never committed); for crisis also the short
  clauses (one to eight units) those questions are made of (`bench.screening.short_clauses`, `CLAUSE`), so that the
  model sees short ordinary text, not only short crises.

Never used: bench/crisis_blind.tsv and bench/scam_blind.tsv (the blind halves), bench/safety_hard_negatives.tsv,
bench/walkthrough_replies.tsv, bench/debt_statements.tsv, bench/indirect_despair.tsv, bench/places_hardship.tsv and
bench/short_replies.tsv (measuring sets), the held-out half of the everyday questions and ../shared/eval/dev-atec.tsv
(false alarms are measured on them by `python -m bench.crisis`, `python -m bench.scams` and `python -m
bench.short_texts`).

The threshold of each model is chosen on five-fold cross-validated scores of the training data: the highest score at
which the phrases or the model together still find the recall goal's share of positives, unless that would raise
more false alarms on the ordinary messages (whole messages: the short clauses are not counted) than the budget allows
(then the budget wins and the shortfall is printed). Short clauses taken for a crisis are reported apart.
The crisis model also gets a higher `full` threshold (`choose_full`, `FULL`): model-only hits below it are the soft tier
(the answer and a caring line), so the written stress and fear negatives rarely get the full crisis reply while
recall counted as full or soft stays that of the lower threshold.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize

from bench.screening import (
    ATEC_PAIRS,
    BENCH,
    QUESTION_SETS,
    atec_halves,
    negatives_of,
    positives_of,
    shipped_screen,
    short_clauses,
)
from bot.core.safety import Concern, Screen
from bot.core.safetymodel import (
    DEFAULT_PATH,
    FORMAT,
    SHORT_MARGIN,
    Linear,
    SafetyModel,
    grams,
    long_enough_for_full,
    readable,
)

SEED = 20261202
#: Recall the threshold is chosen for (a little above the goal: 97% crisis, 95% scam) and the false-alarm budget on
#: ordinary messages it must stay inside (well inside the goal: 0.3% crisis, 1% scam).
GOALS = {Concern.CRISIS: (0.985, 0.001), Concern.SCAM: (0.965, 0.004)}
#: The crisis model's full tier (bench/train_safety.choose_full): the share of positives the full crisis reply must
#: still reach by itself, and the share of written negatives it may reach; between the two thresholds a model-only hit
#: gets the answer and a caring line with a hotline (so recall counted as full or soft is that of `GOALS`).
FULL = {Concern.CRISIS: (0.90, 0.01)}
#: How many n-grams each model keeps (the strongest weights; the model is refitted on them).
KEEP = 24000
#: Inverse regularisation strength of the logistic regression.
C = 8.0
#: Weight of one written positive and one written negative against one ordinary message.
POSITIVE_WEIGHT = 12.0
WRITTEN_NEGATIVE_WEIGHT = 8.0
#: Weight of one written debt statement (bench/safety_train/debt.tsv: "欠了4万", "借呗逾期三个月了"). Lower than the
#: other written negatives: at 8 the crisis model's cross-validated recall fell from 98.0% to 97.7% (stories of
#: debt that end in a crisis lost weight with them); at 3 it stays at 98.0% and the statements are still learned.
DEBT_WEIGHT = 3.0
#: Positives the soft tier is for (bench/safety_train/indirect.tsv: farewells, rooftops, "no way out" said without a
#: word of death): learned like the others, but not counted in the full reply's recall floor (`choose_full`).
SOFT_SOURCES = frozenset({"indirect"})
#: Source name of the short clauses of the trained half of the everyday questions (`screening.short_clauses`:
#: "已经还了", "就是提不上去", "我就想"), ordinary negatives of the crisis model. Without them the model had seen almost
#: no short ordinary text but the written short chat and replies, and weighed a single 想, 就, 不 or 大 as a whole
#: sentence's evidence: 1.9% of the held-out half's short clauses, "就这些", "已经两天了" and "大概 不对" got the caring
#: line or the crisis reply (`python -m bench.short_texts`). They are not counted in the false-alarm budget (`GOALS`),
#: which stays a share of whole messages.
CLAUSE = "clause"
#: The concerns whose models learn from the short clauses (the scam model has no soft tier to set off).
LEARNS_CLAUSES = frozenset({Concern.CRISIS})
#: Checks stored with the model: texts whose scores the shipped code must reproduce.
CHECKS = 24


@dataclass(frozen=True)
class Example:
    text: str
    positive: bool
    source: str  # a file stem, or "ordinary"
    kind: str
    lang: str
    written: bool  # a written positive or hard negative (weighted up), not an ordinary message


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if (r.get("text") or "")]


def _labelled(path: Path, positive: bool) -> list[Example]:
    return [
        Example(r["text"], positive, path.stem, r.get("kind") or "", r.get("lang") or "", True) for r in _rows(path)
    ]


def _expect(path: Path, concern: Concern) -> list[Example]:
    return [
        Example(r["text"], r.get("expect") == concern.value, path.stem, r.get("kind") or "", r.get("lang") or "", True)
        for r in _rows(path)
    ]


def examples(concern: Concern, ordinary: list[str], clauses: Sequence[str] = ()) -> list[Example]:
    other = Concern.SCAM if concern is Concern.CRISIS else Concern.CRISIS
    found: list[Example] = []
    for path in positives_of(concern):
        found += _labelled(path, True)
    for path in (BENCH / "safety_dev.tsv", BENCH / "safety_blind.tsv"):
        found += _expect(path, concern)
    for path in negatives_of(concern) + positives_of(other) + negatives_of(other):
        found += _labelled(path, False)
    for name in QUESTION_SETS:
        for row in csv.DictReader((BENCH / name).open(encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE):
            accept = {a.strip() for a in (row.get("accept") or "").split(",")}
            if (row.get("question") or "").strip() and not (concern is Concern.SCAM and "safety.scams" in accept):
                found.append(Example(row["question"], False, Path(name).stem, "", "", False))
    found += [Example(text, False, "ordinary", "", "", False) for text in ordinary]
    found += [Example(text, False, CLAUSE, "", "", False) for text in clauses]
    return found


class Forms:
    """Each text as the learned model of one concern reads it, computed once."""

    def __init__(self, screen: Screen, concern: Concern) -> None:
        self.screen, self.concern = screen, concern
        self.cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if text not in self.cache:
            self.cache[text] = self.screen.learned_form(text, self.concern)
        return self.cache[text]


def deduplicated(items: list[Example], form: Forms) -> list[Example]:
    """One example per form; a form that is both a positive and a negative is kept as the positive."""
    by_form: dict[str, Example] = {}
    for item in items:
        key = form(item.text)
        if not key:
            continue
        kept = by_form.get(key)
        if kept is None or (item.positive and not kept.positive):
            by_form[key] = item
    return list(by_form.values())


def _analyzer(text: str) -> list[str]:
    return sorted(grams(text))


def fit(forms: list[str], labels: np.ndarray, weights: np.ndarray) -> Linear:
    """Fit on all n-grams seen at least twice, keep the KEEP strongest, refit on those."""
    vectorizer = CountVectorizer(analyzer=_analyzer, binary=True, min_df=2, dtype=np.float64)
    matrix = vectorizer.fit_transform(forms)
    model = _logistic(normalize(matrix), labels, weights)
    names = vectorizer.get_feature_names_out()
    strongest = np.argsort(-np.abs(model.coef_[0]), kind="stable")[:KEEP]
    kept = sorted(str(names[i]) for i in strongest)
    vectorizer = CountVectorizer(analyzer=_analyzer, binary=True, vocabulary=kept, dtype=np.float64)
    model = _logistic(normalize(vectorizer.transform(forms)), labels, weights)
    learned = dict(zip(kept, (float(w) for w in model.coef_[0]), strict=True))
    return Linear(learned, float(model.intercept_[0]), 0.0, 0.0)


def _logistic(matrix: Any, labels: np.ndarray, weights: np.ndarray) -> LogisticRegression:
    model = LogisticRegression(C=C, solver="liblinear", max_iter=5000, random_state=SEED)
    model.fit(matrix, labels, sample_weight=weights)
    return model


def weights_of(items: list[Example]) -> np.ndarray:
    def weight(e: Example) -> float:
        if e.positive:
            return POSITIVE_WEIGHT
        if not e.written:
            return 1.0
        return DEBT_WEIGHT if e.source == "debt" else WRITTEN_NEGATIVE_WEIGHT

    return np.array([weight(e) for e in items], dtype=float)


def choose_threshold(concern: Concern, scores: np.ndarray, items: list[Example], phrased: np.ndarray) -> float:
    """The threshold the docstring describes, on cross-validated scores."""
    goal, budget = GOALS[concern]
    positive = np.array([e.positive for e in items])
    ordinary = np.array([not e.written and not e.positive and e.source != CLAUSE for e in items])
    candidates = np.unique(np.round(scores[np.isfinite(scores)], 4))
    best_recall = None
    within_budget = None
    for t in candidates[::-1]:  # from the highest score down: recall rises, false alarms rise
        hit = phrased | (scores >= t)
        recall = hit[positive].mean()
        alarms = hit[ordinary].mean()
        if within_budget is None or alarms <= budget:
            within_budget = float(t) if alarms <= budget else within_budget
        if best_recall is None and recall >= goal:
            best_recall = float(t)
    assert within_budget is not None
    assert best_recall is not None
    if best_recall >= within_budget:
        return best_recall
    print(f"  {concern.value}: the recall goal {goal:.1%} would cost more than {budget:.2%} false alarms; budget kept")
    return within_budget


def choose_full(
    concern: Concern, scores: np.ndarray, items: list[Example], phrased: np.ndarray, soft: float, long: np.ndarray
) -> float:
    """The score from which a model-only hit gets the full response rather than the soft one, on cross-validated
    scores: the lowest at which the written negatives (stress, fear, idioms, …: the messages a false alarm hurts
    most) get the full response at most FULL_BUDGET of the time, so long as the full response still reaches
    FULL_FLOOR of the positives (else the floor wins and the trade-off is printed). `soft` for a concern without a
    soft tier. `long`: which messages are long enough for a model-only full hit at the threshold itself (shorter ones
    need `safetymodel.SHORT_MARGIN` more)."""
    if concern not in FULL:
        return soft
    floor, budget = FULL[concern]
    # the floor counts the positives the full reply is for: indirect despair is the soft tier's (care first, and the
    # full reply when a second faint signal follows: bot/engine/text.py)
    positive = np.array([e.positive and e.source not in SOFT_SOURCES for e in items])
    written = np.array([e.written and not e.positive for e in items])
    candidates = np.unique(np.round(scores[np.isfinite(scores) & (scores >= soft)], 4))
    chosen = soft
    for t in candidates:  # from the soft threshold up: false alarms fall, full recall falls
        hit = phrased | _full_hit(scores, t, long)
        if hit[positive].mean() < floor:
            print(
                f"  {concern.value}: full recall would fall under {floor:.0%} before written false alarms reach "
                f"{budget:.1%}; floor kept"
            )
            break
        chosen = float(t)
        if hit[written].mean() <= budget:
            break
    for t in sorted({soft, chosen, *np.quantile(candidates, [0.1, 0.25, 0.5]).round(2).tolist()}):
        hit = phrased | _full_hit(scores, t, long)
        print(f"    full from {t:+.2f}: recall {hit[positive].mean():.1%}, written negatives {hit[written].mean():.2%}")
    return chosen


def _full_hit(scores: np.ndarray, full: float, long: np.ndarray) -> np.ndarray:
    """Which model scores get the full response from `full` on (`safetymodel.full_at`)."""
    return np.where(long, scores >= full, scores >= full + SHORT_MARGIN)


def report(concern: Concern, items: list[Example], hit: np.ndarray, scores: np.ndarray, phrased: np.ndarray) -> None:
    positive = [i for i, e in enumerate(items) if e.positive]
    recall = hit[positive].mean()
    print(
        f"  {concern.value}: CV recall {recall:.1%} ({int(hit[positive].sum())}/{len(positive)}); "
        f"phrases alone {phrased[positive].mean():.1%}"
    )
    for field in ("kind", "lang", "source"):
        total: Counter[str] = Counter()
        found: Counter[str] = Counter()
        for i in positive:
            key = getattr(items[i], field) or "-"
            total[key] += 1
            found[key] += bool(hit[i])
        print(f"    by {field}: " + ", ".join(f"{k} {found[k]}/{n}" for k, n in sorted(total.items())))
    wrong: Counter[str] = Counter(
        items[i].kind or "-" for i, e in enumerate(items) if e.written and not e.positive and hit[i]
    )
    print(
        f"    written negatives taken for {concern.value}, by kind: "
        + (", ".join(f"{k} {n}" for k, n in wrong.most_common()) or "-")
    )
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(items):
        if e.source == CLAUSE:
            by_source["short clauses (atec half)"].append(i)
        elif not e.positive:
            by_source["ordinary (atec half, question sets)" if not e.written else "written negatives"].append(i)
    for name, index in sorted(by_source.items()):
        print(
            f"  {concern.value}: CV false alarms on {name}: {hit[index].mean():.2%} "
            f"({int(hit[index].sum())}/{len(index)}); phrases alone {phrased[index].mean():.2%}"
        )


def learn(
    concern: Concern, screen: Screen, trained_half: list[str], said: dict[str, Concern | None], *, fitted: bool
) -> tuple[Linear, list[tuple[str, str]]] | None:
    """Cross-validate `concern`'s model, choose its thresholds and print the figures; with `fitted`, also fit it on
    all the data and return it with its checks. `said`: what the phrases say of each text, filled in as read."""
    form = Forms(screen, concern)
    clauses = short_clauses(trained_half) if concern in LEARNS_CLAUSES else []
    items = deduplicated(examples(concern, trained_half, clauses), form)
    forms = [form(e.text) for e in items]
    labels = np.array([int(e.positive) for e in items])
    weights = weights_of(items)
    print(f"{concern.value}: {labels.sum()} positives, {len(items) - labels.sum()} negatives")
    for e in items:
        if e.text not in said:
            said[e.text] = screen(e.text).concern
    phrased = np.array([said[e.text] is concern for e in items])  # the full tier's phrases
    # what the phrases hear at all: for crisis also the soft tier's own patterns (`soft:`), which the screen
    # asks when the model is silent; recall and the ordinary false alarms count them as the screen does
    softer = Concern.CRISIS_SOFT if concern is Concern.CRISIS else None
    heard = phrased | np.array([softer is not None and said[e.text] is softer for e in items])
    scores = np.zeros(len(items))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    for train, test in folds.split(forms, labels):
        linear = fit([forms[i] for i in train], labels[train], weights[train])
        scores[test] = [linear.score(forms[i]) if readable(forms[i]) else -np.inf for i in test]
    threshold = choose_threshold(concern, scores, items, heard)
    long = np.array([long_enough_for_full(f) for f in forms])
    full = choose_full(concern, scores, items, phrased, threshold, long)
    print(f"  {concern.value}: threshold {threshold:+.3f}, full from {full:+.3f} (cross-validated)")
    report(concern, items, heard | (scores >= threshold), scores, heard)
    if full > threshold:
        print(f"  {concern.value}, full tier only (phrases or score from {full:+.3f} in a long enough message):")
        report(concern, items, phrased | _full_hit(scores, full, long), scores, phrased)
    if not fitted:
        return None
    final = fit(forms, labels, weights)
    rng = random.Random(SEED)
    picked = rng.sample([i for i in range(len(items)) if items[i].positive], CHECKS // 2)
    picked += rng.sample([i for i in range(len(items)) if not items[i].positive and items[i].written], CHECKS // 2)
    return Linear(final.weights, final.intercept, threshold, full), [(concern.value, forms[i]) for i in picked]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cv-only", action="store_true", help="print the cross-validated figures, write nothing")
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH)
    parser.add_argument(
        "--phrase-cache", type=Path, help="keep what the phrases say of each text in this JSON file between runs"
    )
    args = parser.parse_args()
    if not ATEC_PAIRS.exists():
        print(f"{ATEC_PAIRS} is missing: the everyday questions are the models' ordinary negatives")
        return 2
    trained_half, _ = atec_halves()
    screen = shipped_screen(learned=False)  # the phrases as the bot ships them (knowledge additions included)
    # what the phrases say of each text (the slow part: read once, kept between runs with --phrase-cache)
    said: dict[str, Concern | None] = {}
    if args.phrase_cache is not None and args.phrase_cache.exists():
        cached = json.loads(args.phrase_cache.read_text(encoding="utf-8"))
        said = {text: Concern(c) if c else None for text, c in cached.items()}
    models: dict[str, Linear] = {}
    checks: list[tuple[str, str]] = []
    for concern in (Concern.CRISIS, Concern.SCAM):
        learned = learn(concern, screen, trained_half, said, fitted=not args.cv_only)
        if args.phrase_cache is not None:
            args.phrase_cache.write_text(json.dumps({t: c.value if c else "" for t, c in said.items()}), "utf-8")
        if learned is not None:
            models[concern.value], more = learned
            checks += more
    if args.cv_only:
        return 0
    write(args.out, models, checks)
    shipped = SafetyModel.load(args.out)
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB; "
        + ", ".join(f"{c} {len(m.weights)} n-grams" for c, m in shipped.models.items())
        + ")"
    )
    return 0


def write(path: Path, models: dict[str, Linear], checks: list[tuple[str, str]]) -> None:
    """The models, then the checks: each check's score as the shipped code computes it from the written weights."""
    arrays: dict[str, np.ndarray] = {"format": np.array(FORMAT), "concerns": np.array("\n".join(models))}
    for concern, linear in models.items():
        names = sorted(linear.weights)
        assert all("\n" not in n for n in names)
        arrays[f"{concern}_features"] = np.frombuffer("\n".join(names).encode("utf-8"), dtype=np.uint8)
        arrays[f"{concern}_coef"] = np.array([linear.weights[n] for n in names], dtype=np.float32)
        arrays[f"{concern}_bias"] = np.array([linear.intercept, linear.threshold, linear.full], dtype=np.float64)
    arrays["check_concerns"] = np.frombuffer("\n".join(c for c, _ in checks).encode("utf-8"), dtype=np.uint8)
    arrays["check_forms"] = np.frombuffer("\n".join(f for _, f in checks).encode("utf-8"), dtype=np.uint8)
    arrays["check_scores"] = np.zeros(len(checks))
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]
    written = SafetyModel.load(path)
    arrays["check_scores"] = np.array([written.models[c].score(f) for c, f in checks], dtype=np.float64)
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]


if __name__ == "__main__":
    raise SystemExit(main())
