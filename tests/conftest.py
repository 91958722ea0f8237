"""Shared fixtures: snapshots built once per test session into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def synthetic_snapshot(tmp_path_factory) -> Path:
    """The default synthetic trial (seed 20220501, 14 infused patients) as a snapshot file."""
    from trialdash.build import build_synthetic

    path = tmp_path_factory.mktemp("snap") / "trial.duckdb"
    return build_synthetic(path)


@pytest.fixture(scope="session")
def trial(synthetic_snapshot):
    """The default synthetic trial opened read-only with an uncached query runner."""
    from trialdash.trial import Trial

    return Trial.open(synthetic_snapshot)


@pytest.fixture(scope="session")
def multisite_snapshot(tmp_path_factory) -> Path:
    """The default synthetic trial with ADSL SITEID spread over sites 701, 702, 703
    (tests/multisite.py)."""
    from multisite import build_multisite

    return build_multisite(tmp_path_factory.mktemp("multisite") / "trial.duckdb")
