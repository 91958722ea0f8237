"""Kinetics curves of many patients: a few WebGL traces per dose group, lines broken between
patients, BLQ samples as open markers of their own trace.

Fixture: 60 patients (above the 30-patient threshold of individual traces), 40 in the low and
20 in the high dose group, each sampled on days 0 (BLQ), 7 (1,000 copies/µg) and 14 (2,000
copies/µg). Hand counts: low 40 x 3 = 120 samples of which 40 BLQ, high 20 x 3 = 60 of which
20 BLQ.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import plotly.graph_objects as go

from trialdash.figures import kinetics as fig_kin
from trialdash.style import dose_colour_map

LOW, HIGH = "0.25 x10^6 cells/kg", "1.0 x10^6 cells/kg"
GROUPS = [LOW, "0.5 x10^6 cells/kg", HIGH]
LABELS = {f"S{i:02d}": f"P{i:02d}" for i in range(60)}


def _profiles() -> pd.DataFrame:
    rows = []
    for i in range(60):
        group, order = (LOW, 1) if i < 40 else (HIGH, 3)
        rows += [(f"S{i:02d}", group, order, 0.0, None, True),
                 (f"S{i:02d}", group, order, 7.0, 1000.0, False),
                 (f"S{i:02d}", group, order, 14.0, 2000.0, False)]
    frame = pd.DataFrame(rows, columns=["USUBJID", "dose_group", "dose_order", "day", "AVAL",
                                        "blq"])
    frame["AVAL"] = frame["AVAL"].astype(float)
    frame["LLOQ"] = 50.0
    frame["plotted_value"] = frame["AVAL"].where(~frame["blq"], frame["LLOQ"])
    return frame


def _lines(fig: go.Figure) -> list:
    return [t for t in fig.data if t.mode == "lines" and t.type == "scattergl"]


def _markers(fig: go.Figure, group: str, symbol: str) -> list:
    return [t for t in fig.data if t.mode == "markers" and t.type == "scattergl"
            and t.legendgroup == group and t.marker.symbol == symbol]


def _gaps(values) -> int:
    return sum(1 for v in values if v is None or math.isnan(v))


def _hover(trace, i: int) -> str:
    """The hover Plotly shows for point ``i``: the template with its fields filled in (the
    fields these traces use: text, x, and y with a d3 format such as ',.0f')."""
    def fill(match: re.Match) -> str:
        field, fmt = match.group(1), match.group(2)
        value = {"text": trace.text[i] if trace.text is not None else None,
                 "x": trace.x[i], "y": trace.y[i]}[field]
        if fmt:
            return format(value, fmt)
        return f"{value:g}" if isinstance(value, float) else str(value)
    shown = re.sub(r"%\{(\w+)(?::([^}]*))?\}", fill, trace.hovertemplate)
    return shown.replace("<extra></extra>", "")


def test_lines_one_trace_per_dose_group_with_a_break_between_patients():
    """60 patients > INDIVIDUAL_CURVES_MAX: one WebGL line trace per dose group (low, high), in
    the group colours, without hover; low holds 40 x 3 samples and 39 breaks (no line joins
    two patients: gaps = patients - 1), high 20 x 3 + 19."""
    assert 60 > fig_kin.INDIVIDUAL_CURVES_MAX
    fig = fig_kin.expansion_curves(_profiles(), GROUPS, LABELS)
    lines = _lines(fig)
    assert [t.legendgroup for t in lines] == [LOW, HIGH]
    colours = dose_colour_map(GROUPS)
    assert all(t.line.color == colours[t.legendgroup] for t in lines)
    assert all(t.hoverinfo == "skip" and t.showlegend is False for t in lines)
    low, high = lines
    assert len(low.x) == 40 * 3 + 39 and _gaps(low.y) == 39 and _gaps(low.x) == 39
    assert list(low.y[:3]) == [50.0, 1000.0, 2000.0]
    assert math.isnan(low.y[3])  # the break after the first patient
    assert list(low.y[4:7]) == [50.0, 1000.0, 2000.0]
    assert len(high.x) == 20 * 3 + 19 and _gaps(high.y) == 19


def test_blq_samples_are_open_markers_quantified_ones_filled():
    """Hand count: low has 40 BLQ samples (day 0, drawn at the LLOQ 50) -> an open-marker
    trace of 40 points, 80 quantified ones -> a filled trace; high 20 and 40. Every sample
    has exactly one marker; markers are in the group's legend group and colour, never in
    the legend."""
    fig = fig_kin.expansion_curves(_profiles(), GROUPS, LABELS)
    colours = dose_colour_map(GROUPS)
    for group, patients in ((LOW, 40), (HIGH, 20)):
        [open_] = _markers(fig, group, "circle-open")
        [filled] = _markers(fig, group, "circle")
        assert len(open_.x) == patients and set(open_.y) == {50.0} and set(open_.x) == {0.0}
        assert len(filled.x) == 2 * patients and set(filled.x) == {7.0, 14.0}
        assert open_.marker.color == filled.marker.color == colours[group]
        assert not any(t.showlegend for t in (open_, filled))
    # Per dose group: lines, filled markers, open markers (3 traces), nothing else.
    assert sum(1 for t in fig.data if t.type == "scattergl") == 2 * 3


def test_hover_names_the_patient_and_words_blq_as_the_per_patient_traces_do():
    """The hover of a sample reads as with one trace per patient (test_kinetics_figures):
    '<b>P00</b> · <group><br>Day 0: BLQ (<50 copies/µg)', quantified values with thousands
    separators and their unit, the patient's label (never its USUBJID)."""
    fig = fig_kin.expansion_curves(_profiles(), GROUPS, LABELS)
    [open_] = _markers(fig, LOW, "circle-open")
    [filled] = _markers(fig, LOW, "circle")
    assert _hover(open_, 0) == f"<b>P00</b> · {LOW}<br>Day 0: BLQ (<50 copies/µg)"
    assert _hover(filled, 0) == f"<b>P00</b> · {LOW}<br>Day 7: 1,000 copies/µg"
    assert _hover(filled, 79) == f"<b>P39</b> · {LOW}<br>Day 14: 2,000 copies/µg"
    assert set(filled.text) == {f"P{i:02d}" for i in range(40)}
    percent = fig_kin.carpct_curves(_profiles().assign(
        AVAL=lambda f: f["AVAL"] / 1000, plotted_value=lambda f: f["plotted_value"] / 1000,
        LLOQ=0.05), GROUPS, LABELS)
    [filled] = _markers(percent, HIGH, "circle")
    assert _hover(filled, 0) == f"<b>P40</b> · {HIGH}<br>Day 7: 1.0 %"


def test_samples_after_allo_hsct_have_their_own_markers_noted_in_hover():
    """Hand-set flag on the day-14 samples of S00 and S01: the low group gets a filled trace of
    78 samples and one of 2 whose hover ends with '· after allo-HSCT'."""
    frame = _profiles()
    frame["after_hsct"] = frame["USUBJID"].isin(["S00", "S01"]) & (frame["day"] == 14)
    fig = fig_kin.expansion_curves(frame, GROUPS, LABELS)
    filled = _markers(fig, LOW, "circle")
    assert sorted(len(t.x) for t in filled) == [2, 78]
    after = next(t for t in filled if len(t.x) == 2)
    assert list(after.text) == ["P00", "P01"]
    assert _hover(after, 0) == f"<b>P00</b> · {LOW}<br>Day 14: 2,000 copies/µg · after allo-HSCT"
    before = next(t for t in filled if len(t.x) == 78)
    assert not any("allo-HSCT" in _hover(before, i) for i in range(78))


def test_legend_one_entry_per_dose_group_and_the_blq_key():
    """Legend as with few patients: the dose groups present, then the BLQ key."""
    fig = fig_kin.expansion_curves(_profiles(), GROUPS, LABELS)
    assert [t.name for t in fig.data if t.showlegend is not False] == [
        LOW, HIGH, "BLQ, drawn at the LLOQ"]


# --- CD7+ lymphocytes beside CAR-T, many patients ------------------------------------------

CD7 = "CD7+ lymphocytes"


def _cd7_frame() -> pd.DataFrame:
    """The 60 patients' transgene samples plus two CD7+ counts each (day 0: 200, day 14: 0
    for S00, 5 for the others)."""
    cart = _profiles().assign(measure="Transgene")
    cd7 = cart[cart["day"] != 7].assign(
        measure=CD7, blq=False, LLOQ=float("nan"),
        AVAL=lambda f: f["day"].map({0.0: 200.0, 14.0: 5.0}))
    cd7.loc[(cd7["USUBJID"] == "S00") & (cd7["day"] == 14), "AVAL"] = 0.0
    cd7["plotted_value"] = cd7["AVAL"]
    return pd.concat([cart, cd7], ignore_index=True)


def _cd7_band() -> pd.DataFrame:
    """Hand-made band (as cd7_cart_band_by_dose gives it): transgene of the low group on days
    0 and 7, CD7+ of the low group on days 0 and 14 (Q1 of 0 on day 14) and of the high
    group on day 0."""
    rows = [("Transgene", LOW, 1, 0.0, 50.0, 50.0, 50.0, 40),
            ("Transgene", LOW, 1, 7.0, 1000.0, 1000.0, 1000.0, 40),
            (CD7, LOW, 1, 0.0, 200.0, 200.0, 200.0, 40),
            (CD7, LOW, 1, 14.0, 5.0, 0.0, 5.0, 40),
            (CD7, HIGH, 3, 0.0, 200.0, 200.0, 200.0, 20)]
    return pd.DataFrame(rows, columns=["measure", "dose_group", "dose_order", "nominal_day",
                                       "median", "q1", "q3", "n"])


def _medians(fig: go.Figure, axis: str) -> list:
    return [t for t in fig.data if (t.name or "").startswith("Median, ") and t.yaxis == axis]


def test_cd7_vs_cart_summarised_shows_bands_not_patients():
    """Band without individual curves (the page above INDIVIDUAL_CURVES_MAX patients): no
    patient trace in either panel; per panel and dose group in the band, Q3 edge + filled Q1
    edge + dashed median (hand-made band: top low only, bottom low and high); one legend
    entry per dose group and one for the band."""
    fig = fig_kin.cd7_vs_cart(_cd7_frame(), GROUPS, LABELS, band=_cd7_band(), show_curves=False)
    assert not any(t.type == "scattergl" for t in fig.data)
    assert [t.legendgroup for t in _medians(fig, "y")] == [LOW]
    assert [t.legendgroup for t in _medians(fig, "y2")] == [LOW, HIGH]
    assert list(_medians(fig, "y2")[0].y) == [200.0, 5.0]
    assert list(_medians(fig, "y")[0].x) == [0.0, 7.0]
    fills = [t for t in fig.data if t.fill == "tonexty"]
    assert [t.yaxis for t in fills] == ["y", "y2", "y2"]
    assert [t.name for t in fig.data if t.showlegend is not False] == [
        LOW, HIGH, "Median (dashed), IQR (shaded)"]
    medians = _medians(fig, "y") + _medians(fig, "y2")
    assert all(t.line.dash == "dash" for t in medians)
    colours = dose_colour_map(GROUPS)
    assert all(t.line.color == colours[t.legendgroup] for t in medians)
    # cells/µL in the CD7+ band's hover, copies/µg in the transgene one.
    assert "cells/µL" in _medians(fig, "y2")[0].hovertemplate
    assert "copies/µg" in _medians(fig, "y")[0].hovertemplate


def test_cd7_vs_cart_individual_curves_behind_the_band():
    """'Individual curves' on: each panel also holds every patient's line, faded, one line
    trace per dose group with patients - 1 gaps (low 39, high 19); BLQ transgene samples
    open (hand count: 40 low); the legend is unchanged."""
    fig = fig_kin.cd7_vs_cart(_cd7_frame(), GROUPS, LABELS, band=_cd7_band(), show_curves=True)
    for axis in ("y", "y2"):
        lines = [t for t in _lines(fig) if t.yaxis == axis]
        assert [(t.legendgroup, _gaps(t.x)) for t in lines] == [(LOW, 39), (HIGH, 19)]
        assert all(t.opacity < 0.5 for t in fig.data if t.type == "scattergl")
    [open_top] = [t for t in _markers(fig, LOW, "circle-open") if t.yaxis == "y"]
    assert len(open_top.x) == 40
    assert not [t for t in _markers(fig, LOW, "circle-open") if t.yaxis == "y2"]
    assert [t.name for t in fig.data if t.showlegend is not False] == [
        LOW, HIGH, "Median (dashed), IQR (shaded)"]
    [cd7_low] = [t for t in _markers(fig, LOW, "circle") if t.yaxis == "y2"]
    assert _hover(cd7_low, 1) == f"<b>P00</b> · {LOW}<br>Day 14: 0 cells/µL"


def test_cd7_vs_cart_without_band_draws_every_patient_as_before():
    """No band (what the page passed before): both panels hold the patients' lines at full
    strength, no median trace."""
    fig = fig_kin.cd7_vs_cart(_cd7_frame(), GROUPS, LABELS)
    assert len(_lines(fig)) == 4 and not _medians(fig, "y") and not _medians(fig, "y2")
    assert all(t.opacity > 0.5 for t in _lines(fig))


def test_cd7_band_on_a_log_axis_leaves_out_visits_with_a_quartile_of_zero():
    """Log scale: the low group's CD7+ day-14 band row has Q1 0 (no place on a log axis): its
    median line keeps day 0 only; the high group's is unchanged; S00's count of 0 is said."""
    fig = fig_kin.cd7_vs_cart(_cd7_frame(), GROUPS, LABELS, cd7_log=True, band=_cd7_band(),
                              show_curves=False)
    assert [list(t.x) for t in _medians(fig, "y2")] == [[0.0], [0.0]]
    assert any("1 value of 0 not drawn" in (a.text or "") for a in fig.layout.annotations)
