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


def _flag(value: object) -> bool:
    """One below-LLOQ flag: 'Y'/'N' (any case, padded), a bool, or missing (False: the value
    and the LLOQ decide)."""
    if isinstance(value, str):
        text = value.strip().upper()
        if text not in {"Y", "N", ""}:
            raise ValueError(f"BLQ flag must be 'Y' or 'N', got {value!r}")
        return text == "Y"
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return False
    return bool(value)


def _as_bool_flags(blq: ArrayLike) -> np.ndarray:
    """Below-LLOQ flags as booleans, each distinct value read once by :func:`_flag`."""
    values = pd.Series(np.asarray(blq, dtype=object).ravel(), dtype=object)
    present = values.notna().to_numpy()
    out = np.zeros(len(values), dtype=bool)
    distinct = pd.unique(values[present])
    out[present] = values[present].map({v: _flag(v) for v in distinct}).to_numpy(dtype=bool)
    return out


def _falling(c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    return (c2 < c1) & (c1 > 0) & (c2 > 0)


def _segment_areas(t1: np.ndarray, c1: np.ndarray, t2: np.ndarray,
                   c2: np.ndarray) -> np.ndarray:
    """Area of each segment by linear-up/log-down."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(_falling(c1, c2), (c1 - c2) / np.log(c1 / c2) * (t2 - t1),
                        (c1 + c2) / 2.0 * (t2 - t1))


def _interpolated(t1: np.ndarray, c1: np.ndarray, t2: np.ndarray, c2: np.ndarray,
                  t: float) -> np.ndarray:
    """Concentration at ``t`` in [t1, t2]: linear when rising/flat or at 0, log when falling."""
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (t - t1) / (t2 - t1)
        value = np.where(_falling(c1, c2),
                         np.exp(np.log(c1) + (np.log(c2) - np.log(c1)) * frac),
                         c1 + (c2 - c1) * frac)
    return np.where(t2 == t1, c2, value)


def _auc_by_subject(points: pd.DataFrame, end: float) -> pd.Series:
    """Linear-up/log-down AUC of each subject's points (USUBJID, t, c in order) from the
    first point to ``min(end, last point)``."""
    subject = points["USUBJID"]
    t1, c1 = points["t"].to_numpy(), points["c"].to_numpy()
    t2 = points.groupby("USUBJID", sort=False)["t"].shift(-1).to_numpy()
    c2 = points.groupby("USUBJID", sort=False)["c"].shift(-1).to_numpy()
    whole = _segment_areas(t1, c1, t2, c2)
    c_end = _interpolated(t1, c1, t2, c2, end)
    part = _segment_areas(t1, c1, np.full_like(t1, end), c_end)
    area = np.where(t2 <= end, whole, np.where((t1 < end) & (t2 > end), part, 0.0))
    return pd.Series(np.nan_to_num(area), index=points.index).groupby(subject).sum()


def _terminal_fits(post: pd.DataFrame) -> pd.DataFrame:
    """Best log-linear terminal fit of each subject's points after Tmax (USUBJID, t, c in
    time order): half_life, half_life_r2_adj, half_life_points (subjects with a fit only)."""
    size = post.groupby("USUBJID", sort=False)["t"].transform("size").to_numpy()
    from_end = size - 1 - post.groupby("USUBJID", sort=False).cumcount().to_numpy()
    keep = size >= MIN_HALF_LIFE_POINTS
    post, size, from_end = post[keep], size[keep], from_end[keep]
    if post.empty:
        return pd.DataFrame(columns=["half_life", "half_life_r2_adj", "half_life_points"])
    # Each point is in the fits of the last k points for every k from max(3, its rank) to m.
    smallest_k = np.maximum(from_end + 1, MIN_HALF_LIFE_POINTS)
    copies = size - smallest_k + 1
    rows = np.repeat(np.arange(len(post)), copies)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(copies) - copies, copies)
    fits = pd.DataFrame({"USUBJID": post["USUBJID"].to_numpy()[rows],
                         "k": smallest_k[rows] + offset,
                         "x": post["t"].to_numpy()[rows],
                         "y": np.log(post["c"].to_numpy()[rows])})
    by_fit = fits.groupby(["USUBJID", "k"], sort=False)
    xc = fits["x"] - by_fit["x"].transform("mean")
    yc = fits["y"] - by_fit["y"].transform("mean")
    sums = pd.DataFrame({"sxx": xc * xc, "sxy": xc * yc, "syy": yc * yc}).groupby(
        [fits["USUBJID"], fits["k"]], sort=False).sum()
    slope_of = (sums["sxy"] / sums["sxx"]).rename("slope")
    slope = fits.join(slope_of, on=["USUBJID", "k"])["slope"]
    resid = yc - slope * xc
    sums["ss_res"] = (resid * resid).groupby([fits["USUBJID"], fits["k"]], sort=False).sum()
    sums["slope"] = slope_of
    sums = sums[(sums["sxx"] != 0.0) & (sums["slope"] < 0.0)].reset_index()
    if sums.empty:
        return pd.DataFrame(columns=["half_life", "half_life_r2_adj", "half_life_points"])
    k = sums["k"].astype(float)
    r2 = 1.0 - sums["ss_res"] / sums["syy"]
    sums["adj"] = 1.0 - (1.0 - r2) * (k - 1) / (k - 2)
    best = sums.groupby("USUBJID")["adj"].transform("max")
    tied = sums[sums["adj"] >= best - R2_ADJ_TOLERANCE]
    chosen = tied.sort_values(["USUBJID", "k"]).drop_duplicates("USUBJID", keep="last")
    return pd.DataFrame({
        "half_life": math.log(2.0) / -chosen["slope"].to_numpy(),
        "half_life_r2_adj": np.minimum(chosen["adj"].to_numpy(), 1.0),
        "half_life_points": chosen["k"].to_numpy(dtype=int),
    }, index=pd.Index(chosen["USUBJID"], name="USUBJID"))


def _nca(samples: pd.DataFrame, auc_end: float = 28.0) -> pd.DataFrame:
    """NCA of every subject at once (the module's rules).

    ``samples``: USUBJID, t (day, float), c (value, float), flag (bool BLQ), lloq (float,
    the subject's). Returns :data:`NCA_COLUMNS`, one row per subject sorted by USUBJID.
    """
    subjects = pd.Index(sorted(samples["USUBJID"].dropna().unique()), name="USUBJID")
    s = samples[samples["t"].notna() & (samples["t"] > 0) & samples["USUBJID"].notna()]
    s = s.sort_values(["USUBJID", "t"], kind="stable").reset_index(drop=True)
    c, lloq = s["c"].to_numpy(), s["lloq"].to_numpy()
    with np.errstate(invalid="ignore"):
        quant = (~s["flag"].to_numpy(dtype=bool) & np.isfinite(c) & (c > 0)
                 & (~np.isfinite(lloq) | (c >= lloq)))
    q = s[quant]
    by_subject = q.groupby("USUBJID", sort=True)
    peak = q.loc[by_subject["c"].idxmax()].set_index("USUBJID")
    first_q = by_subject["t"].first()
    lead = s[~quant & (s["t"] < s["USUBJID"].map(first_q)).to_numpy()]
    origin = pd.DataFrame({"USUBJID": first_q.index, "t": 0.0, "c": 0.0})
    points = pd.concat([origin.assign(_part=0), lead.assign(c=0.0, _part=1),
                        q.assign(_part=2)], ignore_index=True)[["USUBJID", "t", "c", "_part"]]
    points = points.sort_values(["USUBJID", "_part"], kind="stable").reset_index(drop=True)
    post = q[(q["t"] > q["USUBJID"].map(peak["t"])).to_numpy()]
    out = pd.DataFrame({
        "cmax": peak["c"], "tmax": peak["t"], "auc_0_28": _auc_by_subject(points, auc_end),
        "tlast": by_subject["t"].last(),
    }).reindex(subjects).join(_terminal_fits(post))
    out["half_life_points"] = pd.to_numeric(out["half_life_points"]).fillna(0).astype(int)
    out["expanded"] = out.index.isin(first_q.index)
    float_cols = ["cmax", "tmax", "auc_0_28", "tlast", "half_life", "half_life_r2_adj"]
    out[float_cols] = out[float_cols].astype(float)
    return out.reset_index()[NCA_COLUMNS]


def _none_if_nan(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


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
    selection) are in the module docstring; :func:`nca_table` applies the same computation
    to every subject at once.
    """
    t = np.asarray(days, dtype=float).ravel()
    c = np.asarray(values, dtype=float).ravel()
    flag = _as_bool_flags(blq)
    if not (t.size == c.size == flag.size):
        raise ValueError("days, values and blq must have the same length")
    limit = math.nan if lloq is None else float(lloq)
    row = _nca(pd.DataFrame({"USUBJID": "patient", "t": t, "c": c, "flag": flag,
                             "lloq": limit}), auc_end).iloc[0]
    if not row["expanded"]:
        return _NOT_EXPANDED
    return NCAResult(float(row["cmax"]), float(row["tmax"]), float(row["auc_0_28"]),
                     float(row["tlast"]), _none_if_nan(row["half_life"]),
                     _none_if_nan(row["half_life_r2_adj"]), int(row["half_life_points"]), True)


def nca_table(adpc: pd.DataFrame) -> pd.DataFrame:
    """NCA parameters for every subject of a long kinetics frame, computed for all subjects
    at once.

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
    lloq = pd.to_numeric(adpc["LLOQ"], errors="coerce").astype(float)
    return _nca(pd.DataFrame({
        "USUBJID": adpc["USUBJID"].to_numpy(dtype=object),
        "t": pd.to_numeric(adpc["day"], errors="coerce").to_numpy(dtype=float,
                                                                  na_value=np.nan),
        "c": pd.to_numeric(adpc["AVAL"], errors="coerce").to_numpy(dtype=float,
                                                                   na_value=np.nan),
        "flag": _as_bool_flags(adpc["blq"].to_numpy(dtype=object)),
        "lloq": lloq.groupby(adpc["USUBJID"]).transform("min").to_numpy(dtype=float),
    }))


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
