"""Read CDISC ADaM data sets from a folder into normalised pandas frames.

The snapshot build imports sponsor data delivered as ADaM data sets (see
:mod:`trialdash.schema`). This module only *reads*: it finds the files, reads them,
normalises names and values, and types the columns the schema knows. It never rejects
values; anything it cannot convert is recorded in :attr:`RawDataset.bad_cells` for
:mod:`trialdash.validate` to report, together with every other problem, in one go.

Files
-----
A folder holds at most one file per data set, named after the data set in any case with
one of the :data:`SUPPORTED` suffixes: ``adsl.xpt``, ``ADSL.XPT``, ``Adae.sas7bdat``,
``adtte.csv``, ``adlb.parquet`` ... Other files are ignored (reported through the
``progress`` callback of :func:`read_folder`).

Laboratory data is often split by category, as in the CDISC pilot's ``adlbc.xpt``
(chemistry), ``adlbh.xpt`` (haematology) and ``adlbhy.xpt`` (Hy's law). When the folder has
no plain ``adlb.*`` file and the mapping names no ``"file"`` for ADLB, every file whose
stem is ``adlb`` followed by letters or digits (:data:`ADLB_PART`, any case) with a
supported suffix is read as a *part* of ADLB: each part is read and normalised on its own
(its own bad cells, with the rows of that file), and ADLB is their concatenation in file
name order (see :attr:`RawDataset.parts`). Rows repeated across parts are kept. A plain
``adlb.*`` file takes precedence over the parts, and a mapping ``"file"`` entry
(``{"adlb": {"file": "adlbh.xpt"}}``) over both; the files not read are reported as ignored.

Normalisation (every format)
----------------------------
* Column names are stripped and upper-cased (``aval`` and ``AVAL`` are the same variable;
  a file holding both is refused). CSV columns with an empty header *and* no values (the
  trailing comma of spreadsheet exports) are dropped; an empty header with values is kept
  as ``COLUMN_<n>``.
* Strings are stripped; blank or whitespace-only strings become missing (``None``).
* Columns the schema knows (non-derived columns of the data set's table) are typed:

  - ``VARCHAR`` -> ``object`` holding ``str`` or ``None``. Numbers become text without a
    spurious ``.0`` (a numeric SITEID 701 becomes ``"701"``).
  - ``DOUBLE`` -> ``float64``; numeric strings are parsed.
  - ``INTEGER`` -> pandas ``Int64``; numeric strings are parsed and transport-file
    floating-point noise is removed: a value within 1e-6 of an integer (``5e-79``,
    ``0.9999999999``, ``3.0``) becomes that integer. Other fractions are bad cells.
  - ``DATE`` -> ``datetime64[ns]`` at midnight (any time of day is dropped). Accepted:
    datetimes/dates/timestamps; ISO ``2022-05-01`` and ISO date-times
    ``2022-05-01T10:00`` (also with a space, seconds, fractions or a zone); ISO basic
    ``20220501``; SAS ``DATE9`` ``01MAY2022`` and ``DATETIME`` ``01MAY2022:10:00:00``
    (any case); SAS numbers, i.e. days since 1960-01-01, or seconds since 1960-01-01
    00:00 when the SAS format is a datetime format, the source variable is a ``*DTM``
    variable, or the magnitude exceeds 1e7 (1e7 days is beyond year 29000, so such a
    value can only be seconds). Exception: a number without a SAS format that reads as
    a valid ``YYYYMMDD`` between 1900 and 2100 is taken as ``YYYYMMDD`` (as seconds it
    would fall in 1960). The schema's dates are trial-conduct dates (consent, infusion,
    events, cut-off), so they must lie between 1980-01-01 and 2100-12-31; anything else
    is a bad cell. This catches misreads such as a study day put in a date column or a
    year-only partial date ``2022``, which as SAS day numbers read as 1960-1987.
  - In ``DOUBLE``/``INTEGER``/``DATE`` columns the missing-value markers ``.``,
    ``.A``-``.Z``, ``._`` (SAS), ``NA``, ``NaN``, ``NULL`` and ``N/A`` (any case) are
    read as missing. In text columns they are kept as text.

* Columns the schema does not know are kept as they come (after the string clean-up);
  from CSV they stay text, from SAS files numbers stay numbers and variables with a SAS
  date or datetime format become ``datetime64[ns]`` (left as numbers if any value is
  outside the pandas range).
* Units (``AVALU``, ``RRLTU``) are left as delivered: the build converts them. No row is
  filtered: ADSL subjects without treatment (screen failures) are kept.
* ``frame.index`` is the 0-based position of the row among the file's data rows, so the
  1-based row number a data manager needs is ``index + 1``. Only CSV rows that are
  entirely blank are dropped, which leaves gaps in the index. (A data set read from several
  files has a fresh ``0..n-1`` index; the row numbers in the files are those of its parts.)

Per format
----------
* ``.xpt`` (SAS transport v5/v8) via ``pyreadstat.read_xport`` and ``.sas7bdat`` via
  ``pyreadstat.read_sas7bdat``, both with ``disable_datetime_conversion=True``: pyreadstat's
  own conversion aborts the whole file on one out-of-range date (a ``31DEC9999`` sentinel
  raises ``OutOfBoundsDatetime``), so the raw numbers are read together with each
  variable's SAS format and converted here, per cell, with the formats deciding days
  versus seconds. Only the first member of a multi-member transport file is read. When
  the file's text is not UTF-8 it is re-read as Windows-1252, then Latin-1.
* ``.csv`` via ``pandas.read_csv`` with ``dtype=str, keep_default_na=False``: every cell is
  read as text (so ``NA`` or ``0012`` survive) and typed afterwards. Encoding UTF-8 (with
  or without BOM), falling back to Windows-1252; the separator is a comma, unless the
  header line has no comma and has a semicolon or tab.
* ``.parquet`` via ``pandas.read_parquet`` (pyarrow).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyreadstat

from trialdash.schema import DATE, INT, NUM, TABLES, TEXT, Table

DATASET_NAMES = ("adsl", "adae", "adrs", "adtte", "adpc", "adlb")
SUPPORTED = (".xpt", ".sas7bdat", ".csv", ".parquet")
#: File stems (lower-cased) read together as parts of ADLB when there is no plain adlb file.
ADLB_PART = re.compile(r"adlb[a-z0-9]+")

#: ``expected`` texts used in :attr:`RawDataset.bad_cells`; the validator may replace the
#: generic ones with column-specific wording (e.g. "a CTCAE grade 1-5").
EXPECT_NUMBER = "a number"
EXPECT_INTEGER = "a whole number"
EXPECT_DATE = (
    "a date: YYYY-MM-DD, an ISO date-time such as 2022-05-01T10:00, DDMONYYYY such as "
    "01MAY2022, or a SAS date number (days since 01JAN1960)"
)

MIN_DATE = pd.Timestamp("1980-01-01")
MAX_DATE = pd.Timestamp("2100-12-31")
_SAS_EPOCH = dt.datetime(1960, 1, 1)
_SECONDS_THRESHOLD = 1e7
_NOISE = 1e-6

# SAS formats whose values are days (dates) or seconds (datetimes) since 1960-01-01.
_SAS_DATE_FORMATS = frozenset(
    {
        "DATE", "DAY", "DDMMYY", "DDMMYYB", "DDMMYYC", "DDMMYYD", "DDMMYYN", "DDMMYYP",
        "DDMMYYS", "MMDDYY", "MMDDYYB", "MMDDYYC", "MMDDYYD", "MMDDYYN", "MMDDYYP",
        "MMDDYYS", "YYMMDD", "YYMMDDB", "YYMMDDC", "YYMMDDD", "YYMMDDN", "YYMMDDP",
        "YYMMDDS", "WEEKDATE", "WEEKDATX", "WORDDATE", "WORDDATX", "E8601DA", "B8601DA",
        "IS8601DA", "NLDATE", "EURDFDE", "EURDFDD", "MINGUO", "NENGO",
    }
)  # fmt: skip
_SAS_DATETIME_FORMATS = frozenset(
    {
        "DATETIME", "DATEAMPM", "DTDATE", "MDYAMPM", "E8601DT", "E8601DN", "E8601DX",
        "E8601DZ", "B8601DT", "B8601DN", "B8601DX", "B8601DZ", "IS8601DT", "IS8601DN",
        "IS8601DZ", "NLDATM",
    }
)  # fmt: skip
_FORMAT_NAME = re.compile(r"^\$?([A-Z_][A-Z0-9_]*?[A-Z_])(\d+)?(?:\.\d*)?$")

_MISSING_TOKENS = frozenset(
    {".", "._", "NA", "NAN", "NULL", "N/A"} | {"." + c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
)
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_ISO_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_BASIC_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE9_RE = re.compile(
    r"^(\d{1,2})([A-Za-z]{3})(\d{4})(?:[: ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1
)}  # fmt: skip


class AdamImportError(ValueError):
    """A folder, file or mapping cannot be used at all (bad *values* never raise this).

    A ``ValueError``, so callers that report ``ValueError`` to the user handle it.

    ``messages`` holds one plain-language message per problem (e.g. one per unreadable
    file, or per data set with two files); ``str()`` joins them with newlines.
    """

    def __init__(self, messages: str | list[str]) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


class BadCell(NamedTuple):
    """A value that could not be converted to its schema type.

    ``row`` is the 1-based data row in the file (the first row after a CSV header is 1),
    ``column`` the variable's name in the normalised frame, ``value`` the value exactly
    as read (before conversion) and ``expected`` what it should have been.
    """

    row: int
    column: str
    value: object
    expected: str


@dataclass(frozen=True)
class SourceFile:
    """Provenance of one imported file: data set, path, SHA-256 of its bytes, rows read."""

    dataset: str
    path: Path
    sha256: str
    rows: int


@dataclass
class RawDataset:
    """One data set as read: the normalised frame (all columns kept) and its bad cells.

    ``renamed`` maps a frame column renamed by a :class:`Mapping` back to the variable
    name in the file (``{"TRT01A": "ARM"}``); ``notes`` holds warnings such as mapping
    entries that matched nothing.

    ``parts`` is empty for a data set read from one file. For one read from several files
    (ADLB split into ``adlbc``, ``adlbh`` ...) it holds one ``RawDataset`` per file, in
    reading order, each with its own ``file``, frame (index = rows of that file) and
    ``bad_cells`` (rows of that file); the validator checks the parts, so every problem
    names its file and row. The combined data set then has ``frame`` = the parts' frames
    concatenated (union of the columns, index ``0..n-1``), ``bad_cells`` with rows of that
    combined frame (``index + 1``), ``renamed`` = the union of the parts', ``notes`` about
    the parts as a whole, and ``file`` = the first part's file. :attr:`files` lists every
    file read, for provenance.
    """

    name: str
    file: SourceFile
    frame: pd.DataFrame
    bad_cells: list[BadCell] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    parts: list[RawDataset] = field(default_factory=list)

    @property
    def files(self) -> list[SourceFile]:
        """Every file this data set was read from: ``[file]``, or one per part."""
        return [part.file for part in self.parts] if self.parts else [self.file]

    def column_label(self, column: str) -> str:
        """The column as a data manager finds it in the file: ``ARM (read as TRT01A)``."""
        source = self.renamed.get(column)
        return f"{source} (read as {column})" if source else column


@dataclass
class Mapping:
    """How a sponsor's variable names and parameter codes map onto the schema.

    ``renames``: per data set, ``{variable in the file: schema variable}``;
    ``paramcd``: per data set, ``{PARAMCD in the file: our PARAMCD}``;
    ``files``: per data set, the file name to read instead of ``<dataset>.<suffix>``.
    Data-set keys are lower-cased and variable names upper-cased on creation; parameter
    codes and file names are only stripped.
    """

    renames: dict[str, dict[str, str]] = field(default_factory=dict)
    paramcd: dict[str, dict[str, str]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        def check(ds: str) -> str:
            key = str(ds).strip().lower()
            if key not in DATASET_NAMES:
                raise AdamImportError(
                    f"Mapping names an unknown data set {ds!r}; "
                    f"expected one of {', '.join(DATASET_NAMES)}."
                )
            return key

        self.renames = {
            check(ds): {str(k).strip().upper(): str(v).strip().upper() for k, v in m.items()}
            for ds, m in self.renames.items()
        }
        self.paramcd = {
            check(ds): {str(k).strip(): str(v).strip() for k, v in m.items()}
            for ds, m in self.paramcd.items()
        }
        self.files = {check(ds): str(f).strip() for ds, f in self.files.items()}
        for ds, m in self.renames.items():
            targets: dict[str, str] = {}
            for src, dst in m.items():
                if dst in targets:
                    raise AdamImportError(
                        f"Mapping for {ds}: both {targets[dst]} and {src} are renamed to {dst}; "
                        "keep one."
                    )
                targets[dst] = src


def load_mapping(path: Path) -> Mapping:
    """Read a :class:`Mapping` from a JSON file.

    Format: one object whose keys are data-set names (any case) and whose values are
    objects with any of the keys

    * ``"rename"``: ``{"variable in the file": "schema variable"}``;
    * ``"paramcd"``: ``{"PARAMCD in the file": "our PARAMCD"}``;
    * ``"file"``: the name of the file in the import folder to read for this data set.

    Top-level keys starting with ``_`` are ignored (use ``"_comment"`` for notes)::

        {
          "_comment": "CDISC pilot",
          "adsl": {"rename": {"ARM": "TRT01A"}},
          "adrs": {"paramcd": {"BESRSPI": "BOR"}},
          "adlb": {"file": "adlbh.xpt"}
        }

    Raises :class:`AdamImportError` for unreadable JSON, unknown data sets or keys, and
    values of the wrong kind.
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AdamImportError(f"Mapping file {path.name} cannot be read: {exc}") from exc
    if not isinstance(raw, dict):
        raise AdamImportError(
            f"Mapping file {path.name}: expected a JSON object keyed by data set name."
        )
    renames: dict[str, dict[str, str]] = {}
    paramcd: dict[str, dict[str, str]] = {}
    files: dict[str, str] = {}
    errors: list[str] = []
    for ds, spec in raw.items():
        if str(ds).startswith("_"):
            continue
        if not isinstance(spec, dict):
            errors.append(f"Mapping file {path.name}: {ds!r} should map to an object.")
            continue
        for key, value in spec.items():
            if key in ("rename", "paramcd"):
                if not isinstance(value, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in value.items()
                ):
                    errors.append(
                        f"Mapping file {path.name}: {ds}.{key} should be an object of text to text."
                    )
                    continue
                (renames if key == "rename" else paramcd)[ds] = dict(value)
            elif key == "file":
                if not isinstance(value, str) or not value.strip():
                    errors.append(f"Mapping file {path.name}: {ds}.file should be a file name.")
                    continue
                files[ds] = value
            else:
                errors.append(
                    f"Mapping file {path.name}: unknown key {key!r} for {ds}; "
                    "expected rename, paramcd or file."
                )
    if errors:
        raise AdamImportError(errors)
    try:
        return Mapping(renames=renames, paramcd=paramcd, files=files)
    except AdamImportError as exc:
        raise AdamImportError([f"Mapping file {path.name}: {m}" for m in exc.messages]) from exc


# --------------------------------------------------------------------------- finding


def _scan(
    folder: Path, files: dict[str, str] | None = None
) -> tuple[dict[str, list[Path]], list[Path]]:
    """Data-set files in ``folder`` and the ignored files.

    The first is ``{name: [path, ...]}`` in DATASET_NAMES order: one path per data set,
    except for ADLB split into parts (see the module docstring), in file-name order.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise AdamImportError(f"Import folder {folder} does not exist or is not a folder.")
    files = files or {}
    entries = sorted(p for p in folder.iterdir() if p.is_file())
    explicit: dict[str, Path] = {}
    errors: list[str] = []
    for ds, name in files.items():
        matches = [p for p in entries if p.name == name] or [
            p for p in entries if p.name.lower() == name.lower()
        ]
        if not matches:
            errors.append(
                f"The mapping names {name} for {ds.upper()}, but there is no such file in {folder}."
            )
        elif matches[0].suffix.lower() not in SUPPORTED:
            errors.append(
                f"{name} (mapped to {ds.upper()}) is not one of the supported types "
                f"{', '.join(SUPPORTED)}."
            )
        else:
            explicit[ds] = matches[0]
    found: dict[str, list[Path]] = {}
    lab_parts: dict[str, list[Path]] = {}
    ignored: list[Path] = []
    used = set(explicit.values())
    for p in entries:
        if p in used:
            continue
        stem, suffix = p.stem.lower(), p.suffix.lower()
        if suffix in SUPPORTED and stem in DATASET_NAMES and stem not in explicit:
            found.setdefault(stem, []).append(p)
        elif suffix in SUPPORTED and ADLB_PART.fullmatch(stem):
            lab_parts.setdefault(stem, []).append(p)
        else:
            ignored.append(p)
    if lab_parts and "adlb" not in found and "adlb" not in explicit:
        for stem, paths in lab_parts.items():
            if len(paths) > 1:
                names = " and ".join(p.name for p in paths)
                errors.append(
                    f"Two files for the ADLB part {stem} in {folder}: {names}. "
                    "Keep only one of them."
                )
        parts = sorted((paths[0] for paths in lab_parts.values()), key=lambda p: p.name.lower())
        parts_found = {"adlb": parts}
    else:
        parts_found = {}
        ignored = sorted([*ignored, *(p for paths in lab_parts.values() for p in paths)])
    for ds, paths in found.items():
        if len(paths) > 1:
            names = " and ".join(p.name for p in paths)
            errors.append(
                f"Two files for data set {ds.upper()} in {folder}: {names}. Keep only one of them."
            )
    if errors:
        raise AdamImportError(errors)
    merged = {**{ds: p[:1] for ds, p in found.items()}, **parts_found}
    merged.update({ds: [p] for ds, p in explicit.items()})
    return {ds: merged[ds] for ds in DATASET_NAMES if ds in merged}, ignored


def find_dataset_files(folder: Path, files: dict[str, str] | None = None) -> dict[str, list[Path]]:
    """The ADaM files in ``folder``: ``{data set name: [path, ...]}``, in DATASET_NAMES order.

    Like :func:`find_datasets`, but complete for ADLB split over several files
    (``adlbc.xpt``, ``adlbh.xpt`` ...): all its parts are listed, in the order they are
    read. Every other list has one path.
    """
    return _scan(folder, files)[0]


def find_datasets(folder: Path, files: dict[str, str] | None = None) -> dict[str, Path]:
    """The ADaM files in ``folder``: ``{data set name: path}``, in :data:`DATASET_NAMES` order.

    File names match in any case (``ADSL.XPT``, ``adsl.csv``, ``Adae.sas7bdat``); files
    with other names or suffixes are ignored; sub-folders are not searched. ``files``
    (``Mapping.files``) names a file to use for a data set regardless of its name.
    Raises :class:`AdamImportError` when the folder does not exist, or naming both files
    when one data set has two files (e.g. ``adsl.csv`` and ``ADSL.xpt``).

    For ADLB split over several files only the first part is given here; use
    :func:`find_dataset_files` for all of them.
    """
    return {ds: paths[0] for ds, paths in _scan(folder, files)[0].items()}


# --------------------------------------------------------------------------- reading


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sas_unit(fmt: object) -> str | None:
    """``"days"``/``"seconds"`` for SAS date/datetime formats (``DATE9``, ``E8601DT19.``)."""
    if not isinstance(fmt, str) or not fmt.strip():
        return None
    m = _FORMAT_NAME.match(fmt.strip().upper())
    if not m:
        return None
    name = m.group(1)
    if name in _SAS_DATE_FORMATS:
        return "days"
    if name in _SAS_DATETIME_FORMATS:
        return "seconds"
    return None


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


class _Bad(Exception):
    """A value that cannot be converted; ``str()`` says what was expected."""


def _is_missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    if isinstance(v, np.datetime64):
        return bool(np.isnat(v))
    return False


def _clean_text(v: object) -> object:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return None if _is_missing(v) else v


def _number(v: object) -> float:
    if isinstance(v, bool | np.bool_):
        return float(v)
    if isinstance(v, int | float | np.integer | np.floating):
        f = float(v)
    elif isinstance(v, str) and _NUMBER_RE.match(v.strip()):
        f = float(v.strip())
    else:
        raise _Bad(EXPECT_NUMBER)
    if not math.isfinite(f):
        raise _Bad(EXPECT_NUMBER)
    return f


def _integer(v: object) -> int:
    try:
        f = _number(v)
    except _Bad:
        raise _Bad(EXPECT_INTEGER) from None
    r = round(f)
    if abs(f - r) > _NOISE or abs(r) > 2**53:
        raise _Bad(EXPECT_INTEGER)
    return int(r)


def _text(v: object) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime | pd.Timestamp):
        ts = pd.Timestamp(v)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _checked(d: dt.date) -> pd.Timestamp:
    ts = pd.Timestamp(d)
    if not MIN_DATE <= ts <= MAX_DATE:
        raise _Bad(
            f"a date between {MIN_DATE.date()} and {MAX_DATE.date()} "
            f"(the value reads as {d.isoformat()})"
        )
    return ts


def _ymd(y: str | int, m: str | int, d: str | int) -> pd.Timestamp:
    try:
        return _checked(dt.date(int(y), int(m), int(d)))
    except ValueError:
        raise _Bad(f"a valid calendar date ({EXPECT_DATE})") from None


def _from_sas_number(f: float, unit: str | None) -> pd.Timestamp:
    """Days (or seconds) since 1960-01-01 to a date; see the module docstring for the rules."""
    if unit is None and 19000101 <= f <= 21001231 and float(f).is_integer():
        m = _BASIC_RE.match(str(int(f)))
        if m:
            try:
                return _ymd(*m.groups())
            except _Bad:
                pass
    seconds = unit == "seconds" or (unit is None and abs(f) > _SECONDS_THRESHOLD)
    days = f / 86400.0 if seconds else f
    if abs(days - round(days)) <= _NOISE:
        days = round(days)
    try:
        when = _SAS_EPOCH + dt.timedelta(days=math.floor(days))
    except OverflowError:
        raise _Bad(
            f"a date between {MIN_DATE.date()} and {MAX_DATE.date()} (the value is far outside)"
        ) from None
    return _checked(when.date())


def _date(v: object, unit: str | None) -> pd.Timestamp:
    if isinstance(v, np.datetime64):
        v = v.astype("datetime64[us]").item()  # datetime.datetime, or int if out of range
        if not isinstance(v, dt.date):
            raise _Bad(EXPECT_DATE)
    if isinstance(v, dt.datetime):
        return _checked(v.date())
    if isinstance(v, dt.date):
        return _checked(v)
    if isinstance(v, bool | np.bool_):
        raise _Bad(EXPECT_DATE)
    if isinstance(v, int | float | np.integer | np.floating):
        return _from_sas_number(_number(v), unit)
    if isinstance(v, str):
        s = v.strip()
        if m := _ISO_RE.match(s):
            return _ymd(*m.groups())
        if m := _DATE9_RE.match(s):
            day, mon, year = m.groups()
            if mon.upper() not in _MONTHS:
                raise _Bad(EXPECT_DATE)
            return _ymd(year, _MONTHS[mon.upper()], day)
        if _NUMBER_RE.match(s):
            return _from_sas_number(_number(s), unit)
    raise _Bad(EXPECT_DATE)


def _convert(
    series: pd.Series, type_: str, unit: str | None
) -> tuple[pd.Series, list[tuple[object, object, str]]]:
    """Type one column: the typed column and ``(index label, raw value, expected)`` failures."""
    bad: list[tuple[object, object, str]] = []
    idx = series.index
    # Vectorised paths for columns that already have the right kind of dtype.
    if (
        type_ in (NUM, INT)
        and pd.api.types.is_numeric_dtype(series.dtype)
        and not pd.api.types.is_bool_dtype(series)
    ):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        if type_ == NUM:
            wrong = np.isinf(values)
            out = pd.Series(np.where(wrong, np.nan, values), index=idx, dtype="float64")
            expected = EXPECT_NUMBER
        else:
            rounded = np.round(values)
            with np.errstate(invalid="ignore"):
                wrong = ~np.isnan(values) & ~(np.abs(values - rounded) <= _NOISE)
            out = pd.Series(np.where(wrong, np.nan, rounded), index=idx, dtype="float64").astype(
                "Int64"
            )
            expected = EXPECT_INTEGER
        bad.extend((idx[i], series.iloc[i], expected) for i in np.flatnonzero(wrong))
        return out, bad
    if type_ == DATE and pd.api.types.is_datetime64_any_dtype(series.dtype):
        s = series.dt.tz_localize(None) if isinstance(series.dtype, pd.DatetimeTZDtype) else series
        s = s.dt.normalize()
        wrong = (s.notna() & ((s < MIN_DATE) | (s > MAX_DATE))).to_numpy()
        for i in np.flatnonzero(wrong):
            bad.append(
                (idx[i], series.iloc[i], f"a date between {MIN_DATE.date()} and {MAX_DATE.date()}")
            )
        return s.where(~wrong).astype("datetime64[ns]"), bad
    if type_ == TEXT and series.dtype == object:
        if all(isinstance(v, str) or v is None for v in series):
            return series, bad

    convert: Callable[[object], object]
    if type_ == NUM:
        convert = _number
    elif type_ == INT:
        convert = _integer
    elif type_ == DATE:

        def convert(v: object) -> object:
            return _date(v, unit)
    else:
        convert = _text
    check_tokens = type_ != TEXT
    cache: dict[tuple[type, object], object] = {}
    out_values: list[object] = []
    for label, v in zip(idx, series.to_numpy(dtype=object), strict=True):
        if _is_missing(v) or (
            check_tokens and isinstance(v, str) and v.strip().upper() in _MISSING_TOKENS
        ):
            out_values.append(None)
            continue
        key = (type(v), v)
        try:
            result = cache[key]
        except KeyError:
            try:
                result = convert(v)
            except _Bad as exc:
                result = exc
            cache[key] = result
        if isinstance(result, _Bad):
            bad.append((label, v, str(result)))
            out_values.append(None)
        else:
            out_values.append(result)
    if type_ == NUM:
        out = pd.Series(out_values, index=idx, dtype="float64")
    elif type_ == INT:
        out = pd.Series(pd.array(out_values, dtype="Int64"), index=idx)
    elif type_ == DATE:
        out = pd.Series(out_values, index=idx, dtype="datetime64[ns]")
    else:
        out = pd.Series(out_values, index=idx, dtype=object)
    return out, bad


def _extra_sas_dates(series: pd.Series, unit: str) -> pd.Series:
    """A non-schema SAS variable with a date/datetime format as datetimes, if all values fit."""
    values = pd.to_numeric(series, errors="coerce")
    scale = 86400.0 if unit == "days" else 1.0
    seconds = values * scale
    limit = 8.8e9  # inside pandas' nanosecond range (1677-2262) either side of 1960, in seconds
    if (seconds.dropna().abs() > limit).any():
        return series
    return (pd.Timestamp(_SAS_EPOCH) + pd.to_timedelta(seconds.round(), unit="s")).astype(
        "datetime64[ns]"
    )


class _Seen(NamedTuple):
    """What a file offered the mapping: its variables (upper-case, before renaming) and its
    PARAMCD values before recoding (None when it has no PARAMCD)."""

    names: set[str]
    paramcds: set[str] | None


def _mapping_notes(where: str, dataset: str, mapping: Mapping, seen: list[_Seen]) -> list[str]:
    """Mapping entries for ``dataset`` that matched nothing in any of the files ``seen``.

    ``where`` names the file (or files) at the start of each note.
    """
    several = len(seen) > 1
    notes: list[str] = []
    renames = mapping.renames.get(dataset, {})
    for src, dst in renames.items():
        if not any(src in s.names for s in seen):
            has_not = f"none of the files has {src}" if several else f"the file has no {src}"
            notes.append(f"{where}: the mapping renames {src} to {dst}, but {has_not}.")
    pmap = mapping.paramcd.get(dataset, {})
    if pmap:
        codes = [s.paramcds for s in seen if s.paramcds is not None]
        if codes:
            for src in pmap:
                if not any(src in c for c in codes):
                    notes.append(f"{where}: the mapping recodes PARAMCD {src}, but no row has it.")
        else:
            has_not = "none of the files has PARAMCD" if several else "the file has no PARAMCD"
            notes.append(f"{where}: the mapping recodes PARAMCD values, but {has_not}.")
    return notes


def _normalise(
    raw: pd.DataFrame,
    dataset: str,
    file_name: str,
    mapping: Mapping,
    units: dict[str, str | None],
    drop_blank_rows: bool,
) -> tuple[pd.DataFrame, list[BadCell], dict[str, str], list[str], _Seen]:
    """Names, strings, renames, schema types and PARAMCD mapping; see the module docstring."""
    original = [str(c) for c in raw.columns]
    names = [c.strip().upper() for c in original]
    frame = raw.copy()
    frame.columns = range(len(names))
    for i in range(len(names)):
        if frame[i].dtype == object:
            frame[i] = frame[i].map(_clean_text).astype(object)
    if drop_blank_rows and len(frame):
        frame = frame[frame.notna().any(axis=1)].copy()
    keep = []
    for i, name in enumerate(names):
        if name:
            keep.append(i)
        elif frame[i].notna().any():
            names[i] = f"COLUMN_{i + 1}"
            keep.append(i)
    frame = frame[keep].copy()
    names = [names[i] for i in keep]
    original = [original[i] for i in keep]
    units = {str(k).strip().upper(): v for k, v in units.items()}
    units_by_pos = [units.get(n) for n in names]

    seen: dict[str, list[str]] = {}
    for o, n in zip(original, names, strict=True):
        seen.setdefault(n, []).append(o)
    dups = {n: o for n, o in seen.items() if len(o) > 1}
    if dups:
        raise AdamImportError(
            f"{file_name} has more than one column named "
            + "; ".join(f"{n} ({', '.join(repr(x) for x in o)})" for n, o in dups.items())
            + ". Column names are compared without regard to case; keep one of each."
        )

    renames = mapping.renames.get(dataset, {})
    new_names = [renames.get(n, n) for n in names]
    clash = {n for n in new_names if new_names.count(n) > 1}
    if clash:
        raise AdamImportError(
            f"{file_name}: the mapping renames a variable to {', '.join(sorted(clash))}, "
            "which the file already has. "
            "Remove the rename or the existing variable."
        )
    renamed = {new: old for old, new in zip(names, new_names, strict=True) if old != new}
    frame.columns = new_names

    table: Table = TABLES[dataset]
    known = {c.name: c for c in table.source_columns}
    bad_cells: list[BadCell] = []
    for pos, col in enumerate(new_names):
        series = frame[col]
        unit = units_by_pos[pos]
        if col in known:
            type_ = known[col].type
            if type_ == DATE and unit is None and names[pos].endswith("DTM"):
                unit = "seconds"
            typed, bad = _convert(series, type_, unit)
            frame[col] = typed
            bad_cells.extend(BadCell(int(label) + 1, col, value, exp) for label, value, exp in bad)
        elif unit is not None and pd.api.types.is_numeric_dtype(series.dtype):
            frame[col] = _extra_sas_dates(series, unit)

    paramcds = None
    if "PARAMCD" in frame.columns:
        paramcds = {v for v in frame["PARAMCD"].dropna() if isinstance(v, str)}
        pmap = mapping.paramcd.get(dataset, {})
        if pmap:
            frame["PARAMCD"] = frame["PARAMCD"].map(
                lambda v: pmap.get(v, v) if isinstance(v, str) else v
            )
    seen = _Seen(set(names), paramcds)
    notes = _mapping_notes(file_name, dataset, mapping, [seen])
    bad_cells.sort(key=lambda b: (b.row, new_names.index(b.column)))
    return frame, bad_cells, renamed, notes, seen


def read_dataset(
    path: Path, mapping: Mapping | None = None, dataset: str | None = None
) -> RawDataset:
    """Read and normalise one ADaM file (see the module docstring for every rule).

    The data set is ``dataset`` when given, else the one the mapping assigns this file
    to, else the file's stem (``ADSL.XPT`` -> ``adsl``). Never raises for bad values
    (they go to ``bad_cells``); raises :class:`AdamImportError` when the file cannot be
    read at all, its type is unsupported, the data set is unknown, two columns share a
    name, or a mapping rename clashes with an existing variable.
    """
    return _read_dataset(path, mapping, dataset)[0]


def _read_dataset(
    path: Path, mapping: Mapping | None, dataset: str | None
) -> tuple[RawDataset, _Seen]:
    path = Path(path)
    mapping = mapping or Mapping()
    if dataset is None:
        by_file = [ds for ds, f in mapping.files.items() if f.lower() == path.name.lower()]
        dataset = by_file[0] if by_file else path.stem.lower()
    dataset = dataset.lower()
    if dataset not in DATASET_NAMES:
        raise AdamImportError(
            f"{path.name}: not a data set this dashboard reads ({', '.join(DATASET_NAMES)}); "
            'use a mapping such as {"adlb": {"file": "'
            + path.name
            + '"}} to read it as one of them.'
        )
    suffix = path.suffix.lower()
    units: dict[str, str | None] = {}
    if suffix in (".xpt", ".sas7bdat"):
        raw, units = _read_sas(path)
    elif suffix == ".csv":
        raw = _read_csv(path)
    elif suffix == ".parquet":
        raw = _read_parquet(path)
    else:
        raise AdamImportError(
            f"{path.name}: unsupported file type; use one of {', '.join(SUPPORTED)}."
        )
    frame, bad_cells, renamed, notes, seen = _normalise(
        raw, dataset, path.name, mapping, units, drop_blank_rows=suffix == ".csv"
    )
    source = SourceFile(dataset=dataset, path=path, sha256=_sha256(path), rows=len(frame))
    return RawDataset(dataset, source, frame, bad_cells, renamed, notes), seen


def _missing_column(dtype: object, n: int) -> pd.Series:
    """``n`` missing values of ``dtype``, or of ``object`` when ``dtype`` has no missing value."""
    try:
        series = pd.Series([None] * n, dtype=dtype)
    except (TypeError, ValueError):  # e.g. numpy int64
        return pd.Series([None] * n, dtype=object)
    return series if series.isna().all() else pd.Series([None] * n, dtype=object)  # bool


def _combine(parts: list[RawDataset], mapping: Mapping, seen: list[_Seen]) -> RawDataset:
    """One data set from the parts read from several files; see :class:`RawDataset`."""
    columns: list[str] = []
    for part in parts:
        columns.extend(c for c in part.frame.columns if c not in columns)
    data: dict[str, pd.Series] = {}
    for col in columns:
        dtype = next(p.frame[col].dtype for p in parts if col in p.frame.columns)
        pieces = [
            p.frame[col].reset_index(drop=True)
            if col in p.frame.columns
            else _missing_column(dtype, len(p.frame))
            for p in parts
        ]
        if len({str(piece.dtype) for piece in pieces}) > 1:
            # e.g. a variable the schema does not type: numbers in one file, text in another
            pieces = [piece.astype(object) for piece in pieces]
        combined = pd.concat(pieces, ignore_index=True)
        if combined.dtype == object:
            combined = combined.where(combined.notna(), None)
        data[col] = combined
    total = sum(len(p.frame) for p in parts)
    frame = pd.DataFrame(data, columns=columns, index=pd.RangeIndex(total))
    bad_cells: list[BadCell] = []
    renamed: dict[str, str] = {}
    offset = 0
    for part in parts:
        position = {label: i for i, label in enumerate(part.frame.index)}
        bad_cells.extend(
            cell._replace(row=offset + position[cell.row - 1] + 1) for cell in part.bad_cells
        )
        renamed.update(part.renamed)
        offset += len(part.frame)
    where = ", ".join(part.file.path.name for part in parts)
    notes = _mapping_notes(where, parts[0].name, mapping, seen)
    return RawDataset(parts[0].name, parts[0].file, frame, bad_cells, renamed, notes, list(parts))


def read_folder(
    folder: Path,
    mapping: Mapping | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, RawDataset]:
    """Read every ADaM data set in ``folder``: ``{name: RawDataset}`` in DATASET_NAMES order.

    Missing data sets are simply absent (the validator reports a missing ADSL). ADLB split
    over several files (``adlbc.xpt``, ``adlbh.xpt`` ...) is read from all of them, as one
    data set with :attr:`RawDataset.parts` (see the module docstring). Every file is
    attempted; if any cannot be read, one :class:`AdamImportError` lists them all.
    ``progress`` receives one line per file read or ignored and per mapping note.
    """
    mapping = mapping or Mapping()
    say = progress or (lambda _msg: None)
    found, ignored = _scan(Path(folder), mapping.files)
    for p in ignored:
        stem, suffix = p.stem.lower(), p.suffix.lower()
        if suffix in SUPPORTED and stem in found:
            say(f"Ignoring {p.name}: the mapping reads {stem.upper()} from {found[stem][0].name}.")
        elif suffix in SUPPORTED and ADLB_PART.fullmatch(stem) and "adlb" in found:
            source = found["adlb"][0].name
            if "adlb" in mapping.files:
                say(f"Ignoring {p.name}: the mapping reads ADLB from {source}.")
            else:
                say(
                    f"Ignoring {p.name}: ADLB is read from {source}; lab files such as "
                    "adlbc/adlbh are only combined into ADLB when there is no adlb file."
                )
        elif suffix in SUPPORTED:
            say(
                f"Ignoring {p.name}: not one of {', '.join(DATASET_NAMES)} "
                '(to read it as one of them, map it, e.g. {"adlb": {"file": "' + p.name + '"}}).'
            )
        else:
            say(f"Ignoring {p.name}: not an ADaM data set file ({', '.join(SUPPORTED)}).")
    out: dict[str, RawDataset] = {}
    errors: list[str] = []
    for i, (name, paths) in enumerate(found.items(), start=1):
        if len(paths) == 1:
            say(f"Reading {paths[0].name} as {name.upper()} ({i} of {len(found)})")
            try:
                ds = read_dataset(paths[0], mapping, dataset=name)
            except AdamImportError as exc:
                errors.extend(exc.messages)
                continue
        else:
            say(
                f"{name.upper()} is split over {len(paths)} files "
                f"({', '.join(p.name for p in paths)}): reading them all as {name.upper()}."
            )
            parts: list[RawDataset] = []
            seen: list[_Seen] = []
            failed = False
            for j, path in enumerate(paths, start=1):
                say(
                    f"Reading {path.name} as {name.upper()} (part {j} of {len(paths)}; "
                    f"data set {i} of {len(found)})"
                )
                try:
                    part, part_seen = _read_dataset(path, mapping, dataset=name)
                except AdamImportError as exc:
                    errors.extend(exc.messages)
                    failed = True
                    continue
                parts.append(part)
                seen.append(part_seen)
            if failed:
                continue
            ds = _combine(parts, mapping, seen)
        for note in ds.notes:
            say(note)
        out[name] = ds
    for ds_name in sorted(set(mapping.renames) | set(mapping.paramcd)):
        if ds_name not in found:
            say(
                f"The mapping has entries for {ds_name.upper()}, "
                f"but the folder has no {ds_name.upper()} file."
            )
    if errors:
        raise AdamImportError(errors)
    return out
