"""Data-quality findings through the build: one test per rule, each with its own small study.

Each test starts from ``valid_tables()`` (a small valid study, all six data sets; its
subject 002 died on 2022-11-02, its cut-off is 2023-02-01), changes one thing, and builds
it with the command line over a snapshot already serving. A finding never refuses the
study: the build exits 0, replaces the snapshot, and the snapshot's ``findings`` table
holds the finding (file, 1-based data row, column, subject, value, rule, message).
``--strict`` refuses the same study and leaves the serving snapshot byte-identical.
Dates and rows below are read off ``adam_fixtures.valid_tables`` by hand.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from adam_fixtures import valid_tables, write_folder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialdash.cli import main
from trialdash.findings import RULES
from trialdash.schema import FINDINGS


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table(path: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f'SELECT * FROM "{name}"').df()


@pytest.fixture
def served(tmp_path: Path) -> Path:
    """A snapshot already serving, built from the valid study (no findings)."""
    out = tmp_path / "serving" / "trial.duckdb"
    folder = write_folder(tmp_path / "good", valid_tables())
    assert main(["snapshot", "build", "--adam", str(folder), "--out", str(out)]) == 0
    assert table(out, "findings").empty
    return out


def build(tmp_path: Path, tables: dict[str, pd.DataFrame], out: Path, *options: str) -> int:
    folder = write_folder(tmp_path / "study", tables)
    return main(["snapshot", "build", "--adam", str(folder), "--out", str(out), *options])


def edit(name: str, row: int, **values: str):
    def apply(tables: dict[str, pd.DataFrame]) -> None:
        for column, value in values.items():
            tables[name].loc[row, column] = value

    return apply


def add_rows(name: str, rows: list[dict[str, str]]):
    def apply(tables: dict[str, pd.DataFrame]) -> None:
        extra = pd.DataFrame(rows).reindex(columns=tables[name].columns, fill_value="")
        tables[name] = pd.concat([tables[name], extra], ignore_index=True)

    return apply


def with_lloq(tables: dict[str, pd.DataFrame]) -> None:
    tables["adpc"]["LLOQ"] = ["50", "50", "1"]
    tables["adpc"].loc[1, "BLQFL"] = "N"  # AVAL 0 < LLOQ 50, flagged N


# rule: (change, (file, row, column, usubjid, value), words in the message)
CASES = {
    "date_before_1980": (edit("adlb", 0, ADT="1977-06-01"),
                         ("adlb.csv", 1, "ADT", "CD7-01-001", "1977-06-01"), "before 1980"),
    "date_after_cutoff": (edit("adlb", 1, ADT="2023-03-01"),
                          ("adlb.csv", 2, "ADT", "CD7-01-002", "2023-03-01"),
                          "after the data cut-off (2023-02-01)"),
    "lymphodepletion_before_consent": (edit("adsl", 0, LDSTDT="2022-04-30"),
                                       ("adsl.csv", 1, "LDSTDT", "CD7-01-001", "2022-04-30"),
                                       "RFICDT 2022-05-01"),
    "infusion_not_after_lymphodepletion": (edit("adsl", 0, LDSTDT="2022-05-27"),
                                           ("adsl.csv", 1, "TRTSDT", "CD7-01-001", "2022-05-25"),
                                           "LDSTDT 2022-05-27"),
    "infusion_before_consent": (edit("adsl", 0, LDSTDT="", TRTSDT="2022-04-30"),
                                ("adsl.csv", 1, "TRTSDT", "CD7-01-001", "2022-04-30"),
                                "RFICDT 2022-05-01"),
    "death_before_infusion": (edit("adsl", 1, DTHDT="2022-06-20", LSTALVDT="2022-06-20"),
                              ("adsl.csv", 2, "DTHDT", "CD7-01-002", "2022-06-20"),
                              "TRTSDT 2022-06-23"),
    "alive_before_treatment": (edit("adsl", 0, LSTALVDT="2022-05-21"),
                               ("adsl.csv", 1, "LSTALVDT", "CD7-01-001", "2022-05-21"),
                               "TRTSDT 2022-05-25"),
    "hsct_before_infusion": (edit("adsl", 0, HSCTDT="2022-05-24"),
                             ("adsl.csv", 1, "HSCTDT", "CD7-01-001", "2022-05-24"),
                             "TRTSDT 2022-05-25"),
    "progression_before_infusion": (edit("adsl", 1, PDDT="2022-06-22"),
                                    ("adsl.csv", 2, "PDDT", "CD7-01-002", "2022-06-22"),
                                    "TRTSDT 2022-06-23"),
    "ae_ends_before_start": (edit("adae", 1, AENDT="2022-05-26"),
                             ("adae.csv", 2, "AENDT", "CD7-01-001", "2022-05-26"),
                             "ASTDT 2022-05-27"),
    "event_before_origin": (edit("adtte", 3, ADT="2022-06-22"),
                            ("adtte.csv", 4, "ADT", "CD7-01-002", "2022-06-22"),
                            "STARTDT 2022-06-23"),
    "ae_before_consent": (edit("adae", 0, ASTDT="2022-04-20"),
                          ("adae.csv", 1, "ASTDT", "CD7-01-001", "2022-04-20"),
                          "before informed consent (RFICDT 2022-05-01)"),
    "after_death": (edit("adlb", 1, ADT="2022-12-01"),
                    ("adlb.csv", 2, "ADT", "CD7-01-002", "2022-12-01"),
                    "after the subject's death (DTHDT 2022-11-02)"),
    "response_after_progression": (
        add_rows("adrs", [
            {"USUBJID": "CD7-01-001", "PARAMCD": "OVR", "AVALC": "PD", "ADT": "2022-07-22"},
            {"USUBJID": "CD7-01-001", "PARAMCD": "OVR", "AVALC": "CR", "ADT": "2022-08-22"},
        ]),
        ("adrs.csv", 6, "AVALC", "CD7-01-001", "CR"), "without a new baseline"),
    "subject_not_in_adsl": (edit("adae", 2, USUBJID="CD7-01-999"),
                            ("adae.csv", 3, "USUBJID", "CD7-01-999", "CD7-01-999"),
                            "not listed in ADSL (adsl.csv); its row is left out"),
    "tte_death_mismatch": (edit("adtte", 2, ADT="2022-10-30"),
                           ("adtte.csv", 3, "ADT", "CD7-01-002", "2022-10-30"),
                           "differs from ADSL's death date (DTHDT 2022-11-02)"),
    "death_flag_mismatch": (edit("adsl", 1, DTHFL="N"),
                            ("adsl.csv", 2, "DTHFL", "CD7-01-002", "N"),
                            "DTHFL is N but a death date is given (DTHDT 2022-11-02)"),
    "fatal_ae_without_death": (edit("adae", 1, AETOXGR="5", AESEV="SEVERE"),
                               ("adae.csv", 2, "AETOXGR", "CD7-01-001", "5"),
                               "grade 5 (fatal) adverse event but ADSL has no death date"),
    "blq_flag_missing": (with_lloq, ("adpc.csv", 2, "AVAL", "CD7-01-001", "0"),
                         "below the LLOQ (50) but BLQFL is not Y"),
    "partial_date": (edit("adae", 2, ASTDT="2022-06"),
                     ("adae.csv", 3, "ASTDT", "CD7-01-002", "2022-06"),
                     "no imputation flag ASTDTF; left missing"),
}  # fmt: skip


def test_every_rule_has_a_test() -> None:
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_finding_is_recorded_and_the_build_goes_on(tmp_path, served, capsys, rule):
    change, (file, row, column, usubjid, value), words = CASES[rule]
    tables = valid_tables()
    change(tables)
    before = sha256(served)
    capsys.readouterr()
    assert build(tmp_path, tables, served) == 0
    err = capsys.readouterr().err
    assert sha256(served) != before  # replaced by the new build
    findings = table(served, "findings")
    assert list(findings.columns) == FINDINGS.column_names
    mine = findings[findings["rule"] == rule]
    assert len(mine) >= 1
    first = mine.iloc[0]
    assert (first["dataset"], first["file"], first["row"], first["column"]) == (
        file.split(".")[0], file, row, column
    )
    assert (first["usubjid"], first["value"]) == (usubjid, value)
    assert words in first["message"]
    (line,) = [line for line in err.splitlines() if "data-quality finding" in line]
    assert f"] {len(findings)} data-quality finding" in line and rule in line
    assert line.endswith(f"snapshot findings {served}")


def test_strict_refuses_a_finding_and_keeps_the_previous_snapshot(tmp_path, served, capsys):
    tables = valid_tables()
    CASES["ae_before_consent"][0](tables)
    before = sha256(served)
    files_before = sorted(p.name for p in served.parent.iterdir())
    capsys.readouterr()
    assert build(tmp_path, tables, served, "--strict") == 1
    err = capsys.readouterr().err
    assert "adae.csv, row 1, column ASTDT" in err and "ae_before_consent" in err
    assert "before informed consent (RFICDT 2022-05-01)" in err
    assert "imported as recorded" not in err
    assert "--strict" in err and "unchanged" in err
    assert sha256(served) == before
    # Nothing half-written is left beside the snapshot (its key file was there before).
    assert sorted(p.name for p in served.parent.iterdir()) == files_before


def test_strict_builds_a_clean_study(tmp_path, served):
    assert build(tmp_path, valid_tables(), served, "--strict") == 0


def test_errors_stop_the_build_and_findings_do_not_hide_them(tmp_path, served, capsys):
    """A study with an error and a finding: refused for the error; the finding is not an
    error without --strict."""
    tables = valid_tables()
    CASES["ae_before_consent"][0](tables)
    tables["adtte"].loc[0, "AVAL"] = "abc"
    before = sha256(served)
    capsys.readouterr()
    assert build(tmp_path, tables, served) == 1
    err = capsys.readouterr().err
    assert "1 problem found" in err and "adtte.csv, row 1, column AVAL: value 'abc'" in err
    assert "ae_before_consent" not in err
    assert sha256(served) == before


def test_rows_of_unknown_subjects_are_left_out_of_the_snapshot(tmp_path, served):
    tables = valid_tables()
    CASES["subject_not_in_adsl"][0](tables)
    assert build(tmp_path, tables, served) == 0
    adae = table(served, "adae")
    assert len(adae) == 2 and "CD7-01-999" not in set(adae["USUBJID"])


def test_partial_date_is_missing_in_the_snapshot(tmp_path, served):
    tables = valid_tables()
    CASES["partial_date"][0](tables)
    assert build(tmp_path, tables, served) == 0
    adae = table(served, "adae")
    pyrexia = adae[adae["AEDECOD"] == "PYREXIA"].iloc[0]
    assert pd.isna(pyrexia["ASTDT"]) and pd.isna(pyrexia["start_day"])


def test_response_after_a_new_baseline_is_no_finding(tmp_path, served):
    tables = valid_tables()
    tables["adrs"]["AVISIT"] = ""
    add_rows("adrs", [
        {"USUBJID": "CD7-01-001", "PARAMCD": "OVR", "AVALC": "PD", "ADT": "2022-07-22"},
        {"USUBJID": "CD7-01-001", "PARAMCD": "OVR", "AVALC": "NE", "ADT": "2022-08-01",
         "AVISIT": "RE-BASELINE"},
        {"USUBJID": "CD7-01-001", "PARAMCD": "OVR", "AVALC": "CR", "ADT": "2022-08-22"},
    ])(tables)  # fmt: skip
    assert build(tmp_path, tables, served) == 0
    assert table(served, "findings").empty


def test_interim_extract_with_old_ae_and_early_last_alive_imports(tmp_path, served, capsys):
    """The case that used to refuse a whole study: an AE (a pre-existing arthritis) that
    started in 1977 and a last-known-alive date a few days before the infusion. Both are
    findings; the study imports and its summary works."""
    tables = valid_tables()
    tables["adae"].loc[2, ["AEDECOD", "ASTDT", "AENDT"]] = ["ARTHRITIS", "1977-03-01", ""]
    tables["adsl"].loc[1, "LSTALVDT"] = "2022-06-20"
    tables["adsl"].loc[1, ["DTHDT", "DTHFL"]] = ["", "N"]
    tables["adtte"].loc[2, ["CNSR", "ADT"]] = ["1", "2022-06-20"]
    assert build(tmp_path, tables, served) == 0
    got = table(served, "findings")
    assert list(zip(got["file"], got["row"], got["rule"], strict=True)) == [
        ("adsl.csv", 2, "alive_before_treatment"),
        ("adae.csv", 3, "date_before_1980"),
        ("adae.csv", 3, "ae_before_consent"),
        ("adtte.csv", 3, "event_before_origin"),
    ]
    capsys.readouterr()
    assert main(["summary", "--snapshot", str(served), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["survival"]["endpoint"] == "OS"


# --- the findings command ----------------------------------------------------------------


def test_findings_command_prints_a_table_and_json(tmp_path, served, capsys):
    tables = valid_tables()
    CASES["ae_before_consent"][0](tables)
    CASES["subject_not_in_adsl"][0](tables)
    assert build(tmp_path, tables, served) == 0
    capsys.readouterr()
    assert main(["snapshot", "findings", str(served)]) == 0
    text = capsys.readouterr().out
    assert "ae_before_consent" in text and "subject_not_in_adsl" in text
    assert text.splitlines()[0].split()[:4] == ["dataset", "file", "row", "column"]
    assert main(["snapshot", "findings", str(served), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["file"], r["row"], r["rule"]) for r in records] == [
        ("adae.csv", 1, "ae_before_consent"),
        ("adae.csv", 3, "subject_not_in_adsl"),
    ]
    assert set(records[0]) >= {"file", "row", "column", "usubjid", "value", "rule", "message"}
    assert records[0]["usubjid"] == "CD7-01-001" and records[0]["value"] == "2022-04-20"


def test_findings_command_on_a_clean_snapshot(served, capsys):
    capsys.readouterr()
    assert main(["snapshot", "findings", str(served)]) == 0
    assert capsys.readouterr().out.strip() == "no data-quality findings"
    assert main(["snapshot", "findings", str(served), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_findings_command_without_a_snapshot(tmp_path, capsys):
    assert main(["snapshot", "findings", str(tmp_path / "none.duckdb")]) == 1
    assert "No snapshot at" in capsys.readouterr().err


def test_synthetic_trial_exported_as_adam_has_no_findings(tmp_path):
    """The synthetic trial is clean: written out as ADaM CSV files and read back, no rule
    fires (so every finding in an import comes from the imported data)."""
    from trialdash.adam_io import read_folder
    from trialdash.findings import find
    from trialdash.synthetic import generate

    for name, frame in generate().datasets.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False, date_format="%Y-%m-%d")
    assert find(read_folder(tmp_path)) == []


def test_cutoff_from_the_command_line_decides_what_is_after_it(tmp_path, served):
    """--cutoff 2022-12-31 instead of ADSL.DCUTDT 2023-02-01: subject 001's last-known-alive
    date 2023-01-10, and the OS and PFS censoring dates on it, are now after the cut-off
    (nothing else is)."""
    assert build(tmp_path, valid_tables(), served, "--cutoff", "2022-12-31") == 0
    got = table(served, "findings")
    assert list(zip(got["file"], got["row"], got["column"], got["rule"], strict=True)) == [
        ("adsl.csv", 1, "LSTALVDT", "date_after_cutoff"),
        ("adtte.csv", 1, "ADT", "date_after_cutoff"),
        ("adtte.csv", 2, "ADT", "date_after_cutoff"),
    ]
    assert "(2022-12-31)" in got["message"][0]


# --- whatever a finding lets through, the build copes ------------------------------------

DATE_CELLS = [("adsl", c) for c in ("RFICDT", "LDSTDT", "TRTSDT", "DTHDT", "LSTALVDT", "PDDT",
                                    "HSCTDT")] + [("adae", "ASTDT"), ("adae", "AENDT"),
                                                  ("adrs", "ADT"), ("adtte", "ADT"),
                                                  ("adlb", "ADT")]  # fmt: skip
DATE_VALUES = ["", "1977-03-01", "2022-05", "2022", "2021-01-01", "2022-06-01", "2024-01-01",
               "28", "2022-05-25"]  # fmt: skip


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    dates=st.lists(
        st.tuples(st.sampled_from(DATE_CELLS), st.integers(0, 3), st.sampled_from(DATE_VALUES)),
        max_size=6,
    ),
    unknown=st.lists(st.sampled_from(["adae", "adrs", "adtte", "adpc", "adlb"]), max_size=2),
)
def test_any_mix_of_findings_builds(tmp_path_factory, dates, unknown):
    """Implausible dates, partial dates and unknown subjects in any combination: no error,
    the snapshot is written, and every finding names a rule of RULES and a data row."""
    from trialdash.adam_io import read_folder
    from trialdash.build import build_from_adam
    from trialdash.findings import find

    tables = valid_tables()
    for (name, column), row, value in dates:
        tables[name].loc[row % len(tables[name]), column] = value
    for name in unknown:
        tables[name].loc[0, "USUBJID"] = "ZZ-404"
    tmp = tmp_path_factory.mktemp("mix")
    folder = write_folder(tmp / "study", tables)
    out = build_from_adam(folder, tmp / "trial.duckdb")
    got = table(out, "findings")
    assert set(got["rule"]) <= set(RULES)
    assert got["row"].notna().all()
    assert len(got) == len(find(read_folder(folder)))
    assert "ZZ-404" not in set(table(out, "adae")["USUBJID"])
