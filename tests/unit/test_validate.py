"""Validation of imported ADaM data: one test per rule, each with its own bad file.

Errors (refusals) come from :func:`trialdash.validate.validate`; what used to be refused
and is now a data-quality finding (unknown subjects, dates out of order) is checked to
be no error any more and to be reported by :func:`trialdash.findings.find` instead.

Every test starts from ``valid_tables()`` (a small valid study, all six data sets), breaks
one thing, writes the folder as real CSV (or xpt) files in ``tmp_path``, runs
``read_folder`` + ``validate`` and checks the problem names the right file, row, column
and value. Row numbers are data rows: the first row after the CSV header is row 1, so
row ``i + 1`` below is the frame's ``i``-th row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from adam_fixtures import adae_truth, valid_tables, write_folder, write_xpt

from trialdash.adam_io import Mapping, read_folder
from trialdash.findings import Finding, find
from trialdash.validate import Problem, ValidationError, ensure_valid, validate


def run(tmp_path: Path, tables: dict[str, pd.DataFrame], **kwargs: str) -> list[Problem]:
    folder = write_folder(tmp_path / "study", tables)
    return validate(read_folder(folder), **kwargs)


def run_findings(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> list[Finding]:
    """The findings of a folder that has no errors."""
    raw = read_folder(write_folder(tmp_path / "study", tables))
    assert validate(raw) == []
    return find(raw)


def found(f: Finding) -> tuple[str, int | None, str | None, str | None, str]:
    return f.file, f.row, f.column, f.value, f.rule


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def where(p: Problem) -> tuple[str, int | None, str | None, object]:
    return p.file, p.row, p.column, p.value


def test_valid_folder_has_no_problems(tmp_path: Path) -> None:
    assert run(tmp_path, valid_tables()) == []
    assert find(read_folder(tmp_path / "study")) == []


def test_valid_folder_passes_ensure_valid(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "study", valid_tables())
    ensure_valid(read_folder(folder))


# Rule 1 -------------------------------------------------------------------------------


def test_1_missing_adsl_is_one_problem_naming_the_folder(tmp_path: Path) -> None:
    tables = valid_tables()
    del tables["adsl"]
    p = only(run(tmp_path, tables))
    assert (p.file, p.row, p.column) == ("folder study", None, None)
    assert "ADSL" in p.expected and "adsl.xpt" in p.expected
    assert str(p).startswith("folder study: expected an ADSL data set")


def test_1_missing_adsl_with_no_files_at_all(tmp_path: Path) -> None:
    p = only(validate({}, folder=tmp_path / "empty"))
    assert p.file == "folder empty"


# Rule 2 -------------------------------------------------------------------------------


def test_2_required_variable_missing(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adae"] = tables["adae"].drop(columns=["AEDECOD"])
    p = only(run(tmp_path, tables))
    assert where(p) == ("adae.csv", None, "AEDECOD", None)
    assert "required" in p.expected and "not in the file" in p.expected


def test_2_required_adtte_cnsr_missing(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adtte"] = tables["adtte"].drop(columns=["CNSR"])
    assert where(only(run(tmp_path, tables))) == ("adtte.csv", None, "CNSR", None)


def test_2_dose_and_subtype_variables_must_be_in_adsl(tmp_path: Path) -> None:
    problems = run(tmp_path, valid_tables(), dose_var="dosegrp", subtype_var="DIAGGRP")
    assert [where(p) for p in problems] == [
        ("adsl.csv", None, "DOSEGRP", None),
        ("adsl.csv", None, "DIAGGRP", None),
    ]
    assert "dose variable" in problems[0].expected
    assert "subtype variable" in problems[1].expected


def test_2_any_adsl_variable_can_be_the_dose_and_subtype(tmp_path: Path) -> None:
    assert run(tmp_path, valid_tables(), dose_var="TRT01AN", subtype_var="SEX") == []


def test_2_adae_needs_a_grade_or_a_severity(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adae"] = tables["adae"].drop(columns=["AETOXGR", "AESEV", "ASTCTGR"])
    p = only(run(tmp_path, tables))
    assert p.file == "adae.csv" and p.row is None
    assert "AETOXGR" in p.column and "AESEV" in p.column


def test_2_adae_with_severity_only_is_valid(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adae"] = tables["adae"].drop(columns=["AETOXGR", "ASTCTGR"])
    assert run(tmp_path, tables) == []


# Rule 3 -------------------------------------------------------------------------------


def test_3_text_in_a_number_column(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adsl"].loc[1, "AGE"] = "sixty"
    p = only(run(tmp_path, tables))
    assert where(p) == ("adsl.csv", 2, "AGE", "sixty")
    assert p.expected == "a number"


def test_3_unparseable_date(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adrs"].loc[2, "ADT"] = "2022-02-30"
    p = only(run(tmp_path, tables))
    assert where(p) == ("adrs.csv", 3, "ADT", "2022-02-30")
    assert "date" in p.expected


def test_3_fractional_grade(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adae"].loc[0, "AETOXGR"] = "2.5"
    p = only(run(tmp_path, tables))
    assert where(p) == ("adae.csv", 1, "AETOXGR", "2.5")
    assert p.expected == "a CTCAE grade 1-5"


# Rule 4 -------------------------------------------------------------------------------


def test_4_duplicate_usubjid_in_adsl(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adsl"].loc[2, "USUBJID"] = "CD7-01-001"
    p = only(run(tmp_path, tables))
    assert where(p) == ("adsl.csv", 3, "USUBJID", "CD7-01-001")
    assert "row 1" in p.expected and "unique" in p.expected


def test_4_blank_usubjid_in_adsl(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adsl"].loc[2, "USUBJID"] = "  "
    p = only(run(tmp_path, tables))
    assert where(p) == ("adsl.csv", 3, "USUBJID", None)
    assert "value missing (blank)" in str(p)


# Rule 5 -------------------------------------------------------------------------------


def test_5_subject_not_in_adsl_is_a_finding(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adae"].loc[2, "USUBJID"] = "CD7-01-999"
    (f,) = run_findings(tmp_path, tables)
    assert found(f) == ("adae.csv", 3, "USUBJID", "CD7-01-999", "subject_not_in_adsl")
    assert f.usubjid == "CD7-01-999"
    assert "ADSL (adsl.csv)" in f.message and "its row is left out" in f.message


def test_5_unknown_subject_reported_once_per_file_with_its_row_count(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adlb"]["USUBJID"] = "XX-1"
    (f,) = run_findings(tmp_path, tables)
    assert found(f) == ("adlb.csv", 1, "USUBJID", "XX-1", "subject_not_in_adsl")
    assert "its 2 rows in this file are left out" in f.message


def test_5_blank_usubjid_outside_adsl_is_an_error(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adpc"].loc[1, "USUBJID"] = ""
    p = only(run(tmp_path, tables))
    assert where(p) == ("adpc.csv", 2, "USUBJID", None)
    assert "USUBJID is blank" in p.expected


# Rule 6: dates out of order are findings now -----------------------------------------


@pytest.mark.parametrize(
    "name, row, edits, column, rule, other",
    [
        ("adsl", 0, {"LDSTDT": "2022-05-25"}, "TRTSDT", "infusion_not_after_lymphodepletion",
         "LDSTDT 2022-05-25"),  # same day: must be strictly before
        ("adsl", 0, {"LDSTDT": "2022-05-27"}, "TRTSDT", "infusion_not_after_lymphodepletion",
         "LDSTDT 2022-05-27"),
        ("adsl", 0, {"LDSTDT": "2022-04-30"}, "LDSTDT", "lymphodepletion_before_consent",
         "RFICDT 2022-05-01"),
        ("adsl", 0, {"LDSTDT": "", "TRTSDT": "2022-04-30"}, "TRTSDT", "infusion_before_consent",
         "RFICDT 2022-05-01"),
        ("adsl", 1, {"DTHDT": "2022-06-22", "LSTALVDT": "2022-06-23"}, "DTHDT",
         "death_before_infusion", "TRTSDT 2022-06-23"),
        ("adsl", 0, {"LSTALVDT": "2022-05-24"}, "LSTALVDT", "alive_before_treatment",
         "TRTSDT 2022-05-25"),
        ("adsl", 1, {"DTHDT": "2023-02-02", "LSTALVDT": "2023-01-01"}, "DTHDT",
         "date_after_cutoff", "cut-off (2023-02-01)"),
        ("adsl", 0, {"LSTALVDT": "2023-02-02"}, "LSTALVDT", "date_after_cutoff",
         "cut-off (2023-02-01)"),
        ("adsl", 0, {"HSCTDT": "2022-05-24"}, "HSCTDT", "hsct_before_infusion",
         "TRTSDT 2022-05-25"),
        ("adsl", 1, {"PDDT": "2022-06-22"}, "PDDT", "progression_before_infusion",
         "TRTSDT 2022-06-23"),
        ("adae", 1, {"AENDT": "2022-05-26"}, "AENDT", "ae_ends_before_start",
         "ASTDT 2022-05-27"),
        ("adtte", 3, {"ADT": "2022-06-22"}, "ADT", "event_before_origin", "STARTDT 2022-06-23"),
    ],
)  # fmt: skip
def test_6_dates_out_of_order_are_findings(
    tmp_path: Path, name: str, row: int, edits: dict[str, str], column: str, rule: str,
    other: str,
) -> None:
    """No refusal; the first finding is the rule's, at the reported cell, naming the date it
    is compared with (a changed death date also gives after-death findings elsewhere)."""
    tables = valid_tables()
    for col, value in edits.items():
        tables[name].loc[row, col] = value
    findings = run_findings(tmp_path, tables)
    first = findings[0]
    assert found(first) == (f"{name}.csv", row + 1, column, tables[name].loc[row, column], rule)
    assert other in first.message and "imported as recorded" in first.message


def test_6_missing_dates_are_not_compared(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adsl"].loc[0, "TRTSDT"] = ""
    tables["adsl"].loc[0, "LDSTDT"] = ""
    assert run_findings(tmp_path, tables) == []


# Rule 7 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column, value, expected",
    [
        ("AETOXGR", "7", "a CTCAE grade 1-5"),
        ("AETOXGR", "0", "a CTCAE grade 1-5"),
        ("ASTCTGR", "6", "an ASTCT grade 1-5"),
        ("AESEV", "LIFE THREATENING", "MILD, MODERATE or SEVERE"),
    ],
)
def test_7_grades(tmp_path: Path, column: str, value: str, expected: str) -> None:
    tables = valid_tables()
    tables["adae"].loc[1, column] = value
    p = only(run(tmp_path, tables))
    assert p.file == "adae.csv" and p.row == 2 and p.column == column
    assert str(p.value) == value
    assert p.expected == expected


def test_7_grade_in_a_transport_file(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "study", {"adsl": valid_tables()["adsl"]})
    adae = adae_truth()
    adae.loc[2, "AETOXGR"] = 7.0
    write_xpt(adae, folder / "adae.xpt", formatted=["ASTDT", "AENDT"])
    p = only(validate(read_folder(folder)))
    assert where(p) == ("adae.xpt", 3, "AETOXGR", 7)
    assert str(p) == "adae.xpt, row 3, column AETOXGR: value 7 — expected a CTCAE grade 1-5"


# Rule 8 -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "0.5"])
def test_8_cnsr_not_a_whole_number_at_least_zero(tmp_path: Path, value: str) -> None:
    tables = valid_tables()
    tables["adtte"].loc[2, "CNSR"] = value
    p = only(run(tmp_path, tables))
    assert p.file == "adtte.csv" and p.row == 3 and p.column == "CNSR"
    assert float(p.value) == float(value)
    assert "0 = event" in p.expected


def test_8_several_censoring_codes_are_valid(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adtte"]["CNSR"] = ["1", "2", "0", "3"]
    assert run(tmp_path, tables) == []


def test_8_blank_cnsr_in_adtte(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adtte"].loc[0, "CNSR"] = ""
    assert where(only(run(tmp_path, tables))) == ("adtte.csv", 1, "CNSR", None)


# Rule 9 -------------------------------------------------------------------------------


@pytest.mark.parametrize("name, row", [("adtte", 1), ("adpc", 2), ("adlb", 0)])
def test_9_negative_aval(tmp_path: Path, name: str, row: int) -> None:
    tables = valid_tables()
    tables[name].loc[row, "AVAL"] = "-0.5"
    p = only(run(tmp_path, tables))
    assert where(p) == (f"{name}.csv", row + 1, "AVAL", -0.5)
    assert p.expected == "a number >= 0"


def test_9_aval_not_a_number(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adpc"].loc[1, "AVAL"] = "<LLOQ"
    p = only(run(tmp_path, tables))
    assert where(p) == ("adpc.csv", 2, "AVAL", "<LLOQ")
    assert p.expected == "a number >= 0"


@pytest.mark.parametrize("column", ["AVAL", "PARAMCD"])
def test_9_blank_aval_or_paramcd_in_adtte(tmp_path: Path, column: str) -> None:
    tables = valid_tables()
    tables["adtte"].loc[3, column] = ""
    assert where(only(run(tmp_path, tables))) == ("adtte.csv", 4, column, None)


# Rule 10 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, row, column, value",
    [
        ("adsl", 0, "SAFFL", "YES"),
        ("adsl", 2, "DTHFL", "n"),
        ("adae", 1, "AESER", "1"),
        ("adae", 0, "TOCIFL", "True"),
        ("adpc", 0, "BLQFL", "U"),
    ],
)
def test_10_flags_are_y_or_n(tmp_path: Path, name: str, row: int, column: str, value: str) -> None:
    tables = valid_tables()
    tables[name].loc[row, column] = value
    p = only(run(tmp_path, tables))
    assert where(p) == (f"{name}.csv", row + 1, column, value)
    assert p.expected == "Y, N or blank"


# Rule 11 ------------------------------------------------------------------------------


def test_11_adtte_one_row_per_subject_and_paramcd(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adtte"].loc[3, "PARAMCD"] = "OS"
    p = only(run(tmp_path, tables))
    assert where(p) == ("adtte.csv", 4, "PARAMCD", "OS")
    assert "row 3" in p.expected and "CD7-01-002" in p.expected


def test_11_adrs_at_most_one_bor_per_subject(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adrs"].loc[0, "PARAMCD"] = "BOR"
    p = only(run(tmp_path, tables))
    assert where(p) == ("adrs.csv", 2, "PARAMCD", "BOR")
    assert "row 1" in p.expected


def test_11_several_ovr_rows_per_subject_are_fine(tmp_path: Path) -> None:
    tables = valid_tables()
    extra = pd.DataFrame(
        [["CD7-01-001", "OVR", "CR", "2022-08-22"]], columns=tables["adrs"].columns
    )
    tables["adrs"] = pd.concat([tables["adrs"], extra], ignore_index=True)
    assert run(tmp_path, tables) == []


# All at once --------------------------------------------------------------------------


def test_problems_in_several_files_are_all_reported_together(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adsl"].loc[2, "USUBJID"] = "CD7-01-001"
    tables["adsl"].loc[0, "SAFFL"] = "X"
    tables["adae"].loc[1, "AETOXGR"] = "7"
    tables["adtte"].loc[0, "CNSR"] = "-1"
    tables["adlb"].loc[1, "AVAL"] = "abc"
    problems = run(tmp_path, tables)
    assert [where(p) for p in problems] == [
        ("adsl.csv", 1, "SAFFL", "X"),
        ("adsl.csv", 3, "USUBJID", "CD7-01-001"),
        ("adae.csv", 2, "AETOXGR", 7),
        ("adtte.csv", 1, "CNSR", -1),
        ("adlb.csv", 2, "AVAL", "abc"),
    ]
    error = ValidationError(problems)
    text = str(error)
    assert text.splitlines()[0].startswith("5 problems found")
    assert len(text.splitlines()) == 6
    assert "adae.csv, row 2, column AETOXGR: value 7 — expected a CTCAE grade 1-5" in text
    with pytest.raises(ValidationError) as info:
        ensure_valid(read_folder(tmp_path / "study"))
    assert info.value.problems == problems


def test_lab_data_split_over_files_is_checked_file_by_file(tmp_path: Path) -> None:
    """ADLB as adlbc.xpt + adlbh.xpt (no adlb file): a problem names the part's file and the
    row in that file, not the row in the combined ADLB."""
    tables = valid_tables()
    del tables["adlb"]
    folder = write_folder(tmp_path / "study", tables)
    chemistry = pd.DataFrame(
        {
            "USUBJID": ["CD7-01-001", "CD7-01-002"],
            "PARAMCD": ["ALT", "AST"],
            "AVAL": [31.0, 24.0],
        }
    )
    haematology = pd.DataFrame(
        {
            "USUBJID": ["CD7-01-001", "CD7-01-002", "XX-1"],
            "PARAMCD": ["ALT", "HGB", "WBC"],  # ALT in both files is fine (another parameter)
            "AVAL": ["250", "abc", "-1"],
        }
    )
    write_xpt(chemistry, folder / "adlbc.xpt")
    write_xpt(haematology, folder / "adlbh.xpt")
    raw = read_folder(folder)
    assert len(raw["adlb"].frame) == 5
    assert [where(p) for p in validate(raw)] == [
        ("adlbh.xpt", 2, "AVAL", "abc"),
        ("adlbh.xpt", 3, "AVAL", -1.0),
    ]
    assert [found(f) for f in find(raw)] == [
        ("adlbh.xpt", 3, "USUBJID", "XX-1", "subject_not_in_adsl"),
    ]
    # A whole-file problem in the first part names that part's file.
    fixed = haematology.assign(AVAL=["250", "1.4", "6.1"], USUBJID="CD7-01-001")
    write_xpt(fixed, folder / "adlbh.xpt")
    write_xpt(chemistry.drop(columns="PARAMCD"), folder / "adlbc.xpt")
    p = only(validate(read_folder(folder)))
    assert (p.file, p.row, p.column) == ("adlbc.xpt", None, "PARAMCD")


def test_renamed_columns_are_named_as_in_the_file(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["adsl"] = tables["adsl"].rename(columns={"DISTYPE": "DIAGGRP"})
    tables["adsl"].loc[1, "SAFFL"] = "maybe"
    folder = write_folder(tmp_path / "study", tables)
    raw = read_folder(folder, Mapping(renames={"adsl": {"SAFFL": "EFFFL", "EFFFL": "SAFFL"}}))
    problems = validate(raw, subtype_var="DIAGGRP")
    p = only(problems)
    assert where(p) == ("adsl.csv", 2, "SAFFL (read as EFFFL)", "maybe")


def test_problem_text_for_whole_file_and_cell_problems() -> None:
    cell = Problem("adae.xpt", 12, "AETOXGR", "7", "a CTCAE grade 1-5")
    assert str(cell) == "adae.xpt, row 12, column AETOXGR: value '7' — expected a CTCAE grade 1-5"
    column = Problem("adsl.csv", None, "STUDYID", None, "the required variable STUDYID")
    assert str(column) == "adsl.csv, column STUDYID: expected the required variable STUDYID"
    date = Problem("adsl.csv", 3, "TRTSDT", pd.Timestamp("2022-05-01"), "a later date")
    assert str(date) == "adsl.csv, row 3, column TRTSDT: value 2022-05-01 — expected a later date"
    assert str(ValidationError([cell])).startswith("1 problem found")
