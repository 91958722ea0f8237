"""Enrollment figures: patients by dose group and subtype, enrollment over time, patient flow."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from trialdash.figures.base import dose_tick, empty, legend_on_top, style, x_axis_margin_px
from trialdash.style import dose_colour_map, subtype_colour_map
from trialdash.units import DAYS_PER_MONTH


def enrollment_by_dose(counts: pd.DataFrame, dose_groups: list[str], font_size: int = 14
                       ) -> go.Figure:
    """Stacked bars: infused patients per dose group (x, dose order), stacked by subtype.

    ``counts`` has columns dose_group, subtype, n (from ``enrollment_by_dose_subtype``).
    """
    title = "Infused patients by dose group and subtype"
    if counts.empty:
        return empty(title, "No infused patients under the current filters", font_size)
    colours = subtype_colour_map(list(counts["subtype"].unique()))
    fig = go.Figure()
    for subtype, colour in colours.items():
        part = counts[counts["subtype"] == subtype]
        fig.add_bar(x=part["dose_group"], y=part["n"], name=subtype, marker_color=colour,
                    text=part["n"], textposition="inside",
                    hovertemplate="%{x}<br>" + subtype + ": %{y} patients<extra></extra>")
    totals = counts.groupby("dose_group")["n"].sum()
    fig.add_scatter(x=list(totals.index), y=list(totals.values), mode="text",
                    text=[f"n={v}" for v in totals.values], textposition="top center",
                    showlegend=False, hoverinfo="skip", textfont={"size": font_size})
    fig.update_layout(barmode="stack")
    ticks = [dose_tick(g) for g in dose_groups]
    fig.update_xaxes(categoryorder="array", categoryarray=dose_groups, tickangle=0,
                     tickvals=dose_groups, ticktext=ticks)
    fig.update_yaxes(rangemode="tozero", range=[0, totals.max() * 1.2], dtick=1 if
                     totals.max() <= 12 else None)
    style(fig, title, "Dose group (CAR-T cells/kg)", "Patients (n)", font_size,
          legend_title="Subtype", height=440)
    tick_lines = max(tick.count("<br>") + 1 for tick in ticks)
    fig.update_layout(margin_b=x_axis_margin_px(font_size, tick_lines))
    return legend_on_top(fig, font_size)


#: Above this many enrolled patients the cumulative-enrollment markers are WebGL points.
WEBGL_MARKERS_ABOVE = 500


def cumulative_enrollment(enrolled: pd.DataFrame, dose_groups: list[str], font_size: int = 14,
                          labels: dict[str, str] | None = None, calendar: bool = True
                          ) -> go.Figure:
    """Step line of cumulative enrollment over time, points coloured by dose group.

    ``enrolled`` has columns USUBJID, date, dose_group, COHORT, infused, cumulative.
    Open markers are patients enrolled but not infused. ``calendar=False`` (presentation
    mode) plots months since the first consent instead of calendar dates.
    """
    title = "Cumulative enrollment by dose cohort"
    if enrolled.empty:
        return empty(title, "No enrolled patients under the current filters", font_size)
    labels = labels or {}
    if not calendar:
        months = (enrolled["date"] - enrolled["date"].min()).dt.days / DAYS_PER_MONTH
        enrolled = enrolled.assign(date=months.round(1))
    colours = dose_colour_map(dose_groups)
    many = len(enrolled) > WEBGL_MARKERS_ABOVE
    # Markers of thousands of patients as WebGL points (SVG takes seconds to draw them).
    points = go.Scattergl if many else go.Scatter
    fig = go.Figure()
    # The step line needs one point per date: the count reached that day.
    steps = enrolled.groupby("date", sort=True)["cumulative"].max()
    fig.add_scatter(x=steps.index, y=steps.to_numpy(), mode="lines",
                    line={"shape": "hv", "color": "#888", "width": 2}, showlegend=False,
                    hoverinfo="skip")
    shown = enrolled["USUBJID"].map(labels).fillna(enrolled["USUBJID"]).to_numpy(str)
    cohort = enrolled["COHORT"].fillna("").to_numpy(str)
    when = "%{x|%d %b %Y}" if calendar else "month %{x}"
    is_infused = (enrolled["infused"] == "Y").to_numpy()
    for group in dose_groups:
        in_group = (enrolled["dose_group"] == group).to_numpy()
        # Infused patients filled, the others open (drawn first, under the filled markers), in
        # one legend group whose entry is the filled trace when there is one: a scalar symbol
        # per trace, as a symbol per point is validated point by point (half a second at
        # thousands of patients).
        has_infused = bool((in_group & is_infused).any())
        for infused, symbol, status in ((False, "circle-open", "not infused"),
                                        (True, "circle", "infused")):
            rows = np.flatnonzero(in_group & (is_infused == infused))
            if not len(rows):
                continue
            fig.add_trace(points(
                x=enrolled["date"].iloc[rows], y=enrolled["cumulative"].to_numpy()[rows],
                mode="markers", name=group, legendgroup=group,
                showlegend=infused or not has_infused,
                marker={"color": colours[group], "size": 7 if many else 12, "symbol": symbol,
                        "line": {"width": 2, "color": colours[group]}},
                text=shown[rows], customdata=cohort[rows],
                hovertemplate=f"%{{text}} · {when}<br>{group} %{{customdata}} ({status})"
                              "<br>enrolled #%{y}<extra></extra>",
            ))
    if calendar:
        fig.update_xaxes(tickformat="%b<br>%Y", tickangle=0, nticks=6)
    x_title = "Date of consent" if calendar else "Months since first consent"
    style(fig, title, x_title, "Patients enrolled (cumulative n)", font_size,
          legend_title="Open = not infused", height=440)
    # Legend groups spaced as single traces; calendar ticks are month over year.
    fig.update_layout(legend_tracegroupgap=0,
                      margin_b=x_axis_margin_px(font_size, tick_lines=2 if calendar else 1))
    return legend_on_top(fig, font_size)


def patient_flow(flow: pd.DataFrame, dose_groups: list[str], font_size: int = 14) -> go.Figure:
    """Horizontal grouped bars: patients at each step from enrolled to efficacy-evaluable.

    ``flow`` has one row per step and one column per dose group (plus Overall).
    """
    title = "Patient flow: enrolled to efficacy-evaluable"
    groups = [g for g in dose_groups if g in flow.columns]
    if flow.empty or not groups:
        return empty(title, "No enrolled patients under the current filters", font_size)
    colours = dose_colour_map(dose_groups)
    steps = list(flow["step"])
    fig = go.Figure()
    for group in groups:
        fig.add_bar(y=steps, x=flow[group], name=group, orientation="h",
                    marker_color=colours[group], text=flow[group], textposition="outside",
                    hovertemplate="%{y}: %{x} patients<extra>" + group + "</extra>")
    fig.update_layout(barmode="group")
    fig.update_yaxes(categoryorder="array", categoryarray=steps[::-1])
    style(fig, title, "Patients (n)", None, font_size, legend_title="Dose group", height=460)
    fig.update_xaxes(dtick=1 if flow[groups].to_numpy().max() <= 12 else None)
    return legend_on_top(fig, font_size)
