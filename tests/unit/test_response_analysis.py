"""Best overall response, ORR and CR rate against hand counts from a small response fixture.

The fixture (all infused on 2023-01-01 = day 0, except P6):

id  dose  subtype   ADRS                                        other (days)          EFFFL
P1  0.25  T-ALL     OVR CRI d28, CR d56, PD d150; BOR CR        PD 150, alive to 300  Y
P2  0.25  T-ALL     OVR PR d28, PR d56; BOR PR                  alive to 200          Y
P3  0.5   T-LBL     OVR PR d28, PD d60, CR d90; no BOR          PD 60, died 120       Y
P4  0.5   PTCL-NOS  none                                        alive to 40           N
P5  1.0   AITL      OVR cr d28 (lower case); BOR cr             allo-HSCT 70, to 400  Y
P6  1.0   ALCL      OVR PR d28 (not infused: must be ignored)                         N
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from trialdash.analysis import response as rsp
from trialdash.analysis.stats import clopper_pearson
from trialdash.derive import derive_all
from trialdash.snapshot import SnapshotMeta, write_snapshot
from trialdash.trial import Trial

DAY0 = pd.Timestamp("2023-01-01")
DOSES = {"0.25": 0.25, "0.5": 0.5, "1.0": 1.0}


def _d(day: int | None):
    return pd.NaT if day is None else DAY0 + pd.Timedelta(days=day)


def response_datasets(efffl: bool = True) -> dict[str, pd.DataFrame]:
    """ADSL and ADRS of the fixture in the module docstring; ``efffl=False`` blanks EFFFL."""
    ids = ["P1", "P2", "P3", "P4", "P5", "P6"]
    dose = ["0.25", "0.25", "0.5", "0.5", "1.0", "1.0"]
    labels = [f"{d} x10^6 cells/kg" for d in dose]
    adsl = pd.DataFrame({
        "STUDYID": "RESP", "USUBJID": ids,
        "DISTYPE": ["T-ALL", "T-ALL", "T-LBL", "PTCL-NOS", "AITL", "ALCL"],
        "TRT01P": labels, "TRT01PN": [DOSES[d] for d in dose],
        "TRT01A": labels[:5] + [None], "TRT01AN": [DOSES[d] for d in dose[:5]] + [None],
        "TRTSDT": [DAY0] * 5 + [pd.NaT],
        "EFFFL": ["Y", "Y", "Y", "N", "Y", "N"] if efffl else [None] * 6,
        "PDDT": [_d(150), pd.NaT, _d(60), pd.NaT, pd.NaT, pd.NaT],
        "HSCTDT": [pd.NaT] * 4 + [_d(70), pd.NaT],
        "DTHFL": ["N", "N", "Y", "N", "N", "N"],
        "DTHDT": [pd.NaT, pd.NaT, _d(120), pd.NaT, pd.NaT, pd.NaT],
        "LSTALVDT": [_d(300), _d(200), _d(120), _d(40), _d(400), pd.NaT],
    })
    records = [
        ("P1", "OVR", "CRI", 28), ("P1", "OVR", "CR", 56), ("P1", "OVR", "PD", 150),
        ("P1", "BOR", "CR", 56),
        ("P2", "OVR", "PR", 28), ("P2", "OVR", "PR", 56), ("P2", "BOR", "PR", 28),
        ("P3", "OVR", "PR", 28), ("P3", "OVR", "PD", 60), ("P3", "OVR", "CR", 90),
        ("P5", "OVR", "cr", 28), ("P5", "BOR", "cr", 28),
        ("P6", "OVR", "PR", 28),
    ]
    crit = {"P1": "NCCN/ELN (T-ALL)", "P2": "NCCN/ELN (T-ALL)", "P3": "Lugano 2014",
            "P5": "Lugano 2014", "P6": "Lugano 2014"}
    adrs = pd.DataFrame(records, columns=["USUBJID", "PARAMCD", "AVALC", "day"])
    adrs["ADT"] = adrs["day"].map(_d)
    adrs["CRIT"] = adrs["USUBJID"].map(crit)
    return {"adsl": adsl, "adrs": adrs.drop(columns="day")}


def build_response_trial(path: Path, efffl: bool = True) -> Trial:
    """Write the fixture as a snapshot at ``path`` and open it."""
    meta = SnapshotMeta("RESP", "Response fixture", None, date(2024, 6, 30), "adam",
                        "hand-written fixture", [], None, "TRT01A", "DISTYPE")
    write_snapshot(derive_all(response_datasets(efffl)), meta, path)
    return Trial.open(path)


@pytest.fixture(scope="module")
def trial(tmp_path_factory) -> Trial:
    return build_response_trial(tmp_path_factory.mktemp("resp") / "resp.duckdb")


@pytest.fixture(scope="module")
def best(trial) -> pd.DataFrame:
    return rsp.best_response(trial.cohort()).set_index("USUBJID")


@pytest.mark.parametrize(("bor", "subtype", "expected"), [
    ("CR", "T-ALL", True), ("CRi", "T-ALL", True), ("CRI", "T-ALL", True),
    ("PR", "T-ALL", False), ("SD", "T-ALL", False),
    ("CR", "T-LBL", True), ("PR", "T-LBL", True), ("PR", "PTCL-NOS", True),
    ("PR", "AITL", True), ("PD", "ALCL", False), ("NE", "AITL", False),
    ("PR", "B-ALL", False), ("PR", "T-LBL/ALL", True), ("pr", None, True),
    ("CMR", "ALCL", True), (None, "T-ALL", False),
])
def test_is_responder_definition(bor, subtype, expected):
    """Definition from the trial brief: T-ALL CR + CRi; lymphomas and T-LBL CR + PR."""
    assert rsp.is_responder(bor, subtype) is expected


def test_normalise_response_case_and_synonyms():
    """Hand list: case is normalised, Lugano metabolic terms map, unknown/missing is NE."""
    raw = ["cri", " CR ", "PMR", "relapse", "xyz", None, float("nan")]
    assert [rsp.normalise_response(v) for v in raw] == ["CRi", "CR", "PR", "PD", "NE", "NE",
                                                        "NE"]


def test_best_response_one_row_per_infused_patient(best):
    """Hand count from the fixture: P1-P5 infused, P6 (with an OVR record) is not."""
    assert list(best.index) == ["P1", "P2", "P3", "P4", "P5"]


def test_bor_source_and_derivation(best):
    """Hand derivation from the fixture: P3 has no BOR record, its OVR before the first PD is
    PR (the CR on day 90 comes after PD); P4 has no assessment; P5's 'cr' is normalised."""
    assert best.loc["P1", "BOR"] == "CR" and best.loc["P1", "bor_source"] == rsp.BOR_RECORD
    assert best.loc["P3", "BOR"] == "PR" and best.loc["P3", "bor_source"] == rsp.BOR_DERIVED
    assert best.loc["P4", "BOR"] == "NE" and best.loc["P4", "bor_source"] == rsp.BOR_NONE
    assert best.loc["P5", "BOR"] == "CR"


def test_responder_and_complete_response_flags(best):
    """Hand classification: T-ALL PR (P2) is not a response, T-LBL PR (P3) is; CR = P1, P5."""
    assert best["responder"].to_dict() == {"P1": True, "P2": False, "P3": True, "P4": False,
                                           "P5": True}
    assert list(best.index[best["complete_response"]]) == ["P1", "P5"]


def test_first_response_day_and_criteria(best):
    """Fixture: P1 first responds with CRi on day 28; P2 (T-ALL PR) never meets the definition;
    P4 has no CRIT and gets the lymphoma default."""
    assert best.loc["P1", "first_response_day"] == 28
    assert pd.isna(best.loc["P2", "first_response_day"])
    assert best.loc["P3", "first_response_day"] == 28
    assert best.loc["P1", "criteria"] == "NCCN/ELN (T-ALL)"
    assert best.loc["P4", "criteria"] == rsp.LYMPHOMA_CRITERIA


def test_evaluable_population_from_efffl(trial, tmp_path):
    """EFFFL filled: 4 of 5 infused (P4 is N). EFFFL blank: the 4 infused patients with a
    response assessment (P4 was never assessed, so is not silently a non-responder)."""
    population = rsp.evaluable_population(trial.cohort())
    assert (population.count.kept, population.count.total) == (4, 5)
    assert "P4" not in population.ids
    assert population.unassessed == 0
    blank = build_response_trial(tmp_path / "blank.duckdb", efffl=False)
    population = rsp.evaluable_population(blank.cohort())
    assert (population.count.kept, population.count.total) == (4, 5)
    assert "P4" not in population.ids
    assert "EFFFL not recorded" in population.rule
    best = rsp.best_response(blank.cohort()).set_index("USUBJID")
    assert not best.loc["P4", "evaluable"]
    assert rsp.orr_table(blank.cohort(), by=None).iloc[-1]["n"] == 4


def test_orr_table_by_dose_group(trial):
    """Hand count among evaluable: 0.25 -> P1 responds, P2 not (1/2; CR 1/2); 0.5 -> P3 only
    (P4 not evaluable) 1/1, CR 0/1; 1.0 -> P5 1/1, CR 1/1; overall 3/4, CR 2/4.
    CI reference: R binom.test(3, 4)$conf.int = 0.1941204 0.9936905."""
    table = rsp.orr_table(trial.cohort(), by="dose_group").set_index("group")
    assert list(table.index) == ["0.25 x10^6 cells/kg", "0.5 x10^6 cells/kg",
                                 "1.0 x10^6 cells/kg", "Overall"]
    assert table[["responders", "n", "cr"]].to_numpy().tolist() == [[1, 2, 1], [1, 1, 0],
                                                                      [1, 1, 1], [3, 4, 2]]
    overall = table.loc["Overall"]
    assert overall["orr"] == pytest.approx(0.75)
    assert overall["orr_lower"] == pytest.approx(0.1941204, abs=1e-6)
    assert overall["orr_upper"] == pytest.approx(0.9936905, abs=1e-6)
    assert (overall["cr_lower"], overall["cr_upper"]) == pytest.approx(clopper_pearson(2, 4))
    assert overall["orr_display"] == "3/4 (75%) [19–99]"
    assert "Lugano 2014" in overall["criteria"] and "NCCN/ELN (T-ALL)" in overall["criteria"]


def test_orr_table_by_subtype_keeps_group_without_evaluable(trial):
    """Hand count: PTCL-NOS has only P4 (not evaluable) -> 0/0, NaN rate, '0/0 (NA)'; the
    T-ALL row uses the leukaemia definition."""
    table = rsp.orr_table(trial.cohort(), by="subtype").set_index("group")
    assert list(table.index) == ["T-ALL", "T-LBL", "PTCL-NOS", "AITL", "Overall"]
    assert table.loc["PTCL-NOS", "n"] == 0 and pd.isna(table.loc["PTCL-NOS", "orr"])
    assert table.loc["PTCL-NOS", "orr_display"] == "0/0 (NA)"
    assert table.loc["T-ALL", "orr_display"] == "1/2 (50%) [1–99]"
    assert table.loc["T-ALL", "definition"] == "CR + CRi"
    assert table.loc["T-LBL", "definition"] == "CR + PR"
    assert table.loc["Overall", "definition"] == "CR + CRi (T-ALL); CR + PR (others)"


def test_orr_table_overall_only_and_filter(trial):
    """by=None gives the Overall row only; a dose filter (1.0) leaves P5 alone: 1/1."""
    assert list(rsp.orr_table(trial.cohort(), by=None)["group"]) == ["Overall"]
    from trialdash.analysis.filters import Filter

    cohort = trial.cohort(Filter.of(dose_groups=["1.0 x10^6 cells/kg"]))
    overall = rsp.orr_table(cohort, by=None).iloc[0]
    assert (overall["responders"], overall["n"]) == (1, 1)


def test_bor_counts_per_dose_group(trial):
    """Hand count of evaluable BOR: 0.25 -> CR 1, PR 1; 0.5 -> PR 1; 1.0 -> CR 1."""
    counts = rsp.bor_counts(rsp.best_response(trial.cohort()))
    nonzero = counts[counts["n"] > 0]
    assert nonzero.values.tolist() == [["0.25 x10^6 cells/kg", "CR", 1],
                                       ["0.25 x10^6 cells/kg", "PR", 1],
                                       ["0.5 x10^6 cells/kg", "PR", 1],
                                       ["1.0 x10^6 cells/kg", "CR", 1]]
    assert len(counts) == 3 * len(rsp.RESPONSE_ORDER)


def test_derived_best_response_ignores_assessments_after_allo_hsct(tmp_path):
    """Hand-made change to the fixture: P3 (no BOR record) is transplanted on day 20 instead
    of progressing, so its OVR PR d28, PD d60 and CR d90 all follow the transplant and none
    counts: BOR NE (no CAR-T response), no first response day. P5 keeps its BOR record."""
    data = response_datasets()
    adsl = data["adsl"]
    adsl.loc[adsl["USUBJID"] == "P3", "HSCTDT"] = _d(20)
    meta = SnapshotMeta("RESP", "Response fixture", None, date(2024, 6, 30), "adam",
                        "hand-written fixture", [], None, "TRT01A", "DISTYPE")
    trial = Trial.open(write_snapshot(derive_all(data), meta, tmp_path / "h.duckdb"))
    best = rsp.best_response(trial.cohort()).set_index("USUBJID")
    assert best.loc["P3", "BOR"] == "NE" and not best.loc["P3", "responder"]
    assert pd.isna(best.loc["P3", "first_response_day"])
    assert best.loc["P5", "BOR"] == "CR"
