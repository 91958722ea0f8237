"""Non-compartmental analysis against hand computations (arithmetic shown in comments)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from trialdash.analysis.nca import NCAResult, nca_profile, nca_summary, nca_table

NAN = float("nan")
LN2 = math.log(2.0)
LN4 = math.log(4.0)

# A typical expansion: BLQ pre-dose (day 0) and day 1, rise to a peak at day 10, then a
# decline halving every 3.5 days from day 14 on, BLQ again at day 60.
DAYS = [0, 1, 4, 7, 10, 14, 21, 28, 60]
VALUES = [NAN, NAN, 100, 1000, 10000, 5000, 1250, 312.5, NAN]
BLQ = [True, True, False, False, False, False, False, False, True]


def test_rising_falling_profile_linear_up_log_down():
    """Source: hand computation (linear-up/log-down trapezoid).

    Points: (0, 0) origin; (1, 0) BLQ before the first quantifiable sample counts as 0;
    then 100, 1000, 10000, 5000, 1250, 312.5 at days 4, 7, 10, 14, 21, 28.
      0 -> 1   flat at 0          : 0
      1 -> 4   linear 0 -> 100    : (0 + 100)/2 * 3      =   150
      4 -> 7   linear 100 -> 1000 : (100 + 1000)/2 * 3   =  1650
      7 -> 10  linear up          : (1000 + 10000)/2 * 3 = 16500
     10 -> 14  log down           : (10000 - 5000)/ln 2 * 4 = 20000/0.693147 = 28853.9008
     14 -> 21  log down           : (5000 - 1250)/ln 4 * 7  = 26250/1.386294 = 18935.3724
     21 -> 28  log down           : (1250 - 312.5)/ln 4 * 7 =  6562.5/1.386294 = 4733.8431
    AUC0-28 = 70823.1163 (all-linear would give 75643.75).
    Cmax 10000 at day 10; Tlast 28 (the day-60 BLQ is after Tlast and is not imputed).
    Half-life: the 3 points after Tmax (14, 21, 28) halve every 3.5 days -> t1/2 = 3.5.
    """
    res = nca_profile(DAYS, VALUES, BLQ, lloq=50)
    expected_auc = 150 + 1650 + 16500 + 20000 / LN2 + 26250 / LN4 + 6562.5 / LN4
    assert expected_auc == pytest.approx(70823.1163, abs=1e-4)
    assert res.auc_0_28 == pytest.approx(expected_auc, rel=1e-12)
    assert (res.cmax, res.tmax, res.tlast, res.expanded) == (10000, 10, 28, True)
    assert res.half_life == pytest.approx(3.5, rel=1e-12)
    assert res.half_life_points == 3
    assert res.half_life_r2_adj == pytest.approx(1.0, abs=1e-12)


def test_blq_between_quantifiable_samples_is_dropped():
    """Source: hand computation, "BLQ after the first quantifiable sample is missing" rule.
    Day 14 BLQ between day 10 (10000) and day 21 (1250) is skipped, so one log-down segment
    spans 10 -> 21: (10000 - 1250)/ln 8 * 11 = 96250/2.079442 = 46286.4659. With days 1-10 as
    above (150 + 1650 + 16500 = 18300) and 21 -> 28 (4733.8431):
    AUC0-28 = 18300 + 46286.4659 + 4733.8431 = 69320.3090.
    (Imputing 0 at day 14 would give a far smaller value; LLOQ/2 a different one.)"""
    values = [NAN, NAN, 100, 1000, 10000, NAN, 1250, 312.5, NAN]
    blq = [True, True, False, False, False, True, False, False, True]
    res = nca_profile(DAYS, values, blq, lloq=50)
    expected = 18300 + 96250 / math.log(8) * 1 + 6562.5 / LN4
    assert expected == pytest.approx(69320.3090, abs=1e-3)
    assert res.auc_0_28 == pytest.approx(expected, rel=1e-12)
    # Half-life points: day 21 and 28 only (day 14 is BLQ) -> fewer than 3 -> not estimated.
    assert res.half_life is None and res.half_life_points == 0


def test_blq_after_tlast_not_imputed_and_auc_stops_at_tlast():
    """Source: hand computation. Samples: day 4: 200, day 10: 2000, day 14: 1000, then BLQ at
    21 and 28. Tlast = 14 < 28, so the AUC stops at day 14 (nothing extrapolated, BLQ after
    Tlast not imputed as 0):
      0 -> 4   linear 0 -> 200      : 100 * 4 = 400
      4 -> 10  linear 200 -> 2000   : 1100 * 6 = 6600
     10 -> 14  log down 2000 -> 1000: 1000/ln 2 * 4 = 5770.7802
    AUC = 12770.7802. (Treating day 21 as 0 would add (1000 + 0)/2 * 7 = 3500.)"""
    days = [0, 4, 10, 14, 21, 28]
    values = [NAN, 200, 2000, 1000, 20, NAN]  # day 21 has a measured value below the LLOQ
    blq = ["Y", "N", "N", "N", "Y", "Y"]
    res = nca_profile(days, values, blq, lloq=50)
    assert res.tlast == 14
    assert res.auc_0_28 == pytest.approx(400 + 6600 + 4000 / LN2, rel=1e-12)
    assert res.auc_0_28 == pytest.approx(12770.7802, abs=1e-4)


def test_value_below_lloq_without_flag_counts_as_blq():
    """Source: documented rule (a value under the LLOQ is BLQ even if the flag says N)."""
    res = nca_profile([0, 4, 10, 14], [NAN, 30, 2000, 1000], [True, False, False, False], 50)
    # Day 4 (30 < 50) is BLQ before the first quantifiable sample -> 0; AUC 0 -> 10 is then
    # linear 0 -> 0 over 0-4 and 0 -> 2000 over 4-10: 6000; 10 -> 14: 4000/ln 2.
    assert res.auc_0_28 == pytest.approx(6000 + 4000 / LN2, rel=1e-12)


def test_patient_without_expansion():
    """Source: documented rule: no quantifiable post-dose sample -> expanded False, all None."""
    res = nca_profile(DAYS, [NAN] * 9, [True] * 9, lloq=50)
    assert res == NCAResult(None, None, None, None, None, None, 0, False)
    # A quantifiable pre-dose sample alone does not make an expansion.
    res2 = nca_profile([-3, 0, 7, 14], [80, 60, NAN, NAN], [False, False, True, True], 50)
    assert res2.expanded is False and res2.cmax is None


def test_pre_dose_samples_excluded_from_cmax():
    """Source: documented rule (day <= 0 excluded): a pre-dose value of 9999 is ignored;
    Cmax = 500 at day 7; AUC 0 -> 7 = (0 + 500)/2 * 7 = 1750 starts from 0 at day 0."""
    res = nca_profile([-5, 0, 7], [9999, 9999, 500], [False, False, False], 50)
    assert (res.cmax, res.tmax, res.tlast) == (500, 7, 7)
    assert res.auc_0_28 == pytest.approx(1750.0)


def test_tmax_is_first_occurrence_of_cmax():
    """Source: documented rule (observed maximum, first occurrence)."""
    res = nca_profile([7, 10, 14, 21], [100, 800, 800, 50], [False] * 4, 10)
    assert (res.cmax, res.tmax) == (800, 10)


def test_interpolation_to_day_28_falling_uses_log():
    """Source: hand computation. Samples ... day 21: 1250, day 35: 156.25 (no day-28 sample).
    Falling, so C(28) is log-linear: exp(ln 1250 + (ln 156.25 - ln 1250) * 7/14)
    = sqrt(1250 * 156.25) = 441.9417. Segment 21 -> 28 (log down):
    (1250 - 441.9417)/ln(1250/441.9417) * 7 = 808.0583/1.0397208 * 7 = 5440.3144.
    Days 0-21 as in the first profile: 18300 + 28853.9008 + 18935.3724 = 66089.2732.
    AUC0-28 = 71529.5876."""
    days = [0, 1, 4, 7, 10, 14, 21, 35]
    values = [NAN, NAN, 100, 1000, 10000, 5000, 1250, 156.25]
    blq = [True, True] + [False] * 6
    res = nca_profile(days, values, blq, lloq=50)
    c28 = math.sqrt(1250 * 156.25)
    assert c28 == pytest.approx(441.9417, abs=1e-4)
    seg = (1250 - c28) / math.log(1250 / c28) * 7
    assert seg == pytest.approx(5440.3144, abs=1e-3)
    assert 66089.2732 + seg == pytest.approx(71529.5876, abs=1e-3)
    expected = 18300 + 20000 / LN2 + 26250 / LN4 + seg
    assert res.auc_0_28 == pytest.approx(expected, rel=1e-12)
    assert res.tlast == 35


def test_interpolation_to_day_28_rising_uses_linear():
    """Source: hand computation. Day 21: 100, day 35: 300 (still rising): C(28) = 100 + 200 *
    7/14 = 200 (linear); segments: 0 -> 21 linear 0 -> 100 = 50 * 21 = 1050; 21 -> 28 =
    (100 + 200)/2 * 7 = 1050. AUC0-28 = 2100 (Cmax 300 at day 35 lies beyond day 28)."""
    res = nca_profile([0, 21, 35], [NAN, 100, 300], [True, False, False], 50)
    assert res.auc_0_28 == pytest.approx(2100.0, rel=1e-12)
    assert (res.cmax, res.tmax) == (300, 35)


def test_sample_exactly_at_day_28_and_auc_end_parameter():
    """Source: hand computation: the day-28 sample ends the integral; day 35 adds nothing.
    With auc_end = 14 the integral stops at the day-14 sample."""
    days = [0, 1, 4, 7, 10, 14, 21, 28, 35]
    values = [NAN, NAN, 100, 1000, 10000, 5000, 1250, 312.5, 78.125]
    blq = [True, True] + [False] * 7
    res = nca_profile(days, values, blq, lloq=50)
    assert res.auc_0_28 == pytest.approx(70823.1163, abs=1e-4)
    res14 = nca_profile(days, values, blq, lloq=50, auc_end=14)
    assert res14.auc_0_28 == pytest.approx(18300 + 20000 / LN2, rel=1e-12)


def test_half_life_exact_monoexponential():
    """Source: by construction: after Tmax the values are 16000 * 2**(-(t - 14)/5), an exact
    mono-exponential with t1/2 = 5 d. Every subset fits exactly (adj R^2 = 1), so the tie
    rule keeps the most points: all 5 after Tmax."""
    post = np.array([14.0, 21, 28, 42, 56])
    days = np.r_[0.0, 4, 10, post]
    values = np.r_[NAN, 500, 20000, 16000 * 2 ** (-(post - 14) / 5)]
    blq = [True, False, False] + [False] * 5
    res = nca_profile(days, values, blq, lloq=1e-6)
    assert res.half_life == pytest.approx(5.0, rel=1e-10)
    assert res.half_life_r2_adj == pytest.approx(1.0, abs=1e-12)
    assert res.half_life_points == 5


def test_half_life_selects_terminal_phase_by_adjusted_r2():
    """Source: by construction: a fast phase then a slow one. Points after Tmax (day 10):
    day 14: 5000 and 21: 1500 (fast), then 28: 400, 42: 200, 56: 100, 84: 25 exactly on a
    t1/2 = 14 d line. Fits on the last 3 and last 4 points are exact (adj R^2 = 1, tie ->
    more points: 4); adding day 21 (the line predicts 565.7, not 1500) lowers adj R^2.
    Expected: t1/2 = 14, 4 points."""
    days = [0, 7, 10, 14, 21, 28, 42, 56, 84]
    values = [NAN, 1000, 8000, 5000, 1500, 400, 200, 100, 25]
    res = nca_profile(days, values, [True] + [False] * 8, lloq=10)
    assert res.half_life == pytest.approx(14.0, rel=1e-10)
    assert res.half_life_points == 4
    assert res.half_life_r2_adj == pytest.approx(1.0, abs=1e-12)


def test_half_life_adjusted_r2_by_hand():
    """Source: hand computation on the 3 points after Tmax (day 10), days 11, 12, 13 with
    ln C = 0, -1, -1.5:
    x = 11, 12, 13 (mean 12), y = 0, -1, -1.5 (mean -0.8333); Sxx = 2,
    Sxy = (-1)(0.8333) + 0 + (1)(-0.6667) = -1.5 -> slope -0.75, lambda_z = 0.75,
    t1/2 = ln 2 / 0.75 = 0.924196. Fitted: -0.0833, -0.8333, -1.5833; residuals 0.0833,
    -0.1667, 0.0833; SSE = 0.041667; SST = 0.6944 + 0.0278 + 0.4444 = 1.166667;
    R^2 = 1 - 0.041667/1.166667 = 0.964286; adj R^2 = 1 - (1 - R^2)(2/1) = 0.928571."""
    days = [0, 10, 11, 12, 13]
    values = [NAN, 5, 1, math.exp(-1), math.exp(-1.5)]
    res = nca_profile(days, values, [True, False, False, False, False], lloq=0.01)
    assert res.half_life == pytest.approx(LN2 / 0.75, rel=1e-12)
    assert res.half_life_r2_adj == pytest.approx(1 - (1 - (1 - 0.041667 / 1.166667)) * 2, abs=1e-5)
    assert res.half_life_r2_adj == pytest.approx(0.928571, abs=1e-6)
    assert res.half_life_points == 3


def test_half_life_needs_three_points_after_tmax():
    """Source: documented rule (>= 3 quantifiable points strictly after Tmax)."""
    res = nca_profile([0, 7, 14, 21, 28], [NAN, 100, 10000, 2000, 400], [True] + [False] * 4, 50)
    assert res.half_life is None and res.half_life_r2_adj is None
    assert res.half_life_points == 0
    rising = nca_profile([0, 7, 14, 21, 28], [NAN, 10, 20, 30, 400], [True] + [False] * 4, 5)
    assert rising.half_life is None  # Tmax is the last sample


def _long_frame() -> pd.DataFrame:
    rows = []
    for day, val, flag in zip(DAYS, VALUES, BLQ, strict=True):
        rows.append(("S-01", day, val, "Y" if flag else "N", 50.0))
    for day, val, flag in zip([0, 7, 10, 14, 21, 28], [NAN, 500, 1000, 500, 250, 125],
                              ["Y", "N", "N", "N", "N", "N"], strict=True):
        rows.append(("S-02", day, val, flag, 50.0))
    for day in [0, 7, 14, 28]:
        rows.append(("S-03", day, NAN, "Y", 50.0))
    return pd.DataFrame(rows, columns=["USUBJID", "day", "AVAL", "blq", "LLOQ"])


def test_nca_table_one_row_per_subject():
    """Source: the same profiles through nca_profile (checked by hand above); S-03 is all BLQ."""
    table = nca_table(_long_frame().sample(frac=1.0, random_state=1))  # order must not matter
    assert list(table.columns) == [
        "USUBJID", "cmax", "tmax", "auc_0_28", "tlast", "half_life", "half_life_r2_adj",
        "half_life_points", "expanded",
    ]
    assert table["USUBJID"].tolist() == ["S-01", "S-02", "S-03"]
    s1 = table.set_index("USUBJID").loc["S-01"]
    assert s1["cmax"] == 10000 and s1["auc_0_28"] == pytest.approx(70823.1163, abs=1e-4)
    s2 = table.set_index("USUBJID").loc["S-02"]
    assert s2["half_life"] == pytest.approx(7.0) and s2["half_life_points"] == 3
    s3 = table.set_index("USUBJID").loc["S-03"]
    assert not s3["expanded"] and math.isnan(s3["cmax"]) and s3["half_life_points"] == 0


def test_nca_summary_geometric_mean_and_cv_by_hand():
    """Source: hand computation. Group "1.0": Cmax 1000 and 10000 (+ one non-expanded
    patient, counted in n but not in the geometric statistics).
    gmean = exp((ln 1000 + ln 10000)/2) = sqrt(1e7) = 3162.2777;
    sd of logs = |ln 10000 - ln 1000| / sqrt 2 = 2.302585/1.414214 = 1.628174, s^2 = 2.650949;
    CV% = 100 sqrt(exp(2.650949) - 1) = 100 sqrt(14.167478 - 1) = 362.8702.
    Tmax 10 and 14 -> median 12 (10-14)."""
    table = pd.DataFrame({
        "USUBJID": ["A", "B", "C", "D"],
        "dose": ["0.5", "1.0", "1.0", "1.0"],
        "cmax": [500.0, 1000.0, 10000.0, NAN],
        "tmax": [7.0, 10.0, 14.0, NAN],
        "auc_0_28": [3500.0, 7000.0, 70000.0, NAN],
        "tlast": [28.0, 60.0, 90.0, NAN],
        "expanded": [True, True, True, False],
    })
    out = nca_summary(table, "dose").set_index("dose")
    g = out.loc["1.0"]
    assert (g["n"], g["n_expanded"]) == (3, 2)
    assert g["cmax_gmean"] == pytest.approx(3162.2777, abs=1e-4)
    assert g["cmax_gcv_pct"] == pytest.approx(362.8702, abs=1e-3)
    assert g["auc_0_28_gmean"] == pytest.approx(math.sqrt(7000 * 70000), rel=1e-12)
    assert g["auc_0_28_gcv_pct"] == pytest.approx(362.8702, abs=1e-3)  # same ratio of 10
    assert (g["tmax_median"], g["tmax_min"], g["tmax_max"]) == (12, 10, 14)
    assert (g["tlast_median"], g["tlast_min"], g["tlast_max"]) == (75, 60, 90)
    single = out.loc["0.5"]
    assert single["cmax_gmean"] == pytest.approx(500.0) and math.isnan(single["cmax_gcv_pct"])


def test_nca_summary_cmax_median_range_and_half_life():
    """Hand count: expanded Cmax 1000, 10000, 4000 -> median 4000 (1000-10000), as the
    publication reports Cmax; half-lives 3.0 and 5.0 (one not estimable) -> median 4.0
    (3.0-5.0) over n = 2; the non-expanded patient is in neither."""
    table = pd.DataFrame({
        "USUBJID": ["A", "B", "C", "D"], "dose": "1.0",
        "cmax": [1000.0, 10000.0, 4000.0, NAN], "tmax": [10.0, 14.0, 12.0, NAN],
        "auc_0_28": [7000.0, 70000.0, 28000.0, NAN], "tlast": [60.0, 90.0, 28.0, NAN],
        "half_life": [3.0, 5.0, NAN, NAN], "expanded": [True, True, True, False],
    })
    g = nca_summary(table, "dose").set_index("dose").loc["1.0"]
    assert (g["cmax_median"], g["cmax_min"], g["cmax_max"]) == (4000, 1000, 10000)
    assert (g["half_life_median"], g["half_life_min"], g["half_life_max"]) == (4, 3, 5)
    assert g["n_half_life"] == 2
