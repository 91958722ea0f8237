"""Safety: treatment-emergent adverse events, incidence by term, CRS and ICANS.

Assumptions
-----------
* Population: infused patients kept by the filter (``cohort.infused``, the safety
  population). Every denominator N is the number of infused patients of the dose group (or
  of all dose groups for :data:`OVERALL`), whether or not they had an event.
* Treatment-emergent (ADaM IG: only ``TRTEMFL = 'Y'`` is treatment-emergent, a blank is
  not): when the data set carries ``TRTEMFL`` (any non-blank value in ADAE), an event is
  treatment-emergent when its flag is 'Y'; when it does not, when it starts on or after the
  infusion day (day 0). Either way the tables here count events from day 0 on:
  lymphodepletion-period events (days from ``LDSTDT`` to -1) are a period of their own
  (:func:`events_by_period`), as CAR-T reports give them. :func:`teae_rule` says which rule
  applied. Events of patients who were not infused are never counted.
* Window: ``window_days=28`` keeps events starting on days 0-28 after infusion (day 0 =
  infusion; events without a start day are dropped); ``None`` keeps the whole follow-up
  (an event flagged 'Y' without a start day is kept).
* Grades: ``AETOXGR`` is the CTCAE v5.0 grade (1-5). An import with severity only
  (``AESEV``) is graded 1-3 (mild, moderate, severe); "grade >=3" then reads "Severe" and
  there is no fatal grade. Cytokine release syndrome (CRS) and immune effector
  cell-associated neurotoxicity syndrome (ICANS) are graded by the ASTCT consensus (Lee et al.,
  Biol Blood Marrow Transplant 2019) in ``ASTCTGR``; where a CRS event has no ASTCT grade its
  CTCAE (or severity) grade stands in, and the ``scale`` columns and labels say so. ICANS is
  graded on the ASTCT scale only (CTCAE v5.0 has no ICANS term): an ICANS event without
  ``ASTCTGR`` is counted as ungraded, never given its CTCAE grade.
* Counts are of patients, not events: a patient counts once per row, at their worst grade.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialdash.analysis.enrollment import OVERALL
from trialdash.analysis.escalation import DLT_EVALUABLE_DEFINITION, dlt_evaluable
from trialdash.analysis.filters import PatientCount
from trialdash.analysis.flags import is_yes
from trialdash.analysis.memo import cohort_analysis
from trialdash.analysis.stats import format_n_of_N
from trialdash.derive import CTCAE_SCALE, SEVERITY_SCALE
from trialdash.trial import Cohort

__all__ = [
    "ASTCT_SCALE",
    "DLT_WINDOW_DAYS",
    "PERIODS",
    "TEAERule",
    "OVERALL",
    "SYNDROMES",
    "TEAESummary",
    "ae_incidence_by_term",
    "crs_icans_by_grade",
    "crs_icans_episodes",
    "crs_icans_table",
    "events_by_period",
    "grade_threshold_label",
    "incidence_label",
    "infused_events",
    "teae_rule",
    "teae_summary",
    "window_label",
    "worst_grade_by_patient_term",
]

DLT_WINDOW_DAYS = 28
ASTCT_SCALE = "ASTCT (Lee 2019)"
SYNDROMES = ("CRS", "ICANS")
GRADES = (1, 2, 3, 4, 5)


# --- shared helpers -----------------------------------------------------------------------


def window_label(window_days: int | None) -> str:
    """Human-readable window, e.g. 'within 28 days of infusion' or 'whole follow-up'."""
    return "whole follow-up" if window_days is None else f"within {window_days} days of infusion"


def _is_severity(scale: str) -> bool:
    return scale == SEVERITY_SCALE


def grade_threshold_label(scale: str) -> str:
    """'Grade ≥3' on CTCAE v5.0, 'Severe' on the severity scale."""
    return "Severe" if _is_severity(scale) else "Grade ≥3"


def _numeric(values: pd.Series) -> pd.Series:
    """Grades as floats (NaN when missing), so comparisons never meet pd.NA."""
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _cleaned_flag(flag: pd.Series) -> pd.Series:
    """Flags stripped and upper case, blanks missing; each distinct value cleaned once."""
    raw = flag.astype("object")
    distinct = pd.Series(pd.unique(raw.dropna()), dtype="object")
    cleaned = distinct.str.strip().str.upper().replace("", None)
    return raw.map(dict(zip(distinct, cleaned, strict=True)))


@dataclass(frozen=True)
class TEAERule:
    """Which treatment-emergence rule applied, and its wording for captions.

    Attributes
    ----------
    uses_flag : bool
        True when ADAE carries ``TRTEMFL`` (only 'Y' is treatment-emergent, ADaM IG);
        False when it does not (onset on or after the infusion day).
    text : str
        The rule in words.
    """

    uses_flag: bool
    text: str


FLAG_RULE = TEAERule(True, "treatment-emergent = TRTEMFL 'Y' (a blank flag is not; ADaM IG), "
                           "onset on or after the infusion day")
ONSET_RULE = TEAERule(False, "treatment-emergent = onset on or after the infusion day "
                             "(the data have no TRTEMFL)")


def teae_rule(events: pd.DataFrame) -> TEAERule:
    """The flag rule when any ADAE row of ``events`` has a TRTEMFL value, else the onset rule.

    ``events`` should be every adverse event of the snapshot (not a filtered subset), so the
    rule does not change with the filter.
    """
    has_flag = "TRTEMFL" in events.columns and _cleaned_flag(events["TRTEMFL"]).notna().any()
    return FLAG_RULE if has_flag else ONSET_RULE


def _is_emergent(events: pd.DataFrame, rule: TEAERule, window_days: int | None) -> pd.Series:
    """Treatment-emergent under ``rule`` and starting from day 0 within the window."""
    start = _numeric(events["start_day"])
    in_window = start.ge(0) & (start.le(window_days) if window_days is not None else True)
    if not rule.uses_flag:
        return in_window.astype(bool)
    flagged = _cleaned_flag(events["TRTEMFL"]).eq("Y").fillna(False).astype(bool)
    undated = start.isna() if window_days is None else False
    return (flagged & (in_window | undated)).astype(bool)


def _scale_of(frame: pd.DataFrame) -> str:
    """The grade scale of the snapshot's AE grades (CTCAE v5.0 unless severity only)."""
    if "grade_scale" in frame.columns:
        scales = frame["grade_scale"].dropna()
        if not scales.empty:
            return str(scales.iloc[0])
    return CTCAE_SCALE


def _group_sizes(cohort: Cohort) -> pd.DataFrame:
    """Infused patients per dose group in dose order, then :data:`OVERALL`: group, order, N."""
    infused = cohort.infused
    sizes = (infused.groupby(["dose_order", "dose_group"]).size().rename("N").reset_index()
             .sort_values("dose_order"))
    rows = [(g, int(o), int(n)) for o, g, n in sizes[["dose_order", "dose_group", "N"]].itertuples(
        index=False)]
    rows.append((OVERALL, len(rows) + 1, len(infused)))
    return pd.DataFrame(rows, columns=["dose_group", "dose_order", "N"])


def _with_overall(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows once under their dose group and once more under :data:`OVERALL`."""
    return pd.concat([frame, frame.assign(dose_group=OVERALL)], ignore_index=True)


def cohort_teae_rule(cohort: Cohort) -> TEAERule:
    """The treatment-emergence rule of the cohort's snapshot (decided on all its events:
    the distinct TRTEMFL values of every ADSL subject's events, computed once per trial)."""
    trial = cohort.trial
    return trial.derived(("teae_rule",), lambda: teae_rule(trial.teae_flag_values()))


def infused_events(cohort: Cohort) -> pd.DataFrame:
    """Every adverse event of the cohort's infused patients, whole follow-up, with the
    columns of the ``safety_events`` query. Read once per cohort: do not modify the result."""
    def compute() -> pd.DataFrame:
        events = cohort.safety_events()
        return events[events["USUBJID"].isin(cohort.infused["USUBJID"])].reset_index(drop=True)

    return cohort.derived(("infused_events",), compute)


def _teae(cohort: Cohort, window_days: int | None) -> pd.DataFrame:
    """Treatment-emergent events of infused patients within the window (see module notes);
    computed once per cohort and window (do not modify)."""
    def compute() -> pd.DataFrame:
        events = infused_events(cohort)
        keep = _is_emergent(events, cohort_teae_rule(cohort), window_days)
        return events[keep].reset_index(drop=True)

    return cohort.derived(("teae", window_days), compute)


def _syndrome_grade(events: pd.DataFrame) -> pd.Series:
    """ASTCT grade of CRS/ICANS events; CRS without one takes its CTCAE (or severity) grade.
    ICANS has no CTCAE v5.0 term, so an ICANS event without ASTCT grade stays ungraded."""
    astct = _numeric(events["ASTCTGR"])
    fallback = _numeric(events["grade"]).where(events["aesi"].ne("ICANS").fillna(True))
    return astct.fillna(fallback)


def _syndrome_scale(events: pd.DataFrame, syndrome: str, fallback: str) -> str:
    """Which scale the grades of one syndrome are on, naming the fallback when used."""
    rows = events[events["aesi"] == syndrome]
    missing = int(_numeric(rows["ASTCTGR"]).isna().sum())
    if missing == 0:
        return ASTCT_SCALE
    if syndrome == "ICANS":
        return (f"{ASTCT_SCALE} only; {missing} of {len(rows)} events without ASTCT grade "
                "are ungraded (CTCAE has no ICANS term)")
    if missing == len(rows):
        return f"{fallback} (no ASTCT grade recorded)"
    return f"{ASTCT_SCALE}; {fallback} for {missing} of {len(rows)} events without ASTCT grade"


# --- TEAE summary -------------------------------------------------------------------------


@dataclass(frozen=True)
class TEAESummary:
    """Patients with treatment-emergent events, by dose group and overall.

    Attributes
    ----------
    count : PatientCount
        Infused patients kept by the filter.
    window_days : int or None
        28 or None (whole follow-up).
    grade_scale : str
        Scale of ``AETOXGR``-based rows: 'CTCAE v5.0' or the severity scale.
    table : DataFrame
        Display table: column ``Event`` then one column per dose group (dose order) and
        ``Overall``; cells "n/N (pct%)".
    counts : DataFrame
        Long form: dose_group, dose_order, category (key), label, n, N.
    note : str
        One sentence stating population, window, treatment-emergence rule and grading scales
        (for a caption).
    rule : str
        The treatment-emergence rule applied, in words (:func:`teae_rule`).
    """

    count: PatientCount
    window_days: int | None
    grade_scale: str
    table: pd.DataFrame
    counts: pd.DataFrame
    note: str
    rule: str = ""

    def as_dict(self) -> dict[str, dict[str, int]]:
        """{dose group: {"n": patients, "any_teae": k, "grade3plus": k, ...}} for JSON."""
        out: dict[str, dict[str, int]] = {}
        for row in self.counts.itertuples(index=False):
            entry = out.setdefault(row.dose_group, {"n": int(row.N)})
            entry[row.category] = int(row.n)
        return out


def _summary_categories(events: pd.DataFrame, scale: str) -> list[tuple[str, str, pd.Series]]:
    """(key, row label, event mask) for every row of the TEAE summary.

    The grade >=3 and fatal rows use the CTCAE v5.0 (or severity) grade; ICANS, which has no
    CTCAE v5.0 term, counts there by its ASTCT grade."""
    syndrome_grade = _syndrome_grade(events)
    grade = _numeric(events["grade"]).fillna(syndrome_grade.where(events["aesi"].eq("ICANS")))
    threshold = grade_threshold_label(scale)
    rows = [
        ("any_teae", "Any TEAE", pd.Series(True, index=events.index)),
        ("grade3plus", f"{threshold} TEAE", grade.ge(3)),
        ("serious", "Serious TEAE", is_yes(events["AESER"])),
    ]
    if not _is_severity(scale):
        rows.append(("grade5", "Grade 5 (fatal) TEAE", grade.eq(5)))
    fallback = "CTCAE" if not _is_severity(scale) else "severity"
    for syndrome in SYNDROMES:
        is_syndrome = events["aesi"].eq(syndrome).fillna(False).astype(bool)
        on_astct = _syndrome_scale(events, syndrome, scale) == ASTCT_SCALE
        high = f"{syndrome}, ASTCT grade ≥3" if on_astct else (
            f"{syndrome}, grade ≥3 (ASTCT, else {fallback})")
        key = syndrome.lower()
        rows.append((f"{key}_any", f"{syndrome}, any grade", is_syndrome))
        rows.append((f"{key}_grade3plus", high, is_syndrome & syndrome_grade.ge(3)))
    return rows


@cohort_analysis
def teae_summary(cohort: Cohort, window_days: int | None = DLT_WINDOW_DAYS) -> TEAESummary:
    """Patients with any TEAE, grade >=3, serious, fatal, CRS, ICANS and DLT events.

    Grades: CTCAE v5.0 (``AETOXGR``) for the general rows; CRS and ICANS rows >=3 use the
    ASTCT consensus grade (Lee 2019), falling back to CTCAE v5.0 for events without one
    (the row label then says so). With severity-only data the grade >=3 row is labelled
    "Severe" and the fatal row is left out (the severity scale has no fatal grade).

    Parameters
    ----------
    cohort : Cohort
        The filtered trial; denominators are its infused patients per dose group.
    window_days : int or None, default 28
        Only events starting within this many days of infusion; None = whole follow-up.
    """
    events = _teae(cohort, window_days)
    rule = cohort_teae_rule(cohort)
    scale = _scale_of(events)
    sizes = _group_sizes(cohort)
    records = []
    for key, label, mask in _summary_categories(events, scale):
        hit = _with_overall(events.loc[mask, ["USUBJID", "dose_group"]])
        patients = hit.groupby("dose_group")["USUBJID"].nunique()
        for group, order, total in sizes.itertuples(index=False):
            records.append((group, order, key, label, int(patients.get(group, 0)), total))
    records += _dlt_records(cohort, sizes)
    counts = pd.DataFrame(records, columns=["dose_group", "dose_order", "category", "label",
                                            "n", "N"])
    table = _wide_counts(counts, "label", "Event", list(sizes["dose_group"]))
    return TEAESummary(cohort.count, window_days, scale, table, counts,
                       _summary_note(events, scale, window_days, rule), rule.text)


DLT_LABEL = "DLT (of DLT-evaluable patients)"


def _dlt_records(cohort: Cohort, sizes: pd.DataFrame) -> list[tuple]:
    """The DLT row: patients with DLTFL 'Y' out of DLT-evaluable patients per group
    (:data:`~trialdash.analysis.escalation.DLT_EVALUABLE_DEFINITION`, the denominator of
    patient flow and the 3+3 ledger too)."""
    infused = cohort.infused
    evaluable = infused[dlt_evaluable(infused)]
    frame = _with_overall(evaluable[["USUBJID", "dose_group", "DLTFL"]])
    records = []
    for group, order, _total in sizes.itertuples(index=False):
        part = frame[frame["dose_group"] == group]
        records.append((group, order, "dlt", DLT_LABEL, int(is_yes(part["DLTFL"]).sum()),
                        len(part)))
    return records


def _wide_counts(counts: pd.DataFrame, row: str | list[str], row_title: str | list[str],
                 groups: list[str]) -> pd.DataFrame:
    """Long counts -> one row per ``row`` value (first-seen order), "n/N (pct%)" per group."""
    rows = [row] if isinstance(row, str) else row
    titles = [row_title] if isinstance(row_title, str) else row_title
    cells = counts.assign(cell=[format_n_of_N(int(k), int(n)) for k, n in
                                zip(counts["n"], counts["N"], strict=True)])
    order = cells[rows].drop_duplicates()
    wide = cells.pivot(index=rows, columns="dose_group", values="cell")
    wide = order.merge(wide.reset_index(), on=rows, how="left")
    wide = wide.reindex(columns=[*rows, *groups])
    return wide.rename(columns=dict(zip(rows, titles, strict=True))).reset_index(drop=True)


def _summary_note(events: pd.DataFrame, scale: str, window_days: int | None,
                  rule: TEAERule) -> str:
    grading = (f"Grades: {scale} (severe = highest; no fatal grade on this scale)"
               if _is_severity(scale) else f"Grades: {scale}")
    syndromes = "; ".join(
        f"{s}: {_syndrome_scale(events, s, scale)}" for s in SYNDROMES
        if events["aesi"].eq(s).any()
    )
    syndromes = syndromes or f"CRS and ICANS: {ASTCT_SCALE}"
    return (f"Treatment-emergent events of infused patients ({rule.text}), "
            f"{window_label(window_days)}; n/N = patients with the event / infused patients "
            f"of the group (DLT row: of its DLT-evaluable patients). {grading} (ICANS, which "
            f"has no CTCAE term, by its ASTCT grade). {syndromes}. "
            f"{DLT_EVALUABLE_DEFINITION}")


# --- incidence by preferred term -----------------------------------------------------------


def _term_order(worst: pd.DataFrame) -> pd.DataFrame:
    """Display order of terms: SOC alphabetical, then by patients descending, then by name.

    ``worst`` has one row per patient x term (AEBODSYS, AEDECOD, USUBJID); returns
    AEBODSYS, AEDECOD, patients, term_order (1 = first).
    """
    order = (worst.groupby(["AEBODSYS", "AEDECOD"])["USUBJID"].nunique().rename("patients")
             .reset_index())
    order = (order.assign(fewer=-order["patients"])
             .sort_values(["AEBODSYS", "fewer", "AEDECOD"]).reset_index(drop=True))
    order["term_order"] = range(1, len(order) + 1)
    return order[["AEBODSYS", "AEDECOD", "patients", "term_order"]]


@cohort_analysis
def worst_grade_by_patient_term(cohort: Cohort, window_days: int | None = DLT_WINDOW_DAYS
                                ) -> pd.DataFrame:
    """Worst grade of each preferred term per infused patient (treatment-emergent events).

    Grades: CTCAE v5.0 (``AETOXGR``), or 1-3 on the severity scale (``grade_scale`` says
    which); ``max_grade`` is missing when no event of the term was graded (ICANS has no
    CTCAE v5.0 grade: its ASTCT grade is in the CRS and ICANS tables).

    Returns
    -------
    DataFrame
        One row per patient x term: USUBJID, dose_group, dose_order, AEBODSYS ('Not coded'
        when blank), AEDECOD, max_grade, grade_scale, term_order (SOC alphabetical, then
        terms by number of patients descending, then alphabetically); ordered by dose,
        patient and term_order.
    """
    events = _teae(cohort, window_days).assign(
        AEBODSYS=lambda f: f["AEBODSYS"].fillna("Not coded"),
        grade=lambda f: _numeric(f["grade"]))
    keys = ["USUBJID", "AEBODSYS", "AEDECOD"]
    worst = (events.groupby(keys, dropna=False)
             .agg(dose_group=("dose_group", "first"), dose_order=("dose_order", "first"),
                  max_grade=("grade", "max"), grade_scale=("grade_scale", "first"))
             .reset_index())
    columns = ["USUBJID", "dose_group", "dose_order", "AEBODSYS", "AEDECOD", "max_grade",
               "grade_scale"]
    worst = worst[columns].merge(_term_order(worst)[["AEBODSYS", "AEDECOD", "term_order"]],
                                 on=["AEBODSYS", "AEDECOD"], how="left")
    worst["max_grade"] = _numeric(worst["max_grade"]).astype("Int64")
    return worst.sort_values(["dose_order", "USUBJID", "term_order"]).reset_index(drop=True)


def incidence_label(min_grade: int, scale: str) -> str:
    """What an incidence table counts: 'any grade', 'grade ≥3' or 'severe'."""
    return "any grade" if min_grade <= 1 else (
        "severe" if _is_severity(scale) else f"grade ≥{min_grade}")


def _modal_grade(grade_counts: pd.DataFrame) -> pd.Series:
    """Most frequent worst grade per row; ties go to the higher grade; NaN when no patient."""
    if grade_counts.empty:
        return pd.Series(float("nan"), index=grade_counts.index)
    reversed_counts = grade_counts[grade_counts.columns[::-1]]
    modal = reversed_counts.idxmax(axis=1).str.removeprefix("grade_").astype(float)
    return modal.where(grade_counts.sum(axis=1) > 0)


@cohort_analysis
def ae_incidence_by_term(cohort: Cohort, window_days: int | None = DLT_WINDOW_DAYS,
                         min_grade: int = 1) -> pd.DataFrame:
    """Patients with each preferred term at worst grade >= ``min_grade``, by dose group.

    Grades are CTCAE v5.0 (``AETOXGR``), or 1-3 on the severity scale (then ``min_grade=3``
    means severe). ``min_grade=1`` counts every patient with the term, graded or not.

    Returns
    -------
    DataFrame
        One row per term x group (dose groups in dose order, then :data:`OVERALL`), every
        combination present (zeros included), terms with at least one counted patient only.
        Columns: AEBODSYS, AEDECOD, dose_group, dose_order, n, N, pct (100 n / N, NaN when
        N = 0), grade_1 ... grade_5 (patients by worst grade), modal_grade (the most frequent
        worst grade, ties to the higher), term_order (display order: SOC alphabetical, then
        terms by overall n descending, then alphabetically), grade_scale.
    """
    worst = worst_grade_by_patient_term(cohort, window_days)
    scale = _scale_of(worst)
    grades = _numeric(worst["max_grade"])
    counted = worst[grades.ge(min_grade)] if min_grade > 1 else worst
    grade_columns = [f"grade_{g}" for g in GRADES]
    columns = ["AEBODSYS", "AEDECOD", "dose_group", "dose_order", "n", "N", "pct",
               *grade_columns, "modal_grade", "term_order", "grade_scale"]
    if counted.empty:
        return pd.DataFrame(columns=columns)
    counted = _with_overall(counted.assign(max_grade=_numeric(counted["max_grade"])))
    sizes = _group_sizes(cohort)
    keys = ["AEBODSYS", "AEDECOD", "dose_group"]
    terms = counted[["AEBODSYS", "AEDECOD"]].drop_duplicates()
    grid = terms.merge(sizes, how="cross")
    n = counted.groupby(keys).size().rename("n")
    by_grade = (counted.groupby(keys)["max_grade"].value_counts().unstack(fill_value=0)
                .reindex(columns=[float(g) for g in GRADES], fill_value=0))
    by_grade.columns = [f"grade_{int(g)}" for g in by_grade.columns]
    out = grid.merge(n.reset_index(), on=keys, how="left").merge(
        by_grade.reset_index(), on=keys, how="left")
    out[["n", *grade_columns]] = out[["n", *grade_columns]].fillna(0).astype(int)
    out["pct"] = (100.0 * out["n"] / out["N"].where(out["N"] > 0)).astype(float)
    out["modal_grade"] = _modal_grade(out[grade_columns])
    order = _term_order(counted[counted["dose_group"] != OVERALL])
    out = out.merge(order[["AEBODSYS", "AEDECOD", "term_order"]], on=["AEBODSYS", "AEDECOD"])
    out["grade_scale"] = scale
    return out[columns].sort_values(["term_order", "dose_order"]).reset_index(drop=True)


# --- CRS and ICANS ------------------------------------------------------------------------


@cohort_analysis
def crs_icans_by_grade(cohort: Cohort, window_days: int | None = DLT_WINDOW_DAYS
                       ) -> pd.DataFrame:
    """Patients by worst ASTCT grade of CRS and of ICANS, per dose group and overall.

    Grades: ASTCT consensus (Lee 2019) from ``ASTCTGR``; an event without one takes its
    CTCAE v5.0 grade (``AETOXGR``; severity 1-3 on severity-only data) and the ``scale``
    column names the fallback. Grade 0 = infused patients without the syndrome. A patient
    whose events of a syndrome carry no grade on either scale is in no grade row.

    Returns
    -------
    DataFrame
        One row per group (dose order, then :data:`OVERALL`) x syndrome (CRS, ICANS) x grade
        (0-4, and 5 when observed): dose_group, dose_order, syndrome, grade, n, N, pct, scale.
    """
    events = _teae(cohort, window_days)
    events = events[events["aesi"].isin(SYNDROMES)].assign(
        syndrome_grade=lambda f: _syndrome_grade(f))
    fallback = _scale_of(events) if not events.empty else CTCAE_SCALE
    worst = (events.groupby(["USUBJID", "dose_group", "aesi"])["syndrome_grade"].max()
             .reset_index())
    worst = _with_overall(worst)
    sizes = _group_sizes(cohort)
    top = 5 if worst["syndrome_grade"].eq(5).any() else 4
    records = []
    for syndrome in SYNDROMES:
        scale = _syndrome_scale(events, syndrome, fallback)
        rows = worst[worst["aesi"] == syndrome]
        for group, order, total in sizes.itertuples(index=False):
            grades = rows.loc[rows["dose_group"] == group, "syndrome_grade"]
            records.append((group, order, syndrome, 0, total - len(grades), total, scale))
            for grade in range(1, top + 1):
                records.append((group, order, syndrome, grade, int(grades.eq(grade).sum()),
                                total, scale))
    out = pd.DataFrame(records, columns=["dose_group", "dose_order", "syndrome", "grade", "n",
                                         "N", "scale"])
    out["pct"] = (100.0 * out["n"] / out["N"].where(out["N"] > 0)).astype(float)
    return out[["dose_group", "dose_order", "syndrome", "grade", "n", "N", "pct", "scale"]]


def crs_icans_table(by_grade: pd.DataFrame) -> pd.DataFrame:
    """Display table of :func:`crs_icans_by_grade`: Syndrome, ASTCT grade, one column per
    group with "n/N (pct%)", and the grading scale of the syndrome."""
    groups = list(dict.fromkeys(by_grade.sort_values("dose_order")["dose_group"]))
    labelled = by_grade.assign(
        grade_label=by_grade["grade"].map(lambda g: "None" if g == 0 else f"Grade {g}"))
    wide = _wide_counts(labelled, ["syndrome", "grade_label"], ["Syndrome", "ASTCT grade"],
                        groups)
    scales = by_grade.drop_duplicates("syndrome").set_index("syndrome")["scale"]
    wide["Grading scale"] = wide["Syndrome"].map(scales)
    return wide


def crs_icans_counts(by_grade: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`crs_icans_table` as a long count table (label 'CRS Grade 2',
    dose_group, n), for the change since a previous data cut."""
    grade = by_grade["grade"].map(lambda g: "None" if g == 0 else f"Grade {g}")
    return pd.DataFrame({"label": by_grade["syndrome"] + " " + grade,
                         "dose_group": by_grade["dose_group"], "n": by_grade["n"]})


def _last_contact_day(infused: pd.DataFrame) -> pd.Series:
    """Per USUBJID: last contact day, else the data cut-off day (days since infusion)."""
    cutoff = (pd.to_datetime(infused["DCUTDT"]) - pd.to_datetime(infused["TRTSDT"])).dt.days
    last = _numeric(infused["last_day"]).fillna(cutoff.astype(float))
    return pd.Series(last.to_numpy(), index=infused["USUBJID"])


@cohort_analysis
def crs_icans_episodes(cohort: Cohort, window_days: int | None = DLT_WINDOW_DAYS
                       ) -> pd.DataFrame:
    """One row per treatment-emergent CRS or ICANS event of an infused patient.

    Grades: ``astct_grade`` is the ASTCT consensus grade (Lee 2019), ``ctcae_grade`` the
    CTCAE v5.0 grade (``AETOXGR``; always blank for ICANS, which has no CTCAE v5.0 term);
    ``grade`` is the ASTCT grade, else for CRS the CTCAE (or severity) grade, with
    ``grade_source`` naming which. Days are days since infusion.
    An event without an end day is *ongoing*: it runs to the patient's last contact (or the
    data cut-off) and ``ongoing`` is True. ``duration_days = end_day - onset_day + 1``.

    Columns: USUBJID, dose_group, dose_order, subtype, aesi, AEDECOD, astct_grade,
    ctcae_grade, grade, grade_source, onset_day, end_day, ongoing, duration_days, TOCIFL,
    STERFL; ordered by dose, patient, onset.
    """
    events = _teae(cohort, window_days)
    events = events[events["aesi"].isin(SYNDROMES)].copy()
    scale = _scale_of(events)
    astct = _numeric(events["ASTCTGR"])
    onset = _numeric(events["start_day"])
    recorded_end = _numeric(events["end_day"])
    last_contact = events["USUBJID"].map(_last_contact_day(cohort.infused)).astype(float)
    end = recorded_end.fillna(last_contact).fillna(onset)
    out = pd.DataFrame({
        "USUBJID": events["USUBJID"],
        "dose_group": events["dose_group"],
        "dose_order": events["dose_order"],
        "subtype": events["subtype"],
        "aesi": events["aesi"],
        "AEDECOD": events["AEDECOD"],
        "astct_grade": astct,
        "ctcae_grade": _numeric(events["AETOXGR"]).where(events["aesi"].ne("ICANS")),
        "grade": _syndrome_grade(events),
        "grade_source": np.select(
            [astct.notna().to_numpy(), events["aesi"].eq("ICANS").to_numpy()],
            [ASTCT_SCALE, "not graded (no ASTCT grade)"], scale),
        "onset_day": onset,
        "end_day": end.where(end >= onset, onset),
        "ongoing": recorded_end.isna().to_numpy(),
        "TOCIFL": is_yes(events["TOCIFL"]).map({True: "Y", False: "N"}),
        "STERFL": is_yes(events["STERFL"]).map({True: "Y", False: "N"}),
    })
    out["duration_days"] = out["end_day"] - out["onset_day"] + 1
    whole = ["astct_grade", "ctcae_grade", "grade", "onset_day", "end_day", "duration_days"]
    out[whole] = out[whole].astype("Int64")
    columns = ["USUBJID", "dose_group", "dose_order", "subtype", "aesi", "AEDECOD",
               "astct_grade", "ctcae_grade", "grade", "grade_source", "onset_day", "end_day",
               "ongoing", "duration_days", "TOCIFL", "STERFL"]
    return (out[columns].sort_values(["dose_order", "USUBJID", "onset_day", "aesi"])
            .reset_index(drop=True))


# --- periods: lymphodepletion, days 0-28, later ----------------------------------------------

PERIODS = ("Lymphodepletion (LDSTDT to day -1)", "Days 0-28", "Day 29 on")


def _period_of(events: pd.DataFrame, infused: pd.DataFrame) -> pd.Series:
    """Period of each event by onset day; NaN for onsets before lymphodepletion (or before
    infusion when LDSTDT is missing) and undated events."""
    ld_day = (pd.to_datetime(infused["LDSTDT"]) - pd.to_datetime(infused["TRTSDT"])).dt.days
    ld = events["USUBJID"].map(pd.Series(ld_day.to_numpy(), index=infused["USUBJID"]))
    start = _numeric(events["start_day"])
    period = pd.Series(None, index=events.index, dtype="object")
    period[start.ge(ld.astype(float)) & start.lt(0)] = PERIODS[0]
    period[start.between(0, DLT_WINDOW_DAYS)] = PERIODS[1]
    period[start.gt(DLT_WINDOW_DAYS)] = PERIODS[2]
    return period


def _period_events(cohort: Cohort) -> pd.DataFrame:
    """The events :func:`events_by_period` counts (lymphodepletion period, or emergent from
    day 0 on), with their period: USUBJID, AEBODSYS, grade, period. Once per cohort."""
    def compute() -> pd.DataFrame:
        events = infused_events(cohort)
        period = _period_of(events, cohort.infused)
        emergent = _is_emergent(events, cohort_teae_rule(cohort), None)
        counted = events.assign(period=period)[period.eq(PERIODS[0]).fillna(False) | emergent]
        return counted.dropna(subset=["period"])[["USUBJID", "AEBODSYS", "grade", "period"]]

    return cohort.derived(("period_events",), compute)


def events_by_period(cohort: Cohort, soc: str | None = None) -> pd.DataFrame:
    """Patients with adverse events by period: lymphodepletion, days 0-28 and day 29 on.

    Lymphodepletion-period events (onset from ``LDSTDT`` to day -1) are counted whatever
    their ``TRTEMFL`` (they precede the CAR-T infusion, so they are not treatment-emergent
    for it; CAR-T reports list them apart). Events from day 0 on follow :func:`teae_rule`.
    ``soc`` keeps one system organ class (e.g. 'Infections and infestations', for the
    infections-by-period table of the FDA CAR-T labels).

    Returns
    -------
    DataFrame
        One row per period: period, n (patients with an event), n_grade3 (patients with a
        grade >=3 event on the data's grade scale), events (number of events), N (infused
        patients kept by the filter).
    """
    counted = _period_events(cohort)
    if soc is not None:
        counted = counted[counted["AEBODSYS"].eq(soc).fillna(False)]
    grade3 = counted[_numeric(counted["grade"]).ge(3)]
    patients = counted.groupby("period")["USUBJID"].nunique()
    patients3 = grade3.groupby("period")["USUBJID"].nunique()
    events = counted["period"].value_counts()
    rows = [(name, int(patients.get(name, 0)), int(patients3.get(name, 0)),
             int(events.get(name, 0)), len(cohort.infused)) for name in PERIODS]
    return pd.DataFrame(rows, columns=["period", "n", "n_grade3", "events", "N"])


@cohort_analysis
def period_table(cohort: Cohort) -> pd.DataFrame:
    """Display table of :func:`events_by_period`: all adverse events and infections
    (system organ class 'Infections and infestations') per period, patients "n/N"."""
    every = events_by_period(cohort)
    infections = events_by_period(cohort, soc="Infections and infestations")

    def cells(frame: pd.DataFrame, column: str) -> list[str]:
        return [format_n_of_N(int(k), int(n)) for k, n in
                zip(frame[column], frame["N"], strict=True)]

    return pd.DataFrame({
        "Period (onset)": every["period"],
        "Any AE": cells(every, "n"),
        "Grade ≥3 AE": cells(every, "n_grade3"),
        "AEs (events)": every["events"],
        "Infection": cells(infections, "n"),
        "Grade ≥3 infection": cells(infections, "n_grade3"),
    })


@cohort_analysis
def period_counts(cohort: Cohort) -> pd.DataFrame:
    """The counts of :func:`period_table` as a long table (label = period, column = the
    table's column, n), for the change since a previous data cut."""
    every = events_by_period(cohort)
    infections = events_by_period(cohort, soc="Infections and infestations")
    parts = [(every, "n", "Any AE"), (every, "n_grade3", "Grade ≥3 AE"),
             (every, "events", "AEs (events)"), (infections, "n", "Infection"),
             (infections, "n_grade3", "Grade ≥3 infection")]
    return pd.concat([pd.DataFrame({"label": frame["period"], "column": name,
                                    "n": frame[count]}) for frame, count, name in parts],
                     ignore_index=True)


def episodes_display(episodes: pd.DataFrame, labels: dict[str, str] | None = None
                     ) -> pd.DataFrame:
    """The CRS/ICANS episode list with short headers, narrow enough for a 1280 px screen:
    Patient, Dose, Syndrome, ASTCT, CTCAE (blank for ICANS), Onset, End, Days, Ongoing,
    Tocilizumab, Steroids. A ``New`` column of the episodes (records added since an
    earlier data cut) is kept, after Patient."""
    new = {"New": episodes["New"]} if "New" in episodes.columns else {}
    return pd.DataFrame({
        "Patient": episodes["USUBJID"].map(lambda u: (labels or {}).get(u, u)),
        **new,
        "Dose": episodes["dose_group"].str.replace(" cells/kg", "", regex=False),
        "Syndrome": episodes["aesi"],
        "ASTCT": episodes["astct_grade"],
        "CTCAE": episodes["ctcae_grade"],
        "Onset": episodes["onset_day"],
        "End": episodes["end_day"],
        "Days": episodes["duration_days"],
        "Ongoing": episodes["ongoing"].map({True: "Yes", False: "No"}),
        "Tocilizumab": episodes["TOCIFL"],
        "Steroids": episodes["STERFL"],
    })
