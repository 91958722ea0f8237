"""Small ADaM data sets for the import and validation tests, written as real files.

Nothing binary is committed: every test writes its files into ``tmp_path``.

* The "truth" frames (``adsl_truth`` ...) hold Python values: text, floats, and dates as
  ``datetime.date`` (``None`` when blank).
* ``write_csv``, ``write_xpt``, ``write_parquet`` and ``write_sas7bdat`` write such a frame
  the way the format carries it (SAS day numbers with or without a ``DATE9.`` format,
  ISO or DATE9 text, ...).
* ``valid_tables`` is a complete, valid study (all six data sets) as text frames; the
  validation tests break one cell and write it with ``write_folder``.

``write_sas7bdat`` drives ReadStat's own SAS7BDAT writer, which is compiled into
pyreadstat's extension module but not exposed in Python, through ``ctypes``; tests using
it are skipped when the symbols are not available (``SAS7BDAT_WRITER`` is False).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

SAS_EPOCH = dt.date(1960, 1, 1)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

ADSL_DATES = ("RFICDT", "LDSTDT", "TRTSDT", "DTHDT", "LSTALVDT", "DCUTDT")
ADAE_DATES = ("ASTDT", "AENDT")
ADTTE_DATES = ("STARTDT", "ADT")

D = dt.date


def sas_days(d: dt.date) -> float:
    """Days since 1960-01-01, as SAS stores a date."""
    return float((d - SAS_EPOCH).days)


def date9(d: dt.date) -> str:
    """SAS DATE9 text, e.g. 01MAY2022."""
    return f"{d.day:02d}{MONTHS[d.month - 1]}{d.year}"


def adsl_truth() -> pd.DataFrame:
    """Three subjects: two infused (one died) and a screen failure (no dose, no dates)."""
    rows = [
        ("CD7-01", "CD7-01-001", "001", "01", 34.0, "M", "T-ALL", "0.5 x10^6 cells/kg", 0.5,
         D(2022, 5, 1), D(2022, 5, 20), D(2022, 5, 25), "Y", "N", None, D(2023, 1, 10),
         D(2023, 2, 1), "Y"),
        ("CD7-01", "CD7-01-002", "002", "01", 61.0, "F", "T-LBL", "1.0 x10^6 cells/kg", 1.0,
         D(2022, 6, 1), D(2022, 6, 18), D(2022, 6, 23), "Y", "Y", D(2022, 11, 2),
         D(2022, 11, 2), D(2023, 2, 1), "Y"),
        ("CD7-01", "CD7-01-003", "003", "02", 45.0, "M", "PTCL-NOS", None, np.nan,
         D(2022, 7, 1), None, None, "N", "N", None, D(2022, 7, 5), D(2023, 2, 1), "N"),
    ]  # fmt: skip
    cols = ["STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "SEX", "DISTYPE", "TRT01A",
            "TRT01AN", *ADSL_DATES[:3], "SAFFL", "DTHFL", *ADSL_DATES[3:], "ITTFL"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def adae_truth() -> pd.DataFrame:
    """Adverse events with a CTCAE grade; the end date of the last one is blank (ongoing)."""
    rows = [
        ("CD7-01", "CD7-01-001", 1.0, "CYTOKINE RELEASE SYNDROME", 2.0, "N", "Y",
         D(2022, 5, 26), D(2022, 5, 30), "Y"),
        ("CD7-01", "CD7-01-001", 2.0, "NEUTROPENIA", 4.0, "N", "Y", D(2022, 5, 27),
         D(2022, 6, 20), "N"),
        ("CD7-01", "CD7-01-002", 1.0, "PYREXIA", 1.0, "N", "Y", D(2022, 6, 24), None, "N"),
    ]  # fmt: skip
    cols = ["STUDYID", "USUBJID", "AESEQ", "AEDECOD", "AETOXGR", "AESER", "TRTEMFL",
            *ADAE_DATES, "TOCIFL"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def adtte_truth() -> pd.DataFrame:
    """OS and PFS for the two infused subjects; CNSR 0 = event, 1 = censored."""
    start1, start2 = D(2022, 5, 25), D(2022, 6, 23)
    rows = [
        ("CD7-01", "CD7-01-001", "OS", "Overall survival", 230.0, 1.0, start1, D(2023, 1, 10)),
        ("CD7-01", "CD7-01-001", "PFS", "Progression-free survival", 230.0, 1.0, start1,
         D(2023, 1, 10)),
        ("CD7-01", "CD7-01-002", "OS", "Overall survival", 132.0, 0.0, start2, D(2022, 11, 2)),
        ("CD7-01", "CD7-01-002", "PFS", "Progression-free survival", 98.0, 0.0, start2,
         D(2022, 9, 29)),
    ]  # fmt: skip
    cols = ["STUDYID", "USUBJID", "PARAMCD", "PARAM", "AVAL", "CNSR", *ADTTE_DATES]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- writers


def _text(value: object, date_style: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, dt.date):
        if date_style == "iso":
            return value.isoformat()
        if date_style == "date9":
            return date9(value)
        if date_style == "sasnum":
            return str(int(sas_days(value)))
        raise ValueError(date_style)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def as_text(frame: pd.DataFrame, date_style: str = "iso") -> pd.DataFrame:
    """Every cell as the text a CSV export would hold ('' for blank)."""
    return frame.map(lambda v: _text(v, date_style)).astype(object)


def write_csv(frame: pd.DataFrame, path: Path, date_style: str | dict[str, str] = "iso") -> Path:
    """Write ``frame`` as CSV text; ``date_style`` is iso, date9 or sasnum (or per column)."""
    out = frame.copy().astype(object)
    for col in out.columns:
        style = date_style.get(col, "iso") if isinstance(date_style, dict) else date_style
        out[col] = out[col].map(lambda v, s=style: _text(v, s))
    out.to_csv(path, index=False)
    return path


def _date_cols(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if any(isinstance(v, dt.date) for v in frame[c])]


def write_xpt(
    frame: pd.DataFrame, path: Path, formatted: Iterable[str] = (), table_name: str = "DATASET"
) -> Path:
    """SAS transport v5: dates as SAS day numbers, with a DATE9. format for ``formatted``."""
    out = frame.copy()
    for col in _date_cols(frame):
        out[col] = [np.nan if v is None else sas_days(v) for v in frame[col]]
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: "" if v is None else v)
    formats = {c: "DATE9." for c in formatted}
    pyreadstat.write_xport(
        out, str(path), file_format_version=5, table_name=table_name, variable_format=formats
    )
    return path


def write_parquet(frame: pd.DataFrame, path: Path, timestamps: Iterable[str] = ()) -> Path:
    """Parquet: dates as ``date32`` (``datetime.date``), or as timestamps for ``timestamps``."""
    out = frame.copy()
    for col in timestamps:
        out[col] = pd.to_datetime(out[col])
    out.to_parquet(path, index=False)
    return path


# --------------------------------------------------------------------------- sas7bdat


def _readstat() -> ctypes.CDLL | None:
    try:
        import pyreadstat._readstat_writer as module

        lib = ctypes.CDLL(module.__file__)
        lib.readstat_begin_writing_sas7bdat  # noqa: B018  (raises AttributeError if absent)
    except (ImportError, OSError, AttributeError):
        return None
    vp, cp = ctypes.c_void_p, ctypes.c_char_p
    lib.readstat_writer_init.restype = vp
    lib.readstat_set_data_writer.argtypes = [vp, _DATA_WRITER]
    lib.readstat_add_variable.restype = vp
    lib.readstat_add_variable.argtypes = [vp, cp, ctypes.c_int, ctypes.c_size_t]
    lib.readstat_variable_set_format.argtypes = [vp, cp]
    lib.readstat_begin_writing_sas7bdat.argtypes = [vp, vp, ctypes.c_long]
    lib.readstat_begin_row.argtypes = [vp]
    lib.readstat_insert_double_value.argtypes = [vp, vp, ctypes.c_double]
    lib.readstat_insert_string_value.argtypes = [vp, vp, cp]
    lib.readstat_insert_missing_value.argtypes = [vp, vp]
    lib.readstat_end_row.argtypes = [vp]
    lib.readstat_end_writing.argtypes = [vp]
    lib.readstat_writer_free.argtypes = [vp]
    return lib


_DATA_WRITER = ctypes.CFUNCTYPE(ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
_LIB = _readstat()
SAS7BDAT_WRITER = _LIB is not None
_STRING, _DOUBLE = 0, 5  # readstat_type_t


def write_sas7bdat(frame: pd.DataFrame, path: Path, formatted: Iterable[str] = ()) -> Path:
    """SAS7BDAT via ReadStat: text columns as character, the rest as doubles (dates as days)."""
    assert _LIB is not None, "ReadStat's SAS7BDAT writer is not available"
    lib = _LIB
    formatted = set(formatted)
    dates = set(_date_cols(frame))
    buffer = bytearray()

    @_DATA_WRITER
    def sink(data: int, size: int, _ctx: int) -> int:
        buffer.extend(ctypes.string_at(data, size))
        return size

    def check(rc: int) -> None:
        assert rc == 0, f"ReadStat error {rc}"

    writer = lib.readstat_writer_init()
    try:
        check(lib.readstat_set_data_writer(writer, sink))
        variables = []
        for col in frame.columns:
            is_text = col not in dates and frame[col].dtype == object
            width = max([1, *(len(str(v).encode()) for v in frame[col] if v is not None)])
            var = lib.readstat_add_variable(
                writer, col.encode(), _STRING if is_text else _DOUBLE, width if is_text else 8
            )
            if col in formatted:
                lib.readstat_variable_set_format(var, b"DATE9")
            variables.append((col, var, is_text))
        check(lib.readstat_begin_writing_sas7bdat(writer, None, len(frame)))
        for _, row in frame.iterrows():
            check(lib.readstat_begin_row(writer))
            for col, var, is_text in variables:
                v = row[col]
                if is_text:
                    check(
                        lib.readstat_insert_string_value(
                            writer, var, ("" if v is None else str(v)).encode()
                        )
                    )
                elif v is None or (isinstance(v, float) and math.isnan(v)):
                    check(lib.readstat_insert_missing_value(writer, var))
                else:
                    number = sas_days(v) if isinstance(v, dt.date) else float(v)
                    check(lib.readstat_insert_double_value(writer, var, number))
            check(lib.readstat_end_row(writer))
        check(lib.readstat_end_writing(writer))
    finally:
        lib.readstat_writer_free(writer)
    path.write_bytes(bytes(buffer))
    return path


# --------------------------------------------------------------------------- a valid study


def valid_tables() -> dict[str, pd.DataFrame]:
    """A small, fully valid study as text frames (every data set, every checked variable)."""
    adsl = as_text(adsl_truth())
    adsl.insert(len(adsl.columns), "PDDT", ["", "2022-09-29", ""])
    adsl.insert(len(adsl.columns), "HSCTDT", ["2022-09-01", "", ""])
    adsl.insert(len(adsl.columns), "EFFFL", ["Y", "Y", ""])
    adae = as_text(adae_truth())
    adae.insert(len(adae.columns), "AESEV", ["MODERATE", "SEVERE", "mild"])
    adae.insert(len(adae.columns), "ASTCTGR", ["2", "", ""])
    adtte = as_text(adtte_truth())
    adrs = pd.DataFrame(
        {
            "USUBJID": ["CD7-01-001", "CD7-01-001", "CD7-01-002", "CD7-01-002"],
            "PARAMCD": ["OVR", "BOR", "OVR", "BOR"],
            "AVALC": ["CR", "CR", "PR", "PR"],
            "ADT": ["2022-06-22", "2022-06-22", "2022-07-21", "2022-07-21"],
        }
    )
    adpc = pd.DataFrame(
        {
            "USUBJID": ["CD7-01-001", "CD7-01-001", "CD7-01-002"],
            "PARAMCD": ["TRANSGEN", "TRANSGEN", "CARPCT"],
            "AVAL": ["15000", "0", "12.5"],
            "AVALU": ["copies/ug", "copies/ug", "%"],
            "NFRLT": ["7", "28", "7"],
            "BLQFL": ["N", "Y", "N"],
        }
    )
    adlb = pd.DataFrame(
        {
            "USUBJID": ["CD7-01-001", "CD7-01-002"],
            "PARAMCD": ["CD7LYMPH", "ANC"],
            "AVAL": ["0.02", "1.4"],
            "ADT": ["2022-06-22", "2022-07-21"],
        }
    )
    return {"adsl": adsl, "adae": adae, "adrs": adrs, "adtte": adtte, "adpc": adpc, "adlb": adlb}


def write_folder(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write text frames as ``<name>.csv`` files in ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder
