"""OS by consolidative allo-HSCT with a landmark (trialdash/analysis/hsct_landmark.py).

Hand-made cohort, landmark day 60 (days since infusion):
- H1 T-ALL CR d28, allo-HSCT d50, OS censored 400 -> transplanted group, 340 censored.
- H2 T-ALL CR d28, allo-HSCT d90 (after the landmark) -> not-transplanted group, died 200
  -> 140 event.
- H3 T-ALL CR d28, progressed d45 -> not in response at 60: out.
- H4 T-ALL PD d28 (non-responder): out.
- H5 T-ALL CR d28, died d50 (before the landmark): out.
- H6 T-LBL PR d30 (responder under Lugano), died 300 -> not transplanted, 240 event.
- H7 T-ALL CR first at d70 (after the landmark): out.
Hand count: 3 at the landmark (H1, H2, H6), 4 out. Not transplanted: events at 140 and 240,
KM exactly 1/2 on [140, 240), so the median is the midpoint 190 days from the landmark
(R survival::survfit's convention, as the module's other medians); transplanted: 1
patient, censored at 340.
"""

from __future__ import annotations

import pandas as pd
from fake_trial import fake_trial

from trialdash.analysis import hsct_landmark as hl
from trialdash.figures.survival import km_plot
from trialdash.trial import Trial

IDS = ["H1", "H2", "H3", "H4", "H5", "H6", "H7"]


def _trial() -> Trial:
    subjects = pd.DataFrame({
        "USUBJID": IDS, "infused": "Y", "dose_group": "1.0", "dose_order": 1,
        "subtype": ["T-ALL"] * 5 + ["T-LBL", "T-ALL"], "EFFFL": "Y",
        "hsct_day": [50, 90, None, None, None, None, None],
        "pd_day": [None, None, 45, 28, None, None, None],
    })
    # As DuckDB returns INTEGER columns: nullable integers, blanks as <NA>.
    subjects = subjects.astype({"hsct_day": "Int64", "pd_day": "Int64"})
    adrs = pd.DataFrame({
        "USUBJID": IDS, "PARAMCD": "OVR", "AVALC": ["CR", "CR", "CR", "PD", "CR", "PR", "CR"],
        "day": [28, 28, 28, 28, 28, 30, 70], "CRIT": None,
    })
    os_days = [400, 200, 300, 100, 50, 300, 500]
    events = [0, 1, 1, 1, 1, 1, 0]
    adtte = pd.DataFrame({"USUBJID": IDS, "PARAMCD": "OS", "PARAM": "Overall survival",
                          "aval_days": [float(d) for d in os_days], "event": events})
    adtte["aval_days_hsct"], adtte["event_hsct"] = adtte["aval_days"], adtte["event"]
    base = fake_trial(subjects, adtte)

    def run(name: str, **params) -> pd.DataFrame:
        if name == "response_assessments":
            return adrs[adrs["USUBJID"].isin(params["subjects"])].reset_index(drop=True)
        return base.run(name, **params)

    return Trial(run, {"source_kind": "adam",
                       "row_counts": {"adsl": 7, "adrs": 7, "adtte": 7}})


def test_landmark_population_groups_and_times():
    result = hl.hsct_landmark(_trial().cohort(), "OS", 60)
    assert (result.n_at_landmark, result.n_excluded) == (3, 4)
    yes, no = hl.group_labels(60)
    strata = {s.label: s for s in result.analysis.strata}
    assert (strata[yes].n, strata[yes].events) == (1, 0)
    assert (strata[no].n, strata[no].events, strata[no].median) == (2, 2, 190.0)
    patients = result.analysis.patients.set_index("USUBJID")
    assert patients["time_days"].to_dict() == {"H1": 340.0, "H2": 140.0, "H6": 240.0}
    assert "in response" in result.population_rule
    assert result.analysis.origin == "the landmark (day 60)"
    assert [s.label for s in result.analysis.strata] == [no, yes]  # no "Missing" group


def test_logrank_only_on_request():
    """The figure shows no log-rank p unless asked; asked, the subtitle carries it."""
    analysis = hl.hsct_landmark(_trial().cohort(), "OS", 60).analysis
    assert km_plot(analysis, None, "days", False, 14).layout.title.subtitle.text is None
    shown = km_plot(analysis, None, "days", False, 14, show_logrank=True)
    assert shown.layout.title.subtitle.text.startswith("Log-rank p")
