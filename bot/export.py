"""`/export`: the user's situation as the walkthrough recorded it, agreement terms and negotiation diary as a PDF they
can keep as evidence.

Why a PDF: it opens on every phone (Telegram previews it, iOS and Android both have viewers built in), it is one
file that does not change when forwarded or printed, and with the font embedded Chinese renders the same
everywhere — unlike a text or HTML file, whose look depends on the phone, or a PDF relying on the viewer's own CJK
fonts, which many phone viewers lack. fpdf2 writes it (pure Python, subsets the font, so a file is tens of KB);
the font is Noto Sans SC (SIL OFL 1.1) from the `pylopdf-fonts-zh-cn` wheel, which covers Simplified and
Traditional Chinese and Latin text. The plan's chart (bot.chart, the picture /plan sends) goes under the plan when it
has one (more than three instalments), reduced to a palette of `_CHART_COLOURS` colours: a flat-coloured chart loses
nothing to the eye and the file stays tens of KB (about 70 KB of RGBA PNG become under 20 KB). Rendering takes a
few hundred milliseconds, a second or more with a chart, so callers run it in a thread.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.i18n import Lang
from bot.core.knowledge import KnowledgeBase
from bot.core.replies import Chart
from bot.storage import DiaryRow

if TYPE_CHECKING:  # fpdf2 is imported when someone exports, not at start-up
    from fpdf import FPDF

#: The MIME type and file name the export is sent under (ASCII, so every client shows it).
MIME = "application/pdf"
_FONT_PACKAGE = "pylopdf_fonts_zh_cn"
_FONT_FILE = "NotoSansSC-Regular.otf"
_FONT = "noto"
#: Colours the chart is reduced to in the PDF (its own few colours and the anti-aliasing between them).
_CHART_COLOURS = 64


@dataclass(frozen=True)
class Record:
    """What goes into one export, already in the user's language where the bot wrote it."""

    lang: Lang
    today: date
    terms: str | None  # the agreement terms typed in the walkthrough
    agreement: bool | None  # whether the walkthrough recorded a written agreement
    diary: Sequence[DiaryRow]
    channels: dict[str, str]  # channel id → label in the user's language
    facts: Sequence[str] = ()  # the situation the walkthrough recorded (product, days, amount, cause, requests)
    plan: str | None = None  # the repayment plan as text, when the user made one
    chart: Chart | None = None  # its schedule to draw, when it has more than three instalments


def message(record: Record, kb: KnowledgeBase) -> str:
    """The words that go with the file: what it holds, and only that (no terms promised when none were given)."""
    held = [
        ("export_has_diary", bool(record.diary)),
        ("export_has_facts", bool(record.facts)),
        ("export_has_terms", bool(record.terms)),
        ("export_has_plan", bool(record.plan)),
    ]
    parts = [kb.text(key, record.lang, count=str(len(record.diary))) for key, has in held if has]
    if not parts:
        return kb.text("export_sent_empty", record.lang)
    separator = kb.text("export_list_separator", record.lang)  # texts are stripped: "," gets its space back here
    contents = (f"{separator} " if separator.isascii() else separator).join(parts)
    return kb.text("export_sent", record.lang, contents=contents)


def filename(today: date) -> str:
    return f"negotiation-record-{today.isoformat()}.pdf"


@cache
def _font_path() -> Path:
    # The wheel installs the font as a plain file; as_file gives its path (a zip install would get a temporary copy).
    with as_file(files(_FONT_PACKAGE) / _FONT_FILE) as path:
        return Path(path)


def render_pdf(record: Record, kb: KnowledgeBase) -> bytes:
    """The export as PDF bytes."""
    with warnings.catch_warnings():
        # fpdf2 warns about characters the font lacks (emoji); they are left out and the rest still renders.
        warnings.simplefilter("ignore")
        return _render(record, kb)


class _Page:
    """The PDF being written, in the record's two styles of text: headings and body text."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf

    def heading(self, text: str) -> None:
        pdf = self.pdf
        pdf.ln(4)
        pdf.set_font(_FONT, size=13)
        pdf.set_text_color(20, 60, 120)
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)

    def body(self, text: str, *, size: float = 11, grey: bool = False, indent: float = 0) -> None:
        pdf = self.pdf
        pdf.set_font(_FONT, size=size)
        if grey:
            pdf.set_text_color(100, 100, 100)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, size * 0.6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)


def _render(record: Record, kb: KnowledgeBase) -> bytes:
    from fpdf import FPDF  # deferred: fpdf2 (with fontTools and Pillow) only when someone exports, not at start-up

    lang = record.lang

    def say(key: str, **values: str) -> str:
        return kb.text(key, lang, **values)

    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font(_FONT, "", str(_font_path()))
    pdf.set_title(say("export_title"))
    pdf.set_creator("overdue-advisor")
    pdf.add_page()
    page = _Page(pdf)

    pdf.set_font(_FONT, size=18)
    pdf.multi_cell(0, 10, say("export_title"), new_x="LMARGIN", new_y="NEXT")
    page.body(say("export_generated", date=record.today.isoformat()), size=9, grey=True)

    if record.facts:  # only what the user gave in the walkthrough
        page.heading(say("export_facts_heading"))
        page.body("\n".join(record.facts))

    page.heading(say("export_terms_heading"))
    if record.terms:
        page.body(record.terms)
    else:
        page.body(say("export_terms_none" if record.agreement is not True else "export_terms_blank"), grey=True)

    if record.plan:
        page.heading(say("export_plan_heading"))
        page.body(record.plan)
    if record.chart is not None:
        pdf.ln(2)
        # Full text width; the image moves to the next page whole if it does not fit, and the text goes on below it.
        pdf.image(_chart_image(record.chart), w=pdf.epw)

    _diary(page, record, say("export_diary_heading", count=str(len(record.diary))), say("export_diary_none"))

    pdf.ln(6)
    page.body(say("export_footer"), size=8, grey=True)
    return bytes(pdf.output())


def _diary(page: _Page, record: Record, heading: str, none: str) -> None:
    """The diary's entries, oldest first as stored, each with its day, channel and who."""
    page.heading(heading)
    if not record.diary:
        page.body(none, grey=True)
    for number, row in enumerate(record.diary, 1):
        channel = record.channels.get(row.channel, row.channel)
        parts = [row.day, channel] + ([row.who] if row.who else [])
        page.pdf.ln(2)
        page.body(f"{number}.  " + "  ·  ".join(parts), size=10, grey=True)
        page.body(row.said, indent=4)


def _chart_image(chart: Chart) -> io.BytesIO:
    """The chart as a palette PNG for the PDF (see the module docstring)."""
    from PIL import Image  # Pillow comes with fpdf2 (and matplotlib)

    from bot.chart import render_png

    with Image.open(io.BytesIO(render_png(chart))) as drawn:
        reduced = drawn.convert("RGB").quantize(colors=_CHART_COLOURS)
    out = io.BytesIO()
    reduced.save(out, format="PNG", optimize=True)
    out.seek(0)
    return out
