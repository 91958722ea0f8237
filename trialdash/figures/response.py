"""Response figures: ORR/CR forest chart, swimmer plot, best-response bars.

Inputs are the frames of :mod:`trialdash.analysis.response` and
:mod:`trialdash.analysis.swimmer`; every patient label goes through ``labels`` (USUBJID ->
shown label), so presentation mode shows pseudonyms in ticks and hover text alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from trialdash.figures.base import empty, style
from trialdash.style import RESPONSE_COLOURS, rgba
from trialdash.units import DAYS_PER_MONTH

ORR_COLOUR = "#1a1a1a"
CR_COLOUR = RESPONSE_COLOURS["CR"]
RESPONSE_LINE_COLOUR = "#2b2b2b"
GROUP_TITLES = {"dose_group": "Dose group (CAR-T cells/kg)", "subtype": "Disease subtype"}
UNIT_TITLES = {"days": "Days since infusion", "months": "Months since infusion"}
#: Marker of each swimmer event kind: symbol, fill colour, outline colour.
EVENT_MARKERS: dict[str, tuple[str, str, str]] = {
    "CR": ("star", RESPONSE_COLOURS["CR"], "#0b3d1c"),
    "CRi": ("hexagram", RESPONSE_COLOURS["CRi"], "#0b3d1c"),
    "PR": ("triangle-up", RESPONSE_COLOURS["PR"], "#33501a"),
    "Progression/relapse": ("x", "#d7191c", "#ffffff"),
    "allo-HSCT": ("diamond", "#7b3294", "#ffffff"),
    "Death": ("square", "#000000", "#ffffff"),
}
EVENT_NAMES = {"CR": "CR (onset)", "CRi": "CRi (onset)", "PR": "PR (onset)"}
#: Events drawn a little below the lane's centre line (on an overlaid copy of the lane axis),
#: so that a response-onset marker and a nearby transplant or relapse marker do not cover
#: each other; the shift is a fraction of a lane.
LOWER_EVENTS = frozenset({"Progression/relapse", "allo-HSCT", "Death"})
EVENT_LANE_SHIFT = 0.3
ONGOING = "Response ongoing"
RESPONSE_NAME = "Response duration"
MISSING_COLOUR = "#888888"
UNKNOWN = "Unknown"


def _factor(unit: str) -> float:
    if unit not in UNIT_TITLES:
        raise ValueError(f"unit must be one of {list(UNIT_TITLES)}, got {unit!r}")
    return DAYS_PER_MONTH if unit == "months" else 1.0


def _days_text(days: float) -> str:
    return f"day {days:.0f} ({days / DAYS_PER_MONTH:.1f} months)"


# --- ORR forest --------------------------------------------------------------------------


def _pct(values: pd.Series) -> np.ndarray:
    return 100 * pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


#: Columns of ``orr_table`` holding each rate: estimate, lower, upper, display text.
_RATE_COLUMNS = {"ORR": ("orr", "orr_lower", "orr_upper", "orr_display"),
                 "CR rate": ("cr_rate", "cr_lower", "cr_upper", "cr_display")}


def _rate_trace(fig: go.Figure, rows: pd.DataFrame, y: np.ndarray, name: str, colour: str,
                symbol: str, size: int) -> None:
    estimate, low, high, text = _RATE_COLUMNS[name]
    est, lower, upper = _pct(rows[estimate]), _pct(rows[low]), _pct(rows[high])
    display = rows[text]
    fig.add_scatter(
        x=est, y=y, mode="markers", name=name,
        marker={"color": colour, "symbol": symbol, "size": size,
                "line": {"color": colour, "width": 2}},
        error_x={"type": "data", "symmetric": False, "array": upper - est,
                 "arrayminus": est - lower, "color": colour, "thickness": 2, "width": 6},
        customdata=np.column_stack([rows["group"], display]),
        hovertemplate="%{customdata[0]}<br>" + name + ": %{customdata[1]}<extra></extra>",
    )


def orr_forest(orr_rows: pd.DataFrame, font_size: int = 14, by: str | None = "dose_group",
               definition: str | None = None) -> go.Figure:
    """ORR and CR rate per group with exact 95% CIs (percent), groups top to bottom as given.

    ``orr_rows`` is :func:`trialdash.analysis.response.orr_table` output grouped ``by``
    ('dose_group', 'subtype' or None); the Overall row last is set off by a dashed line.
    Tick labels carry the counts: "group / ORR n/N · CR n/N".
    ``definition`` (e.g. ``response.ORR_DEFINITION``) goes under the title.
    """
    title = "Objective response rate and CR rate (exact 95% CI)"
    if orr_rows.empty:
        return empty(title, "No evaluable patients under the current filters", font_size)
    rows = orr_rows.reset_index(drop=True)
    position = -np.arange(len(rows), dtype=float)
    ticks = [f"<b>{g}</b><br>ORR {k}/{n} · CR {c}/{n}" for g, k, c, n in
             zip(rows["group"], rows["responders"], rows["cr"], rows["n"], strict=True)]
    fig = go.Figure()
    size = font_size - 2
    _rate_trace(fig, rows, position + 0.15, "ORR", ORR_COLOUR, "circle", size)
    _rate_trace(fig, rows, position - 0.15, "CR rate", CR_COLOUR, "diamond", size)
    if len(rows) > 1 and rows["group"].iloc[-1] == "Overall":
        fig.add_hline(y=position[-1] + 0.5, line={"color": "#888", "dash": "dash", "width": 1})
    fig.update_yaxes(tickvals=position, ticktext=ticks, range=[position[-1] - 0.6, 0.6],
                     showgrid=False, zeroline=False)
    fig.update_xaxes(range=[-2, 102], dtick=20, zeroline=False)
    full_title = title if not definition else f"{title}<br><sup>{definition}</sup>"
    style(fig, full_title, "Patients with response, % (exact 95% CI)", GROUP_TITLES.get(by),
          font_size, height=max(340, 140 + len(rows) * (30 + 3 * font_size)))
    fig.update_layout(margin={"t": 110 + (font_size - 14) * 5},
                      legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0,
                              "yanchor": "bottom"})
    return fig


# --- swimmer -----------------------------------------------------------------------------


def _lane_hover(lanes: pd.DataFrame, label: dict[str, str]) -> list[str]:
    texts = []
    for lane in lanes.itertuples(index=False):
        ongoing = " (response ongoing)" if lane.ongoing_response else ""
        texts.append(
            f"<b>{label[lane.USUBJID]}</b><br>Dose: {lane.dose_group}<br>"
            f"Subtype: {UNKNOWN if pd.isna(lane.subtype) else lane.subtype}<br>"
            f"Best response: {lane.bor}{ongoing}<br>"
            f"Last contact: {_days_text(lane.end_day)}<br>Status: {lane.status}")
    return texts


def _lane_bars(fig: go.Figure, lanes: pd.DataFrame, y: list[str], hover: list[str],
               colour_by: str, colours: dict[str, str], factor: float,
               label: dict[str, str]) -> None:
    values = lanes[colour_by].fillna(UNKNOWN)
    groups = [g for g in colours if (values == g).any()]
    others = sorted(set(values) - set(groups))
    for group in [*groups, *others]:
        mask = (values == group).to_numpy()
        part = lanes[mask]
        fig.add_bar(
            x=part["end_day"] / factor, y=[y[i] for i in np.flatnonzero(mask)], base=0,
            orientation="h", name=str(group), width=0.62,
            marker={"color": rgba(colours.get(group, MISSING_COLOUR), 0.55),
                    "line": {"color": colours.get(group, MISSING_COLOUR), "width": 1}},
            customdata=part["USUBJID"].map(label).to_numpy(),
            hovertext=[hover[i] for i in np.flatnonzero(mask)],
            hovertemplate="%{hovertext}<extra></extra>",
        )


def _response_lines(fig: go.Figure, lanes: pd.DataFrame, y: list[str],
                    label: dict[str, str], factor: float, width: float) -> None:
    """The first response episode of each lane as a thick line (segments split by gaps)."""
    part = lanes[lanes["response_start"].notna()]
    if part.empty:
        return
    y_of = dict(zip(lanes["USUBJID"], y, strict=True))
    xs, ys, ids, hover = [], [], [], []
    for u, start, end, days, ongoing in part[["USUBJID", "response_start", "response_end",
                                              "response_days", "ongoing_response"]].itertuples(
            index=False):
        text = (f"<b>{label[u]}</b>: response from day {start:.0f} to day {end:.0f} "
                f"({days:.0f} days{', ongoing' if ongoing else ''})")
        xs += [start / factor, end / factor, None]
        ys += [y_of[u], y_of[u], None]
        ids += [label[u], label[u], None]
        hover += [text, text, None]
    fig.add_scatter(
        x=xs, y=ys, mode="lines", name=RESPONSE_NAME,
        line={"color": RESPONSE_LINE_COLOUR, "width": width}, customdata=ids,
        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
    )


def _event_markers(fig: go.Figure, events: pd.DataFrame, y_of: dict[str, str],
                   label: dict[str, str], factor: float, size: int,
                   relapse_cd7: dict[str, str] | None = None) -> None:
    events = events[events["USUBJID"].isin(y_of.keys())]
    relapse_cd7 = relapse_cd7 or {}
    for kind, (symbol, fill, outline) in EVENT_MARKERS.items():
        part = events[events["kind"] == kind]
        if part.empty:
            continue
        name = EVENT_NAMES.get(kind, kind)
        fig.add_scatter(
            x=part["day"] / factor, y=part["USUBJID"].map(y_of), mode="markers", name=name,
            yaxis="y2" if kind in LOWER_EVENTS else "y",
            marker={"symbol": symbol, "color": fill, "size": size,
                    "line": {"color": outline, "width": 1.5}},
            customdata=part["USUBJID"].map(label).to_numpy(),
            hovertext=[f"<b>{label[u]}</b>: {name}{_cd7_note(kind, relapse_cd7.get(u))}, "
                       f"{_days_text(d)}"
                       for u, d in zip(part["USUBJID"], part["day"], strict=True)],
            hovertemplate="%{hovertext}<extra></extra>",
            )


def _cd7_note(kind: str, status: str | None) -> str:
    """' (CD7-negative)' on a relapse whose CD7 status is known, else ''."""
    if kind != "Progression/relapse" or not status:
        return ""
    return f" (CD7-{str(status).strip().lower()})"


def _ongoing_markers(fig: go.Figure, lanes: pd.DataFrame, y: list[str], label: dict[str, str],
                     factor: float, size: int) -> None:
    mask = lanes["ongoing_response"].to_numpy(dtype=bool)
    if not mask.any():
        return
    part = lanes[mask]
    offset = 0.012 * lanes["end_day"].max() / factor
    fig.add_scatter(
        x=part["end_day"] / factor + offset, y=[y[i] for i in np.flatnonzero(mask)],
        mode="markers", name=ONGOING,
        marker={"symbol": "triangle-right", "color": "#000000", "size": size},
        customdata=part["USUBJID"].map(label).to_numpy(),
        hovertext=[f"<b>{label[u]}</b>: response ongoing at last contact, {_days_text(d)}"
                   for u, d in zip(part["USUBJID"], part["end_day"], strict=True)],
        hovertemplate="%{hovertext}<extra></extra>",
    )


def swimmer(lanes: pd.DataFrame, events: pd.DataFrame, colour_by: str = "dose_group",
            colours: dict[str, str] | None = None, labels: dict[str, str] | None = None,
            unit: str = "days", font_size: int = 14,
            relapse_cd7: dict[str, str] | None = None,
            shown_note: str | None = None) -> go.Figure:
    """Swimmer plot: one horizontal lane per patient from infusion (0) to last contact.

    Parameters
    ----------
    lanes, events : DataFrame
        :func:`trialdash.analysis.swimmer.swimmer_lanes` output; lanes are drawn top to bottom
        in the given order.
    colour_by : 'dose_group' or 'subtype'
        Lane colour; ``colours`` maps each value to its fixed colour (``style.dose_colour_map``
        over all dose groups in dose order, or ``style.subtype_colour_map``), in legend order.
    labels : dict
        USUBJID -> label shown on the y axis and in hover text.
    unit : 'days' or 'months'
        x axis unit (months = days / 30.4375).
    relapse_cd7 : dict, optional
        USUBJID -> CD7 status of the relapse ('NEGATIVE'/'POSITIVE', ADSL RELCD7); the
        progression marker's hover then says "(CD7-negative)".
    shown_note : str, optional
        Under the title, e.g. "50 of 1,400 patients shown (1–50)" when ``lanes`` is one page
        of a larger cohort (:mod:`trialdash.analysis.paging`).

    Notes
    -----
    Every lane bar, response bar and marker carries ``customdata`` = the patient's label
    (the pseudonym in presentation mode: whatever reaches the browser counts as shown), so
    :func:`selected_patient` maps a selected point back to its patient. The thick dark line
    inside a lane is the first response episode; markers show response onset (CR star, CRi
    hexagram, PR triangle), progression or relapse (red X), allo-HSCT (purple diamond), death
    (black square), and a black arrow at the lane end when the response is ongoing.
    Progression, transplant and death sit :data:`EVENT_LANE_SHIFT` of a lane below the centre
    line (an overlaid axis), so they do not hide a response-onset marker on the same days.
    """
    title = "Swimmer plot: time on study, response and key events"
    if colour_by not in ("dose_group", "subtype"):
        raise ValueError(f"colour_by must be 'dose_group' or 'subtype', got {colour_by!r}")
    factor = _factor(unit)
    if lanes.empty:
        return empty(title, "No infused patients under the current filters", font_size)
    label = {u: (labels or {}).get(u, u) for u in lanes["USUBJID"]}
    y = [label[u] for u in lanes["USUBJID"]]
    y_of = dict(zip(lanes["USUBJID"], y, strict=True))
    size = font_size - 1
    fig = go.Figure()
    _lane_bars(fig, lanes, y, _lane_hover(lanes, label), colour_by, colours or {}, factor,
               label)
    _response_lines(fig, lanes, y, label, factor, width=max(4, font_size // 3))
    _event_markers(fig, events, y_of, label, factor, size, relapse_cd7)
    _ongoing_markers(fig, lanes, y, label, factor, size)
    fig.update_layout(barmode="overlay", hovermode="closest", clickmode="event+select")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=y[::-1],
                     showgrid=False, range=[-0.5, len(y) - 0.5])
    fig.update_layout(yaxis2={
        "overlaying": "y", "type": "category", "categoryorder": "array",
        "categoryarray": y[::-1], "visible": False, "fixedrange": True,
        "range": [-0.5 + EVENT_LANE_SHIFT, len(y) - 0.5 + EVENT_LANE_SHIFT]})
    fig.update_xaxes(range=[0, 1.05 * lanes["end_day"].max() / factor], rangemode="tozero")
    plot_height = max(240, len(lanes) * (16 + 2 * font_size))
    legend_rows = 5 if font_size >= 18 else 4
    legend_height = legend_rows * (font_size + 10)
    style(fig, title if not shown_note else f"{title}<br><sup>{shown_note}</sup>",
          UNIT_TITLES[unit], "Patient", font_size, height=plot_height + 140 + legend_height)
    # Legend in rows under the x axis title, so that the lanes get the page's full width.
    fig.update_layout(
        legend={"orientation": "h", "x": 0, "xanchor": "left", "yanchor": "top",
                "y": -(45 + 2 * font_size) / plot_height, "traceorder": "normal",
                "entrywidth": 11 * font_size + 30, "entrywidthmode": "pixels"},
        margin={"b": 60 + legend_height, "t": 70 + (font_size - 14) * 2
                + (25 + font_size if shown_note else 0)},
    )
    return fig


# --- best response bars ------------------------------------------------------------------


def bor_by_group_bar(counts: pd.DataFrame, by: str = "dose_group", font_size: int = 14,
                     group_order: Sequence[str] | None = None) -> go.Figure:
    """Stacked bars: evaluable patients per group by best overall response (BOR).

    ``counts`` is :func:`trialdash.analysis.response.bor_counts` output (group, BOR, n) grouped
    ``by`` 'dose_group' or 'subtype'; ``group_order`` fixes the x order (default: as given);
    categories stack CR at the bottom to NE at the top, coloured by ``style.RESPONSE_COLOURS``.
    """
    title = "Best overall response by " + ("dose group" if by == "dose_group" else "subtype")
    if counts.empty or counts["n"].sum() == 0:
        return empty(title, "No evaluable patients under the current filters", font_size)
    order = list(group_order or dict.fromkeys(counts["group"]))
    fig = go.Figure()
    for category, colour in RESPONSE_COLOURS.items():
        part = counts[counts["BOR"] == category]
        if part["n"].sum() == 0:
            continue
        fig.add_bar(x=part["group"], y=part["n"], name=category, marker_color=colour,
                    text=part["n"].where(part["n"] > 0, None), textposition="inside",
                    hovertemplate="%{x}<br>" + category + ": %{y} patients<extra></extra>")
    totals = counts.groupby("group", sort=False)["n"].sum()
    fig.add_scatter(x=list(totals.index), y=list(totals.values), mode="text",
                    text=[f"N={v}" for v in totals.values], textposition="top center",
                    showlegend=False, hoverinfo="skip", textfont={"size": font_size})
    fig.update_layout(barmode="stack", uniformtext={"minsize": font_size - 2, "mode": "show"})
    fig.update_xaxes(categoryorder="array", categoryarray=order)
    fig.update_yaxes(range=[0, max(1, totals.max()) * 1.2],
                     dtick=1 if totals.max() <= 12 else None)
    return style(fig, title, GROUP_TITLES.get(by), "Evaluable patients (n)", font_size,
                 legend_title="Best overall response", height=420 + 15 * (font_size - 14))


# --- selection ---------------------------------------------------------------------------


def selected_patient(points: Sequence[dict], labels: dict[str, str] | None = None) -> str | None:
    """USUBJID of the first selected swimmer point, or None.

    Every swimmer trace carries ``customdata`` = the patient's label; it (or a USUBJID
    among ``labels``' keys), else the point's y label, is mapped back through ``labels``
    (USUBJID -> label). The selection comes from the browser, so anything naming no
    patient in ``labels`` is ignored.
    """
    labels = labels or {}
    by_label = {v: k for k, v in labels.items()}
    for point in points:
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)):
            custom = custom[0] if custom else None
        if isinstance(custom, str) and custom in by_label:
            return by_label[custom]
        if isinstance(custom, str) and custom in labels:
            return custom
        y = point.get("y")
        if y is not None and str(y) in by_label:
            return by_label[str(y)]
    return None
