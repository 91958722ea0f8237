"""The trial as it stood on an earlier date (trialdash.cutoff.as_of): nothing after the
cut-off, an earlier cut is a prefix of a later one, counts never decrease, the trial at its
own cut-off is unchanged, and each rule checked by hand on the tiny trial."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny_trial import tiny_datasets

from trialdash import synthetic
from trialdash.analysis.flags import is_yes
from trialdash.cutoff import as_of

TRIALS = [(synthetic.DEFAULT_SEED, None), (7, 40)]


@cache
def _trial(seed: int, patients: int | None):
    return synthetic.generate(seed=seed, patients=patients)


def _first_consent(trial) -> date:
    return trial.datasets["adsl"]["RFICDT"].min().date()


@st.composite
def cut_dates(draw, count: int):
    """A trial of TRIALS and ``count`` sorted cut-offs between its first consent and its
    own cut-off."""
    seed, patients = draw(st.sampled_from(TRIALS))
    trial = _trial(seed, patients)
    start, end = _first_consent(trial), trial.cutoff
    days = sorted(draw(st.lists(st.integers(0, (end - start).days), min_size=count,
                                max_size=count)))
    return trial, [start + timedelta(days=d) for d in days]


def _date_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]


@settings(max_examples=25, deadline=None)
@given(cut_dates(1))
def test_nothing_after_the_cutoff(case):
    """Every date in every data set is on or before the cut-off; DCUTDT is the cut-off."""
    trial, (cut,) = case
    cut_ts = pd.Timestamp(cut)
    data = as_of(trial.datasets, cut)
    assert (data["adsl"]["DCUTDT"] == cut_ts).all()
    for name, frame in data.items():
        for column in _date_columns(frame):
            if column != "DCUTDT":
                assert not (frame[column] > cut_ts).any(), (name, column)
    ids = set(data["adsl"]["USUBJID"])
    for name, frame in data.items():
        assert set(frame["USUBJID"]) <= ids, name


def _patient_counts(data: dict[str, pd.DataFrame]) -> dict[str, int]:
    adsl = data["adsl"]
    adtte = data["adtte"]
    return {
        "enrolled": len(adsl),
        "infused": int(adsl["TRTSDT"].notna().sum()),
        "deaths": int(is_yes(adsl["DTHFL"]).sum()),
        "progressions": int(adsl["PDDT"].notna().sum()),
        "dlts": int(is_yes(adsl["DLTFL"]).sum()),
        "dlt_evaluable": int(is_yes(adsl["DLTEVLFL"]).sum()),
        "efficacy_evaluable": int(is_yes(adsl["EFFFL"]).sum()),
        "adverse_events": len(data["adae"]),
        "resolved_adverse_events": int(data["adae"]["AENDT"].notna().sum()),
        "response_visits": int((data["adrs"]["PARAMCD"] != "BOR").sum()),
        "kinetics_samples": len(data["adpc"]),
        "lab_samples": len(data["adlb"]),
        "tte_rows": len(adtte),
        "tte_events": int((adtte["CNSR"] == 0).sum()),
    }


@settings(max_examples=20, deadline=None)
@given(cut_dates(3))
def test_counts_never_decrease(case):
    """Successive cuts of one trial never lose a patient, event, record or flag."""
    trial, cuts = case
    counts = [_patient_counts(as_of(trial.datasets, cut)) for cut in cuts]
    counts.append(_patient_counts(trial.datasets))
    for earlier, later in zip(counts, counts[1:], strict=False):
        for name, value in earlier.items():
            assert value <= later[name], name


@settings(max_examples=20, deadline=None)
@given(cut_dates(2))
def test_earlier_cut_is_a_prefix_of_a_later_one(case):
    """Cutting the later cut at the earlier date gives exactly the earlier cut, and every
    dated record of the earlier cut is in the later one unchanged (AE end dates after the
    earlier cut-off aside: they were not known yet)."""
    trial, (early, late) = case
    early_data, late_data = as_of(trial.datasets, early), as_of(trial.datasets, late)
    again = as_of(late_data, early)
    for name in early_data:
        pd.testing.assert_frame_equal(again[name], early_data[name], obj=name)
    cut = pd.Timestamp(early)
    for name in ("adpc", "adlb"):
        known = late_data[name][~(late_data[name]["ADT"] > cut)].reset_index(drop=True)
        pd.testing.assert_frame_equal(early_data[name], known, obj=name)
    visits = late_data["adrs"]
    visits = visits[(visits["PARAMCD"] != "BOR") & ~(visits["ADT"] > cut)]
    pd.testing.assert_frame_equal(
        early_data["adrs"][early_data["adrs"]["PARAMCD"] != "BOR"].reset_index(drop=True),
        visits.reset_index(drop=True), obj="adrs")
    ae_columns = [c for c in early_data["adae"].columns if c not in ("AENDT", "AENDY")]
    late_ae = late_data["adae"][~(late_data["adae"]["ASTDT"] > cut)].reset_index(drop=True)
    pd.testing.assert_frame_equal(early_data["adae"][ae_columns], late_ae[ae_columns])


@pytest.mark.parametrize(("seed", "patients"), TRIALS)
def test_trial_at_its_own_cutoff_is_unchanged(seed, patients):
    trial = _trial(seed, patients)
    data = as_of(trial.datasets, trial.cutoff)
    for name, frame in trial.datasets.items():
        pd.testing.assert_frame_equal(data[name], frame.reset_index(drop=True), obj=name)


def test_before_the_first_consent_is_refused():
    trial = _trial(synthetic.DEFAULT_SEED, None)
    with pytest.raises(ValueError, match="no patient had consented"):
        as_of(trial.datasets, _first_consent(trial) - timedelta(days=1))


# --- the rules by hand on the tiny trial (tests/unit/tiny_trial.py) ----------------------


def _row(frame: pd.DataFrame, usubjid: str) -> pd.Series:
    return frame.set_index("USUBJID").loc[usubjid]


def test_tiny_trial_before_the_second_infusion():
    """Cut-off 2023-02-28 (hand count): S2 consented 02-10 but is infused 03-01, so enrolled,
    not infused; S1 (infused 01-10) was last seen 02-07 (its CR assessment), so OS and PFS
    are censored there at 28 days; S2's OS, PFS and AEs are not there yet."""
    data = as_of(tiny_datasets(), date(2023, 2, 28))
    adsl = data["adsl"]
    assert list(adsl["USUBJID"]) == ["S1", "S2", "S3", "S4"]
    s2 = _row(adsl, "S2")
    assert pd.isna(s2["TRTSDT"]) and pd.isna(s2["TRT01A"]) and pd.isna(s2["TRT01AN"])
    assert (s2["SAFFL"], s2["EFFFL"], s2["DLTEVLFL"]) == ("N", "N", "N")
    assert pd.notna(s2["LDSTDT"])  # lymphodepletion began 02-24
    assert pd.isna(s2["PDDT"]) and pd.isna(s2["DTHDT"]) and s2["DTHFL"] == "N"
    assert s2["LSTALVDT"] == pd.Timestamp("2023-02-24")
    s1 = _row(adsl, "S1")
    assert s1["LSTALVDT"] == pd.Timestamp("2023-02-07")
    assert (s1["SAFFL"], s1["EFFFL"], s1["DLTEVLFL"]) == ("Y", "Y", "Y")
    # S3 left the study on 03-01 (manufacturing failure): not yet known.
    assert pd.isna(_row(adsl, "S3")["NINFRSN"])
    adtte = data["adtte"]
    assert set(adtte["USUBJID"]) == {"S1"}
    assert list(adtte["AVAL"]) == [28.0, 28.0]
    assert list(adtte["CNSR"]) == [1, 1]
    assert (adtte["ADT"] == pd.Timestamp("2023-02-07")).all()
    assert list(data["adae"]["USUBJID"]) == ["S1"] * 3
    assert list(data["adrs"]["USUBJID"]) == ["S1", "S1"]


def test_tiny_trial_inside_the_dlt_window_with_an_ongoing_event():
    """Cut-off 2023-01-31 (hand count): S1 is 21 days after infusion, so not yet
    DLT-evaluable; its second CRS (01-30 to 02-01) is ongoing; S2 to S4 consented in
    February, so only S1 is there; no response assessment yet."""
    data = as_of(tiny_datasets(), date(2023, 1, 31))
    assert list(data["adsl"]["USUBJID"]) == ["S1"]
    s1 = _row(data["adsl"], "S1")
    assert s1["DLTEVLFL"] == "N" and s1["SAFFL"] == "Y"
    assert s1["EFFFL"] == "N"  # no response assessment yet
    ae = data["adae"].set_index("AESEQ")
    assert pd.isna(ae.loc[3, "AENDT"]) and ae.loc[1, "AENDT"] == pd.Timestamp("2023-01-16")
    assert data["adrs"].empty
    assert list(data["adlb"]["ADT"]) == [pd.Timestamp("2023-01-05"), pd.Timestamp("2023-01-20")]


def test_tiny_trial_death_and_progression_appear_in_order():
    """Cut-offs 2023-04-15 and 2023-05-01 (hand count): S2 progressed 04-01 (PFS event at 31
    days kept) but died 05-01, so at 04-15 it is alive, OS censored at its last contact (AE
    of 04-10: 40 days) and still on study; at 05-01 the death is there."""
    before = as_of(tiny_datasets(), date(2023, 4, 15))
    s2 = _row(before["adsl"], "S2")
    assert s2["PDDT"] == pd.Timestamp("2023-04-01") and s2["DTHFL"] == "N"
    os_row = before["adtte"].query("USUBJID == 'S2' and PARAMCD == 'OS'").iloc[0]
    assert (os_row["AVAL"], os_row["CNSR"]) == (40.0, 1)
    pfs_row = before["adtte"].query("USUBJID == 'S2' and PARAMCD == 'PFS'").iloc[0]
    assert (pfs_row["AVAL"], pfs_row["CNSR"]) == (31.0, 0)
    after = as_of(tiny_datasets(), date(2023, 5, 1))
    assert _row(after["adsl"], "S2")["DTHFL"] == "Y"
    os_row = after["adtte"].query("USUBJID == 'S2' and PARAMCD == 'OS'").iloc[0]
    assert (os_row["AVAL"], os_row["CNSR"]) == (61.0, 0)
