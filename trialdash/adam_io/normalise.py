"""Normalising a raw frame: names, text, renames, schema types, PARAMCD recoding."""

from __future__ import annotations

import re
from typing import NamedTuple

import pandas as pd

from trialdash.adam_io.mapping import Mapping
from trialdash.adam_io.model import AdamImportError, BadCell, PartialDate
from trialdash.adam_io.values import _clean_text, _convert, _extra_sas_dates, _Partial
from trialdash.schema import DATE, TABLES, Table


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
) -> tuple[pd.DataFrame, list[BadCell], dict[str, str], list[str], _Seen, list[PartialDate]]:
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
    partial: dict[str, list[tuple[object, object, _Partial]]] = {}
    for pos, col in enumerate(new_names):
        series = frame[col]
        unit = units_by_pos[pos]
        if col in known:
            type_ = known[col].type
            if type_ == DATE and unit is None and names[pos].endswith("DTM"):
                unit = "seconds"
            typed, bad, partial[col] = _convert(series, type_, unit)
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
    left = [p for col, found in partial.items() for p in _impute(frame, col, found)]
    left.sort(key=lambda p: (p.row, new_names.index(p.column)))
    return frame, bad_cells, renamed, notes, seen, left


#: Date variables imputed to the last day of the period (the others to the first).
_END_DATES = re.compile(r".*EN(D)?DT$")
_FLAG_LEVELS = {"D": "day", "M": "month and day", "Y": "year, month and day"}


def _impute(
    frame: pd.DataFrame, column: str, found: list[tuple[object, object, _Partial]]
) -> list[PartialDate]:
    """Impute the partial dates of ``column`` as its ADaM imputation flag says; the rest.

    The flag is the variable named like the date plus ``F`` (ASTDT -> ASTDTF, ADT -> ADTF):
    ``D`` (day imputed) fills the day of a year-month; ``M`` (month and day imputed) also
    fills a year alone; ``Y`` is treated like ``M``. A start date (and any other date) is
    imputed to the first day of the period, an end date (``*ENDT``, ``*EDT``: AENDT,
    TRTEDT) to the last, the usual ADaM conservative choice. A partial date without a flag,
    or with a flag that does not fit (``D`` on a year alone), is returned, left missing.
    """
    if not found:
        return []
    flag_col = f"{column}F"
    flags = frame[flag_col] if flag_col in frame.columns else None
    at_end = bool(_END_DATES.match(column)) or column.endswith("EDT")
    left: list[PartialDate] = []
    for label, value, part in found:
        flag = flags[label] if flags is not None else None
        flag = flag.strip().upper() if isinstance(flag, str) else None
        fits = flag in ("M", "Y") or (flag == "D" and part.month is not None)
        if not fits:
            if flags is None:
                reason = f"a partial date and the file has no imputation flag {flag_col}"
            elif flag is None:
                reason = f"a partial date and its imputation flag {flag_col} is blank"
            else:
                reason = (
                    f"a partial date whose imputation flag {flag_col} = {flag!r} "
                    f"({_FLAG_LEVELS.get(flag, 'unknown')} imputed) does not fit it"
                )
            left.append(PartialDate(int(label) + 1, column, value, reason))
            continue
        first = pd.Timestamp(part.year, part.month or 1, 1)
        if at_end:
            last = first + pd.offsets.MonthEnd(0) if part.month else pd.Timestamp(part.year, 12, 31)
            frame.loc[label, column] = last
        else:
            frame.loc[label, column] = first
    return left
