"""CAR-T response reporting (trialdash/analysis/cart_response.py) on a hand-made cohort.

Fixture (day = days since infusion; window 3 months = 91.3 days):
- A T-ALL, low: OVR d28 CRi (MRD POSITIVE), d60 CR (MRD NEGATIVE), d120 CR (outside);
  BMRESP d28 CR.
- B T-LBL, high, allo-HSCT day 50: OVR d28 PR, d45 PR, d70 CR (after HSCT, never counts);
  BMRESP d28 CR; EMRESP d28 PR, d70 CR (after HSCT); relapse CD7 NEGATIVE.
- C PTCL-NOS, high: OVR d28 PD, d84 CR (after the first PD); EMRESP d28 PD; relapse CD7
  POSITIVE.
- D T-ALL, high, EFFFL N (not evaluable): OVR d28 CR.
- E T-ALL, high: OVR d95 CR (outside the window) -> NE.
Hand count (evaluable A, B, C, E): CR 1/4 (A), CR/CRi 1/4, ORR 2/4 (A; B's PR for T-LBL),
MRD-negative CR/CRi 1/4 (A), marrow CR/CRi 2/2 (A, B), extramedullary ORR 1/2 (B),
extramedullary CR 0/2, CD7-negative relapse 1/2 (B of B, C).
Exact CIs: R binom.test(1, 4) 0.0063-0.8059; binom.test(2, 4) 0.0676-0.9324;
binom.test(2, 2) 0.1581-1; binom.test(1, 2) 0.0126-0.9874; binom.test(0, 2) 0-0.8419.
"""

from __future__ import annotations

import pandas as pd
import pytest

from trialdash.analysis import cart_response as cr
from trialdash.trial import Trial

LOW, HIGH = "low", "high"


def _subjects(with_relapse_cd7: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame({
        "USUBJID": list("ABCDE"), "infused": "Y",
        "dose_group": [LOW, HIGH, HIGH, HIGH, HIGH], "dose_order": [1, 2, 2, 2, 2],
        "subtype": ["T-ALL", "T-LBL", "PTCL-NOS", "T-ALL", "T-ALL"],
        "EFFFL": ["Y", "Y", "Y", "N", "Y"],
        "hsct_day": [None, 50, None, None, None],
    })
    if with_relapse_cd7:
        frame["RELCD7"] = [None, "NEGATIVE", "POSITIVE", None, None]
    return frame


ROWS = [  # USUBJID, PARAMCD, AVALC, day, MRDSTAT
    ("A", "OVR", "CRi", 28, "POSITIVE"), ("A", "OVR", "CR", 60, "NEGATIVE"),
    ("A", "OVR", "CR", 120, "NEGATIVE"), ("A", "BMRESP", "CR", 28, None),
    ("B", "OVR", "PR", 28, None), ("B", "OVR", "PR", 45, None), ("B", "OVR", "CR", 70, None),
    ("B", "BMRESP", "CR", 28, None), ("B", "EMRESP", "PR", 28, None),
    ("B", "EMRESP", "CR", 70, None),
    ("C", "OVR", "PD", 28, None), ("C", "OVR", "CR", 84, None), ("C", "EMRESP", "PD", 28, None),
    ("D", "OVR", "CR", 28, None), ("E", "OVR", "CR", 95, None),
]


def _trial(rows=ROWS, with_relapse_cd7: bool = True, with_mrd: bool = True) -> Trial:
    subjects = _subjects(with_relapse_cd7)
    adrs = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "AVALC", "day", "MRDSTAT"])
    adrs["CRIT"] = None
    if not with_mrd:
        adrs["MRDSTAT"] = None

    def run(name: str, **params) -> pd.DataFrame:
        if name == "subjects":
            return subjects
        if name == "response_assessments":
            return adrs[adrs["USUBJID"].isin(params["subjects"])].reset_index(drop=True)
        raise AssertionError(name)

    return Trial(run, {"source_kind": "synthetic",
                       "row_counts": {"adsl": len(subjects), "adrs": len(adrs)}})


@pytest.fixture()
def result():
    return cr.cart_response(_trial().cohort())


def test_window_and_hsct_rules_per_patient(result):
    best = result.patients.set_index("USUBJID")
    assert best["best"].to_dict() == {"A": "CR", "B": "PR", "C": "PD", "D": "CR", "E": "NE"}
    assert best["marrow_best"].to_dict() == {"A": "CR", "B": "CR", "C": None, "D": None,
                                             "E": None}
    assert best.loc["B", "em_best"] == "PR" and best.loc["C", "em_best"] == "PD"
    assert list(best.index[best["mrd_negative_complete"]]) == ["A"]
    assert cr.WINDOW_DAYS == pytest.approx(91.3125)


def test_table_counts_by_hand_with_exact_cis(result):
    table = cr.cart_response_table(result).set_index("Statistic")
    overall = table["Overall"]
    assert overall["Evaluable patients (N)"] == "4"
    assert overall["CR"] == "1/4 (25%) [1–81]"
    assert overall["CR/CRi"] == "1/4 (25%) [1–81]"
    assert overall["ORR (CR + CRi T-ALL; CR + PR others)"] == "2/4 (50%) [7–93]"
    assert overall["MRD-negative CR/CRi"] == "1/4 (25%) [1–81]"
    assert overall["Marrow CR/CRi (patients with marrow disease)"] == "2/2 (100%) [16–100]"
    assert overall["Extramedullary ORR, CR + PR (patients with EMD)"] == "1/2 (50%) [1–99]"
    assert overall["Extramedullary CR (patients with EMD)"] == "0/2 (0%) [0–84]"
    assert overall["CD7-negative relapse (relapses with CD7 status)"] == "1/2 (50%) [1–99]"
    assert list(table.columns) == ["Overall", LOW, HIGH]
    assert table.loc["CR", HIGH] == "0/3 (0%) [0–71]"  # B, C, E; R binom.test(0, 3) 0-0.7076


def test_absent_variables_say_not_in_the_data():
    """As on main today: no BMRESP/EMRESP rows, no RELCD7 column, no MRD status."""
    plain = [r for r in ROWS if r[1] == "OVR"]
    result = cr.cart_response(_trial(plain, with_relapse_cd7=False, with_mrd=False).cohort())
    overall = cr.cart_response_table(result).set_index("Statistic")["Overall"]
    for row in cr.STATISTICS[4:]:
        assert overall[row] == cr.NOT_IN_DATA
    assert overall["CR"] == "1/4 (25%) [1–81]"
    shown = cr.patient_table(result)
    assert set(shown["Marrow"]) == {""} and set(shown["Relapse CD7"]) == {""}


def test_marrow_and_extramedullary_rows_pass_through_a_real_snapshot(tmp_path):
    """The tiny trial (tiny_trial.py) with BMRESP and EMRESP records added before the build:
    S1 (T-ALL) marrow CR at day 28 and extramedullary PR at day 28 then CR at day 120
    (outside 3 months); S2 has neither. Hand count: marrow CR/CRi 1/1, extramedullary ORR 1/1,
    extramedullary CR 0/1 (the CR at day 120 is outside the window)."""
    from datetime import date

    from tiny_trial import tiny_datasets

    from trialdash.derive import derive_all
    from trialdash.snapshot import SnapshotMeta, write_snapshot

    data = tiny_datasets()
    D = pd.Timestamp  # infusion of S1: 2023-01-10
    extra = pd.DataFrame({
        "USUBJID": ["S1", "S1", "S1"], "PARAMCD": ["BMRESP", "EMRESP", "EMRESP"],
        "AVALC": ["CR", "PR", "CR"], "ADT": [D("2023-02-07"), D("2023-02-07"), D("2023-05-10")],
        "CRIT": "NCCN/ELN (T-ALL)"})
    data["adrs"] = pd.concat([data["adrs"], extra], ignore_index=True)
    meta = SnapshotMeta("TINY", "Tiny", None, date(2024, 1, 31), "adam", "fixture", [], None,
                        "TRT01A", "DISTYPE")
    trial = Trial.open(write_snapshot(derive_all(data), meta, tmp_path / "t.duckdb"))
    result = cr.cart_response(trial.cohort())
    overall = cr.cart_response_table(result).set_index("Statistic")["Overall"]
    assert overall["Marrow CR/CRi (patients with marrow disease)"].startswith("1/1 ")
    assert overall["Extramedullary ORR, CR + PR (patients with EMD)"].startswith("1/1 ")
    assert overall["Extramedullary CR (patients with EMD)"].startswith("0/1 ")
