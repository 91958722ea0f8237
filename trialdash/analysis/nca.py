"""Non-compartmental analysis (NCA) of CAR-T cellular kinetics (transgene copies/ug gDNA).

One patient's profile is a set of samples: actual day since infusion (day 0 = infusion),
the measured value, a below-LLOQ (BLQ) flag and the LLOQ.

Rules
-----
Samples and BLQ handling
    * Samples with a missing day are ignored; the rest are taken in time order.
    * Pre-dose samples (day <= 0) are excluded from every parameter. CAR-T cells are absent
      before infusion, so the profile starts from the point (day 0, value 0).
    * A post-dose sample is *quantifiable* when it is not flagged BLQ, its value is present
      and > 0, and (if an LLOQ is given) the value is >= the LLOQ. Everything else is BLQ.
    * BLQ samples before the first quantifiable sample count as 0 (for the AUC only).
    * BLQ samples after the first quantifiable sample are treated as missing: those between
      quantifiable samples are dropped (the curve is interpolated across them) and those after
      Tlast are excluded, not imputed. (This is the common "BLQ after the first quantifiable
      sample is missing" rule; values are never replaced by LLOQ/2.)
Cmax, Tmax, Tlast, expansion
    * Cmax = largest quantifiable value, Tmax = its day (the first, if it occurs twice).
    * Tlast = day of the last quantifiable sample.
    * ``expanded`` is True when at least one post-dose sample is quantifiable. A patient
      without a quantifiable sample has ``expanded = False`` and every parameter ``None``.
AUC0-28
    * Linear-up/log-down trapezoidal rule over the points above: a segment from (t1, C1) to
      (t2, C2) contributes ``(C1 + C2) / 2 * (t2 - t1)`` when the concentration rises or is
      unchanged, or when either end is 0, and ``(C1 - C2) / ln(C1 / C2) * (t2 - t1)`` when it
      falls between two positive values.
    * The integral stops at ``auc_end`` (day 28) exactly. If no sample falls on day 28, the
      value at day 28 is interpolated between the samples either side with the same rule
      (linear when rising, log-linear when falling).
    * If Tlast is before day 28 the integral stops at Tlast: nothing is extrapolated, and the
      reported AUC0-28 is then AUC0-Tlast (the caller can tell from ``tlast < 28``).
Terminal half-life
    * From a log-linear least-squares fit, ``ln C = a - lambda_z * t``, on the last k
      quantifiable samples strictly after Tmax, for every k >= 3 that is available. The fit
      with the largest adjusted R-squared, ``1 - (1 - R^2) (k - 1) / (k - 2)``, is kept; fits
      within 1e-4 of that best value are tied and the one with more points wins (WinNonlin's
      "best fit" rule). Fits with ``lambda_z <= 0`` are discarded.
    * ``half_life = ln 2 / lambda_z``; ``None`` when fewer than 3 quantifiable samples follow
      Tmax or no fit has a negative slope. ``half_life_points`` is k (0 when not estimated).

Times are in days and AUC in (copies/ug gDNA) x day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from trialdash.analysis.stats import geometric_mean_cv, median_range

__all__ = ["NCAResult", "nca_profile", "nca_summary", "nca_table"]

#: Adjusted R-squared values closer than this to the best count as ties (WinNonlin).
R2_ADJ_TOLERANCE = 1e-4
#: Minimum number of post-Tmax points for a terminal half-life.
MIN_HALF_LIFE_POINTS = 3

NCA_COLUMNS = [
    "USUBJID", "cmax", "tmax", "auc_0_28", "tlast", "half_life", "half_life_r2_adj",
    "half_life_points", "expanded",
]


@dataclass(frozen=True)
class NCAResult:
    """Kinetic parameters of one patient (see the module notes for the rules).

    ``None`` means "not estimable"; every parameter is ``None`` when ``expanded`` is False.
    """

    cmax: float | None
    tmax: float | None
    auc_0_28: float | None
    tlast: float | None
    half_life: float | None
    half_life_r2_adj: float | None
    half_life_points: int
    expanded: bool


_NOT_EXPANDED = NCAResult(None, None, None, None, None, None, 0, False)


def _segment_auc(t1: float, c1: float, t2: float, c2: float) -> float:
    """Area of one segment by linear-up/log-down."""
    dt = t2 - t1
    if c2 < c1 and c1 > 0 and c2 > 0:
        return (c1 - c2) / math.log(c1 / c2) * dt
    return (c1 + c2) / 2.0 * dt


def _interpolate(t1: float, c1: float, t2: float, c2: float, t: float) -> float:
    """Concentration at ``t`` in [t1, t2]: linear when rising/flat or at 0, log when falling."""
    if t2 == t1:
        return c2
    frac = (t - t1) / (t2 - t1)
    if c2 < c1 and c1 > 0 and c2 > 0:
        return math.exp(math.log(c1) + (math.log(c2) - math.log(c1)) * frac)
    return c1 + (c2 - c1) * frac


def _auc_to(times: np.ndarray, conc: np.ndarray, end: float) -> float:
    """Linear-up/log-down AUC from ``times[0]`` to ``min(end, times[-1])``."""
    total = 0.0
    for i in range(times.size - 1):
        t1, c1, t2, c2 = times[i], conc[i], times[i + 1], conc[i + 1]
        if t2 <= end:
            total += _segment_auc(t1, c1, t2, c2)
            continue
        if t1 < end:
            total += _segment_auc(t1, c1, end, _interpolate(t1, c1, t2, c2, end))
        break
    return total


def _terminal_fit(times: np.ndarray, conc: np.ndarray) -> tuple[float, float, int] | None:
    """Best log-linear terminal fit: (half-life, adjusted R^2, points) or None."""
    m = times.size
    if m < MIN_HALF_LIFE_POINTS:
        return None
    logc = np.log(conc)
    fits: list[tuple[float, int, float]] = []  # (adj R^2, k, lambda_z)
    for k in range(MIN_HALF_LIFE_POINTS, m + 1):
        x, y = times[-k:], logc[-k:]
        xc = x - x.mean()
        sxx = float(xc @ xc)
        if sxx == 0.0:
            continue
        slope = float(xc @ (y - y.mean())) / sxx
        if slope >= 0.0:
            continue
        resid = y - (y.mean() + slope * xc)
        ss_tot = float(((y - y.mean()) ** 2).sum())
        r2 = 1.0 - float(resid @ resid) / ss_tot
        adj = 1.0 - (1.0 - r2) * (k - 1) / (k - 2)
        fits.append((adj, k, -slope))
    if not fits:
        return None
    best = max(f[0] for f in fits)
    adj, k, lambda_z = max((f for f in fits if f[0] >= best - R2_ADJ_TOLERANCE), key=lambda f: f[1])
    return (math.log(2.0) / lambda_z, min(adj, 1.0), k)


def _as_bool_flags(blq: ArrayLike) -> np.ndarray:
    arr = np.asarray(blq, dtype=object).ravel()
    out = np.empty(arr.size, dtype=bool)
    for i, v in enumerate(arr):
        if isinstance(v, str):
            s = v.strip().upper()
            if s not in {"Y", "N", ""}:
                raise ValueError(f"BLQ flag must be 'Y' or 'N', got {v!r}")
            out[i] = s == "Y"
        elif v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            out[i] = False  # unknown flag: decided by the value and the LLOQ
        else:
            out[i] = bool(v)
    return out


def nca_profile(
    days: ArrayLike, values: ArrayLike, blq: ArrayLike, lloq: float, auc_end: float = 28.0
) -> NCAResult:
    """Cmax, Tmax, AUC0-28, Tlast and terminal half-life of one patient's profile.

    Parameters
    ----------
    days : array-like of float
        Actual days since infusion (day 0 = infusion; pre-dose samples <= 0).
    values : array-like of float
        Measured values (copies/ug gDNA); NaN allowed, e.g. for BLQ samples.
    blq : array-like of bool or {"Y", "N"}
        Below-LLOQ flags. A missing flag is decided by the value and ``lloq``.
    lloq : float
        Lower limit of quantification (NaN if unknown); values below it count as BLQ.
    auc_end : float, default 28.0
        End of the partial AUC, in days.

    Returns
    -------
    NCAResult

    Notes
    -----
    The rules (BLQ handling, linear-up/log-down, interpolation to day 28, half-life point
    selection) are in the module docstring.
    """
    t = np.asarray(days, dtype=float).ravel()
    c = np.asarray(values, dtype=float).ravel()
    flag = _as_bool_flags(blq)
    if not (t.size == c.size == flag.size):
        raise ValueError("days, values and blq must have the same length")
    keep = ~np.isnan(t) & (t > 0)  # post-dose samples with a known day
    t, c, flag = t[keep], c[keep], flag[keep]
    order = np.argsort(t, kind="stable")
    t, c, flag = t[order], c[order], flag[order]

    with np.errstate(invalid="ignore"):
        quant = ~flag & np.isfinite(c) & (c > 0)
        if lloq is not None and math.isfinite(lloq):
            quant &= c >= lloq
    if not quant.any():
        return _NOT_EXPANDED

    tq, cq = t[quant], c[quant]
    imax = int(np.argmax(cq))  # argmax returns the first occurrence
    cmax, tmax = float(cq[imax]), float(tq[imax])
    tlast = float(tq[-1])

    first_q = tq[0]
    lead_blq = t[~quant & (t < first_q)]
    auc_t = np.concatenate([[0.0], lead_blq, tq])
    auc_c = np.concatenate([[0.0], np.zeros(lead_blq.size), cq])
    auc = _auc_to(auc_t, auc_c, float(auc_end))

    after = tq > tmax
    fit = _terminal_fit(tq[after], cq[after])
    if fit is None:
        half_life, r2_adj, points = None, None, 0
    else:
        half_life, r2_adj, points = fit
    return NCAResult(cmax, tmax, float(auc), tlast, half_life, r2_adj, points, True)


def nca_table(adpc: pd.DataFrame) -> pd.DataFrame:
    """NCA parameters for every subject of a long kinetics frame.

    Parameters
    ----------
    adpc : pandas.DataFrame
        One row per sample of one analyte (PARAMCD already filtered, e.g. to TRANSGEN), with
        columns ``USUBJID``, ``day`` (actual days since infusion), ``AVAL``, ``blq``
        ('Y'/'N') and ``LLOQ``. Where the LLOQ varies within a subject the smallest is used
        for the value check; the per-sample ``blq`` flag is applied as given.

    Returns
    -------
    pandas.DataFrame
        One row per subject (sorted by USUBJID) with columns ``USUBJID, cmax, tmax, auc_0_28,
        tlast, half_life, half_life_r2_adj, half_life_points, expanded``; parameters that are
        not estimable are NaN.
    """
    missing = {"USUBJID", "day", "AVAL", "blq", "LLOQ"} - set(adpc.columns)
    if missing:
        raise KeyError(f"adpc lacks columns: {sorted(missing)}")
    rows = []
    for subject, g in adpc.groupby("USUBJID", sort=True):
        lloqs = pd.to_numeric(g["LLOQ"], errors="coerce").dropna()
        lloq = float(lloqs.min()) if len(lloqs) else math.nan
        res = nca_profile(
            pd.to_numeric(g["day"], errors="coerce").to_numpy(dtype=float, na_value=np.nan),
            pd.to_numeric(g["AVAL"], errors="coerce").to_numpy(dtype=float, na_value=np.nan),
            g["blq"].to_numpy(dtype=object),
            lloq,
        )
        rows.append({
            "USUBJID": subject,
            "cmax": res.cmax, "tmax": res.tmax, "auc_0_28": res.auc_0_28, "tlast": res.tlast,
            "half_life": res.half_life, "half_life_r2_adj": res.half_life_r2_adj,
            "half_life_points": res.half_life_points, "expanded": res.expanded,
        })
    out = pd.DataFrame(rows, columns=NCA_COLUMNS)
    float_cols = ["cmax", "tmax", "auc_0_28", "tlast", "half_life", "half_life_r2_adj"]
    out[float_cols] = out[float_cols].astype(float)
    return out.astype({"half_life_points": int, "expanded": bool})


def nca_summary(table: pd.DataFrame, group_col: str) -> pd.DataFrame:
    """Summarise NCA parameters by group (e.g. dose level).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`nca_table` with a grouping column added (e.g. merged from ADSL).
    group_col : str
        Column to group by. Groups appear in category order if it is categorical, else sorted.

    Returns
    -------
    pandas.DataFrame
        One row per group with columns ``group_col``, ``n`` (subjects), ``n_expanded``,
        ``cmax_gmean``, ``cmax_gcv_pct``, ``auc_0_28_gmean``, ``auc_0_28_gcv_pct``
        (geometric mean and geometric CV% over expanded subjects, see
        :func:`trialdash.analysis.stats.geometric_mean_cv`), ``tmax_median``, ``tmax_min``,
        ``tmax_max``, ``tlast_median``, ``tlast_min``, ``tlast_max``.
    """
    rows = []
    for key, g in table.groupby(group_col, sort=True, observed=True):
        exp = g[g["expanded"].astype(bool)]
        cmax_gm, cmax_cv = geometric_mean_cv(exp["cmax"])
        auc_gm, auc_cv = geometric_mean_cv(exp["auc_0_28"])
        tmax = median_range(exp["tmax"])
        tlast = median_range(exp["tlast"])
        cmax = median_range(exp["cmax"])
        half_lives = pd.to_numeric(exp.get("half_life", pd.Series(dtype=float)),
                                   errors="coerce")
        half_life = median_range(half_lives)
        rows.append({
            group_col: key,
            "n": int(len(g)),
            "n_expanded": int(len(exp)),
            "cmax_gmean": cmax_gm,
            "cmax_gcv_pct": cmax_cv,
            "auc_0_28_gmean": auc_gm,
            "auc_0_28_gcv_pct": auc_cv,
            "tmax_median": tmax[0], "tmax_min": tmax[1], "tmax_max": tmax[2],
            "tlast_median": tlast[0], "tlast_min": tlast[1], "tlast_max": tlast[2],
            "cmax_median": cmax[0], "cmax_min": cmax[1], "cmax_max": cmax[2],
            "half_life_median": half_life[0], "half_life_min": half_life[1],
            "half_life_max": half_life[2],
            "n_half_life": int(half_lives.notna().sum()),
        })
    columns = [
        group_col, "n", "n_expanded", "cmax_gmean", "cmax_gcv_pct", "auc_0_28_gmean",
        "auc_0_28_gcv_pct", "tmax_median", "tmax_min", "tmax_max", "tlast_median",
        "tlast_min", "tlast_max", "cmax_median", "cmax_min", "cmax_max", "half_life_median",
        "half_life_min", "half_life_max", "n_half_life",
    ]
    return pd.DataFrame(rows, columns=columns)
