"""Derivations done in the snapshot build, against values worked out by hand."""

from __future__ import annotations

import pandas as pd
from tiny_trial import tiny_datasets

from trialdash.derive import SEVERITY_SCALE, derive_all

D = pd.Timestamp


def test_days_since_infusion_use_day_zero():
    """Fixture S1 infused 2023-01-10: CRS starting 2023-01-12 is day 2 (not ADaM's day 3)."""
    out = derive_all(tiny_datasets())
    s1 = out["adae"][out["adae"]["USUBJID"] == "S1"]
    assert list(s1["start_day"]) == [2, 3, 20]
    assert list(s1["end_day"]) == [6, 15, 22]


def test_subject_level_labels_and_status():
    """S3 enrolled not infused keeps its planned dose group; S4 is a screen failure."""
    adsl = derive_all(tiny_datasets())["adsl"].set_index("USUBJID")
    assert adsl.loc["S3", "dose_group"] == "1.0 x10^6 cells/kg"
    assert adsl.loc["S3", "status"] == "Not infused"
    assert (adsl.loc["S4", "enrolled"], adsl.loc["S4", "infused"]) == ("N", "N")
    assert adsl.loc["S2", "status"] == "Dead"
    assert adsl.loc["S2", "death_day"] == 61  # 2023-03-01 -> 2023-05-01
    assert adsl.loc["S1", "last_day"] == 355  # 2023-01-10 -> 2023-12-31
    # Keyed hash (pseudonyms.py), here with the public test key: P-XXXX, one per subject.
    assert adsl["pseudonym"].str.fullmatch(r"P-[0-9A-Z]{4}").all()
    assert adsl["pseudonym"].nunique() == 4


def test_dose_order_from_numeric_companion_not_alphabet():
    """'10 mg' sorts after '2 mg' by TRT01AN, although it sorts first alphabetically."""
    data = tiny_datasets()
    data["adsl"]["TRT01A"] = ["10 mg", "2 mg", None, None]
    data["adsl"]["TRT01AN"] = [10.0, 2.0, None, None]
    data["adsl"]["TRT01P"] = ["10 mg", "2 mg", "2 mg", None]
    data["adsl"]["TRT01PN"] = [10.0, 2.0, 2.0, None]
    adsl = derive_all(data)["adsl"].set_index("USUBJID")
    assert adsl.loc["S1", "dose_order"] == 2 and adsl.loc["S2", "dose_order"] == 1


def test_dose_order_falls_back_to_number_in_label():
    """Without a numeric companion, the first number in the label orders the groups."""
    data = tiny_datasets()
    adsl = data["adsl"].assign(ARM=["Dose 10", "Dose 2", "Dose 2", None])
    data["adsl"] = adsl
    out = derive_all(data, dose_var="ARM")["adsl"].set_index("USUBJID")
    assert (out.loc["S2", "dose_order"], out.loc["S1", "dose_order"]) == (1, 2)


def test_severity_only_adverse_events_are_graded_1_to_3():
    """AESEV MILD/MODERATE/SEVERE maps to 1/2/3 and the scale says so."""
    data = tiny_datasets()
    adae = data["adae"].drop(columns=["AETOXGR", "ASTCTGR"])
    adae["AESEV"] = ["MODERATE", "SEVERE", "MILD", "mild", "SEVERE"]
    data["adae"] = adae
    out = derive_all(data)["adae"]
    assert list(out["grade"]) == [2, 3, 1, 1, 3]
    assert set(out["grade_scale"]) == {SEVERITY_SCALE}


def test_special_interest_events():
    """CRS and ICANS are recognised by preferred term."""
    out = derive_all(tiny_datasets())["adae"]
    assert list(out["aesi"]) == ["CRS", None, "CRS", "ICANS", None]


def test_time_to_event_units_and_censoring_at_hsct():
    """AVAL in months becomes days (x 30.4375); PFS after a transplant on day 50 is censored
    at day 50, OS is not."""
    data = tiny_datasets()
    data["adsl"]["HSCTDT"] = [D("2023-03-01"), pd.NaT, pd.NaT, pd.NaT]  # S1: day 50
    adtte = data["adtte"].copy()
    adtte["AVALU"] = ["DAYS", "DAYS", "MONTHS", "MONTHS"]
    adtte.loc[2, "AVAL"] = 2.0
    data["adtte"] = adtte
    out = derive_all(data)["adtte"].set_index(["USUBJID", "PARAMCD"])
    assert out.loc[("S2", "OS"), "aval_days"] == 2 * 30.4375
    assert out.loc[("S1", "PFS"), "aval_days_hsct"] == 50
    assert out.loc[("S1", "PFS"), "event_hsct"] == 0
    assert out.loc[("S1", "OS"), "aval_days_hsct"] == 355
    assert out.loc[("S2", "PFS"), "event"] == 1


def test_kinetics_blq_from_flag_or_value_and_hours():
    """RRLTU HOURS: 336 h is day 14. A value under the LLOQ is BLQ even without BLQFL."""
    data = tiny_datasets()
    adpc = data["adpc"].copy()
    adpc["RRLTU"] = "HOURS"
    adpc["AFRLT"] = [0.0, 336.0, 672.0]
    adpc["BLQFL"] = [None, None, None]
    adpc.loc[0, "AVAL"] = 20.0
    data["adpc"] = adpc
    out = derive_all(data)["adpc"]
    assert list(out["day"]) == [0.0, 14.0, 28.0]
    assert list(out["blq"]) == ["Y", "N", "N"]
