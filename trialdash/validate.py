"""Check imported ADaM data sets for errors and report every one at once, in data-manager terms.

:func:`validate` takes the output of :func:`trialdash.adam_io.read_folder` and returns a
list of :class:`Problem`; an empty list means the data can be built into a snapshot. Each
problem names the file (its name, not the full path), the 1-based data row (the first row
after a CSV header is row 1), the column as it is named in the file, the offending value
and what was expected. Nothing stops at the first problem. A data set read from several
files (ADLB split into ``adlbc``, ``adlbh`` ...: :attr:`RawDataset.parts`) is checked file
by file, so its problems name the file and the row in that file.

Errors stop the build: they make the data unreadable or the numbers undefined. What is
implausible but possible (dates out of order, subjects missing from ADSL, ...) is a
*finding* instead, recorded by :mod:`trialdash.findings` while the build goes on.

Rules (numbers match the project brief; rule 6, date order, is now a set of findings):

1. ADSL is present.
2. The schema's required variables are present in each data set; ADSL also has the dose
   and subtype variables; ADAE has AETOXGR or AESEV.
3. Values convert to their schema type (numbers, whole numbers, dates): the
   ``bad_cells`` recorded while reading.
4. ADSL.USUBJID is non-missing and unique.
5. Every USUBJID of another data set is non-missing (a subject that ADSL does not
   list is a finding: its rows are left out).
7. AETOXGR and ASTCTGR are 1-5 when present; AESEV is MILD, MODERATE or SEVERE (any
   case).
8. CNSR is a whole number >= 0 (0 = event; 1, 2, ... are censoring reasons).
9. AVAL >= 0 in ADTTE, ADPC and ADLB. In ADTTE, PARAMCD, AVAL and CNSR are also
   non-missing: a time-to-event row without them cannot be analysed.
10. Flags are Y, N or blank.
11. No ambiguous duplicates: ADTTE has one row per USUBJID and PARAMCD; ADRS has at most
    one BOR row per subject.

A value reported under rule 3 is missing in the typed frame, so it is never reported a
second time by a later rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trialdash.adam_io import DATASET_NAMES, EXPECT_INTEGER, EXPECT_NUMBER, SUPPORTED, RawDataset
from trialdash.schema import TABLES

FLAGS = (
    "SAFFL", "EFFFL", "DTHFL", "DLTFL", "DLTEVLFL", "PRHSCTFL", "AESER", "TRTEMFL",
    "AEDLTFL", "TOCIFL", "STERFL", "BLQFL",
)  # fmt: skip
SEVERITIES = ("MILD", "MODERATE", "SEVERE")

_GRADE_EXPECTED = {
    "AETOXGR": "a CTCAE grade 1-5",
    "ASTCTGR": "an ASTCT grade 1-5",
}
_CNSR_EXPECTED = "a whole number >= 0 (0 = event; 1, 2, ... = censored)"
_AVAL_EXPECTED = "a number >= 0"
_AVAL_DATASETS = ("adtte", "adpc", "adlb")


@dataclass(frozen=True)
class Problem:
    """One problem in the imported data.

    ``file`` is the file's name (or the folder's for a missing data set), ``row`` the
    1-based data row (None for a whole-file problem), ``column`` the variable as named in
    the file, ``value`` the offending value (None when the cell is blank or the problem is
    about the whole file or column) and ``expected`` what should have been there.
    """

    file: str
    row: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        head = ", ".join(where)
        if self.value is None and self.row is None:
            return f"{head}: expected {self.expected}"
        return f"{head}: value {format_value(self.value)} — expected {self.expected}"


def value_text(value: object) -> str | None:
    """A value as text, as a data manager recognises it: dates ISO, 7.0 as 7; None if blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        ts = pd.Timestamp(value)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def format_value(value: object) -> str:
    """A value as a data manager would recognise it: text quoted, dates ISO, 7.0 as 7."""
    text = value_text(value)
    if text is None:
        return "missing (blank)"
    return f"'{text}'" if isinstance(value, str) else text


class ValidationError(Exception):
    """Raised by the build when :func:`validate` found problems; ``str()`` lists them all."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        header = (
            f"{n} problem{'s' if n != 1 else ''} found in the ADaM data "
            "(rows are data rows: the first row after the header is row 1):"
        )
        return "\n".join([header, *(f"  - {p}" for p in self.problems)])

    def __str__(self) -> str:
        return self._message()


class _Checker:
    """Collects problems for one data set, naming columns as they are in the file."""

    def __init__(self, ds: RawDataset, problems: list[Problem]) -> None:
        self.ds = ds
        self.frame = ds.frame
        self.file = ds.file.path.name
        self.problems = problems
        self.bad = {(cell.row, cell.column) for cell in ds.bad_cells}

    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def add(self, label: Any, column: str | None, value: object, expected: str) -> None:
        row = None if label is None else int(label) + 1
        shown = None if column is None else self.ds.column_label(column)
        if isinstance(value, float) and np.isnan(value) or value is pd.NA or value is pd.NaT:
            value = None
        self.problems.append(Problem(self.file, row, shown, value, expected))

    def missing_variable(self, column: str, expected: str) -> None:
        self.problems.append(Problem(self.file, None, column, None, expected))

    def text(self, column: str) -> pd.Series:
        s = self.frame[column]
        return s.astype(object).where(s.notna(), None)

    def numbers(self, column: str) -> pd.Series:
        return pd.to_numeric(self.frame[column], errors="coerce")

    def is_bad(self, label: Any, column: str) -> bool:
        return (int(label) + 1, column) in self.bad


def _missing_adsl(datasets: dict[str, RawDataset], folder: Path | None) -> Problem:
    if folder is None and datasets:
        folder = next(iter(datasets.values())).file.path.parent
    where = f"folder {folder.name or str(folder)}" if folder is not None else "import folder"
    names = ", ".join(f"adsl{suffix}" for suffix in SUPPORTED)
    return Problem(
        where, None, None, None,
        f"an ADSL data set (one of {names}, in any case); "
        "ADSL is required: it lists the subjects every other data set refers to",
    )  # fmt: skip


def _required(c: _Checker, name: str, dose_var: str, subtype_var: str | None) -> set[str]:
    """Rule 2; returns the variables that are missing so later rules can skip them."""
    table = TABLES[name]
    missing = set()
    for col in table.required_columns:
        if not c.has(col):
            doc = table.column(col).doc
            c.missing_variable(
                col, f"the required variable {col}, which is not in the file. {col}: {doc}"
            )
            missing.add(col)
    if name == "adsl":
        for var, role, option in (
            (dose_var, "dose variable, which the dose groups come from", "--dose-var"),
            (subtype_var, "subtype variable, which the disease subtypes come from",
             "--subtype-var"),
        ):  # fmt: skip
            if var is not None and var not in missing and not c.has(var):
                c.missing_variable(
                    var,
                    f"the {role}; {var} is not in the file. Choose another ADSL variable "
                    f"({option}) or rename one to {var} with a mapping",
                )
                missing.add(var)
    if name == "adae" and not c.has("AETOXGR") and not c.has("AESEV"):
        c.missing_variable(
            "AETOXGR / AESEV",
            "a grade variable: AETOXGR (CTCAE grade 1-5) or AESEV (MILD/MODERATE/SEVERE); "
            "the file has neither",
        )
    return missing


def _bad_cells(c: _Checker, name: str) -> None:
    """Rule 3, with column-specific wording for grades, CNSR and AVAL."""
    for cell in c.ds.bad_cells:
        expected = cell.expected
        if cell.column in _GRADE_EXPECTED and expected == EXPECT_INTEGER:
            expected = _GRADE_EXPECTED[cell.column]
        elif cell.column == "CNSR" and expected == EXPECT_INTEGER:
            expected = _CNSR_EXPECTED
        elif cell.column == "AVAL" and name in _AVAL_DATASETS and expected == EXPECT_NUMBER:
            expected = _AVAL_EXPECTED
        c.add(cell.row - 1, cell.column, cell.value, expected)


def _adsl_subjects(c: _Checker) -> None:
    """Rule 4."""
    ids = c.text("USUBJID")
    first: dict[str, Any] = {}
    for label, value in ids.items():
        if value is None:
            c.add(label, "USUBJID", None, "a unique subject identifier (USUBJID is blank)")
        elif value in first:
            c.add(
                label, "USUBJID", value,
                f"a unique USUBJID: it is already used in row {int(first[value]) + 1}",
            )  # fmt: skip
        else:
            first[value] = label


def _known_subjects(c: _Checker) -> None:
    """Rule 5."""
    for label, value in c.text("USUBJID").items():
        if value is None:
            c.add(label, "USUBJID", None, "a subject identifier (USUBJID is blank)")


def _grades(c: _Checker) -> None:
    """Rule 7."""
    for col, expected in _GRADE_EXPECTED.items():
        if c.has(col):
            grades = c.numbers(col)
            for label in grades[grades.notna() & ~grades.between(1, 5)].index:
                c.add(label, col, c.frame[col][label], expected)
    if c.has("AESEV"):
        for label, value in c.text("AESEV").items():
            if value is not None and str(value).strip().upper() not in SEVERITIES:
                c.add(label, "AESEV", value, "MILD, MODERATE or SEVERE")


def _adtte_values(c: _Checker) -> None:
    """Rule 8, and the ADTTE part of 9: PARAMCD, AVAL and CNSR present on every row."""
    if c.has("CNSR"):
        cnsr = c.numbers("CNSR")
        for label in cnsr[cnsr.notna() & ((cnsr < 0) | (cnsr % 1 != 0))].index:
            c.add(label, "CNSR", c.frame["CNSR"][label], _CNSR_EXPECTED)
    for col, expected in (
        ("PARAMCD", "the endpoint code, e.g. OS or PFS (PARAMCD is blank)"),
        ("AVAL", "the time to event or censoring (AVAL is blank)"),
        ("CNSR", "a censoring code, 0 = event or 1, 2, ... = censored (CNSR is blank)"),
    ):
        if c.has(col):
            blank = c.frame[col].isna()
            for label in blank[blank].index:
                if not c.is_bad(label, col):
                    c.add(label, col, None, expected)


def _aval(c: _Checker) -> None:
    """Rule 9: AVAL >= 0."""
    if c.has("AVAL"):
        aval = c.numbers("AVAL")
        for label in aval[aval < 0].index:
            c.add(label, "AVAL", aval[label], _AVAL_EXPECTED)


def _flags(c: _Checker) -> None:
    """Rule 10."""
    for col in FLAGS:
        if c.has(col):
            for label, value in c.text(col).items():
                if value is not None and value not in ("Y", "N"):
                    c.add(label, col, value, "Y, N or blank")


def _duplicates(c: _Checker, name: str) -> None:
    """Rule 11."""
    if not (c.has("USUBJID") and c.has("PARAMCD")):
        return
    ids, codes = c.text("USUBJID"), c.text("PARAMCD")
    first: dict[tuple[str, str], Any] = {}
    for label in c.frame.index:
        subject, code = ids[label], codes[label]
        if subject is None or code is None:
            continue
        if name == "adrs" and str(code).upper() != "BOR":
            continue
        key = (subject, code)
        if key not in first:
            first[key] = label
            continue
        row = int(first[key]) + 1
        if name == "adtte":
            expected = (
                f"one row per subject and PARAMCD: subject {subject} already has "
                f"PARAMCD {code} in row {row}"
            )
        else:
            expected = (
                f"at most one best overall response (PARAMCD BOR) per subject: subject "
                f"{subject} already has one in row {row}"
            )
        c.add(label, "PARAMCD", code, expected)


def validate(
    datasets: dict[str, RawDataset],
    dose_var: str = "TRT01A",
    subtype_var: str | None = "DISTYPE",
    *,
    folder: Path | None = None,
) -> list[Problem]:
    """Every problem in ``datasets`` (see the module docstring for the rules), in file order.

    ``dose_var`` and ``subtype_var`` are ADSL variable names (compared in upper case, as
    the reader upper-cases column names); ``subtype_var=None`` means the study has no subtype
    variable (nothing to check). ``folder`` names the import folder in the
    missing-ADSL problem; by default it is the folder of any data set read. Data sets
    other than the six of :data:`trialdash.adam_io.DATASET_NAMES` are ignored.
    """
    dose_var = dose_var.strip().upper()
    subtype_var = subtype_var.strip().upper() if subtype_var else None
    problems: list[Problem] = []
    if "adsl" not in datasets:
        problems.append(_missing_adsl(datasets, folder))
    for name in DATASET_NAMES:
        ds = datasets.get(name)
        if ds is None:
            continue
        for part in ds.parts or [ds]:  # a data set read from several files: each file
            c = _Checker(part, problems)
            missing = _required(c, name, dose_var, subtype_var)
            _bad_cells(c, name)
            if "USUBJID" not in missing:
                if name == "adsl":
                    _adsl_subjects(c)
                else:
                    _known_subjects(c)
            if name == "adae":
                _grades(c)
            if name == "adtte":
                _adtte_values(c)
            if name in _AVAL_DATASETS:
                _aval(c)
            _flags(c)
            if name in ("adtte", "adrs"):
                _duplicates(c, name)
    return _in_file_order(problems)


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Whole-file problems first, then by file and row; stable, so rule order is kept in a row."""
    files: dict[str, int] = {}
    for p in problems:
        files.setdefault(p.file, len(files))
    return sorted(problems, key=lambda p: (files[p.file], p.row is not None, p.row or 0))


def ensure_valid(
    datasets: dict[str, RawDataset], dose_var: str = "TRT01A", subtype_var: str = "DISTYPE"
) -> None:
    """Raise :class:`ValidationError` listing every problem, if there is any."""
    problems = validate(datasets, dose_var, subtype_var)
    if problems:
        raise ValidationError(problems)
