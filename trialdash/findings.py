"""Data-quality findings: implausible but possible values, recorded while the build goes on.

:func:`trialdash.validate.validate` lists the *errors* that stop a build (the data cannot
be read or the numbers would be undefined). :func:`find` lists the *findings*: values a
data manager would raise as a query, which the dashboard shows and imports as recorded.
``--strict`` turns every finding into an error (:func:`as_problems`).

Each :class:`Finding` names the data set, the file, the 1-based data row in that file, the
column as named in the file, the subject, the value, the rule (:data:`RULES`) and a
message saying what is implausible and what was done with it.

What a finding lets through, and how the build copes:

* ``subject_not_in_adsl``: the rows are left out (:func:`known_subject_rows`), so no
  derivation meets a subject without dose group or infusion date; one finding per subject
  and file, at its first row, with the number of rows left out.
* ``partial_date``: the cell is missing in the imported data (the reader left it so).
* every other rule: the value is imported as recorded.

Assumptions: the data cut-off is the one given on the command line, else the latest
ADSL.DCUTDT; without either, no date is "after the cut-off". ADSL dates of a subject are
taken from the subject's first ADSL row (a duplicated USUBJID is an error anyway).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from trialdash.adam_io import DATASET_NAMES, PLAUSIBLE_FROM, RawDataset
from trialdash.schema import DATE, FINDINGS, TABLES
from trialdash.snapshot import connect_read_only
from trialdash.validate import Problem
from trialdash.validate import value_text as as_text

#: Every finding rule: its name and what it flags (the README table follows this).
RULES: dict[str, str] = {
    "date_before_1980": "a trial-conduct date before 1980-01-01",
    "date_after_cutoff": "a date after the data cut-off",
    "lymphodepletion_before_consent": "lymphodepletion (LDSTDT) before informed consent",
    "infusion_not_after_lymphodepletion": "infusion (TRTSDT) on or before lymphodepletion",
    "infusion_before_consent": "infusion (TRTSDT) before informed consent",
    "death_before_infusion": "death (DTHDT) before the infusion",
    "alive_before_treatment": "last known alive (LSTALVDT) before the infusion",
    "hsct_before_infusion": "consolidative HSCT (HSCTDT) before the infusion",
    "progression_before_infusion": "progression (PDDT) before the infusion",
    "ae_ends_before_start": "an adverse event ending (AENDT) before it starts",
    "event_before_origin": "a time-to-event date (ADT) before its time origin (STARTDT)",
    "ae_before_consent": "an adverse event starting before informed consent",
    "after_death": "an event, assessment, sample or contact after the subject's death",
    "response_after_progression": "a response after progression without a new baseline",
    "subject_not_in_adsl": "a subject that ADSL does not list (its rows are left out)",
    "tte_death_mismatch": "an overall-survival record disagreeing with ADSL's death date",
    "death_flag_mismatch": "ADSL's death flag (DTHFL) disagreeing with its death date (DTHDT)",
    "fatal_ae_without_death": "a grade 5 (fatal) adverse event of a subject with no death date",
    "blq_flag_missing": "an ADPC value below its LLOQ without BLQFL = Y",
    "partial_date": "a partial date that cannot be imputed (left missing)",
}

# (data set, earlier, later, strict, column reported, rule, words for the message)
_DATE_ORDER: tuple[tuple[str, str, str, bool, str, str, str], ...] = (
    ("adsl", "RFICDT", "LDSTDT", False, "LDSTDT", "lymphodepletion_before_consent",
     "lymphodepletion starts before informed consent"),
    ("adsl", "LDSTDT", "TRTSDT", True, "TRTSDT", "infusion_not_after_lymphodepletion",
     "the CAR-T infusion is not after the start of lymphodepletion"),
    ("adsl", "TRTSDT", "DTHDT", False, "DTHDT", "death_before_infusion",
     "death precedes the infusion"),
    ("adsl", "TRTSDT", "LSTALVDT", False, "LSTALVDT", "alive_before_treatment",
     "the last-known-alive date precedes the infusion"),
    ("adsl", "TRTSDT", "HSCTDT", False, "HSCTDT", "hsct_before_infusion",
     "a consolidative HSCT after CAR-T precedes the infusion"),
    ("adsl", "TRTSDT", "PDDT", False, "PDDT", "progression_before_infusion",
     "progression after CAR-T precedes the infusion"),
    ("adae", "ASTDT", "AENDT", False, "AENDT", "ae_ends_before_start",
     "the adverse event ends before it starts"),
    ("adtte", "STARTDT", "ADT", False, "ADT", "event_before_origin",
     "the event or censoring date precedes the time origin"),
)  # fmt: skip

# Dates compared with the subject's death date: (data set, column, what it is).
_AFTER_DEATH: tuple[tuple[str, str, str], ...] = (
    ("adsl", "LSTALVDT", "last known alive"),
    ("adsl", "PDDT", "progression"),
    ("adsl", "HSCTDT", "consolidative HSCT"),
    ("adae", "ASTDT", "adverse event start"),
    ("adrs", "ADT", "response assessment"),
    ("adtte", "ADT", "event or censoring"),
    ("adpc", "ADT", "kinetics sample"),
    ("adlb", "ADT", "laboratory sample"),
)
_RESPONSES = frozenset({"CR", "CRI", "CRH", "SCR", "PR", "VGPR", "MR", "CMR", "PMR"})
_ORDER = {rule: i for i, rule in enumerate(RULES)}


@dataclass(frozen=True)
class Finding:
    """One data-quality finding (one row of the snapshot's ``findings`` table).

    ``row`` is the 1-based data row in ``file`` (None when not about one row), ``column``
    the variable as named in the file, ``value`` the value as text (None when blank).
    ``message`` reads "<what is implausible>; <what the build did with it>".
    """

    dataset: str
    file: str
    row: int | None
    column: str | None
    usubjid: str | None
    value: str | None
    rule: str
    message: str

    @property
    def what(self) -> str:
        """The message without what the build did (for ``--strict``, which does nothing)."""
        return self.message.rsplit("; ", 1)[0]

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        if self.usubjid:
            where.append(f"subject {self.usubjid}")
        shown = "blank" if self.value is None else self.value
        return f"{', '.join(where)}: value {shown} — {self.rule}: {self.message}"


class _Collector:
    """Adds findings for one file of a data set, naming columns as in the file."""

    def __init__(self, name: str, ds: RawDataset, out: list[Finding]) -> None:
        self.name, self.ds, self.frame, self.out = name, ds, ds.frame, out
        self.file = ds.file.path.name
        self.ids = (
            ds.frame["USUBJID"]
            if "USUBJID" in ds.frame.columns
            else pd.Series(None, ds.frame.index)
        )

    def has(self, *columns: str) -> bool:
        return all(c in self.frame.columns for c in columns)

    def dates(self, column: str) -> pd.Series:
        return pd.to_datetime(self.frame[column], errors="coerce")

    def subject_dates(self, adsl: pd.DataFrame, column: str) -> pd.Series:
        """ADSL's ``column`` for each row's subject (NaT when unknown or blank)."""
        if column not in adsl.columns:
            return pd.Series(pd.NaT, index=self.frame.index, dtype="datetime64[ns]")
        return pd.to_datetime(self.ids.map(adsl[column]), errors="coerce")

    def add(
        self, mask: pd.Series, column: str | None, rule: str, message: Callable[[object], str]
    ) -> None:
        """One finding per row where ``mask``; ``message(label)`` words it."""
        for label in mask[mask.fillna(False).astype(bool)].index:
            value = self.frame[column][label] if column else None
            self.out.append(
                Finding(
                    dataset=self.name,
                    file=self.file,
                    row=int(label) + 1,
                    column=self.ds.column_label(column) if column else None,
                    usubjid=as_text(self.ids[label]),
                    value=as_text(value),
                    rule=rule,
                    message=message(label),
                )
            )


def find(datasets: dict[str, RawDataset], cutoff: dt.date | None = None) -> list[Finding]:
    """Every finding in ``datasets`` (the output of :func:`trialdash.adam_io.read_folder`).

    ``cutoff`` is the data cut-off given by the user; without it the latest ADSL.DCUTDT is
    used. Findings are ordered by data set, file, row, then rule (in :data:`RULES` order).
    """
    adsl_ds = datasets.get("adsl")
    if adsl_ds is not None and "USUBJID" not in adsl_ds.frame.columns:
        adsl_ds = None  # an error; subjects cannot be compared with it
    adsl = _subjects(adsl_ds)
    if cutoff is None and "DCUTDT" in adsl.columns and adsl["DCUTDT"].notna().any():
        cutoff = pd.Timestamp(adsl["DCUTDT"].max()).date()
    out: list[Finding] = []
    for name in DATASET_NAMES:
        ds = datasets.get(name)
        if ds is None:
            continue
        for part in ds.parts or [ds]:
            c = _Collector(name, part, out)
            _partial_dates(c)
            _plausible_dates(c, cutoff)
            _date_order(c)
            if name != "adsl" and adsl_ds is not None and c.has("USUBJID"):
                _unknown_subjects(c, set(adsl.index), adsl_ds.file.path.name)
            if adsl_ds is not None and c.has("USUBJID"):
                _after_death(c, adsl)
            if name == "adae" and adsl_ds is not None and c.has("USUBJID", "ASTDT"):
                _before_consent(c, adsl)
            if name == "adrs":
                _response_after_progression(c)
            if name == "adtte" and adsl_ds is not None:
                _tte_death(c, adsl)
            if name == "adsl":
                _death_flag(c)
            if name == "adae" and adsl_ds is not None and c.has("USUBJID", "AETOXGR"):
                _fatal_ae(c, adsl)
            if name == "adpc":
                _blq(c)
    files = {}
    for f in out:
        files.setdefault((DATASET_NAMES.index(f.dataset), f.file), len(files))
    return sorted(
        out,
        key=lambda f: (files[(DATASET_NAMES.index(f.dataset), f.file)], f.row or 0,
                       _ORDER[f.rule]),
    )  # fmt: skip


def _subjects(adsl_ds: RawDataset | None) -> pd.DataFrame:
    """ADSL indexed by USUBJID (first row of each subject; blank USUBJIDs left out)."""
    if adsl_ds is None or "USUBJID" not in adsl_ds.frame.columns:
        return pd.DataFrame()
    frame = adsl_ds.frame[adsl_ds.frame["USUBJID"].notna()]
    return frame.drop_duplicates("USUBJID").set_index("USUBJID")


def _partial_dates(c: _Collector) -> None:
    for p in c.ds.partial_dates:
        label = p.row - 1
        c.out.append(
            Finding(c.name, c.file, p.row, c.ds.column_label(p.column),
                    as_text(c.ids.get(label)), as_text(p.value), "partial_date",
                    f"{p.reason}; left missing")
        )  # fmt: skip


def _plausible_dates(c: _Collector, cutoff: dt.date | None) -> None:
    columns = [col.name for col in TABLES[c.name].source_columns if col.type == DATE]
    for column in (col for col in columns if c.has(col)):
        dates = c.dates(column)
        c.add(dates < PLAUSIBLE_FROM, column, "date_before_1980",
              lambda label, d=dates: f"a date before 1980 (reads as {as_text(d[label])}), "
              "implausible for a trial-conduct date; imported as recorded")  # fmt: skip
        if cutoff is not None and column != "DCUTDT":
            c.add(dates > pd.Timestamp(cutoff), column, "date_after_cutoff",
                  lambda _label: f"after the data cut-off ({cutoff.isoformat()}); "
                  "imported as recorded")  # fmt: skip


def _date_order(c: _Collector) -> None:
    rules = [r for r in _DATE_ORDER if r[0] == c.name]
    if c.name == "adsl":
        rules.append(("adsl", "RFICDT", "TRTSDT", False, "TRTSDT", "infusion_before_consent",
                      "the infusion precedes informed consent"))  # fmt: skip
    for _, early, late, strict, report, rule, why in rules:
        if not c.has(early, late):
            continue
        a, b = c.dates(early), c.dates(late)
        wrong = a.notna() & b.notna() & ((a >= b) if strict else (a > b))
        if rule == "infusion_before_consent" and c.has("LDSTDT"):
            wrong &= c.dates("LDSTDT").isna()  # otherwise covered by the two LDSTDT rules
        other, other_dates = (early, a) if report == late else (late, b)

        def message(label: object, o: str = other, od: pd.Series = other_dates, w: str = why):
            return f"{w} ({c.ds.column_label(o)} {as_text(od[label])}); imported as recorded"

        c.add(wrong, report, rule, message)


def _unknown_subjects(c: _Collector, subjects: set[str], adsl_file: str) -> None:
    ids = c.ids
    unknown = ids.notna() & ~ids.isin(subjects)
    if not unknown.any():
        return
    counts = ids[unknown].value_counts()
    first = ~ids[unknown].duplicated()
    mask = pd.Series(False, index=ids.index)
    mask[first[first].index] = True

    def message(label: object) -> str:
        n = int(counts[ids[label]])
        rows = f"its {n} rows in this file are" if n > 1 else "its row is"
        return f"subject not listed in ADSL ({adsl_file}); {rows} left out"

    c.add(mask, "USUBJID", "subject_not_in_adsl", message)


def _after_death(c: _Collector, adsl: pd.DataFrame) -> None:
    death = (
        c.subject_dates(adsl, "DTHDT")
        if c.name != "adsl"
        else (c.dates("DTHDT") if c.has("DTHDT") else None)
    )
    if death is None:
        return
    for _, column, what in (r for r in _AFTER_DEATH if r[0] == c.name):
        if c.has(column):
            when = c.dates(column)
            c.add(when > death, column, "after_death",
                  lambda label, w=what: f"{w} after the subject's death "
                  f"(DTHDT {as_text(death[label])}); imported as recorded")  # fmt: skip


def _before_consent(c: _Collector, adsl: pd.DataFrame) -> None:
    consent = c.subject_dates(adsl, "RFICDT")
    c.add(c.dates("ASTDT") < consent, "ASTDT", "ae_before_consent",
          lambda label: f"the adverse event starts before informed consent "
          f"(RFICDT {as_text(consent[label])}), e.g. a pre-existing condition; "
          "imported as recorded")  # fmt: skip


def _response_after_progression(c: _Collector) -> None:
    """A response (CR, CRi, PR ...) after an earlier PD of the same subject and parameter,
    with no baseline (AVISIT containing BASELINE, or ABLFL = Y) in between; BOR rows are
    not assessments and are skipped."""
    if not c.has("USUBJID", "PARAMCD", "AVALC", "ADT"):
        return
    f = c.frame
    rows = f[f["PARAMCD"].astype(str).str.upper().ne("BOR") & f["ADT"].notna()].copy()
    rows["_adt"] = pd.to_datetime(rows["ADT"])
    rows = rows.sort_values(["USUBJID", "PARAMCD", "_adt"], kind="stable")
    result = rows["AVALC"].astype(str).str.strip().str.upper()
    baseline = pd.Series(False, index=rows.index)
    if "AVISIT" in rows.columns:
        baseline |= rows["AVISIT"].astype(str).str.upper().str.contains("BASELINE")
    if "ABLFL" in rows.columns:
        baseline |= rows["ABLFL"].astype(str).str.strip().str.upper().eq("Y")
    keys = [rows["USUBJID"], rows["PARAMCD"]]
    segment = baseline.astype(int).groupby(keys).cumsum()
    is_pd = result.eq("PD").astype(int)
    earlier_pd = is_pd.groupby([*keys, segment]).cumsum() - is_pd
    flagged = result.isin(_RESPONSES) & (earlier_pd > 0)
    mask = pd.Series(False, index=f.index)
    mask[flagged[flagged].index] = True
    c.add(mask, "AVALC", "response_after_progression",
          lambda _label: "a response after an earlier progression (PD) of the same "
          "parameter without a new baseline; imported as recorded")  # fmt: skip


def _tte_death(c: _Collector, adsl: pd.DataFrame) -> None:
    if not c.has("USUBJID", "PARAMCD", "CNSR"):
        return
    is_os = c.frame["PARAMCD"].astype(str).str.upper().eq("OS")
    cnsr = pd.to_numeric(c.frame["CNSR"], errors="coerce")
    death = c.subject_dates(adsl, "DTHDT")
    adt = c.dates("ADT") if c.has("ADT") else pd.Series(pd.NaT, index=c.frame.index)
    event = is_os & cnsr.eq(0)
    c.add(event & death.isna() & c.ids.isin(adsl.index), "CNSR", "tte_death_mismatch",
          lambda _label: "an overall-survival event (CNSR 0) but ADSL has no death date "
          "(DTHDT); imported as recorded")  # fmt: skip
    c.add(event & death.notna() & adt.notna() & adt.ne(death), "ADT", "tte_death_mismatch",
          lambda label: f"the overall-survival event date differs from ADSL's death date "
          f"(DTHDT {as_text(death[label])}); imported as recorded")  # fmt: skip
    c.add(is_os & cnsr.gt(0) & death.notna(), "CNSR", "tte_death_mismatch",
          lambda label: f"overall survival is censored but ADSL records a death "
          f"(DTHDT {as_text(death[label])}); imported as recorded")  # fmt: skip


def _death_flag(c: _Collector) -> None:
    if not c.has("DTHFL", "DTHDT"):
        return
    flag = c.frame["DTHFL"].astype(str).str.strip().str.upper()
    death = c.dates("DTHDT")
    c.add(flag.eq("Y") & death.isna(), "DTHDT", "death_flag_mismatch",
          lambda _label: "DTHFL is Y but the death date is blank; imported as recorded "
          "(the subject counts as dead without a date)")  # fmt: skip
    c.add(flag.eq("N") & death.notna(), "DTHFL", "death_flag_mismatch",
          lambda label: f"DTHFL is N but a death date is given (DTHDT {as_text(death[label])}); "
          "imported as recorded")  # fmt: skip


def _fatal_ae(c: _Collector, adsl: pd.DataFrame) -> None:
    grade = pd.to_numeric(c.frame["AETOXGR"], errors="coerce")
    death = c.subject_dates(adsl, "DTHDT")
    known = c.ids.isin(adsl.index)
    c.add(grade.eq(5) & death.isna() & known, "AETOXGR", "fatal_ae_without_death",
          lambda _label: "a grade 5 (fatal) adverse event but ADSL has no death date "
          "(DTHDT); imported as recorded")  # fmt: skip


def _blq(c: _Collector) -> None:
    if not c.has("AVAL", "LLOQ"):
        return
    aval = pd.to_numeric(c.frame["AVAL"], errors="coerce")
    lloq = pd.to_numeric(c.frame["LLOQ"], errors="coerce")
    flag = c.frame["BLQFL"] if c.has("BLQFL") else pd.Series(None, index=c.frame.index)
    not_flagged = ~flag.astype(str).str.strip().str.upper().eq("Y")
    c.add((aval < lloq) & not_flagged, "AVAL", "blq_flag_missing",
          lambda label: f"below the LLOQ ({as_text(lloq[label])}) but BLQFL is not Y; "
          "imported as recorded (the build derives the BLQ flag from AVAL < LLOQ)")  # fmt: skip


def known_subject_rows(datasets: dict[str, RawDataset]) -> dict[str, pd.DataFrame]:
    """Each data set's frame without the rows of subjects ADSL does not list.

    ADSL itself is returned whole; without ADSL (an error) the frames are returned as read.
    """
    adsl = datasets.get("adsl")
    frames = {name: ds.frame for name, ds in datasets.items()}
    if adsl is None or "USUBJID" not in adsl.frame.columns:
        return frames
    subjects = set(adsl.frame["USUBJID"].dropna())
    return {
        name: frame if name == "adsl" or "USUBJID" not in frame.columns
        else frame[frame["USUBJID"].isin(subjects)]
        for name, frame in frames.items()
    }  # fmt: skip


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """The findings as the snapshot's ``findings`` table (schema columns, in order)."""
    rows = [
        {"dataset": f.dataset, "file": f.file, "row": f.row, "column": f.column,
         "usubjid": f.usubjid, "value": f.value, "rule": f.rule, "message": f.message}
        for f in findings
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=FINDINGS.column_names)
    frame["row"] = frame["row"].astype("Int64")
    for col in FINDINGS.column_names:
        if col != "row":
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def as_problems(findings: Iterable[Finding]) -> list[Problem]:
    """Findings as errors, for ``--strict``: each names its rule and says what it found."""
    return [
        Problem(f.file, f.row, f.column, f.value,
                f"no data-quality finding (--strict); found {f.rule}: {f.what}")
        for f in findings
    ]  # fmt: skip


def read_findings(path: Path | None = None) -> pd.DataFrame:
    """A snapshot's ``findings`` table (one row per finding, in build order); a clear
    ``FileNotFoundError`` when there is no snapshot at ``path`` (default: the usual one)."""
    with connect_read_only(path) as con:
        return con.execute("SELECT * FROM findings").df()


def summary_line(findings: list[Finding], snapshot: object) -> str:
    """The build's one-line count of findings and where to read them."""
    if not findings:
        return "no data-quality findings"
    counts = pd.Series([f.rule for f in findings]).value_counts()
    rules = ", ".join(f"{n} {rule}" for rule, n in counts.items())
    n = len(findings)
    return (
        f"{n} data-quality finding{'s' if n != 1 else ''} recorded ({rules}); read them with: "
        f"python -m trialdash snapshot findings {snapshot}"
    )
