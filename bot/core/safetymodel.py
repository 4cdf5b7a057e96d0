"""The safety screen's learned signal: two small linear models that say how much a message reads like a crisis, or
like a scam, beyond the phrases the screen lists.

Each model is a logistic regression over the message's n-grams in the screen's normal form (`safety.normal_form`:
Simplified, lower case, punctuation gone): every character 1- to 4-gram (so 想不开, 撐唔住 and "suicde" are seen in
pieces), every English word and word pair ("w:end it", "w:safe account"), and for a short message its length ("n:4",
up to `SHORT_UNITS`: the model learns how much less a short message says, so that one 想 or 不 among four characters
does not weigh like a whole sentence's evidence). Features are present or absent; the vector is L2-normalised, so the
score is `intercept + sum(weights of the n-grams found) / sqrt(how many were found)`. Only n-grams the model knows
count.

The weights are data (`bot/core/data/safety.npz`, written by `python -m bench.train_safety`, deterministic, from the
committed safety sets and the everyday questions of ../shared/data/atec-pairs.tsv); this module only reads them, on
first use, and adds up a few dozen floats per message in plain Python, so nothing is trained or downloaded at run
time. Each model carries the decision thresholds the trainer chose by cross-validation: from `threshold` on the
model speaks up; the crisis model also has a higher `full` one — a score between the two is a soft hit (the answer and
a caring line with a hotline), a score from `full` on gets the full crisis reply (`safety.Screen`).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.errors import KnowledgeError, Problem

#: Where the shipped models live (package data).
DEFAULT_PATH = Path(__file__).with_name("data") / "safety.npz"
#: The format this code reads; `bench/train_safety.py` writes the same number (2: each model has a `full` threshold;
#: 3: a short message's length is a feature).
FORMAT = 3
#: Character n-grams from 1 to this many characters.
MAX_CHARS = 4
#: Prefix of an English word n-gram (":" never occurs in the normal form, so it cannot collide with a character one).
WORD = "w:"
#: Prefix of the length feature of a short message ("n:4"; ":" never occurs in the normal form).
LENGTH = "n:"
#: Messages of up to this many units (`units`) carry their length as a feature.
SHORT_UNITS = 8
#: The model reads only messages with at least this many characters of Chinese and Latin words (after the vetoes):
#: "算了", "走了" or "goodbye" alone are everyday chat as often as not, and two or three n-grams are too few to weigh;
#: such messages are left to the phrases.
MIN_UNITS = 3
#: A message shorter than this — counting a Chinese character or a number as one and an English word as two (a word
#: says about as much as a two-character Chinese word) — needs a model-only score `SHORT_MARGIN` above the `full`
#: threshold for the full crisis reply: in "欠了4万" (four) a handful of character n-grams decide alone, each weighed
#: as if it were a whole sentence's evidence. Below that it is a soft hit, and a soft hit with nothing in the
#: knowledge to show for it still gets the full reply (`Advisor.settled`). Phrases are not affected.
FULL_MIN_LENGTH = 6
SHORT_MARGIN = 2.0
_LATIN_WORD = re.compile(r"[a-z]+")
_UNIT = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")


def units(form: str) -> int:
    """How many characters of Chinese and Latin words or numbers a message (normal form) has."""
    return len(_UNIT.findall(form))


def readable(form: str) -> bool:
    """Whether a message (normal form) is long enough for the model to judge."""
    return units(form) >= MIN_UNITS


def long_enough_for_full(form: str) -> bool:
    """Whether a message (normal form) is long enough for a model-only full hit at the `full` threshold itself."""
    return sum(2 if unit.isalpha() and unit.isascii() else 1 for unit in _UNIT.findall(form)) >= FULL_MIN_LENGTH


def full_at(form: str, full: float) -> float:
    """The score from which a model-only hit on a message (normal form) gets the full response (`FULL_MIN_LENGTH`)."""
    return full if long_enough_for_full(form) else full + SHORT_MARGIN


def grams(form: str) -> set[str]:
    """The n-grams of a message in the screen's normal form."""
    padded = f" {form} "
    found = {padded[i : i + n] for n in range(1, MAX_CHARS + 1) for i in range(len(padded) - n + 1)}
    found.discard(" ")
    words = _LATIN_WORD.findall(form)
    found.update(WORD + w for w in words)
    found.update(f"{WORD}{a} {b}" for a, b in itertools.pairwise(words))
    length = units(form)
    if length <= SHORT_UNITS:
        found.add(f"{LENGTH}{length}")
    return found


@dataclass(frozen=True)
class Linear:
    """One concern's model: a weight per known n-gram, an intercept, the score from which it speaks up, and the score
    from which it is sure enough for the concern's full response (equal to `threshold` when there is no softer tier)."""

    weights: dict[str, float]
    intercept: float
    threshold: float
    full: float

    def score(self, form: str) -> float:
        """The model's log-odds that the message (normal form) is of its concern."""
        return self.weigh(grams(form))

    def weigh(self, found_grams: set[str]) -> float:
        """`score` of a message's n-grams (so that two models can share them)."""
        found = [w for w in map(self.weights.get, found_grams) if w is not None]
        if not found:
            return self.intercept
        return self.intercept + math.fsum(found) / math.sqrt(len(found))


@dataclass(frozen=True)
class SafetyModel:
    """The learned models by concern name ("crisis", "scam"), and the scores they gave some texts when written."""

    models: dict[str, Linear]
    checks: tuple[tuple[str, str, float], ...]  # (concern, normal form as scored, score) as trained

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> SafetyModel:
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["format"]) != FORMAT:
                    raise _problem(path, f"model format {int(data['format'])}, this code reads {FORMAT}")
                models: dict[str, Linear] = {}
                for concern in str(data["concerns"]).split("\n"):
                    names = bytes(data[f"{concern}_features"]).decode("utf-8").split("\n")
                    coef = data[f"{concern}_coef"].astype(float)
                    intercept, threshold, full = (float(x) for x in data[f"{concern}_bias"])
                    if len(names) != len(coef):
                        raise _problem(path, f"{concern}: {len(names)} features but {len(coef)} weights")
                    weights = dict(zip(names, coef.tolist(), strict=True))
                    models[concern] = Linear(weights, intercept, threshold, max(full, threshold))
                checks = tuple(
                    (concern, form, float(score))
                    for concern, form, score in zip(
                        bytes(data["check_concerns"]).decode("utf-8").split("\n"),
                        bytes(data["check_forms"]).decode("utf-8").split("\n"),
                        data["check_scores"],
                        strict=True,
                    )
                )
        except (OSError, ValueError, KeyError) as error:
            raise _problem(path, f"cannot read the safety model: {error}") from error
        return cls(models, checks)


@functools.cache
def shipped() -> SafetyModel | None:
    """The packaged model, read once on first use (not at import); None when it is not there (phrases only)."""
    return SafetyModel.load(DEFAULT_PATH) if DEFAULT_PATH.exists() else None


def _problem(path: Path, message: str) -> KnowledgeError:
    return KnowledgeError([Problem(str(path), 1, f"{message}; rebuild it with `python -m bench.train_safety`")])
