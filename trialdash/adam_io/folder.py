"""Reading one file, or every data set of a folder, into :class:`RawDataset` objects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from trialdash.adam_io.files import _scan
from trialdash.adam_io.mapping import Mapping
from trialdash.adam_io.model import (
    ADLB_PART,
    DATASET_NAMES,
    SUPPORTED,
    AdamImportError,
    BadCell,
    RawDataset,
    SourceFile,
)
from trialdash.adam_io.normalise import _mapping_notes, _normalise, _Seen
from trialdash.adam_io.readers import _read_csv, _read_parquet, _read_sas, _sha256


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
    if suffix in SUPPORTED and path.stat().st_size == 0:
        raise AdamImportError(f"{path.name} is empty (0 bytes).")
    if suffix in (".xpt", ".sas7bdat"):
        raw, units = _read_sas(path, dataset)
    elif suffix == ".csv":
        raw = _read_csv(path)
    elif suffix == ".parquet":
        raw = _read_parquet(path)
    else:
        raise AdamImportError(
            f"{path.name}: unsupported file type; use one of {', '.join(SUPPORTED)}."
        )
    frame, bad_cells, renamed, notes, seen, partial = _normalise(
        raw, dataset, path.name, mapping, units, drop_blank_rows=suffix == ".csv"
    )
    if frame.empty:
        raise AdamImportError(
            f"{path.name} has no data rows (only a header); an empty or cut-off file "
            "cannot be imported. Remove the file if the data set is not delivered."
        )
    source = SourceFile(dataset=dataset, path=path, sha256=_sha256(path), rows=len(frame))
    dataset_read = RawDataset(dataset, source, frame, bad_cells, renamed, notes)
    dataset_read.partial_dates = partial
    return dataset_read, seen


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
