"""ADPC: cellular kinetics (transgene copies by qPCR, %CAR+ T cells by flow)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialdash.synthetic._common import (
    PC_PARAMS,
    PC_SCHEDULE,
    PROFILE_N,
    STUDY_ID,
    TRANSGENE_LLOQ,
    Patients,
    _dates,
    _event_days,
    _flag,
    _frame,
    _lognormal,
    _long_rows,
    _pick_preferring,
    _sample_days,
    _share,
    _uniform,
    _visit_labels,
)

CMAX_GEOMEAN = {0.25: 30_000.0, 0.5: 50_000.0, 1.0: 80_000.0}
CMAX_SD_LN = 0.9
CMAX_Z_LIMIT = 1.8  # truncate the log-normal at +/- 1.8 sd (published range 3,176-326,483)
TMAX_DAYS = (12.0, 0.2, 9.0, 21.0)  # true peak day: median, sd of ln, min, max
DAY1_COPIES = (100.0, 400.0)
FAST_HALF_LIFE = (4.0, 0.2)  # median days, sd of ln
SLOW_FRACTION = (0.01, 0.5)  # median share of peak in the slow phase, sd of ln
SLOW_HALF_LIFE = (90.0, 0.4)
HSCT_CAR_HALF_LIFE = 2.0  # conditioning wipes out CAR-T cells
HSCT_BLQ_AFTER_DAYS = 21
NO_EXPANSION_OF14 = 1
NO_EXPANSION_CMAX = (10.0, 30.0)  # stays below the LLOQ of 50 with noise
CARPCT_EXPONENT = 0.7  # %CAR+ declines slower than copies: pct ~ (C / Cmax) ** 0.7
CARPCT_PEAK_RANGE = (8.0, 92.0)
NO_EXPANSION_PCT = (0.03, 0.3)
PC_NOISE_SD = {"TRANSGEN": 0.25, "CARPCT": 0.15}
LOSS_SEARCH_DAYS = 800  # CAR-T "loss" (transgene below LLOQ) is searched up to this day

# --------------------------------------------------------------------------------------------
# ADPC: cellular kinetics
# --------------------------------------------------------------------------------------------


def _kinetic_params(rng: np.random.Generator, pt: Patients
                    ) -> dict[str, np.ndarray]:
    """Per infused patient curve parameters (arrays over infused patients, in ``pt`` order).

    Transgene copies rise exponentially to ``cmax`` at ``tmax`` and then fall in two
    phases: ``(1 - f)`` with half-life ``h1`` and ``f`` with half-life ``h2``. After an
    allo-HSCT they fall with a 2-day half-life. ``loss_day`` is the first day the curve is
    below the LLOQ (inf if not within ``LOSS_SEARCH_DAYS``).
    """
    inf = np.flatnonzero(pt["infused"])
    n = len(inf)
    gm = np.array([CMAX_GEOMEAN[d] for d in pt["dose"][inf]])
    z = np.clip(rng.standard_normal(n), -CMAX_Z_LIMIT, CMAX_Z_LIMIT)
    cmax = gm * np.exp(CMAX_SD_LN * z)
    med, sd, lo, hi = TMAX_DAYS
    tmax = np.clip(_event_days(rng, med, sd, n), lo, hi)
    c1 = _uniform(rng, DAY1_COPIES, n)
    h1 = _lognormal(rng, *FAST_HALF_LIFE, n)
    f = np.minimum(_lognormal(rng, *SLOW_FRACTION, n), 0.1)
    h2 = _lognormal(rng, *SLOW_HALF_LIFE, n)
    logit = 0.6 * z + 0.6 * rng.standard_normal(n)
    peak_pct = np.clip(100.0 / (1.0 + np.exp(-logit)), *CARPCT_PEAK_RANGE)

    nonresp = np.flatnonzero(~pt["responder"][inf])
    none = _pick_preferring(rng, nonresp, np.arange(n), _share(n, NO_EXPANSION_OF14, PROFILE_N))
    cmax[none] = _uniform(rng, NO_EXPANSION_CMAX, len(none))
    tmax[none] = 7.0
    c1[none] = cmax[none] / 2.0
    peak_pct[none] = _uniform(rng, NO_EXPANSION_PCT, len(none))
    c1 = np.minimum(c1, cmax / 2.0)

    params = {"cmax": cmax, "tmax": tmax, "c1": c1, "h1": h1, "f": f, "h2": h2,
              "peak_pct": peak_pct, "hsct": pt["hsct_day"][inf], "no_expansion": np.isin(
                  np.arange(n), none)}
    params["loss_day"] = _loss_day(params)
    return params


def _loss_day(p: dict[str, np.ndarray]) -> np.ndarray:
    """First whole day after Tmax with the noise-free curve below the LLOQ (bisection; the
    curve decreases after Tmax)."""
    lo = p["tmax"].copy()
    hi = np.full(len(lo), float(LOSS_SEARCH_DAYS))

    def below(t: np.ndarray) -> np.ndarray:
        return _transgene_curve(p, t[:, None])[:, 0] < TRANSGENE_LLOQ

    lost = below(hi)
    for _ in range(12):  # 800 days / 2**12 < 0.2 day
        mid = (lo + hi) / 2.0
        b = below(mid)
        hi = np.where(b, mid, hi)
        lo = np.where(b, lo, mid)
    return np.where(lost, np.ceil(hi), np.inf)


def _transgene_curve(p: dict[str, np.ndarray], t: np.ndarray) -> np.ndarray:
    """Noise-free transgene copies at days ``t`` (rows = patients)."""
    col = {k: np.asarray(v, dtype=float)[:, None] for k, v in p.items()
           if k in ("cmax", "tmax", "c1", "h1", "f", "h2", "hsct")}
    k_up = np.log(col["cmax"] / col["c1"]) / (col["tmax"] - 1.0)
    rise = col["cmax"] * np.exp(-k_up * np.clip(col["tmax"] - t, 0, None))
    since = np.clip(t - col["tmax"], 0, None)
    fall = col["cmax"] * ((1 - col["f"]) * 2.0 ** (-since / col["h1"])
                          + col["f"] * 2.0 ** (-since / col["h2"]))
    curve = np.where(t <= col["tmax"], rise, fall)
    after = np.nan_to_num(t - col["hsct"], nan=-1.0)
    curve = curve * np.where(after > 0, 2.0 ** (-after / HSCT_CAR_HALF_LIFE), 1.0)
    return np.where(t <= 0, 0.0, curve)


def _kinetics(rng: np.random.Generator, pt: Patients, kin: dict[str, np.ndarray]
              ) -> pd.DataFrame:
    """Transgene copies (qPCR) and %CAR+ T cells (flow) per sample; BLQ = blank AVAL."""
    inf = np.flatnonzero(pt["infused"])
    nominal, actual, taken = _sample_days(rng, pt, PC_SCHEDULE)
    truth = _transgene_curve(kin, actual)
    hsct = kin["hsct"][:, None]
    wiped = np.nan_to_num(actual - hsct, nan=-np.inf) >= HSCT_BLQ_AFTER_DAYS
    ratio = np.clip(truth / kin["cmax"][:, None], 0, None)
    values = {
        "TRANSGEN": truth,
        "CARPCT": np.minimum(kin["peak_pct"][:, None] * ratio ** CARPCT_EXPONENT, 99.0),
    }
    parts = []
    for param in PC_PARAMS:
        noisy = values[param.code] * np.exp(PC_NOISE_SD[param.code]
                                            * rng.standard_normal(actual.shape))
        noisy = np.round(noisy, param.decimals)
        blq = (noisy < param.floor) | (actual <= 0) | wiped
        parts.append(_long_rows(pt, inf, param, nominal, actual, taken,
                                np.where(blq, np.nan, noisy), blq))
    pc = pd.concat(parts, ignore_index=True)
    pc = pc.sort_values(["pid", "order", "nominal"], kind="mergesort", ignore_index=True)
    pid = pc["pid"].to_numpy()
    day = pc["actual"].to_numpy()
    return _frame("adpc", {
        "STUDYID": STUDY_ID,
        "USUBJID": pt["usubjid"][pid],
        "PARAMCD": pc["code"].to_numpy(),
        "PARAM": pc["name"].to_numpy(),
        "AVAL": pc["aval"].to_numpy(),
        "AVALU": pc["unit"].to_numpy(),
        "AVISIT": _visit_labels(pc["nominal"].to_numpy(), PC_SCHEDULE, {0: "Day 0 (pre)"}),
        "NFRLT": pc["nominal"].to_numpy(),
        "AFRLT": day,
        "RRLTU": "DAYS",
        "ADT": _dates(pt["trt"][pid], day),
        "LLOQ": pc["lloq"].to_numpy(),
        "BLQFL": _flag(pc["blq"].to_numpy(bool)),
    })
