"""Reading ADaM files: every format gives the same normalised frame, and real-file quirks.

Assumptions: the "truth" frames in ``adam_fixtures`` are written as real files in
``tmp_path`` (xpt via pyreadstat, SAS7BDAT via ReadStat's writer, CSV and Parquet via
pandas) and read back with :mod:`trialdash.adam_io`; the expected frame is built from the
truth independently of the reader.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from adam_fixtures import (
    ADAE_DATES,
    ADSL_DATES,
    ADTTE_DATES,
    SAS7BDAT_WRITER,
    adae_truth,
    adsl_truth,
    adtte_truth,
    date9,
    sas_days,
    write_csv,
    write_parquet,
    write_sas7bdat,
    write_xpt,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdash.adam_io import (
    DATASET_NAMES,
    AdamImportError,
    Mapping,
    find_dataset_files,
    find_datasets,
    load_mapping,
    read_dataset,
    read_folder,
)
from trialdash.schema import TABLES

TRUTH = {"adsl": adsl_truth, "adae": adae_truth, "adtte": adtte_truth}
DATES = {"adsl": ADSL_DATES, "adae": ADAE_DATES, "adtte": ADTTE_DATES}


def expected_frame(name: str) -> pd.DataFrame:
    """The truth typed by the schema's rules, without using the reader."""
    truth = TRUTH[name]()
    table = TABLES[name]
    out = pd.DataFrame(index=truth.index)
    for col in truth.columns:
        values = truth[col]
        kind = table.column(col).type if col in table.column_names else None
        if kind == "DATE":
            out[col] = pd.to_datetime(pd.Series(list(values), dtype=object)).astype(
                "datetime64[ns]"
            )
        elif kind == "INTEGER":
            out[col] = values.round().astype("Int64")
        elif kind == "DOUBLE":
            out[col] = values.astype("float64")
        else:
            out[col] = values.astype(object).where(values.notna(), None)
    return out


def schema_part(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    known = set(TABLES[name].column_names)
    return frame[[c for c in frame.columns if c in known]]


def write_format(name: str, fmt: str, folder: Path) -> Path:
    """Write the truth of data set ``name`` in format ``fmt``."""
    truth = TRUTH[name]()
    dates = DATES[name]
    if fmt == "xpt":  # first date SAS-formatted (DATE9.), the others plain day numbers
        return write_xpt(truth, folder / f"{name}.xpt", formatted=dates[:1])
    if fmt == "csv_iso":
        return write_csv(truth, folder / f"{name}.csv", "iso")
    if fmt == "csv_date9_sasnum":  # alternate DATE9 text and SAS day numbers as text
        styles = {c: ("date9" if i % 2 == 0 else "sasnum") for i, c in enumerate(dates)}
        return write_csv(truth, folder / f"{name}.csv", styles)
    if fmt == "parquet":
        return write_parquet(truth, folder / f"{name}.parquet", timestamps=dates[:1])
    if fmt == "sas7bdat":
        return write_sas7bdat(truth, folder / f"{name}.sas7bdat", formatted=dates[1:])
    raise ValueError(fmt)


FORMATS = [
    "xpt",
    "csv_iso",
    "csv_date9_sasnum",
    "parquet",
    pytest.param(
        "sas7bdat",
        marks=pytest.mark.skipif(not SAS7BDAT_WRITER, reason="no ReadStat SAS7BDAT writer"),
    ),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["adsl", "adae", "adtte"])
def test_every_format_gives_the_same_normalised_frame(tmp_path: Path, name: str, fmt: str) -> None:
    ds = read_dataset(write_format(name, fmt, tmp_path))
    assert ds.name == name
    assert ds.bad_cells == []
    assert list(ds.frame.columns) == list(TRUTH[name]().columns)
    pd.testing.assert_frame_equal(
        schema_part(ds.frame, name), schema_part(expected_frame(name), name), check_index_type=True
    )


def test_types_of_a_read_frame(tmp_path: Path) -> None:
    frame = read_dataset(write_format("adtte", "xpt", tmp_path)).frame
    assert str(frame["CNSR"].dtype) == "Int64"
    assert frame["AVAL"].dtype == np.float64
    assert frame["ADT"].dtype == "datetime64[ns]"
    assert frame["STARTDT"].tolist()[:1] == [pd.Timestamp("2022-05-25")]
    assert frame["PARAMCD"].tolist() == ["OS", "PFS", "OS", "PFS"]


@pytest.mark.parametrize("fmt", ["xpt", "csv_iso", "parquet"])
def test_extra_variables_and_screen_failures_are_kept(tmp_path: Path, fmt: str) -> None:
    frame = read_dataset(write_format("adsl", fmt, tmp_path)).frame
    assert frame["ITTFL"].tolist() == ["Y", "Y", "N"]  # not in the schema
    assert len(frame) == 3
    screen_failure = frame[frame["USUBJID"] == "CD7-01-003"].iloc[0]
    assert screen_failure["TRT01A"] is None
    assert pd.isna(screen_failure["TRTSDT"])
    assert pd.isna(screen_failure["TRT01AN"])


def test_file_names_in_any_case_are_found(tmp_path: Path) -> None:
    write_xpt(adsl_truth(), tmp_path / "ADSL.XPT")
    write_csv(adae_truth(), tmp_path / "Adae.Csv")
    write_parquet(adtte_truth(), tmp_path / "adTTE.PARQUET")
    (tmp_path / "define.xml").write_text("<xml/>")
    write_csv(adsl_truth(), tmp_path / "adslx.csv")
    found = find_datasets(tmp_path)
    assert {k: p.name for k, p in found.items()} == {
        "adsl": "ADSL.XPT",
        "adae": "Adae.Csv",
        "adtte": "adTTE.PARQUET",
    }
    messages: list[str] = []
    datasets = read_folder(tmp_path, progress=messages.append)
    assert list(datasets) == ["adsl", "adae", "adtte"]
    assert datasets["adsl"].file.dataset == "adsl"
    assert any("define.xml" in m for m in messages)
    assert any("adslx.csv" in m for m in messages)


def test_column_names_any_case_and_padded(tmp_path: Path) -> None:
    (tmp_path / "adsl.csv").write_text(" studyid ,UsubJID,trtsdt\nS,A,2022-05-01\n")
    frame = read_dataset(tmp_path / "adsl.csv").frame
    assert list(frame.columns) == ["STUDYID", "USUBJID", "TRTSDT"]
    assert frame["TRTSDT"].tolist() == [pd.Timestamp("2022-05-01")]


def test_two_files_for_one_data_set_is_a_clear_error(tmp_path: Path) -> None:
    write_csv(adsl_truth(), tmp_path / "adsl.csv")
    write_xpt(adsl_truth(), tmp_path / "ADSL.xpt")
    write_csv(adae_truth(), tmp_path / "adae.csv")
    with pytest.raises(AdamImportError) as info:
        find_datasets(tmp_path)
    message = str(info.value)
    assert "adsl.csv" in message and "ADSL.xpt" in message and "ADSL" in message
    assert "adae" not in message
    with pytest.raises(AdamImportError):
        read_folder(tmp_path)


def test_blank_strings_are_missing(tmp_path: Path) -> None:
    (tmp_path / "adsl.csv").write_text(
        "STUDYID,USUBJID,TRT01A,SEX,AGE,TRTSDT,ITTFL\n"
        "S,  A  ,   ,,  ,   ,  \n"
        'S,B," 0.5 x10^6 ",F, 40 , 2022-05-01 ,Y\n'
    )
    frame = read_dataset(tmp_path / "adsl.csv").frame
    assert frame["USUBJID"].tolist() == ["A", "B"]
    assert frame["TRT01A"].tolist() == [None, "0.5 x10^6"]
    assert frame["SEX"].tolist() == [None, "F"]
    assert frame["ITTFL"].tolist() == [None, "Y"]
    assert np.isnan(frame["AGE"][0]) and frame["AGE"][1] == 40.0
    assert pd.isna(frame["TRTSDT"][0]) and frame["TRTSDT"][1] == pd.Timestamp("2022-05-01")


def test_blank_strings_in_xpt_are_missing(tmp_path: Path) -> None:
    frame = pd.DataFrame({"STUDYID": ["S", "S"], "USUBJID": ["A", "B"], "TRT01A": ["", "  "]})
    pyreadstat.write_xport(frame, str(tmp_path / "adsl.xpt"))
    assert read_dataset(tmp_path / "adsl.xpt").frame["TRT01A"].tolist() == [None, None]


def test_sas_missing_markers_in_numeric_csv_columns(tmp_path: Path) -> None:
    (tmp_path / "adsl.csv").write_text("USUBJID,AGE,TRTSDT,COHORT\nA,.,.,NA\nB,NA,.A,.\n")
    ds = read_dataset(tmp_path / "adsl.csv")
    assert ds.bad_cells == []
    assert ds.frame["AGE"].isna().all() and ds.frame["TRTSDT"].isna().all()
    assert ds.frame["COHORT"].tolist() == ["NA", "."]  # text is kept as written


def test_cnsr_floating_point_noise_is_cleaned(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "USUBJID": ["A", "B", "C", "D", "E"],
            "PARAMCD": ["OS"] * 5,
            "AVAL": [1.0, 2.0, 3.0, 4.0, 5.0],
            "CNSR": [5e-79, 0.9999999999, 1.0000000002, 2.0, 0.5],
        }
    )
    frame.to_parquet(tmp_path / "adtte.parquet")
    ds = read_dataset(tmp_path / "adtte.parquet")
    assert ds.frame["CNSR"].tolist()[:4] == [0, 1, 1, 2]
    assert pd.isna(ds.frame["CNSR"][4])
    assert [(b.row, b.column, b.value) for b in ds.bad_cells] == [(5, "CNSR", 0.5)]


def test_cnsr_noise_in_csv_text(tmp_path: Path) -> None:
    (tmp_path / "adtte.csv").write_text("USUBJID,PARAMCD,AVAL,CNSR\nA,OS,1,5e-79\nB,OS,2,1.0\n")
    assert read_dataset(tmp_path / "adtte.csv").frame["CNSR"].tolist() == [0, 1]


def test_aesev_only_adae_is_read(tmp_path: Path) -> None:
    adae = adae_truth().drop(columns=["AETOXGR"]).assign(AESEV=["MILD", "SEVERE", "moderate"])
    write_xpt(adae, tmp_path / "adae.xpt", formatted=ADAE_DATES)
    ds = read_dataset(tmp_path / "adae.xpt")
    assert "AETOXGR" not in ds.frame.columns
    assert ds.frame["AESEV"].tolist() == ["MILD", "SEVERE", "moderate"]
    assert ds.bad_cells == []


def test_unparseable_values_are_recorded_not_raised(tmp_path: Path) -> None:
    (tmp_path / "adsl.csv").write_text(
        "USUBJID,AGE,TRTSDT,RFICDT\nA,34,2022-05-01,01MAY2022\nB,abc,2022-02-30,05/01/2022\n"
    )
    ds = read_dataset(tmp_path / "adsl.csv")
    assert [(b.row, b.column, b.value) for b in ds.bad_cells] == [
        (2, "AGE", "abc"),
        (2, "TRTSDT", "2022-02-30"),
        (2, "RFICDT", "05/01/2022"),
    ]
    assert "number" in ds.bad_cells[0].expected
    assert "date" in ds.bad_cells[2].expected
    assert len(ds.frame) == 2  # the row is kept, its bad cells are missing
    assert ds.frame["AGE"].isna().tolist() == [False, True]
    assert ds.frame["TRTSDT"].isna().tolist() == [False, True]


def test_blank_csv_lines_are_dropped_but_row_numbers_follow_the_file(tmp_path: Path) -> None:
    (tmp_path / "adsl.csv").write_text("USUBJID,AGE\nA,1\n\n,\nB,x\n")
    ds = read_dataset(tmp_path / "adsl.csv")
    assert ds.frame["USUBJID"].tolist() == ["A", "B"]
    assert ds.file.rows == 2
    assert [(b.row, b.value) for b in ds.bad_cells] == [(4, "x")]
    assert list(ds.frame.index + 1) == [1, 4]


@pytest.mark.parametrize(
    "text",
    [
        "2022-05-01",
        "2022-05-01T10:00",
        "2022-05-01T10:00:59.123Z",
        "2022-05-01 10:00:00",
        "01MAY2022",
        "1may2022",
        "01MAY2022:10:00:00",
        "20220501",
        str(int(sas_days(dt.date(2022, 5, 1)))),
        "22766.0",
        str(int(sas_days(dt.date(2022, 5, 1)) * 86400 + 36000)),  # SAS datetime, seconds
    ],
)
def test_date_text_forms(tmp_path: Path, text: str) -> None:
    (tmp_path / "adsl.csv").write_text(f"USUBJID,TRTSDT\nA,{text}\n")
    ds = read_dataset(tmp_path / "adsl.csv")
    assert ds.bad_cells == []
    assert ds.frame["TRTSDT"].tolist() == [pd.Timestamp("2022-05-01")]


@pytest.mark.parametrize(
    "text",
    ["2022-13-01", "31APR2022", "05/01/2022", "May 2022", "2022-13", "1899-12-31", "2022---15"],
)
def test_bad_date_text(tmp_path: Path, text: str) -> None:
    (tmp_path / "adsl.csv").write_text(f"USUBJID,TRTSDT\nA,{text}\n")
    ds = read_dataset(tmp_path / "adsl.csv")
    assert [(b.row, b.column, b.value) for b in ds.bad_cells] == [(1, "TRTSDT", text)]
    assert ds.partial_dates == []


@pytest.mark.parametrize("text", ["2022-05", "2022", "2022-05-UN", "2022-UN-UN"])
def test_partial_dates_without_a_flag_are_left_missing_and_listed(
    tmp_path: Path, text: str
) -> None:
    """ISO 8601 partial dates are not bad values: without an imputation flag they are left
    missing and listed (the build records them as findings)."""
    (tmp_path / "adsl.csv").write_text(f"USUBJID,TRTSDT\nA,{text}\n")
    ds = read_dataset(tmp_path / "adsl.csv")
    assert ds.bad_cells == []
    assert [(p.row, p.column, p.value) for p in ds.partial_dates] == [(1, "TRTSDT", text)]
    assert "no imputation flag TRTSDTF" in ds.partial_dates[0].reason
    assert ds.frame["TRTSDT"].isna().all()


def test_partial_dates_are_imputed_as_their_adam_flags_say(tmp_path: Path) -> None:
    """ADaM imputation flags (ADaM IG: ASTDTF/AENDTF = D, M or Y): D fills the day of a
    year-month, M fills month and day; start dates go to the first day of the period, end
    dates to the last. A D flag on a year alone, or a blank flag, cannot be applied."""
    (tmp_path / "adae.csv").write_text(
        "USUBJID,AEDECOD,ASTDT,ASTDTF,AENDT,AENDTF\n"
        "A,PYREXIA,2013-05,D,2013-02,D\n"
        "A,RASH,2013,M,2012,M\n"
        "A,COUGH,2013,D,2013-06-03,\n"
        "A,FATIGUE,2013-07,,2013-07-09,\n"
    )
    ds = read_dataset(tmp_path / "adae.csv")
    assert list(ds.frame["ASTDT"]) == [
        pd.Timestamp("2013-05-01"),
        pd.Timestamp("2013-01-01"),
        pd.NaT,
        pd.NaT,
    ]
    assert list(ds.frame["AENDT"][:3]) == [
        pd.Timestamp("2013-02-28"),
        pd.Timestamp("2012-12-31"),
        pd.Timestamp("2013-06-03"),
    ]
    assert [(p.row, p.column, p.value) for p in ds.partial_dates] == [
        (3, "ASTDT", "2013"),
        (4, "ASTDT", "2013-07"),
    ]
    assert "'D'" in ds.partial_dates[0].reason and "blank" in ds.partial_dates[1].reason


@pytest.mark.parametrize("text, reads_as", [("28", "1960-01-29"), ("-5", "1959-12-27")])
def test_small_sas_day_numbers_read_as_early_dates(
    tmp_path: Path, text: str, reads_as: str
) -> None:
    """A study day put in a date column reads as a SAS date in 1959-1960 (days since
    1960-01-01): kept, so the build reports it as a date before 1980 instead of refusing."""
    (tmp_path / "adsl.csv").write_text(f"USUBJID,TRTSDT\nA,{text}\n")
    ds = read_dataset(tmp_path / "adsl.csv")
    assert ds.bad_cells == []
    assert ds.frame["TRTSDT"][0] == pd.Timestamp(reads_as)


def test_sas_numbers_in_xpt_dates_and_datetimes(tmp_path: Path) -> None:
    """Days without a format, seconds with a DATETIME format, and a *DTM variable mapped."""
    day = sas_days(dt.date(2022, 5, 1))
    frame = pd.DataFrame(
        {
            "USUBJID": ["A", "B"],
            "PARAMCD": ["ANC", "ANC"],
            "ADT": [day, day + 1],  # plain numbers: days
            "ADY": [1.0, 2.0],
            "LBDTM": [day * 86400 + 3600, day * 86400 + 90000],  # seconds, no format
            "XDTM": [day * 86400, np.nan],  # extra variable with a DATETIME format
        }
    )
    pyreadstat.write_xport(
        frame, str(tmp_path / "adlb.xpt"), variable_format={"XDTM": "DATETIME20."}
    )
    mapping = Mapping(renames={"adlb": {"ADT": "ADTNUM", "LBDTM": "ADT"}})
    ds = read_dataset(tmp_path / "adlb.xpt", mapping)
    assert ds.frame["ADT"].tolist() == [pd.Timestamp("2022-05-01"), pd.Timestamp("2022-05-02")]
    assert ds.frame["ADTNUM"].tolist() == [day, day + 1]  # not a schema variable any more
    assert ds.frame["XDTM"].dtype == "datetime64[ns]"
    assert ds.frame["XDTM"][0] == pd.Timestamp("2022-05-01")
    assert ds.column_label("ADT") == "LBDTM (read as ADT)"


def test_datetime_formatted_xpt_column_becomes_a_date(tmp_path: Path) -> None:
    seconds = sas_days(dt.date(2022, 5, 1)) * 86400 + 13 * 3600
    frame = pd.DataFrame({"USUBJID": ["A"], "TRTSDT": [seconds], "RFICDT": [1000.0]})
    pyreadstat.write_xport(
        frame,
        str(tmp_path / "adsl.xpt"),
        variable_format={"TRTSDT": "DATETIME20.", "RFICDT": "DATETIME20."},
    )
    ds = read_dataset(tmp_path / "adsl.xpt")
    assert ds.frame["TRTSDT"].tolist() == [pd.Timestamp("2022-05-01")]
    # A DATETIME format means seconds: 1000 s is 1960-01-01 (as days it would be 1962-09-27);
    # kept, for the build to report as a date before 1980.
    assert ds.bad_cells == []
    assert ds.frame["RFICDT"].tolist() == [pd.Timestamp("1960-01-01")]


def test_out_of_range_sas_date_is_a_bad_cell_not_a_crash(tmp_path: Path) -> None:
    """pyreadstat's own date conversion aborts on 31DEC9999; the reader must not."""
    truth = adsl_truth()
    truth.loc[2, "LSTALVDT"] = dt.date(9999, 12, 31)
    write_xpt(truth, tmp_path / "adsl.xpt", formatted=ADSL_DATES)
    ds = read_dataset(tmp_path / "adsl.xpt")
    assert [(b.row, b.column, b.value) for b in ds.bad_cells] == [
        (3, "LSTALVDT", sas_days(dt.date(9999, 12, 31)))
    ]
    assert "9999-12-31" in ds.bad_cells[0].expected
    assert ds.frame["LSTALVDT"][0] == pd.Timestamp("2023-01-10")


def test_numeric_site_ids_become_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"USUBJID": ["A", "B"], "SITEID": [701.0, np.nan], "SUBJID": [1.0, 2.0]})
    pyreadstat.write_xport(frame, str(tmp_path / "adsl.xpt"))
    out = read_dataset(tmp_path / "adsl.xpt").frame
    assert out["SITEID"].tolist() == ["701", None]
    assert out["SUBJID"].tolist() == ["1", "2"]


def test_units_are_left_as_delivered(tmp_path: Path) -> None:
    (tmp_path / "adtte.csv").write_text("USUBJID,PARAMCD,AVAL,AVALU,CNSR\nA,OS,7.5,MONTHS,0\n")
    frame = read_dataset(tmp_path / "adtte.csv").frame
    assert frame["AVAL"].tolist() == [7.5] and frame["AVALU"].tolist() == ["MONTHS"]


def test_latin1_transport_file_is_read(tmp_path: Path) -> None:
    frame = pd.DataFrame({"USUBJID": ["A"], "AEDECOD": ["ENCEPHALOPATHIE"], "AETERM": ["é"]})
    pyreadstat.write_xport(frame, str(tmp_path / "x.xpt"))
    data = (tmp_path / "x.xpt").read_bytes()
    assert data.count("é".encode()) == 1
    (tmp_path / "adae.xpt").write_bytes(data.replace("é".encode(), b"\xe9 "))
    assert read_dataset(tmp_path / "adae.xpt").frame["AETERM"].tolist() == ["é"]


def test_semicolon_separated_csv(tmp_path: Path) -> None:
    (tmp_path / "adsl.csv").write_text("USUBJID;AGE\nA;34\n", encoding="cp1252")
    assert read_dataset(tmp_path / "adsl.csv").frame["AGE"].tolist() == [34.0]


def test_same_column_twice_in_different_case_is_refused(tmp_path: Path) -> None:
    (tmp_path / "adsl.csv").write_text("USUBJID,age,AGE\nA,1,2\n")
    with pytest.raises(AdamImportError, match="AGE"):
        read_dataset(tmp_path / "adsl.csv")


def test_unreadable_files_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "adsl.xpt").write_bytes(b"this is not a transport file" * 10)
    (tmp_path / "adae.parquet").write_bytes(b"nor is this parquet")
    (tmp_path / "adtte.csv").write_text("")
    with pytest.raises(AdamImportError) as info:
        read_folder(tmp_path)
    assert len(info.value.messages) == 3
    text = str(info.value)
    assert "adsl.xpt" in text and "adae.parquet" in text and "adtte.csv" in text
    assert isinstance(info.value, ValueError)


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AdamImportError, match="does not exist"):
        find_datasets(tmp_path / "nope")


def test_source_file_records_hash_and_rows(tmp_path: Path) -> None:
    import hashlib

    path = write_csv(adsl_truth(), tmp_path / "adsl.csv")
    ds = read_dataset(path)
    assert ds.file.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert ds.file.rows == 3 and ds.file.path == path and ds.file.dataset == "adsl"


@pytest.mark.skipif(not SAS7BDAT_WRITER, reason="no ReadStat SAS7BDAT writer")
def test_sas7bdat_with_formatted_and_plain_dates(tmp_path: Path) -> None:
    path = write_sas7bdat(adsl_truth(), tmp_path / "ADSL.sas7bdat", formatted=["TRTSDT"])
    meta = pyreadstat.read_sas7bdat(str(path), metadataonly=True)[1]
    assert meta.original_variable_types["TRTSDT"] == "DATE9"
    assert meta.original_variable_types["RFICDT"] is None
    ds = read_folder(tmp_path)["adsl"]
    assert ds.frame["TRTSDT"][0] == pd.Timestamp("2022-05-25")
    assert ds.frame["RFICDT"][0] == pd.Timestamp("2022-05-01")


# --------------------------------------------------------------------------- mapping


def test_mapping_from_json_renames_and_recodes(tmp_path: Path) -> None:
    spec = {
        "_comment": "sponsor X",
        "ADSL": {"rename": {"arm": "trt01a", "DIAGGRP": "DISTYPE"}},
        "adrs": {"paramcd": {"BESRSPI": "BOR"}},
    }
    (tmp_path / "map.json").write_text(json.dumps(spec))
    mapping = load_mapping(tmp_path / "map.json")
    assert mapping.renames == {"adsl": {"ARM": "TRT01A", "DIAGGRP": "DISTYPE"}}
    assert mapping.paramcd == {"adrs": {"BESRSPI": "BOR"}}
    data = tmp_path / "data"
    data.mkdir()
    (data / "adsl.csv").write_text("STUDYID,USUBJID,ARM,DIAGGRP\nS,A,Dose 1,T-ALL\n")
    (data / "adrs.csv").write_text("USUBJID,PARAMCD,AVALC\nA,BESRSPI,CR\nA,OVRLRESP,CR\n")
    notes: list[str] = []
    datasets = read_folder(data, mapping, progress=notes.append)
    adsl = datasets["adsl"]
    assert list(adsl.frame.columns) == ["STUDYID", "USUBJID", "TRT01A", "DISTYPE"]
    assert adsl.renamed == {"TRT01A": "ARM", "DISTYPE": "DIAGGRP"}
    assert datasets["adrs"].frame["PARAMCD"].tolist() == ["BOR", "OVRLRESP"]


def chemistry() -> pd.DataFrame:
    """Two chemistry rows, as in the CDISC pilot's adlbc.xpt (dates SAS-formatted)."""
    return pd.DataFrame(
        {
            "USUBJID": ["A", "B"],
            "PARAMCD": ["ALT", "AST"],
            "AVAL": [31.0, 24.0],
            "AVALU": ["U/L", "U/L"],
            "ADT": [dt.date(2022, 5, 1), dt.date(2022, 5, 2)],
        }
    )


def haematology() -> pd.DataFrame:
    """Three haematology rows: no AVALU, an extra variable, AVAL as text (one bad value)."""
    return pd.DataFrame(
        {
            "USUBJID": ["A", "B", "A"],
            "PARAMCD": ["PLAT", "HGB", "WBC"],
            "AVAL": ["250", "abc", "6.1"],
            "LBNRIND": ["N", "H", ""],
            "ADT": [dt.date(2022, 5, 3), None, dt.date(2022, 5, 4)],
        }
    )


def test_split_lab_files_are_read_as_one_adlb(tmp_path: Path) -> None:
    """adlbc/ADLBH (no plain adlb file): each read on its own, ADLB is their concatenation."""
    write_xpt(chemistry(), tmp_path / "adlbc.xpt", formatted=["ADT"])
    write_xpt(haematology(), tmp_path / "ADLBH.XPT")
    write_csv(adsl_truth(), tmp_path / "adsl.csv")
    messages: list[str] = []
    datasets = read_folder(tmp_path, progress=messages.append)
    assert list(datasets) == ["adsl", "adlb"]
    adlb = datasets["adlb"]
    frame = adlb.frame
    assert frame["PARAMCD"].tolist() == ["ALT", "AST", "PLAT", "HGB", "WBC"]
    assert list(frame.columns) == ["USUBJID", "PARAMCD", "AVAL", "AVALU", "ADT", "LBNRIND"]
    assert frame.index.equals(pd.RangeIndex(5))
    assert frame["AVAL"].dtype == np.float64 and frame["ADT"].dtype == "datetime64[ns]"
    assert frame["AVAL"].tolist()[:3] == [31.0, 24.0, 250.0] and np.isnan(frame["AVAL"][3])
    assert frame["ADT"].tolist()[:3] == [pd.Timestamp(f"2022-05-0{d}") for d in (1, 2, 3)]
    assert pd.isna(frame["ADT"][3])
    assert frame["AVALU"].tolist() == ["U/L", "U/L", None, None, None]  # None, not NaN
    assert frame["LBNRIND"].tolist() == [None, None, "N", "H", None]
    # Each part as read on its own: its frame, its bad cells with the row in its file.
    assert [p.file.path.name for p in adlb.parts] == ["adlbc.xpt", "ADLBH.XPT"]
    assert [len(p.frame) for p in adlb.parts] == [2, 3]
    assert adlb.parts[0].bad_cells == []
    assert [(c.row, c.column, c.value) for c in adlb.parts[1].bad_cells] == [(2, "AVAL", "abc")]
    assert [(c.row, c.column, c.value) for c in adlb.bad_cells] == [(4, "AVAL", "abc")]
    # Provenance: every file, with its own hash and row count; ``file`` is the first part's.
    assert [(f.dataset, f.path.name, f.rows) for f in adlb.files] == [
        ("adlb", "adlbc.xpt", 2),
        ("adlb", "ADLBH.XPT", 3),
    ]
    assert adlb.files[1].sha256 == hashlib.sha256((tmp_path / "ADLBH.XPT").read_bytes()).hexdigest()
    assert adlb.file == adlb.files[0]
    assert datasets["adsl"].files == [datasets["adsl"].file] and datasets["adsl"].parts == []
    assert "Reading adlbc.xpt as ADLB (part 1 of 2; data set 2 of 2)" in messages
    assert "Reading ADLBH.XPT as ADLB (part 2 of 2; data set 2 of 2)" in messages
    assert not any(m.startswith("Ignoring") for m in messages)
    assert {k: [p.name for p in v] for k, v in find_dataset_files(tmp_path).items()} == {
        "adsl": ["adsl.csv"],
        "adlb": ["adlbc.xpt", "ADLBH.XPT"],
    }
    assert find_datasets(tmp_path)["adlb"].name == "adlbc.xpt"


def test_split_lab_files_in_other_formats_and_a_third_part(tmp_path: Path) -> None:
    write_csv(haematology(), tmp_path / "adlbh.csv")
    write_parquet(chemistry(), tmp_path / "AdLbC.parquet")
    (tmp_path / "adlbhy.csv").write_text("USUBJID,PARAMCD,AVAL\n\nB,ALTULN,3\n")
    (tmp_path / "adlb_notes.csv").write_text("x\n1\n")  # not adlb + letters/digits
    messages: list[str] = []
    adlb = read_folder(tmp_path, progress=messages.append)["adlb"]
    assert [p.file.path.name for p in adlb.parts] == ["AdLbC.parquet", "adlbh.csv", "adlbhy.csv"]
    assert len(adlb.frame) == 6 and adlb.frame["PARAMCD"].tolist()[-1] == "ALTULN"
    # the blank line of adlbhy.csv: its only row is row 2 of that file, row 6 of ADLB
    assert adlb.parts[2].frame.index.tolist() == [1]
    assert [(c.row, c.value) for c in adlb.parts[1].bad_cells] == [(2, "abc")]
    assert any(m.startswith("Ignoring adlb_notes.csv") for m in messages)


def test_plain_adlb_file_wins_over_split_lab_files(tmp_path: Path) -> None:
    (tmp_path / "adlb.csv").write_text("USUBJID,PARAMCD,AVAL\nA,CD7LYMPH,0.02\n")
    write_xpt(chemistry(), tmp_path / "adlbc.xpt")
    messages: list[str] = []
    adlb = read_folder(tmp_path, progress=messages.append)["adlb"]
    assert adlb.file.path.name == "adlb.csv" and adlb.parts == []
    assert adlb.frame["PARAMCD"].tolist() == ["CD7LYMPH"]
    assert [f.path.name for f in adlb.files] == ["adlb.csv"]
    ignored = [m for m in messages if m.startswith("Ignoring adlbc.xpt")]
    assert len(ignored) == 1 and "read from adlb.csv" in ignored[0]
    assert {k: p.name for k, p in find_datasets(tmp_path).items()} == {"adlb": "adlb.csv"}


def test_mapping_file_entry_wins_over_plain_and_split_lab_files(tmp_path: Path) -> None:
    """The CDISC pilot ships adlbc.xpt/adlbh.xpt; a mapping "file" entry picks just one."""
    lab = pd.DataFrame({"USUBJID": ["A"], "PARAMCD": ["PLAT"], "AVAL": [250.0]})
    pyreadstat.write_xport(lab, str(tmp_path / "adlbh.xpt"))
    write_xpt(chemistry(), tmp_path / "adlbc.xpt")
    (tmp_path / "adlb.csv").write_text("USUBJID,PARAMCD,AVAL\nA,CD7LYMPH,0.02\n")
    (tmp_path / "map.json").write_text(json.dumps({"adlb": {"file": "ADLBH.xpt"}}))
    messages: list[str] = []
    datasets = read_folder(tmp_path, load_mapping(tmp_path / "map.json"), messages.append)
    assert list(datasets) == ["adlb"]
    assert datasets["adlb"].file.path.name == "adlbh.xpt" and datasets["adlb"].parts == []
    assert datasets["adlb"].frame["AVAL"].tolist() == [250.0]
    for name in ("adlb.csv", "adlbc.xpt"):
        assert f"Ignoring {name}: the mapping reads ADLB from adlbh.xpt." in messages


def test_two_files_for_one_lab_part_is_a_clear_error(tmp_path: Path) -> None:
    write_xpt(chemistry(), tmp_path / "adlbc.xpt")
    write_csv(chemistry(), tmp_path / "ADLBC.csv")
    write_xpt(haematology(), tmp_path / "adlbh.xpt")
    with pytest.raises(AdamImportError, match="adlbc") as info:
        read_folder(tmp_path)
    assert "ADLBC.csv" in str(info.value) and "adlbc.xpt" in str(info.value)
    assert "adlbh" not in str(info.value)


def test_unreadable_lab_part_is_reported(tmp_path: Path) -> None:
    write_xpt(chemistry(), tmp_path / "adlbc.xpt")
    (tmp_path / "adlbh.xpt").write_bytes(b"not a transport file" * 10)
    with pytest.raises(AdamImportError) as info:
        read_folder(tmp_path)
    assert len(info.value.messages) == 1 and "adlbh.xpt" in str(info.value)


def test_mapping_notes_for_split_lab_files_consider_all_parts(tmp_path: Path) -> None:
    """A rename or recode that matches in any part is no warning; one that matches nowhere
    is one warning naming the files."""
    write_xpt(chemistry(), tmp_path / "adlbc.xpt")
    write_xpt(haematology(), tmp_path / "adlbh.xpt")
    mapping = Mapping(
        renames={"adlb": {"LBNRIND": "NRIND", "LBSTRESN": "AVAL2"}},
        paramcd={"adlb": {"PLAT": "PLT", "ALT": "ALAT", "XYZ": "X"}},
    )
    messages: list[str] = []
    adlb = read_folder(tmp_path, mapping, messages.append)["adlb"]
    assert adlb.frame["PARAMCD"].tolist() == ["ALAT", "AST", "PLT", "HGB", "WBC"]
    assert adlb.renamed == {"NRIND": "LBNRIND"}
    assert adlb.notes == [
        "adlbc.xpt, adlbh.xpt: the mapping renames LBSTRESN to AVAL2, "
        "but none of the files has LBSTRESN.",
        "adlbc.xpt, adlbh.xpt: the mapping recodes PARAMCD XYZ, but no row has it.",
    ]
    assert [m for m in messages if "mapping" in m] == adlb.notes


@pytest.mark.parametrize(
    "spec, words",
    [
        ({"adxx": {"rename": {"A": "B"}}}, "adxx"),
        ({"adsl": {"renames": {"A": "B"}}}, "renames"),
        ({"adsl": {"rename": ["A", "B"]}}, "rename"),
        ({"adsl": {"rename": {"A": "TRT01A", "B": "TRT01A"}}}, "TRT01A"),
        ({"adlb": {"file": "missing.xpt"}}, "missing.xpt"),
    ],
)
def test_bad_mappings_are_refused(tmp_path: Path, spec: dict, words: str) -> None:
    (tmp_path / "map.json").write_text(json.dumps(spec))
    with pytest.raises(AdamImportError, match=words):
        read_folder(tmp_path, load_mapping(tmp_path / "map.json"))


def test_rename_onto_an_existing_variable_is_refused(tmp_path: Path) -> None:
    (tmp_path / "adsl.csv").write_text("USUBJID,ARM,TRT01A\nA,x,y\n")
    with pytest.raises(AdamImportError, match="TRT01A"):
        read_dataset(tmp_path / "adsl.csv", Mapping(renames={"adsl": {"ARM": "TRT01A"}}))


def test_dataset_names_match_the_schema() -> None:
    assert set(DATASET_NAMES) == {"adsl", "adae", "adrs", "adtte", "adpc", "adlb"}
    assert all(name in TABLES for name in DATASET_NAMES)


# --------------------------------------------------------------------------- property


@settings(max_examples=25, deadline=None)
@given(
    day=st.dates(min_value=dt.date(1980, 1, 1), max_value=dt.date(2100, 12, 31)),
    seconds=st.integers(min_value=0, max_value=86399),
)
def test_every_date_representation_reads_the_same(
    tmp_path_factory: pytest.TempPathFactory, day: dt.date, seconds: int
) -> None:
    folder = tmp_path_factory.mktemp("dates")
    days = int(sas_days(day))
    iso_time = f"{day.isoformat()}T{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    (folder / "adsl.csv").write_text(
        "USUBJID,RFICDT,LDSTDT,TRTSDT,DTHDT,LSTALVDT\n"
        f"A,{day.isoformat()},{date9(day)},{days},{days * 86400 + seconds},{iso_time}\n"
    )
    ds = read_dataset(folder / "adsl.csv")
    assert ds.bad_cells == []
    row = ds.frame.iloc[0]
    expected = pd.Timestamp(day)
    assert (row[list(ADSL_DATES[:5])] == expected).all()
