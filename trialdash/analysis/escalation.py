"""3+3 dose-escalation decisions and the maximum tolerated dose (MTD).

Rules (trial protocol conventions; DLT window 28 days)
------------------------------------------------------
Counts are of DLT-evaluable patients of the escalation cohort at one dose level (expansion
patients treated after the decision do not change it).

======================  =====================  ==========================================
evaluable patients      DLTs                   decision
======================  =====================  ==========================================
fewer than 3            0 or 1                 "Incomplete cohort" (enrol to 3)
fewer than 3            2 or more              "Exceeds MTD" (no third patient can undo it)
3 to 5                  0                      "Escalate"
3 to 5                  1                      "Expand to 6"
3 to 6                  2 or more              "Exceeds MTD"
6                       0 or 1                 "Escalate" (tolerated, <= 1/6)
more than 6             rate <= 1/6            "Escalate" (tolerated)
more than 6             rate > 1/6             "Exceeds MTD"
======================  =====================  ==========================================

"Escalate" means the dose was tolerated; at the highest dose level of a ledger, where there
is nothing to escalate to, the ledger shows it as "Tolerated (highest dose)".

MTD (exact definition used by :func:`escalation_ledger`)
--------------------------------------------------------
* If some dose level exceeds the MTD, take the lowest such level. The MTD is the level
  immediately below it, provided that level was tolerated with at least 6 evaluable
  patients; otherwise the MTD is not determined (``None``): either the lowest dose already
  exceeds it, or the level below must first be expanded to 6.
* If no level exceeds the MTD, the MTD was not exceeded. The MTD label is then the highest
  dose level, provided it was tolerated with at least 6 evaluable patients (the highest dose
  tested is the maximum tolerated one); otherwise ``None`` (escalation still incomplete, or
  the top dose was given to only 3 patients and not confirmed in 6).
Levels above the lowest level that exceeds the MTD (a protocol deviation) are shown in the
ledger but do not affect the MTD.

What pages say (:func:`mtd_statement`): a found MTD only when a dose level exceeded it;
when none did, "MTD not reached; highest dose tested <dose> (<k> DLT in <n>)", because
"MTD: <top dose>" would read as a toxicity ceiling found.

DLT-evaluable (:data:`DLT_EVALUABLE_DEFINITION`, :func:`dlt_evaluable`): one definition for
patient flow, the 3+3 ledger and the safety tables.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

__all__ = [
    "DLT_EVALUABLE_DEFINITION",
    "DoseLevelDecision",
    "ESCALATE",
    "EXCEEDS",
    "EXPAND",
    "INCOMPLETE",
    "TOLERATED_TOP",
    "dlt_evaluable",
    "escalation_ledger",
    "mtd_statement",
    "three_plus_three",
]

ESCALATE = "Escalate"
EXPAND = "Expand to 6"
EXCEEDS = "Exceeds MTD"
INCOMPLETE = "Incomplete cohort"
TOLERATED_TOP = "Tolerated (highest dose)"
EXPANSION = "EXPANSION"
DLT_EVALUABLE_DEFINITION = (
    "DLT-evaluable = infused patients of the dose-escalation cohort with DLTEVLFL 'Y' "
    "(completed the 28-day DLT window, or had a DLT within it); expansion patients are not "
    "DLT-evaluable. DLTs = DLTFL 'Y' among them."
)


def dlt_evaluable(subjects: pd.DataFrame) -> pd.Series:
    """Whether each ADSL row is DLT-evaluable (:data:`DLT_EVALUABLE_DEFINITION`).

    Needs ``infused`` and ``DLTEVLFL``; ``COHORT`` is optional (without it, or where it is
    blank, a patient counts as escalation).
    """
    cohort = (subjects["COHORT"] if "COHORT" in subjects.columns
              else pd.Series(None, index=subjects.index, dtype="object"))
    in_escalation = ~cohort.fillna("").astype(str).str.strip().str.upper().eq(EXPANSION)
    return (subjects["infused"].eq("Y") & subjects["DLTEVLFL"].eq("Y")
            & in_escalation).fillna(False).astype(bool)


@dataclass(frozen=True)
class DoseLevelDecision:
    """One row of the escalation ledger."""

    dose: str
    treated: int
    evaluable: int
    dlts: int
    decision: str
    rule: str


def _check(evaluable: int, dlts: int) -> None:
    if int(evaluable) != evaluable or int(dlts) != dlts:
        raise ValueError("evaluable and dlts must be whole numbers")
    if evaluable < 0 or dlts < 0 or dlts > evaluable:
        raise ValueError(f"need 0 <= dlts <= evaluable, got dlts={dlts}, evaluable={evaluable}")


def _decide(evaluable: int, dlts: int) -> tuple[str, str]:
    """Decision and the rule that produced it."""
    _check(evaluable, dlts)
    seen = f"{dlts}/{evaluable} DLT"
    if evaluable < 3:
        if dlts >= 2:
            return EXCEEDS, f"{seen}: 2 or more DLTs, dose exceeds the MTD"
        return INCOMPLETE, f"{seen}: fewer than 3 evaluable, enrol to 3"
    if dlts >= 2 and evaluable <= 6:
        return EXCEEDS, f"{seen}: 2 or more DLTs in 3-6 patients, dose exceeds the MTD"
    if evaluable < 6:
        if dlts == 0:
            return ESCALATE, f"{seen}: 0 DLTs in the first 3, escalate"
        return EXPAND, f"{seen}: 1 DLT, expand the cohort to 6"
    if evaluable == 6:
        return ESCALATE, f"{seen}: at most 1 DLT in 6, tolerated"
    if dlts * 6 <= evaluable:  # rate <= 1/6, in integers
        return ESCALATE, f"{seen}: more than 6 evaluable, DLT rate <= 1/6, tolerated"
    return EXCEEDS, f"{seen}: more than 6 evaluable, DLT rate > 1/6, dose exceeds the MTD"


def three_plus_three(evaluable: int, dlts: int) -> str:
    """3+3 decision for one dose level.

    Parameters
    ----------
    evaluable : int
        DLT-evaluable patients in the escalation cohort at this dose.
    dlts : int
        Patients among them with a dose-limiting toxicity.

    Returns
    -------
    str
        One of ``"Escalate"``, ``"Expand to 6"``, ``"Exceeds MTD"``, ``"Incomplete cohort"``;
        see the table in the module docstring.
    """
    return _decide(evaluable, dlts)[0]


def escalation_ledger(levels: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Apply the 3+3 rules to every dose level and determine the MTD.

    Parameters
    ----------
    levels : pandas.DataFrame
        One row per dose level, in increasing dose order, with columns ``dose`` (label),
        ``treated``, ``evaluable`` and ``dlts`` (DLT-evaluable patients of the escalation
        cohort and their DLTs; ``treated`` may include expansion patients).

    Returns
    -------
    ledger : pandas.DataFrame
        Columns ``dose, treated, evaluable, dlts, decision, rule, is_mtd``.
    mtd : str or None
        The MTD's dose label by the definition in the module docstring, or ``None`` when it
        is not determined.
    """
    missing = {"dose", "treated", "evaluable", "dlts"} - set(levels.columns)
    if missing:
        raise KeyError(f"levels lacks columns: {sorted(missing)}")
    decisions: list[DoseLevelDecision] = []
    for row in levels.itertuples(index=False):
        treated, evaluable, dlts = int(row.treated), int(row.evaluable), int(row.dlts)
        if evaluable > treated:
            raise ValueError(f"dose {row.dose}: evaluable ({evaluable}) > treated ({treated})")
        decision, rule = _decide(evaluable, dlts)
        decisions.append(DoseLevelDecision(str(row.dose), treated, evaluable, dlts, decision, rule))
    if decisions and decisions[-1].decision == ESCALATE:
        last = decisions[-1]
        decisions[-1] = DoseLevelDecision(
            last.dose, last.treated, last.evaluable, last.dlts, TOLERATED_TOP,
            last.rule + " (highest dose level)",
        )

    def tolerated_in_six(d: DoseLevelDecision) -> bool:
        return d.decision in (ESCALATE, TOLERATED_TOP) and d.evaluable >= 6

    mtd_index: int | None = None
    exceeds = [i for i, d in enumerate(decisions) if d.decision == EXCEEDS]
    if exceeds:
        below = exceeds[0] - 1
        if below >= 0 and tolerated_in_six(decisions[below]):
            mtd_index = below
    elif decisions and tolerated_in_six(decisions[-1]):
        mtd_index = len(decisions) - 1

    ledger = pd.DataFrame(
        [asdict(d) for d in decisions],
        columns=["dose", "treated", "evaluable", "dlts", "decision", "rule"],
    )
    ledger["is_mtd"] = [i == mtd_index for i in range(len(decisions))]
    mtd = None if mtd_index is None else decisions[mtd_index].dose
    return ledger, mtd


def _dlts_in(dlts: int, evaluable: int) -> str:
    return f"{dlts} DLT{'' if dlts == 1 else 's'} in {evaluable}"


def mtd_statement(ledger: pd.DataFrame) -> str:
    """What to say about the MTD, from :func:`escalation_ledger`'s ledger.

    * A dose level exceeded the MTD and the level below was confirmed in six:
      "MTD: <dose> (<k> DLT in <n>)".
    * A dose level exceeded the MTD but none below qualifies: "MTD not determined: <dose>
      exceeded it (<k> DLTs in <n>) and no lower dose level was confirmed in six patients".
    * No dose level exceeded the MTD: "MTD not reached; highest dose tested <dose>
      (<k> DLT in <n>)".
    """
    if ledger.empty:
        return "MTD not determined: no dose level has been tested"
    exceeds = ledger[ledger["decision"] == EXCEEDS]
    if exceeds.empty:
        top = ledger.iloc[-1]
        return (f"MTD not reached; highest dose tested {top['dose']} "
                f"({_dlts_in(int(top['dlts']), int(top['evaluable']))})")
    mtd = ledger[ledger["is_mtd"]]
    if not mtd.empty:
        row = mtd.iloc[0]
        return f"MTD: {row['dose']} ({_dlts_in(int(row['dlts']), int(row['evaluable']))})"
    first = exceeds.iloc[0]
    return (f"MTD not determined: {first['dose']} exceeded it "
            f"({_dlts_in(int(first['dlts']), int(first['evaluable']))}) and no lower dose "
            "level was confirmed in six patients")
