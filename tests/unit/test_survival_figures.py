"""Kaplan-Meier figure (trialdash.figures.survival) on a hand-made cohort.

Fixture (days since infusion; E = event, C = censored): dose "low" (dose order 1)
A1 30E, A2 90C, A3 200E; dose "high" (dose order 2) B1 60E, B2 120C, B3 400C.
The trial has a third, unused dose group "mid" between them, so "high" is the third colour.
"""

from __future__ import annotations

import pandas as pd
import pytest
from fake_trial import fake_trial

from trialdash.analysis.endpoints import survival_analysis
from trialdash.analysis.filters import Filter
from trialdash.figures.survival import group_colours, km_plot
from trialdash.style import dose_colour_map, subtype_colour_map
from trialdash.trial import Trial
from trialdash.units import DAYS_PER_MONTH

DOSES = ["low", "mid", "high"]
TIMES = {"A1": (30, 1), "A2": (90, 0), "A3": (200, 1), "B1": (60, 1), "B2": (120, 0),
         "B3": (400, 0)}


def _trial(paramcd: str = "OS", param: str = "Overall survival") -> Trial:
    ids = list(TIMES)
    subjects = pd.DataFrame({
        "USUBJID": ids, "infused": "Y",
        "dose_group": ["low"] * 3 + ["high"] * 3, "dose_order": [1] * 3 + [3] * 3,
        "subtype": ["T-ALL", "T-LBL", "T-ALL", "T-LBL", "T-ALL", "T-LBL"],
    })
    adtte = pd.DataFrame({
        "USUBJID": ids, "PARAMCD": paramcd, "PARAM": param,
        "aval_days": [float(TIMES[i][0]) for i in ids], "event": [TIMES[i][1] for i in ids],
    })
    adtte["aval_days_hsct"], adtte["event_hsct"] = adtte["aval_days"], adtte["event"]
    return fake_trial(subjects, adtte)


@pytest.fixture()
def by_dose():
    return survival_analysis(_trial().cohort(Filter()), "OS", by="dose_group")


def _named(fig, prefix):
    return [t for t in fig.data if (t.name or "").startswith(prefix)]


def test_one_step_curve_per_stratum_in_dose_colours(by_dose):
    """Curves are step ('hv') lines coloured by the trial's fixed dose colours: 'high' keeps
    the third colour although 'mid' has no patients."""
    colours = group_colours(by_dose, DOSES, [])
    fig = km_plot(by_dose, colours, "days", False, 14)
    curves = [t for t in fig.data if t.mode == "lines" and t.showlegend is not False]
    assert [c.name for c in curves] == ["low (n=3, 2 events)", "high (n=3, 1 event)"]
    assert all(c.line.shape == "hv" for c in curves)
    assert [c.line.color for c in curves] == [dose_colour_map(DOSES)["low"],
                                              dose_colour_map(DOSES)["high"]]


def test_trace_count_with_and_without_band(by_dose):
    """Per stratum: curve, censor ticks, at-risk text (+ lower and upper band with show_ci);
    plus one 'Censored' legend entry: 2 x 3 + 1 = 7, and 2 x 5 + 1 = 11 with bands."""
    assert len(km_plot(by_dose, None, "days", False, 14).data) == 7
    assert len(km_plot(by_dose, None, "days", True, 14).data) == 11


def test_axis_titles_with_units_and_months_conversion(by_dose):
    """Months = days / 30.4375 on the x values; titles carry the unit and the origin."""
    fig = km_plot(by_dose, None, "months", False, 14)
    assert fig.layout.xaxis.title.text == "Months since infusion"
    assert fig.layout.yaxis.title.text == "Survival probability (%)"
    low = _named(fig, "low (")[0]
    assert list(low.x) == pytest.approx([0, 30 / DAYS_PER_MONTH, 90 / DAYS_PER_MONTH,
                                         200 / DAYS_PER_MONTH])
    assert list(low.y) == pytest.approx([100, 100 * 2 / 3, 100 * 2 / 3, 0])
    assert km_plot(by_dose, None, "days", False, 14).layout.xaxis.title.text == (
        "Days since infusion")


def test_dor_axis_says_since_first_response():
    analysis = survival_analysis(_trial("DOR", "Duration of response").cohort(), "DOR")
    fig = km_plot(analysis, None, "days", False, 14)
    assert fig.layout.xaxis.title.text == "Days since first response"


def test_at_risk_numbers_sit_under_the_ticks(by_dose):
    """Max time 400 days -> ticks every 60 days (0..360). Hand count (at risk = time >= tick):
    day 60: low A2, A3 -> 2, high B1 (event at 60), B2, B3 -> 3; day 120: low A3 -> 1,
    high B2, B3 -> 2. The text x positions equal the axis tick values."""
    fig = km_plot(by_dose, None, "days", False, 14)
    rows = [t for t in fig.data if t.mode == "text"]
    assert [list(r.y)[0] for r in rows] == [0, 1]
    assert list(rows[0].x) == list(fig.layout.xaxis.tickvals) == [0, 60, 120, 180, 240, 300,
                                                                  360]
    assert list(rows[0].text) == ["3", "2", "1", "1", "0", "0", "0"]
    assert list(rows[1].text) == ["3", "3", "2", "1", "1", "1", "1"]
    assert fig.layout.xaxis2.matches == "x"
    assert [t.text for t in fig.layout.annotations] == ["<b>Number at risk</b>"]


def test_censor_marks_on_the_curve_with_patient_labels(by_dose):
    """A2 censored at 90 on the low curve at 66.7%; hover shows the pseudonym, not USUBJID."""
    fig = km_plot(by_dose, None, "days", False, 14, labels={"A2": "P02"})
    marks = [t for t in fig.data if t.mode == "markers+text" and t.legendgroup == "low"]
    (mark,) = marks
    assert list(mark.x) == [90] and list(mark.y) == pytest.approx([100 * 2 / 3])
    assert mark.marker.symbol == "line-ns-open"
    assert mark.customdata[0][0] == "P02"
    assert "A2" not in str(mark.customdata)


def test_band_is_step_shaped_and_filled(by_dose):
    """The upper band fills down to the lower one, both 'hv'; low's band stops at day 200,
    where S reaches 0 and the interval is undefined."""
    fig = km_plot(by_dose, None, "days", True, 14)
    lower, upper = [t for t in fig.data if t.legendgroup == "low" and t.line.width == 0]
    assert upper.fill == "tonexty" and lower.line.shape == upper.line.shape == "hv"
    assert max(upper.x) == 200


def test_hover_has_time_survival_ci_and_at_risk(by_dose):
    fig = km_plot(by_dose, None, "days", False, 14)
    template = _named(fig, "high (")[0].hovertemplate
    assert "Day %{x:.0f}" in template and "95% CI" in template and "At risk" in template


def test_logrank_in_subtitle_and_font_size(by_dose):
    fig = km_plot(by_dose, None, "days", False, 20, show_logrank=True)
    assert fig.layout.title.subtitle.text.startswith("Log-rank p")
    assert km_plot(by_dose, None, "days", False, 20).layout.title.subtitle.text is None
    assert fig.layout.font.size == 20


def test_subtype_colours_and_default_palette():
    analysis = survival_analysis(_trial().cohort(), "OS", by="subtype")
    """Subtypes take their fixed colours; another variable (here one group per patient) takes
    distinct palette colours."""
    assert group_colours(analysis, DOSES, ["T-ALL", "T-LBL"]) == subtype_colour_map(
        ["T-ALL", "T-LBL"])
    other = survival_analysis(_trial().cohort(), "OS", by="USUBJID")
    colours = group_colours(other, DOSES, [])
    assert len(set(colours.values())) == 6


def test_empty_figure_without_patients():
    analysis = survival_analysis(_trial().cohort(), "PFS")
    fig = km_plot(analysis, None, "days", False, 14)
    assert len(fig.data) == 0
    assert "No patients with PFS data" in fig.layout.annotations[0].text


def test_patients_censored_at_the_same_time_are_counted_beside_the_tick():
    """Hand-made: A2 and A3 both censored at day 90 on the low curve (one tick), A1 an event
    at 30. The tick at 90 says '×2'; a single censoring (B2 at 120) has no count. The page's
    caption names the same mark the plot draws ('|', Plotly's line-ns-open)."""
    from trialdash.figures.survival import CENSOR_NOTE

    trial = _trial()
    adtte = trial.run("time_to_event", subjects=list(TIMES), paramcd="OS").copy()
    adtte.loc[adtte["USUBJID"] == "A3", ["aval_days", "aval_days_hsct"]] = 90.0
    adtte.loc[adtte["USUBJID"] == "A3", ["event", "event_hsct"]] = 0
    subjects = trial.run("subjects")
    analysis = survival_analysis(fake_trial(subjects, adtte).cohort(), "OS", by="dose_group")
    fig = km_plot(analysis, None, "days", False, 14)
    low = [t for t in fig.data if t.mode == "markers+text" and t.legendgroup == "low"][0]
    high = [t for t in fig.data if t.mode == "markers+text" and t.legendgroup == "high"][0]
    assert list(low.x) == [90] and list(low.text) == ["×2"]
    assert list(high.x) == [120, 400] and list(high.text) == ["", ""]
    assert low.marker.symbol == "line-ns-open" and CENSOR_NOTE.startswith("| = censored")


def test_legend_space_accounts_for_the_left_margin():
    """Long stratum labels widen the left margin, leaving the legend less width, so the top
    margin grows with the lines the legend then needs. Hand count with the estimate of
    _legend_lines (0.55 em per character + 50 px per item) at 14 px for the allo-HSCT
    landmark labels: items of 343, 320 and 112 ('Censored') px; the left margin for the
    22-character label 'No allo-HSCT by day 60' is 22 x 14 x 0.52 + 36 = 196 px, leaving
    790 - 196 = 594 px: two lines (one line only in the full 790 px). Seen at 1280x720: the
    one-line estimate let the second legend line cover the title."""
    from trialdash.figures.survival import FIGURE_WIDTH_PX, _legend_lines

    names = ["No allo-HSCT by day 60 (n=7, 4 events)", "allo-HSCT by day 60 (n=2, 0 events)",
             "Censored"]
    assert _legend_lines(names, 14, FIGURE_WIDTH_PX - 196) == 2
    assert _legend_lines(names, 14, FIGURE_WIDTH_PX) == 1


def test_censor_hover_names_a_few_patients_and_counts_the_rest(monkeypatch):
    """Hand-made as above: A2 and A3 censored at day 90 on the low curve. With room for one
    name the hover names A2's label and counts A3 ('P02 and 1 more'); with the default room
    (10) both are named, in the order of the analysis."""
    from trialdash.figures import survival as figures

    trial = _trial()
    adtte = trial.run("time_to_event", subjects=list(TIMES), paramcd="OS").copy()
    adtte.loc[adtte["USUBJID"] == "A3", ["aval_days", "aval_days_hsct"]] = 90.0
    adtte.loc[adtte["USUBJID"] == "A3", ["event", "event_hsct"]] = 0
    analysis = survival_analysis(fake_trial(trial.run("subjects"), adtte).cohort(), "OS",
                                 by="dose_group")
    labels = {"A2": "P02", "A3": "P03"}

    def low_tick(fig):
        return [t for t in fig.data if t.mode == "markers+text" and t.legendgroup == "low"][0]

    assert low_tick(km_plot(analysis, None, "days", False, 14, labels)).customdata[0][0] == (
        "P02, P03")
    monkeypatch.setattr(figures, "CENSOR_HOVER_NAMES", 1)
    assert low_tick(km_plot(analysis, None, "days", False, 14, labels)).customdata[0][0] == (
        "P02 and 1 more")
