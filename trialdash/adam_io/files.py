"""Finding the data-set files of an import folder."""

from __future__ import annotations

from pathlib import Path

from trialdash.adam_io.model import ADLB_PART, DATASET_NAMES, SUPPORTED, AdamImportError


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
