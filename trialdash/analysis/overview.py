"""Key figures for the overview tiles, and the dose-escalation ledger.

Assumptions
-----------
* The 3+3 ledger counts, per dose level: *treated* = infused patients; *evaluable* and
  *DLTs* as :data:`~trialdash.analysis.escalation.DLT_EVALUABLE_DEFINITION` defines them
  (the same definition as patient flow and the safety tables).
  The ledger follows the filter; with a subtype or patient filter it no longer describes the
  protocol's decisions, which pages say.
* Median follow-up is the reverse Kaplan-Meier median of OS when ADTTE has OS: the
  potential follow-up, carried by the patients still being followed (deaths are censorings).
  Beside it, *time on study* is the median (range) of the observed time from infusion to
  death or last contact (ADSL ``last_day``) over the infused patients: what each patient
  actually contributed. Both are shown, each labelled, as survival reports do.
* A placebo arm (a dose-group label naming placebo) is no dose level: it is left out of the
  3+3 ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from trialdash.analysis.escalation import (
    DLT_EVALUABLE_DEFINITION,
    dlt_evaluable,
    escalation_ledger,
    mtd_statement,
)
from trialdash.analysis.filters import PatientCount
from trialdash.analysis.memo import cohort_analysis
from trialdash.analysis.response import OVERALL, orr_table
from trialdash.analysis.stats import Proportion, median_range, proportion
from trialdash.analysis.survival import reverse_km_followup
from trialdash.trial import Cohort
from trialdash.units import months

EXPANSION = "EXPANSION"


@dataclass(frozen=True)
class KeyFigures:
    """The overview tiles. Response figures are None when ADRS is absent."""

    count: PatientCount
    enrolled: int
    infused: int
    median_followup_days: float | None
    time_on_study_days: tuple[float, float, float] | None
    orr: Proportion | None
    complete_response: Proportion | None
    deaths: Proportion


@cohort_analysis
def key_figures(cohort: Cohort) -> KeyFigures:
    """Enrolled, infused, median follow-up (reverse KM of OS), time on study (median and
    range of days from infusion to death or last contact), ORR and CR rate, deaths."""
    subjects = cohort.subjects
    infused = cohort.infused
    orr = complete = None
    if cohort.trial.has("adrs") and not infused.empty:
        overall = orr_table(cohort, by=None)
        row = overall[overall["group"] == OVERALL].iloc[0]
        orr = proportion(int(row["responders"]), int(row["n"]))
        complete = proportion(int(row["cr"]), int(row["n"]))
    followup = None
    if cohort.trial.has("adtte"):
        os_rows = cohort.time_to_event("OS")
        os_rows = os_rows[os_rows["USUBJID"].isin(infused["USUBJID"])].dropna(
            subset=["aval_days"])
        if not os_rows.empty:
            followup = reverse_km_followup(os_rows["aval_days"], os_rows["event"]).median
    deaths = int((infused["DTHFL"] == "Y").sum())
    on_study = median_range(infused["last_day"]) if "last_day" in infused.columns else None
    if on_study is not None and pd.isna(on_study[0]):
        on_study = None
    return KeyFigures(
        count=cohort.count,
        enrolled=int((subjects["enrolled"] == "Y").sum()),
        infused=len(infused),
        median_followup_days=followup,
        time_on_study_days=on_study,
        orr=orr,
        complete_response=complete,
        deaths=proportion(deaths, len(infused)),
    )


def is_placebo(dose_group: pd.Series) -> pd.Series:
    """True for dose-group labels naming a placebo arm."""
    return dose_group.astype("object").fillna("").astype(str).str.contains(
        "placebo", case=False)


def time_on_study_text(median_min_max: tuple[float, float, float]) -> str:
    """'Time on study: median 6.8 mo (range 2.0–36.9)', from days."""
    median, low, high = (months(d) for d in median_min_max)
    return f"Time on study: median {median:.1f} mo (range {low:.1f}–{high:.1f})"


def dose_levels(cohort: Cohort) -> pd.DataFrame:
    """Per dose level in dose order: dose, treated, evaluable, dlts (see module docstring).

    Placebo arms are not dose levels and are left out.
    """
    infused = cohort.infused
    infused = infused[~is_placebo(infused["dose_group"])]
    cohort_col = infused["COHORT"].fillna("").str.upper()
    evaluable = dlt_evaluable(infused)
    rows = []
    for (_, dose), part in infused.groupby(["dose_order", "dose_group"], sort=True):
        mask = evaluable[part.index]
        rows.append({
            "dose": dose,
            "treated": len(part),
            "evaluable": int(mask.sum()),
            "dlts": int((part["DLTFL"].eq("Y") & mask).sum()),
            "expansion": int(cohort_col[part.index].eq(EXPANSION).sum()),
        })
    return pd.DataFrame(rows, columns=["dose", "treated", "evaluable", "dlts", "expansion"])


@cohort_analysis
def escalation(cohort: Cohort) -> tuple[pd.DataFrame, str | None]:
    """The 3+3 ledger (one row per dose level with decision and rule) and the MTD label."""
    levels = dose_levels(cohort)
    ledger, mtd = escalation_ledger(levels[["dose", "treated", "evaluable", "dlts"]])
    ledger.insert(2, "expansion", levels["expansion"].to_numpy())
    return ledger, mtd


def mtd_text(ledger: pd.DataFrame) -> str:
    """The MTD sentence under the ledger, in bold, with the DLT-evaluable definition."""
    return f"**{mtd_statement(ledger)}.** {DLT_EVALUABLE_DEFINITION}"
