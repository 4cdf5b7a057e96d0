"""Rebuild the Chinese script tables under bot/core/data/ from OpenCC's own dictionaries, and check them.

    python -m bench.script_tables            # rebuild bot/core/data/simplified.tsv and bot/core/data/opencc/
    python -m bench.script_tables --check    # compare both with OpenCC itself on every question at hand

Two things are built, both deterministic (same OpenCC, same bytes):

* `simplified.tsv`, for the language detector (bot/core/language.py): which characters OpenCC's Simplified →
  Traditional conversion (s2t) changes, alone and inside each of its phrases. With it the detector tells Simplified
  characters without building OpenCC's s2t converter, which holds ~26 MiB of phrase dictionaries in every bot,
  including the many that never write a Traditional reply. Every phrase is kept, not only those whose characters
  change differently from one by one: a phrase that changes nothing still decides where the next one may start
  (能借|借呗, not 能|借借|呗), and keeping fewer changed the verdict on real questions.
* `opencc/`: OpenCC's s2twp and s2hk profiles, unchanged but for one thing: their two Simplified phrase dictionaries
  (STPhrases and STPhrases_GeneratedFromRegionalPhrases, joined in a "union" group) are merged into one dictionary
  file. The union group costs ~16 MiB more than the same phrases in one dictionary; the output is the same. The
  other dictionaries those profiles read are copied as they are (OpenCC finds them next to the profile only).

`--check` reads the project's question sets (bench/*.tsv), ../shared/eval/*.tsv and both questions of every pair in
../shared/data/atec-pairs.tsv when that folder is present, adds their Taiwan, Hong Kong and plain Traditional
forms, and reports (1) where the table's changed positions differ from OpenCC's s2t and where the detector's verdict
would, and (2) where the bundled profiles' output differs from OpenCC's own s2twp and s2hk. Expected: none.

OpenCC's data is Apache-2.0 licensed; bot/core/data/opencc/README.md says where it comes from.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import opencc

from bot.core import language
from bot.core.i18n import OPENCC_DATA, OPENCC_PROFILES, to_traditional

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bot" / "core" / "data"
TABLE = DATA / "simplified.tsv"
SHARED = ROOT.parent / "shared"
PAIRS = SHARED / "data" / "atec-pairs.tsv"
OPENCC_LIB = Path(opencc.__file__).resolve().parent / "clib"
OPENCC_SHARE = OPENCC_LIB / "share" / "opencc"
MERGED = "STPhrasesMerged.ocd2"
#: The phrase dictionaries OpenCC's Simplified → Traditional profiles join in a union group.
PHRASE_FILES = ("STPhrases.ocd2", "STPhrases_GeneratedFromRegionalPhrases.ocd2")
#: The columns questions are in, in the project's sets and in the ATEC pairs.
COLUMNS = ("question", "text", "question1", "question2")
README = """\
# OpenCC profiles for Traditional replies

Built by `python -m bench.script_tables` from the dictionaries of OpenCC {version} (Apache License 2.0,
https://github.com/BYVoid/OpenCC); do not edit by hand.

`s2twp.json` and `s2hk.json` are OpenCC's own profiles with one change: the two Simplified phrase dictionaries they
join in a "union" group ({phrases}) are merged into `{merged}`, which holds the same phrases in ~16 MiB less
memory. The other `.ocd2` files are OpenCC's, copied unchanged, since OpenCC looks for them next to the profile.
"""


def opencc_dict(*args: str) -> None:
    """Run OpenCC's own dictionary tool, shipped with its Python package."""
    subprocess.run([str(OPENCC_LIB / "bin" / "opencc_dict"), *args], check=True, capture_output=True)


def read_dictionary(name: str, folder: Path) -> dict[str, str]:
    """An OpenCC .ocd2 dictionary as {key: candidates separated by spaces}."""
    text = folder / (name + ".txt")
    opencc_dict("-i", str(OPENCC_SHARE / name), "-f", "ocd2", "-t", "text", "-o", str(text))
    entries: dict[str, str] = {}
    for line in text.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("\t")
        entries[key] = value
    return entries


def merged_phrases(folder: Path) -> dict[str, str]:
    """STPhrases and the phrases generated from the regional ones, as one dictionary (a key in both has one value)."""
    merged: dict[str, str] = {}
    for name in PHRASE_FILES:
        for key, value in read_dictionary(name, folder).items():
            if merged.setdefault(key, value) != value:
                raise SystemExit(f"{name}: {key} has two different conversions; a union cannot be one dictionary")
    return merged


TABLE_HEADER = """\
# What OpenCC {version}'s Simplified -> Traditional conversion (s2t) changes, for bot/core/language.py.
# Built from OpenCC's dictionaries by `python -m bench.script_tables`; do not edit by hand.
# The first line after these: every character s2t changes when it stands alone. Then one line per first character
# of s2t's phrases: the character, the length of its longest phrase, and its phrases as " phrase:positions ", the
# positions (from 0, in hex) of the characters the phrase changes; none after the colon: it keeps them all.
"""


def table(characters: dict[str, str], phrases: dict[str, str]) -> str:
    """The detector's table (see TABLE_HEADER)."""
    for key, value in phrases.items():
        if len(key) != len(value.split(" ")[0]):
            raise SystemExit(f"STPhrases: {key} changes length; the detector counts positions")
    buckets: dict[str, list[str]] = defaultdict(list)
    for key in sorted(phrases):
        first = phrases[key].split(" ")[0]
        changed = "".join(f"{i:x}" for i, (a, b) in enumerate(zip(key, first, strict=True)) if a != b)
        buckets[key[0]].append(f"{key}:{changed}")
    lines = [TABLE_HEADER.format(version=opencc.__version__)]
    lines.append("".join(sorted(key for key, value in characters.items() if value.split(" ")[0] != key)) + "\n")
    for first, items in sorted(buckets.items()):
        longest = max(len(item.partition(":")[0]) for item in items)
        lines.append(f"{first}\t{longest}\t {' '.join(items)} \n")
    return "".join(lines)


def build(data: Path = DATA) -> list[Path]:
    """Write the detector's table and the bundled OpenCC profiles under `data`; the files written."""
    table_path, profiles = data / TABLE.name, data / OPENCC_DATA.name
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for key, value in read_dictionary("CJK_Compatibility_Ideographs.ocd2", folder).items():
            if unicodedata.normalize("NFKC", key) != value.split(" ")[0]:
                raise SystemExit(f"{key!r}: OpenCC normalises it otherwise than NFKC, which the detector relies on")
        phrases = merged_phrases(folder)
        characters = read_dictionary("STCharacters.ocd2", folder)
        table_path.write_text(table(characters, phrases), encoding="utf-8")

        profiles.mkdir(parents=True, exist_ok=True)
        for old in profiles.iterdir():
            old.unlink()
        source = folder / "merged.txt"
        source.write_text("".join(f"{key}\t{phrases[key]}\n" for key in sorted(phrases)), encoding="utf-8")
        opencc_dict("-i", str(source), "-f", "text", "-t", "ocd2", "-o", str(profiles / MERGED))
        for profile in sorted(set(OPENCC_PROFILES.values())):
            config = _merge_union(json.loads((OPENCC_SHARE / f"{profile}.json").read_text(encoding="utf-8")))
            for name in sorted(_files(config) - {MERGED}):
                shutil.copyfile(OPENCC_SHARE / name, profiles / name)
            text = json.dumps(config, ensure_ascii=False, indent=2) + "\n"
            (profiles / f"{profile}.json").write_text(text, encoding="utf-8")
        readme = README.format(version=opencc.__version__, phrases=", ".join(PHRASE_FILES), merged=MERGED)
        (profiles / "README.md").write_text(readme, encoding="utf-8")
    return [table_path, *sorted(profiles.iterdir())]


def _merge_union(node: Any) -> Any:
    """The profile with each union group of exactly OpenCC's two phrase dictionaries replaced by the merged one."""
    if isinstance(node, dict):
        if node.get("type") == "group" and node.get("match_policy") == "union":
            files = tuple(sorted(d.get("file", "") for d in node["dicts"]))
            if files != tuple(sorted(PHRASE_FILES)):
                raise SystemExit(f"an unexpected union group {files}: this script needs updating")
            return {"type": "ocd2", "file": MERGED}
        return {key: _merge_union(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_merge_union(item) for item in node]
    return node


def _files(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["file"]} if "file" in node else set()
        return found.union(*(_files(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_files(item) for item in node))
    return set()


# -- the check -----------------------------------------------------------------------------------------------------


def questions() -> list[str]:
    """Every question at hand: the project's sets, ../shared/eval and the ATEC pairs' questions when present."""
    csv.field_size_limit(sys.maxsize)
    found: set[str] = set()
    paths = sorted((ROOT / "bench").glob("*.tsv")) + sorted((SHARED / "eval").glob("*.tsv"))
    for path in [*paths, PAIRS]:
        if not path.exists():
            print(f"(not present: {path})")
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                found.update(row[column] for column in COLUMNS if row.get(column))
    return sorted(found)


def _han(text: str) -> str:
    return language.chinese_characters(unicodedata.normalize("NFKC", text))


def check(texts: Iterable[str]) -> int:
    simplified = sorted(texts)
    every = set(simplified)
    for profile in ("s2twp", "s2hk", "s2t"):
        converter = opencc.OpenCC(profile)
        every.update(converter.convert(text) for text in simplified)
    print(f"{len(simplified)} questions, {len(every)} with their Traditional forms")

    reference = opencc.OpenCC("s2t")
    started = time.perf_counter()
    positions = verdicts = 0
    for text in sorted(every):
        han = _han(text)
        if not han:
            continue
        converted = reference.convert(han)
        expected = {i for i, (a, b) in enumerate(zip(han, converted, strict=True)) if a != b}
        got = language.simplified_positions(han)
        if got != expected:
            positions += 1
            if language.script_verdict(han, expected) != language.script_verdict(han, got):
                verdicts += 1
                print(f"  verdict differs: {text!r}")
    elapsed = time.perf_counter() - started
    print(f"detector table vs OpenCC s2t: {positions} texts with other positions, {verdicts} other verdicts")
    print(f"  ({elapsed:.1f} s for the table and OpenCC's s2t together)")

    different = 0
    for lang, profile in OPENCC_PROFILES.items():
        official = opencc.OpenCC(profile)
        for text in simplified:
            if to_traditional(text, lang) != official.convert(text):
                different += 1
                print(f"  {profile} differs: {text!r}")
    print(f"bundled s2twp/s2hk vs OpenCC's: {different} texts converted otherwise")
    return 1 if positions or verdicts or different else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare the committed tables with OpenCC; write nothing")
    args = parser.parse_args(argv)
    if args.check:
        return check(questions())
    for path in build():
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
