"""OS and PFS by consolidative allo-HSCT: a landmark analysis (Anderson, Cain & Gelber 1983).

Comparing transplanted with non-transplanted patients from infusion favours the transplant:
a patient must survive, and stay in response, long enough to receive it (immortal-time
bias). The landmark design fixes a day L after infusion and compares, from L on, the
patients transplanted by L with those not transplanted by L.

Assumptions
-----------
* Population at the landmark: infused patients alive, free of the endpoint's event and still
  followed at day L (endpoint time > L) and *in response* at L: a first response on or
  before L (responder definition of :mod:`trialdash.analysis.response`) and no progression
  (ADSL ``pd_day``) on or before L. Without ADRS the response condition cannot be checked;
  the population is then everyone alive and event-free at L, and ``population_rule`` says so.
* Groups: "allo-HSCT by day L" (ADSL ``hsct_day`` <= L) and "No allo-HSCT by day L" (never,
  or later: a later transplant stays in the second group, as the landmark method requires).
* Time is counted from the landmark: ``aval_days - L``; events as in ADTTE. Never censored
  at the transplant (that is the comparison).
* Statistics are those of :func:`trialdash.analysis.endpoints.analyse_rows`; the log-rank
  test is computed, but pages show it only on request, with :data:`CAUTION`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from trialdash.analysis.endpoints import (
    SurvivalAnalysis,
    _endpoint_rows,
    analyse_rows,
)
from trialdash.analysis.memo import cohort_analysis
from trialdash.analysis.response import best_response
from trialdash.trial import Cohort
from trialdash.units import DAYS_PER_MONTH

GROUP_COLUMN = "hsct_by_landmark"
DEFAULT_LANDMARK_DAY = 60
CAUTION = (
    "Exploratory. An uncontrolled phase 1 trial with a handful of patients per group: "
    "transplanted patients were selected (fit, in remission, a donor available), so a "
    "difference is not evidence that the transplant caused it, and a p-value from groups this "
    "small is unstable. Read the curves as a description of these patients."
)


def group_labels(landmark_day: float) -> tuple[str, str]:
    """('allo-HSCT by day 60', 'No allo-HSCT by day 60')."""
    return (f"allo-HSCT by day {landmark_day:g}", f"No allo-HSCT by day {landmark_day:g}")


@dataclass(frozen=True)
class LandmarkAnalysis:
    """The landmark comparison: the survival analysis from day L and who entered it."""

    landmark_day: float
    analysis: SurvivalAnalysis
    population_rule: str
    n_at_landmark: int
    n_excluded: int


def _in_response_at(cohort: Cohort, landmark_day: float) -> pd.Series | None:
    """USUBJID -> in response at the landmark (None when ADRS is absent)."""
    if not cohort.trial.has("adrs"):
        return None
    best = best_response(cohort).set_index("USUBJID")
    responded = best["responder"] & (best["first_response_day"] <= landmark_day)
    pd_day = pd.to_numeric(cohort.infused.set_index("USUBJID")["pd_day"], errors="coerce")
    progressed = (pd_day.reindex(best.index) <= landmark_day).fillna(False)
    return (responded & ~progressed).astype(bool)


@cohort_analysis
def hsct_landmark(cohort: Cohort, paramcd: str,
                  landmark_day: float = DEFAULT_LANDMARK_DAY) -> LandmarkAnalysis:
    """OS or PFS from day ``landmark_day`` by allo-HSCT before it (see the module notes)."""
    rows = _endpoint_rows(cohort, paramcd, None)
    infused = cohort.infused.set_index("USUBJID")
    hsct_day = pd.to_numeric(rows["USUBJID"].map(infused["hsct_day"]), errors="coerce")
    by_landmark, not_by_landmark = group_labels(landmark_day)
    transplanted = (hsct_day.astype("float64") <= landmark_day).fillna(False).astype(bool)
    rows[GROUP_COLUMN] = transplanted.map({True: by_landmark, False: not_by_landmark})
    time = pd.to_numeric(rows["aval_days"], errors="coerce")
    eligible = time > landmark_day
    in_response = _in_response_at(cohort, landmark_day)
    if in_response is None:
        rule = (f"alive, free of {paramcd} events and followed at day {landmark_day:g} "
                "(response not checked: no ADRS)")
    else:
        eligible &= rows["USUBJID"].map(in_response).fillna(False).astype(bool)
        rule = (f"alive, free of {paramcd} events, followed and in response (responded by day "
                f"{landmark_day:g}, no progression) at day {landmark_day:g}")
    kept = rows[eligible.to_numpy()].copy()
    for column in ("aval_days", "aval_days_hsct"):
        kept[column] = pd.to_numeric(kept["aval_days"], errors="coerce") - landmark_day
    kept["event_hsct"] = kept["event"]
    analysis = analyse_rows(cohort, kept, paramcd, GROUP_COLUMN, False,
                            (6 * DAYS_PER_MONTH, 12 * DAYS_PER_MONTH), None,
                            f"the landmark (day {landmark_day:g})")
    analysis = replace(analysis, by_label="consolidative allo-HSCT")
    return LandmarkAnalysis(landmark_day, analysis, rule, len(kept), len(rows) - len(kept))
