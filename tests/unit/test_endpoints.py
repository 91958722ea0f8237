"""Endpoint analysis (trialdash.analysis.endpoints) on a hand-made cohort.

Fixture (times in days since infusion; E = event, C = censored):

- dose "2 units" (dose_order 1, listed second alphabetically): L1 100E, L2 200C, L3 300E
- dose "10 units" (dose_order 2): H1 50E, H2 150E, H3 250E, H4 400C, H5 500C
- X1: infused, dose "10 units", OS time missing (excluded from the estimate)
- N1: enrolled, not infused, has a stray OS row (must be ignored)

PFS equals OS except: L2 transplanted on day 120 (censored at 200 -> at 120 with the HSCT
switch) and H2 transplanted on day 100 before its day-150 event (event lost with the switch).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from fake_trial import fake_trial

from trialdash.analysis import survival as km
from trialdash.analysis.endpoints import (
    axis_ticks,
    endpoint_choices,
    landmark_name,
    survival_analysis,
    survival_summary_dict,
    survival_table,
)
from trialdash.analysis.filters import Filter
from trialdash.trial import Trial

LOW, HIGH = "2 units", "10 units"
SUBJECTS = pd.DataFrame({
    "USUBJID": ["L1", "L2", "L3", "H1", "H2", "H3", "H4", "H5", "X1", "N1"],
    "infused": ["Y"] * 9 + ["N"],
    "dose_group": [LOW] * 3 + [HIGH] * 6 + [HIGH],
    "dose_order": [1] * 3 + [2] * 7,
    "subtype": ["ALCL", "T-ALL", "ALCL", "T-ALL", "ALCL", "T-ALL", "T-ALL", "ALCL", "T-ALL",
                "T-ALL"],
    "ECOGBL": [1.0, 0.0, 1.0, 0.0, np.nan, 1.0, 0.0, 0.0, 1.0, 0.0],
})
OS_TIMES = {"L1": (100, 1), "L2": (200, 0), "L3": (300, 1), "H1": (50, 1), "H2": (150, 1),
            "H3": (250, 1), "H4": (400, 0), "H5": (500, 0), "X1": (np.nan, 0), "N1": (10, 1)}
HSCT = {"L2": (120, 0), "H2": (100, 0)}


def _adtte() -> pd.DataFrame:
    rows = []
    for paramcd, param in (("OS", "Overall survival"), ("PFS", "Progression-free survival")):
        for usubjid, (time, event) in OS_TIMES.items():
            # OS carries deliberately different HSCT columns: the analysis must never use them.
            time_h, event_h = HSCT.get(usubjid, (time, event))
            rows.append({"USUBJID": usubjid, "PARAMCD": paramcd, "PARAM": param,
                         "aval_days": float(time), "event": event,
                         "aval_days_hsct": float(time_h), "event_hsct": event_h})
    return pd.DataFrame(rows)


ENDPOINTS = pd.DataFrame({"PARAMCD": ["OS", "PFS", "DOR", "EFS"],
                          "PARAM": ["Overall survival", "Progression-free survival",
                                    "Duration of response", "Event-free survival"],
                          "n_subjects": [9, 9, 5, 9]})


def _trial(subjects: pd.DataFrame, adtte: pd.DataFrame) -> Trial:
    return fake_trial(subjects, adtte, ENDPOINTS)


@pytest.fixture()
def cohort():
    return _trial(SUBJECTS, _adtte()).cohort(Filter())


def _by_label(analysis):
    return {s.label: s for s in analysis.strata}


def test_overall_counts_exclude_missing_time_and_not_infused(cohort):
    """Hand count: 8 infused with a time (5 events), X1 excluded for a missing time, N1 not
    infused."""
    result = survival_analysis(cohort, "OS")
    assert [s.label for s in result.strata] == ["All"]
    (all_,) = result.strata
    assert (all_.n, all_.events, all_.censored) == (8, 5, 3)
    assert result.n_excluded == 1
    assert "N1" not in set(result.patients["USUBJID"])
    assert result.logrank is None
    assert result.param == "Overall survival" and result.unit == "days"
    assert str(result.count) == "9 of 9 patients"


def test_strata_in_dose_order_with_hand_computed_km(cohort):
    """Hand KM: '2 units' S(100)=2/3, S(300)=0, median 300; '10 units' S = 0.8, 0.6, 0.4 at
    50, 150, 250, median 250. Dose order puts '2 units' first although '10 units' sorts first
    alphabetically."""
    result = survival_analysis(cohort, "OS", by="dose_group")
    assert [s.label for s in result.strata] == [LOW, HIGH]
    strata = _by_label(result)
    assert strata[LOW].median == 300 and strata[HIGH].median == 250
    assert strata[LOW].survival_at(150) == pytest.approx(2 / 3)
    assert strata[HIGH].survival_at(260) == pytest.approx(0.4)
    assert result.by_label == "Dose group"


def test_landmarks_at_six_months_by_hand(cohort):
    """Hand count at 182.625 days: '2 units' S = 2/3 with 2 at risk (L2, L3); '10 units'
    S = 0.6 with 3 at risk (H3, H4, H5); 24 months is beyond follow-up (None, 0 at risk)."""
    result = survival_analysis(cohort, "OS", by="dose_group")
    six_low, _, two_years_low = result.landmarks[LOW]
    assert six_low.survival == pytest.approx(2 / 3) and six_low.at_risk == 2
    six_high = result.landmarks[HIGH][0]
    assert six_high.survival == pytest.approx(0.6) and six_high.at_risk == 3
    assert two_years_low.survival is None and two_years_low.at_risk == 0


def test_logrank_is_the_survival_module_test_on_the_same_data(cohort):
    """Wiring check: the stratified analysis reports survival.logrank on the 8 usable rows."""
    result = survival_analysis(cohort, "OS", by="dose_group")
    t = [100, 200, 300, 50, 150, 250, 400, 500]
    e = [1, 0, 1, 1, 1, 1, 0, 0]
    g = [LOW] * 3 + [HIGH] * 5
    expected = km.logrank(t, e, g)
    assert result.logrank.df == 1
    assert result.logrank.chisq == pytest.approx(expected.chisq)
    assert result.logrank.p == pytest.approx(expected.p)


def test_no_logrank_when_filter_leaves_one_stratum():
    """Filter to '10 units' only: one stratum with data, so no test."""
    trial = _trial(SUBJECTS[SUBJECTS["dose_group"] == HIGH], _adtte())
    result = survival_analysis(trial.cohort(Filter.of([HIGH])), "OS", by="dose_group")
    assert [s.label for s in result.strata] == [HIGH]
    assert result.logrank is None


def test_subtype_strata_in_canonical_order(cohort):
    """T-ALL comes before ALCL in the clinical order (alphabetically it would not).
    Hand count: T-ALL = L2, H1, H3, H4 (X1 excluded) -> n 4; ALCL = L1, L3, H2, H5 -> n 4."""
    result = survival_analysis(cohort, "OS", by="subtype")
    assert [(s.label, s.n) for s in result.strata] == [("T-ALL", 4), ("ALCL", 4)]


def test_any_adsl_column_with_missing_group(cohort):
    """ECOGBL 0/1 as '0', '1', and H2's missing value as 'Missing', last.
    Hand count: '0' = L2, H1, H4, H5; '1' = L1, L3, H3 (X1 excluded); Missing = H2."""
    result = survival_analysis(cohort, "OS", by="ECOGBL")
    assert [(s.label, s.n) for s in result.strata] == [("0", 4), ("1", 3), ("Missing", 1)]
    assert result.by_label == "ECOGBL"
    with pytest.raises(ValueError, match="not an ADSL column"):
        survival_analysis(cohort, "OS", by="NOSUCHVAR")


def test_censor_at_hsct_for_pfs(cohort):
    """Hand count: with the switch, H2's day-150 event becomes a censoring at day 100 and L2's
    censoring moves to day 120: '10 units' events 3 -> 2; note names 2 patients, 1 event."""
    plain = _by_label(survival_analysis(cohort, "PFS", by="dose_group"))
    censored = survival_analysis(cohort, "PFS", by="dose_group", censor_at_hsct=True)
    assert plain[HIGH].events == 3 and _by_label(censored)[HIGH].events == 2
    assert 120.0 in _by_label(censored)[LOW].censor_times
    assert censored.censored_at_hsct
    assert censored.censoring_note == (
        "PFS censored at consolidative allo-HSCT: 2 patients (1 later event not counted).")
    statuses = censored.patients.set_index("USUBJID")["status"]
    assert statuses["H2"] == "censored at allo-HSCT" and statuses["H1"] == "event"


def test_censor_at_hsct_is_ignored_for_os(cohort):
    """OS never uses the HSCT columns (the fixture gives OS different ones on purpose)."""
    result = survival_analysis(cohort, "OS", by="dose_group", censor_at_hsct=True)
    assert not result.censored_at_hsct
    assert _by_label(result)[HIGH].events == 3  # H1, H2, H3: unchanged
    assert "ignored for OS" in result.censoring_note


def test_reverse_km_followup_by_hand(cohort):
    """Hand reverse KM over the 8 OS times: censorings at 200 (5 at risk), 400 (2 at risk) and
    500 -> 0.8, 0.4: median follow-up 400 days."""
    result = survival_analysis(cohort, "OS", by="dose_group")
    assert result.followup.median == 400
    assert result.followup.n == 8


def test_small_numbers_caution():
    """9 patients trigger the caution (< 10); 10 patients with 5 events do not."""
    def analysis(n_patients):
        ids = [f"P{i}" for i in range(n_patients)]
        subjects = pd.DataFrame({"USUBJID": ids, "infused": "Y", "dose_group": "D",
                                 "dose_order": 1, "subtype": "T-ALL"})
        adtte = pd.DataFrame({"USUBJID": ids, "PARAMCD": "OS", "PARAM": "Overall survival",
                              "aval_days": [10.0 * (i + 1) for i in range(n_patients)],
                              "event": [i % 2 for i in range(n_patients)]})
        adtte["aval_days_hsct"], adtte["event_hsct"] = adtte["aval_days"], adtte["event"]
        trial = _trial(subjects, adtte)
        return survival_analysis(trial.cohort(), "OS")

    assert analysis(10).caution is None
    assert "All: 9 patients, 4 events" in analysis(9).caution


def test_summary_dict_shape_and_native_types(cohort):
    """Exact keys, JSON-serialisable, None beyond follow-up, hand values from the fixture."""
    result = survival_analysis(cohort, "OS", by="dose_group")
    summary = survival_summary_dict(result, (182.625, 730.5))
    json.dumps(summary, allow_nan=False)  # raises on numpy types and on NaN
    assert set(summary) == {"endpoint", "by", "unit", "strata", "logrank"}
    assert (summary["endpoint"], summary["by"], summary["unit"]) == ("OS", "dose_group", "days")
    low = summary["strata"][0]
    assert set(low) == {"group", "n", "events", "median", "median_ci", "landmarks"}
    assert (low["group"], low["n"], low["events"], low["median"]) == (LOW, 3, 2, 300.0)
    six, two_years = low["landmarks"]
    assert six["survival"] == pytest.approx(2 / 3) and six["at_risk"] == 2
    assert type(six["ci"][0]) is float and type(six["at_risk"]) is int
    assert two_years == {"time": 730.5, "label": "24 months", "survival": None,
                         "ci": [None, None], "at_risk": 0}
    assert set(summary["logrank"]) == {"chisq", "df", "p"}
    assert type(summary["logrank"]["df"]) is int


def test_summary_dict_without_strata_has_null_logrank(cohort):
    summary = survival_summary_dict(survival_analysis(cohort, "OS"))
    assert summary["by"] is None and summary["logrank"] is None
    assert not any(isinstance(v, float) and math.isnan(v)
                   for s in summary["strata"] for v in s["median_ci"] if v is not None)


def test_survival_table_text(cohort):
    """One column per stratum in dose order; hand values: '2 units' n 3, 2 events, 1 censored,
    median 300; S(6 months) = 66.7% with 2 at risk; 24 months beyond follow-up."""
    table = survival_table(survival_analysis(cohort, "OS", by="dose_group"), unit="days")
    assert list(table.columns) == ["Statistic", LOW, HIGH]
    low = dict(zip(table["Statistic"], table[LOW], strict=True))
    assert (low["Patients (n)"], low["Events (n)"], low["Censored (n)"]) == ("3", "2", "1")
    assert low["Median, days (95% CI)"].startswith("300 (")
    assert low["6 months: % (95% CI); at risk"].startswith("66.7% (")
    assert low["6 months: % (95% CI); at risk"].endswith("; 2 at risk")
    assert low["24 months: % (95% CI); at risk"] == "beyond follow-up; 0 at risk"
    months = survival_table(survival_analysis(cohort, "OS", by="dose_group"), unit="months")
    assert months.loc[3, HIGH].startswith(f"{250 / 30.4375:.1f} (")


def test_at_risk_default_ticks_every_60_days(cohort):
    """Max time 500 days: 30-day steps need 17 > 12, 60-day steps 9 -> ticks 0..480 by 60.
    Hand count at day 240: '2 units' L3 (300) -> 1; '10 units' H3, H4, H5 -> 3."""
    result = survival_analysis(cohort, "OS", by="dose_group")
    assert list(result.at_risk.columns) == [60.0 * i for i in range(9)]
    assert result.at_risk.loc[LOW, 240.0] == 1 and result.at_risk.loc[HIGH, 240.0] == 3
    assert result.at_risk.loc[HIGH, 0.0] == 5


def test_axis_ticks_months():
    """37 months: 3-month steps need 12.2 steps (> 12) -> 6-month steps, 0..36 months."""
    ticks = axis_ticks(37 * 30.4375, "months")
    assert ticks == pytest.approx([6 * 30.4375 * i for i in range(7)])
    assert axis_ticks(0.0) == [0.0]


def test_landmark_names():
    assert [landmark_name(t) for t in (182.625, 365.25, 730.5, 30.4375, 100)] == [
        "6 months", "12 months", "24 months", "1 month", "100 days"]


def test_endpoint_choices_lists_every_paramcd(cohort):
    """Every PARAMCD from the endpoints query, OS/PFS/DOR first, from a cohort or a trial."""
    choices = endpoint_choices(cohort)
    assert list(choices["PARAMCD"]) == ["OS", "PFS", "DOR", "EFS"]
    assert list(choices.columns) == ["PARAMCD", "PARAM", "n_subjects"]
    assert list(endpoint_choices(cohort.trial)["PARAMCD"]) == list(choices["PARAMCD"])


def test_endpoint_choices_on_the_synthetic_snapshot(trial):
    """The snapshot's ADTTE holds OS, PFS and DOR, listed first in that order."""
    codes = list(endpoint_choices(trial)["PARAMCD"])
    assert codes[:3] == ["OS", "PFS", "DOR"]
