"""Small descriptive statistics for the dashboard: exact proportions, geometric means, ranges.

Assumptions
-----------
* Proportions are counts of patients, ``0 <= k <= n``. Their confidence interval is the exact
  (Clopper-Pearson, 1934) interval, the one R's ``binom.test(k, n)$conf.int`` reports: the
  lower limit is the ``alpha/2`` quantile of Beta(k, n - k + 1) (0 when k = 0) and the upper
  limit the ``1 - alpha/2`` quantile of Beta(k + 1, n - k) (1 when k = n).
* An empty denominator (n = 0) has no estimate and no interval: NaN, never 0.
* Geometric summaries are for strictly positive quantities (Cmax, AUC). Values that are NaN or
  <= 0 have no logarithm and are dropped before summarising; callers who need to show how many
  were dropped (e.g. a patient without CAR-T expansion) count them separately.
* The geometric coefficient of variation is ``CV% = 100 * sqrt(exp(s**2) - 1)``, where ``s`` is
  the sample standard deviation (n - 1 denominator) of the natural logarithms. This is the
  log-normal CV used in pharmacokinetic reports (e.g. WinNonlin, PKNCA ``geocv``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _sps

__all__ = [
    "Proportion",
    "clopper_pearson",
    "format_n_of_N",
    "format_proportion_ci",
    "geometric_mean_cv",
    "median_range",
    "proportion",
]


def _check_counts(k: int, n: int) -> None:
    if isinstance(k, bool) or isinstance(n, bool):
        raise TypeError("k and n must be integers, not booleans")
    if int(k) != k or int(n) != n:
        raise ValueError(f"k and n must be whole numbers, got k={k!r}, n={n!r}")
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) two-sided confidence interval for a binomial proportion.

    Parameters
    ----------
    k : int
        Number of patients with the outcome (successes), ``0 <= k <= n``.
    n : int
        Number of patients evaluated.
    level : float, default 0.95
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    tuple of float
        ``(lower, upper)``. ``lower`` is exactly 0 when ``k == 0`` and ``upper`` exactly 1
        when ``k == n``; ``(nan, nan)`` when ``n == 0``.

    Notes
    -----
    Equal-tailed: each limit leaves ``(1 - level) / 2`` in its tail, as in R's ``binom.test``.
    The coverage is at least ``level`` for every true proportion (conservative).
    """
    _check_counts(k, n)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if n == 0:
        return (math.nan, math.nan)
    alpha = 1.0 - level
    lower = 0.0 if k == 0 else float(_sps.beta.ppf(alpha / 2.0, k, n - k + 1))
    upper = 1.0 if k == n else float(_sps.beta.ppf(1.0 - alpha / 2.0, k + 1, n - k))
    return (lower, upper)


@dataclass(frozen=True)
class Proportion:
    """A count out of a denominator, with its exact confidence interval.

    Attributes
    ----------
    k, n : int
        Numerator and denominator.
    estimate : float
        ``k / n`` (NaN when ``n == 0``).
    lower, upper : float
        Clopper-Pearson limits at ``level`` (NaN when ``n == 0``).
    level : float
        Confidence level of the interval.
    """

    k: int
    n: int
    estimate: float
    lower: float
    upper: float
    level: float = 0.95


def proportion(k: int, n: int, level: float = 0.95) -> Proportion:
    """Estimate ``k / n`` with its exact (Clopper-Pearson) confidence interval.

    Parameters
    ----------
    k, n : int
        Numerator and denominator, ``0 <= k <= n``.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    Proportion
    """
    lower, upper = clopper_pearson(k, n, level)
    estimate = math.nan if n == 0 else k / n
    return Proportion(int(k), int(n), estimate, lower, upper, level)


def format_n_of_N(k: int, n: int, digits: int = 1) -> str:  # noqa: N802 (N is the clinical convention)
    """Format a count as ``"k/n (pct%)"``, e.g. ``"8/10 (80.0%)"``.

    Small trials report exact counts, with the percentage as a guide. An empty denominator
    gives ``"0/0 (NA)"``: there is no percentage of nobody.
    """
    _check_counts(k, n)
    if n == 0:
        return f"{k}/{n} (NA)"
    return f"{k}/{n} ({100.0 * k / n:.{digits}f}%)"


def format_proportion_ci(p: Proportion, digits: int = 1) -> str:
    """Format a :class:`Proportion` as ``"8/10 (80.0%; 95% CI 44.4-97.5)"``.

    Limits are percentages with ``digits`` decimals; an empty denominator gives ``"0/0 (NA)"``.
    """
    if p.n == 0:
        return format_n_of_N(p.k, p.n, digits)
    pct = f"{100.0 * p.estimate:.{digits}f}%"
    level = f"{100.0 * p.level:g}%"
    lo, hi = 100.0 * p.lower, 100.0 * p.upper
    return f"{p.k}/{p.n} ({pct}; {level} CI {lo:.{digits}f}-{hi:.{digits}f})"


def _as_float_array(values: Iterable[float]) -> np.ndarray:
    """Flatten ``values`` to floats; ``None``, ``pd.NA`` and non-numbers become NaN."""
    if isinstance(values, (np.ndarray, pd.Series, pd.Index)):
        raw = np.asarray(values, dtype=object).ravel()
    else:
        raw = np.asarray(list(values), dtype=object).ravel()
    series = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce")
    return series.to_numpy(dtype=float, na_value=np.nan)


def geometric_mean_cv(values: Iterable[float]) -> tuple[float, float]:
    """Geometric mean and geometric coefficient of variation (%) of positive values.

    Parameters
    ----------
    values : iterable of float
        Strictly positive measurements (e.g. Cmax). ``None``/NaN and values ``<= 0`` are
        ignored (they have no logarithm); see the module notes.

    Returns
    -------
    tuple of float
        ``(gmean, cv_percent)`` with ``gmean = exp(mean(ln x))`` and
        ``cv_percent = 100 * sqrt(exp(sd(ln x)**2) - 1)`` (sd with n - 1 denominator).
        ``(nan, nan)`` when no value is usable; ``cv_percent`` is NaN with a single value.
    """
    arr = _as_float_array(values)
    arr = arr[np.isfinite(arr) & (arr > 0)]
    if arr.size == 0:
        return (math.nan, math.nan)
    logs = np.log(arr)
    gmean = float(np.exp(logs.mean()))
    if arr.size < 2:
        return (gmean, math.nan)
    sd = float(logs.std(ddof=1))
    return (gmean, float(100.0 * math.sqrt(math.expm1(sd * sd))))


def median_range(values: Iterable[float]) -> tuple[float, float, float]:
    """Median, minimum and maximum of the non-missing values.

    ``None`` and NaN are ignored; ``(nan, nan, nan)`` when nothing is left.
    """
    arr = _as_float_array(values)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return (math.nan, math.nan, math.nan)
    return (float(np.median(arr)), float(arr.min()), float(arr.max()))
