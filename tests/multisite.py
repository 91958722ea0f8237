"""The default synthetic trial spread over three sites, for tests of site-scoped access.

The synthetic trial has a single site; here ADSL SITEID is reassigned round-robin over
:data:`SITES` in USUBJID order (so every site has patients of several dose groups).
Everything else is the synthetic trial as built by ``python -m trialdash snapshot build
--synthetic``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from trialdash import synthetic
from trialdash.derive import derive_all
from trialdash.snapshot import SnapshotMeta, write_snapshot

SITES = ("701", "702", "703")


def multisite_adsl() -> pd.DataFrame:
    """The synthetic ADSL with SITEID spread over :data:`SITES` (invented sites: no
    SITENAM)."""
    adsl = synthetic.generate(seed=synthetic.DEFAULT_SEED).datasets["adsl"]
    adsl = adsl.sort_values("USUBJID").reset_index(drop=True)
    site = [SITES[i % len(SITES)] for i in range(len(adsl))]
    return adsl.assign(SITEID=site, SITENAM=None)


def build_multisite(path: Path) -> Path:
    """Write the three-site synthetic trial as a snapshot at ``path``."""
    trial = synthetic.generate(seed=synthetic.DEFAULT_SEED)
    datasets = {**trial.datasets, "adsl": multisite_adsl()}
    meta = SnapshotMeta(
        study_id=trial.study_id, title=trial.title, registry_id=trial.registry_id,
        cutoff_date=trial.cutoff, source_kind="synthetic",
        source=f"synthetic, seed {synthetic.DEFAULT_SEED}, three sites",
        source_files=[], seed=synthetic.DEFAULT_SEED, dose_var="TRT01A",
        subtype_var="DISTYPE")
    return write_snapshot(derive_all(datasets), meta, path)


def site_subjects(path: Path, sites: tuple[str, ...]) -> set[str]:
    """USUBJIDs of the snapshot at ``path`` whose SITEID is one of ``sites`` (read directly
    with DuckDB, independently of the dashboard's access code)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT USUBJID FROM adsl WHERE list_contains($s, SITEID)",
                           {"s": list(sites)}).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}

