"""The machine-readable results summary printed by ``python -m trialdash summary --json``.

It calls the same analysis functions as the pages, so what is shown and what is printed
cannot disagree. Grouping (``by``) is any ADSL variable: the dose variable and the subtype
variable map to the dashboard's dose groups (in dose order) and subtypes; another variable
groups by its own values (sorted, missing as "Missing"). Response and safety figures for a
group are computed on the sub-cohort of that group's patients, with the same functions.

Assumptions: survival times are in days (ADTTE.AVAL converted by AVALU); the safety counts
use treatment-emergent events starting within ``ae_window_days`` of infusion (28 by
default, the protocol's DLT and primary-endpoint window; None for all follow-up).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from trialdash.analysis.endpoints import (
    DEFAULT_LANDMARK_DAYS,
    survival_analysis,
    survival_summary_dict,
)
from trialdash.analysis.filters import Filter
from trialdash.analysis.response import OVERALL, orr_table
from trialdash.analysis.safety import teae_summary
from trialdash.trial import Cohort, Trial

MISSING = "Missing"


def resolve_by(trial: Trial, by: str | None) -> str | None:
    """Map an ADSL variable name to the cohort column that groups by it (None = no grouping).

    ``by`` defaults to the dose variable. Raises KeyError for an unknown variable.
    """
    dose_var, subtype_var = trial.meta["dose_var"], trial.meta["subtype_var"]
    if by is None or by.upper() == dose_var or by == "dose_group":
        return "dose_group"
    if (subtype_var and by.upper() == subtype_var) or by == "subtype":
        return "subtype"
    columns = trial.cohort().subjects.columns
    if by.upper() in columns:
        return by.upper()
    raise KeyError(f"--by {by}: ADSL has no such variable")


def _groups(cohort: Cohort, column: str) -> list[tuple[str, list[str]]]:
    """(label, USUBJIDs) per group of infused patients, in dose / subtype / sorted order."""
    infused = cohort.infused.copy()
    infused["_group"] = infused[column].astype("object").where(infused[column].notna(), MISSING)
    if column == "dose_group":
        order = list(dict.fromkeys(infused.sort_values("dose_order")["_group"]))
    elif column == "subtype":
        from trialdash.style import subtype_sort_key

        order = sorted(infused["_group"].unique(), key=subtype_sort_key)
    else:
        order = sorted(infused["_group"].unique(), key=str)
    return [(str(g), list(infused.loc[infused["_group"] == g, "USUBJID"])) for g in order]


def _sub_cohort(cohort: Cohort, patients: list[str]) -> Cohort:
    flt = cohort.filter
    return cohort.trial.cohort(Filter.of(flt.dose_groups, flt.subtypes, patients))


def _response(cohort: Cohort) -> dict | None:
    if not cohort.trial.has("adrs") or cohort.infused.empty:
        return None
    row = orr_table(cohort, by=None).set_index("group").loc[OVERALL]
    return {"n": int(row["n"]), "responders": int(row["responders"]),
            "orr": _float(row["orr"]), "ci": [_float(row["orr_lower"]), _float(row["orr_upper"])],
            "complete_responses": int(row["cr"])}


def _safety(cohort: Cohort, window_days: int | None) -> dict | None:
    if not cohort.trial.has("adae"):
        return None
    overall = teae_summary(cohort, window_days).as_dict().get(OVERALL, {})
    return {"n": len(cohort.infused), "any_teae": int(overall.get("any_teae", 0)),
            "grade3plus": int(overall.get("grade3plus", 0))}


def _float(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def results_summary(
    trial: Trial,
    flt: Filter,
    endpoint: str = "OS",
    by: str | None = None,
    landmarks: Sequence[float] = DEFAULT_LANDMARK_DAYS,
    censor_at_hsct: bool = False,
    ae_window_days: int | None = 28,
    group: bool = True,
) -> dict:
    """The summary document (see the module docstring and README for its keys).

    ``group=False`` (``--by none``) reports one group, "All", and no log-rank test.
    ``landmarks`` are days; the default is the survival page's 6, 12 and 24 months
    (182.625, 365.25 and 730.5 days, :mod:`trialdash.units`).
    """
    cohort = trial.cohort(flt)
    column = resolve_by(trial, by) if group else None
    groups = _groups(cohort, column) if column else [("All", list(cohort.infused["USUBJID"]))]
    subs = [(label, _sub_cohort(cohort, ids)) for label, ids in groups]
    survival = None
    if trial.has("adtte"):
        known = set(cohort.endpoints()["PARAMCD"])
        if endpoint not in known:
            raise KeyError(f"--endpoint {endpoint}: ADTTE has {sorted(known)}")
        analysis = survival_analysis(cohort, endpoint, by=column, censor_at_hsct=censor_at_hsct,
                                     landmark_days=landmarks)
        survival = survival_summary_dict(analysis, landmarks)
        survival["by"] = None if column is None else (by or trial.meta["dose_var"])
        survival["censored_at_hsct"] = analysis.censored_at_hsct
    response_rows = [{"group": label, **r} for label, sub in subs
                     if (r := _response(sub)) is not None]
    safety_rows = [{"group": label, **s} for label, sub in subs
                   if (s := _safety(sub, ae_window_days)) is not None]
    return {
        "snapshot": {"study": trial.meta["study_id"], "cutoff": str(trial.meta["cutoff_date"]),
                     "source": trial.meta["source"], "title": trial.meta["title"],
                     "registry_id": trial.meta["registry_id"]},
        "filter": {"dose_groups": list(flt.dose_groups), "subtypes": list(flt.subtypes),
                   "patients": list(flt.patients)},
        "patients": {"total": cohort.count.kept, "of_infused": cohort.count.total,
                     "by_group": {label: len(ids) for label, ids in groups}},
        "survival": survival,
        "response": {"definition": "T-ALL: CR + CRi; lymphomas and T-LBL: CR + PR",
                     "ci_method": "Clopper-Pearson exact 95%", "by_group": response_rows,
                     "overall": _response(cohort)},
        "safety": {"window_days": ae_window_days, "by_group": safety_rows,
                   "overall": _safety(cohort, ae_window_days)},
    }
