"""Shared look of every figure: readable on a projector at 1280x720."""

from __future__ import annotations

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


def legend_on_top(fig: go.Figure, font_size: int = 14) -> go.Figure:
    """Put the legend in one row between the title and the plot, so narrow charts keep their
    width for data (a side legend takes a third of a half-width chart)."""
    fig.update_layout(
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom",
                "title": {"side": "top"}},
        margin={"t": 110 + (font_size - 14) * 4},
        title={"y": 0.98, "yanchor": "top"},
    )
    return fig


def dose_tick(label: str) -> str:
    """A dose-group label broken before its unit so axis ticks need no rotation."""
    return label.replace(" x10^6", "<br>x10<sup>6</sup>").replace(" cells/kg", " cells/kg")
