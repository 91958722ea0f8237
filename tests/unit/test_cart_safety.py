"""CAR-T safety tables (FDA CAR-T label style) against hand counts.

Fixture: the safety fixture of test_safety_analysis (its module docstring lists every event)
plus a small hand-written ADLB:
- S1 (infused 2023-01-10): neutrophils 0.5 x10^9/L on day 27 and 1.5 on day 30; 2.0 on day
  92; platelets 30 x10^9/L on day 28; hemoglobin 4.5 mmol/L on day 28 (a unit the table
  does not grade); ferritin 12,000 ng/mL on day 5 and 20,000 on day 40.
- S2 (infused 2023-03-01, PD 2023-04-01 = day 31, died day 61, sepsis grade 5, no DTHCAUS):
  neutrophils 0.8 on day 35; ferritin 800 on day 3.
- S5 (infused 2023-06-01): neutrophils 0.1 on day 20 (8 days from day 28: no landmark).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from test_safety_analysis import _adae, _adsl

from trialdash.analysis import cart_safety
from trialdash.derive import derive_all
from trialdash.snapshot import SnapshotMeta, write_snapshot
from trialdash.trial import Trial

INFUSED = {"S1": "2023-01-10", "S2": "2023-03-01", "S5": "2023-06-01"}


def _adlb() -> pd.DataFrame:
    rows = [("S1", "ANC", 0.5, "10^9/L", 27), ("S1", "ANC", 1.5, "10^9/L", 30),
            ("S1", "ANC", 2.0, "10^9/L", 92), ("S1", "PLAT", 30, "10^9/L", 28),
            ("S1", "HGB", 4.5, "mmol/L", 28), ("S1", "FERRITIN", 12000, "ng/mL", 5),
            ("S1", "FERRITIN", 20000, "ng/mL", 40), ("S2", "ANC", 0.8, "10^9/L", 35),
            ("S2", "FERRITIN", 800, "ng/mL", 3), ("S5", "ANC", 0.1, "10^9/L", 20)]
    frame = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "AVAL", "AVALU", "day"])
    frame["ADT"] = pd.to_datetime(frame["USUBJID"].map(INFUSED)) + pd.to_timedelta(
        frame["day"], unit="D")
    return frame.drop(columns="day")


@pytest.fixture(scope="module")
def trial(tmp_path_factory) -> Trial:
    datasets = {"adsl": _adsl(), "adae": _adae(), "adlb": _adlb()}
    meta = SnapshotMeta("TINY", "CAR-T safety test trial", None, date(2024, 1, 31), "adam",
                        "hand-written fixture", [], None, "TRT01A", "DISTYPE")
    path = tmp_path_factory.mktemp("cart") / "cart.duckdb"
    return Trial.open(write_snapshot(derive_all(datasets), meta, path))


def test_deaths_table_cause_from_grade5_and_relation_to_progression(trial):
    """Hand count: one death (S2, day 61); no DTHCAUS, so the cause is the grade 5 ADAE term
    (CTCAE v5.0 grade 5 = death related to the AE), after progression on day 31, so not a
    non-relapse death; no allo-HSCT."""
    summary = cart_safety.deaths(trial.cohort())
    assert (summary.deaths, summary.nrm, summary.infused) == (1, 0, 3)
    row = summary.table.iloc[0]
    assert (row["USUBJID"], row["day"], row["cause"], row["cause_source"]) == (
        "S2", 61, "Sepsis", "ADAE grade 5")
    assert row["after_progression"] and row["progression_day"] == 31
    assert not row["non_relapse"] and not row["after_hsct"]
    shown = cart_safety.deaths_display(summary, {"S2": "P02"}).iloc[0]
    assert (shown["Patient"], shown["After progression"]) == ("P02", "Yes (day 31)")
    assert summary.lines() == ["Deaths: 1/3 (33.3%)",
                               "Non-relapse mortality: 0/3 (0.0%) (after allo-HSCT: 0)"]


def test_deaths_of_the_synthetic_trial_match_adsl(trial_synthetic):
    """Every death of ADSL is listed once with its DTHCAUS; non-relapse deaths are exactly
    those without a progression date on or before death (independent recount from ADSL)."""
    cohort = trial_synthetic.cohort()
    summary = cart_safety.deaths(cohort)
    adsl = cohort.infused
    dead = adsl[adsl["DTHFL"] == "Y"]
    assert summary.deaths == len(dead)
    assert set(summary.table["cause_source"]) == {"DTHCAUS"}
    relapse_first = dead["pd_day"].notna() & (dead["pd_day"] <= dead["death_day"])
    assert summary.nrm == int((~relapse_first).sum())


def test_syndrome_management_hand_counts(trial):
    """FDA CAR-T label style, whole follow-up. CRS: S1 (onsets 2 and 20), S5 (onset 1): 2/3,
    first onsets 2 and 1 -> median 1.5 (1-2); resolved durations 5, 3, 4 -> 4 (3-5);
    tocilizumab S1 and S5 2/3; steroids S5 1/3. ICANS: S2 from day 5, ongoing (no resolved
    duration), steroids 1/3, no tocilizumab."""
    table = cart_safety.syndrome_management(trial.cohort(), window_days=None).set_index(
        "Syndrome")
    crs, icans = table.loc["CRS"], table.loc["ICANS"]
    assert crs["Patients"] == "2/3 (66.7%)"
    assert crs["Onset day"] == "1.5 (1–2)"
    assert crs["Duration (days)"] == "4 (3–5)"
    assert (crs["Tocilizumab"], crs["Corticosteroids"]) == ("2/3 (66.7%)", "1/3 (33.3%)")
    assert icans["Onset day"] == "5 (5–5)"
    assert icans["Duration (days)"] == "–" and icans["Ongoing"] == 1
    assert (icans["Tocilizumab"], icans["Corticosteroids"]) == ("0/3 (0.0%)", "1/3 (33.3%)")


def test_prolonged_cytopenias_hand_counts(trial):
    """CTCAE v5.0 grade >=3: neutrophils < 1.0, platelets < 50 x10^9/L. Day 28 (+/- 7):
    neutrophils S1 day 27 (0.5, nearer than day 30) and S2 day 35 (0.8) -> 2/2, S5 day 20 is
    out of the window; day 90: S1 day 92 (2.0) -> 0/1. Platelets day 28: S1 30 -> 1/1.
    Hemoglobin in mmol/L is left out and named."""
    table, skipped = cart_safety.prolonged_cytopenias(trial.cohort())
    table = table.set_index("Cytopenia (CTCAE v5.0 grade ≥3)")
    assert table.loc["Neutrophils < 1.0 x10^9/L"].tolist() == ["2/2 (100.0%)", "0/1 (0.0%)"]
    assert table.loc["Platelets < 50 x10^9/L", "Day 28"] == "1/1 (100.0%)"
    assert "Hemoglobin < 80 g/L" not in table.index
    assert skipped == ["Hemoglobin (MMOL/L)"]


def test_hlh_markers_hand_counts(trial):
    """Peak ferritin days 0-28: S1 12,000 (day 40 is outside), S2 800 -> median 6400
    (800-12000); above 10,000 ng/mL (Neelapu 2018 carHLH): 1/2."""
    table = cart_safety.hlh_markers(trial.cohort()).set_index("Marker")
    ferritin = table.loc["Ferritin"]
    assert ferritin["Peak, days 0-28: median (range)"] == "6400 (800–12000)"
    assert ferritin["Ferritin > 10,000 ng/mL"] == "1/2 (50.0%)"
    assert list(table.index) == ["Ferritin"]


def test_dlt_listing_hand_counts(trial):
    """Hand count: S2's ICANS (AEDLTFL Y) on day 5, CTCAE 3 / ASTCT 3, DLT-evaluable."""
    listing = cart_safety.dlt_listing(trial.cohort())
    assert listing[["Patient", "Event", "ASTCT", "Onset day", "DLT-evaluable"]
                   ].values.tolist() == [
        ["S2", "Immune effector cell-associated neurotoxicity syndrome", 3, 5, "Yes"]]


@pytest.fixture(scope="module")
def trial_synthetic(synthetic_snapshot) -> Trial:
    return Trial.open(synthetic_snapshot)
