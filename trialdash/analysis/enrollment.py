"""Enrollment, disposition and baseline characteristics.

Populations: *enrolled* = ADSL rows with a dose group assigned (screen failures excluded);
*infused* = TRTSDT present (SAFFL); *DLT-evaluable* as
:data:`~trialdash.analysis.escalation.DLT_EVALUABLE_DEFINITION` (escalation cohort,
DLTEVLFL 'Y'; the same for the 3+3 ledger and the safety tables); *efficacy-evaluable* =
the ORR's evaluable population (:func:`trialdash.analysis.response.evaluable_population`:
EFFFL 'Y', or, without EFFFL, patients with a response assessment). The baseline table
describes the infused patients (the safety population).

For a study that is not a cell therapy (``Trial.is_cell_therapy``) the flow has no
lymphodepletion step and says "Treated" for "Infused".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialdash.analysis.escalation import dlt_evaluable
from trialdash.analysis.filters import PatientCount
from trialdash.analysis.memo import cohort_analysis
from trialdash.analysis.response import evaluable_population
from trialdash.analysis.stats import median_range
from trialdash.trial import Cohort

OVERALL = "Overall"
FLOW_STEPS = (
    ("Enrolled", "enrolled"),
    ("Lymphodepleted", "lymphodepleted"),
    ("Infused", "infused"),
    ("DLT-evaluable (escalation)", "DLTEVLFL"),
    ("Efficacy-evaluable", "EFFFL"),
)


@dataclass(frozen=True)
class Disposition:
    """Patient flow by dose group and the reasons enrolled patients were not infused."""

    count: PatientCount
    flow: pd.DataFrame  # one row per step; columns step, <dose groups...>, Overall
    not_infused: pd.DataFrame  # one row per dose group x reason: dose_group, reason, n


def _enrolled(cohort: Cohort) -> pd.DataFrame:
    subjects = cohort.subjects
    return subjects[subjects["enrolled"] == "Y"]


def _groups(frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(frame.sort_values("dose_order")["dose_group"].dropna()))


def flow_steps(cell_therapy: bool) -> tuple[tuple[str, str], ...]:
    """The patient-flow steps (label, ADSL flag) in the study's own wording."""
    if cell_therapy:
        return FLOW_STEPS
    return tuple(("Treated" if column == "infused" else label, column)
                 for label, column in FLOW_STEPS if column != "lymphodepleted")


@cohort_analysis
def disposition(cohort: Cohort) -> Disposition:
    """Counts at each step from enrolled to efficacy-evaluable, by dose group and overall."""
    enrolled = _enrolled(cohort)
    groups = _groups(enrolled)
    evaluable = enrolled["USUBJID"].isin(evaluable_population(cohort).ids)
    rows = []
    for label, column in flow_steps(cohort.trial.is_cell_therapy):
        if column == "EFFFL":
            flag = evaluable
        elif column == "DLTEVLFL":
            flag = dlt_evaluable(enrolled)
        else:
            flag = enrolled[column].eq("Y")
        row = {"step": label}
        for group in groups:
            row[group] = int(flag[enrolled["dose_group"] == group].sum())
        row[OVERALL] = int(flag.sum())
        rows.append(row)
    flow = pd.DataFrame(rows, columns=["step", *groups, OVERALL])
    dropped = enrolled[enrolled["infused"] == "N"].copy()
    dropped["reason"] = dropped["NINFRSN"].fillna("Not recorded")
    not_infused = (
        dropped.groupby(["dose_order", "dose_group", "reason"], dropna=False).size()
        .rename("n").reset_index().drop(columns="dose_order")
    )
    return Disposition(cohort.count, flow, not_infused)


@cohort_analysis
def cumulative_enrollment(cohort: Cohort) -> pd.DataFrame:
    """Enrollment over calendar time: one row per enrolled patient in consent-date order.

    Columns: USUBJID, date (RFICDT, else LDSTDT, else TRTSDT), dose_group, dose_order,
    COHORT, infused, cumulative (running count of enrolled patients).
    """
    enrolled = _enrolled(cohort).copy()
    date = enrolled["RFICDT"]
    for fallback in ("LDSTDT", "TRTSDT"):
        date = date.fillna(enrolled[fallback])
    enrolled["date"] = pd.to_datetime(date)
    out = enrolled.dropna(subset=["date"]).sort_values(["date", "USUBJID"], kind="stable")
    out["cumulative"] = range(1, len(out) + 1)
    return out[["USUBJID", "date", "dose_group", "dose_order", "COHORT", "infused",
                "cumulative"]].reset_index(drop=True)


@cohort_analysis
def enrollment_by_dose_subtype(cohort: Cohort) -> pd.DataFrame:
    """Infused patients per dose group and subtype: dose_group, dose_order, subtype, n."""
    infused = cohort.infused.copy()
    infused["subtype"] = infused["subtype"].fillna("Unknown")
    return (
        infused.groupby(["dose_order", "dose_group", "subtype"]).size().rename("n").reset_index()
        .sort_values(["dose_order", "subtype"]).reset_index(drop=True)
    )


def _median_range(values: pd.Series, digits: int = 0) -> str:
    median, low, high = median_range(pd.to_numeric(values, errors="coerce"))
    if np.isnan(median):
        return "–"
    return f"{median:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def _n_pct(count: int, total: int) -> str:
    return f"{count} ({100 * count / total:.0f}%)" if total else "0"


@cohort_analysis
def baseline_characteristics(cohort: Cohort) -> pd.DataFrame:
    """Baseline table of infused patients by dose group and overall.

    Rows: N; age median (range); sex; each subtype; prior lines median (range); prior
    allo-HSCT; ECOG 0/1/2+; marrow blasts % median (range). Cells are text: "n (%)" or
    "median (min–max)". Missing values are left out of each statistic.
    """
    infused = cohort.infused
    groups = _groups(infused)
    columns = {group: infused[infused["dose_group"] == group] for group in groups}
    columns[OVERALL] = infused
    subtypes = sorted(infused["subtype"].dropna().unique())
    subtype_label = cohort.trial.subtype_label
    rows: list[tuple[str, callable]] = [
        ("N", lambda f: str(len(f))),
        ("Age, years: median (range)", lambda f: _median_range(f["AGE"])),
        ("Sex: male", lambda f: _n_pct(int((f["SEX"] == "M").sum()), len(f))),
        ("Sex: female", lambda f: _n_pct(int((f["SEX"] == "F").sum()), len(f))),
        *[(f"{subtype_label}: {s}", lambda f, s=s: _n_pct(int((f["subtype"] == s).sum()), len(f)))
          for s in subtypes],
        ("Prior lines of therapy: median (range)", lambda f: _median_range(f["PRIORLN"])),
        ("Prior allo-HSCT", lambda f: _n_pct(int((f["PRHSCTFL"] == "Y").sum()), len(f))),
        ("ECOG 0", lambda f: _n_pct(int((f["ECOGBL"] == 0).sum()), len(f))),
        ("ECOG 1", lambda f: _n_pct(int((f["ECOGBL"] == 1).sum()), len(f))),
        ("ECOG ≥2", lambda f: _n_pct(int((f["ECOGBL"] >= 2).sum()), len(f))),
        ("Marrow blasts, %: median (range)", lambda f: _median_range(f["BMBLAST"], 1)),
    ]
    table = {"Characteristic": [label for label, _ in rows]}
    for name, frame in columns.items():
        table[name] = [compute(frame) for _, compute in rows]
    return pd.DataFrame(table)
