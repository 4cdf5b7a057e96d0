"""Draws a repayment schedule (`bot.core.replies.Chart`) as a PNG Telegram shows inline, without a display.

matplotlib is imported on the first chart only (it takes about half a second), never at start-up nor on the path of
an ordinary message; the figure is built with its object API and the Agg canvas, so no global pyplot state or GUI
backend is involved. Text is set in the bundled Noto Sans CJK subset (bot/fonts), so Chinese labels never come out
as empty boxes, whatever fonts the machine has.
"""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING, Final

from bot.core.replies import Chart
from bot.fonts import CHART_FONT

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Pixel size: under Telegram's 1280 px for an inline photo, readable on a phone.
WIDTH_PX: Final = 1200
HEIGHT_PX: Final = 675
_DPI: Final = 150
_PAID: Final = "#3b7dd8"
_LAST: Final = "#f0a030"
_LEFT: Final = "#c0392b"
#: Up to this many bars, the first and last carry their amount; beyond, the labels would collide.
_LABELLED_BARS: Final = 24
# matplotlib's font cache and text layout are shared by every figure; one chart at a time keeps them consistent.
_LOCK: Final = threading.Lock()


def render_png(chart: Chart) -> bytes:
    """The chart as PNG bytes (about 1200 × 675 px, tens of KB). Blocking: call it in a worker thread."""
    with _LOCK:
        return _draw(chart)


def _draw(chart: Chart) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    font = FontProperties(fname=str(CHART_FONT))
    title_font = FontProperties(fname=str(CHART_FONT), size=15)
    label_font = FontProperties(fname=str(CHART_FONT), size=11)
    figure = Figure(figsize=(WIDTH_PX / _DPI, HEIGHT_PX / _DPI), dpi=_DPI)
    FigureCanvasAgg(figure)
    paid_axes: Axes = figure.add_subplot()
    months = list(range(1, len(chart.instalments) + 1))
    remaining = sum(chart.instalments)
    left = [remaining]  # what is owed at the start (month 0), then after each instalment
    for amount in chart.instalments:
        remaining -= amount
        left.append(remaining)

    colours = [_PAID] * (len(months) - 1) + [_LAST]
    bars = paid_axes.bar(months, chart.instalments, color=colours, width=0.7, label=chart.paid, zorder=2)
    left_axes: Axes = paid_axes.twinx()
    (line,) = left_axes.plot(
        [0, *months], left, color=_LEFT, marker="o" if len(months) <= 36 else "", markersize=3, linewidth=2,
        label=chart.left, zorder=3,
    )  # fmt: skip
    # Bars in the lower part, the balance line starting at the top: the line clears the first bar's label.
    left_axes.set_ylim(0, left[0] * 1.05)
    paid_axes.set_ylim(0, max(chart.instalments) * 1.6)

    thousands = FuncFormatter(lambda value, _position: f"{value:,.0f}")
    for axes, label, colour in ((paid_axes, chart.paid_axis, _PAID), (left_axes, chart.left_axis, _LEFT)):
        axes.yaxis.set_major_formatter(thousands)
        axes.set_ylabel(label, fontproperties=label_font, color=colour)
        axes.tick_params(axis="y", colors=colour, labelsize=9)
        axes.spines["top"].set_visible(False)
    paid_axes.set_xlabel(chart.month_axis, fontproperties=label_font)
    if len(months) <= 12:
        paid_axes.set_xticks(range(len(months) + 1))
    else:
        paid_axes.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=13))
    paid_axes.tick_params(axis="x", labelsize=9)
    paid_axes.set_xlim(-0.5, len(months) + 0.7)
    paid_axes.grid(axis="y", color="#dddddd", linewidth=0.8, zorder=0)

    # The two amounts a reader looks for, the regular instalment and the last one, where the bars leave room.
    for index in {0, len(months) - 1} if len(months) <= _LABELLED_BARS else ():
        bar = bars[index]
        paid_axes.annotate(
            f"{chart.instalments[index]:,}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=9,
        )  # fmt: skip
    # Above the plot, under the title: never over a bar or the line.
    paid_axes.legend(
        handles=[bars, line], labels=[chart.paid, chart.left], loc="lower center", bbox_to_anchor=(0.5, 1.0),
        ncol=2, prop=font, frameon=False,
    )  # fmt: skip
    paid_axes.set_title(chart.title, fontproperties=title_font, pad=34)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=_DPI, metadata={"Software": None})
    return out.getvalue()
