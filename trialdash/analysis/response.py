"""Best overall response, objective response rate (ORR) and complete-response (CR) rate.

Definitions (kept here, in one place, and used by every page and figure)
------------------------------------------------------------------------
* **Responder** (:func:`is_responder`) depends on the disease:

  - leukaemias (T-ALL, and any subtype whose name ends in "ALL" without "LBL", or names a
    leukaemia), assessed by NCCN/ELN criteria: **CR + CRi**. A PR is not a response.
  - lymphomas (PTCL-NOS, AITL, ALCL, ...) and T-LBL, assessed by Lugano 2014: **CR + PR**.
    A CRi recorded for them (not a Lugano category) counts as a response: it is a complete
    response with incomplete count recovery, at least as good as a PR.
  An imported study outside that profile (see :mod:`trialdash.study_labels`) uses the one
  definition its criteria give (``StudyLabels.responder_definition``): CR + CRi for
  leukaemia criteria or where CRi occurs, else CR + PR; its criteria are those ADRS or the
  user name, else "criteria not stated in the data".
* **CR rate** counts BOR = CR only, for every subtype. CRi (incomplete count recovery) is a
  response for the ORR but not a complete response.
* **Best overall response (BOR)**, as CAR-T trials report it (the one definition used by the
  ORR tables, the key figures, the swimmer plot's response onset and the CAR-T response
  table): only assessments that count (:func:`counted_assessments`) are used, i.e. those
  from infusion (day 0) to the end of the protocol's assessment window
  (:data:`WINDOW_DAYS`, 3 months), never after a consolidative allo-HSCT (ADSL ``hsct_day``;
  the transplant day counts), and up to and including the first PD (a response after
  progression, e.g. to later therapy, is not a response to CAR-T).

  - An ADRS ``PARAMCD = 'BOR'`` record is used when it respects that rule (dated within the
    window, not after the transplant); an undated BOR record cannot be checked and is used
    only for a patient without any per-visit record.
  - Otherwise the best counted per-visit response (``PARAMCD = 'OVR'``) in the order
    CR > CRi > PR > SD > PD > NE.
  - A patient with assessments, none of which counts, is 'NE' ("No assessment in the
    window"); one with none at all is 'NE' ("No assessment"). ``bor_source`` says which.

  The first response day is the first counted OVR assessment (else the counted BOR record)
  meeting the responder definition.
* Response codes are normalised (case, Lugano's metabolic terms): 'CRI' -> 'CRi',
  'CMR' -> 'CR', 'PMR' -> 'PR', 'NMR'/'SMD' -> 'SD', 'PMD'/'RELAPSE' -> 'PD'. RECIST's
  'NON-CR/NON-PD' (non-target disease only) stays its own category, ranked after SD.
  Anything unrecognised or missing is 'NE'.
* **Evaluable population** (the ORR denominator, and the patient flow's efficacy-evaluable
  step): infused patients with EFFFL = 'Y' when the EFFFL column is filled for any infused
  patient of the cohort; otherwise infused patients with at least one response assessment
  (an ADRS record with a response), so that a patient never assessed is not silently counted
  as a non-responder. Under EFFFL, evaluable patients without any assessment are counted
  (as NE, non-responders) and the population says how many they are.
* Confidence intervals are exact (Clopper-Pearson) 95% intervals from
  :func:`trialdash.analysis.stats.proportion`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from trialdash.analysis.filters import PatientCount
from trialdash.analysis.flags import is_yes
from trialdash.analysis.memo import cohort_analysis
from trialdash.analysis.stats import format_n_of_N, proportion
from trialdash.study_labels import NOT_STATED, StudyLabels
from trialdash.style import subtype_sort_key
from trialdash.trial import Cohort
from trialdash.units import DAYS_PER_MONTH

#: RECIST's response of non-target disease only: neither CR nor PD (its own category).
NON_CR_NON_PD = "NON-CR/NON-PD"
#: Response categories from best to worst.
RESPONSE_ORDER: tuple[str, ...] = ("CR", "CRi", "PR", "SD", NON_CR_NON_PD, "PD", "NE")
LEUKAEMIA_CRITERIA = "NCCN/ELN (T-ALL)"
LYMPHOMA_CRITERIA = "Lugano 2014"
LEUKAEMIA_RESPONSES = frozenset({"CR", "CRi"})
LYMPHOMA_RESPONSES = frozenset({"CR", "CRi", "PR"})
LEUKAEMIA_DEFINITION = "CR + CRi"
LYMPHOMA_DEFINITION = "CR + PR"
#: One sentence stating the ORR definition, for captions and chart titles.
ORR_DEFINITION = (f"ORR = {LEUKAEMIA_DEFINITION} for T-ALL (NCCN/ELN); "
                  f"{LYMPHOMA_DEFINITION} for lymphomas and T-LBL ({LYMPHOMA_CRITERIA})")
CR_DEFINITION = "CR rate = best overall response CR (CRi not counted)"

BOR_RECORD, BOR_DERIVED, BOR_NONE = "BOR record", "Derived from OVR", "No assessment"
BOR_OUTSIDE_WINDOW = "No assessment in the window"
#: The protocol's response assessment window: 3 months (of 365.25/12 days) from infusion.
WINDOW_MONTHS = 3
WINDOW_DAYS = WINDOW_MONTHS * DAYS_PER_MONTH
#: The best-overall-response rule (module notes) as captions state it.
BEST_RESPONSE_RULE = (
    f"Best overall response counts assessments within {WINDOW_MONTHS} months of infusion, up "
    "to the first progression, never after a consolidative allo-HSCT: the study's BOR record "
    "when it respects this, else the best per-visit response")
OVERALL = "Overall"
UNKNOWN_SUBTYPE = "Unknown"
GroupBy = Literal["dose_group", "subtype"]

_SYNONYMS = {
    "CR": "CR", "CRI": "CRi", "PR": "PR", "SD": "SD", "PD": "PD", "NE": "NE",
    "CMR": "CR", "PMR": "PR", "NMR": "SD", "SMD": "SD", "PMD": "PD",
    "RELAPSE": "PD", "RELAPSED": "PD", "PROGRESSION": "PD",
    "NONCR/NONPD": NON_CR_NON_PD,
}
_RANK = {category: rank for rank, category in enumerate(RESPONSE_ORDER)}

BEST_RESPONSE_COLUMNS = ["USUBJID", "dose_group", "dose_order", "subtype", "BOR", "bor_source",
                         "criteria", "responder", "complete_response", "first_response_day",
                         "evaluable"]


def normalise_response(value: object) -> str:
    """One of :data:`RESPONSE_ORDER` for a raw AVALC: 'cri' -> 'CRi', 'CMR' -> 'CR', ...

    Missing or unrecognised values are 'NE' (not evaluable).
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "NE"
    text = str(value).strip().upper()
    return _SYNONYMS.get(text) or _SYNONYMS.get(re.sub(r"[\s_-]", "", text), "NE")


def response_rank(category: str) -> int:
    """0 for CR (best) to 5 for NE, for sorting normalised categories."""
    return _RANK[normalise_response(category)]


def is_leukaemia(subtype: object) -> bool:
    """Whether a subtype is assessed as a leukaemia (T-ALL) rather than a lymphoma.

    True for names ending in 'ALL' that do not mention 'LBL' (T-ALL, ALL, B-ALL) and for names
    containing 'LEUK' (leukaemia/leukemia). Missing subtypes count as lymphomas.
    """
    if subtype is None or subtype is pd.NA or (isinstance(subtype, float) and np.isnan(subtype)):
        return False
    name = str(subtype).strip().upper()
    return (name.endswith("ALL") and "LBL" not in name) or "LEUK" in name


def is_responder(bor: object, subtype: object, definition: str | None = None) -> bool:
    """Whether a response counts towards the ORR for a patient of this subtype.

    ``definition`` ('CR + CRi' or 'CR + PR', from the study's criteria, see
    :mod:`trialdash.study_labels`) applies when given. Otherwise the built-in profile by
    subtype: leukaemias (T-ALL): CR or CRi; lymphomas and T-LBL (Lugano 2014): CR or PR (a
    CRi, not a Lugano category, also counts). ``bor`` is normalised first ('cri', 'CMR').
    """
    leukaemia = definition == LEUKAEMIA_DEFINITION if definition else is_leukaemia(subtype)
    allowed = LEUKAEMIA_RESPONSES if leukaemia else LYMPHOMA_RESPONSES
    return normalise_response(bor) in allowed


def default_criteria(subtype: object) -> str:
    """The response criteria a subtype is assessed by, when ADRS does not say (CRIT)."""
    return LEUKAEMIA_CRITERIA if is_leukaemia(subtype) else LYMPHOMA_CRITERIA


def responder_definition(subtype: object) -> str:
    """'CR + CRi' for leukaemias, 'CR + PR' for lymphomas and T-LBL."""
    return LEUKAEMIA_DEFINITION if is_leukaemia(subtype) else LYMPHOMA_DEFINITION


def criteria_when_unrecorded(labels: StudyLabels, subtype: object) -> str:
    """The criteria of a patient whose ADRS rows name none: the subtype's criteria under the
    built-in clinical profile, else the study's (from the data or the user), else
    'criteria not stated in the data'."""
    if labels.clinical_profile:
        return default_criteria(subtype)
    return labels.response_criteria or NOT_STATED


def orr_definition(labels: StudyLabels) -> str:
    """One sentence stating the ORR definition the study's labels give."""
    if labels.responder_definition is None:
        return ORR_DEFINITION
    return f"ORR = {labels.responder_definition} ({labels.response_criteria or NOT_STATED})"


def responder_statement(labels: StudyLabels) -> str:
    """The responder definitions as a caption states them (Markdown)."""
    if labels.responder_definition is None:
        return (f"**Responder definitions** — T-ALL (NCCN/ELN criteria): "
                f"{LEUKAEMIA_DEFINITION}; lymphomas ({LYMPHOMA_CRITERIA}) and T-LBL: "
                f"{LYMPHOMA_DEFINITION}")
    return (f"**Responder definition** — {labels.responder_definition}; response criteria: "
            f"{labels.response_criteria or NOT_STATED}")


@dataclass(frozen=True)
class EvaluablePopulation:
    """Who is in the ORR denominator and by which rule.

    ``count.kept`` = evaluable patients, ``count.total`` = infused patients of the cohort.
    """

    count: PatientCount
    rule: str
    ids: tuple[str, ...]
    unassessed: int = 0  # evaluable patients without any response assessment

    def describe(self) -> str:
        text = f"{self.rule}: {self.count.kept} of {self.count.total} infused patients"
        if self.unassessed:
            text += (f", of whom {self.unassessed} without any response assessment "
                     "(in the denominator as NE, non-responders)")
        return text


ASSESSED_RULE = "Infused patients with at least one response assessment (EFFFL not recorded)"


def assessed_ids(records: pd.DataFrame) -> set[str]:
    """Patients with at least one ADRS record holding a response (AVALC not blank)."""
    has_response = per_value(records["AVALC"],
                             lambda v: v is not None and str(v).strip() != "").astype(bool)
    return set(records.loc[has_response, "USUBJID"])


def _evaluable_mask(infused: pd.DataFrame, assessed: set[str]) -> tuple[pd.Series, str]:
    flag = infused["EFFFL"] if "EFFFL" in infused.columns else pd.Series(dtype=object)
    filled = flag.dropna().astype(str).str.strip().ne("")
    if filled.any():
        mask = is_yes(flag)
        return mask, "Efficacy-evaluable (EFFFL = 'Y')"
    return infused["USUBJID"].isin(assessed), ASSESSED_RULE


@cohort_analysis
def evaluable_population(cohort: Cohort) -> EvaluablePopulation:
    """The ORR denominator: EFFFL = 'Y' when EFFFL is filled, else the infused patients with
    at least one response assessment (see the module docstring)."""
    infused = cohort.infused
    assessed = assessed_ids(cohort.responses()) if cohort.trial.has("adrs") else set()
    mask, rule = _evaluable_mask(infused, assessed)
    ids = tuple(infused.loc[mask, "USUBJID"])
    unassessed = int((~pd.Index(ids, dtype=object).isin(list(assessed))).sum())
    return EvaluablePopulation(PatientCount(len(ids), len(infused)), rule, ids, unassessed)


def per_value(values: pd.Series, function: Callable[[object], object]) -> pd.Series:
    """``function`` of every value, called once per distinct value (missing ones: None)."""
    raw = values.astype("object")
    present = raw.notna()
    out = raw.where(present, None).map({v: function(v) for v in pd.unique(raw[present])})
    if not present.all():
        out[~present] = function(None)
    return out


def normalise_responses(values: pd.Series) -> pd.Series:
    """:func:`normalise_response` of every value of a Series."""
    return per_value(values, normalise_response).astype(object)


def infused_assessments(cohort: Cohort) -> pd.DataFrame:
    """ADRS rows of the cohort's infused patients with ``response`` = normalised AVALC and
    ``day`` numeric (NaN when undated).

    Read and normalised once per cohort and shared: callers must not modify the result."""
    return cohort.derived(("infused_assessments",), lambda: _infused_assessments(cohort))


def _infused_assessments(cohort: Cohort) -> pd.DataFrame:
    records = cohort.responses()
    records = records[records["USUBJID"].isin(cohort.infused["USUBJID"])].copy()
    records["PARAMCD"] = records["PARAMCD"].astype("object").str.strip().str.upper()
    records["response"] = normalise_responses(records["AVALC"])
    records["day"] = pd.to_numeric(records["day"], errors="coerce")
    return records


def assessments_until_progression(ovr: pd.DataFrame) -> pd.DataFrame:
    """One patient's OVR rows in day order, up to and including the first PD."""
    ordered = ovr.sort_values("day", kind="stable", na_position="last")
    is_pd = ordered["response"].eq("PD").to_numpy()
    if is_pd.any():
        ordered = ordered.iloc[: int(np.argmax(is_pd)) + 1]
    return ordered


def counted_assessments(records: pd.DataFrame, infused: pd.DataFrame,
                        window_days: float = WINDOW_DAYS) -> pd.DataFrame:
    """The assessments that count towards a patient's response (see the module notes).

    Rows of ``records`` (with ``response``, from :func:`infused_assessments`) dated day 0 to
    ``window_days`` (the protocol's assessment window), not after the patient's consolidative
    allo-HSCT (ADSL ``hsct_day``; the transplant day itself counts: pre-transplant work-up),
    and, per patient and parameter, up to and including the first PD. Undated rows never
    count. ``day`` is numeric in the result.
    """
    hsct = (infused.set_index("USUBJID")["hsct_day"] if "hsct_day" in infused.columns
            else pd.Series(dtype=float))
    day = pd.to_numeric(records["day"], errors="coerce")
    hsct_day = pd.to_numeric(records["USUBJID"].map(hsct), errors="coerce")
    keep = day.between(0, window_days) & (hsct_day.isna() | (day <= hsct_day))
    kept = records[keep.fillna(False).to_numpy()].copy()
    kept["day"] = pd.to_numeric(kept["day"], errors="coerce")
    pd_day = kept["day"].where(kept["response"] == "PD")
    first_pd = pd_day.groupby([kept["USUBJID"], kept["PARAMCD"]]).transform("min")
    return kept[first_pd.isna() | (kept["day"] <= first_pd)]


def window_counted_assessments(cohort: Cohort, window_days: float = WINDOW_DAYS
                               ) -> pd.DataFrame:
    """:func:`counted_assessments` of every infused patient's records
    (:func:`infused_assessments`), once per cohort and window: do not modify the result."""
    return cohort.derived(("counted_assessments", window_days), lambda: counted_assessments(
        infused_assessments(cohort), cohort.infused, window_days))


def best_by_patient(records: pd.DataFrame) -> pd.Series:
    """USUBJID -> best normalised ``response`` of the records (CR > CRi > ... > NE)."""
    ranks = records["response"].map(_RANK).groupby(records["USUBJID"], sort=False).min()
    return ranks.map(dict(enumerate(RESPONSE_ORDER)))


def responder_mask(bor: pd.Series, subtype: pd.Series,
                   definition: str | None = None) -> pd.Series:
    """:func:`is_responder` of aligned ``bor`` and ``subtype`` values, as a boolean Series."""
    if definition:
        leukaemia = pd.Series(definition == LEUKAEMIA_DEFINITION, index=subtype.index)
    else:
        leukaemia = per_value(subtype, is_leukaemia).astype(bool)
    category = normalise_responses(bor)
    return (category.isin(LEUKAEMIA_RESPONSES)
            | (~leukaemia & category.isin(LYMPHOMA_RESPONSES))).astype(bool)


def responding_days(records: pd.DataFrame, subtype: object,
                    definition: str | None = None) -> pd.Series:
    """Days of the records (with a ``response`` column) that meet the responder definition."""
    mask = records["response"].map(lambda r: is_responder(r, subtype, definition)).astype(bool)
    return records.loc[mask, "day"].dropna()


def _first_criteria(records: pd.DataFrame) -> pd.Series:
    """USUBJID -> most frequent CRIT of the patient's BOR rows, else of their OVR rows."""
    crit = records["CRIT"].astype("object").str.strip() if "CRIT" in records.columns \
        else pd.Series(None, index=records.index, dtype=object)
    rows = pd.DataFrame({"USUBJID": records["USUBJID"], "CRIT": crit,
                         "preference": records["PARAMCD"].map({"BOR": 0, "OVR": 1})})
    rows = rows[rows["CRIT"].notna() & rows["CRIT"].ne("") & rows["preference"].notna()]
    counts = rows.groupby(["USUBJID", "preference", "CRIT"]).size().rename("n").reset_index()
    counts = counts.sort_values(["USUBJID", "preference", "n", "CRIT"],
                                ascending=[True, True, False, True], kind="stable")
    return counts.drop_duplicates("USUBJID").set_index("USUBJID")["CRIT"]


def _first_responding_day(counted: pd.DataFrame, subtype: pd.Series,
                          definition: str | None) -> pd.Series:
    """USUBJID -> first counted OVR day meeting the responder definition, else that of a
    counted responding BOR record."""
    rows = counted[counted["PARAMCD"].isin(["OVR", "BOR"])]
    responding = responder_mask(rows["response"], rows["USUBJID"].map(subtype), definition)
    rows = rows[responding.to_numpy() & rows["day"].notna().to_numpy()]
    first = rows.groupby(["USUBJID", "PARAMCD"])["day"].min().unstack()
    for paramcd in ("OVR", "BOR"):
        if paramcd not in first.columns:
            first[paramcd] = np.nan
    return first["OVR"].fillna(first["BOR"])


@cohort_analysis
def best_response(cohort: Cohort) -> pd.DataFrame:
    """Best overall response of every infused patient of the cohort (module notes: the
    window and allo-HSCT rule, BOR records kept only when they respect it).

    Returns
    -------
    DataFrame
        One row per infused patient, in dose order then USUBJID: USUBJID, dose_group,
        dose_order, subtype, BOR (normalised), bor_source ('BOR record', 'Derived from OVR',
        'No assessment in the window', 'No assessment'), criteria (CRIT, else the subtype's
        default), responder (bool, by :func:`is_responder`), complete_response (BOR = CR),
        first_response_day (first counted assessment, days since infusion, meeting the
        responder definition; NaN if none), evaluable (bool, see
        :func:`evaluable_population`).
    """
    infused = cohort.infused
    labels = cohort.trial.labels
    definition = labels.responder_definition
    records = infused_assessments(cohort)
    counted = window_counted_assessments(cohort)
    ids = infused["USUBJID"]
    with_ovr = set(records.loc[records["PARAMCD"] == "OVR", "USUBJID"])
    undated_bor = records[(records["PARAMCD"] == "BOR") & records["day"].isna()
                          & ~records["USUBJID"].isin(with_ovr)]
    from_record = best_by_patient(pd.concat([counted[counted["PARAMCD"] == "BOR"],
                                             undated_bor]))
    derived = best_by_patient(counted[counted["PARAMCD"] == "OVR"])
    assessed = set(records.loc[records["PARAMCD"].isin(["OVR", "BOR"]), "USUBJID"])
    bor_record, bor_derived = ids.map(from_record), ids.map(derived)
    source = np.select([bor_record.notna(), bor_derived.notna(), ids.isin(assessed)],
                       [BOR_RECORD, BOR_DERIVED, BOR_OUTSIDE_WINDOW], BOR_NONE)
    bor = bor_record.fillna(bor_derived).fillna("NE").astype(object)
    subtype = infused["subtype"]
    criteria = ids.map(_first_criteria(records)).astype(object)
    unrecorded = criteria.isna()
    criteria[unrecorded] = per_value(subtype[unrecorded],
                                     lambda s: criteria_when_unrecorded(labels, s))
    first_day = ids.map(_first_responding_day(counted, subtype.set_axis(ids), definition))
    best = pd.DataFrame({
        "USUBJID": ids, "dose_group": infused["dose_group"],
        "dose_order": infused["dose_order"], "subtype": subtype, "BOR": bor,
        "bor_source": source.astype(object), "criteria": criteria,
        "responder": responder_mask(bor, subtype, definition),
        "complete_response": bor.eq("CR").astype(bool),
        "first_response_day": pd.to_numeric(first_day, errors="coerce").astype(float),
    }, columns=BEST_RESPONSE_COLUMNS[:-1])
    mask, _ = _evaluable_mask(infused, assessed_ids(records))
    best["evaluable"] = mask.to_numpy(dtype=bool)
    return best.sort_values(["dose_order", "USUBJID"], kind="stable").reset_index(drop=True)


def format_rate(k: int, n: int, lower: float, upper: float) -> str:
    """'6/8 (75%) [35–97]': count, percentage and exact 95% CI in percent; '0/0 (NA)' if n = 0."""
    text = format_n_of_N(k, n, digits=0)
    if n == 0:
        return text
    return f"{text} [{100 * lower:.0f}–{100 * upper:.0f}]"


def _joined(values: pd.Series) -> str:
    return "; ".join(dict.fromkeys(v for v in values.dropna().astype(str) if v))


def group_definition(subtypes: pd.Series, definition: str | None = None) -> str:
    """The responder definition(s) applying to a group of patients, e.g. 'CR + CRi' for T-ALL
    alone, 'CR + CRi (T-ALL); CR + PR (others)' for a group mixing leukaemias and lymphomas;
    the study's ``definition`` when its criteria give one."""
    if definition:
        return definition
    leukaemia = per_value(subtypes, is_leukaemia).astype(bool)
    if leukaemia.all() and len(leukaemia):
        return LEUKAEMIA_DEFINITION
    if not leukaemia.any():
        return LYMPHOMA_DEFINITION
    return f"{LEUKAEMIA_DEFINITION} (T-ALL); {LYMPHOMA_DEFINITION} (others)"


def _rate_row(group: str, frame: pd.DataFrame, definition: str | None = None) -> dict:
    evaluable = frame[frame["evaluable"]]
    n = len(evaluable)
    orr = proportion(int(evaluable["responder"].sum()), n)
    cr = proportion(int(evaluable["complete_response"].sum()), n)
    return {
        "group": group,
        "n": n,
        "responders": orr.k,
        "orr": orr.estimate,
        "orr_lower": orr.lower,
        "orr_upper": orr.upper,
        "cr": cr.k,
        "cr_rate": cr.estimate,
        "cr_lower": cr.lower,
        "cr_upper": cr.upper,
        "criteria": _joined(frame["criteria"]),
        "definition": group_definition(frame["subtype"], definition),
        "orr_display": format_rate(orr.k, n, orr.lower, orr.upper),
        "cr_display": format_rate(cr.k, n, cr.lower, cr.upper),
    }


def _grouped(best: pd.DataFrame, by: GroupBy) -> list[tuple[str, pd.DataFrame]]:
    if by == "dose_group":
        ordered = best.sort_values("dose_order", kind="stable")
        groups = list(dict.fromkeys(ordered["dose_group"].dropna()))
        return [(g, best[best["dose_group"] == g]) for g in groups]
    if by == "subtype":
        subtype = best["subtype"].fillna(UNKNOWN_SUBTYPE)
        groups = sorted(subtype.unique(), key=subtype_sort_key)
        return [(g, best[subtype == g]) for g in groups]
    raise ValueError(f"by must be 'dose_group', 'subtype' or None, got {by!r}")


ORR_COLUMNS = ["group", "n", "responders", "orr", "orr_lower", "orr_upper", "cr", "cr_rate",
               "cr_lower", "cr_upper", "criteria", "definition", "orr_display", "cr_display"]


@cohort_analysis
def orr_table(cohort: Cohort, by: GroupBy | None = "dose_group") -> pd.DataFrame:
    """ORR and CR rate with exact 95% CIs, per group and overall, among evaluable patients.

    Parameters
    ----------
    cohort : Cohort
    by : 'dose_group', 'subtype' or None
        Grouping; None gives the Overall row only. Groups are those of the cohort's infused
        patients (a group without evaluable patients shows n = 0 and NaN rates), in dose order
        or the canonical subtype order (missing subtype: 'Unknown').

    Returns
    -------
    DataFrame
        One row per group, then 'Overall': group, n (evaluable), responders, orr, orr_lower,
        orr_upper, cr, cr_rate, cr_lower, cr_upper (proportions 0-1), criteria (CRIT values
        seen), definition (responder definition(s) used), orr_display and cr_display
        ("n/N (pct%) [lo–hi]").
    """
    best = best_response(cohort)
    definition = cohort.trial.labels.responder_definition
    groups = _grouped(best, by) if by is not None else []
    rows = [_rate_row(group, frame, definition) for group, frame in groups]
    rows.append(_rate_row(OVERALL, best, definition))
    return pd.DataFrame(rows, columns=ORR_COLUMNS)


def orr_display_table(orr_rows: pd.DataFrame, group_title: str) -> pd.DataFrame:
    """The ORR table as shown and downloaded: readable column names, text cells.

    ``group_title`` names the first column, e.g. 'Dose group' or 'Subtype'.
    """
    return pd.DataFrame({
        group_title: orr_rows["group"],
        "Evaluable (N)": orr_rows["n"],
        "ORR n/N (%) [exact 95% CI]": orr_rows["orr_display"],
        "CR n/N (%) [exact 95% CI]": orr_rows["cr_display"],
        "Responder definition": orr_rows["definition"],
        "Criteria (CRIT)": orr_rows["criteria"],
    })


def bor_counts(best: pd.DataFrame, by: GroupBy = "dose_group") -> pd.DataFrame:
    """Evaluable patients per group and BOR category: group, BOR, n (zero rows kept).

    Groups in dose order (or canonical subtype order); categories in :data:`RESPONSE_ORDER`.
    """
    evaluable = best[best["evaluable"]]
    rows = []
    for group, frame in _grouped(evaluable, by):
        counts = frame["BOR"].value_counts()
        rows += [{"group": group, "BOR": c, "n": int(counts.get(c, 0))} for c in RESPONSE_ORDER]
    return pd.DataFrame(rows, columns=["group", "BOR", "n"])
