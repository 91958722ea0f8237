"""Mapping of a sponsor's variable names, parameter codes and file names onto the schema."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from trialdash.adam_io.model import DATASET_NAMES, AdamImportError


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
