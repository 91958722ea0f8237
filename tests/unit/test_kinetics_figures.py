"""Kinetics figures built from small hand-made frames: traces, axes, colours, hover labels.

Frames (LLOQ 50 copies/µg): patient A (low dose) 0 BLQ, 7: 1,000, 14: 10,000;
patient B (high dose) 0 BLQ, 7: 5,000; patient C (high dose) 0 BLQ, 7 BLQ (never expanded).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from trialdash.figures import kinetics as fig_kin
from trialdash.style import dose_colour_map

LOW, HIGH = "0.25 x10^6 cells/kg", "1.0 x10^6 cells/kg"
GROUPS = [LOW, "0.5 x10^6 cells/kg", HIGH]
LABELS = {"A": "P01", "B": "P02", "C": "P03"}


def _profiles() -> pd.DataFrame:
    rows = [  # USUBJID, group, order, day, AVAL, blq
        ("A", LOW, 1, 0, None, True), ("A", LOW, 1, 7, 1000, False),
        ("A", LOW, 1, 14, 10000, False),
        ("B", HIGH, 3, 0, None, True), ("B", HIGH, 3, 7, 5000, False),
        ("C", HIGH, 3, 0, None, True), ("C", HIGH, 3, 7, 20, True),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "dose_group", "dose_order", "day", "AVAL",
                                        "blq"])
    frame["AVAL"] = frame["AVAL"].astype(float)
    frame["day"] = frame["day"].astype(float)
    frame["nominal_day"] = frame["day"]
    frame["LLOQ"] = 50.0
    frame["plotted_value"] = frame["AVAL"].where(~frame["blq"], frame["LLOQ"])
    return frame


def _band() -> pd.DataFrame:
    return pd.DataFrame({"dose_group": [HIGH, HIGH], "dose_order": [3, 3],
                         "nominal_day": [0.0, 7.0], "median": [50.0, 2525.0],
                         "q1": [50.0, 1287.5], "q3": [50.0, 3762.5], "n": [2, 2]})


def _patient_traces(fig):
    return [t for t in fig.data if t.customdata is not None and t.mode == "lines+markers"]


def _legend_names(fig):
    return [t.name for t in fig.data if t.showlegend is not False]


def test_expansion_curves_one_line_per_patient_one_legend_entry_per_group():
    """Fixture: 3 patients -> 3 lines; 2 dose groups present -> 2 legend entries, in the
    fixed colours of style.dose_colour_map; log y axis with the required titles."""
    fig = fig_kin.expansion_curves(_profiles(), GROUPS, LABELS)
    lines = _patient_traces(fig)
    assert len(lines) == 3 and not any(t.showlegend for t in lines)
    assert _legend_names(fig) == [LOW, HIGH, "BLQ, drawn at the LLOQ"]
    colours = dose_colour_map(GROUPS)
    for trace in lines:
        assert trace.line.color == colours[trace.legendgroup]
    entries = [t for t in fig.data if t.name in (LOW, HIGH)]
    assert [t.marker.color for t in entries] == [colours[LOW], colours[HIGH]]
    assert [t.legendgroup for t in entries] == [LOW, HIGH]
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.yaxis.title.text == "Transgene copies/µg gDNA (log scale)"
    assert fig.layout.xaxis.title.text == "Days since infusion"


def test_blq_points_are_open_markers_at_the_lloq_with_blq_hover():
    """Fixture: patient C's two samples are BLQ: drawn at 50 with open markers, hover
    'BLQ (<50 copies/µg)', patient shown by its label P03 (never the USUBJID)."""
    fig = fig_kin.expansion_curves(_profiles(), GROUPS, LABELS)
    c = next(t for t in _patient_traces(fig) if t.customdata[0][0] == "P03")
    assert list(c.y) == [50.0, 50.0]
    assert list(c.marker.symbol) == ["circle-open", "circle-open"]
    assert c.customdata[1][2] == "BLQ (<50 copies/µg)"
    a = next(t for t in _patient_traces(fig) if t.customdata[0][0] == "P01")
    assert list(a.marker.symbol) == ["circle-open", "circle", "circle"]
    assert a.customdata[2][2] == "10,000 copies/µg"
    assert all(row[0] in LABELS.values() for t in _patient_traces(fig) for row in t.customdata)


def test_lloq_line_is_dashed_and_labelled_at_the_lloq_on_the_log_axis():
    """Fixture LLOQ 50: one dashed horizontal line at 50; its label sits at log10(50) (Plotly
    positions annotations on log axes in log10 units; y=50 would mean 10^50)."""
    fig = fig_kin.expansion_curves(_profiles(), GROUPS, LABELS)
    lines = [s for s in fig.layout.shapes if s.y0 == 50 and s.y1 == 50]
    assert len(lines) == 1 and lines[0].line.dash == "dash"
    label = next(a for a in fig.layout.annotations if "LLOQ 50" in (a.text or ""))
    assert label.y == pytest.approx(math.log10(50))
    linear = fig_kin.carpct_curves(_profiles(), GROUPS, LABELS)
    assert not any("LLOQ" in (a.text or "") for a in linear.layout.annotations)
    assert "LLOQ 50 %" in _legend_names(linear)


def test_band_adds_median_and_iqr_for_each_group_and_fades_patients():
    """Fixture band: one group -> Q3 edge, Q1 edge filled to it, median line (3 traces), in
    the group's legend group, plus one legend entry explaining the band."""
    plain = fig_kin.expansion_curves(_profiles(), GROUPS, LABELS)
    banded = fig_kin.expansion_curves(_profiles(), GROUPS, LABELS, show_band=True,
                                      band=_band())
    assert len(banded.data) == len(plain.data) + 4
    median = next(t for t in banded.data if t.name == f"Median, {HIGH}")
    assert list(median.y) == [50.0, 2525.0] and median.line.dash == "dash"
    assert median.legendgroup == HIGH and median.line.color == dose_colour_map(GROUPS)[HIGH]
    assert _legend_names(banded) == [*_legend_names(plain), "Median (dashed), IQR (shaded)"]
    assert any(t.fill == "tonexty" for t in banded.data)
    assert all(t.opacity < 0.5 for t in _patient_traces(banded))


def test_x_range_window_and_empty_frame():
    """The 'Days 0–28' window sets the x range; an empty frame gives the placeholder."""
    fig = fig_kin.expansion_curves(_profiles(), GROUPS, LABELS,
                                   x_range=fig_kin.X_WINDOWS["Days 0–28"])
    assert tuple(fig.layout.xaxis.range) == (-1.0, 29.0)
    blank = fig_kin.expansion_curves(_profiles().iloc[0:0], GROUPS, LABELS)
    assert len(blank.data) == 0 and blank.layout.annotations


def test_carpct_curves_linear_percent_axis():
    """% CAR+ curves use a linear axis titled in % of CD3+ and font_size 20 in titles."""
    frame = _profiles().assign(AVAL=lambda f: f["AVAL"] / 1000, LLOQ=0.1)
    frame["plotted_value"] = frame["AVAL"].where(~frame["blq"], frame["LLOQ"])
    fig = fig_kin.carpct_curves(frame, GROUPS, LABELS, font_size=20)
    assert fig.layout.yaxis.type != "log"
    assert fig.layout.yaxis.title.text == "CAR+ T cells (% of CD3+)"
    assert fig.layout.font.size == 20


def test_persistence_chart_percent_with_n_over_n():
    """Hand-made persistence: low 1/1 at day 7; high 1/2 at day 7, 0/1 at day 90 -> 2 lines,
    y in %, text n/N, visits as categories in day order."""
    table = pd.DataFrame({
        "dose_group": [LOW, HIGH, HIGH], "dose_order": [1, 3, 3],
        "nominal_day": [7.0, 7.0, 90.0], "n_sampled": [1, 2, 1], "n_detectable": [1, 1, 0],
        "fraction": [1.0, 0.5, 0.0], "n/N": ["1/1", "1/2", "0/1"],
    })
    fig = fig_kin.persistence_chart(table, GROUPS)
    assert [t.name for t in fig.data] == [LOW, HIGH]
    assert {t.type for t in fig.data} == {"bar"} and {t.orientation for t in fig.data} == {"h"}
    high = fig.data[1]
    assert list(high.x) == [50.0, 0.0] and list(high.text) == ["1/2", "0/1"]
    assert list(high.y) == ["7", "90"] and high.xaxis == "x2"  # its own panel
    assert list(fig.layout.yaxis.categoryarray) == ["90", "7"]  # day 7 at the top
    assert list(fig.layout.xaxis.ticktext) == ["0%", "50%", "100%"]
    assert [a.text for a in fig.layout.annotations] == [LOW, HIGH]  # panel titles
    assert fig.layout.yaxis.title.text == "Nominal visit (days since infusion)"
    assert fig.layout.yaxis2.title.text is None  # axis named once
    assert high.marker.color == dose_colour_map(GROUPS)[HIGH]


def _cd7_frame() -> pd.DataFrame:
    cart = _profiles().assign(measure="Transgene")
    cd7 = pd.DataFrame({"USUBJID": ["A", "A", "B"], "dose_group": [LOW, LOW, HIGH],
                        "dose_order": [1, 1, 3], "day": [-5.0, 10.0, 14.0],
                        "AVAL": [400.0, 3.0, 0.0], "LLOQ": float("nan"), "blq": False,
                        "measure": "CD7+ lymphocytes"})
    cd7["plotted_value"] = cd7["AVAL"]
    return pd.concat([cart, cd7], ignore_index=True)


def test_cd7_vs_cart_two_panels_sharing_days():
    """Fixture: 3 transgene lines on the log top panel, 2 CD7+ lines on the bottom panel;
    the bottom panel is linear cells/µL by default."""
    fig = fig_kin.cd7_vs_cart(_cd7_frame(), GROUPS, LABELS)
    top = [t for t in _patient_traces(fig) if t.yaxis == "y"]
    bottom = [t for t in _patient_traces(fig) if t.yaxis == "y2"]
    assert (len(top), len(bottom)) == (3, 2)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "linear"
    assert fig.layout.yaxis2.title.text == "CD7+ lymphocytes (cells/µL)"
    assert fig.layout.xaxis2.title.text == "Days since infusion"
    assert fig.layout.xaxis.matches == "x2" or fig.layout.xaxis2.matches == "x"
    assert _legend_names(fig) == [LOW, HIGH]
    label = next(a for a in fig.layout.annotations if "LLOQ 50" in (a.text or ""))
    assert label.y == pytest.approx(math.log10(50)) and label.yref == "y"


def test_cd7_log_scale_says_how_many_zeros_are_not_drawn():
    """Fixture: one CD7+ value of 0 (patient B) cannot be drawn on a log axis: said so."""
    fig = fig_kin.cd7_vs_cart(_cd7_frame(), GROUPS, LABELS, cd7_log=True)
    bottom = [t for t in _patient_traces(fig) if t.yaxis == "y2"]
    assert len(bottom) == 1 and fig.layout.yaxis2.type == "log"
    assert any("1 value of 0 not drawn" in (a.text or "") for a in fig.layout.annotations)


def test_cd7_vs_cart_explains_a_missing_measure():
    """Without transgene rows (ADPC absent) the top panel says why it is empty."""
    frame = _cd7_frame()
    fig = fig_kin.cd7_vs_cart(frame[frame["measure"] != "Transgene"], GROUPS, LABELS)
    assert any("No transgene samples" in (a.text or "") for a in fig.layout.annotations)
    assert _legend_names(fig) == [LOW, HIGH]


def test_samples_after_allo_hsct_are_flagged_in_the_hover():
    """A's day-14 sample is marked as taken after allo-HSCT (hand-set flag); others are not."""
    frame = _profiles()
    frame["after_hsct"] = [False, False, True, False, False, False, False]
    fig = fig_kin.expansion_curves(frame, GROUPS, LABELS)
    a = next(t for t in _patient_traces(fig) if t.customdata[0][0] == "P01")
    texts = [row[2] for row in a.customdata]
    assert texts[-1].endswith("after allo-HSCT")
    assert not any(t.endswith("after allo-HSCT") for t in texts[:-1])


def test_persistence_labels_keep_their_size_on_narrow_bars():
    """Readable on a 1280x720 projector (house rule, ≥ 13 px): the n/N labels are written
    horizontally beside horizontal bars and never shrunk to the bar (Plotly's default
    constraintext 'both' shrank the rotated labels of grouped vertical bars to about 8 px)."""
    table = pd.DataFrame({
        "dose_group": [LOW], "dose_order": [1], "nominal_day": [7.0], "n_sampled": [3],
        "n_detectable": [3], "fraction": [1.0], "n/N": ["3/3"]})
    bar = fig_kin.persistence_chart(table, GROUPS, font_size=14).data[0]
    assert bar.constraintext == "none" and bar.textfont.size == 13
    assert bar.orientation == "h" and bar.textangle is None
    assert fig_kin.persistence_chart(table, GROUPS, font_size=20).data[0].textfont.size == 19
