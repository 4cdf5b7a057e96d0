"""The admins' inbox: questions nobody answered and answers users turned down (👎), grouped when they are alike.

Pure: rows in, groups out. Two questions fall in one group when their normalised forms (aliases applied,
Traditional → Simplified, fillers dropped: what the matcher sees) are the same or nearly so (difflib's ratio at
least `SIMILAR`). difflib rather than rapidfuzz: the inbox is a few hundred rows read by an admin now and then, and
the matcher stays the one module that calls rapidfuzz. A group's key is a short hash of its first question, stable
while the rows are, so a button can name the group it marks resolved or ignored.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Final

#: How alike two normalised questions must be (0..1) to share a group.
SIMILAR: Final = 0.85
#: Notes kept per group in the report (the CSV has all of them).
NOTES_SHOWN: Final = 3


class Source(StrEnum):
    UNANSWERED = "unanswered"  # the knowledge base had no answer
    DISLIKED = "disliked"  # an answer was given and the user pressed 👎


class Mark(StrEnum):
    RESOLVED = "resolved"  # the knowledge now answers it: hide what was asked before the mark
    IGNORED = "ignored"  # not worth an answer: hide it too


@dataclass(frozen=True)
class Row:
    """One question in the inbox, as stored."""

    question: str
    normalized: str  # as storage grouped it (casefolded, whitespace squeezed)
    source: Source
    user_id: int
    asked_at: float
    entry: str | None  # the closest entry (unanswered) or the entry turned down (disliked)
    note: str | None = None  # what a 👎 user said they were looking for
    score: float = 0.0  # how close `entry` came (unanswered)


@dataclass
class Group:
    """Questions alike enough to be fixed together, most asked first."""

    key: str
    questions: dict[str, int] = field(default_factory=dict)  # question → times asked
    members: set[str] = field(default_factory=set)  # normalised forms, for marking
    users: set[int] = field(default_factory=set)
    unanswered: int = 0
    disliked: int = 0
    entries: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    last_seen: float = 0.0
    best_score: float = 0.0

    @property
    def count(self) -> int:
        return self.unanswered + self.disliked

    @property
    def question(self) -> str:
        """The wording asked most often."""
        return max(self.questions.items(), key=lambda item: (item[1], -len(item[0])))[0]

    @property
    def entry(self) -> str | None:
        return max(self.entries.items(), key=lambda item: item[1])[0] if self.entries else None


def group_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def group(rows: Iterable[Row], normalize: Callable[[str], str]) -> list[Group]:
    """Rows in groups of alike questions, the most asked group first (then the most recent)."""
    groups: list[tuple[str, Group]] = []  # (normalised representative, group)
    by_form: dict[str, Group] = {}
    for row in sorted(rows, key=lambda r: r.asked_at):
        # a 👎 without its question (the bot restarted since the answer) is grouped by the entry turned down
        form = normalize(row.question) if row.question else f"[{row.entry}]"
        target = by_form.get(form)
        if target is None:
            target = next((g for rep, g in groups if _alike(rep, form)), None)
        if target is None:
            target = Group(group_key(form))
            groups.append((form, target))
        by_form[form] = target
        target.questions[row.question] = target.questions.get(row.question, 0) + 1
        target.members.add(row.normalized)
        target.users.add(row.user_id)
        if row.source is Source.DISLIKED:
            target.disliked += 1
        else:
            target.unanswered += 1
        if row.entry:
            target.entries[row.entry] = target.entries.get(row.entry, 0) + 1
        if row.note:
            target.notes.append(row.note)
        target.last_seen = max(target.last_seen, row.asked_at)
        target.best_score = max(target.best_score, row.score)
    return sorted((g for _, g in groups), key=lambda g: (-g.count, -g.last_seen, g.question))


def _alike(a: str, b: str) -> bool:
    if not a or not b or a.startswith("[") != b.startswith("["):
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR and matcher.ratio() >= SIMILAR


def to_csv(groups: Sequence[Group]) -> str:
    """The groups as CSV for editing the knowledge YAML: one row per group, its wordings joined by " | "."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "times", "users", "unanswered", "disliked", "question", "other_wordings",
                     "closest_entry", "notes", "last_seen_unix"])  # fmt: skip
    for g in groups:
        others = [q for q in sorted(g.questions, key=lambda q: -g.questions[q]) if q != g.question]
        writer.writerow([g.key, g.count, len(g.users), g.unanswered, g.disliked, g.question, " | ".join(others),
                         g.entry or "", " | ".join(g.notes), int(g.last_seen)])  # fmt: skip
    return out.getvalue()
