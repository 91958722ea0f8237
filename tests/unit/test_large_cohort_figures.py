"""Per-patient figures stay readable on a large synthetic cohort (200 infused patients, built
with ``build_synthetic(patients=200)``) and look as before on the 14-patient trial.

Counts: a page holds 50 patients (trialdash.analysis.paging.PAGE_SIZE); the kinetics plot
summarises above 30 patients (figures.kinetics.INDIVIDUAL_CURVES_MAX); the synthetic trial has
three dose groups.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from trialdash.analysis import kinetics, paging, safety
from trialdash.analysis.swimmer import swimmer_lanes
from trialdash.figures import kinetics as fig_kin
from trialdash.figures import response as fig_rsp
from trialdash.figures import safety as fig_saf
from trialdash.trial import Trial

PATIENTS = 200


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Trial:
    from trialdash.build import build_synthetic

    path = build_synthetic(tmp_path_factory.mktemp("large") / "large.duckdb", patients=PATIENTS)
    return Trial.open(path)


def _lane_count(fig: go.Figure) -> int:
    return len(fig.layout.yaxis.categoryarray)


def test_swimmer_page_has_fifty_lanes_and_says_so(large):
    lanes, events = swimmer_lanes(large.cohort(), "duration")
    assert len(lanes) == PATIENTS
    page = paging.patient_page(lanes["USUBJID"], 1)
    fig = fig_rsp.swimmer(paging.rows_of(lanes, page), events, shown_note=page.describe())
    assert _lane_count(fig) == 50
    # The 51st to 100th longest lanes, in that order (top to bottom = reversed categories).
    assert list(fig.layout.yaxis.categoryarray[::-1]) == list(lanes["USUBJID"].iloc[50:100])
    assert "50 of 200 patients shown (51–100)" in fig.layout.title.text
    # Markers only for the lanes shown.
    shown = set(lanes["USUBJID"].iloc[50:100])
    for trace in fig.data:
        assert {str(c) for c in trace.customdata if c is not None} <= shown


def test_swimmer_of_the_trial_is_unpaged(trial):
    """The 14-patient trial: 14 lanes, no 'shown' line under the title."""
    lanes, events = swimmer_lanes(trial.cohort(), "duration")
    page = paging.patient_page(lanes["USUBJID"])
    assert not page.paged
    fig = fig_rsp.swimmer(paging.rows_of(lanes, page), events)
    assert _lane_count(fig) == 14 and "<sup>" not in fig.layout.title.text


def test_patient_heatmap_page_has_fifty_columns(large):
    worst = safety.worst_grade_by_patient_term(large.cohort(), 28)
    order = paging.in_dose_order(worst)
    last = paging.patient_page(order, 99)
    fig = fig_saf.patient_term_heatmap(paging.rows_of(worst, last), None, 14, 28,
                                       last.describe())
    heatmap = fig.data[0]
    assert len(heatmap.x) == last.shown == len(order) - 50 * (last.pages - 1)
    assert list(heatmap.x) == order[50 * (last.pages - 1):]
    first = paging.patient_page(order, 0)
    fig = fig_saf.patient_term_heatmap(paging.rows_of(worst, first), None, 14, 28,
                                       first.describe())
    assert len(fig.data[0].x) == 50
    assert f"50 of {len(order)} patients shown (1–50)" in fig.layout.title.text


def _kinds(fig: go.Figure) -> list[str]:
    return [type(t).__name__ for t in fig.data]


def _band_traces(fig: go.Figure) -> list:
    return [t for t in fig.data if t.fill == "tonexty"]


def _median_traces(fig: go.Figure) -> list:
    return [t for t in fig.data if (t.name or "").startswith("Median, ")]


def test_kinetics_large_cohort_bands_only_by_default(large):
    """Above 30 patients without individual curves: one IQR band and one median line per dose
    group (3), one legend entry per group, no patient trace."""
    profiles = kinetics.transgene_profiles(large.cohort())
    assert profiles.samples["USUBJID"].nunique() > fig_kin.INDIVIDUAL_CURVES_MAX
    band = kinetics.median_band_by_dose(profiles)
    fig = fig_kin.expansion_curves(profiles.samples, large.dose_groups, None, True, band,
                                   show_curves=False)
    assert len(_band_traces(fig)) == len(_median_traces(fig)) == 3
    assert "Scattergl" not in _kinds(fig)
    legend = [t.name for t in fig.data if t.showlegend is not False and t.x == (None,)]
    assert set(large.dose_groups) <= set(legend)
    assert len(fig.data) < 20


def test_kinetics_large_cohort_curves_are_one_webgl_line_trace_per_group(large):
    """Individual curves on demand: every sample drawn, in three Scattergl line traces whose
    patients are separated by a gap (one NaN between consecutive patients), and marked once
    in WebGL marker traces of the group, the BLQ samples open."""
    profiles = kinetics.transgene_profiles(large.cohort())
    samples = profiles.samples.dropna(subset=["plotted_value", "day"])
    band = kinetics.median_band_by_dose(profiles)
    fig = fig_kin.expansion_curves(profiles.samples, large.dose_groups, None, True, band,
                                   show_curves=True)
    gl = [t for t in fig.data if isinstance(t, go.Scattergl)]
    lines = [t for t in gl if t.mode == "lines"]
    assert len(lines) == 3 and len(_band_traces(fig)) == 3
    for trace in lines:
        part = samples[samples["dose_group"] == trace.name]
        gaps = int(np.isnan(trace.x).sum())
        assert gaps == part["USUBJID"].nunique() - 1
        assert len(trace.x) - gaps == len(part)
        markers = [t for t in gl if t.mode == "markers" and t.legendgroup == trace.name]
        assert sum(len(t.x) for t in markers) == len(part)
        assert sum(len(t.x) for t in markers
                   if t.marker.symbol == "circle-open") == int(part["blq"].sum())
    cd7 = fig_kin.cd7_vs_cart(kinetics.cd7_with_cart(large.cohort()).frame, large.dose_groups)
    assert len(cd7.data) < 20 and "Scattergl" in _kinds(cd7)


def test_kinetics_trial_keeps_one_line_per_patient(trial):
    """The 14-patient trial: one Scatter per sampled patient, named by its label, no WebGL."""
    profiles = kinetics.transgene_profiles(trial.cohort())
    fig = fig_kin.expansion_curves(profiles.samples, trial.dose_groups)
    sampled = profiles.samples.dropna(subset=["plotted_value"])["USUBJID"].unique()
    names = {t.name for t in fig.data}
    assert set(sampled) <= names
    assert "Scattergl" not in _kinds(fig)


def test_patient_heatmap_numbers_cells_only_while_they_fit(large, trial):
    """Up to 25 columns every graded cell prints its grade (the 14-patient trial); a page of 50
    prints only the '?' of ungraded cells."""
    worst = safety.worst_grade_by_patient_term(large.cohort(), 28)
    page = paging.patient_page(paging.in_dose_order(worst), 0)
    wide = fig_saf.patient_term_heatmap(paging.rows_of(worst, page))
    assert {t for row in wide.data[0].text for t in row} <= {"", "?"}
    small = fig_saf.patient_term_heatmap(safety.worst_grade_by_patient_term(trial.cohort(), 28))
    assert {"1", "2", "3"} <= {t for row in small.data[0].text for t in row}
