"""The /plan chart: a PNG Telegram shows inline, drawn in the bundled font, with matplotlib loaded only to draw it."""

from __future__ import annotations

import subprocess
import sys
import warnings
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from bot.chart import render_png
from bot.core.i18n import Lang
from bot.core.plan import schedule
from bot.core.plantexts import PlanTexts, load_plan_texts
from bot.core.replies import Chart
from bot.fonts import CHART_FONT, chart_characters, missing_glyphs

SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"

PNG = b"\x89PNG\r\n\x1a\n"


def size_of(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG)
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@cache
def shipped() -> PlanTexts:
    return load_plan_texts(SHIPPED / "plan.yaml")


def shipped_chart(lang: Lang, instalments: tuple[int, ...]) -> Chart:
    def say(key: str) -> str:
        return shipped().say(key, lang)

    return Chart(
        instalments,
        title=say("chart.title"),
        month_axis=say("chart.month_axis"),
        paid_axis=say("chart.paid_axis"),
        left_axis=say("chart.left_axis"),
        paid=say("chart.paid"),
        left=say("chart.left"),
        caption=say("result.chart_caption"),
    )


@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize("months", [4, 13, 120])
def test_a_chart_is_a_png_telegram_shows_inline_and_no_glyph_is_missing(lang: Lang, months: int) -> None:
    plan = schedule(31_000, -(-31_000 // months))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" before drawing a box
        png = render_png(shipped_chart(lang, plan.instalments))
    width, height = size_of(png)
    assert width <= 1280
    assert height <= 1280
    assert len(png) < 300_000


def test_a_character_missing_from_the_font_would_be_noticed() -> None:
    chart = Chart((1, 1, 1, 1), "𪚥", "x", "y", "z", "a", "b", "c")
    with pytest.warns(UserWarning, match="missing from font"):
        render_png(chart)


def test_the_list_of_drawable_characters_is_the_fonts_own() -> None:
    cmap = {chr(code) for code in TTFont(CHART_FONT).getBestCmap() if not chr(code).isspace()}
    assert chart_characters() == cmap
    assert missing_glyphs("还款计划 還款計劃 Repayment 12,345（元）") == []
    assert missing_glyphs("𪚥x𪚥") == ["𪚥"]


def test_the_bot_starts_without_matplotlib() -> None:
    code = (
        "import sys, bot.engine, bot.chat, bot.cli, bot.telegram.serving\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported at start-up'\n"
        "assert 'cn2an' not in sys.modules, 'cn2an imported at start-up'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
