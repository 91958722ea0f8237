"""Cmax and AUC by responder and by CRS grade (trialdash/analysis/kinetics_groups.py), on the
hand-written kinetics trial of test_kinetics_analysis.py.

Hand count: S1 (T-ALL, BOR CR: responder; CRS ASTCT grade 2 then 1 -> worst 2) Cmax 10,000;
S2 (AITL, BOR PD: non-responder; ICANS only -> no CRS) never expanded; S5 (T-LBL, no ADRS
record -> BOR NE, non-responder; no AE -> no CRS) Cmax 40,000.
"""

from __future__ import annotations

from test_kinetics_analysis import kin_trial  # noqa: F401 (fixture)

from trialdash.analysis import kinetics
from trialdash.analysis import kinetics_groups as kg


def test_by_responder(kin_trial):  # noqa: F811
    cohort = kin_trial.cohort()
    groups = kg.responder_groups(cohort)
    assert groups[["S1", "S2", "S5"]].tolist() == [kg.RESPONDER, kg.NON_RESPONDER,
                                                     kg.NON_RESPONDER]
    table = kg.nca_by_group(kinetics.nca_by_patient(cohort), groups,
                            [kg.RESPONDER, kg.NON_RESPONDER, kg.NOT_EVALUABLE], "Response")
    rows = table.set_index("Response")
    assert list(rows.index) == [kg.RESPONDER, kg.NON_RESPONDER]
    assert rows.loc[kg.RESPONDER, "Cmax: median (range)"] == "10,000 (10,000–10,000)"
    assert rows.loc[kg.NON_RESPONDER, "Expanded / patients"] == "1/2"
    assert rows.loc[kg.NON_RESPONDER, "Cmax (copies/µg gDNA): geometric mean (CV%)"] == (
        "40,000 (NA)")


def test_by_worst_crs_grade_on_the_astct_scale(kin_trial):  # noqa: F811
    cohort = kin_trial.cohort()
    groups = kg.crs_groups(cohort)
    assert groups.to_dict() == {"S1": "CRS grade 2", "S2": kg.NO_CRS, "S5": kg.NO_CRS,
                                "S6": kg.NO_CRS}
    table = kg.nca_by_group(kinetics.nca_by_patient(cohort), groups, kg.CRS_LEVELS, "CRS")
    assert list(table["CRS"]) == [kg.NO_CRS, "CRS grade 2"]
    assert list(table["Expanded / patients"]) == ["1/2", "1/1"]
