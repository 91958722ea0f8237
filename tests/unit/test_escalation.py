"""3+3 decisions and the MTD, against the protocol rules in /work/shared/clinical-profile.md.

Source for every expected value below: the trial's 3+3 conventions ("0/3 DLT escalate;
1/3 expand to 6; <=1/6 escalate; >=2 DLTs in 3-6 means the dose is above the MTD"), the
standard 3+3 design (Storer 1989), and the extension to more than 6 evaluable patients by
the DLT rate (<= 1/6 tolerated) documented in trialdash.analysis.escalation.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from trialdash.analysis.escalation import (
    DoseLevelDecision,
    escalation_ledger,
    three_plus_three,
)


@pytest.mark.parametrize(
    ("dlts", "decision"),
    [(0, "Escalate"), (1, "Expand to 6"), (2, "Exceeds MTD"), (3, "Exceeds MTD")],
)
def test_every_pattern_of_three(dlts, decision):
    """Source: protocol: 0/3 escalate, 1/3 expand to 6, 2+/3 above the MTD."""
    assert three_plus_three(3, dlts) == decision


@pytest.mark.parametrize(
    ("dlts", "decision"),
    [
        (0, "Escalate"),
        (1, "Escalate"),
        (2, "Exceeds MTD"),
        (3, "Exceeds MTD"),
        (4, "Exceeds MTD"),
        (5, "Exceeds MTD"),
        (6, "Exceeds MTD"),
    ],
)
def test_every_pattern_of_six(dlts, decision):
    """Source: protocol: <= 1/6 escalate (tolerated), >= 2/6 above the MTD."""
    assert three_plus_three(6, dlts) == decision


@pytest.mark.parametrize(
    ("evaluable", "dlts", "decision"),
    [
        (0, 0, "Incomplete cohort"),
        (2, 0, "Incomplete cohort"),
        (2, 1, "Incomplete cohort"),
        (2, 2, "Exceeds MTD"),  # 2 DLTs already: no third patient can make it tolerable
        (4, 1, "Expand to 6"),
        (5, 1, "Expand to 6"),
        (5, 2, "Exceeds MTD"),
    ],
)
def test_incomplete_and_expanding_cohorts(evaluable, dlts, decision):
    """Source: protocol rules applied before the cohort is complete (>= 2 DLTs is final)."""
    assert three_plus_three(evaluable, dlts) == decision


@pytest.mark.parametrize(
    ("evaluable", "dlts", "decision"),
    [
        (7, 1, "Escalate"),  # 1/7 = 0.143 <= 1/6
        (8, 1, "Escalate"),  # 0.125
        (12, 2, "Escalate"),  # 2/12 = 1/6 exactly: tolerated
        (8, 2, "Exceeds MTD"),  # 0.25 > 1/6
        (13, 3, "Exceeds MTD"),  # 0.231
    ],
)
def test_more_than_six_uses_the_dlt_rate(evaluable, dlts, decision):
    """Source: documented extension: rate <= 1/6 tolerated, > 1/6 above the MTD."""
    assert three_plus_three(evaluable, dlts) == decision


@pytest.mark.parametrize(("evaluable", "dlts"), [(3, 4), (-1, 0), (3, -1)])
def test_impossible_counts_raise(evaluable, dlts):
    """Source: definition (0 <= DLTs <= evaluable)."""
    with pytest.raises(ValueError):
        three_plus_three(evaluable, dlts)


def test_ledger_for_the_trial_course():
    """Source: clinical profile: 0.25 x10^6/kg n=3 (0 DLT), 0.5 n=3 (0 DLT), 1.0 n=8 with 6
    evaluable in escalation and 1 DLT (2 in expansion): MTD not exceeded, the highest dose
    tolerated in 6 patients."""
    levels = pd.DataFrame({
        "dose": ["0.25", "0.5", "1.0"],
        "treated": [3, 3, 8],
        "evaluable": [3, 3, 6],
        "dlts": [0, 0, 1],
    })
    ledger, mtd = escalation_ledger(levels)
    assert list(ledger.columns) == [
        "dose", "treated", "evaluable", "dlts", "decision", "rule", "is_mtd",
    ]
    assert ledger["decision"].tolist() == ["Escalate", "Escalate", "Tolerated (highest dose)"]
    assert ledger["treated"].tolist() == [3, 3, 8]
    assert ledger["is_mtd"].tolist() == [False, False, True]
    assert mtd == "1.0"
    assert all(isinstance(r, str) and r for r in ledger["rule"])
    assert "1/6" in ledger["rule"].iloc[2]


def test_ledger_top_dose_exceeds_mtd():
    """Source: protocol: 2/6 at 1.0 exceeds the MTD; the level below (0.5, 1/6) is the MTD."""
    levels = pd.DataFrame({
        "dose": [0.25, 0.5, 1.0],
        "treated": [3, 6, 6],
        "evaluable": [3, 6, 6],
        "dlts": [0, 1, 2],
    })
    ledger, mtd = escalation_ledger(levels)
    assert ledger["decision"].tolist() == ["Escalate", "Escalate", "Exceeds MTD"]
    assert mtd == "0.5"
    assert ledger["is_mtd"].tolist() == [False, True, False]


def test_mtd_not_determined_when_level_below_has_only_three():
    """Source: 3+3 design: the MTD must have been given to 6 patients; 0/3 at 0.5 then 2/3 at
    1.0 means 0.5 has to be expanded to 6 before it can be declared."""
    levels = pd.DataFrame({
        "dose": ["0.25", "0.5", "1.0"],
        "treated": [3, 3, 3],
        "evaluable": [3, 3, 3],
        "dlts": [0, 0, 2],
    })
    _, mtd = escalation_ledger(levels)
    assert mtd is None


def test_mtd_not_determined_when_lowest_dose_exceeds():
    """Source: 3+3 design: 2/3 at the lowest dose leaves no tolerated dose."""
    levels = pd.DataFrame({"dose": ["0.25"], "treated": [3], "evaluable": [3], "dlts": [2]})
    ledger, mtd = escalation_ledger(levels)
    assert ledger["decision"].tolist() == ["Exceeds MTD"] and mtd is None


def test_mtd_not_determined_while_top_dose_still_expanding():
    """Source: 3+3 design: 1/3 at the top dose -> expand to 6; the MTD is still open."""
    levels = pd.DataFrame({
        "dose": ["0.25", "0.5"], "treated": [6, 3], "evaluable": [6, 3], "dlts": [0, 1],
    })
    ledger, mtd = escalation_ledger(levels)
    assert ledger["decision"].tolist() == ["Escalate", "Expand to 6"]
    assert mtd is None


def test_ledger_rejects_more_evaluable_than_treated():
    """Source: definition (evaluable patients are a subset of those treated)."""
    levels = pd.DataFrame({"dose": ["1"], "treated": [2], "evaluable": [3], "dlts": [0]})
    with pytest.raises(ValueError):
        escalation_ledger(levels)


def test_decision_dataclass_is_frozen():
    """Source: module contract (plain frozen dataclasses)."""
    d = DoseLevelDecision("1.0", 8, 6, 1, "Escalate", "rule")
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.dlts = 2
