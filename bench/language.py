"""Accuracy of the message-language detector (bot.core.language) on a labelled set.

    python -m bench.language                      # bench/language.tsv
    python -m bench.language --set path.tsv

A set is a TSV with a header naming `text` and `lang` columns; `lang` is zh-hans, zh-hant, zh-hk or en, or `-` when
the message cannot tell ("ok", "?", "5000"). A message is scored by the language a new conversation with no other
hint would be answered in after it (Hong Kong wording counts as zh-hant; a row labelled zh-hk asks for Hong Kong
wording itself), `-` when it leaves the conversation as it was. Accuracy is reported on messages with at least 4
letters or characters (the issue's goal: 99%) and on all, and every miss is listed.

A row may also say, in a `before` column, where the conversation stood before the message (a stored `Typed` form:
"zh-hans", or "zh-hans>en" while it leans to English): such a row is scored by the language the conversation is
answered in after the message (`follow`), and counted apart as a conversation row.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.i18n import Lang
from bot.core.language import Typed, conversation_lang, detect, follow

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "bench" / "language.tsv"
#: Messages with at least this many letters or characters are the ones the 99% goal is about.
LONG_ENOUGH = 4
UNDECIDED = "-"
LABELS = {Lang.ZH_HANS.value, Lang.ZH_HANT.value, Lang.ZH_HK.value, Lang.EN.value, UNDECIDED}


def label(text: str) -> str:
    """What the detector makes of `text`, in the set's labels (Hong Kong wording as zh-hk)."""
    lang = conversation_lang(None, detect(text), None)
    return UNDECIDED if lang is None else lang.value


def label_after(before: str, text: str) -> str:
    """The language a conversation that stood at `before` (a stored `Typed` form) is answered in after `text`."""
    lang = follow(Typed.decode(before), text, None).lang
    return UNDECIDED if lang is None else lang.value


def agrees(expected: str, got: str) -> bool:
    """Whether `got` is the label `expected`: Hong Kong wording is Traditional too, unless zh-hk itself is asked."""
    if expected == Lang.ZH_HANT.value and got == Lang.ZH_HK.value:
        return True
    return got == expected


def letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


@dataclass
class Tally:
    total: int = 0
    right: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, text: str, expected: str, got: str) -> None:
        self.total += 1
        if agrees(expected, got):
            self.right += 1
        else:
            self.misses.append((text, expected, got))

    def line(self, name: str) -> str:
        share = self.right / self.total if self.total else 0.0
        return f"{name}: {self.right}/{self.total} = {share:.1%}"


@dataclass(frozen=True)
class Row:
    text: str
    expected: str
    before: str = ""  # the conversation's stored language before the message; "" for a new conversation


def read_set(path: Path) -> list[Row]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            expected = (row.get("lang") or "").strip()
            if expected not in LABELS:
                raise SystemExit(f"{path}: {row!r}: lang must be one of {', '.join(sorted(LABELS))}")
            before = (row.get("before") or "").strip()
            if before and Typed.decode(before).encode() != before:
                raise SystemExit(f"{path}: {row!r}: before must be a stored language such as zh-hans or zh-hans>en")
            rows.append(Row(row["text"], expected, before))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled TSV (default: bench/language.tsv)")
    args = parser.parse_args(argv)
    rows = read_set(args.set)
    long_enough, everything, conversations = Tally(), Tally(), Tally()
    started = time.perf_counter()
    for row in rows:
        if row.before:
            conversations.add(f"{row.before} → {row.text}", row.expected, label_after(row.before, row.text))
            continue
        got = label(row.text)
        everything.add(row.text, row.expected, got)
        if letters(row.text) >= LONG_ENOUGH:
            long_enough.add(row.text, row.expected, got)
    elapsed = time.perf_counter() - started
    print(f"{args.set.name}: {len(rows)} messages, {elapsed * 1000 / max(len(rows), 1):.2f} ms each")
    print(long_enough.line(f"at least {LONG_ENOUGH} letters or characters"))
    print(everything.line("all"))
    if conversations.total:
        print(conversations.line("conversation rows (after a given language)"))
    for text, expected, got in everything.misses:
        short = "" if letters(text) >= LONG_ENOUGH else "  (short)"
        print(f"  miss: expected {expected:<7} got {got:<7} {text!r}{short}")
    for text, expected, got in conversations.misses:
        print(f"  miss: expected {expected:<7} got {got:<7} {text!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
