"""What real delivery folders contain: encodings, character numbers, multi-member transport
files, and files that are empty, cut off or not what their suffix says.

Files that can be read are read to the right values; files that cannot are refused by the
build with a message naming the file (never a Python traceback), exit status 1, every
broken file listed at once, and the snapshot that was serving byte-identical. Each case
writes its own small file into ``tmp_path``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from adam_fixtures import (
    SAS7BDAT_WRITER,
    adae_truth,
    adsl_truth,
    valid_tables,
    write_folder,
    write_parquet,
    write_sas7bdat,
    write_xpt,
)

from trialdash.adam_io import AdamImportError, read_dataset
from trialdash.cli import main


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def two_member_xpt(path: Path, first: pd.DataFrame, first_name: str, second: pd.DataFrame,
                   second_name: str) -> Path:
    """A SAS transport v5 file holding two members, as SAS writes a library of data sets:
    the library header, then each member's records (pyreadstat writes one member per file,
    so the second file's members are appended after the first file)."""
    one, two = path.with_suffix(".1"), path.with_suffix(".2")
    write_xpt(first, one, table_name=first_name)
    write_xpt(second, two, table_name=second_name)
    path.write_bytes(one.read_bytes() + two.read_bytes()[3 * 80 :])
    one.unlink()
    two.unlink()
    return path


# --- read correctly -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, bom",
    [("latin-1", b""), ("cp1252", b""), ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf")],
)
def test_csv_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    """Latin-1 / Windows-1252 exports and UTF-8 with or without a byte-order mark give the
    same text; the BOM never sticks to the first variable name."""
    text = "USUBJID,AETERM,AEDECOD\nA-1,Éruption cutanée à J+3,RASH\n"
    (tmp_path / "adae.csv").write_bytes(bom + text.encode(encoding))
    frame = read_dataset(tmp_path / "adae.csv").frame
    assert list(frame.columns) == ["USUBJID", "AETERM", "AEDECOD"]
    assert frame["AETERM"][0] == "Éruption cutanée à J+3"


def test_numbers_stored_as_character_in_a_transport_file(tmp_path: Path) -> None:
    """AVAL and CNSR as SAS character variables ('12.5', '1') are read as numbers."""
    frame = pd.DataFrame(
        {"USUBJID": ["A", "B"], "PARAMCD": ["OS", "OS"], "AVAL": ["12.5", " 30 "],
         "CNSR": ["1", "0"]}
    )  # fmt: skip
    write_xpt(frame, tmp_path / "adtte.xpt")
    ds = read_dataset(tmp_path / "adtte.xpt")
    assert ds.bad_cells == []
    assert ds.frame["AVAL"].tolist() == [12.5, 30.0]
    assert ds.frame["CNSR"].tolist() == [1, 0]


def test_sas_datetimes_next_to_sas_dates(tmp_path: Path) -> None:
    """One file with a DATE9.-formatted date (days since 1960) and a DATETIME-formatted
    variable (seconds since 1960): both read as the same calendar day."""
    days = float((pd.Timestamp("2022-05-25") - pd.Timestamp("1960-01-01")).days)
    frame = pd.DataFrame({"USUBJID": ["A"], "TRTSDT": [days], "RFICDT": [days * 86400 + 3600]})
    pyreadstat.write_xport(
        frame, str(tmp_path / "adsl.xpt"),
        variable_format={"TRTSDT": "DATE9.", "RFICDT": "DATETIME20."},
    )  # fmt: skip
    ds = read_dataset(tmp_path / "adsl.xpt")
    assert ds.frame["TRTSDT"][0] == ds.frame["RFICDT"][0] == pd.Timestamp("2022-05-25")


def test_multi_member_transport_file_reads_the_member_named_like_the_data_set(
    tmp_path: Path,
) -> None:
    """pyreadstat reads only a file's first member; the reader picks ADAE, the second."""
    path = two_member_xpt(tmp_path / "adae.xpt", adsl_truth(), "ADSL", adae_truth(), "ADAE")
    frame = read_dataset(path).frame
    assert "AEDECOD" in frame.columns and len(frame) == len(adae_truth())
    path = two_member_xpt(tmp_path / "adsl.xpt", adsl_truth(), "ADSL", adae_truth(), "ADAE")
    assert len(read_dataset(path).frame) == len(adsl_truth())


def test_one_transport_library_mapped_to_several_data_sets(tmp_path: Path) -> None:
    """A study delivered as one transport library (study.xpt with ADSL and ADAE members),
    each data set mapped to it with the mapping's "file" entry, reads each member."""
    from trialdash.adam_io import Mapping, read_folder

    two_member_xpt(tmp_path / "study.xpt", adsl_truth(), "ADSL", adae_truth(), "ADAE")
    raw = read_folder(tmp_path, Mapping(files={"adsl": "study.xpt", "adae": "study.xpt"}))
    assert raw["adsl"].frame["USUBJID"].tolist() == adsl_truth()["USUBJID"].tolist()
    assert raw["adae"].frame["AEDECOD"].tolist() == adae_truth()["AEDECOD"].tolist()


# --- refused, through the build -----------------------------------------------------------


def zero_bytes(folder: Path) -> None:
    (folder / "adae.csv").unlink()
    (folder / "adae.xpt").write_bytes(b"")


def header_only_adsl(folder: Path) -> None:
    (folder / "adsl.csv").write_text(valid_tables()["adsl"].iloc[:0].to_csv(index=False))


def header_only_xpt(folder: Path) -> None:
    (folder / "adae.csv").unlink()
    write_xpt(adae_truth().iloc[:0], folder / "adae.xpt")


def cut(path: Path, fraction: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])


def truncated_xpt(folder: Path) -> None:
    (folder / "adsl.csv").unlink()
    write_xpt(adsl_truth(), folder / "adsl.xpt")
    cut(folder / "adsl.xpt")


def truncated_csv(folder: Path) -> None:
    cut(folder / "adae.csv", 0.6)


def truncated_parquet(folder: Path) -> None:
    (folder / "adae.csv").unlink()
    cut(write_parquet(adae_truth(), folder / "adae.parquet"))


def truncated_sas7bdat(folder: Path) -> None:
    (folder / "adae.csv").unlink()
    cut(write_sas7bdat(adae_truth(), folder / "adae.sas7bdat"))


def spreadsheet_as_csv(folder: Path) -> None:
    frame = valid_tables()["adae"]
    try:
        frame.to_excel(folder / "adae.csv", index=False, engine="openpyxl")
    except ImportError:  # the bytes an .xlsx starts with: a zip archive
        (folder / "adae.csv").write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200)


def text_as_csv(folder: Path) -> None:
    (folder / "adae.csv").write_text("Adverse events were sent by e-mail on 3 May.\nRegards\n")


def binary_as_csv(folder: Path) -> None:
    (folder / "adae.csv").write_bytes(bytes(range(256)) * 4)


def multi_member_without_it(folder: Path) -> None:
    (folder / "adae.csv").unlink()
    two_member_xpt(folder / "adae.xpt", adsl_truth(), "ADSL", adsl_truth(), "DM")


def same_column_in_two_cases(folder: Path) -> None:
    (folder / "adae.csv").write_text("USUBJID,AEDECOD,usubjid\nCD7-01-001,RASH,CD7-01-001\n")


BROKEN = {
    "zero-byte file": (zero_bytes, "adae.xpt", "is empty (0 bytes)"),
    "ADSL with a header and no rows": (header_only_adsl, "adsl.csv", "no data rows"),
    "transport file with no rows": (header_only_xpt, "adae.xpt", "no data rows"),
    "transport file cut off": (truncated_xpt, "adsl.xpt", "is incomplete"),
    "CSV cut off": (truncated_csv, "adae.csv", "the file is cut off"),
    "Parquet cut off": (truncated_parquet, "adae.parquet", "cannot be read as Parquet"),
    "spreadsheet saved as .csv": (spreadsheet_as_csv, "adae.csv", "Save or export it as CSV"),
    "text document as .csv": (text_as_csv, "adae.csv", "holds no variable names"),
    "binary data as .csv": (binary_as_csv, "adae.csv", "not CSV text"),
    "several members, none ADAE": (multi_member_without_it, "adae.xpt",
                                   "holds 2 data sets (ADSL, DM)"),
    "same column in two cases": (same_column_in_two_cases, "adae.csv",
                                 "more than one column named USUBJID"),
}  # fmt: skip
if SAS7BDAT_WRITER:
    BROKEN["SAS7BDAT cut off"] = (truncated_sas7bdat, "adae.sas7bdat", "cannot be read")


@pytest.fixture
def served(tmp_path: Path) -> Path:
    out = tmp_path / "serving" / "trial.duckdb"
    folder = write_folder(tmp_path / "good", valid_tables())
    assert main(["snapshot", "build", "--adam", str(folder), "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_is_refused_and_previous_snapshot_kept(tmp_path, served, capsys, case):
    breaks, file, words = BROKEN[case]
    folder = write_folder(tmp_path / "bad", valid_tables())
    breaks(folder)
    before = sha256(served)
    files_before = sorted(p.name for p in served.parent.iterdir())
    capsys.readouterr()
    assert main(["snapshot", "build", "--adam", str(folder), "--out", str(served)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert file in err and words in err
    assert "unchanged" in err
    assert sha256(served) == before
    # Nothing half-written is left beside the snapshot (its key file was there before).
    assert sorted(p.name for p in served.parent.iterdir()) == files_before


def test_every_broken_file_is_listed_at_once(tmp_path, served, capsys):
    folder = write_folder(tmp_path / "bad", valid_tables())
    truncated_csv(folder)
    (folder / "adlb.csv").write_bytes(b"")
    capsys.readouterr()
    assert main(["snapshot", "build", "--adam", str(folder), "--out", str(served)]) == 1
    err = capsys.readouterr().err
    assert "adae.csv, row" in err and "adlb.csv is empty" in err


def test_missing_adsl_is_refused_through_the_build(tmp_path, served, capsys):
    folder = write_folder(tmp_path / "bad", valid_tables())
    (folder / "adsl.csv").unlink()
    before = sha256(served)
    capsys.readouterr()
    assert main(["snapshot", "build", "--adam", str(folder), "--out", str(served)]) == 1
    assert "folder bad: expected an ADSL data set" in capsys.readouterr().err
    assert sha256(served) == before


def test_wrong_type_aval_is_refused_through_the_build(tmp_path, served, capsys):
    tables = valid_tables()
    tables["adtte"].loc[1, "AVAL"] = "abc"
    folder = write_folder(tmp_path / "bad", tables)
    before = sha256(served)
    capsys.readouterr()
    assert main(["snapshot", "build", "--adam", str(folder), "--out", str(served)]) == 1
    err = capsys.readouterr().err
    assert "adtte.csv, row 2, column AVAL: value 'abc' — expected a number >= 0" in err
    assert sha256(served) == before


def test_direct_read_of_a_cut_off_transport_file_raises_the_import_error(tmp_path):
    path = write_xpt(adsl_truth(), tmp_path / "adsl.xpt")
    cut(path)
    with pytest.raises(AdamImportError, match="adsl.xpt is incomplete"):
        read_dataset(path)
