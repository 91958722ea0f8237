"""Reading the bytes of one file, per format, into a raw frame (see the package docstring)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyreadstat

from trialdash.adam_io.model import AdamImportError
from trialdash.adam_io.values import _sas_unit
from trialdash.adam_io.xport import read_members, single_member


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_sas(path: Path, dataset: str | None = None) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """Raw numbers and strings of an xpt/sas7bdat file plus the unit implied by each format.

    A transport file is first checked record by record (:mod:`.xport`): an incomplete file
    is refused, and of a file with several members the one named like ``dataset`` (or the
    file's stem) is read; without such a member the file is refused, naming its members.
    A SAS7BDAT file that yields fewer rows than its header declares is refused as cut off.
    """
    is_xpt = path.suffix.lower() == ".xpt"
    kind = "SAS transport (XPT)" if is_xpt else "SAS7BDAT"
    if not is_xpt:
        return _read_with_pyreadstat(path, pyreadstat.read_sas7bdat, kind)
    data = path.read_bytes()
    members = read_members(data, path.name)
    if len(members) == 1:
        return _read_with_pyreadstat(path, pyreadstat.read_xport, kind)
    wanted = {(dataset or "").upper(), path.stem.upper()}
    chosen = [m for m in members if m.name.upper() in wanted]
    if not chosen:
        names = ", ".join(m.name for m in members)
        raise AdamImportError(
            f"{path.name} holds {len(members)} data sets ({names}) and none is named "
            f"{(dataset or path.stem).upper()}; save each data set in its own file, or name "
            "the file after the member to read."
        )
    with tempfile.TemporaryDirectory() as tmp:
        single = Path(tmp) / path.name
        single.write_bytes(single_member(data, chosen[0]))
        return _read_with_pyreadstat(single, pyreadstat.read_xport, kind, path.name)


def _read_with_pyreadstat(
    path: Path, reader: Callable, kind: str, shown: str | None = None
) -> tuple[pd.DataFrame, dict[str, str | None]]:
    shown = shown or path.name
    last: Exception | None = None
    for encoding in (None, "WINDOWS-1252", "LATIN1"):
        try:
            df, meta = reader(str(path), disable_datetime_conversion=True, encoding=encoding)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        except Exception as exc:  # pyreadstat raises several types for corrupt files
            if "encod" in str(exc).lower() or "convert string" in str(exc).lower():
                last = exc
                continue
            raise AdamImportError(f"{shown} cannot be read as a {kind} file: {exc}") from exc
        declared = getattr(meta, "number_rows", None)
        if kind == "SAS7BDAT" and isinstance(declared, int) and declared > len(df):
            raise AdamImportError(
                f"{shown} is incomplete: its header declares {declared} rows but only "
                f"{len(df)} could be read (an interrupted copy?). Copy the file again."
            )
        units = {col: _sas_unit(fmt) for col, fmt in (meta.original_variable_types or {}).items()}
        return df, units
    raise AdamImportError(f"{shown}: the text in the file is in an unknown encoding ({last}).")


#: Magic numbers of files that are not text: a .csv that is really one of these is refused.
_NOT_TEXT = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"PAR1", "a Parquet file"),
    (b"HEADER RECORD*******", "a SAS transport (XPT) file"),
)
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")


def _read_csv(path: Path) -> pd.DataFrame:
    """Every cell as text; the header row becomes the column names (duplicates kept).

    Refused with :class:`AdamImportError`: a file that is not text (a spreadsheet, binary
    data), a file whose first line holds no variable name (a text document), and rows
    with fewer fields than the header (a file cut off, or a broken export).
    """
    data = path.read_bytes()
    for magic, what in _NOT_TEXT:
        if data.startswith(magic):
            raise AdamImportError(
                f"{path.name} is not CSV text: it is {what}. Save or export it as CSV."
            )
    if b"\x00" in data:
        raise AdamImportError(f"{path.name} is not CSV text: it holds binary data.")
    text = None
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):  # latin-1 decodes any byte
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    assert text is not None
    first = text.split("\n", 1)[0]
    sep = ","
    if "," not in first:
        sep = ";" if ";" in first else ("\t" if "\t" in first else ",")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True))
    except csv.Error as exc:  # e.g. a quote opened and never closed: the file is cut off
        raise AdamImportError(f"{path.name} cannot be read as CSV: {exc}.") from exc
    if not records or not any(field.strip() for field in records[0]):
        raise AdamImportError(f"{path.name} is empty (no header line).")
    header = records[0]
    if not any(_VARIABLE_NAME.match(name.strip()) for name in header):
        raise AdamImportError(
            f"{path.name} does not look like a CSV data set: its first line "
            f"({first.strip()[:60]!r}) holds no variable names."
        )
    width = len(header)
    rows = [record or [""] * width for record in records[1:]]  # a blank line keeps its row
    for number, record in enumerate(rows, start=1):
        if len(record) == width:
            continue
        if len(record) > width:
            problem = "more values than the header has columns"
            reason = "a separator inside an unquoted value, or a broken export"
        else:
            problem = "fewer values than the header has columns"
            cut = number == len(rows) and not text.endswith(("\n", "\r"))
            reason = "the file is cut off (an interrupted copy?)" if cut else "a broken export"
        raise AdamImportError(f"{path.name}, row {number}: {problem}; {reason}.")
    return pd.DataFrame(rows, columns=header, dtype=object)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises its own error types
        raise AdamImportError(f"{path.name} cannot be read as Parquet: {exc}") from exc
    df = df.reset_index(drop=True)
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            df[col] = s.dt.tz_localize(None)
        elif isinstance(s.dtype, pd.ArrowDtype | pd.StringDtype | pd.CategoricalDtype) or not (
            pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_datetime64_dtype(s.dtype)
        ):
            df[col] = s.astype(object).where(s.notna(), None)
    return df
