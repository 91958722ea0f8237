"""The swimmer plot's response follows the study's responder definition, as the ORR tables
do (hand-made case on the tiny trial)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
from tiny_trial import tiny_datasets

from trialdash.analysis import response, swimmer
from trialdash.derive import derive_all
from trialdash.snapshot import SnapshotMeta, write_snapshot
from trialdash.study_labels import CAR_T_PROFILE
from trialdash.trial import Trial

D = pd.Timestamp


def _trial(path, definition: str | None) -> Trial:
    """The tiny trial with S2 (AITL, infused 2023-03-01) in partial response on day 19 and
    progressing on day 31; BOR PR. The study states its responder definition."""
    datasets = tiny_datasets()
    datasets["adrs"] = pd.DataFrame({
        "USUBJID": ["S1", "S1", "S2", "S2", "S2"],
        "PARAMCD": ["OVR", "BOR", "OVR", "OVR", "BOR"],
        "AVALC": ["CR", "CR", "PR", "PD", "PR"],
        "ADT": [D("2023-02-07"), D("2023-02-07"), D("2023-03-20"), D("2023-04-01"),
                D("2023-03-20")],
        "CRIT": [None] * 5,
    })
    labels = replace(CAR_T_PROFILE, responder_definition=definition, clinical_profile=False,
                     response_criteria="stated by the study")
    meta = SnapshotMeta("TINY", "Tiny", None, date(2024, 1, 31), "adam", "fixture", [], None,
                        "TRT01A", "DISTYPE", labels=labels)
    return Trial.open(write_snapshot(derive_all(datasets), meta, path))


def test_partial_response_is_no_response_lane_when_the_study_counts_cr_and_cri(tmp_path):
    """CR + CRi: S2's PR makes no responder in the ORR table (hand count 1/2: S1 only) and no
    response bar in the swimmer lane."""
    trial = _trial(tmp_path / "cri.duckdb", response.LEUKAEMIA_DEFINITION)
    best = response.best_response(trial.cohort()).set_index("USUBJID")
    lanes = swimmer.swimmer_lanes(trial.cohort()).lanes.set_index("USUBJID")
    assert list(best["responder"].sort_index()) == [True, False]
    assert pd.isna(lanes.loc["S2", "response_start"]) and not lanes.loc["S2", "responder"]
    assert (lanes["responder"] == best["responder"].reindex(lanes.index)).all()


def test_partial_response_is_a_response_lane_when_the_study_counts_cr_and_pr(tmp_path):
    """CR + PR: S2 responds from its PR on day 19 until its progression on day 31."""
    trial = _trial(tmp_path / "pr.duckdb", "CR + PR")
    lanes = swimmer.swimmer_lanes(trial.cohort()).lanes.set_index("USUBJID")
    assert lanes.loc["S2", "responder"]
    assert (lanes.loc["S2", "response_start"], lanes.loc["S2", "response_end"]) == (19, 31)
