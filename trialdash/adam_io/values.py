"""Typing single values: numbers, whole numbers, text and dates (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from trialdash.schema import DATE, INT, NUM, TEXT

#: ``expected`` texts used in :attr:`RawDataset.bad_cells`; the validator may replace the
#: generic ones with column-specific wording (e.g. "a CTCAE grade 1-5").
EXPECT_NUMBER = "a number"
EXPECT_INTEGER = "a whole number"
EXPECT_DATE = (
    "a date: YYYY-MM-DD, an ISO date-time such as 2022-05-01T10:00, DDMONYYYY such as "
    "01MAY2022, or a SAS date number (days since 01JAN1960)"
)

#: Hard bounds of a date: outside them a value is a misread, not a date (an error).
MIN_DATE = pd.Timestamp("1900-01-01")
MAX_DATE = pd.Timestamp("2100-12-31")
#: Trial-conduct dates before this are implausible: read, and recorded as a finding.
PLAUSIBLE_FROM = pd.Timestamp("1980-01-01")
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
#: Partial ISO 8601 dates: YYYY, YYYY-MM, with unknown parts as UN/UNK or dashes.
_PARTIAL_RE = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|UNK?|-))?(?:-(?:UNK?)?)?$", re.IGNORECASE)
_BASIC_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE9_RE = re.compile(
    r"^(\d{1,2})([A-Za-z]{3})(\d{4})(?:[: ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_MONTHS = {m: i for i, m in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1
)}  # fmt: skip


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


class _Bad(Exception):
    """A value that cannot be converted; ``str()`` says what was expected."""


class _Partial(Exception):
    """A partial ISO 8601 date (``2013-05``, ``2013``): ``year`` and ``month`` (or None)."""

    def __init__(self, year: int, month: int | None) -> None:
        super().__init__(f"{year}" + (f"-{month:02d}" if month else ""))
        self.year, self.month = year, month


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
        if m := _PARTIAL_RE.match(s):
            year, month = int(m.group(1)), int(m.group(2)) if m.group(2) else None
            if MIN_DATE.year <= year <= MAX_DATE.year and (month is None or 1 <= month <= 12):
                raise _Partial(year, month)
        if _NUMBER_RE.match(s):
            return _from_sas_number(_number(s), unit)
    raise _Bad(EXPECT_DATE)


def _convert(
    series: pd.Series, type_: str, unit: str | None
) -> tuple[pd.Series, list[tuple[object, object, str]], list[tuple[object, object, _Partial]]]:
    """Type one column: the typed column, ``(index label, raw value, expected)`` failures and
    ``(index label, raw value, partial date)`` partial dates (left missing in the column)."""
    bad: list[tuple[object, object, str]] = []
    partial: list[tuple[object, object, _Partial]] = []
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
        return out, bad, partial
    if type_ == DATE and pd.api.types.is_datetime64_any_dtype(series.dtype):
        s = series.dt.tz_localize(None) if isinstance(series.dtype, pd.DatetimeTZDtype) else series
        s = s.dt.normalize()
        wrong = (s.notna() & ((s < MIN_DATE) | (s > MAX_DATE))).to_numpy()
        for i in np.flatnonzero(wrong):
            bad.append(
                (idx[i], series.iloc[i], f"a date between {MIN_DATE.date()} and {MAX_DATE.date()}")
            )
        return s.where(~wrong).astype("datetime64[ns]"), bad, partial
    if type_ == TEXT and series.dtype == object:
        if all(isinstance(v, str) or v is None for v in series):
            return series, bad, partial

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
            except (_Bad, _Partial) as exc:
                result = exc
            cache[key] = result
        if isinstance(result, _Partial):
            partial.append((label, v, result))
            out_values.append(None)
        elif isinstance(result, _Bad):
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
    return out, bad, partial


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
