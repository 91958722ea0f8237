"""Kaplan-Meier estimates, landmark rates, at-risk tables and the log-rank test.

The estimates come from lifelines (``KaplanMeierFitter``, ``multivariate_logrank_test``); this
module fixes the conventions so that the numbers match R's ``survival`` package
(``survfit(..., conf.type = "log-log")``, ``quantile.survfit``, ``survdiff``).

Assumptions and conventions
---------------------------
* Right-censored data only: ``durations >= 0`` (time since infusion), ``events`` is 1 for an
  event and 0 for censoring. No delayed entry, no weights.
* Ties: at a time shared by events and censorings the events happen first, i.e. patients
  censored at ``t`` are still at risk at ``t`` (the standard Kaplan-Meier convention, as in R).
* Pointwise confidence intervals: Greenwood variance of the cumulative hazard,
  ``var(log S(t)) = sum_{t_i <= t} d_i / (n_i (n_i - d_i))``, on the log(-log) scale:
  ``S(t) ** exp(+-z * sqrt(var) / log S(t))``. This is lifelines' default and equals R's
  ``survfit(..., conf.type = "log-log")`` (and Stata's ``sts list``); it is *not* R's default
  ``conf.type = "log"``. Where ``S(t) = 1`` the interval is ``[1, 1]``; where ``S(t) = 0`` it is
  undefined and stored as NaN (R: NA).
* Median and its confidence interval follow R's ``quantile.survfit``: the median is the first
  time the curve is <= 0.5; the lower (upper) limit is the first time the *lower* (*upper*)
  pointwise band is <= 0.5 (Brookmeyer-Crowley style, from the band intersections). If the
  curve (or band) sits exactly at 0.5 (within ``sqrt(machine eps)``) over a horizontal segment,
  the midpoint of that segment is returned, as R does (so the uncensored sample 1, 2, 3, 4 has
  median 2.5; lifelines alone would say 2). If it stays at 0.5 to the end of follow-up, the
  midpoint between the start of the segment and the last observed time is used (R's
  ``quantile.survfit``). A median that is never reached, and a limit whose band never
  reaches 0.5, are ``None`` ("not reached"/"not estimable"). Band values that are NaN (at
  ``S = 0``) are ignored, as R ignores NA.
* Median follow-up is the reverse Kaplan-Meier median (Schemper & Smith 1996): the same
  estimator with the event indicator flipped, so that loss to follow-up is the "event".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test
from numpy.typing import ArrayLike

__all__ = [
    "KMResult",
    "Landmark",
    "LogRank",
    "at_risk_table",
    "kaplan_meier",
    "landmarks",
    "logrank",
    "reverse_km_followup",
]

#: Tolerance used to decide that a curve is "exactly" 0.5 (R: ``sqrt(.Machine$double.eps)``).
_TOL = math.sqrt(np.finfo(float).eps)

_CURVE_COLUMNS = ["time", "survival", "lower", "upper", "std_err", "at_risk", "events", "censored"]


@dataclass(frozen=True)
class Landmark:
    """Kaplan-Meier survival at a fixed time with its pointwise confidence interval.

    ``survival``/``lower``/``upper`` are ``None`` when the time lies beyond the last observed
    time (the curve is not defined there) or, for the limits, where the interval is undefined
    (``S = 0``). ``at_risk`` is the number of patients with duration >= ``time``.
    """

    time: float
    survival: float | None
    lower: float | None
    upper: float | None
    at_risk: int


@dataclass(frozen=True, eq=False)
class KMResult:
    """A fitted Kaplan-Meier curve (one group).

    Attributes
    ----------
    label : str
        Group label.
    n, events, censored : int
        Patients, events and censorings (``n == events + censored``).
    median, median_lower, median_upper : float or None
        Median and its confidence limits (see the module notes); ``None`` = not reached /
        not estimable.
    curve : pandas.DataFrame
        One row for the origin (time 0, survival 1, all patients at risk) followed by one row
        per distinct observed time, with columns ``time, survival, lower, upper, std_err,
        at_risk, events, censored``. ``survival`` is the value from that time on (the curve is
        right-continuous); ``at_risk`` is the number with duration >= ``time``; ``std_err`` is
        Greenwood's standard error of ``survival`` (as R's ``summary(survfit)$std.err``).
    censor_times : numpy.ndarray
        Sorted durations of the censored patients, one entry per patient (duplicates kept);
        the curve height at each is ``survival_at(t)``.
    level : float
        Confidence level of the pointwise intervals and of the median interval.

    Notes
    -----
    ``eq=False``: results hold a DataFrame, so they compare by identity.
    """

    label: str
    n: int
    events: int
    censored: int
    median: float | None
    median_lower: float | None
    median_upper: float | None
    curve: pd.DataFrame
    censor_times: np.ndarray
    level: float = 0.95

    @property
    def last_time(self) -> float:
        """Last observed time (event or censoring); 0 when there are no patients."""
        return float(self.curve["time"].iloc[-1])

    def _row_at(self, t: float) -> int | None:
        """Index of the curve row in force at ``t`` (right-continuous), None beyond the data."""
        if not math.isfinite(t):
            raise ValueError(f"time must be finite, got {t}")
        if t > self.last_time:
            return None
        times = self.curve["time"].to_numpy()
        return max(int(np.searchsorted(times, t, side="right")) - 1, 0)

    def survival_at(self, t: float) -> float:
        """Kaplan-Meier survival at ``t`` (right-continuous step lookup).

        Returns 1.0 for ``t < 0`` (before the origin) and NaN for ``t`` beyond the last
        observed time, where the estimate is not defined.
        """
        if t < 0:
            return 1.0
        i = self._row_at(t)
        return math.nan if i is None else float(self.curve["survival"].iloc[i])

    def at_risk_at(self, t: float) -> int:
        """Number of patients with duration >= ``t`` (all patients for ``t <= 0``)."""
        times = self.curve["time"].to_numpy()[1:]
        at_risk = self.curve["at_risk"].to_numpy()[1:]
        if t <= 0:
            return self.n
        j = int(np.searchsorted(times, t, side="left"))
        return 0 if j >= times.size else int(at_risk[j])


def _as_arrays(durations: ArrayLike, events: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(durations, dtype=float).ravel()
    e = np.asarray(events, dtype=float).ravel()
    if t.shape != e.shape:
        raise ValueError(f"durations and events differ in length ({t.size} vs {e.size})")
    if np.isnan(t).any() or np.isnan(e).any():
        raise ValueError("durations and events must not contain missing values")
    if (t < 0).any() or not np.isfinite(t).all():
        raise ValueError("durations must be finite and >= 0")
    if not np.isin(e, (0.0, 1.0)).all():
        raise ValueError("events must be 0 (censored) or 1 (event)")
    return t, e.astype(int)


def _first_time_at_or_below(times: np.ndarray, values: np.ndarray, p: float) -> float | None:
    """R's ``quantile.survfit`` rule for one curve or band (see the module notes)."""
    keep = ~np.isnan(values)
    t, y = times[keep], values[keep]
    hit = np.flatnonzero(y <= p + _TOL)
    if hit.size == 0:
        return None
    i = int(hit[0])
    if abs(y[i] - p) < _TOL:  # horizontal segment exactly at p: take its midpoint
        below = np.flatnonzero(y < p - _TOL)
        end = float(t[below[0]]) if below.size else float(times[-1])
        return (float(t[i]) + end) / 2.0
    return float(t[i])


def kaplan_meier(
    durations: ArrayLike, events: ArrayLike, label: str = "All", level: float = 0.95
) -> KMResult:
    """Fit a Kaplan-Meier curve with log(-log) pointwise intervals and the median's CI.

    Parameters
    ----------
    durations : array-like of float
        Time from the origin (infusion) to event or censoring, >= 0.
    events : array-like of {0, 1} or bool
        1 if the event was observed, 0 if censored.
    label : str, default "All"
        Name of the group, carried into tables.
    level : float, default 0.95
        Confidence level of the pointwise and median intervals.

    Returns
    -------
    KMResult

    Notes
    -----
    See the module docstring for the interval and median conventions (R ``survfit`` with
    ``conf.type = "log-log"`` and ``quantile.survfit``). With no patients the result has
    ``n = 0``, a one-row curve (the origin) and no median.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    t, e = _as_arrays(durations, events)
    n = int(t.size)
    origin = {
        "time": 0.0, "survival": 1.0, "lower": 1.0, "upper": 1.0, "std_err": 0.0,
        "at_risk": n, "events": 0, "censored": 0,
    }
    if n == 0:
        curve = pd.DataFrame([origin], columns=_CURVE_COLUMNS)
        return KMResult(label, 0, 0, 0, None, None, None, curve, np.empty(0), level)

    kmf = KaplanMeierFitter(alpha=1.0 - level, label=label).fit(t, e)
    table = kmf.event_table
    table = table[table["removed"] > 0]
    times = table.index.to_numpy(dtype=float)
    surv = kmf.survival_function_.loc[times].iloc[:, 0].to_numpy(dtype=float)
    ci = kmf.confidence_interval_.loc[times]
    lower = ci.iloc[:, 0].to_numpy(dtype=float).copy()
    upper = ci.iloc[:, 1].to_numpy(dtype=float).copy()
    at_risk = table["at_risk"].to_numpy(dtype=int)
    d = table["observed"].to_numpy(dtype=int)
    c = table["censored"].to_numpy(dtype=int)

    # Greenwood: var(log S) = sum d / (n (n - d)); undefined once S reaches 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > d, d / (at_risk * (at_risk - d)), np.inf)
    std_err = surv * np.sqrt(np.cumsum(terms))
    zero = surv <= 0.0
    lower[zero] = np.nan
    upper[zero] = np.nan
    std_err[zero] = np.nan
    lower[surv >= 1.0] = 1.0
    upper[surv >= 1.0] = 1.0

    body = pd.DataFrame({
        "time": times, "survival": surv, "lower": lower, "upper": upper, "std_err": std_err,
        "at_risk": at_risk, "events": d, "censored": c,
    })
    curve = pd.concat([pd.DataFrame([origin]), body], ignore_index=True)[_CURVE_COLUMNS]
    curve = curve.astype({"at_risk": int, "events": int, "censored": int})

    ctimes = curve["time"].to_numpy()
    median = _first_time_at_or_below(ctimes, curve["survival"].to_numpy(), 0.5)
    med_lo = _first_time_at_or_below(ctimes, curve["lower"].to_numpy(), 0.5)
    med_hi = _first_time_at_or_below(ctimes, curve["upper"].to_numpy(), 0.5)
    events_total = int(e.sum())
    return KMResult(
        label=label,
        n=n,
        events=events_total,
        censored=n - events_total,
        median=median,
        median_lower=med_lo,
        median_upper=med_hi,
        curve=curve,
        censor_times=np.sort(t[e == 0]),
        level=level,
    )


def _none_if_nan(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def landmarks(result: KMResult, times: Sequence[float]) -> list[Landmark]:
    """Survival with its pointwise CI at fixed times (e.g. 6 and 12 months).

    Parameters
    ----------
    result : KMResult
    times : sequence of float
        Landmark times, in the unit of the durations.

    Returns
    -------
    list of Landmark
        One per requested time, in the order given. The estimate is the step value at the time
        (right-continuous: an event at exactly ``t`` counts). Beyond the last observed time the
        estimate and its limits are ``None``; ``at_risk`` is the number with duration >= t.
    """
    out: list[Landmark] = []
    for t in times:
        t = float(t)
        at_risk = result.at_risk_at(t)
        if t < 0:
            out.append(Landmark(t, 1.0, 1.0, 1.0, at_risk))
            continue
        i = result._row_at(t)
        if i is None:
            out.append(Landmark(t, None, None, None, at_risk))
            continue
        row = result.curve.iloc[i]
        out.append(Landmark(
            t,
            _none_if_nan(row["survival"]),
            _none_if_nan(row["lower"]),
            _none_if_nan(row["upper"]),
            at_risk,
        ))
    return out


def at_risk_table(results: Sequence[KMResult], ticks: Sequence[float]) -> pd.DataFrame:
    """Numbers at risk under a Kaplan-Meier plot.

    Parameters
    ----------
    results : sequence of KMResult
        One per group, in display order.
    ticks : sequence of float
        Axis ticks.

    Returns
    -------
    pandas.DataFrame
        Index = result labels, columns = ticks, values = number of patients with
        duration >= tick (integers).
    """
    ticks = [float(x) for x in ticks]
    data = [[r.at_risk_at(x) for x in ticks] for r in results]
    frame = pd.DataFrame(data, index=[r.label for r in results], columns=ticks, dtype=int)
    frame.index.name = "label"
    return frame


@dataclass(frozen=True)
class LogRank:
    """Result of a k-group log-rank test: chi-square statistic, degrees of freedom, p-value."""

    chisq: float
    df: int
    p: float


def logrank(durations: ArrayLike, events: ArrayLike, groups: ArrayLike) -> LogRank | None:
    """Log-rank (Mantel-Cox) test of equal survival across two or more groups.

    Parameters
    ----------
    durations, events : array-like
        As for :func:`kaplan_meier`.
    groups : array-like
        Group label of each patient (any hashable values).

    Returns
    -------
    LogRank or None
        ``None`` when there are fewer than two groups or no events (nothing to test).
        Otherwise the k-group statistic ``(O - E)' V^- (O - E)`` on ``k - 1`` degrees of
        freedom, unweighted (rho = 0), as R's ``survdiff(Surv(t, e) ~ g)``.
    """
    t, e = _as_arrays(durations, events)
    g = np.asarray(groups, dtype=object).ravel()
    if g.shape != t.shape:
        raise ValueError(f"groups and durations differ in length ({g.size} vs {t.size})")
    k = len(pd.unique(g))
    if k < 2 or e.sum() == 0:
        return None
    res = multivariate_logrank_test(t, g, e)
    return LogRank(float(res.test_statistic), int(res.degrees_of_freedom), float(res.p_value))


def reverse_km_followup(durations: ArrayLike, events: ArrayLike) -> KMResult:
    """Median follow-up by the reverse Kaplan-Meier method.

    The Kaplan-Meier estimator is applied with the event indicator flipped (censored
    patients become "events", patients with the event become censored at their event time);
    the ``median`` of the result is the median potential follow-up with its CI.

    Parameters
    ----------
    durations, events : array-like
        As for :func:`kaplan_meier` (the original, unflipped indicator).

    Returns
    -------
    KMResult
        Labelled ``"Follow-up"``.
    """
    t, e = _as_arrays(durations, events)
    return kaplan_meier(t, 1 - e, label="Follow-up")
