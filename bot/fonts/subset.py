"""Remakes the chart font from the full Noto Sans CJK SC: `python -m bot.fonts.subset NotoSansCJKsc-Regular.otf`.

A developer's tool, never run by the bot.

Keeps what chart labels need — the 3,755 common hanzi of GB2312 level 1, their Traditional forms (zh-hant labels
are derived with OpenCC), ASCII and common punctuation, and every character of knowledge/plan.yaml's chart texts — so
an admin's edit of a label rarely needs a new font, and `advisor kb validate` names any character that does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml
from fontTools import subset
from fontTools.ttLib import TTFont

from bot.core.i18n import to_traditional
from bot.fonts import CHART_CHARS, CHART_FONT

_PUNCTUATION = "（）：，、。；！？《》“”‘’—–…·×−¥￥％"
_PLAN_YAML = Path(__file__).resolve().parents[2] / "knowledge" / "plan.yaml"


def _gb2312_level1() -> str:
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def wanted() -> set[str]:
    hans = _gb2312_level1()
    chart = yaml.safe_load(_PLAN_YAML.read_text(encoding="utf-8")).get("chart", {})
    labels = "".join(text for texts in chart.values() for text in texts.values())
    simplified = hans + labels + _PUNCTUATION
    return set(simplified) | set(to_traditional(simplified)) | {chr(code) for code in range(0x20, 0x7F)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="NotoSansCJKsc-Regular.otf (Noto CJK, SIL OFL 1.1)")
    args = parser.parse_args(argv)
    font = TTFont(args.source)
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the copyright and licence records
    options.hinting = False  # drawn at chart sizes by FreeType's autohinter anyway
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(char) for char in wanted()])
    subsetter.subset(font)
    font.save(CHART_FONT)
    kept = sorted(chr(code) for code in TTFont(CHART_FONT).getBestCmap() if not chr(code).isspace())
    CHART_CHARS.write_text("".join(kept) + "\n", encoding="utf-8")
    print(f"{CHART_FONT.name}: {len(kept)} characters, {CHART_FONT.stat().st_size:,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
