"""The one best-overall-response rule (3-month window, never after allo-HSCT) by hand.

The fixture of ``test_response_analysis.py`` (P1-P5 infused, P6 not) plus four patients,
all infused on day 0 at 1.0 x10^6 cells/kg, EFFFL = Y, alive to day 300:

id  subtype   ADRS (days since infusion)                    other
Q1  PTCL-NOS  OVR SD d28, PR d120 (after the window)        -
Q2  T-ALL     OVR CRi d28, CR d60; BOR CR d60               allo-HSCT day 50
Q3  AITL      OVR PR d100 (after the window)                -
Q4  ALCL      BOR PR, undated; no per-visit record          -

Hand count under the rule (window 3 months = 91.3 days): Q1 SD (the PR is outside the
window), Q2 CRi (the CR and the BOR record of day 60 come after the transplant), Q3 NE (no
assessment in the window), Q4 PR (an undated BOR record is all there is). Evaluable: P1, P2,
P3, P5, Q1-Q4 = 8; responders P1 (CR), P3 (T-LBL PR), P5 (CR), Q2 (T-ALL CRi), Q4 (ALCL PR)
= 5/8; CR P1, P5 = 2/8. Counting every assessment as before would give 7/8 and 3/8.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from test_response_analysis import DAY0, response_datasets

from trialdash.analysis import cart_response as car
from trialdash.analysis import response as rsp
from trialdash.analysis.swimmer import HSCT, swimmer_lanes
from trialdash.derive import derive_all
from trialdash.snapshot import SnapshotMeta, write_snapshot
from trialdash.trial import Trial

EXTRA = ["Q1", "Q2", "Q3", "Q4"]


def _d(day: int | None):
    return pd.NaT if day is None or pd.isna(day) else DAY0 + pd.Timedelta(days=day)


@pytest.fixture(scope="module")
def trial(tmp_path_factory) -> Trial:
    datasets = response_datasets()
    label = "1.0 x10^6 cells/kg"
    adsl = pd.DataFrame({
        "STUDYID": "RESP", "USUBJID": EXTRA, "DISTYPE": ["PTCL-NOS", "T-ALL", "AITL", "ALCL"],
        "TRT01P": label, "TRT01PN": 1.0, "TRT01A": label, "TRT01AN": 1.0, "TRTSDT": DAY0,
        "EFFFL": "Y", "PDDT": pd.NaT, "HSCTDT": [pd.NaT, _d(50), pd.NaT, pd.NaT],
        "DTHFL": "N", "DTHDT": pd.NaT, "LSTALVDT": _d(300),
    })
    records = [("Q1", "OVR", "SD", 28), ("Q1", "OVR", "PR", 120),
               ("Q2", "OVR", "CRi", 28), ("Q2", "OVR", "CR", 60), ("Q2", "BOR", "CR", 60),
               ("Q3", "OVR", "PR", 100), ("Q4", "BOR", "PR", None)]
    adrs = pd.DataFrame(records, columns=["USUBJID", "PARAMCD", "AVALC", "day"])
    adrs["ADT"] = adrs["day"].map(_d)
    adrs["CRIT"] = None
    datasets["adsl"] = pd.concat([datasets["adsl"], adsl], ignore_index=True)
    datasets["adrs"] = pd.concat([datasets["adrs"], adrs.drop(columns="day")],
                                 ignore_index=True)
    meta = SnapshotMeta("RESP", "Response fixture", None, date(2024, 6, 30), "adam",
                        "hand-written fixture", [], None, "TRT01A", "DISTYPE")
    path = tmp_path_factory.mktemp("window") / "resp.duckdb"
    return Trial.open(write_snapshot(derive_all(datasets), meta, path))


def test_best_response_counts_only_the_window_before_transplant(trial):
    """Hand derivation in the module docstring."""
    best = rsp.best_response(trial.cohort()).set_index("USUBJID").loc[EXTRA]
    assert best["BOR"].to_dict() == {"Q1": "SD", "Q2": "CRi", "Q3": "NE", "Q4": "PR"}
    assert best["bor_source"].to_dict() == {
        "Q1": rsp.BOR_DERIVED, "Q2": rsp.BOR_DERIVED, "Q3": rsp.BOR_OUTSIDE_WINDOW,
        "Q4": rsp.BOR_RECORD}
    assert best["responder"].to_dict() == {"Q1": False, "Q2": True, "Q3": False, "Q4": True}
    assert best.loc["Q2", "first_response_day"] == 28
    assert best.loc[["Q1", "Q3", "Q4"], "first_response_day"].isna().all()


def test_headline_orr_and_cr_rate_by_hand(trial):
    """ORR 5/8, CR 2/8 (module docstring); exact CIs from R binom.test(5, 8): 0.2449-0.9148,
    binom.test(2, 8): 0.0319-0.6509."""
    overall = rsp.orr_table(trial.cohort(), None).iloc[-1]
    assert (overall["n"], overall["responders"], overall["cr"]) == (8, 5, 2)
    assert overall["orr_lower"] == pytest.approx(0.2449, abs=1e-4)
    assert overall["orr_upper"] == pytest.approx(0.9148, abs=1e-4)
    assert overall["cr_lower"] == pytest.approx(0.0319, abs=1e-4)
    assert overall["cr_upper"] == pytest.approx(0.6509, abs=1e-4)


def test_car_t_table_uses_the_same_best_response(trial):
    """One definition: the CAR-T table's overall best is the ORR tables' BOR for everyone,
    and its ORR row says 5/8."""
    cohort = trial.cohort()
    best = rsp.best_response(cohort).set_index("USUBJID")["BOR"]
    result = car.cart_response(cohort)
    assert result.patients.set_index("USUBJID")["best"].to_dict() == best.to_dict()
    table = car.cart_response_table(result, by_dose=False).set_index("Statistic")
    assert table.loc["ORR (CR + CRi T-ALL; CR + PR others)", "Overall"].startswith("5/8 ")


def test_swimmer_onset_follows_the_rule(trial):
    """Q2: CRi onset on day 28 only (the CR of day 60 follows the transplant of day 50); Q1
    and Q3 have no response episode (their PRs are outside the window)."""
    data = swimmer_lanes(trial.cohort())
    events = data.events[data.events["USUBJID"] == "Q2"]
    assert [(int(d), k) for d, k in events[["day", "kind"]].itertuples(index=False)] == [
        (28, "CRi"), (50, HSCT)]
    lanes = data.lanes.set_index("USUBJID")
    assert lanes.loc[["Q1", "Q3"], "response_start"].isna().all()
    assert lanes.loc["Q2", "response_start"] == 28
    assert not data.events["USUBJID"].isin(["Q1", "Q3"]).any()
