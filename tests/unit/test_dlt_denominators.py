"""One DLT-evaluable definition for patient flow, the 3+3 ledger and the safety table, and
the MTD sentence.

Sources: clinical-profile.md (3+3 rules; synthetic cohort 0.25 n=3 0 DLT, 0.5 n=3 0 DLT,
1.0 n=8 = 6 escalation with 1 DLT + 2 expansion) and hand counts of the small frames below.
"""

from __future__ import annotations

import pandas as pd

from trialdash.analysis import enrollment, overview, safety
from trialdash.analysis.escalation import (
    DLT_EVALUABLE_DEFINITION,
    dlt_evaluable,
    escalation_ledger,
    mtd_statement,
)

HIGH = "1.0 x10^6 cells/kg"


def test_dlt_evaluable_excludes_expansion_and_not_evaluable():
    """Hand count: escalation + DLTEVLFL Y counts (rows 1, 4: blank COHORT = escalation);
    expansion (row 2), DLTEVLFL N (row 3) and not infused (row 5) do not."""
    subjects = pd.DataFrame({
        "infused": ["Y", "Y", "Y", "Y", "N"],
        "DLTEVLFL": ["Y", "Y", "N", "Y", "Y"],
        "COHORT": ["Escalation", "Expansion", "Escalation", None, "Escalation"],
    })
    assert dlt_evaluable(subjects).tolist() == [True, False, False, True, False]
    assert dlt_evaluable(subjects.drop(columns="COHORT")).tolist() == [
        True, True, False, True, False]


def test_flow_ledger_and_safety_table_share_the_denominator(trial):
    """clinical-profile.md: at 1.0, 6 DLT-evaluable (escalation) with 1 DLT; before, patient
    flow said 8 and the safety table 1/8 over all infused."""
    cohort = trial.cohort()
    flow = enrollment.disposition(cohort).flow.set_index("step")
    ledger, _ = overview.escalation(cohort)
    summary = safety.teae_summary(cohort, 28)
    dlt = summary.counts[summary.counts["category"] == "dlt"].set_index("dose_group")
    assert flow.loc["DLT-evaluable (escalation)", HIGH] == 6
    assert ledger.set_index("dose")[["evaluable", "dlts"]].loc[HIGH].tolist() == [6, 1]
    assert (dlt.loc[HIGH, "n"], dlt.loc[HIGH, "N"]) == (1, 6)
    assert (dlt.loc[safety.OVERALL, "n"], dlt.loc[safety.OVERALL, "N"]) == (1, 12)
    assert DLT_EVALUABLE_DEFINITION in summary.note
    assert DLT_EVALUABLE_DEFINITION in overview.mtd_text(ledger)


def test_mtd_not_reached_wording(trial):
    """clinical-profile.md: no dose level exceeded the MTD, so the overview says
    'MTD not reached; highest dose tested 1.0 ... (1 DLT in 6)', never 'MTD: 1.0'."""
    ledger, _ = overview.escalation(trial.cohort())
    text = mtd_statement(ledger)
    assert text == f"MTD not reached; highest dose tested {HIGH} (1 DLT in 6)"
    assert not overview.mtd_text(ledger).startswith("**MTD:")


def _levels(rows):
    return pd.DataFrame(rows, columns=["dose", "treated", "evaluable", "dlts"])


def test_mtd_found_and_not_determined_wording():
    """3+3 (clinical-profile.md): 2/3 DLTs at the top exceeds; the level below tolerated in 6
    (1/6) is the MTD. With only 3 at the level below, the MTD is not determined."""
    ledger, _ = escalation_ledger(_levels([("A", 3, 3, 0), ("B", 6, 6, 1), ("C", 3, 3, 2)]))
    assert mtd_statement(ledger) == "MTD: B (1 DLT in 6)"
    ledger, _ = escalation_ledger(_levels([("A", 3, 3, 0), ("B", 3, 3, 0), ("C", 3, 3, 2)]))
    assert mtd_statement(ledger) == ("MTD not determined: C exceeded it (2 DLTs in 3) and no "
                                     "lower dose level was confirmed in six patients")
