"""Kaplan-Meier figure with its number-at-risk table, in one Plotly figure.

The curves (top) and the numbers at risk (bottom) share one x-axis: the table's columns sit
exactly under the axis ticks, which are at round intervals (every 30/60/90/180 days or
1/2/3/6 months, from :func:`trialdash.analysis.endpoints.axis_ticks`). Numbers at risk at a
tick are the patients whose time is >= the tick (``survival.at_risk_table``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from trialdash.analysis.endpoints import SurvivalAnalysis, axis_ticks, p_text
from trialdash.analysis.survival import KMResult, at_risk_table
from trialdash.figures.base import empty, style
from trialdash.style import dose_colour_map, rgba, subtype_colour_map
from trialdash.units import DAYS_PER_MONTH

OVERALL_COLOUR = "#222222"
#: The censor mark drawn on the curves, as captions should name it.
CENSOR_MARK = "|"
CENSOR_NOTE = f"{CENSOR_MARK} = censored (×n: n patients censored at the same time)"
UNITS = {"days": ("Days", "Day"), "months": ("Months", "Month")}
#: Width a legend can use at 1280 px with the sidebar open (main column about 820 px, less
#: the 30 px right margin), for layout estimates.
FIGURE_WIDTH_PX = 790


def group_colours(analysis: SurvivalAnalysis, dose_groups: list[str],
                  subtypes: list[str]) -> dict[str, str]:
    """Colour of each stratum: fixed dose-group or subtype colours, else a default palette.

    ``dose_groups`` must be every dose group of the trial in dose order (so a group keeps its
    colour whatever the filter); ``subtypes`` every subtype of the trial.
    """
    labels = [s.label for s in analysis.strata]
    if analysis.by is None:
        return {label: OVERALL_COLOUR for label in labels}
    if analysis.by == "dose_group":
        known = dose_colour_map(dose_groups)
    elif analysis.by == "subtype":
        known = subtype_colour_map(subtypes)
    else:
        known = {}
    # Other variables: the dose palette by position (Okabe-Ito, colour-blind safe).
    fallback = dose_colour_map(labels)
    return {label: known.get(label, fallback[label]) for label in labels}


def _legend_name(result: KMResult) -> str:
    events = f"{result.events} event" + ("s" if result.events != 1 else "")
    return f"{result.label} (n={result.n}, {events})"


def _pct(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else 100 * float(v) for v in values]


def _ci_band(fig: go.Figure, result: KMResult, factor: float, colour: str) -> None:
    """Step-shaped 95% band: lower line, then upper filled down to it (stops where S = 0)."""
    curve = result.curve
    undefined = curve["lower"].isna() | curve["upper"].isna()
    band = curve[~undefined]
    if undefined.any():  # carry the last band level to where S reaches 0, then stop
        end = band.iloc[[-1]].assign(time=curve.loc[undefined, "time"].iloc[0])
        band = pd.concat([band, end], ignore_index=True)
    x = band["time"] / factor
    common = {"mode": "lines", "line": {"shape": "hv", "width": 0}, "hoverinfo": "skip",
              "showlegend": False, "legendgroup": result.label}
    fig.add_scatter(x=x, y=100 * band["lower"], name=f"{result.label} lower", row=1, col=1,
                    **common)
    fig.add_scatter(x=x, y=100 * band["upper"], name=f"{result.label} 95% CI", row=1, col=1,
                    fill="tonexty", fillcolor=rgba(colour, 0.15), **common)


def _curve(fig: go.Figure, result: KMResult, factor: float, colour: str, time_word: str,
           x_format: str) -> None:
    curve = result.curve
    lower, upper = _pct(curve["lower"]), _pct(curve["upper"])
    ci = [f"{lo:.1f}–{hi:.1f}" if lo is not None and hi is not None else "not estimable"
          for lo, hi in zip(lower, upper, strict=True)]
    fig.add_scatter(
        x=curve["time"] / factor, y=100 * curve["survival"], mode="lines",
        line={"shape": "hv", "color": colour, "width": 3},
        name=_legend_name(result), legendgroup=result.label,
        customdata=np.column_stack([np.array(ci, dtype=object), curve["at_risk"].to_numpy(),
                                    curve["events"].to_numpy()]),
        hovertemplate=(f"<b>{result.label}</b><br>{time_word} %{{x:{x_format}}}: "
                       "%{y:.1f}% (95% CI %{customdata[0]})<br>At risk: %{customdata[1]}"
                       " · events here: %{customdata[2]}<extra></extra>"),
        row=1, col=1,
    )


#: Patients named in the hover of one censor tick; more are counted ("and 12 more"), as a
#: hover of hundreds of names would not fit the screen.
CENSOR_HOVER_NAMES = 10


def _names(labels: pd.Series) -> str:
    """Comma-separated labels, the first :data:`CENSOR_HOVER_NAMES`, then how many more."""
    shown = ", ".join(labels.iloc[:CENSOR_HOVER_NAMES])
    more = len(labels) - CENSOR_HOVER_NAMES
    return shown + (f" and {more} more" if more > 0 else "")


def _censor_marks(fig: go.Figure, analysis: SurvivalAnalysis, result: KMResult, factor: float,
                  colour: str, time_word: str, x_format: str, labels: dict[str, str],
                  font_size: int) -> None:
    """Vertical ticks on the curve at censoring times; hover names the censored patients."""
    patients = analysis.patients
    censored = patients[(patients["group"] == result.label) & (patients["event"] == 0)]
    if censored.empty:
        return
    shown = censored["USUBJID"].map(labels).fillna(censored["USUBJID"]).astype(str)
    by_time = censored.assign(_shown=shown).groupby("time_days", sort=True)
    counts = by_time.size()
    times = counts.index.to_numpy(dtype=float)
    who = by_time["_shown"].agg(_names).to_numpy(dtype=object)
    status = by_time["status"].agg(lambda s: ", ".join(sorted(set(s)))).to_numpy(dtype=object)
    # Several patients censored at one time share one tick: say how many beside it.
    fig.add_scatter(
        x=times / factor, y=np.array([100 * result.survival_at(t) for t in times]),
        mode="markers+text", showlegend=False, legendgroup=result.label,
        text=np.where(counts.to_numpy() > 1, "×" + counts.astype(str).to_numpy(), ""),
        textposition="top center",
        cliponaxis=False,  # a count at the last time may sit over the right margin
        textfont={"size": max(font_size - 2, 10), "color": colour},
        marker={"symbol": "line-ns-open", "size": font_size + 2, "color": colour,
                "line": {"width": 2, "color": colour}},
        customdata=np.column_stack([who, status]),
        hovertemplate=(f"<b>{result.label}</b><br>%{{customdata[1]}} at {time_word.lower()} "
                       f"%{{x:{x_format}}}: %{{customdata[0]}}<extra></extra>"),
        row=1, col=1,
    )


def _at_risk_rows(fig: go.Figure, strata: list[KMResult], ticks_days: list[float],
                  factor: float, colours: dict[str, str], font_size: int) -> None:
    table = at_risk_table(strata, ticks_days)
    for i, result in enumerate(strata):
        fig.add_scatter(
            x=[t / factor for t in ticks_days], y=[i] * len(ticks_days), mode="text",
            text=[str(v) for v in table.loc[result.label]], showlegend=False,
            textfont={"size": font_size, "color": colours[result.label]},
            hoverinfo="skip", row=2, col=1,
        )


def km_plot(
    analysis: SurvivalAnalysis,
    colours: dict[str, str] | None = None,
    unit: str = "days",
    show_ci: bool = False,
    font_size: int = 14,
    labels: dict[str, str] | None = None,
    show_logrank: bool = False,
) -> go.Figure:
    """Kaplan-Meier step curves per stratum with censor ticks, optional 95% bands, and the
    number-at-risk table under the shared x-axis. The log-rank p goes in the subtitle only
    with ``show_logrank`` (on request: tiny uncontrolled groups, see the page's caution).

    Parameters
    ----------
    analysis : SurvivalAnalysis
        From :func:`trialdash.analysis.endpoints.survival_analysis` (times in days).
    colours : dict, optional
        Stratum label -> colour (see :func:`group_colours`); default dark grey for all.
    unit : {'days', 'months'}
        Axis unit; months = days / 30.4375.
    show_ci : bool
        Shade the pointwise 95% confidence band (Greenwood, log(-log)) as a step band.
    font_size : int
        Base font size (20 in presentation mode).
    labels : dict, optional
        USUBJID -> label shown in hover text (pseudonyms in presentation mode).
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be 'days' or 'months', got {unit!r}")
    label = analysis.by_label  # lower case in a sentence, unless it holds an acronym (HSCT)
    by_words = label if any(c.isupper() for c in label[1:]) else label.lower()
    title = analysis.param + (f" by {by_words}" if analysis.by else "")
    title += " (Kaplan-Meier)"
    strata = [s for s in analysis.strata if s.n > 0]
    if not strata:
        return empty(title, f"No patients with {analysis.endpoint} data under the current "
                     "filters", font_size)
    labels = labels or {}
    colours = {s.label: (colours or {}).get(s.label, OVERALL_COLOUR) for s in strata}
    factor = DAYS_PER_MONTH if unit == "months" else 1.0
    axis_word, time_word = UNITS[unit]
    x_format = ".1f" if unit == "months" else ".0f"
    ticks_days = axis_ticks(analysis.max_time, unit)

    fig = make_subplots(rows=2, cols=1)
    for result in strata:
        colour = colours[result.label]
        if show_ci:
            _ci_band(fig, result, factor, colour)
        _curve(fig, result, factor, colour, time_word, x_format)
        _censor_marks(fig, analysis, result, factor, colour, time_word, x_format, labels,
                      font_size)
    if any(s.censored for s in strata):
        fig.add_scatter(x=[None], y=[None], mode="markers", name="Censored",
                        marker={"symbol": "line-ns-open", "size": font_size + 2,
                                "color": "#444", "line": {"width": 2, "color": "#444"}},
                        row=1, col=1)
    _at_risk_rows(fig, strata, ticks_days, factor, colours, font_size)

    x_title = f"{axis_word} since {analysis.origin}"
    y_title = "Survival probability (%)"
    style(fig, title, x_title, y_title, font_size, legend_title=None)
    _layout(fig, analysis, strata, colours, ticks_days, factor, font_size, show_logrank)
    return fig


def _legend_lines(names: list[str], font_size: int, width_px: int = 800) -> int:
    """How many lines a horizontal legend needs (greedy packing, approximate text widths)."""
    lines, used = 1, 0.0
    for name in names:
        item = len(name) * font_size * 0.55 + 50
        if used and used + item > width_px:
            lines, used = lines + 1, 0.0
        used += item
    return lines


def _layout(fig: go.Figure, analysis: SurvivalAnalysis, strata: list[KMResult],
            colours: dict[str, str], ticks_days: list[float], factor: float,
            font_size: int, show_logrank: bool = False) -> None:
    """Pixel-based sizes: title block, legend, curve panel, axis labels, one line per stratum."""
    k = len(strata)
    names = [_legend_name(s) for s in strata] + (["Censored"] if any(s.censored for s in strata)
                                                  else [])
    subtitle = None
    if analysis.logrank is not None and show_logrank:
        test = analysis.logrank
        subtitle = f"Log-rank p {p_text(test.p)} (χ² {test.chisq:.2f}, {test.df} df)"
    longest = max(len(s.label) for s in strata)
    left = max(80, int(longest * font_size * 0.52) + 36)
    title_px = 14 + (font_size + 4) * 1.4 + (font_size * 2.7 if subtitle else 0)
    # The legend starts at the plot area's left edge: it has the figure width less the margin.
    legend_px = FIGURE_WIDTH_PX - left
    top = int(title_px + _legend_lines(names, font_size, legend_px) * font_size * 1.7)
    bottom = 16
    curve_px = 360 + (font_size - 14) * 10
    gap_px = int(font_size * 6.2)
    table_px = int((k + 0.4) * font_size * 1.9)
    plot_px = curve_px + gap_px + table_px

    x_max = max(analysis.max_time, ticks_days[-1]) / factor
    tick_vals = [t / factor for t in ticks_days]
    fig.update_layout(
        height=top + bottom + plot_px,
        margin={"l": left, "r": 30, "t": top, "b": bottom},
        title={"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 12},
               "subtitle": {"text": subtitle, "font": {"size": font_size, "color": "#333"}}},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
                "font": {"size": font_size}},
        hovermode="closest",
    )
    fig.update_xaxes(range=[-0.01 * x_max, x_max * 1.03], tickvals=tick_vals,
                     ticktext=[f"{v:.0f}" for v in tick_vals], zeroline=False)
    fig.update_layout(
        yaxis={"domain": [1 - curve_px / plot_px, 1], "range": [0, 103],
               "tickvals": [0, 25, 50, 75, 100]},
        xaxis2={"matches": "x", "visible": False},
        yaxis2={"domain": [0, table_px / plot_px], "range": [k - 0.6, -0.6],
                "tickvals": list(range(k)), "showgrid": False, "zeroline": False,
                "showline": False, "title": {"text": None}, "ticklabelstandoff": font_size,
                "ticktext": [f"<span style='color:{colours[s.label]}'>{s.label}</span>"
                             for s in strata]},
    )
    fig.add_annotation(text="<b>Number at risk</b>", xref="paper", yref="paper", x=0,
                       y=table_px / plot_px, xanchor="left", yanchor="bottom",
                       showarrow=False, font={"size": font_size})
