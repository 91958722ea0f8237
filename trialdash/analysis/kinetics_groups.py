"""Cmax and AUC0-28d by clinical subgroup: responders versus non-responders, CRS grade.

Assumptions
-----------
* Patients and parameters are those of :func:`trialdash.analysis.kinetics.nca_by_patient`
  (infused patients with transgene samples); statistics as in the dose-group table:
  geometric mean (geometric CV%) over patients who expanded, Cmax also median (range).
* Responder: best overall response meeting the subtype's responder definition
  (:func:`trialdash.analysis.response.best_response`); patients outside the evaluable
  population are "Not evaluable".
* CRS grade: the worst CRS grade over all follow-up on the ASTCT scale (Lee 2019, ADAE
  ``ASTCTGR``), the CTCAE grade where ASTCTGR is blank; no CRS record is "No CRS".
  Grades 3-5 are pooled ("Grade ≥3"): with 14 patients a group per grade would name people.
* Descriptive only: no test is done between subgroups of a phase 1 trial.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialdash.analysis.kinetics import PatientNCA, _fmt_count_range, _fmt_gmean_cv
from trialdash.analysis.memo import cohort_analysis
from trialdash.analysis.nca import nca_summary
from trialdash.analysis.response import best_response
from trialdash.trial import Cohort

RESPONDER, NON_RESPONDER, NOT_EVALUABLE = "Responder", "Non-responder", "Not evaluable"
NO_CRS = "No CRS"
CRS_LEVELS = [NO_CRS, "CRS grade 1", "CRS grade 2", "CRS grade ≥3"]
RULE = ("Descriptive: Cmax and AUC0-28d geometric mean (CV%) over patients who expanded, "
        "Cmax also median (range). Responder by the subtype's definition (best overall "
        "response); CRS by the worst ASTCT grade (CTCAE where ASTCT is blank), all follow-up.")


@cohort_analysis
def responder_groups(cohort: Cohort) -> pd.Series:
    """USUBJID -> 'Responder' / 'Non-responder' / 'Not evaluable' (empty without ADRS)."""
    if not cohort.trial.has("adrs"):
        return pd.Series(dtype=object)
    best = best_response(cohort).set_index("USUBJID")
    label = best["responder"].map({True: RESPONDER, False: NON_RESPONDER})
    return label.where(best["evaluable"], NOT_EVALUABLE)


@cohort_analysis
def crs_groups(cohort: Cohort) -> pd.Series:
    """USUBJID -> worst CRS grade label (:data:`CRS_LEVELS`) for every infused patient."""
    ids = cohort.infused["USUBJID"]
    worst = pd.Series(dtype=float)
    if cohort.trial.has("adae"):
        worst_grades = cohort.syndrome_worst_grades()
        crs = worst_grades[worst_grades["aesi"] == "CRS"]
        worst = pd.to_numeric(crs["worst_grade"], errors="coerce").set_axis(crs["USUBJID"])
    grades = ids.map(worst).fillna(0).clip(upper=3).astype(int)
    labels = np.asarray(CRS_LEVELS, dtype=object)[grades.to_numpy()]
    return pd.Series(labels, index=ids.to_numpy(), dtype=object)


def nca_by_group(patients: PatientNCA, groups: pd.Series, order: list[str],
                 title: str) -> pd.DataFrame:
    """Cmax and AUC summaries per subgroup, in ``order`` (groups without patients left out).

    ``groups`` maps USUBJID to the subgroup label; ``title`` names the first column.
    """
    table = patients.table.assign(group=patients.table["USUBJID"].map(groups))
    table = table.dropna(subset=["group"])
    present = [g for g in order if g in set(table["group"])]
    summary = nca_summary(table.assign(group=pd.Categorical(table["group"], categories=present)),
                          "group")
    return pd.DataFrame({
        title: summary["group"].astype(str),
        "Expanded / patients": [f"{e}/{n}" for e, n in
                                zip(summary["n_expanded"], summary["n"], strict=True)],
        "Cmax (copies/µg gDNA): geometric mean (CV%)": [
            _fmt_gmean_cv(g, c) for g, c in zip(summary["cmax_gmean"], summary["cmax_gcv_pct"],
                                                strict=True)],
        "Cmax: median (range)": [
            _fmt_count_range(m, lo, hi) for m, lo, hi in zip(
                summary["cmax_median"], summary["cmax_min"], summary["cmax_max"], strict=True)],
        "AUC0-28d: geometric mean (CV%)": [
            _fmt_gmean_cv(g, c) for g, c in zip(summary["auc_0_28_gmean"],
                                                summary["auc_0_28_gcv_pct"], strict=True)],
    })
