"""Snapshot builds through the command line: every validation rule refuses its bad file with
file, row, column and value, exits non-zero, and leaves the previous snapshot byte-identical;
a good import replaces it atomically; the synthetic trial survives an ADaM round trip."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyreadstat
import pytest
from adam_fixtures import valid_tables, write_folder

from trialdash import snapshot as snapshot_module
from trialdash.build import build_from_adam, build_synthetic
from trialdash.cli import main
from trialdash.pseudonyms import key_path
from trialdash.schema import DATASETS
from trialdash.study_labels import UserLabels
from trialdash.synthetic import generate

# One bad cell per validation rule: (data set, 0-based row, column, bad value, text expected
# in the message). Rule numbers follow trialdash/validate.py; rule 6 (date order) and unknown
# subjects are findings now, tested with the build going on in test_findings.py.
BREAKAGES = {
    "2 required variable": ("adtte", None, "CNSR", None, "CNSR"),
    "3 type": ("adsl", 1, "AGE", "sixty", "value 'sixty'"),
    "3 date parses": ("adae", 0, "ASTDT", "2022-13-45", "column ASTDT"),
    "4 unique USUBJID": ("adsl", 1, "USUBJID", "CD7-01-001", "column USUBJID"),
    "5 USUBJID present": ("adae", 2, "USUBJID", "", "column USUBJID"),
    "7 grade 1-5": ("adae", 1, "AETOXGR", "7", "a CTCAE grade 1-5"),
    "8 CNSR": ("adtte", 2, "CNSR", "-1", "column CNSR"),
    "9 AVAL >= 0": ("adtte", 0, "AVAL", "-3", "column AVAL"),
    "10 flags Y/N": ("adsl", 0, "SAFFL", "Yes", "column SAFFL"),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def served(tmp_path) -> Path:
    """A snapshot already serving, built from the valid study."""
    out = tmp_path / "serving" / "trial.duckdb"
    assert main(["snapshot", "build", "--adam", str(write_folder(tmp_path / "good",
                                                                 valid_tables())),
                 "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("rule", sorted(BREAKAGES))
def test_bad_file_is_refused_and_previous_snapshot_kept(tmp_path, served, capsys, rule):
    """Each rule's bad file: exit status 1, a message naming file, row and column, and the
    snapshot that was serving is byte-identical, with no temporary file left beside it."""
    name, row, column, value, expected = BREAKAGES[rule]
    tables = valid_tables()
    if row is None:
        tables[name] = tables[name].drop(columns=column)
    else:
        tables[name].loc[row, column] = value
    folder = write_folder(tmp_path / "bad", tables)
    before = sha256(served)
    capsys.readouterr()
    status = main(["snapshot", "build", "--adam", str(folder), "--out", str(served)])
    message = capsys.readouterr().err
    assert status == 1
    assert f"{name}.csv" in message
    if row is not None:
        assert f"row {row + 1}" in message
    assert expected in message
    assert "unchanged" in message
    assert sha256(served) == before
    # Beside the snapshot only its pseudonym key (kept on purpose), no temporary file.
    assert sorted(p.name for p in served.parent.iterdir()) == [
        "trial.duckdb", "trial.duckdb.pseudonym-key"]


def test_all_problems_are_reported_at_once(tmp_path, served, capsys):
    """Three bad cells in two files give three problems in one run."""
    tables = valid_tables()
    tables["adae"].loc[1, "AETOXGR"] = "9"
    tables["adtte"].loc[0, "AVAL"] = "-1"
    tables["adtte"].loc[2, "CNSR"] = "0.5"
    folder = write_folder(tmp_path / "bad", tables)
    assert main(["snapshot", "build", "--adam", str(folder), "--out", str(served)]) == 1
    err = capsys.readouterr().err
    assert "adae.csv, row 2, column AETOXGR" in err
    assert "adtte.csv, row 1, column AVAL" in err
    assert "adtte.csv, row 3, column CNSR" in err


def test_crash_while_writing_keeps_previous_snapshot(tmp_path, served, monkeypatch):
    """A failure half-way through writing (simulated in the writer) leaves the old file and
    removes the temporary one."""
    before = sha256(served)

    def broken_comment(table):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(snapshot_module, "_comment_sql", broken_comment)
    folder = write_folder(tmp_path / "good2", valid_tables())
    with pytest.raises(OSError, match="disk full"):
        build_from_adam(folder, served)
    assert sha256(served) == before
    # Beside the snapshot only its pseudonym key (kept on purpose), no temporary file.
    assert sorted(p.name for p in served.parent.iterdir()) == [
        "trial.duckdb", "trial.duckdb.pseudonym-key"]


def test_good_import_replaces_the_snapshot_while_a_reader_is_open(tmp_path, served):
    """A reader that opened the old file keeps its view; new readers see the new build."""
    reader = duckdb.connect(str(served), read_only=True)
    old_rows = reader.execute("SELECT count(*) FROM adsl").fetchone()[0]
    build_synthetic(served)
    assert reader.execute("SELECT count(*) FROM adsl").fetchone()[0] == old_rows
    reader.close()
    with duckdb.connect(str(served), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM adsl").fetchone()[0] == 17


def test_info_prints_meta_and_row_counts(served, capsys):
    """`snapshot info` shows the meta row with the imported files' sha256 and row counts."""
    capsys.readouterr()
    assert main(["snapshot", "info", str(served)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["source_kind"] == "adam"
    assert info["tables"]["adsl"] == 3
    assert {f["file"] for f in info["source_files"]} >= {"adsl.csv", "adae.csv"}
    assert all(len(f["sha256"]) == 64 for f in info["source_files"])


def test_info_without_snapshot_is_a_clear_error(tmp_path, capsys):
    assert main(["snapshot", "info", str(tmp_path / "none.duckdb")]) == 1
    assert "No snapshot at" in capsys.readouterr().err


def test_synthetic_build_is_deterministic(tmp_path):
    """Same seed and same pseudonym key, same table contents (meta differs only in build
    time). The key, kept beside each snapshot, is copied to the second one's place."""
    first = build_synthetic(tmp_path / "a.duckdb", seed=7)
    shutil.copy(key_path(first), key_path(tmp_path / "b.duckdb"))
    second = build_synthetic(tmp_path / "b.duckdb", seed=7)
    for table in DATASETS:
        pd.testing.assert_frame_equal(_table(first, table.name), _table(second, table.name))


# --- round trip: synthetic -> ADaM files -> import -> the same tables ---------------------


def _table(path: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f'SELECT * FROM "{name}"').df()


def _export_xpt(frame: pd.DataFrame, path: Path) -> None:
    """Dates as SAS day numbers with a DATE9. format, as SAS writes them."""
    out = frame.copy()
    formats = {}
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = (out[col] - pd.Timestamp("1960-01-01")).dt.days.astype("float64")
            formats[col] = "DATE9."
        elif str(out[col].dtype) == "Int64":
            out[col] = out[col].astype("float64")
        elif out[col].dtype == object:
            out[col] = out[col].fillna("")
    # The grade variable's label states the CTCAE version, as a sponsor's define would.
    labels = [_LABELS.get(col) for col in out.columns]
    pyreadstat.write_xport(out, str(path), table_name=path.stem.upper()[:8],
                           variable_format=formats, file_format_version=5,
                           column_labels=labels)


_LABELS = {"AETOXGR": "Analysis Toxicity Grade (CTCAE v5.0)"}


def _export_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")


@pytest.mark.parametrize("fmt", ["xpt", "csv"])
def test_round_trip_through_adam_files(tmp_path, synthetic_snapshot, fmt):
    """The synthetic trial written out as ADaM files (.xpt and .csv) and imported again gives
    the same tables as the synthetic snapshot, derived columns included (pseudonyms too,
    given the same key: the synthetic snapshot's key is copied beside the import)."""
    folder = tmp_path / fmt
    folder.mkdir()
    for name, frame in generate().datasets.items():
        (_export_xpt if fmt == "xpt" else _export_csv)(frame, folder / f"{name}.{fmt}")
    # A .csv carries no labels: the user states the CTCAE version on the command line.
    stated = UserLabels(ctcae_version="5.0") if fmt == "csv" else None
    shutil.copy(key_path(synthetic_snapshot), key_path(tmp_path / "imported.duckdb"))
    imported = build_from_adam(folder, tmp_path / "imported.duckdb", user_labels=stated)
    for table in DATASETS:
        expected = _table(synthetic_snapshot, table.name)
        got = _table(imported, table.name)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=table.name)


def test_pilot_like_study_imports_without_a_subtype_variable(tmp_path, capsys):
    """A study shaped like the CDISC pilot (no DISTYPE, placebo arm, AESEV only, PARAMCD
    TTDE, no DCUTDT) imports with default options: no subtypes, arms in TRT01AN order,
    cut-off = the latest date (ADTTE.ADT 2014-03-31), and the summary works for its own endpoint."""
    from pilot_like import write_pilot_like

    out = tmp_path / "pilot.duckdb"
    assert main(["snapshot", "build", "--adam", str(write_pilot_like(tmp_path / "adam")),
                 "--out", str(out)]) == 0
    assert "building without disease subtypes" in capsys.readouterr().err
    adsl = _table(out, "adsl")
    assert adsl["subtype"].isna().all()
    order = adsl.drop_duplicates("dose_group").sort_values("dose_order")["dose_group"]
    assert list(order) == ["Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"]
    assert set(_table(out, "adae")["grade"]) == {1, 2}
    info = _table(out, "meta").iloc[0]
    assert info["subtype_var"] is None and str(info["cutoff_date"])[:10] == "2014-03-31"
    capsys.readouterr()
    assert main(["summary", "--snapshot", str(out), "--json", "--endpoint", "TTDE"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["survival"]["endpoint"] == "TTDE"
    assert sum(s["events"] for s in doc["survival"]["strata"]) == 1


def test_named_subtype_variable_must_exist(tmp_path, capsys):
    """An explicitly named --subtype-var that ADSL lacks is a validation problem."""
    from pilot_like import write_pilot_like

    status = main(["snapshot", "build", "--adam", str(write_pilot_like(tmp_path / "adam")),
                   "--subtype-var", "DIAGNOSIS", "--out", str(tmp_path / "x.duckdb")])
    assert status == 1
    assert "adsl.xpt, column DIAGNOSIS" in capsys.readouterr().err


def test_split_lab_files_are_imported_together(tmp_path, capsys):
    """ADLB delivered as adlbc + adlbh (as in the CDISC pilot): both are imported, and the
    snapshot's meta lists each file with its own row count."""
    tables = valid_tables()
    adlb = tables.pop("adlb")
    folder = write_folder(tmp_path / "split", tables)
    adlb.iloc[:1].to_csv(folder / "adlbc.csv", index=False)
    adlb.iloc[1:].to_csv(folder / "ADLBH.csv", index=False)
    out = tmp_path / "split.duckdb"
    assert main(["snapshot", "build", "--adam", str(folder), "--out", str(out)]) == 0
    assert len(_table(out, "adlb")) == len(adlb)
    capsys.readouterr()
    assert main(["snapshot", "info", str(out)]) == 0
    files = {f["file"]: f["rows"] for f in json.loads(capsys.readouterr().out)["source_files"]
             if f["dataset"] == "adlb"}
    assert files == {"adlbc.csv": 1, "ADLBH.csv": len(adlb) - 1}


def test_snapshot_has_a_findings_table_empty_for_the_synthetic_trial(synthetic_snapshot):
    """Every snapshot carries the documented findings table; the synthetic trial is clean."""
    from trialdash.schema import FINDINGS

    findings = _table(synthetic_snapshot, "findings")
    assert list(findings.columns) == FINDINGS.column_names
    assert findings.empty


def test_snapshot_of_an_earlier_schema_reads_newer_tables_as_empty(synthetic_snapshot, tmp_path):
    """A snapshot written before the findings table existed still opens; findings is empty."""
    import shutil

    from trialdash.snapshot import connect_read_only

    old = tmp_path / "old.duckdb"
    shutil.copy(synthetic_snapshot, old)
    with duckdb.connect(str(old)) as con:
        con.execute("DROP TABLE findings")
    con = connect_read_only(old)
    assert con.execute("SELECT count(*) FROM findings").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM adsl").fetchone()[0] > 0
