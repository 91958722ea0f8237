"""Enrollment, disposition, key figures and the 3+3 ledger on the tiny hand-written trial
(counts by eye, see tiny_trial.py) and the default synthetic trial (clinical-profile.md)."""

from __future__ import annotations

import pytest
from tiny_trial import build_tiny

from trialdash.analysis import enrollment, overview
from trialdash.analysis.filters import Filter
from trialdash.figures import enrollment as figures
from trialdash.trial import Trial

LOW, HIGH = "0.25 x10^6 cells/kg", "1.0 x10^6 cells/kg"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Trial:
    return Trial.open(build_tiny(tmp_path_factory.mktemp("tiny") / "tiny.duckdb"))


def test_flow_counts_each_step_by_dose(tiny):
    """Tiny trial: S1 (0.25) infused; S2 (1.0) infused; S3 (1.0) enrolled, not infused;
    S4 screen failure (not enrolled)."""
    flow = enrollment.disposition(tiny.cohort()).flow.set_index("step")
    assert flow.loc["Enrolled"].to_dict() == {LOW: 1, HIGH: 2, "Overall": 3}
    assert flow.loc["Infused"].to_dict() == {LOW: 1, HIGH: 1, "Overall": 2}
    assert flow.loc["Lymphodepleted"].to_dict() == {LOW: 1, HIGH: 1, "Overall": 2}


def test_reasons_not_infused(tiny):
    reasons = enrollment.disposition(tiny.cohort()).not_infused
    assert reasons[["dose_group", "reason", "n"]].values.tolist() == [
        [HIGH, "Manufacturing failure", 1]]


def test_cumulative_enrollment_in_consent_order(tiny):
    """Consent dates: S1 2022-12-20, S2 2023-02-10, S3 2023-02-15 (S4 not enrolled)."""
    frame = enrollment.cumulative_enrollment(tiny.cohort())
    assert list(frame["USUBJID"]) == ["S1", "S2", "S3"]
    assert list(frame["cumulative"]) == [1, 2, 3]


def test_cumulative_enrollment_marks_patients_not_infused_open(tiny):
    """Tiny trial: S1 (0.25) #1 and S2 (1.0) #2 infused, filled markers; S3 (1.0) #3 not
    infused, an open marker in the 1.0 group's legend group (drawn under the filled ones),
    not a legend entry of its own; hover names the patient by its label and says whether it
    was infused."""
    fig = figures.cumulative_enrollment(enrollment.cumulative_enrollment(tiny.cohort()),
                                        [LOW, HIGH], labels={"S3": "P-3"})
    markers = [t for t in fig.data if t.mode == "markers"]
    assert [(t.legendgroup, t.marker.symbol, list(t.y), bool(t.showlegend))
            for t in markers] == [(LOW, "circle", [1], True), (HIGH, "circle-open", [3], False),
                                  (HIGH, "circle", [2], True)]
    assert list(markers[1].text) == ["P-3"] and list(markers[2].text) == ["S2"]
    assert "(not infused)" in markers[1].hovertemplate
    assert "(infused)" in markers[2].hovertemplate


def test_cumulative_enrollment_of_many_patients_draws_webgl_markers_and_one_step_per_date():
    """Hand-made: 600 patients consented on 30 dates (20 a day), every one infused, one dose
    group: the markers are WebGL points, all 600 of them; the step line has one point per
    date, at the count reached that day (20, 40, ... 600)."""
    import pandas as pd

    dates = pd.date_range("2024-01-01", periods=30).repeat(20)
    enrolled = pd.DataFrame({"USUBJID": [f"S{i}" for i in range(600)], "date": dates,
                             "dose_group": LOW, "COHORT": "1", "infused": "Y",
                             "cumulative": range(1, 601)})
    fig = figures.cumulative_enrollment(enrolled, [LOW])
    line, *markers = fig.data
    assert [t.type for t in markers] == ["scattergl"]
    assert len(markers[0].x) == 600
    assert list(line.y) == list(range(20, 601, 20)) and len(line.x) == 30


def test_baseline_table_counts_infused_patients(tiny):
    """Infused: S1 (M, 20 y, T-ALL) and S2 (F, 60 y, AITL)."""
    table = enrollment.baseline_characteristics(tiny.cohort()).set_index("Characteristic")
    assert table.loc["N", "Overall"] == "2"
    assert table.loc["Age, years: median (range)", "Overall"] == "40 (20–60)"
    assert table.loc["Sex: female", "Overall"] == "1 (50%)"
    assert table.loc["Disease subtype: AITL", HIGH] == "1 (100%)"


def test_key_figures_on_tiny_trial(tiny):
    """ORR: S1 CR (T-ALL responder), S2 PD -> 1/2; deaths 1/2 (S2)."""
    figures_ = overview.key_figures(tiny.cohort())
    assert (figures_.enrolled, figures_.infused) == (3, 2)
    assert (figures_.orr.k, figures_.orr.n) == (1, 2)
    assert (figures_.complete_response.k, figures_.deaths.k) == (1, 1)


def test_escalation_ledger_of_the_synthetic_trial(trial):
    """clinical-profile.md: 0.25 n=3 0 DLT, 0.5 n=3 0 DLT, 1.0 n=8 (6 escalation with 1 DLT,
    2 expansion) -> escalate, escalate, tolerated at the highest dose; MTD not exceeded."""
    ledger, mtd = overview.escalation(trial.cohort())
    assert ledger[["treated", "expansion", "evaluable", "dlts"]].values.tolist() == [
        [3, 0, 3, 0], [3, 0, 3, 0], [8, 2, 6, 1]]
    assert list(ledger["decision"]) == ["Escalate", "Escalate", "Tolerated (highest dose)"]
    assert mtd == "1.0 x10^6 cells/kg"


def test_filter_narrows_key_figures(trial):
    """Only T-ALL: 5 infused patients."""
    figures_ = overview.key_figures(trial.cohort(Filter.of(subtypes=["T-ALL"])))
    assert figures_.infused == 5 and figures_.count.kept == 5 and figures_.count.total == 14


def test_enrollment_figures(trial):
    """Bars stacked by subtype in dose order; cumulative plot in calendar or relative time."""
    cohort = trial.cohort()
    doses = trial.dose_groups
    bars = figures.enrollment_by_dose(enrollment.enrollment_by_dose_subtype(cohort), doses)
    assert bars.layout.barmode == "stack"
    assert [t.name for t in bars.data if t.type == "bar"] == ["T-ALL", "T-LBL", "PTCL-NOS",
                                                               "AITL", "ALCL"]
    assert bars.layout.yaxis.title.text == "Patients (n)"
    data = enrollment.cumulative_enrollment(cohort)
    calendar = figures.cumulative_enrollment(data, doses)
    relative = figures.cumulative_enrollment(data, doses, calendar=False)
    assert calendar.layout.xaxis.title.text == "Date of consent"
    assert relative.layout.xaxis.title.text == "Months since first consent"
    assert min(relative.data[0].x) == 0
    assert [t.name for t in calendar.data if t.mode == "markers" and t.showlegend] == doses
    flow = figures.patient_flow(enrollment.disposition(cohort).flow, doses)
    assert [t.name for t in flow.data] == doses


def test_time_on_study_beside_reverse_km_follow_up(tiny):
    """Hand count: S1 infused 2023-01-10, last alive 2023-12-31 = 355 days; S2 infused
    2023-03-01, died 2023-05-01 = 61 days -> median 208 (61-355) days. The reverse-KM median
    (S2's death is a censoring, S1's last contact the only 'event') is 355 days."""
    figures_ = overview.key_figures(tiny.cohort())
    assert figures_.time_on_study_days == (208.0, 61.0, 355.0)
    assert figures_.median_followup_days == 355.0
    assert overview.time_on_study_text(figures_.time_on_study_days) == (
        "Time on study: median 6.8 mo (range 2.0–11.7)")
