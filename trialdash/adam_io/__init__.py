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
    would fall in 1960). A date must lie between 1900-01-01 and 2100-12-31 (:data:`MIN_DATE`,
    :data:`MAX_DATE`); anything else is a bad cell. Dates from 1900 to 1979 are read: the
    build reports them as findings (a study day put in a date column reads as 1960).
  - Partial ISO 8601 dates (``2013-05``, ``2013``, ``2013-05-UN``, ``2013-UN-UN``; a
    four-digit number in text is a year, not a SAS day number) are imputed as the ADaM
    imputation flag of the variable says (its name plus ``F``: ASTDTF, ADTF): ``D`` fills
    the day of a year-month, ``M`` or ``Y`` month and day; to the first day of the period,
    or the last for end dates (``*ENDT``, ``*EDT``). Without a flag that fits they are left
    missing and listed in :attr:`RawDataset.partial_dates`.
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
  versus seconds. When the file's text is not UTF-8 it is re-read as Windows-1252, then
  Latin-1. A transport file is first walked record by record (:mod:`.xport`): one cut off
  is refused, and of several members the one named like the data set (or the file) is
  read. A SAS7BDAT file yielding fewer rows than its header declares is refused.
* ``.csv`` via Python's ``csv`` module: every cell is read as text (so ``NA`` or ``0012``
  survive) and typed afterwards. Encoding UTF-8 (with or without BOM), falling back to
  Windows-1252, then Latin-1; the separator is a comma, unless the header line has no
  comma and has a semicolon or tab. Refused: a file that is really a spreadsheet, PDF or
  other binary data, a first line without any variable name (a text document), and a row
  with more or fewer values than the header (a broken export, or a file cut off).
* ``.parquet`` via ``pandas.read_parquet`` (pyarrow).
* Any format: a file of zero bytes, or with a header and no data rows, is refused.

The package is split by concern: :mod:`.model` (names, errors, :class:`RawDataset`),
:mod:`.mapping`, :mod:`.files` (finding files), :mod:`.readers` (bytes to a raw frame per
format), :mod:`.xport` (transport-file structure), :mod:`.values` (typing values),
:mod:`.normalise` and :mod:`.folder` (reading a
file or a folder). Everything public is re-exported here.
"""

from trialdash.adam_io.files import find_dataset_files, find_datasets
from trialdash.adam_io.folder import read_dataset, read_folder
from trialdash.adam_io.mapping import Mapping, load_mapping
from trialdash.adam_io.model import (
    ADLB_PART,
    DATASET_NAMES,
    SUPPORTED,
    AdamImportError,
    BadCell,
    PartialDate,
    RawDataset,
    SourceFile,
)
from trialdash.adam_io.values import (
    EXPECT_DATE,
    EXPECT_INTEGER,
    EXPECT_NUMBER,
    MAX_DATE,
    MIN_DATE,
    PLAUSIBLE_FROM,
)

__all__ = [
    "ADLB_PART",
    "DATASET_NAMES",
    "EXPECT_DATE",
    "EXPECT_INTEGER",
    "EXPECT_NUMBER",
    "MAX_DATE",
    "MIN_DATE",
    "PLAUSIBLE_FROM",
    "SUPPORTED",
    "AdamImportError",
    "BadCell",
    "Mapping",
    "PartialDate",
    "RawDataset",
    "SourceFile",
    "find_dataset_files",
    "find_datasets",
    "load_mapping",
    "read_dataset",
    "read_folder",
]
