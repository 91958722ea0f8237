"""Swimmer lanes and events against hand derivations from the response fixture.

The fixture is described in ``test_response_analysis.py`` (P1-P5 infused on day 0).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from test_response_analysis import build_response_trial, response_datasets

from trialdash.analysis.swimmer import DEATH, HSCT, PROGRESSION, swimmer_lanes
from trialdash.derive import derive_all
from trialdash.snapshot import SnapshotMeta, write_snapshot
from trialdash.trial import Trial


@pytest.fixture(scope="module")
def trial(tmp_path_factory) -> Trial:
    return build_response_trial(tmp_path_factory.mktemp("swim") / "resp.duckdb")


@pytest.fixture(scope="module")
def lanes(trial) -> pd.DataFrame:
    return swimmer_lanes(trial.cohort()).lanes.set_index("USUBJID")


def test_unpacks_as_lanes_and_events_with_count(trial):
    """Brief: swimmer_lanes returns (lanes, events); 5 of 5 infused patients (P6 not infused)."""
    data = swimmer_lanes(trial.cohort())
    lanes, events = data
    assert lanes is data.lanes and events is data.events
    assert (data.count.kept, data.count.total) == (5, 5)


def test_lane_ends_at_last_contact(lanes):
    """Fixture: last contact 300, 200, 120 (death), 40, 400 days after infusion."""
    assert lanes["end_day"].to_dict() == {"P5": 400, "P1": 300, "P2": 200, "P3": 120, "P4": 40}


def test_sort_options(trial):
    """Duration: longest first (P5, P1, P2, P3, P4). Dose: 0.25 (P1 300, P2 200), 0.5 (P3, P4),
    1.0 (P5)."""
    assert list(swimmer_lanes(trial.cohort(), "duration").lanes["USUBJID"]) == [
        "P5", "P1", "P2", "P3", "P4"]
    assert list(swimmer_lanes(trial.cohort(), "dose").lanes["USUBJID"]) == [
        "P1", "P2", "P3", "P4", "P5"]
    with pytest.raises(ValueError):
        swimmer_lanes(trial.cohort(), "alphabetical")


def test_response_episodes(lanes):
    """Hand derivation: P1 responds day 28 (CRi) to relapse day 150; P3 (T-LBL PR) day 28 to PD
    day 60; P5 day 28 to last contact 400; P2 (T-ALL PR) and P4 have no episode."""
    episodes = lanes[["response_start", "response_end", "response_days"]]
    assert episodes.loc["P1"].tolist() == [28, 150, 122]
    assert episodes.loc["P3"].tolist() == [28, 60, 32]
    assert episodes.loc["P5"].tolist() == [28, 400, 372]
    assert episodes.loc[["P2", "P4"]].isna().all().all()


def test_ongoing_response_only_without_progression_or_death(lanes):
    """Only P5 (CR, transplanted, alive, no relapse) has an ongoing response."""
    assert list(lanes.index[lanes["ongoing_response"]]) == ["P5"]


def test_events(trial):
    """Hand list: P1 CRi 28 then CR 56 (deepening), relapse 150; P2 PR 28; P3 PR 28, PD 60, death
    120 (the CR on day 90 after PD is not marked); P5 CR 28, allo-HSCT 70; P4 nothing."""
    events = swimmer_lanes(trial.cohort(), "dose").events
    got = [(u, int(d), k) for u, d, k in events.itertuples(index=False)]
    assert got == [
        ("P1", 28, "CRi"), ("P1", 56, "CR"), ("P1", 150, PROGRESSION),
        ("P2", 28, "PR"),
        ("P3", 28, "PR"), ("P3", 60, PROGRESSION), ("P3", 120, DEATH),
        ("P5", 28, "CR"), ("P5", 70, HSCT),
    ]


def test_lane_extends_to_a_record_after_last_contact(tmp_path):
    """An assessment on day 60 for P4 (last contact day 40) extends P4's lane to day 60."""
    datasets = response_datasets()
    extra = pd.DataFrame({"USUBJID": ["P4"], "PARAMCD": ["OVR"], "AVALC": ["SD"],
                          "ADT": [pd.Timestamp("2023-01-01") + pd.Timedelta(days=60)],
                          "CRIT": ["Lugano 2014"]})
    datasets["adrs"] = pd.concat([datasets["adrs"], extra], ignore_index=True)
    meta = SnapshotMeta("RESP", "Response fixture", None, date(2024, 6, 30), "adam", "fixture",
                        [], None, "TRT01A", "DISTYPE")
    path = write_snapshot(derive_all(datasets), meta, tmp_path / "x.duckdb")
    lanes = swimmer_lanes(Trial.open(path).cohort()).lanes.set_index("USUBJID")
    assert lanes.loc["P4", "end_day"] == 60


def test_lanes_when_no_patient_has_a_response(tmp_path):
    """Pilot-like import without ADRS (tests/unit/pilot_like.py): 4 treated patients give 4
    lanes and no response-onset event (CR, CRi or PR), rather than an error."""
    from pilot_like import write_pilot_like

    from trialdash.build import build_from_adam

    snapshot = build_from_adam(write_pilot_like(tmp_path / "pilot"), tmp_path / "pilot.duckdb",
                               subtype_var="SEX")
    lanes, events = swimmer_lanes(Trial.open(snapshot).cohort(), "duration")
    assert len(lanes) == 4
    assert not events["kind"].isin(["CR", "CRi", "PR"]).any()
