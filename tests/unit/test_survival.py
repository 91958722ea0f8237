"""Kaplan-Meier, median CI, landmarks, at-risk counts and log-rank against published results."""

from __future__ import annotations

import math

import numpy as np
import pytest

from trialdash.analysis.survival import (
    KMResult,
    at_risk_table,
    kaplan_meier,
    landmarks,
    logrank,
    reverse_km_followup,
)

Z95 = 1.959963984540054  # qnorm(0.975)

# Freireich et al. (1963) 6-MP vs placebo remission times in weeks: Gehan's data, R MASS::gehan.
GEHAN_6MP_T = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
GEHAN_6MP_E = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
GEHAN_PLACEBO_T = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
GEHAN_PLACEBO_E = [1] * 21

# R survival::aml (acute myelogenous leukaemia, maintenance chemotherapy).
AML_M_T = [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161]
AML_M_E = [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0]
AML_N_T = [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
AML_N_E = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]


def loglog_limits(s: float, se: float, z: float = Z95) -> tuple[float, float]:
    """Log(-log) interval computed by hand from a published S(t) and its Greenwood SE.

    theta = log(-log S), se(theta) = (se/S) / |log S|; S = exp(-exp(theta)), so
    lower = S ** exp(+z se(theta)), upper = S ** exp(-z se(theta)).
    """
    se_theta = (se / s) / abs(math.log(s))
    return s ** math.exp(z * se_theta), s ** math.exp(-z * se_theta)


def row_at(result: KMResult, t: float):
    curve = result.curve
    return curve[curve["time"] == t].iloc[-1]


# --- Gehan / Freireich 6-MP -------------------------------------------------------------

GEHAN_6MP_PUBLISHED = [
    # time, S(t), Greenwood SE: R summary(survfit(Surv(time, cens) ~ treat, data = MASS::gehan))
    (6, 0.857, 0.0764),
    (7, 0.807, 0.0869),
    (10, 0.753, 0.0963),
    (13, 0.690, 0.1068),
    (16, 0.627, 0.1141),
    (22, 0.538, 0.1282),
    (23, 0.448, 0.1346),
]


@pytest.mark.parametrize(("t", "s", "se"), GEHAN_6MP_PUBLISHED)
def test_km_6mp_matches_R_survfit(t, s, se):
    """Source: R ``summary(survfit(Surv(time, cens) ~ treat, data = MASS::gehan))``, 6-MP arm
    (Freireich et al. 1963): survival and Greenwood std.err at each event time."""
    km = kaplan_meier(GEHAN_6MP_T, GEHAN_6MP_E, "6-MP")
    row = row_at(km, t)
    assert row["survival"] == pytest.approx(s, abs=5e-4)
    assert row["std_err"] == pytest.approx(se, abs=5e-5)


@pytest.mark.parametrize(("t", "s", "se"), GEHAN_6MP_PUBLISHED)
def test_km_6mp_loglog_pointwise_ci_from_published_se(t, s, se):
    """Source: log(-log) limits computed by hand (``loglog_limits``) from the published R
    survival and Greenwood SE of the 6-MP arm; the 3-4 digit inputs give ~2e-3 precision."""
    km = kaplan_meier(GEHAN_6MP_T, GEHAN_6MP_E, "6-MP")
    row = row_at(km, t)
    lo, hi = loglog_limits(s, se)
    assert row["lower"] == pytest.approx(lo, abs=3e-3)
    assert row["upper"] == pytest.approx(hi, abs=3e-3)


def test_km_ties_events_before_censoring():
    """Source: Kaplan & Meier (1958) convention, as in R: at week 6, 3 relapses and 1
    censoring among 21 at risk give S = 18/21 = 0.857 (not 1 - 3/20 = 0.85); the censored
    patient leaves after the events, so 17 are at risk at week 7."""
    km = kaplan_meier(GEHAN_6MP_T, GEHAN_6MP_E)
    assert row_at(km, 6)["survival"] == pytest.approx(18 / 21, abs=1e-12)
    assert row_at(km, 6)["at_risk"] == 21
    assert row_at(km, 7)["at_risk"] == 17


def test_gehan_medians_match_R():
    """Source: R ``survfit(Surv(time, cens) ~ treat, data = MASS::gehan)`` print: medians
    23 (6-MP) and 8 (control)."""
    assert kaplan_meier(GEHAN_6MP_T, GEHAN_6MP_E).median == 23
    assert kaplan_meier(GEHAN_PLACEBO_T, GEHAN_PLACEBO_E).median == 8


def test_gehan_6mp_median_ci_loglog_by_hand():
    """Source: by-hand log(-log) bands from the published R survival/SE of the 6-MP arm.

    Lower limit = first time the lower band is <= 0.5:
      t=10: S=0.753, SE=0.0963 -> se(log S)=0.1279, |log S|=0.2837, se(theta)=0.4508,
            exp(1.96*0.4508)=2.4198, lower = 0.753**2.4198 = 0.5034 > 0.5
      t=13: S=0.690, SE=0.1068 -> se(log S)=0.1548, |log S|=0.3711, se(theta)=0.4171,
            exp(1.96*0.4171)=2.2650, lower = 0.690**2.2650 = 0.4315 <= 0.5  => 13
    Upper limit = first time the upper band is <= 0.5: at the last event (t=23) S=0.448,
      SE=0.1346 -> se(theta)=0.3742, exp(-1.96*0.3742)=0.4803, upper = 0.448**0.4803 =
      0.6800 > 0.5, and the curve stays flat afterwards => not reached (R prints NA).
    """
    assert loglog_limits(0.753, 0.0963)[0] > 0.5
    assert loglog_limits(0.690, 0.1068)[0] <= 0.5
    assert loglog_limits(0.448, 0.1346)[1] > 0.5
    km = kaplan_meier(GEHAN_6MP_T, GEHAN_6MP_E)
    assert km.median == 23
    assert km.median_lower == 13
    assert km.median_upper is None


def test_gehan_placebo_median_ci_loglog_by_hand():
    """Source: by hand. Without censoring Greenwood reduces to var(log S) = (1 - S)/(N S),
    N = 21. Lower band:
      t=3: S=16/21: se(log S)=sqrt(5/336)=0.12199, |log S|=0.27193, se(theta)=0.44860,
           lower = S**exp(1.96*0.44860) = S**2.4091 = 0.5194 > 0.5
      t=4: S=14/21: se(log S)=sqrt(1/42)=0.15430, |log S|=0.40547, se(theta)=0.38055,
           lower = S**2.1084 = 0.4254 <= 0.5  => 4
    Upper band:
      t=8:  S=8/21: se(log S)=sqrt(13/168)=0.27817, |log S|=0.96508, se(theta)=0.28824,
            upper = S**exp(-1.96*0.28824) = S**0.56838 = 0.5778 > 0.5
      t=11: S=6/21: se(log S)=sqrt(15/126)=0.34503, |log S|=1.25276, se(theta)=0.27542,
            upper = S**0.58287 = 0.4818 <= 0.5  => 11
    (R's default conf.type = "log" gives 4-12 instead; this checks the log-log choice.)
    """
    def band(k_surv: int):
        s = k_surv / 21
        return loglog_limits(s, s * math.sqrt((1 - s) / (21 * s)))

    assert band(16)[0] == pytest.approx(0.5194, abs=1e-4)
    assert band(14)[0] == pytest.approx(0.4254, abs=1e-4)
    assert band(8)[1] == pytest.approx(0.5778, abs=1e-4)
    assert band(6)[1] == pytest.approx(0.4818, abs=1e-4)
    km = kaplan_meier(GEHAN_PLACEBO_T, GEHAN_PLACEBO_E)
    assert (km.median, km.median_lower, km.median_upper) == (8, 4, 11)
    for k_surv, t in [(16, 3), (14, 4), (8, 8), (6, 11)]:
        lo, hi = band(k_surv)
        assert row_at(km, t)["lower"] == pytest.approx(lo, abs=1e-10)
        assert row_at(km, t)["upper"] == pytest.approx(hi, abs=1e-10)


def test_gehan_logrank_matches_R_survdiff():
    """Source: R ``survdiff(Surv(time, cens) ~ treat, data = gehan)``:
    Chisq = 16.8 on 1 degrees of freedom, p = 4.17e-05 (Expected 10.7 and 19.3)."""
    res = logrank(
        GEHAN_6MP_T + GEHAN_PLACEBO_T,
        GEHAN_6MP_E + GEHAN_PLACEBO_E,
        ["6-MP"] * 21 + ["placebo"] * 21,
    )
    assert res is not None
    assert res.df == 1
    assert round(res.chisq, 1) == 16.8
    assert res.p == pytest.approx(4.17e-05, abs=5e-8)


def test_loglog_pointwise_ci_against_stata_sts_list():
    """Source: Stata "survival analysis example session" (stata.com), ``webuse cancer``,
    ``sts list, by(drug)``, Control group (20 patients, no censoring before week 5); Stata's
    default interval is log(-log) with Greenwood's SE:
      t=1: 20 at risk, 2 fail: 0.9000 (0.0671) 0.6560 0.9740
      t=2: 18, 1: 0.8500 (0.0798) 0.6038 0.9490
      t=3: 17, 1: 0.8000 (0.0894) 0.5511 0.9198
      t=4: 16, 2: 0.7000 (0.1025) 0.4505 0.8525
    Later times do not affect these rows, so the remaining 14 patients are given arbitrary
    later event times."""
    t = [1, 1, 2, 3, 4, 4, *range(5, 19)]
    km = kaplan_meier(t, [1] * 20, "Control")
    published = {
        1: (0.9000, 0.0671, 0.6560, 0.9740),
        2: (0.8500, 0.0798, 0.6038, 0.9490),
        3: (0.8000, 0.0894, 0.5511, 0.9198),
        4: (0.7000, 0.1025, 0.4505, 0.8525),
    }
    for time, (s, se, lo, hi) in published.items():
        row = row_at(km, time)
        assert row["survival"] == pytest.approx(s, abs=5e-5)
        assert row["std_err"] == pytest.approx(se, abs=5e-5)
        assert row["lower"] == pytest.approx(lo, abs=5e-5)
        assert row["upper"] == pytest.approx(hi, abs=5e-5)


# --- R survival::aml ---------------------------------------------------------------------


def test_aml_logrank_matches_R_survdiff():
    """Source: R ``survdiff(Surv(time, status) ~ x, data = aml)``: Observed 7 and 11,
    Expected 10.69 and 7.31, Chisq = 3.4 on 1 degrees of freedom, p = 0.0653."""
    groups = ["Maintained"] * 11 + ["Nonmaintained"] * 12
    res = logrank(AML_M_T + AML_N_T, AML_M_E + AML_N_E, groups)
    assert res is not None
    assert res.df == 1
    assert round(res.chisq, 1) == 3.4
    assert res.p == pytest.approx(0.0653, abs=5e-5)


def test_aml_km_matches_R_summary():
    """Source: R ``summary(survfit(Surv(time, status) ~ x, data = aml))``, Maintained:
    survival 0.909 0.818 0.716 0.614 0.491 0.368 0.184 and std.err 0.0867 0.1163 0.1397
    0.1526 0.1642 0.1627 0.1535 at times 9 13 18 23 31 34 48; medians 31 (Maintained) and
    23 (Nonmaintained) from the R print."""
    km = kaplan_meier(AML_M_T, AML_M_E, "Maintained")
    published = [
        (9, 0.909, 0.0867), (13, 0.818, 0.1163), (18, 0.716, 0.1397), (23, 0.614, 0.1526),
        (31, 0.491, 0.1642), (34, 0.368, 0.1627), (48, 0.184, 0.1535),
    ]
    for t, s, se in published:
        row = row_at(km, t)
        assert row["survival"] == pytest.approx(s, abs=5e-4)
        assert row["std_err"] == pytest.approx(se, abs=5e-5)
    assert (km.n, km.events, km.censored) == (11, 7, 4)
    assert km.median == 31
    assert kaplan_meier(AML_N_T, AML_N_E).median == 23


def test_aml_maintained_median_ci_by_hand():
    """Source: by-hand log(-log) bands from the published R S/SE (test above):
      lower band t=9:  0.909**exp(1.96*(0.0867/0.909)/0.0954) -> 0.5081 > 0.5
      lower band t=13: 0.818**exp(1.96*(0.1163/0.818)/0.2009) -> 0.4474 <= 0.5  => 13
      upper band at the last event t=48: 0.184**exp(-1.96*(0.1535/0.184)/1.6928) -> 0.5250
      > 0.5 and the curve ends flat at 161  => upper limit not reached."""
    assert loglog_limits(0.909, 0.0867)[0] > 0.5
    assert loglog_limits(0.818, 0.1163)[0] <= 0.5
    assert loglog_limits(0.184, 0.1535)[1] > 0.5
    km = kaplan_meier(AML_M_T, AML_M_E)
    assert (km.median, km.median_lower, km.median_upper) == (31, 13, None)


# --- Median rule, landmarks, at-risk, reverse KM -----------------------------------------


def test_median_midpoint_of_flat_segment_at_half():
    """Source: R ``quantile.survfit`` documentation: a horizontal segment exactly at 0.5
    gives its midpoint, "the standard behavior of the median when data is uncensored": the
    sample median of 1, 2, 3, 4 is 2.5 (numpy agrees)."""
    km = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    assert km.median == 2.5 == float(np.median([1, 2, 3, 4]))
    # Ten uncensored times: S = 10/20 after the 10th of 20 deaths is 0.5 up to round-off.
    km20 = kaplan_meier(list(range(1, 21)), [1] * 20)
    assert km20.median == 10.5


def test_median_flat_at_half_until_end_uses_last_time():
    """Source: R ``quantile.survfit`` (findq, "a flat at the end of the curve"): S = 0.5 from
    t = 2 to the last follow-up at t = 4 gives (2 + 4) / 2 = 3."""
    km = kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0])
    assert km.median == 3.0


def test_median_not_reached_is_none():
    """Source: definition; S never falls to 0.5 (1 event in 5): median, and both limits since
    the upper band never reaches 0.5 either, are not reached."""
    km = kaplan_meier([3, 5, 7, 9, 11], [1, 0, 0, 0, 0])
    assert km.median is None
    assert km.median_upper is None
    assert min(km.curve["survival"]) == pytest.approx(0.8)


def test_landmarks_between_event_times_and_beyond_follow_up():
    """Source: by hand on the 6-MP arm. At t=12 (between events at 10 and 13) the estimate is
    the value from week 10: (18/21)(16/17)(14/15) = 0.7529; at risk at 12 = durations >= 12:
    13,16,17,19,20,22,23,25,32,32,34,35 = 12 patients. At 35 (last censoring) S = 0.4482
    with 1 at risk; at 36 the curve is undefined -> None, 0 at risk."""
    km = kaplan_meier(GEHAN_6MP_T, GEHAN_6MP_E)
    lm12, lm35, lm36 = landmarks(km, [12, 35, 36])
    assert lm12.survival == pytest.approx(18 / 21 * 16 / 17 * 14 / 15, abs=1e-12)
    assert lm12.at_risk == 12
    assert lm12.lower == pytest.approx(row_at(km, 10)["lower"])
    assert lm12.lower < lm12.survival < lm12.upper
    assert lm35.survival == pytest.approx(0.448179, abs=1e-6) and lm35.at_risk == 1
    assert (lm36.survival, lm36.lower, lm36.upper, lm36.at_risk) == (None, None, None, 0)
    # An event at exactly the landmark counts (right-continuous): S(13) is after the relapse.
    assert landmarks(km, [13])[0].survival == pytest.approx(0.690196, abs=1e-6)


def test_survival_at_step_lookup():
    """Source: by hand (placebo arm, no censoring): S(t) = (number with time > t) / 21."""
    km = kaplan_meier(GEHAN_PLACEBO_T, GEHAN_PLACEBO_E)
    for t in [0, 0.5, 1, 1.5, 4, 7.9, 8, 22.99]:
        expected = sum(x > t for x in GEHAN_PLACEBO_T) / 21
        assert km.survival_at(t) == pytest.approx(expected, abs=1e-12)
    assert km.survival_at(-1) == 1.0
    assert km.survival_at(23) == 0.0
    assert math.isnan(km.survival_at(23.5))


def test_censor_times_and_counts():
    """Source: by hand, 6-MP arm: 12 censored (6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35)."""
    km = kaplan_meier(GEHAN_6MP_T, GEHAN_6MP_E)
    assert (km.n, km.events, km.censored) == (21, 9, 12)
    assert km.censor_times.tolist() == [6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35]
    assert km.curve.iloc[0][["time", "survival", "at_risk"]].tolist() == [0, 1, 21]
    assert km.curve["time"].iloc[1:].is_unique


def test_at_risk_table_by_hand():
    """Source: by hand, count of durations >= tick.
    6-MP:    tick 0: 21; 10: 15 (10,10,11,13,...); 20: 8 (20,22,23,25,32,32,34,35);
             30: 4 (32,32,34,35); 40: 0.
    Placebo: tick 0: 21; 10: 8 (11,11,12,12,15,17,22,23); 20: 2 (22,23); 30: 0; 40: 0."""
    a = kaplan_meier(GEHAN_6MP_T, GEHAN_6MP_E, "6-MP")
    b = kaplan_meier(GEHAN_PLACEBO_T, GEHAN_PLACEBO_E, "Placebo")
    table = at_risk_table([a, b], [0, 10, 20, 30, 40])
    assert list(table.index) == ["6-MP", "Placebo"]
    assert list(table.columns) == [0, 10, 20, 30, 40]
    assert table.loc["6-MP"].tolist() == [21, 15, 8, 4, 0]
    assert table.loc["Placebo"].tolist() == [21, 8, 2, 0, 0]
    # A tick between observed times: durations >= 5.5 in the placebo arm = 12.
    assert at_risk_table([b], [5.5]).iloc[0, 0] == 12


def test_reverse_km_median_follow_up_by_hand():
    """Source: by hand (Schemper & Smith 1996 reverse KM). Durations 2, 4, 6, 8, 10 with
    events 1, 0, 1, 0, 0. Flipped, censoring is the "event": t=2 event-in-original ->
    censored; t=4: 1 of 4 at risk -> 3/4; t=6 censored; t=8: 1 of 2 -> 3/8 <= 0.5, so the
    median follow-up is 8 (the ordinary median of all times would be 6)."""
    fu = reverse_km_followup([2, 4, 6, 8, 10], [1, 0, 1, 0, 0])
    assert fu.label == "Follow-up"
    assert fu.curve["survival"].tolist() == pytest.approx([1.0, 1.0, 0.75, 0.75, 0.375, 0.0])
    assert fu.median == 8


# --- k-group log-rank --------------------------------------------------------------------


def test_three_group_logrank_by_hand():
    """Source: by hand. Groups A, B, C with one event each at t = 1, 2, 3.
    t=1: N=3, n=(1,1,1): E=(1/3,1/3,1/3), O=(1,0,0), V_jj=(1/3)(2/3)=2/9, V_jk=-1/9.
    t=2: N=2, n=(0,1,1): E=(0,1/2,1/2), O=(0,1,0), V_BB=V_CC=1/4, V_BC=-1/4.
    t=3: N=1: E=(0,0,1), O=(0,0,1), V=0 (factor (N-d)/(N-1) = 0).
    O-E = (2/3, 1/6, -5/6); V on (A, B) = (1/36)[[8, -4], [-4, 17]], inverse
    0.3 [[17, 4], [4, 8]]; chisq = 0.3 (17 (2/3)^2 + 8 (2/3)(1/6) + 8 (1/6)^2) = 2.6 on
    2 df, p = exp(-2.6/2) = 0.272532 (chi-square with 2 df)."""
    res = logrank([1, 2, 3], [1, 1, 1], ["A", "B", "C"])
    assert res is not None
    assert res.df == 2
    assert res.chisq == pytest.approx(2.6, abs=1e-10)
    assert res.p == pytest.approx(math.exp(-1.3), abs=1e-10)


def _logrank_reference(t, e, g) -> float:
    """Independent k-group log-rank statistic (Mantel-Haenszel O-E and hypergeometric V)."""
    t, e, g = np.asarray(t, float), np.asarray(e, int), np.asarray(g)
    labels = sorted(set(g.tolist()))
    k = len(labels)
    o_minus_e = np.zeros(k)
    v = np.zeros((k, k))
    for time in np.unique(t[e == 1]):
        at_risk = np.array([np.sum((t >= time) & (g == lab)) for lab in labels], float)
        deaths = np.array([np.sum((t == time) & (e == 1) & (g == lab)) for lab in labels], float)
        n, d = at_risk.sum(), deaths.sum()
        o_minus_e += deaths - d * at_risk / n
        if n > 1:
            f = d * (n - d) / (n - 1)
            p = at_risk / n
            v += f * (np.diag(p) - np.outer(p, p))
    u = o_minus_e[:-1]
    return float(u @ np.linalg.solve(v[:-1, :-1], u))


def test_three_group_logrank_against_independent_computation():
    """Source: a direct implementation of the k-sample log-rank statistic (Peto & Peto 1972;
    Klein & Moeschberger section 7.3) written out in this test, on the 12-patient, 3-group
    example with ties and censoring from the lifelines documentation."""
    g = [0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2]
    t = [5, 3, 9, 8, 7, 4, 4, 3, 2, 5, 6, 7]
    e = [1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0]
    res = logrank(t, e, g)
    assert res is not None and res.df == 2
    assert res.chisq == pytest.approx(_logrank_reference(t, e, g), rel=1e-10)
    assert res.p == pytest.approx(math.exp(-res.chisq / 2), rel=1e-10)


def test_logrank_needs_two_groups_and_events():
    """Source: definition (nothing to compare)."""
    assert logrank([1, 2, 3], [1, 0, 1], ["a", "a", "a"]) is None
    assert logrank([1, 2], [0, 0], ["a", "b"]) is None


def test_invalid_input_rejected():
    """Source: documented assumptions (right-censored, durations >= 0, events 0/1)."""
    with pytest.raises(ValueError):
        kaplan_meier([1, -2], [1, 1])
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [1, 2])
    with pytest.raises(ValueError):
        kaplan_meier([1, 2, 3], [1, 1])


def test_empty_group():
    """Source: convention: no patients, no curve beyond the origin, no median."""
    km = kaplan_meier([], [], "Empty")
    assert (km.n, km.events, km.median) == (0, 0, None)
    assert at_risk_table([km], [0, 10]).loc["Empty"].tolist() == [0, 0]
