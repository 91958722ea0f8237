"""Figure additions for data cuts: the previous cut-off on the swimmer plot."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from trialdash.units import DAYS_PER_MONTH

PREVIOUS_CUT_COLOUR = "#555555"


def mark_previous_cutoff(fig: go.Figure, lanes: pd.DataFrame, days: pd.Series,
                         cutoff: date, labels: dict[str, str] | None = None,
                         unit: str = "days", font_size: int = 14) -> go.Figure:
    """Add the previous cut-off to a swimmer plot: a vertical tick in each lane.

    Each patient's lane counts days since their own infusion, so one calendar date falls on a
    different x in each lane; the tick sits at ``days[USUBJID]``. Patients infused after the
    previous cut-off get none, nor do lanes that ended before it (death, end of study): their
    follow-up was already complete then. Ticks carry ``customdata`` = the patient's label like
    every swimmer mark (the pseudonym in presentation mode: what reaches the browser counts as
    shown).
    """
    shown = lanes[lanes["USUBJID"].isin(days.index)]
    shown = shown[shown["USUBJID"].map(days) <= shown["end_day"]]
    if shown.empty:
        return fig
    factor = DAYS_PER_MONTH if unit == "months" else 1.0
    ids = list(shown["USUBJID"])
    shown_labels = [(labels or {}).get(u, u) for u in ids]
    fig.add_scatter(
        x=[days[u] / factor for u in ids], y=shown_labels,
        mode="markers", name=f"Previous cut-off ({cutoff})", customdata=shown_labels,
        marker={"symbol": "line-ns", "size": 2 * font_size,
                "line": {"width": 3, "color": PREVIOUS_CUT_COLOUR}},
        hovertemplate="%{y}: previous cut-off " + str(cutoff) + " (day %{x:.0f})<extra></extra>"
        if unit == "days" else
        "%{y}: previous cut-off " + str(cutoff) + " (month %{x:.1f})<extra></extra>",
    )
    return fig
