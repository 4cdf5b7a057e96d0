"""A learned judge of which entry a question is about — or whether the guide covers it at all.

It is a multinomial logistic regression over the matcher's own features (characters, bigrams, Latin words) of the
normalised question, trained by `bench/train.py` on the knowledge base's examples, real customer-service questions
labelled against the entries, and tens of thousands of everyday questions the guide does not cover (the class
`NOT_COVERED`). Character overlap cannot tell "花呗逾期会影响征信吗" from "花呗分期会影响征信吗"; weights learned
from real traffic can.

The weights are data (`bot/core/data/learned.npz`, rebuilt deterministically from `../shared/data/`); this module
only reads them and does the arithmetic, in plain numpy, so nothing is trained or downloaded at run time. A knowledge
base whose entries the model was not trained on still works: entries it does not know simply get no learned
probability, and the matcher decides for them as it did before.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.core.normalize import features
from bot.errors import KnowledgeError, Problem

#: The class of questions the guide does not cover (everyday product questions, other services).
NOT_COVERED = "__none__"
#: Where the shipped model lives (package data).
DEFAULT_PATH = Path(__file__).with_name("data") / "learned.npz"
#: The format this code reads; `bench/train.py` writes the same number.
FORMAT = 2


@dataclass(frozen=True)
class Calibration:
    """Turns the evidence about a question's best entry into the probability that answering it is right.

    A logistic model over a few numbers (see `Judge.confidence`), fitted on held-out predictions of real questions.
    """

    weights: tuple[float, ...]
    bias: float
    answer_at: float  # answer when the probability of being right is at least this
    clarify_at: float  # offer a menu when the probability that one of the menu's entries is right is at least this


@dataclass(frozen=True)
class LearnedModel:
    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float32]
    coef: npt.NDArray[np.float32]  # (features, classes)
    intercept: npt.NDArray[np.float32]
    calibration: Calibration
    checks: tuple[tuple[str, str, float], ...]  # (normalised text, best class, its probability) as trained

    def fits(self, entry_ids: set[str]) -> bool:
        """Whether a knowledge base with these entries is one the model was trained for (all its entries present)."""
        return all(name in entry_ids for name in self.classes if name != NOT_COVERED)

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> LearnedModel:
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["format"]) != FORMAT:
                    raise _problem(path, f"model format {int(data['format'])}, this code reads {FORMAT}")
                names = [str(f) for f in data["features"]]
                calib = data["calibration"].astype(float)
                return cls(
                    classes=tuple(str(c) for c in data["classes"]),
                    vocabulary={f: i for i, f in enumerate(names)},
                    idf=data["idf"].astype(np.float32),
                    coef=data["coef"].astype(np.float32),
                    intercept=data["intercept"].astype(np.float32),
                    calibration=Calibration(
                        weights=tuple(float(w) for w in calib[:-3]),
                        bias=float(calib[-3]),
                        answer_at=float(calib[-2]),
                        clarify_at=float(calib[-1]),
                    ),
                    checks=tuple(
                        (str(t), str(c), float(p))
                        for t, c, p in zip(data["check_texts"], data["check_classes"], data["check_probs"], strict=True)
                    ),
                )
        except (OSError, KeyError, ValueError) as error:
            raise _problem(path, f"cannot read the learned model ({error})") from error

    def probabilities(self, normalized: str) -> dict[str, float]:
        """P(class | question) for every class the model knows; empty when the question has no known feature."""
        counts = Counter(features(normalized))
        rows = [(self.vocabulary[f], n) for f, n in counts.items() if f in self.vocabulary]
        if not rows:
            return {}
        index = np.fromiter((i for i, _ in rows), dtype=np.int64, count=len(rows))
        tf = np.fromiter((1.0 + math.log(n) for _, n in rows), dtype=np.float32, count=len(rows))
        values = tf * self.idf[index]
        norm = float(np.sqrt(np.dot(values, values)))
        if norm == 0.0:
            return {}
        logits = (values / norm) @ self.coef[index] + self.intercept
        logits = logits - logits.max()
        exp = np.exp(logits)
        probs = exp / exp.sum()
        return dict(zip(self.classes, (float(p) for p in probs), strict=True))


def _problem(path: Path, message: str) -> KnowledgeError:
    return KnowledgeError([Problem(str(path), 1, f"{message}; rebuild it with `python -m bench.train`")])


@functools.lru_cache(maxsize=1)
def load_shipped() -> LearnedModel | None:
    """The model shipped with the package, read once per process; None when it is not there."""
    return LearnedModel.load(DEFAULT_PATH) if DEFAULT_PATH.exists() else None
