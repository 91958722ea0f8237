"""Time-to-event endpoints of a cohort: Kaplan-Meier by group, landmarks, log-rank, follow-up.

This module prepares the data (which patients, which time and event columns, which groups in
which order) and assembles results; every statistic comes from
:mod:`trialdash.analysis.survival` (Kaplan-Meier with Greenwood variance and log(-log)
intervals, Brookmeyer-Crowley median intervals, unweighted log-rank, reverse Kaplan-Meier
follow-up).

Assumptions
-----------
* Population: infused patients kept by the filter who have a row for the endpoint in ADTTE
  (for DOR that is the responders). Rows whose time or event indicator is missing, or whose
  time is negative, cannot enter the estimate; they are counted in ``n_excluded``.
* Times are ``aval_days`` (AVAL converted to days by the snapshot build); the origin is
  infusion for OS and PFS and the first response for DOR (ADTTE.STARTDT).
* Censoring at consolidative allo-HSCT uses the build's ``aval_days_hsct`` / ``event_hsct``
  (an event or censoring after the transplant becomes a censoring at the transplant). It is
  never applied to overall survival: a death after transplant is still a death, so the
  switch is ignored for OS and the censoring note says so.
* Median follow-up is the reverse Kaplan-Meier median of the *current endpoint* over all its
  patients (not stratified), on the uncensored-at-HSCT times: it describes how long the
  endpoint's patients were observed. For OS (and PFS) this is the usual "median follow-up".
* A month is 30.4375 days (365.25 / 12), so 6, 12 and 24 months are 182.625, 365.25 and
  730.5 days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialdash.analysis.filters import PatientCount
from trialdash.analysis.memo import cohort_analysis
from trialdash.analysis.survival import (
    KMResult,
    Landmark,
    LogRank,
    at_risk_table,
    kaplan_meier,
    landmarks,
    logrank,
    reverse_km_followup,
)
from trialdash.style import subtype_sort_key
from trialdash.trial import Cohort, Trial
from trialdash.units import DAYS_PER_MONTH, months

DEFAULT_LANDMARK_DAYS = (182.625, 365.25, 730.5)
ALL = "All"
MISSING_GROUP = "Missing"
OVERALL_SURVIVAL = "OS"
SMALL_N, SMALL_EVENTS = 10, 5
BY_LABELS = {None: "None", "dose_group": "Dose group", "subtype": "Subtype"}
METHODS_NOTE = (
    "Kaplan-Meier estimates; pointwise 95% CIs from Greenwood's variance on the log(-log) "
    "scale; median 95% CI by the Brookmeyer-Crowley method (where the log(-log) band crosses "
    "50%, as R's quantile.survfit); unweighted log-rank (Mantel-Cox) test; median follow-up "
    "by the reverse Kaplan-Meier method. NR = not reached, NE = not estimable."
)
# Round tick steps per axis unit, smallest first; the first that needs <= MAX_TICK_STEPS steps
# to cover the follow-up is used.
TICK_STEPS = {"days": (30, 60, 90, 180, 365, 730), "months": (1, 2, 3, 6, 12, 24)}
MAX_TICK_STEPS = 12


@dataclass(frozen=True, eq=False)
class SurvivalAnalysis:
    """One endpoint's Kaplan-Meier analysis for a cohort, optionally by group.

    Attributes
    ----------
    endpoint, param : str
        PARAMCD and its description (PARAM).
    by : str or None
        Column the strata come from (``'dose_group'``, ``'subtype'``, any ADSL column) or None.
    by_label : str
        ``by`` for people: "Dose group", the subtype variable's own label
        (``Trial.subtype_label``), or the column name.
    origin : str
        Time origin: "infusion" or "first response" (DOR).
    count : PatientCount
        Infused patients kept by the filter, of all infused.
    unit : str
        Unit of every time here: always "days" (figures convert).
    strata : list of KMResult
        One per group (dose order / canonical subtype order / sorted values), or one "All".
    landmark_days : tuple of float
    landmarks : dict
        Stratum label -> list of Landmark at ``landmark_days``.
    logrank : LogRank or None
        Only when at least two strata have patients (and there is an event).
    followup : KMResult
        Reverse Kaplan-Meier of the endpoint over all its patients; ``followup.median`` is the
        median follow-up (days), ``None`` when not estimable.
    at_risk : pandas.DataFrame
        Numbers at risk: index = stratum labels, columns = tick days.
    censored_at_hsct : bool
        Whether the HSCT censoring was applied (False for OS whatever was asked).
    censoring_note : str or None
        What the HSCT switch did (or why it was ignored).
    caution : str or None
        Small-numbers warning when a stratum has < 10 patients or < 5 events.
    n_excluded : int
        Endpoint rows of infused patients left out for a missing or negative time.
    patients : pandas.DataFrame
        One row per analysed patient: USUBJID, group, time_days, event (1/0), status.
    """

    endpoint: str
    param: str
    by: str | None
    by_label: str
    origin: str
    count: PatientCount
    unit: str
    strata: list[KMResult]
    landmark_days: tuple[float, ...]
    landmarks: dict[str, list[Landmark]]
    logrank: LogRank | None
    followup: KMResult
    at_risk: pd.DataFrame
    censored_at_hsct: bool
    censoring_note: str | None
    caution: str | None
    n_excluded: int
    patients: pd.DataFrame

    @property
    def n_patients(self) -> int:
        """Patients in the estimate (all strata)."""
        return sum(s.n for s in self.strata)

    @property
    def max_time(self) -> float:
        """Longest observed time over the strata (days), 0 with no patients."""
        return max((s.last_time for s in self.strata), default=0.0)

    @property
    def followup_label(self) -> str:
        return f"Median follow-up for {self.endpoint} (reverse Kaplan-Meier)"


# --- endpoint list --------------------------------------------------------------------------


def endpoint_choices(source: Cohort | Trial) -> pd.DataFrame:
    """Every time-to-event parameter in ADTTE: columns PARAMCD, PARAM, n_subjects.

    Ordered OS, PFS, DOR first, then the others alphabetically (``queries/endpoints.sql``).
    The list describes the snapshot, not the filter: an endpoint stays selectable even when
    the current filter leaves no patient with it.
    """
    trial = source.trial if isinstance(source, Cohort) else source
    return trial.run("endpoints")[["PARAMCD", "PARAM", "n_subjects"]].reset_index(drop=True)


# --- helpers ----------------------------------------------------------------------------------


def landmark_name(days: float) -> str:
    """'6 months' for 182.625 days; whole months when the time is one, else '100 days'."""
    m = months(days)
    if abs(m - round(m)) < 1e-6 and round(m) > 0:
        return f"{round(m)} month" + ("s" if round(m) != 1 else "")
    return f"{days:g} days"


def axis_ticks(max_days: float, unit: str = "days") -> list[float]:
    """Round tick positions (in days) covering ``0..max_days`` for an axis in ``unit``.

    Steps are 30/60/90/180/365/730 days or 1/2/3/6/12/24 months: the smallest that needs at
    most 12 steps. Ticks never pass ``max_days`` (numbers at risk beyond it are all zero).
    """
    if unit not in TICK_STEPS:
        raise ValueError(f"unit must be 'days' or 'months', got {unit!r}")
    factor = DAYS_PER_MONTH if unit == "months" else 1.0
    span = max(float(max_days), 0.0) / factor
    steps = TICK_STEPS[unit]
    step = next((s for s in steps if span / s <= MAX_TICK_STEPS), steps[-1])
    count = int(math.floor(span / step + 1e-9))
    return [i * step * factor for i in range(count + 1)]


def _group_label(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING_GROUP
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _group_order(frame: pd.DataFrame, by: str) -> list[str]:
    """Group labels in display order: dose order, canonical subtype order, or sorted values."""
    present = frame.dropna(subset=[by]) if by in frame.columns else frame.iloc[0:0]
    if by == "dose_group":
        ordered = present.sort_values(["dose_order", "dose_group"], kind="stable")[by]
        labels = list(dict.fromkeys(_group_label(v) for v in ordered))
    elif by == "subtype":
        labels = sorted({_group_label(v) for v in present[by]}, key=subtype_sort_key)
    else:
        values = present[by].drop_duplicates()
        numeric = pd.to_numeric(values, errors="coerce")
        key = numeric if numeric.notna().all() else values.astype(str)
        labels = [_group_label(v) for v in values.iloc[np.argsort(key.to_numpy(), kind="stable")]]
        labels = list(dict.fromkeys(labels))
    if by in frame.columns and frame[by].isna().any():
        labels.append(MISSING_GROUP)
    return labels


def _endpoint_rows(cohort: Cohort, paramcd: str, by: str | None) -> pd.DataFrame:
    """The endpoint's ADTTE rows of infused patients, with the grouping column from ADSL."""
    infused = cohort.infused
    if by is not None and by not in cohort.subjects.columns:
        raise ValueError(f"cannot stratify by {by!r}: not an ADSL column")
    tte = cohort.time_to_event(paramcd)
    tte = tte[tte["USUBJID"].isin(infused["USUBJID"])]
    keep = ["USUBJID", "PARAM", "aval_days", "event", "aval_days_hsct", "event_hsct"]
    rows = tte[keep].copy()
    subject_cols = ["USUBJID", "dose_order"] + ([by] if by and by != "USUBJID" else [])
    subject_cols = list(dict.fromkeys(subject_cols))
    rows = rows.merge(infused[subject_cols], on="USUBJID", how="left", validate="one_to_one")
    return rows.reset_index(drop=True)


def _times(rows: pd.DataFrame, hsct: bool) -> tuple[pd.Series, pd.Series]:
    time_col, event_col = ("aval_days_hsct", "event_hsct") if hsct else ("aval_days", "event")
    time = pd.to_numeric(rows[time_col], errors="coerce").astype(float)
    event = pd.to_numeric(rows[event_col], errors="coerce").astype(float)
    return time, event


def _usable(time: pd.Series, event: pd.Series) -> pd.Series:
    return time.notna() & (time >= 0) & event.isin([0.0, 1.0])


def _changed_at_hsct(rows: pd.DataFrame) -> pd.Series:
    """Rows whose time or event the HSCT censoring changes (usable either way)."""
    plain_t, plain_e = _times(rows, hsct=False)
    hsct_t, hsct_e = _times(rows, hsct=True)
    changed = (hsct_t < plain_t) | (hsct_e != plain_e)
    return changed & _usable(plain_t, plain_e) & _usable(hsct_t, hsct_e)


def _censoring_note(endpoint: str, rows: pd.DataFrame, asked: bool) -> str | None:
    """What censoring at allo-HSCT does to this endpoint, in one sentence."""
    if endpoint.upper() == OVERALL_SURVIVAL:
        if asked:
            return ("OS is never censored at allo-HSCT (a death after transplant is still a "
                    "death): the switch is ignored for OS.")
        return None
    changed = _changed_at_hsct(rows)
    k = int(changed.sum())
    lost = int((changed & (pd.to_numeric(rows["event"], errors="coerce") == 1)).sum())
    patients = f"{k} patient" + ("s" if k != 1 else "")
    if asked:
        events = f" ({lost} later event{'s' if lost != 1 else ''} not counted)" if lost else ""
        return f"{endpoint} censored at consolidative allo-HSCT: {patients}{events}."
    if k:
        return (f"{endpoint} not censored at consolidative allo-HSCT: {patients} transplanted "
                f"before their {endpoint} event or censoring are followed through it.")
    return None


def _caution(strata: Sequence[KMResult]) -> str | None:
    small = [s for s in strata if s.n and (s.n < SMALL_N or s.events < SMALL_EVENTS)]
    if not small:
        return None
    parts = "; ".join(f"{s.label}: {s.n} patient{'s' if s.n != 1 else ''}, "
                      f"{s.events} event{'s' if s.events != 1 else ''}" for s in small)
    return (f"Small numbers ({parts}). With fewer than {SMALL_N} patients or {SMALL_EVENTS} "
            "events per group, medians, landmark rates and the log-rank test are imprecise; "
            "read them as descriptive.")


# --- the analysis -----------------------------------------------------------------------------


@cohort_analysis
def survival_analysis(
    cohort: Cohort,
    paramcd: str,
    by: str | None = None,
    censor_at_hsct: bool = False,
    landmark_days: Sequence[float] = DEFAULT_LANDMARK_DAYS,
    at_risk_ticks: Sequence[float] | None = None,
) -> SurvivalAnalysis:
    """Kaplan-Meier analysis of one endpoint for the cohort's infused patients.

    Parameters
    ----------
    cohort : Cohort
        The filtered trial; only infused patients are analysed.
    paramcd : str
        ADTTE PARAMCD (OS, PFS, DOR, ...).
    by : str, optional
        Stratify by ``'dose_group'`` (dose order), ``'subtype'`` (canonical order) or any ADSL
        column (sorted values; missing values form a "Missing" group). None = one "All" curve.
    censor_at_hsct : bool, default False
        Censor at consolidative allo-HSCT (ignored for OS; see the module notes).
    landmark_days : sequence of float
        Landmark times in days (default 6, 12 and 24 months).
    at_risk_ticks : sequence of float, optional
        Times (days) for the numbers-at-risk table; default :func:`axis_ticks` in days.

    Returns
    -------
    SurvivalAnalysis
    """
    rows = _endpoint_rows(cohort, paramcd, by)
    origin = "first response" if paramcd.upper().startswith("DOR") else "infusion"
    return analyse_rows(cohort, rows, paramcd, by, censor_at_hsct, landmark_days,
                        at_risk_ticks, origin)


def analyse_rows(
    cohort: Cohort,
    rows: pd.DataFrame,
    paramcd: str,
    by: str | None,
    censor_at_hsct: bool,
    landmark_days: Sequence[float],
    at_risk_ticks: Sequence[float] | None,
    origin: str,
) -> SurvivalAnalysis:
    """The analysis of prepared endpoint rows (as :func:`_endpoint_rows` makes them: USUBJID,
    PARAM, aval_days, event, aval_days_hsct, event_hsct, dose_order and the ``by`` column),
    so that other designs (a landmark analysis) share every statistic and table."""
    rows = rows.copy()
    hsct = bool(censor_at_hsct) and paramcd.upper() != OVERALL_SURVIVAL
    time, event = _times(rows, hsct)
    usable = _usable(time, event)
    groups = [ALL] if by is None else _group_order(rows, by)
    rows["group"] = ALL if by is None else rows[by].map(_group_label).astype(object)
    rows["time_days"], rows["event_flag"] = time, event
    rows["at_hsct"] = _changed_at_hsct(rows) if hsct else False
    data = rows[usable]

    strata = [kaplan_meier(data.loc[data["group"] == g, "time_days"],
                           data.loc[data["group"] == g, "event_flag"], label=g) for g in groups]
    test = None
    if by is not None and sum(s.n > 0 for s in strata) >= 2:
        test = logrank(data["time_days"], data["event_flag"], data["group"])
    plain_t, plain_e = _times(rows, hsct=False)
    plain_ok = _usable(plain_t, plain_e)
    max_days = max((s.last_time for s in strata), default=0.0)
    ticks = list(at_risk_ticks) if at_risk_ticks is not None else axis_ticks(max_days)
    params = rows["PARAM"].dropna()
    return SurvivalAnalysis(
        endpoint=paramcd,
        param=str(params.iloc[0]) if len(params) else paramcd,
        by=by,
        by_label=(cohort.trial.subtype_label if by == "subtype"
                  else BY_LABELS.get(by, str(by))),
        origin=origin,
        count=cohort.count,
        unit="days",
        strata=strata,
        landmark_days=tuple(float(t) for t in landmark_days),
        landmarks={s.label: landmarks(s, landmark_days) for s in strata},
        logrank=test,
        followup=reverse_km_followup(plain_t[plain_ok], plain_e[plain_ok]),
        at_risk=at_risk_table(strata, ticks),
        censored_at_hsct=hsct,
        censoring_note=_censoring_note(paramcd, rows, bool(censor_at_hsct)),
        caution=_caution(strata),
        n_excluded=int((~usable).sum()),
        patients=_patient_rows(data, groups),
    )


def _patient_rows(data: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    """Analysed patients in group order, then time: USUBJID, group, time_days, event, status."""
    status = np.where(data["event_flag"] == 1, "event",
                      np.where(data["at_hsct"], "censored at allo-HSCT", "censored"))
    out = pd.DataFrame({
        "USUBJID": data["USUBJID"],
        "group": data["group"],
        "time_days": data["time_days"],
        "event": data["event_flag"].astype(int),
        "status": status,
    })
    out["_rank"] = out["group"].map({g: i for i, g in enumerate(groups)})
    out = out.sort_values(["_rank", "time_days", "USUBJID"], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


# --- tables and text for pages and reports ----------------------------------------------------


def _fmt_time(days: float | None, unit: str, missing: str) -> str:
    if days is None or (isinstance(days, float) and math.isnan(days)):
        return missing
    return f"{months(days):.1f}" if unit == "months" else f"{days:.0f}"


def _fmt_pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def median_text(result: KMResult, unit: str = "days") -> str:
    """'245 (120–NE)': median (95% CI) in ``unit``; NR = not reached, NE = not estimable."""
    if result.n == 0:
        return "–"
    median = _fmt_time(result.median, unit, "NR")
    lower = _fmt_time(result.median_lower, unit, "NE")
    upper = _fmt_time(result.median_upper, unit, "NE")
    return f"{median} ({lower}–{upper})"


def landmark_text(mark: Landmark) -> str:
    """'70.7% (38.2–88.1); 9 at risk', or 'beyond follow-up; 0 at risk'."""
    if mark.survival is None:
        return f"beyond follow-up; {mark.at_risk} at risk"
    return (f"{_fmt_pct(mark.survival)}% ({_fmt_pct(mark.lower)}–{_fmt_pct(mark.upper)}); "
            f"{mark.at_risk} at risk")


def survival_table(analysis: SurvivalAnalysis, unit: str = "days") -> pd.DataFrame:
    """Summary with one column per stratum (in stratum order) and one row per statistic.

    Rows: patients, events, censored, median (95% CI) in ``unit`` ('days' or 'months'), then
    each landmark as "survival % (95% CI); number at risk". Cells are text, so that a
    narrow screen shows every stratum side by side.
    """
    table: dict[str, list[str]] = {"Statistic": [
        "Patients (n)", "Events (n)", "Censored (n)", f"Median, {unit} (95% CI)",
        *[f"{landmark_name(t)}: % (95% CI); at risk" for t in analysis.landmark_days],
    ]}
    for s in analysis.strata:
        marks = [landmark_text(m) if s.n else "–" for m in analysis.landmarks[s.label]]
        table[s.label] = [str(s.n), str(s.events), str(s.censored), median_text(s, unit), *marks]
    return pd.DataFrame(table)


def p_text(p: float) -> str:
    """'= 0.054' or '< 0.001' (to follow a 'p')."""
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def logrank_text(analysis: SurvivalAnalysis) -> str | None:
    """'Log-rank test: chi-square 1.23 on 2 df, p = 0.540', or None when not tested."""
    test = analysis.logrank
    if test is None:
        return None
    return f"Log-rank test: chi-square {test.chisq:.2f} on {test.df} df, p {p_text(test.p)}"


def followup_text(analysis: SurvivalAnalysis, unit: str = "days") -> str:
    """Median follow-up by reverse Kaplan-Meier for the endpoint, with its 95% CI."""
    fu = analysis.followup
    if fu.n == 0:
        return f"{analysis.followup_label}: no patients"
    longest = f"longest {_fmt_time(fu.last_time, unit, '–')} {unit}"
    if fu.median is None:
        return f"{analysis.followup_label}: not estimable (n = {fu.n}; {longest})"
    lower = _fmt_time(fu.median_lower, unit, "NE")
    upper = _fmt_time(fu.median_upper, unit, "NE")
    return (f"{analysis.followup_label}: {_fmt_time(fu.median, unit, 'NR')} {unit} "
            f"(95% CI {lower}–{upper}; n = {fu.n}; {longest})")


# --- JSON summary -------------------------------------------------------------------------------


def _native(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def survival_summary_dict(
    analysis: SurvivalAnalysis, landmark_days: Sequence[float] = DEFAULT_LANDMARK_DAYS
) -> dict:
    """The analysis as plain JSON-ready data (native floats/ints, None for NaN).

    Shape::

        {"endpoint": str, "by": str | None, "unit": "days",
         "strata": [{"group", "n", "events", "median", "median_ci": [lo, hi],
                     "landmarks": [{"time", "label", "survival", "ci": [lo, hi],
                                    "at_risk"}]}],
         "logrank": {"chisq", "df", "p"} | None}

    A landmark beyond follow-up has ``survival`` None and ``ci`` [None, None].
    """
    strata = []
    for s in analysis.strata:
        marks = landmarks(s, landmark_days)
        strata.append({
            "group": str(s.label),
            "n": int(s.n),
            "events": int(s.events),
            "median": _native(s.median),
            "median_ci": [_native(s.median_lower), _native(s.median_upper)],
            "landmarks": [{
                "time": float(m.time),
                "label": landmark_name(m.time),
                "survival": _native(m.survival),
                "ci": [_native(m.lower), _native(m.upper)],
                "at_risk": int(m.at_risk),
            } for m in marks],
        })
    test = analysis.logrank
    return {
        "endpoint": str(analysis.endpoint),
        "by": analysis.by,
        "unit": "days",
        "strata": strata,
        "logrank": None if test is None else {
            "chisq": float(test.chisq), "df": int(test.df), "p": float(test.p)},
    }
