"""Exact proportions and geometric summaries against published R output and closed forms."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from trialdash.analysis.stats import (
    Proportion,
    clopper_pearson,
    format_n_of_N,
    format_proportion_ci,
    geometric_mean_cv,
    median_range,
    proportion,
)

# R prints 7 significant digits, so compare to half a unit in the 7th decimal place.
R_TOL = 6e-8


@pytest.mark.parametrize(
    ("k", "n", "level", "lower", "upper"),
    [
        # binom.test(8, 10): 95 percent confidence interval 0.4439045 0.9747893
        # (R printout reproduced in several published R tutorials on the exact binomial test)
        (8, 10, 0.95, 0.4439045, 0.9747893),
        # binom.test(9, 24, 1/6): 0.1879929 0.5940636 (R console output in the 2020 blog post
        # "r binom test confidence interval"; the interval does not depend on p)
        (9, 24, 0.95, 0.1879929, 0.5940636),
        # binom.test(12, 50, conf.level = 0.90): 0.1447182 0.3596557 (R-help thread
        # "[R] binom.test", Ethan Johnsons; verified there by Ted Harding with pbinom)
        (12, 50, 0.90, 0.1447182, 0.3596557),
        # Published R output (#> console lines) of exact binomial tests by group on mtcars
        # (vs = 1: 7 of 14 cars manual; vs = 0: 12 of 18 automatic), from binom.test:
        # 0.2303605 0.7696395 and 0.4099252 0.8665726
        (7, 14, 0.95, 0.2303605, 0.7696395),
        (12, 18, 0.95, 0.4099252, 0.8665726),
    ],
)
def test_clopper_pearson_against_R_binom_test(k, n, level, lower, upper):
    """Source: R ``binom.test(k, n, conf.level = level)$conf.int`` as printed (7 digits)."""
    lo, hi = clopper_pearson(k, n, level)
    assert lo == pytest.approx(lower, abs=R_TOL)
    assert hi == pytest.approx(upper, abs=R_TOL)


def test_clopper_pearson_against_Hmisc_binconf_exact():
    """Source: R ``Hmisc::binconf(12, 50, method = "all")`` row "Exact": 0.130610 0.381691."""
    lo, hi = clopper_pearson(12, 50)
    assert lo == pytest.approx(0.130610, abs=6e-7)
    assert hi == pytest.approx(0.381691, abs=6e-7)


def test_zero_successes_closed_form_and_R():
    """Source: k = 0 has the closed form upper = 1 - (alpha/2)**(1/n) (Clopper & Pearson 1934);
    for 0/3 R's ``qbeta(0.975, 1, 3)`` prints 0.707598226 (published qbeta table in an R
    course on the Beta distribution)."""
    lo, hi = clopper_pearson(0, 3)
    assert lo == 0.0
    assert hi == pytest.approx(1 - 0.025 ** (1 / 3), abs=1e-12)
    assert hi == pytest.approx(0.707598226, abs=6e-10)


def test_all_successes_closed_form():
    """Source: k = n has the closed form lower = (alpha/2)**(1/n), upper = 1 (Clopper &
    Pearson 1934); for 14/14 that is 0.025**(1/14) = 0.7683642, the value R's
    binom.test(14, 14) reports."""
    lo, hi = clopper_pearson(14, 14)
    assert lo == pytest.approx(0.025 ** (1 / 14), abs=1e-12)
    assert lo == pytest.approx(0.7683642, abs=R_TOL)
    assert hi == 1.0


def test_one_of_six_from_the_defining_tail_equations():
    """Source: the Clopper-Pearson definition itself. The lower limit p_L solves
    P(X >= 1 | p_L) = 1 - (1 - p_L)**6 = 0.025 (closed form), the upper limit p_U solves
    P(X <= 1 | p_U) = (1 - p_U)**6 + 6 p_U (1 - p_U)**5 = 0.025 (checked as a polynomial,
    without any beta-quantile routine)."""
    lo, hi = clopper_pearson(1, 6)
    assert lo == pytest.approx(1 - 0.975 ** (1 / 6), abs=1e-12)
    tail = (1 - hi) ** 6 + 6 * hi * (1 - hi) ** 5
    assert tail == pytest.approx(0.025, abs=1e-10)
    # The tail probability falls as p rises, so a slightly wider limit must leave less.
    assert (1 - (hi + 1e-4)) ** 6 + 6 * (hi + 1e-4) * (1 - (hi + 1e-4)) ** 5 < 0.025


def test_empty_denominator_has_no_interval():
    """Source: convention of this module (no estimate of nobody), matching R's NA for n = 0."""
    lo, hi = clopper_pearson(0, 0)
    assert math.isnan(lo) and math.isnan(hi)
    p = proportion(0, 0)
    assert math.isnan(p.estimate)
    assert format_n_of_N(0, 0) == "0/0 (NA)"


@pytest.mark.parametrize(("k", "n"), [(-1, 3), (4, 3), (1, -1)])
def test_invalid_counts_raise(k, n):
    """Source: definition (0 <= k <= n)."""
    with pytest.raises(ValueError):
        clopper_pearson(k, n)


def test_proportion_dataclass_and_formatting():
    """Source: R ``binom.test(8, 10)`` interval, formatted by hand: 44.39% and 97.48%."""
    p = proportion(8, 10)
    assert isinstance(p, Proportion)
    assert (p.k, p.n, p.estimate) == (8, 10, 0.8)
    assert p.lower == pytest.approx(0.4439045, abs=R_TOL)
    assert format_n_of_N(8, 10) == "8/10 (80.0%)"
    assert format_n_of_N(13, 14) == "13/14 (92.9%)"
    assert format_n_of_N(2, 3, digits=0) == "2/3 (67%)"
    assert format_proportion_ci(p) == "8/10 (80.0%; 95% CI 44.4-97.5)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.k = 9  # frozen


def test_geometric_mean_cv_by_hand():
    """Source: hand computation. Values 10, 100, 1000: ln = 2.302585, 4.605170, 6.907755;
    mean ln = 4.605170 -> geometric mean exp(4.605170) = 100. sd of ln (n - 1) = ln(10) =
    2.302585 (deviations -ln10, 0, +ln10; sum of squares 2 ln(10)^2 over 2).
    CV% = 100 * sqrt(exp(2.302585^2) - 1) = 100 * sqrt(exp(5.301898) - 1)
        = 100 * sqrt(200.7204 - 1) = 100 * 14.13225 = 1413.225 %."""
    gmean, cv = geometric_mean_cv([10, 100, 1000])
    assert gmean == pytest.approx(100.0, rel=1e-12)
    assert cv == pytest.approx(100 * math.sqrt(math.exp(math.log(10) ** 2) - 1), rel=1e-12)
    assert cv == pytest.approx(1413.2, abs=0.1)


def test_geometric_cv_of_small_spread_approaches_sd_of_logs():
    """Source: for small s, sqrt(exp(s^2) - 1) ~ s: values e^-0.01, e^0.01 have s = 0.014142,
    CV = 100 * sqrt(exp(0.0002) - 1) = 1.41428 %."""
    gmean, cv = geometric_mean_cv([math.exp(-0.01), math.exp(0.01)])
    assert gmean == pytest.approx(1.0, abs=1e-12)
    assert cv == pytest.approx(1.41428, abs=1e-4)


def test_geometric_mean_ignores_missing_and_non_positive():
    """Source: documented rule (no logarithm for NaN or values <= 0)."""
    gmean, cv = geometric_mean_cv([4.0, None, float("nan"), 0.0, -3.0, 16.0])
    assert gmean == pytest.approx(8.0)  # sqrt(4 * 16)
    assert not math.isnan(cv)
    g1, cv1 = geometric_mean_cv([5.0, 0.0])
    assert g1 == pytest.approx(5.0) and math.isnan(cv1)
    g0, cv0 = geometric_mean_cv([0.0, None])
    assert math.isnan(g0) and math.isnan(cv0)


def test_median_range():
    """Source: hand computation; NaN ignored."""
    assert median_range([12, 10, 21, None, np.nan]) == (12.0, 10.0, 21.0)
    assert median_range([1, 2, 3, 4]) == (2.5, 1.0, 4.0)
    assert all(math.isnan(x) for x in median_range([]))
