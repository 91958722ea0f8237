"""Snapshot builds: the synthetic default and an import of a folder of ADaM data sets.

Pseudonyms use the key beside ``out`` (``<out>.pseudonym-key``), created on the first build.

Both end in :func:`trialdash.snapshot.write_snapshot`, so the atomic-replace guarantee
holds for each: a build that fails validation or crashes leaves the previous snapshot
byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from trialdash import findings, synthetic
from trialdash.adam_io import SourceFile, load_mapping, read_folder
from trialdash.cutoff import as_of
from trialdash.derive import derive_all
from trialdash.pseudonyms import load_or_create_key
from trialdash.snapshot import SnapshotMeta, write_snapshot
from trialdash.study_labels import (
    CAR_T_PROFILE,
    UserLabels,
    labels_from_mapping,
    learn_labels,
    variable_labels,
)
from trialdash.validate import ValidationError, validate

Progress = Callable[[str], None]
DEFAULT_SUBTYPE_VAR = "DISTYPE"


def _quiet(_message: str) -> None:
    pass


def build_synthetic(
    out: Path, seed: int = synthetic.DEFAULT_SEED, patients: int | None = None,
    progress: Progress = _quiet, cutoff: date | None = None,
    before_replace: Callable[[Path], object] | None = None,
) -> Path:
    """Generate the synthetic trial and write it as a snapshot at ``out``.

    With ``cutoff``, the same trial (same seed, same patients) as it stood on that date
    (:func:`trialdash.cutoff.as_of`); it must not be later than the trial's own cut-off.
    ``before_replace`` goes to :func:`write_snapshot` (e.g. keeping the previous snapshot).
    """
    progress(f"generating synthetic trial (seed {seed}, patients {patients or 'default'})")
    trial = synthetic.generate(seed=seed, patients=patients)
    datasets = trial.datasets
    if cutoff is not None:
        if cutoff > trial.cutoff:
            raise ValueError(f"--cutoff {cutoff} is after the synthetic trial's data cut-off "
                             f"{trial.cutoff}; choose a date on or before it")
        progress(f"truncating at the cut-off {cutoff}")
        datasets = as_of(datasets, cutoff)
    progress("deriving dashboard columns")
    tables = derive_all(datasets, pseudonym_key=load_or_create_key(out))
    meta = SnapshotMeta(
        study_id=trial.study_id,
        title=trial.title,
        registry_id=trial.registry_id,
        cutoff_date=cutoff or trial.cutoff,
        source_kind="synthetic",
        source=f"synthetic, seed {seed}" + (f", {patients} patients" if patients else "")
        + (f", as of {cutoff}" if cutoff else ""),
        source_files=[],
        seed=seed,
        dose_var="TRT01A",
        subtype_var="DISTYPE",
        labels=CAR_T_PROFILE,
    )
    return write_snapshot(tables, meta, out, progress, before_replace)


def build_from_adam(
    folder: Path,
    out: Path,
    dose_var: str = "TRT01A",
    subtype_var: str | None = None,
    mapping_file: Path | None = None,
    title: str | None = None,
    registry_id: str | None = None,
    cutoff: date | None = None,
    progress: Progress = _quiet,
    user_labels: UserLabels | None = None,
    strict: bool = False,
    before_replace: Callable[[Path], object] | None = None,
) -> Path:
    """Import ADaM data sets from ``folder``, validate them all, and write a snapshot.

    ``user_labels`` (response criteria, CTCAE version, cell therapy) come from the command
    line; a mapping file's ``"_labels"`` object fills what they leave out; the data fill the
    rest (:func:`trialdash.study_labels.learn_labels`).

    Raises :class:`ValidationError` listing every error (file, row, column, value,
    expectation) before anything is written. Findings (:mod:`trialdash.findings`) are
    written to the snapshot's ``findings`` table and the build goes on, without the rows of
    subjects ADSL does not list; with ``strict`` every finding is an error too.
    ``subtype_var=None`` takes DISTYPE when ADSL has it and otherwise builds without
    disease subtypes (most ADaM studies have no DISTYPE); a named ``subtype_var`` must exist.
    """
    mapping = load_mapping(mapping_file) if mapping_file else None
    raw = read_folder(Path(folder), mapping, progress=progress)
    if subtype_var is None:
        adsl_columns = raw["adsl"].frame.columns if "adsl" in raw else []
        subtype_var = DEFAULT_SUBTYPE_VAR if DEFAULT_SUBTYPE_VAR in adsl_columns else None
        if subtype_var is None:
            progress(f"ADSL has no {DEFAULT_SUBTYPE_VAR}: building without disease subtypes "
                     "(name an ADSL variable with --subtype-var)")
    progress("validating")
    problems = validate(raw, dose_var=dose_var, subtype_var=subtype_var)
    found = findings.find(raw, cutoff=cutoff)
    if strict:
        problems = problems + findings.as_problems(found)
    if problems:
        raise ValidationError(problems)
    frames = findings.known_subject_rows(raw)
    labels = learn_labels(
        frames["adsl"], frames.get("adrs"), subtype_var,
        _labels_of(raw.get("adsl")), _labels_of(raw.get("adae")),
        (user_labels or UserLabels()).merged(labels_from_mapping(mapping_file)),
    )
    progress("deriving dashboard columns")
    tables = derive_all(frames, dose_var=dose_var, subtype_var=subtype_var,
                        grade_scale=labels.grade_scale,
                        pseudonym_key=load_or_create_key(out))
    adsl = tables["adsl"]
    study_id = str(adsl["STUDYID"].dropna().iloc[0]) if adsl["STUDYID"].notna().any() else "UNKNOWN"
    meta = SnapshotMeta(
        study_id=study_id,
        title=title or study_id,
        registry_id=registry_id,
        cutoff_date=cutoff or data_cutoff(tables),
        source_kind="adam",
        source=f"ADaM import from {Path(folder).name}",
        source_files=[_file_record(f) for ds in raw.values() for f in ds.files],
        seed=None,
        dose_var=dose_var,
        subtype_var=subtype_var,
        labels=labels,
    )
    tables["findings"] = findings.findings_frame(found)
    written = write_snapshot(tables, meta, out, progress, before_replace)
    progress(findings.summary_line(found, out))
    return written


def _labels_of(dataset) -> dict[str, str]:
    """Variable labels of a data set's files, under the names the frame uses (renames
    applied); {} when absent or the format carries none."""
    if dataset is None:
        return {}
    found: dict[str, str] = {}
    for source in dataset.files:
        found.update(variable_labels(source.path))
    back = {source.upper(): name for name, source in dataset.renamed.items()}
    return {back.get(name, name): text for name, text in found.items()}


def _file_record(source: SourceFile) -> dict:
    return {"dataset": source.dataset, "file": source.path.name, "sha256": source.sha256,
            "rows": source.rows}


def data_cutoff(tables: dict[str, pd.DataFrame]) -> date:
    """ADSL.DCUTDT when given, else the latest date found in any data set (stated in README)."""
    dcut = pd.to_datetime(tables["adsl"]["DCUTDT"]).dropna()
    if not dcut.empty:
        return dcut.max().date()
    latest = [
        pd.to_datetime(frame[col]).max()
        for frame in tables.values()
        for col in frame.columns
        if pd.api.types.is_datetime64_any_dtype(frame[col])
    ]
    latest = [d for d in latest if pd.notna(d)]
    return max(latest).date() if latest else date.today()
