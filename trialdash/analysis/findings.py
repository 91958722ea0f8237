"""The snapshot's provenance and its data-quality findings, as the Data page shows them.

Assumptions
-----------
* Findings come from the snapshot's ``findings`` table (schema FINDINGS): one row per
  implausible-but-possible source value the build recorded and imported. A finding without a
  subject (``usubjid`` blank) is *study-level*: it stays in view whatever the filters.
* The provenance comes from the ``meta`` row as :func:`trialdash.snapshot.read_meta` returns
  it (``source_files`` and ``row_counts`` already decoded from JSON).
* In presentation mode no calendar date may show: ISO dates (``2013-05-01``, ``2013-05``)
  inside a finding's value or message are replaced by :data:`DATE_HIDDEN`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from trialdash.study_labels import NOT_STATED, StudyLabels

DATE_HIDDEN = "[date hidden]"
NO_SUBJECT = "(study level)"
NOT_IN_ADSL = "(subject not in ADSL)"
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b")

#: Snapshot column -> column shown. USUBJID keeps its ADaM name so that presentation mode
#: replaces it by the pseudonym like in every other table.
DISPLAY_COLUMNS = {
    "usubjid": "USUBJID", "rule": "Rule", "message": "What was found", "column": "Variable",
    "value": "Value", "row": "Row", "file": "File", "dataset": "Data set",
}
#: Shown column of the source place: file (else data set), row and variable in one cell, so
#: that the table fits a 1280 px screen with its text wrapped (see :func:`findings_display`).
WHERE = "Where"


def filter_findings(
    findings: pd.DataFrame,
    rules: Iterable[str] = (),
    datasets: Iterable[str] = (),
    patients: Iterable[str] = (),
) -> pd.DataFrame:
    """Findings of the chosen rules, data sets and patients (an empty choice keeps all).

    Choosing patients keeps only their findings (study-level ones are left out, since they
    are about no patient).
    """
    keep = pd.Series(True, index=findings.index)
    for column, chosen in (("rule", rules), ("dataset", datasets), ("usubjid", patients)):
        chosen = list(chosen)
        if chosen:
            keep &= findings[column].isin(chosen)
    return findings[keep].reset_index(drop=True)


def patients_with_findings(findings: pd.DataFrame,
                           known_subjects: Iterable[str] | None = None) -> list[str]:
    """USUBJIDs with at least one finding, sorted; study-level findings have none.

    With ``known_subjects``, only those among them (patients with a profile).
    """
    subjects = findings["usubjid"].dropna().unique()
    if known_subjects is not None:
        subjects = [s for s in subjects if s in set(known_subjects)]
    return sorted(subjects)


def hide_calendar_dates(text: pd.Series) -> pd.Series:
    """Text with every ISO date or date-time replaced by :data:`DATE_HIDDEN`."""
    return text.astype("object").map(
        lambda v: v if v is None or pd.isna(v) else _ISO_DATE.sub(DATE_HIDDEN, str(v)))


def findings_display(findings: pd.DataFrame, present: bool = False,
                     known_subjects: Iterable[str] = (), compact: bool = False) -> pd.DataFrame:
    """The findings as shown and downloaded: readable column names, subject first.

    A finding about no subject shows :data:`NO_SUBJECT`. In presentation mode (``present``)
    calendar dates in the value and the message are masked, and a subject that is not among
    ``known_subjects`` (not in ADSL, so without a pseudonym) shows :data:`NOT_IN_ADSL`
    instead of its identifier. ``compact`` gives five columns (USUBJID, Rule, What was found,
    :data:`WHERE`, Value) instead of eight: file, row and variable in one cell.
    """
    out = findings[list(DISPLAY_COLUMNS)].rename(columns=DISPLAY_COLUMNS)
    out["Row"] = out["Row"].astype("Int64")
    subject = out["USUBJID"].astype("object")
    if present:
        for column in ("Value", "What was found"):
            out[column] = hide_calendar_dates(out[column])
        unknown = subject.notna() & ~subject.isin(list(known_subjects))
        subject = subject.where(~unknown, NOT_IN_ADSL)
    out["USUBJID"] = subject.where(subject.notna(), NO_SUBJECT)
    out = out.reset_index(drop=True)
    if compact:
        out = out[["USUBJID", "Rule", "What was found"]].assign(
            **{WHERE: _where(out), "Value": out["Value"]})
    return out


def _where(shown: pd.DataFrame) -> pd.Series:
    """'ADAE.csv row 12, ASTDT': the file (else the data set), the row and the variable."""
    source = shown["File"].astype("object").where(shown["File"].notna(),
                                                  shown["Data set"].str.upper())
    row = shown["Row"].map(lambda r: "" if pd.isna(r) else f" row {int(r)}")
    variable = shown["Variable"].map(lambda v: "" if v is None or pd.isna(v) else f", {v}")
    return (source.fillna("") + row + variable).str.strip(", ").reset_index(drop=True)


def subject_to_open(findings: pd.DataFrame, positions: list[int],
                    known_subjects: Iterable[str]) -> str | None:
    """The subject of the first selected finding when it has a profile (is in ADSL)."""
    if not positions:
        return None
    subject = findings["usubjid"].iloc[positions[0]]
    return subject if pd.notna(subject) and subject in set(known_subjects) else None


def count_by_rule(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per rule and data set: Rule, Data set, Findings, Patients (distinct)."""
    grouped = findings.groupby(["rule", "dataset"], dropna=False)
    out = pd.DataFrame({
        "Findings": grouped.size(),
        "Patients": grouped["usubjid"].nunique(),
    }).reset_index().rename(columns={"rule": "Rule", "dataset": "Data set"})
    return out.sort_values(["Findings", "Rule"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


def source_files(meta: dict) -> pd.DataFrame:
    """Each imported file: Data set, File, SHA-256, Rows read (empty for a synthetic trial)."""
    frame = pd.DataFrame(meta.get("source_files") or [],
                         columns=["dataset", "file", "sha256", "rows"])
    return frame.rename(columns={"dataset": "Data set", "file": "File", "sha256": "SHA-256",
                                 "rows": "Rows read"})


def row_counts(meta: dict) -> pd.DataFrame:
    """Rows written to each snapshot table: Table, Rows."""
    counts = meta.get("row_counts") or {}
    return pd.DataFrame({"Table": list(counts), "Rows": [int(n) for n in counts.values()]})


def source_facts(meta: dict) -> list[tuple[str, str]]:
    """(name, value) pairs describing where the snapshot came from and how it was built."""
    built = pd.Timestamp(meta["built_at"]) if meta.get("built_at") is not None else None
    facts = [
        ("Source", str(meta.get("source") or "–")),
        ("Built (UTC)", built.strftime("%Y-%m-%d %H:%M") if built is not None else "–"),
        ("Data cut-off", str(meta.get("cutoff_date") or "–")),
        ("Dose variable", str(meta.get("dose_var") or "–")),
        ("Subtype variable", str(meta.get("subtype_var") or "none")),
    ]
    if meta.get("seed") is not None:
        facts.append(("Seed", str(meta["seed"])))
    facts.append(("Schema version", str(meta.get("schema_version") or "–")))
    return facts


def label_facts(labels: StudyLabels) -> list[tuple[str, str]]:
    """(name, value) pairs of what the build learnt about labelling the study."""
    definition = labels.responder_definition or "by subtype (built-in clinical profile)"
    return [
        ("Response criteria", labels.response_criteria or NOT_STATED),
        ("Responder definition", definition),
        ("Adverse-event grades", labels.grade_scale),
        ("Subtype label", labels.subtype_label or "none"),
        ("Day 0", "CAR-T infusion (cell therapy)" if labels.cell_therapy
         else "treatment start (not a cell therapy)"),
    ]
