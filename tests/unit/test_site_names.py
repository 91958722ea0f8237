"""Site names in the Sites filter: ADSL SITENAM carried from the synthetic trial and from
imports into the snapshot, and shown beside SITEID (trialdash.access.site_choices)."""

from __future__ import annotations

import pytest
from adam_fixtures import valid_tables, write_folder

from trialdash.build import build_from_adam
from trialdash.trial import Trial


def test_synthetic_trial_names_its_single_site(trial):
    """NCT05290155 is single-centre (registry record: Shanghai General Hospital)."""
    assert trial.site_labels() == {"01": "01 Shanghai General Hospital"}


@pytest.mark.parametrize("column", ["SITENAM", "SITENAME"])
def test_import_carries_site_names_into_the_snapshot(tmp_path, column):
    """Either spelling of the site-name column reaches the snapshot as SITENAM."""
    tables = valid_tables()
    adsl = tables["adsl"]
    names = {site: f"Hospital {site}" for site in adsl["SITEID"].unique()}
    tables["adsl"] = adsl.assign(**{column: adsl["SITEID"].map(names)})
    folder = write_folder(tmp_path / "named", tables)
    trial = Trial.open(build_from_adam(folder, tmp_path / "named.duckdb"))
    assert trial.site_labels() == {site: f"{site} Hospital {site}" for site in sorted(names)}


def test_import_without_site_names_lists_site_ids(tmp_path):
    folder = write_folder(tmp_path / "plain", valid_tables())
    trial = Trial.open(build_from_adam(folder, tmp_path / "plain.duckdb"))
    sites = sorted(valid_tables()["adsl"]["SITEID"].unique())
    assert trial.site_labels() == {site: site for site in sites}
