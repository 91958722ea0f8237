"""Cellular-kinetics analysis against a hand-written trial whose numbers are countable by eye.

Fixture (the tiny trial of ``tiny_trial.py`` plus two patients, kinetics replaced), LLOQ 50:

- S1, 0.25 dose, infused. TRANSGEN days (nominal/actual) 0/0 BLQ (no value), 7/7 1,000,
  14/13 10,000, 28/28 200, 90/90 BLQ (AVAL 20, flagged). CARPCT 7: 10 %, 14: 40 %,
  28: BLQ (0.05, LLOQ 0.1). CD7LYMPH day -5: 400, day 10: 3 cells/uL (+ one ANC row).
- S2, 1.0 dose, infused, never expanded: TRANSGEN 0, 7, 28 flagged BLQ, 14 AVAL 30 (below the
  LLOQ, not flagged).
- S3, 1.0 dose, NOT infused, one stray TRANSGEN sample (999 at day 7) that must be ignored.
- S5, 1.0 dose, infused: TRANSGEN 0/0 BLQ, 7/7 5,000, 14/15 40,000, 28/28 1,000, 90/90 100.
  CD7LYMPH day -2: 300, day 14: 0.
- S6, 0.5 dose, infused, no kinetics sample at all.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from tiny_trial import tiny_datasets

from trialdash.analysis import kinetics
from trialdash.analysis.filters import Filter
from trialdash.derive import derive_all
from trialdash.snapshot import SnapshotMeta, write_snapshot
from trialdash.trial import Trial

D = pd.Timestamp
LOW, MID, HIGH = "0.25 x10^6 cells/kg", "0.5 x10^6 cells/kg", "1.0 x10^6 cells/kg"


def _datasets() -> dict[str, pd.DataFrame]:
    data = tiny_datasets()
    extra = pd.DataFrame({
        "STUDYID": ["TINY", "TINY"], "USUBJID": ["S5", "S6"], "SUBJID": ["5", "6"],
        "AGE": [33, 44], "SEX": ["F", "M"], "DISTYPE": ["T-LBL", "PTCL-NOS"],
        "TRT01P": [HIGH, MID], "TRT01PN": [1.0, 0.5], "TRT01A": [HIGH, MID],
        "TRT01AN": [1.0, 0.5], "RFICDT": [D("2023-03-01"), D("2023-03-05")],
        "LDSTDT": [D("2023-03-27"), D("2023-03-30")], "TRTSDT": [D("2023-04-01"),
                                                                 D("2023-04-04")],
        "SAFFL": ["Y", "Y"], "EFFFL": ["Y", "Y"], "DLTEVLFL": ["Y", "Y"], "DLTFL": ["N", "N"],
        "DTHFL": ["N", "N"], "LSTALVDT": [D("2023-12-31"), D("2023-12-31")],
        "DCUTDT": [D("2024-01-31")] * 2,
    })
    data["adsl"] = pd.concat([data["adsl"], extra], ignore_index=True)
    rows = [  # USUBJID, PARAMCD, NFRLT, AFRLT, AVAL, LLOQ, BLQFL
        ("S1", "TRANSGEN", 0, 0, None, 50, "Y"), ("S1", "TRANSGEN", 7, 7, 1000, 50, "N"),
        ("S1", "TRANSGEN", 14, 13, 10000, 50, "N"), ("S1", "TRANSGEN", 28, 28, 200, 50, "N"),
        ("S1", "TRANSGEN", 90, 90, 20, 50, "Y"),
        ("S1", "CARPCT", 7, 7, 10, 0.1, "N"), ("S1", "CARPCT", 14, 13, 40, 0.1, "N"),
        ("S1", "CARPCT", 28, 28, 0.05, 0.1, "Y"),
        ("S2", "TRANSGEN", 0, 0, None, 50, "Y"), ("S2", "TRANSGEN", 7, 7, None, 50, "Y"),
        ("S2", "TRANSGEN", 14, 14, 30, 50, "N"), ("S2", "TRANSGEN", 28, 28, None, 50, "Y"),
        ("S3", "TRANSGEN", 7, 7, 999, 50, "N"),
        ("S5", "TRANSGEN", 0, 0, None, 50, "Y"), ("S5", "TRANSGEN", 7, 7, 5000, 50, "N"),
        ("S5", "TRANSGEN", 14, 15, 40000, 50, "N"), ("S5", "TRANSGEN", 28, 28, 1000, 50, "N"),
        ("S5", "TRANSGEN", 90, 90, 100, 50, "N"),
    ]
    data["adpc"] = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "NFRLT", "AFRLT", "AVAL",
                                               "LLOQ", "BLQFL"])
    data["adlb"] = pd.DataFrame({
        "USUBJID": ["S1", "S1", "S1", "S5", "S5"],
        "PARAMCD": ["CD7LYMPH", "CD7LYMPH", "ANC", "CD7LYMPH", "CD7LYMPH"],
        "AVAL": [400.0, 3.0, 1.2, 300.0, 0.0],
        "ADT": [D("2023-01-05"), D("2023-01-20"), D("2023-01-20"), D("2023-03-30"),
                D("2023-04-15")],
    })
    return data


def _open(path, drop: tuple[str, ...] = ()) -> Trial:
    datasets = {k: v for k, v in _datasets().items() if k not in drop}
    meta = SnapshotMeta("TINY", "Tiny kinetics trial", None, date(2024, 1, 31), "adam",
                        "hand-written fixture", [], None, "TRT01A", "DISTYPE")
    write_snapshot(derive_all(datasets), meta, path)
    return Trial.open(path)


@pytest.fixture(scope="module")
def kin_trial(tmp_path_factory) -> Trial:
    return _open(tmp_path_factory.mktemp("kin") / "kin.duckdb")


@pytest.fixture(scope="module")
def no_adpc_trial(tmp_path_factory) -> Trial:
    return _open(tmp_path_factory.mktemp("kin") / "no_adpc.duckdb", drop=("adpc",))


@pytest.fixture(scope="module")
def no_kinetics_trial(tmp_path_factory) -> Trial:
    return _open(tmp_path_factory.mktemp("kin") / "none.duckdb", drop=("adpc", "adlb"))


def _row(frame: pd.DataFrame, **match) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in match.items():
        mask &= frame[column] == value
    assert mask.sum() == 1, match
    return frame[mask].iloc[0]


# --- profiles ------------------------------------------------------------------------------


def test_profiles_keep_infused_patients_and_every_sample(kin_trial):
    """Hand count from the fixture: S1 5 + S2 4 + S5 5 samples; S3 (not infused) left out."""
    profiles = kinetics.transgene_profiles(kin_trial.cohort())
    counts = profiles.samples.groupby("USUBJID").size().to_dict()
    assert counts == {"S1": 5, "S2": 4, "S5": 5}
    assert profiles.not_sampled == ["S6"]
    assert profiles.patients == ["S1", "S2", "S5"]  # dose order, then USUBJID
    assert list(profiles.samples.columns) == kinetics.PROFILE_COLUMNS


def test_blq_samples_are_plotted_at_the_lloq_never_zero(kin_trial):
    """Fixture: S1 day 0 (no value) and day 90 (20, flagged) and S2 day 14 (30 < LLOQ 50)
    are BLQ and drawn at 50; quantifiable S1 day 13 keeps 10,000."""
    samples = kinetics.transgene_profiles(kin_trial.cohort()).samples
    assert _row(samples, USUBJID="S1", day=0.0)["plotted_value"] == 50
    day90 = _row(samples, USUBJID="S1", day=90.0)
    assert bool(day90["blq"]) and day90["plotted_value"] == 50 and day90["AVAL"] == 20
    s2_day14 = _row(samples, USUBJID="S2", day=14.0)
    assert bool(s2_day14["blq"]) and s2_day14["plotted_value"] == 50
    peak = _row(samples, USUBJID="S1", day=13.0)
    assert not bool(peak["blq"]) and peak["plotted_value"] == 10000
    assert (samples["plotted_value"] > 0).all()
    assert int(samples["blq"].sum()) == 7  # S1: 2, S2: 4, S5: 1


def test_carpct_profiles_use_their_own_lloq(kin_trial):
    """Fixture: S1 CARPCT day 28 is 0.05 flagged BLQ with LLOQ 0.1 -> drawn at 0.1."""
    profiles = kinetics.transgene_profiles(kin_trial.cohort(), kinetics.CAR_PERCENT)
    assert list(profiles.samples["USUBJID"].unique()) == ["S1"]
    assert _row(profiles.samples, day=28.0)["plotted_value"] == pytest.approx(0.1)
    assert profiles.lloqs == [pytest.approx(0.1)]
    assert profiles.unit == "% of CD3+"


def test_profiles_follow_the_filter(kin_trial):
    """Hand count: the 1.0 dose filter keeps S2 and S5 (2 of 4 infused patients)."""
    profiles = kinetics.transgene_profiles(kin_trial.cohort(Filter.of(dose_groups=[HIGH])))
    assert set(profiles.samples["USUBJID"]) == {"S2", "S5"}
    assert (profiles.count.kept, profiles.count.total) == (2, 4)


# --- band ----------------------------------------------------------------------------------


def test_median_band_counts_blq_at_the_lloq(kin_trial):
    """Hand computation: 1.0 group day 7 has S2 BLQ (-> 50) and S5 5,000: median 2,525,
    Q1 = 50 + 0.25 * 4,950 = 1,287.5, Q3 = 3,762.5 (linear interpolation), n = 2."""
    band = kinetics.median_band_by_dose(kinetics.transgene_profiles(kin_trial.cohort()))
    day7 = _row(band, dose_group=HIGH, nominal_day=7.0)
    assert (day7["median"], day7["q1"], day7["q3"], day7["n"]) == (2525, 1287.5, 3762.5, 2)
    day90 = _row(band, dose_group=HIGH, nominal_day=90.0)  # only S5 sampled
    assert (day90["median"], day90["n"]) == (100, 1)
    # S1 was sampled on day 13 for the nominal day-14 visit: the band uses the visit.
    assert _row(band, dose_group=LOW, nominal_day=14.0)["median"] == 10000
    assert list(band.columns) == kinetics.BAND_COLUMNS


# --- NCA -----------------------------------------------------------------------------------


def test_nca_by_patient_hand_computed(kin_trial):
    """Hand computation, linear-up/log-down: S1 AUC0-28 = 1000/2*7 + (1000+10000)/2*6
    + (10000-200)/ln(50)*15; S2 never expanded; S6 has no samples."""
    nca = kinetics.nca_by_patient(kin_trial.cohort())
    table = nca.table
    assert list(table["USUBJID"]) == ["S1", "S2", "S5"]  # dose order, then USUBJID
    s1 = _row(table, USUBJID="S1")
    expected = 3500 + 33000 + 9800 / math.log(50) * 15
    assert (s1["cmax"], s1["tmax"], s1["tlast"]) == (10000, 13, 28)
    assert s1["auc_0_28"] == pytest.approx(expected)
    assert (s1["dose_group"], s1["subtype"], s1["n_samples"]) == (LOW, "T-ALL", 5)
    assert not s1["auc_to_tlast"]
    s2 = _row(table, USUBJID="S2")
    assert not s2["expanded"] and math.isnan(s2["cmax"])
    assert nca.not_sampled == ["S6"]


def test_nca_display_labels_units_and_blanks(kin_trial):
    """Fixture: S1 Cmax shows as '10,000'; non-expander S2 shows blanks and 'No'."""
    shown = kinetics.nca_by_patient(kin_trial.cohort()).display()
    assert "Cmax (copies/µg gDNA)" in shown.columns and "USUBJID" in shown.columns
    s1 = shown[shown["USUBJID"] == "S1"].iloc[0]
    assert s1["Cmax (copies/µg gDNA)"] == "10,000" and s1["Tmax (day)"] == "13"
    s2 = shown[shown["USUBJID"] == "S2"].iloc[0]
    assert s2["Expanded"] == "No" and s2["Cmax (copies/µg gDNA)"] == ""


def test_nca_by_dose_geometric_means(kin_trial):
    """Hand computation: 1.0 group n 2, expanded 1 (S5 Cmax 40,000); overall geometric mean
    of Cmax = sqrt(10,000 * 40,000) = 20,000 over 2 expanded of 3; Tmax median of 13, 15 = 14."""
    summary = kinetics.nca_by_dose(kin_trial.cohort())
    table = summary.table
    assert list(table["dose_group"]) == [LOW, HIGH, kinetics.OVERALL]
    high = _row(table, dose_group=HIGH)
    assert (high["n"], high["n_expanded"], high["cmax_gmean"]) == (2, 1, pytest.approx(40000))
    overall = _row(table, dose_group=kinetics.OVERALL)
    assert overall["cmax_gmean"] == pytest.approx(20000)
    assert (overall["n"], overall["n_expanded"], overall["tmax_median"]) == (3, 2, 14)
    shown = summary.display().set_index("Parameter")
    assert list(shown.columns) == [LOW, HIGH, kinetics.OVERALL]
    assert shown.loc["Expanded (n/N)", kinetics.OVERALL] == "2/3"
    assert shown.loc["Tmax (day): median (range)", kinetics.OVERALL] == "14 (13–15)"
    assert shown.loc["Cmax (copies/µg gDNA): geometric mean (CV%)", LOW] == "10,000 (NA)"


# --- persistence ---------------------------------------------------------------------------


def test_persistence_counts_patients_sampled_at_each_visit(kin_trial):
    """Hand count: 1.0 group day 7 1/2 (S5 yes, S2 BLQ), day 90 1/1 (only S5 sampled);
    0.25 group day 90 0/1 (S1 BLQ); day 0 (pre-infusion) left out."""
    table = kinetics.persistence_by_visit(kin_trial.cohort()).table
    day7 = _row(table, dose_group=HIGH, nominal_day=7.0)
    assert (day7["n_detectable"], day7["n_sampled"], day7["n/N"]) == (1, 2, "1/2")
    assert day7["fraction"] == 0.5
    assert _row(table, dose_group=HIGH, nominal_day=90.0)["n/N"] == "1/1"
    assert _row(table, dose_group=LOW, nominal_day=90.0)["n/N"] == "0/1"
    assert (table["nominal_day"] > 0).all()
    assert len(table) == 8  # 4 visits x 2 dose groups with samples


def test_persistence_display_is_visits_by_dose(kin_trial):
    """Fixture: day-7 row reads '1/1 (100%)' for 0.25 and '1/2 (50%)' for 1.0."""
    shown = kinetics.persistence_by_visit(kin_trial.cohort()).display()
    assert list(shown.columns) == ["Visit (day)", LOW, HIGH]
    day7 = shown[shown["Visit (day)"] == "7"].iloc[0]
    assert (day7[LOW], day7[HIGH]) == ("1/1 (100%)", "1/2 (50%)")


# --- CD7+ ----------------------------------------------------------------------------------


def test_cd7_with_cart_pairs_both_measures(kin_trial):
    """Hand count: 14 transgene rows + 4 CD7LYMPH rows (the ANC row is not CD7+)."""
    result = kinetics.cd7_with_cart(kin_trial.cohort())
    frame = result.frame
    counts = frame.groupby("measure").size().to_dict()
    assert counts == {"Transgene": 14, "CD7+ lymphocytes": 4}
    zero = _row(frame, USUBJID="S5", measure="CD7+ lymphocytes", day=14.0)
    assert zero["plotted_value"] == 0 and not zero["blq"]
    assert _row(frame, USUBJID="S1", measure="CD7+ lymphocytes", day=-5.0)["AVAL"] == 400


# --- absent data sets ----------------------------------------------------------------------


def test_everything_works_without_adpc(no_adpc_trial):
    """Fixture without ADPC: empty profiles/NCA/persistence, CD7+ rows still there (4)."""
    cohort = no_adpc_trial.cohort()
    profiles = kinetics.transgene_profiles(cohort)
    assert profiles.samples.empty and sorted(profiles.not_sampled) == ["S1", "S2", "S5", "S6"]
    assert kinetics.median_band_by_dose(profiles).empty
    nca = kinetics.nca_by_patient(cohort)
    assert nca.table.empty and "cmax" in nca.table.columns
    assert nca.display().empty
    assert list(kinetics.nca_by_dose(cohort, nca).display().columns) == ["Parameter"]
    persistence = kinetics.persistence_by_visit(cohort)
    assert persistence.table.empty and persistence.display().empty
    assert kinetics.cd7_with_cart(cohort).measures == ["CD7+ lymphocytes"]


def test_cd7_frame_is_empty_without_adpc_and_adlb(no_kinetics_trial):
    """Fixture without ADPC and ADLB: an empty frame with the documented columns."""
    frame = kinetics.cd7_with_cart(no_kinetics_trial.cohort()).frame
    assert frame.empty and list(frame.columns) == kinetics.CD7_COLUMNS


def test_nca_by_dose_has_no_overall_row_for_a_single_group(kin_trial):
    """Fixture filtered to the 0.25 dose (S1 only): one row, no duplicate 'all groups' row."""
    table = kinetics.nca_by_dose(kin_trial.cohort(Filter.of(dose_groups=[LOW]))).table
    assert list(table["dose_group"]) == [LOW]


def test_samples_after_allo_hsct_are_flagged(tmp_path):
    """Hand-set: S5 transplanted on day 30 (2023-05-01, infused 2023-04-01) -> its day-90
    sample (one of five) is after allo-HSCT; the NCA table counts it for S5 only."""
    data = _datasets()
    data["adsl"]["HSCTDT"] = pd.NaT
    data["adsl"].loc[data["adsl"]["USUBJID"] == "S5", "HSCTDT"] = D("2023-05-01")
    meta = SnapshotMeta("TINY", "Tiny kinetics trial", None, date(2024, 1, 31), "adam",
                        "hand-written fixture", [], None, "TRT01A", "DISTYPE")
    trial = Trial.open(write_snapshot(derive_all(data), meta, tmp_path / "hsct.duckdb"))
    samples = kinetics.transgene_profiles(trial.cohort()).samples
    after = samples[samples["after_hsct"]]
    assert after[["USUBJID", "day"]].values.tolist() == [["S5", 90.0]]
    shown = kinetics.nca_by_patient(trial.cohort()).display().set_index("USUBJID")
    assert shown["Samples after allo-HSCT (n)"].to_dict() == {"S1": "", "S2": "", "S5": "1"}


# --- median bands beside CD7+ lymphocytes --------------------------------------------------


def test_cd7_cart_band_is_the_median_band_of_each_measure(kin_trial):
    """Hand computation: transgene as in test_median_band_counts_blq_at_the_lloq (1.0 group
    day 7: median 2,525, IQR 1,287.5-3,762.5, n 2). CD7+ (the fixture's ADLB has no visit
    labels, so actual days stand in): 0.25 group day -5 S1 400 and day 10 S1 3; 1.0 group day
    -2 S5 300 and day 14 S5 0, each n 1."""
    band = kinetics.cd7_cart_band_by_dose(kinetics.cd7_with_cart(kin_trial.cohort()))
    assert list(band.columns) == ["measure", *kinetics.BAND_COLUMNS]
    day7 = _row(band, measure="Transgene", dose_group=HIGH, nominal_day=7.0)
    assert (day7["median"], day7["q1"], day7["q3"], day7["n"]) == (2525, 1287.5, 3762.5, 2)
    cd7 = band[band["measure"] == "CD7+ lymphocytes"]
    assert sorted(zip(cd7["dose_group"], cd7["nominal_day"], cd7["median"], cd7["n"],
                      strict=True)) == [(LOW, -5.0, 400.0, 1), (LOW, 10.0, 3.0, 1),
                                        (HIGH, -2.0, 300.0, 1), (HIGH, 14.0, 0.0, 1)]
    transgene = band[band["measure"] == "Transgene"].drop(columns="measure")
    alone = kinetics.median_band_by_dose(kinetics.transgene_profiles(kin_trial.cohort()))
    pd.testing.assert_frame_equal(transgene.reset_index(drop=True), alone)


def test_lab_visit_day_is_the_typical_day_of_the_visit_label():
    """Hand-made: 'Day 10' sampled on days 8, 10 and 11 -> median 10 for all three; 'Day 14'
    on 12, 16, 15 -> 15; a sample without a visit label keeps NaN (visit_day then takes its
    actual day, 3)."""
    labs = pd.DataFrame({"AVISIT": ["Day 10", "Day 10", "Day 10", "Day 14", "Day 14",
                                    "Day 14", None],
                         "day": [8, 10, 11, 12, 16, 15, 3]})
    nominal = kinetics.lab_visit_day(labs)
    assert list(nominal.iloc[:6]) == [10.0, 10.0, 10.0, 15.0, 15.0, 15.0]
    assert math.isnan(nominal.iloc[6])
    assert list(kinetics.visit_day(labs.assign(nominal_day=nominal))) == [
        10.0, 10.0, 10.0, 15.0, 15.0, 15.0, 3.0]
    assert kinetics.lab_visit_day(labs.drop(columns="AVISIT")).isna().all()
