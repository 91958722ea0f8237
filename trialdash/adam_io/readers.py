"""Reading the bytes of one file, per format, into a raw frame (see the package docstring)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyreadstat

from trialdash.adam_io.model import AdamImportError
from trialdash.adam_io.values import _sas_unit


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_sas(path: Path) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """Raw numbers and strings of an xpt/sas7bdat file plus the unit implied by each format."""
    reader = pyreadstat.read_xport if path.suffix.lower() == ".xpt" else pyreadstat.read_sas7bdat
    kind = "SAS transport (XPT)" if path.suffix.lower() == ".xpt" else "SAS7BDAT"
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
            raise AdamImportError(f"{path.name} cannot be read as a {kind} file: {exc}") from exc
        units = {col: _sas_unit(fmt) for col, fmt in (meta.original_variable_types or {}).items()}
        return df, units
    raise AdamImportError(f"{path.name}: the text in the file is in an unknown encoding ({last}).")


def _read_csv(path: Path) -> pd.DataFrame:
    """Every cell as text; the header row becomes the column names (duplicates kept)."""
    last: Exception | None = None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with open(path, encoding=encoding, newline="") as fh:
                first = fh.readline()
            sep = ","
            if "," not in first:
                sep = ";" if ";" in first else ("\t" if "\t" in first else ",")
            raw = pd.read_csv(
                path,
                header=None,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                sep=sep,
                encoding=encoding,
            )
        except UnicodeDecodeError as exc:
            last = exc
            continue
        except pd.errors.EmptyDataError as exc:
            raise AdamImportError(f"{path.name} is empty.") from exc
        except (pd.errors.ParserError, ValueError, OSError) as exc:
            raise AdamImportError(f"{path.name} cannot be read as CSV: {exc}") from exc
        header = ["" if pd.isna(v) else str(v) for v in raw.iloc[0]]
        data = raw.iloc[1:].reset_index(drop=True)
        data.columns = range(len(header))
        data = data.set_axis(header, axis=1)
        return data
    raise AdamImportError(f"{path.name}: the text in the file is in an unknown encoding ({last}).")


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
