"""The admins' inbox: alike questions grouped with counts, 👎'd answers beside unanswered questions, CSV out."""

from __future__ import annotations

import csv
import io

from bot.core.inbox import Row, Source, group, group_key, to_csv


def norm(text: str) -> str:
    """A stand-in for the matcher's normaliser: Traditional 還 → 还, the filler 请问 dropped."""
    return text.replace("還", "还").replace("请问", "").strip()


def row(question: str, user: int = 1, at: float = 0.0, source: Source = Source.UNANSWERED, **extra: object) -> Row:
    return Row(question, question.casefold(), source, user, at, extra.get("entry"), extra.get("note"))  # type: ignore[arg-type]


def test_alike_questions_share_a_group_and_the_most_asked_comes_first() -> None:
    rows = [
        row("花呗可以延期还款吗", user=1, at=1),
        row("花呗可以延期還款吗", user=2, at=2),  # Traditional: same once normalised
        row("请问花呗可以延期还款吗?", user=3, at=3),  # a filler and a question mark: alike enough
        row("借呗利息怎么算", user=1, at=4),
        row("花呗可以延期还款吗", user=1, at=5),
    ]
    first, second = group(rows, norm)
    assert first.count == 4
    assert len(first.users) == 3
    assert first.question == "花呗可以延期还款吗"
    assert first.last_seen == 5
    assert second.question == "借呗利息怎么算"
    assert second.count == 1


def test_turned_down_answers_sit_beside_unanswered_questions_with_their_notes() -> None:
    rows = [
        row("逾期多久上征信", at=8, source=Source.UNANSWERED, entry="impact.credit"),
        row("逾期多久上征信", user=2, at=9, source=Source.DISLIKED, entry="impact.credit", note="想知道具体天数"),
        row("", user=3, source=Source.DISLIKED, entry="impact.cost", note="没说利息"),  # question not remembered
        row("", user=4, source=Source.DISLIKED, entry="impact.cost"),
    ]
    credit, cost = group(rows, norm)
    assert (credit.unanswered, credit.disliked, credit.entry) == (1, 1, "impact.credit")
    assert credit.notes == ["想知道具体天数"]
    assert (cost.disliked, cost.entry, cost.notes) == (2, "impact.cost", ["没说利息"])
    assert cost.key == group_key("[impact.cost]")


def test_unlike_questions_stay_apart() -> None:
    asked = ["花呗逾期怎么办", "借呗额度怎么恢复", "今天天气", "股票怎么买", "股票怎么卖"]
    groups = group([row(question) for question in asked], norm)
    assert len(groups) == 5  # one character apart in five is not alike: buying is not selling


def test_the_csv_has_one_row_per_group_with_every_wording() -> None:
    groups = group([row("花呗能延期吗", at=1), row("花呗能延期吗?", at=2), row("借呗利息怎么算", at=3)], norm)
    table = list(csv.DictReader(io.StringIO(to_csv(groups))))
    assert [r["question"] for r in table] == ["花呗能延期吗", "借呗利息怎么算"]
    assert table[0]["times"] == "2"
    assert table[0]["other_wordings"] == "花呗能延期吗?"
    assert table[0]["group"] == groups[0].key
