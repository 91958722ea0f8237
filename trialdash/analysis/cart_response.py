"""Response as CAR-T trials report it: within the assessment window, before allo-HSCT.

Definitions (each table row says which applies)
-----------------------------------------------
* **Assessment window**: the one rule of :mod:`trialdash.analysis.response`
  (:func:`~trialdash.analysis.response.counted_assessments`): assessments from infusion to
  :data:`WINDOW_DAYS` (3 months of 365.25/12 days, the registry record's primary response
  window) count; assessments after a consolidative allo-HSCT (ADSL ``hsct_day``) never count:
  the response would no longer be the CAR-T's. An assessment on the transplant day counts
  (pre-transplant work-up).
* **Best response in the window**: the overall best is the best overall response of
  :func:`~trialdash.analysis.response.best_response` (the same as the ORR tables: a BOR record
  respecting the window, else the best counted OVR). The bone-marrow (BMRESP) and
  extramedullary (EMRESP) bests are the best counted per-visit responses (CR > CRi > PR > SD >
  PD > NE, up to and including the first PD of the parameter). A patient with no assessment
  in the window is NE.
* **Denominators**: overall rates over the efficacy-evaluable population
  (:func:`trialdash.analysis.response.evaluable_population`); marrow rates over evaluable
  patients with any BMRESP record (patients with marrow disease), extramedullary rates over
  evaluable patients with any EMRESP record (patients with extramedullary disease).
* **CR/CRi** counts CR or CRi whatever the subtype; **CR** counts CR only; **ORR** uses the
  subtype's responder definition (:func:`trialdash.analysis.response.is_responder`).
  **Extramedullary ORR** is CR + PR (a CRi counts as well).
* **MRD-negative CR/CRi**: an OVR assessment in the window with CR or CRi and ADRS
  ``MRDSTAT`` NEGATIVE.
* **CD7-negative relapse**: ADSL ``RELCD7`` = NEGATIVE, over the relapsed patients whose
  relapse CD7 status is recorded.
* A statistic whose variable or parameter the data lack is "not in the data", not zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialdash.analysis.memo import cohort_analysis
from trialdash.analysis.response import (
    OVERALL,
    WINDOW_DAYS,
    WINDOW_MONTHS,
    best_by_patient,
    best_response,
    evaluable_population,
    format_rate,
    infused_assessments,
    responder_mask,
    window_counted_assessments,
)
from trialdash.analysis.stats import proportion
from trialdash.trial import Cohort

OVERALL_PARAM, MARROW_PARAM, EXTRAMEDULLARY_PARAM = "OVR", "BMRESP", "EMRESP"
NOT_IN_DATA = "not in the data"
COMPLETE = frozenset({"CR", "CRi"})
EM_RESPONSES = frozenset({"CR", "CRi", "PR"})
PATIENT_COLUMNS = ["USUBJID", "dose_group", "dose_order", "subtype", "evaluable", "best",
                   "marrow_best", "em_best", "mrd_negative_complete", "relapse_cd7"]
RULE = (f"Best response within {WINDOW_MONTHS} months of infusion, up to the first PD; "
        "assessments after consolidative allo-HSCT never count. Overall rates among "
        "efficacy-evaluable patients; marrow and extramedullary rates among those with marrow "
        "(BMRESP) or extramedullary (EMRESP) assessments. Exact (Clopper-Pearson) 95% CIs.")


@dataclass(frozen=True)
class CarTResponse:
    """Per-patient window responses and which data the cohort has.

    ``patients`` has :data:`PATIENT_COLUMNS` (best responses normalised, NE if none; a
    marrow/extramedullary best is None for a patient without such records; relapse_cd7 is
    'NEGATIVE', 'POSITIVE' or None).
    """

    patients: pd.DataFrame
    has_marrow: bool
    has_extramedullary: bool
    has_mrd: bool
    has_relapse_cd7: bool


def window_assessments(cohort: Cohort, window_days: float = WINDOW_DAYS) -> pd.DataFrame:
    """ADRS rows of infused patients that count: day 0..window, not after allo-HSCT, up to
    and including the first PD of their parameter. Adds ``response`` (normalised)."""
    return window_counted_assessments(cohort, window_days).copy()


def _best_by_patient(records: pd.DataFrame, paramcd: str) -> pd.Series:
    return best_by_patient(records[records["PARAMCD"] == paramcd])


def _has_text(frame: pd.DataFrame, column: str) -> bool:
    if column not in frame.columns:
        return False
    values = frame[column].dropna().astype(str).str.strip()
    return bool(values.ne("").any())


@cohort_analysis
def cart_response(cohort: Cohort, window_days: float = WINDOW_DAYS) -> CarTResponse:
    """Window best responses of every infused patient (see the module notes)."""
    infused = cohort.infused
    everything = infused_assessments(cohort)
    records = window_counted_assessments(cohort, window_days)
    population = set(evaluable_population(cohort).ids)
    patients = infused[["USUBJID", "dose_group", "dose_order", "subtype"]].copy()
    patients["evaluable"] = patients["USUBJID"].isin(population)
    overall = (best_response(cohort).set_index("USUBJID")["BOR"] if window_days == WINDOW_DAYS
               else _best_by_patient(records, OVERALL_PARAM))
    patients["best"] = patients["USUBJID"].map(overall).fillna("NE")
    for column, paramcd in (("marrow_best", MARROW_PARAM), ("em_best", EXTRAMEDULLARY_PARAM)):
        with_records = set(everything.loc[everything["PARAMCD"] == paramcd, "USUBJID"])
        best = patients["USUBJID"].map(_best_by_patient(records, paramcd)).fillna("NE")
        patients[column] = best.where(patients["USUBJID"].isin(with_records), None)
    has_mrd = _has_text(everything, "MRDSTAT")
    mrd_negative = pd.Series(False, index=records.index)
    if has_mrd:
        mrd_negative = ((records["PARAMCD"] == OVERALL_PARAM)
                        & records["response"].isin(COMPLETE)
                        & records["MRDSTAT"].astype("object").str.strip().str.upper()
                        .eq("NEGATIVE"))
    patients["mrd_negative_complete"] = patients["USUBJID"].isin(
        records.loc[mrd_negative.fillna(False), "USUBJID"])
    has_cd7 = _has_text(infused, "RELCD7")
    cd7 = (infused["RELCD7"].astype("object").str.strip().str.upper() if has_cd7
           else pd.Series(None, index=infused.index, dtype=object))
    patients["relapse_cd7"] = cd7.where(cd7.isin(["NEGATIVE", "POSITIVE"]), None).to_numpy()
    return CarTResponse(
        patients=patients[PATIENT_COLUMNS].reset_index(drop=True),
        has_marrow=bool(everything["PARAMCD"].eq(MARROW_PARAM).any()),
        has_extramedullary=bool(everything["PARAMCD"].eq(EXTRAMEDULLARY_PARAM).any()),
        has_mrd=has_mrd,
        has_relapse_cd7=has_cd7,
    )


def _rate(k: int, n: int) -> str:
    p = proportion(int(k), int(n))
    return format_rate(p.k, p.n, p.lower, p.upper)


def _column(patients: pd.DataFrame, result: CarTResponse) -> list[str]:
    evaluable = patients[patients["evaluable"]]
    n = len(evaluable)
    best = evaluable["best"]
    orr = int(responder_mask(best, evaluable["subtype"]).sum())
    marrow = evaluable["marrow_best"].dropna()
    em = evaluable["em_best"].dropna()
    relapses = patients["relapse_cd7"].dropna()
    return [
        str(n),
        _rate(best.eq("CR").sum(), n),
        _rate(best.isin(COMPLETE).sum(), n),
        _rate(orr, n),
        _rate(evaluable["mrd_negative_complete"].sum(), n) if result.has_mrd else NOT_IN_DATA,
        _rate(marrow.isin(COMPLETE).sum(), len(marrow)) if result.has_marrow else NOT_IN_DATA,
        _rate(em.isin(EM_RESPONSES).sum(), len(em)) if result.has_extramedullary
        else NOT_IN_DATA,
        _rate(em.eq("CR").sum(), len(em)) if result.has_extramedullary else NOT_IN_DATA,
        _rate(relapses.eq("NEGATIVE").sum(), len(relapses)) if result.has_relapse_cd7
        else NOT_IN_DATA,
    ]


STATISTICS = [
    "Evaluable patients (N)",
    "CR",
    "CR/CRi",
    "ORR (CR + CRi T-ALL; CR + PR others)",
    "MRD-negative CR/CRi",
    "Marrow CR/CRi (patients with marrow disease)",
    "Extramedullary ORR, CR + PR (patients with EMD)",
    "Extramedullary CR (patients with EMD)",
    "CD7-negative relapse (relapses with CD7 status)",
]


def cart_response_table(result: CarTResponse, by_dose: bool = True) -> pd.DataFrame:
    """One row per statistic (:data:`STATISTICS`), one column Overall then per dose group.

    Cells are "k/N (pct%) [95% CI]" or :data:`NOT_IN_DATA`.
    """
    patients = result.patients
    table = {"Statistic": STATISTICS, OVERALL: _column(patients, result)}
    if by_dose:
        ordered = patients.sort_values("dose_order", kind="stable")
        for group in dict.fromkeys(ordered["dose_group"].dropna()):
            table[str(group)] = _column(patients[patients["dose_group"] == group], result)
    return pd.DataFrame(table)


def patient_table(result: CarTResponse) -> pd.DataFrame:
    """Per-patient window responses as shown: blanks where the data have nothing."""
    p = result.patients
    return pd.DataFrame({
        "USUBJID": p["USUBJID"],
        "Dose group": p["dose_group"],
        "Subtype": p["subtype"],
        f"Best ≤{WINDOW_MONTHS} mo": p["best"],
        "Marrow": p["marrow_best"].fillna(""),
        "Extramedullary": p["em_best"].fillna(""),
        "MRD-neg CR/CRi": np.where(p["mrd_negative_complete"], "Yes", ""),
        "Relapse CD7": p["relapse_cd7"].fillna("").str.capitalize(),
    })
