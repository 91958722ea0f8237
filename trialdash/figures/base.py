"""Shared look of every figure: readable on a projector at 1280x720."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import plotly.graph_objects as go

FONT_FAMILY = "Arial, Helvetica, sans-serif"
GRID = "#d9d9d9"


def style(
    fig: go.Figure,
    title: str,
    x_title: str | None = None,
    y_title: str | None = None,
    font_size: int = 14,
    legend_title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Apply the dashboard's title, fonts, axes and legend to ``fig`` (in place) and return it."""
    fig.update_layout(
        template="plotly_white",
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": font_size + 4}},
        font={"family": FONT_FAMILY, "size": font_size, "color": "#1a1a1a"},
        legend={"title": {"text": legend_title} if legend_title else None,
                "font": {"size": font_size}},
        margin={"l": 70, "r": 30, "t": 70 + (font_size - 14) * 2, "b": 60},
        hoverlabel={"font": {"size": font_size}},
    )
    if height:
        fig.update_layout(height=height)
    fig.update_xaxes(title={"text": x_title}, showline=True, linecolor="#444", gridcolor=GRID,
                     tickfont={"size": font_size}, title_font={"size": font_size + 1})
    fig.update_yaxes(title={"text": y_title}, showline=True, linecolor="#444", gridcolor=GRID,
                     tickfont={"size": font_size}, title_font={"size": font_size + 1})
    return fig


def empty(title: str, message: str, font_size: int = 14) -> go.Figure:
    """A titled placeholder figure saying why there is nothing to plot."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font={"size": font_size + 2, "color": "#555"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, title, font_size=font_size, height=300)


#: Width a half-width chart's legend has at 1280 px with the sidebar open (the chart is
#: about 400 px, less its 70 + 30 px side margins), for legend estimates.
HALF_WIDTH_PX = 300


def legend_lines(names: list[str], font_size: int, width_px: float) -> int:
    """Lines a horizontal legend needs for ``names``. A legend that wraps sets its entries in
    columns as wide as the widest entry (as Plotly draws it), an entry being about 0.55 em
    per character plus 40 px for its symbol and gap."""
    if not names:
        return 0
    widest = max(len(name) for name in names) * font_size * 0.55 + 40
    per_line = max(1, int(width_px // widest))
    return -(-len(names) // per_line)


def legend_on_top(fig: go.Figure, font_size: int = 14,
                  width_px: float = HALF_WIDTH_PX) -> go.Figure:
    """Put the legend between the title and the plot, so narrow charts keep their width for
    data (a side legend takes a third of a half-width chart).

    The title is pinned to the top of the figure and the top margin holds the title, the
    legend title (own line) and as many legend lines as the entries need in ``width_px``,
    so neither touches the other.
    """
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    has_title = bool(fig.layout.legend.title.text)
    line_px = font_size * 1.5
    title_px = 12 + (font_size + 4) * 1.5
    lines = legend_lines(names, font_size, width_px) + (1 if has_title else 0)
    fig.update_layout(
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom",
                "title": {"side": "top"}},
        margin={"t": int(title_px + lines * line_px + font_size)},
        title={"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 12}},
    )
    return fig


def dose_tick(label: str) -> str:
    """A dose-group label broken before its unit so axis ticks need no rotation."""
    return label.replace(" x10^6", "<br>x10<sup>6</sup>").replace(" cells/kg", " cells/kg")


# Character widths in em, Arial's (and its metric twin Liberation Sans's) rounded up: narrow
# letters and punctuation, wide letters, other capitals, and the rest (lower case, digits).
_NARROW_CHARS = frozenset("iljtfrI.,:;'|!()[]/- ")
_WIDE_CHARS = frozenset("mwMW@%")
_EM_NARROW, _EM_WIDE, _EM_CAPITAL, _EM_OTHER = 0.33, 0.95, 0.78, 0.58
_BOLD = 1.1  # Arial Bold is up to a tenth wider
#: Tick length and the gap between a tick label and its axis, px.
TICK_GAP_PX = 16


def text_width_px(text: str, font_size: float, bold: bool = False) -> float:
    """Width of one line of text in the figures' font, estimated on the generous side."""
    em = sum(_EM_NARROW if c in _NARROW_CHARS else _EM_WIDE if c in _WIDE_CHARS
             else _EM_CAPITAL if c.isupper() else _EM_OTHER for c in text)
    return em * font_size * (_BOLD if bold else 1.0)


def label_margin_px(labels: Iterable[str], font_size: float, minimum: int = 70) -> int:
    """A left margin that holds the widest of ``labels`` (tick labels; ``<br>`` breaks lines,
    ``<b>`` is bold) beside its axis, and at least ``minimum`` (the house margin).

    Used instead of Plotly's ``automargin``, which measures the drawn labels and then draws
    the whole figure again: about 0.08 s of the browser's time for the patient timeline."""
    widest = 0.0
    for label in labels:
        bold = "<b>" in label
        for line in re.split(r"<br\s*/?>", label):
            widest = max(widest, text_width_px(re.sub(r"<[^>]+>", "", line), font_size, bold))
    return max(minimum, math.ceil(widest) + TICK_GAP_PX)


def x_axis_margin_px(font_size: float, tick_lines: int = 1) -> int:
    """A bottom margin that holds ``tick_lines`` lines of x tick labels and the x-axis title
    below them: what Plotly's automargin would widen the house margin to, so that it need not
    (widening a margin draws the figure again)."""
    return math.ceil((tick_lines + 1) * font_size * 1.3 + 26)
