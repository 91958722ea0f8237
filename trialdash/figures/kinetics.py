"""Cellular-kinetics figures: expansion curves, % CAR+ curves, persistence, CD7+ beside CAR-T.

Inputs are the frames of :mod:`trialdash.analysis.kinetics`. One line per patient, coloured by
dose group (fixed colours from :mod:`trialdash.style`), one legend entry per dose group (a click
hides the whole group). BLQ samples are drawn as open markers AT the LLOQ, with the LLOQ as a
dashed, labelled line; hover says "BLQ (<LLOQ)" for them, never a number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from trialdash.figures.base import empty, style
from trialdash.style import dose_colour_map, rgba

X_TITLE = "Days since infusion"
TRANSGENE_Y_TITLE = "Transgene copies/µg gDNA (log scale)"
CARPCT_Y_TITLE = "CAR+ T cells (% of CD3+)"
CD7_Y_TITLE = "CD7+ lymphocytes (cells/µL)"
DOSE_LEGEND = "Dose group (CAR-T cells/kg)"
BLQ_COLOUR = "#555555"
LLOQ_COLOUR = "#666666"

#: Log axes label powers of ten only (readable on small panels), with light minor grid lines.
LOG_AXIS = {"type": "log", "exponentformat": "power", "dtick": 1,
            "minor": {"showgrid": True, "gridcolor": "#efefef", "dtick": "D2"}}

#: Most patients drawn as one trace each; a larger cohort gets a few WebGL traces per dose
#: group (its patients' lines separated by gaps, its samples' markers: see _group_traces), and
#: the page shows medians with IQR bands first.
INDIVIDUAL_CURVES_MAX = 30

#: Day windows the page offers; ``None`` = all follow-up.
X_WINDOWS: dict[str, tuple[float, float] | None] = {
    "Days 0–28": (-1.0, 29.0),
    "Days 0–90": (-2.0, 92.0),
    "All follow-up": None,
}


def _label(labels: dict[str, str] | None, usubjid: str) -> str:
    return (labels or {}).get(usubjid, usubjid)


def _value_text(values: pd.Series, blq: pd.Series, lloq: pd.Series, unit: str,
                digits: int) -> list[str]:
    """Hover text of each sample: the value with its unit, or "BLQ (<LLOQ)"."""
    return [word if below else f"{value:,.{digits}f} {unit}"
            for value, below, word in zip(values, blq, _blq_texts(lloq, unit), strict=True)]


def _x_window(fig: go.Figure, x_range: tuple[float, float] | None) -> None:
    if x_range is not None:
        fig.update_xaxes(range=list(x_range))


def _add_lloq_lines(fig: go.Figure, samples: pd.DataFrame, unit: str, log_y: bool,
                    row: int | None = None, col: int | None = None) -> None:
    """A dashed horizontal line at each distinct LLOQ, labelled.

    On a log axis the label sits under the line at the right end, as an annotation placed at
    ``log10(LLOQ)`` (Plotly positions annotations on log axes in log10 units, shapes in data
    units, which ``add_hline``'s own label gets wrong). On a linear axis the LLOQ hugs zero
    and a label there would cover the data, so the line is named in the legend instead.
    """
    lloqs = sorted(pd.to_numeric(samples["LLOQ"], errors="coerce").dropna().unique())
    line = {"dash": "dash", "color": LLOQ_COLOUR, "width": 1.5}
    for lloq in lloqs:
        text = f"LLOQ {lloq:,g} {unit}"
        fig.add_hline(y=lloq, line=line, row=row, col=col)
        if log_y:
            fig.add_annotation(x=1, xref="x domain", xanchor="right", y=float(np.log10(lloq)),
                               yref="y", yanchor="top", showarrow=False, text=text,
                               font={"color": LLOQ_COLOUR}, row=row, col=col)
        else:
            fig.add_scatter(x=[None], y=[None], mode="lines", line=line, name=text,
                            hoverinfo="skip", row=row, col=col)


def _patient_traces(fig: go.Figure, samples: pd.DataFrame, dose_groups: list[str],
                    labels: dict[str, str] | None, unit: str, digits: int, faded: bool,
                    row: int | None = None, col: int | None = None,
                    legend: bool = True) -> None:
    """One line per patient, filled markers for quantifiable samples, open ones for BLQ."""
    colours = dose_colour_map(dose_groups)
    if legend:
        _add_dose_legend(fig, [g for g in dose_groups if g in set(samples["dose_group"])],
                         colours, row, col)
    points = samples.dropna(subset=["plotted_value", "day"]).sort_values(
        ["dose_order", "USUBJID", "day"], kind="stable").reset_index(drop=True)
    if points.empty:
        return
    blq = points["blq"].astype(bool)
    values = _value_text(points["AVAL"], blq, points["LLOQ"], unit, digits)
    if "after_hsct" in points.columns:  # donor graft, not CAR-T, after the transplant
        values = [v + (AFTER_HSCT_NOTE if after else "")
                  for v, after in zip(values, points["after_hsct"].astype(bool), strict=True)]
    points = points.assign(_label=points["USUBJID"].map(lambda u: _label(labels, u)),
                           _text=values,
                           _symbol=np.where(blq, "circle-open", "circle"))
    traces = []
    for _, part in points.groupby(["dose_order", "USUBJID"], sort=True):
        group = part["dose_group"].iloc[0]
        colour = colours.get(group, BLQ_COLOUR)
        traces.append(go.Scatter(
            x=part["day"].to_numpy(), y=part["plotted_value"].to_numpy(),
            mode="lines+markers", name=part["_label"].iloc[0],
            legendgroup=group, showlegend=False,
            opacity=0.35 if faded else 0.9,
            line={"color": colour, "width": 1.5 if faded else 2},
            marker={"color": colour, "size": 8, "symbol": part["_symbol"].to_numpy(),
                    "line": {"color": colour, "width": 2}},
            customdata=np.column_stack([part["_label"], np.full(len(part), group, dtype=object),
                                        part["_text"]]),
            hovertemplate="<b>%{customdata[0]}</b> · %{customdata[1]}<br>"
                          "Day %{x}: %{customdata[2]}<extra></extra>",
        ))
    fig.add_traces(traces, rows=row, cols=col)


#: Hover note of a sample taken after a consolidative allo-HSCT (donor graft, not CAR-T).
AFTER_HSCT_NOTE = " · after allo-HSCT"


def _group_traces(fig: go.Figure, samples: pd.DataFrame, dose_groups: list[str],
                  labels: dict[str, str] | None, unit: str, digits: int, faded: bool,
                  row: int | None = None, col: int | None = None,
                  legend: bool = True) -> None:
    """Every patient's line in a few WebGL traces per dose group, whatever the cohort's size.

    Per dose group, all in its legend group: one trace of the lines of its patients (a gap,
    NaN, before each patient but the first; no hover), then the samples' markers, one trace
    per kind of sample: quantifiable (filled, hover the value formatted by Plotly as
    :func:`_value_text` does) or BLQ at a given LLOQ (open, hover "BLQ (<LLOQ)"), each also
    apart when taken after allo-HSCT (hover notes it). Hover names the patient (``text``).

    Only numpy arrays of numbers or fixed-width text go into the traces: Plotly validates,
    copies and sends those at once (as typed arrays), where Python lists, object arrays and
    per-point marker symbols go element by element (seconds at thousands of patients).
    """
    colours = dose_colour_map(dose_groups)
    if legend:
        _add_dose_legend(fig, [g for g in dose_groups if g in set(samples["dose_group"])],
                         colours, row, col)
    columns = ["USUBJID", "dose_group", "dose_order", "day", "plotted_value", "blq", "LLOQ"]
    drawn = samples[[*columns, *(["after_hsct"] if "after_hsct" in samples.columns else [])]]
    drawn = drawn[drawn["plotted_value"].notna() & drawn["day"].notna()]
    if drawn.empty:
        return
    patient, patients = pd.factorize(drawn["USUBJID"], sort=True)
    day = drawn["day"].to_numpy(float)
    order = np.lexsort((day, patient, drawn["dose_order"].to_numpy()))
    patient, day = patient[order], day[order]
    value = drawn["plotted_value"].to_numpy(float)[order]
    group_of, groups = pd.factorize(drawn["dose_group"].to_numpy(dtype=object)[order])
    after = (drawn["after_hsct"].to_numpy(bool)[order] if "after_hsct" in drawn.columns
             else np.zeros(len(drawn), dtype=bool))
    blq_lloq = pd.to_numeric(drawn["LLOQ"], errors="coerce").where(drawn["blq"].astype(bool))
    lloq, lloqs = pd.factorize(blq_lloq.to_numpy()[order])  # -1: quantifiable
    shown = _labels_of(pd.Series(patients), labels).astype(str)[patient]
    kind = (lloq + 1) * 2 + after  # quantifiable first, then BLQ by LLOQ; after HSCT apart
    common = {"opacity": 0.35 if faded else 0.9, "showlegend": False}
    traces = []
    for code, group in enumerate(groups):
        colour = colours.get(group, BLQ_COLOUR)
        rows = np.flatnonzero(group_of == code)
        starts = np.flatnonzero(patient[rows][1:] != patient[rows][:-1]) + 1
        traces.append(go.Scattergl(
            x=np.insert(day[rows], starts, np.nan), y=np.insert(value[rows], starts, np.nan),
            mode="lines", name=str(group), legendgroup=str(group), connectgaps=False,
            line={"color": colour, "width": 1 if faded else 1.5}, hoverinfo="skip", **common))
        marker = {"color": colour, "size": 6, "line": {"color": colour, "width": 1.5}}
        for sample_kind in np.unique(kind[rows]):
            points = rows[kind[rows] == sample_kind]
            below, limit = sample_kind >= 2, sample_kind // 2 - 1
            word = (_blq_texts(pd.Series([lloqs[limit]]), unit)[0] if below
                    else f"%{{y:,.{digits}f}} {unit}")
            traces.append(go.Scattergl(
                x=day[points], y=value[points], text=shown[points], mode="markers",
                name=str(group), legendgroup=str(group),
                marker={**marker, "symbol": "circle-open" if below else "circle"},
                hovertemplate=f"<b>%{{text}}</b> · {group}<br>Day %{{x}}: {word}"
                              + (AFTER_HSCT_NOTE if sample_kind % 2 else "")
                              + "<extra></extra>",
                **common))
    fig.add_traces(traces, rows=row, cols=col)


def _labels_of(usubjid: pd.Series, labels: dict[str, str] | None) -> np.ndarray:
    """The label shown for each patient (its USUBJID when it has none)."""
    if not labels:
        return usubjid.to_numpy(dtype=object)
    return usubjid.map(labels).fillna(usubjid).to_numpy(dtype=object)


def _blq_texts(lloq: pd.Series, unit: str) -> np.ndarray:
    """Hover text of each sample were it BLQ, worded as :func:`_value_text` words it (once
    per distinct LLOQ)."""
    limits = pd.to_numeric(lloq, errors="coerce")
    words = {limit: f"BLQ (<{limit:,g} {unit})" for limit in limits.dropna().unique()}
    return limits.map(words).fillna("BLQ").to_numpy(dtype=object)


def _lines(fig: go.Figure, samples: pd.DataFrame, dose_groups: list[str],
           labels: dict[str, str] | None, unit: str, digits: int, faded: bool,
           row: int | None = None, col: int | None = None, legend: bool = True) -> None:
    """Per-patient traces up to :data:`INDIVIDUAL_CURVES_MAX` patients, else per dose group."""
    draw = (_patient_traces if samples["USUBJID"].nunique() <= INDIVIDUAL_CURVES_MAX
            else _group_traces)
    draw(fig, samples, dose_groups, labels, unit, digits, faded, row=row, col=col,
         legend=legend)


def _add_dose_legend(fig: go.Figure, groups: list[str], colours: dict[str, str],
                     row: int | None, col: int | None) -> None:
    """One legend entry per dose group (filled marker); a click toggles the group's lines."""
    for group in groups:
        fig.add_scatter(x=[None], y=[None], mode="lines+markers", name=group, legendgroup=group,
                        line={"color": colours[group], "width": 2},
                        marker={"color": colours[group], "size": 8}, hoverinfo="skip",
                        row=row, col=col)


def _add_blq_legend(fig: go.Figure) -> None:
    """A legend-only entry explaining the open markers."""
    fig.add_scatter(x=[None], y=[None], mode="markers", name="BLQ, drawn at the LLOQ",
                    marker={"symbol": "circle-open", "size": 9, "color": BLQ_COLOUR,
                            "line": {"width": 2, "color": BLQ_COLOUR}},
                    legendgroup="blq", hoverinfo="skip")


def _add_band(fig: go.Figure, band: pd.DataFrame, dose_groups: list[str], unit: str,
              digits: int, row: int | None = None, col: int | None = None,
              legend: bool = True) -> None:
    """Per dose group: the IQR as a shaded area and the median as a thick dashed line.

    The band joins its dose group's legend group (one click hides lines and band together);
    a single grey legend entry explains the dashed line and shading (unless ``legend`` is
    False: a second panel of the same figure).
    """
    colours = dose_colour_map(dose_groups)
    if legend:
        fig.add_scatter(x=[None], y=[None], mode="lines", name="Median (dashed), IQR (shaded)",
                        line={"color": BLQ_COLOUR, "width": 4, "dash": "dash"},
                        legendgroup="band", hoverinfo="skip", row=row, col=col)
    for group in dose_groups:
        part = band[band["dose_group"] == group].sort_values("nominal_day")
        if part.empty:
            continue
        colour = colours[group]
        fill = rgba(colour, 0.18)
        fig.add_scatter(x=part["nominal_day"], y=part["q3"], mode="lines", line={"width": 0},
                        legendgroup=group, showlegend=False, hoverinfo="skip", row=row,
                        col=col)
        fig.add_scatter(x=part["nominal_day"], y=part["q1"], mode="lines", line={"width": 0},
                        fill="tonexty", fillcolor=fill, legendgroup=group,
                        showlegend=False, hoverinfo="skip", row=row, col=col)
        fig.add_scatter(
            x=part["nominal_day"], y=part["median"], mode="lines", name=f"Median, {group}",
            legendgroup=group, showlegend=False,
            line={"color": colour, "width": 4, "dash": "dash"},
            customdata=np.column_stack([part["q1"], part["q3"], part["n"]]),
            hovertemplate=f"<b>{group}</b><br>Day %{{x}}: median %{{y:,.{digits}f}} {unit}"
                          f"<br>IQR %{{customdata[0]:,.{digits}f}}–%{{customdata[1]:,.{digits}f}}"
                          "<br>n = %{customdata[2]} patients<extra></extra>",
            row=row, col=col,
        )


def _curves(samples: pd.DataFrame, dose_groups: list[str], labels: dict[str, str] | None,
            show_band: bool, band: pd.DataFrame | None, font_size: int,
            x_range: tuple[float, float] | None, *, title: str, y_title: str, unit: str,
            digits: int, log_y: bool, empty_message: str, show_curves: bool) -> go.Figure:
    if samples.dropna(subset=["plotted_value"]).empty:
        return empty(title, empty_message, font_size)
    with_band = show_band and band is not None and not band.empty
    fig = go.Figure()
    if show_curves or not with_band:
        _lines(fig, samples, dose_groups, labels, unit, digits, faded=with_band)
        if samples["blq"].astype(bool).any():
            _add_blq_legend(fig)
    else:
        colours = dose_colour_map(dose_groups)
        _add_dose_legend(fig, [g for g in dose_groups if g in set(band["dose_group"])],
                         colours, None, None)
    if with_band:
        _add_band(fig, band, dose_groups, unit, digits)
    _add_lloq_lines(fig, samples, unit, log_y)
    if log_y:
        fig.update_yaxes(**LOG_AXIS)
    else:
        fig.update_yaxes(rangemode="tozero")
    _x_window(fig, x_range)
    return style(fig, title, X_TITLE, y_title, font_size, legend_title=DOSE_LEGEND, height=520)


def expansion_curves(profiles: pd.DataFrame, dose_groups: list[str],
                     labels: dict[str, str] | None = None, show_band: bool = False,
                     band: pd.DataFrame | None = None, font_size: int = 14,
                     x_range: tuple[float, float] | None = None,
                     show_curves: bool = True) -> go.Figure:
    """Transgene copies/µg gDNA over days since infusion, one line per patient (log y).

    Parameters
    ----------
    profiles : DataFrame
        ``KineticProfiles.samples`` of TRANSGEN: USUBJID, dose_group, dose_order, day, AVAL,
        LLOQ, blq (bool), plotted_value (BLQ at the LLOQ).
    dose_groups : list of str
        All dose groups of the trial in dose order (fixes the colours).
    labels : dict, optional
        USUBJID -> label shown in hover (pseudonyms in presentation mode).
    show_band, band
        Draw ``median_band_by_dose`` as a median line and shaded IQR per dose group; patient
        lines are then faded.
    show_curves : bool
        Draw every patient's line (with a band: only the band when False). Above
        :data:`INDIVIDUAL_CURVES_MAX` patients the lines are one ``Scattergl`` trace per dose
        group.
    x_range : (float, float), optional
        Days shown; the data outside stay available by zooming out.
    """
    return _curves(profiles, dose_groups, labels, show_band, band, font_size, x_range,
                   title="CAR-T expansion and persistence: transgene copies in blood",
                   y_title=TRANSGENE_Y_TITLE, unit="copies/µg", digits=0, log_y=True,
                   empty_message="No transgene samples for the patients in this filter",
                   show_curves=show_curves)


def carpct_curves(profiles: pd.DataFrame, dose_groups: list[str],
                  labels: dict[str, str] | None = None, show_band: bool = False,
                  band: pd.DataFrame | None = None, font_size: int = 14,
                  x_range: tuple[float, float] | None = None,
                  show_curves: bool = True) -> go.Figure:
    """% CAR+ of CD3+ T cells (flow) over days since infusion, one line per patient (linear y).

    Same inputs as :func:`expansion_curves`, from the CARPCT profiles.
    """
    return _curves(profiles, dose_groups, labels, show_band, band, font_size, x_range,
                   title="CAR+ T cells as % of CD3+ T cells (flow cytometry)",
                   y_title=CARPCT_Y_TITLE, unit="%", digits=1, log_y=False,
                   empty_message="No % CAR+ samples for the patients in this filter",
                   show_curves=show_curves)


#: Smallest type of the n/N labels beside persistence bars (readable on a projector).
PERSISTENCE_LABEL_MIN_PX = 13


def persistence_chart(persistence: pd.DataFrame, dose_groups: list[str],
                      font_size: int = 14) -> go.Figure:
    """Small multiples, one panel per dose group side by side: horizontal bars of the % of
    sampled patients with detectable transgene at each nominal visit, labelled n/N.

    ``persistence`` is ``Persistence.table`` (dose_group, nominal_day, n_sampled,
    n_detectable, fraction, "n/N"). Visits are evenly spaced categories down the shared
    y axis (day 1 at the top to day 730); horizontal bars leave room for labels written
    horizontally beside each bar, at the page's type size, where grouped vertical bars
    allowed only rotated labels smaller than the bars' width.
    """
    title = "Persistence: patients with detectable transgene by visit"
    if persistence.empty:
        return empty(title, "No post-infusion transgene samples in this filter", font_size)
    colours = dose_colour_map(dose_groups)
    visits = sorted(persistence["nominal_day"].unique())
    visit_labels = {d: f"{d:g}" for d in visits}
    present = [g for g in dose_groups if g in set(persistence["dose_group"])]
    fig = make_subplots(rows=1, cols=len(present), shared_yaxes=True,
                        horizontal_spacing=0.04, subplot_titles=present)
    label_px = max(font_size - 1, PERSISTENCE_LABEL_MIN_PX)
    for col, group in enumerate(present, start=1):
        part = persistence[persistence["dose_group"] == group].sort_values("nominal_day")
        fig.add_bar(
            y=part["nominal_day"].map(visit_labels), x=100 * part["fraction"], name=group,
            orientation="h", marker_color=colours[group], text=part["n/N"],
            textposition="outside", textfont={"size": label_px}, cliponaxis=False,
            constraintext="none",  # never shrink labels to the bar
            customdata=np.column_stack([part["n/N"]]),
            hovertemplate=f"<b>{group}</b><br>Day %{{y}}: %{{customdata[0]}} detectable "
                          "(%{x:.0f}%)<extra></extra>",
            row=1, col=col,
        )
    fig.update_layout(barmode="group", bargap=0.25, showlegend=False,
                      uniformtext={"minsize": label_px, "mode": "show"})
    fig.update_yaxes(type="category", categoryorder="array",
                     categoryarray=[visit_labels[d] for d in visits][::-1])
    ticks = [0, 50, 100]
    fig.update_xaxes(range=[0, 135], tickvals=ticks, ticktext=[f"{t}%" for t in ticks])
    style(fig, title, None, None, font_size, height=140 + len(visits) * (font_size + 12))
    fig.update_yaxes(title={"text": None})  # named once, on the first panel
    fig.update_yaxes(title={"text": "Nominal visit (days since infusion)"}, row=1, col=1)
    fig.update_xaxes(title={"text": "Patients with detectable transgene (%)"}, row=1, col=1)
    fig.update_annotations(font={"size": font_size})
    return fig


def cd7_vs_cart(frame: pd.DataFrame, dose_groups: list[str],
                labels: dict[str, str] | None = None, font_size: int = 14,
                x_range: tuple[float, float] | None = None, cd7_log: bool = False,
                band: pd.DataFrame | None = None, show_curves: bool = True) -> go.Figure:
    """Transgene copies (top, log) and CD7+ lymphocytes (bottom) sharing one day axis.

    ``frame`` is ``CD7WithCart.frame`` (measure "Transgene" or "CD7+ lymphocytes"). The CD7+
    panel is linear by default, so depletion to ~0 shows; with ``cd7_log`` values <= 0 cannot
    be drawn and the panel title says how many were left out.

    ``band`` (``cd7_cart_band_by_dose``: median and IQR per measure, dose group and nominal
    visit) adds a median line and shaded IQR per dose group to each panel, as
    :func:`expansion_curves` does; the patients' lines are then faded, or left out when
    ``show_curves`` is False (the page's summary of a large cohort).
    """
    title = "CD7+ lymphocytes beside CAR-T expansion"
    if frame.empty:
        return empty(title, "No transgene or CD7+ lymphocyte samples in this filter", font_size)
    cart = frame[frame["measure"] == "Transgene"]
    cd7 = frame[frame["measure"] == "CD7+ lymphocytes"]
    hidden = int((cd7["plotted_value"] <= 0).sum()) if cd7_log else 0
    if cd7_log:
        cd7 = cd7[cd7["plotted_value"] > 0]
    cd7_title = "CD7+ lymphocytes in blood" + (" (log scale)" if cd7_log else "")
    if hidden:
        cd7_title += f" · {hidden} value{'s' if hidden > 1 else ''} of 0 not drawn (log scale)"
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                        subplot_titles=("Transgene copies in blood (log scale)", cd7_title))
    panels = ((1, cart, "No transgene samples (ADPC absent or none for this filter)",
               "copies/µg", "Transgene"),
              (2, cd7, "No CD7+ lymphocyte results (ADLB absent or none for this filter)",
               "cells/µL", "CD7+ lymphocytes"))
    legend = True  # dose groups and the band explained once, by the first panel drawn
    for row, samples, missing, unit, measure in panels:
        if samples.empty:
            _note(fig, missing, row)
            continue
        shown_band = (band[band["measure"] == measure] if band is not None
                      else pd.DataFrame(columns=["measure", "q1", "median", "q3"]))
        if cd7_log and row == 2:  # a quartile of 0 has no place on a log axis
            shown_band = shown_band[shown_band[["q1", "median", "q3"]].gt(0).all(axis=1)]
        banded = not shown_band.empty
        if show_curves or not banded:
            _lines(fig, samples, dose_groups, labels, unit, 0, faded=banded, row=row, col=1,
                   legend=legend)
        elif legend:  # the dose groups of both panels' bands
            _add_dose_legend(fig, [g for g in dose_groups if g in set(band["dose_group"])],
                             dose_colour_map(dose_groups), row, 1)
        if banded:
            _add_band(fig, shown_band, dose_groups, unit, 0, row=row, col=1, legend=legend)
        if row == 1:
            _add_lloq_lines(fig, cart, "copies/µg", True, row=1, col=1)
        legend = False
    style(fig, title, None, None, font_size, legend_title=DOSE_LEGEND, height=720)
    fig.update_yaxes(**LOG_AXIS, title_text="Copies/µg gDNA (log)", row=1, col=1)
    fig.update_yaxes(type="log" if cd7_log else "linear", row=2, col=1)
    if not cd7_log:
        fig.update_yaxes(rangemode="tozero", row=2, col=1)
    fig.update_yaxes(title_text=CD7_Y_TITLE, row=2, col=1)
    fig.update_xaxes(title_text=X_TITLE, row=2, col=1)
    fig.update_annotations(font_size=font_size + 1, selector={"xref": "paper"})
    _x_window(fig, x_range)
    return fig


def _note(fig: go.Figure, text: str, row: int) -> None:
    """Say in an empty panel why it is empty."""
    domain = fig.layout[f"yaxis{'' if row == 1 else row}"].domain
    fig.add_annotation(text=text, x=0.5, y=(domain[0] + domain[1]) / 2, xref="paper",
                       yref="paper", showarrow=False, font={"color": "#555"})
