"""snapshot diff: two synthetic cuts against direct counts from the data sets, hand-made
corrections (a changed date, a downgraded and a removed AE) reported as modified and
removed, and the JSON of the command line."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from tiny_trial import build_tiny, tiny_datasets

from trialdash import synthetic
from trialdash.build import build_synthetic
from trialdash.cli import main
from trialdash.cutdiff import diff_snapshots
from trialdash.cutoff import as_of
from trialdash.derive import derive_all
from trialdash.snapshot import SnapshotMeta, write_snapshot

EARLY, LATE = date(2023, 6, 1), date(2024, 3, 1)


@pytest.fixture(scope="module")
def two_cuts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cuts")
    return (build_synthetic(folder / "early.duckdb", cutoff=EARLY),
            build_synthetic(folder / "late.duckdb", cutoff=LATE))


def _ids(frame: pd.DataFrame, mask: pd.Series) -> set[str]:
    return set(frame.loc[mask, "USUBJID"])


def test_two_synthetic_cuts_against_direct_counts(two_cuts):
    """Every 'new' list equals the set difference of the two cuts' data sets computed here
    directly from the generator's ADaM frames, and AE and lab additions equal the difference
    of their record counts (a later cut only adds records)."""
    full = synthetic.generate().datasets
    early, late = as_of(full, EARLY), as_of(full, LATE)
    diff = diff_snapshots(*two_cuts).as_json()
    a, b = early["adsl"], late["adsl"]
    assert diff["new_enrolled"] == sorted(set(b["USUBJID"]) - set(a["USUBJID"]))
    assert diff["new_infused"] == sorted(_ids(b, b["TRTSDT"].notna())
                                         - _ids(a, a["TRTSDT"].notna()))
    assert diff["new_deaths"] == sorted(_ids(b, b["DTHFL"] == "Y") - _ids(a, a["DTHFL"] == "Y"))
    assert diff["new_progressions"] == sorted(_ids(b, b["PDDT"].notna())
                                              - _ids(a, a["PDDT"].notna()))
    assert diff["new_dlts"] == sorted(_ids(b, b["DLTFL"] == "Y") - _ids(a, a["DLTFL"] == "Y"))
    assert diff["new_infused"]  # the period saw infusions, so the check is not vacuous
    new_ae = late["adae"][late["adae"]["ASTDT"] > pd.Timestamp(EARLY)]
    assert diff["new_adverse_events"]["total"] == len(new_ae) == len(late["adae"]) - len(
        early["adae"])
    grade = new_ae["AETOXGR"].astype("Float64").fillna(new_ae["ASTCTGR"].astype("Float64"))
    severe = new_ae[grade >= 3]
    assert sorted((g["usubjid"], g["term"], g["grade"])
                  for g in diff["new_adverse_events"]["grade3plus"]) == sorted(
        zip(severe["USUBJID"], severe["AEDECOD"], grade[grade >= 3].astype(int), strict=True))
    records = diff["changed_records"]
    for name in ("adae", "adpc", "adlb"):
        assert records[name]["added"] == len(late[name]) - len(early[name]), name
        assert records[name]["removed"] == 0, name
    assert records["adsl"]["added"] == len(diff["new_enrolled"])
    assert diff["from"]["cutoff"] == "2023-06-01" and diff["to"]["cutoff"] == "2024-03-01"


def test_new_responses_are_responders_whose_best_response_changed(two_cuts):
    """Each reported response is a CR/CRi/PR dated between the two cut-offs."""
    diff = diff_snapshots(*two_cuts).as_json()
    assert diff["new_responses"]
    for response in diff["new_responses"]:
        assert response["response"] in ("CR", "CRi", "PR")
        assert EARLY.isoformat() < response["date"] <= LATE.isoformat()


def test_a_snapshot_against_itself_has_no_changes(two_cuts):
    diff = diff_snapshots(two_cuts[0], two_cuts[0]).as_json()
    assert all(not diff[k] for k in ("new_enrolled", "new_infused", "new_deaths",
                                     "new_progressions", "new_responses", "new_dlts"))
    assert all(c == {"added": 0, "removed": 0, "modified": 0}
               for c in diff["changed_records"].values())


def _write(datasets: dict[str, pd.DataFrame], path) -> object:
    meta = SnapshotMeta("TINY", "Tiny test trial", None, date(2024, 1, 31), "adam",
                        "hand-written fixture", [], None, "TRT01A", "DISTYPE")
    return write_snapshot(derive_all(datasets), meta, path)


def test_corrections_are_reported_as_modified_and_removed(tmp_path):
    """On the tiny trial: S1's neutropenia (AESEQ 2) start corrected from 01-13 to 01-14,
    S1's first CRS (AESEQ 1) downgraded from grade 2 to 1, S2's lung infection (AESEQ 2)
    removed: ADAE 0 added, 1 removed, 2 modified, each change named."""
    before = build_tiny(tmp_path / "before.duckdb")
    data = tiny_datasets()
    adae = data["adae"]
    adae.loc[(adae["USUBJID"] == "S1") & (adae["AESEQ"] == 2), "ASTDT"] = pd.Timestamp(
        "2023-01-14")
    adae.loc[(adae["USUBJID"] == "S1") & (adae["AESEQ"] == 1), "AETOXGR"] = 1
    data["adae"] = adae[~((adae["USUBJID"] == "S2") & (adae["AESEQ"] == 2))]
    after = _write(data, tmp_path / "after.duckdb")
    diff = diff_snapshots(before, after).as_json()
    assert diff["changed_records"]["adae"] == {"added": 0, "removed": 1, "modified": 2}
    assert diff["removed_records"] == [{"dataset": "adae", "key": {"USUBJID": "S2",
                                                                   "AESEQ": 2}}]
    changes = {(r["key"]["USUBJID"], r["key"]["AESEQ"]): r["changes"]
               for r in diff["modified_records"] if r["dataset"] == "adae"}
    assert changes == {("S1", 1): {"AETOXGR": {"from": "2", "to": "1"}},
                       ("S1", 2): {"ASTDT": {"from": "2023-01-13", "to": "2023-01-14"}}}
    assert diff["new_adverse_events"] == {"total": 0, "grade3plus": []}
    for name in ("adsl", "adrs", "adtte", "adpc", "adlb"):
        assert diff["changed_records"][name] == {"added": 0, "removed": 0, "modified": 0}


def test_without_aeseq_events_are_matched_by_term_and_start_date(tmp_path):
    """Without AESEQ the key is USUBJID + AEDECOD + ASTDT: a corrected start date is the old
    record removed and a new one added; the untouched events match despite new positions."""
    data = tiny_datasets()
    data["adae"] = data["adae"].drop(columns="AESEQ")
    before = _write(data, tmp_path / "before.duckdb")
    adae = data["adae"].iloc[::-1].reset_index(drop=True)  # other row order
    adae.loc[adae["AEDECOD"] == "Lung infection", "ASTDT"] = pd.Timestamp("2023-04-11")
    data["adae"] = adae
    after = _write(data, tmp_path / "after.duckdb")
    diff = diff_snapshots(before, after).as_json()
    assert diff["changed_records"]["adae"] == {"added": 1, "removed": 1, "modified": 0}
    assert diff["removed_records"] == [{"dataset": "adae", "key": {
        "USUBJID": "S2", "AEDECOD": "Lung infection", "ASTDT": "2023-04-10"}}]


def test_cli_diff_json(two_cuts, capsys):
    assert main(["snapshot", "diff", str(two_cuts[0]), str(two_cuts[1]), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"from", "to", "new_enrolled", "new_infused", "new_deaths", "new_progressions",
            "new_responses", "new_adverse_events", "new_dlts", "changed_records"} <= set(data)
    assert data["from"]["path"] == str(two_cuts[0])


def test_cli_diff_text_and_missing_file(two_cuts, tmp_path, capsys):
    assert main(["snapshot", "diff", str(two_cuts[0]), str(two_cuts[1])]) == 0
    assert "New infused:" in capsys.readouterr().out
    assert main(["snapshot", "diff", str(tmp_path / "none.duckdb"), str(two_cuts[1])]) == 1
    assert "no snapshot at" in capsys.readouterr().err
