"""ADLB: CD7+ lymphocytes, blood counts and inflammatory markers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialdash.synthetic._common import (
    LB_PARAMS,
    LB_SCHEDULE,
    LD_START_DAY,
    STUDY_ID,
    Patients,
    _adam_day,
    _dates,
    _frame,
    _lognormal,
    _long_rows,
    _sample_days,
    _uniform,
    _visit_labels,
)

LB_NOISE_SD = 0.1
CYTOKINE_NOISE_SD = 0.15

# Laboratory nadirs by worst CTCAE grade of the matching AE (grade 0 = no AE).
NADIR = {
    "ANC": {0: (2.0, 3.0), 1: (1.55, 1.9), 2: (1.05, 1.45), 3: (0.55, 0.95), 4: (0.02, 0.45)},
    "PLAT": {0: (150, 200), 1: (76, 140), 2: (51, 74), 3: (26, 49), 4: (5, 24)},
    "LYMPH": {0: (0.9, 1.2), 1: (0.82, 0.95), 2: (0.55, 0.78), 3: (0.21, 0.48),
              4: (0.02, 0.18)},
    "HGB": {0: (120, 130), 1: (101, 115), 2: (81, 99), 3: (62, 79), 4: (50, 60)},
}
CYTOPENIA_AE = {"ANC": "NEUT", "PLAT": "PLAT", "LYMPH": "LYMPH", "HGB": "ANEMIA"}
CRS_PEAK = {
    "CRP": {0: (10, 40), 1: (40, 100), 2: (80, 180), 3: (150, 300)},
    "IL6": {0: (10, 40), 1: (50, 200), 2: (200, 1000), 3: (1000, 5000)},
    "FERRITIN": {0: (1.2, 2.0), 1: (2.0, 4.0), 2: (3.0, 8.0), 3: (6.0, 15.0)},  # x baseline
}


# --------------------------------------------------------------------------------------------
# ADLB: CD7+ lymphocytes, blood counts, inflammatory markers
# --------------------------------------------------------------------------------------------


def _cytopenia(rng: np.random.Generator, code: str, t: np.ndarray, info: dict[str, np.ndarray],
               base: np.ndarray, recovered: np.ndarray) -> np.ndarray:
    """Count falling from lymphodepletion (day -5) to a grade-matched nadir at AE onset,
    recovering from about a week before the AE ends (rows = patients)."""
    n = len(base)
    grade = info["grade"]
    nadir = np.empty(n)
    for g, bounds in NADIR[code].items():
        sel = grade == g
        nadir[sel] = _uniform(rng, bounds, int(sel.sum()))
    base = np.maximum(base, nadir * 1.3)
    start = np.nan_to_num(info["start"], nan=3.0)
    end = np.nan_to_num(info["end"], nan=14.0)
    rec = np.maximum(start + 2, end - 7)[:, None]
    tau = ((start - LD_START_DAY) / 3.0)[:, None]
    decline = np.exp(-np.clip(t - LD_START_DAY, 0, None) / tau)
    recovery = 1.0 - np.exp(-np.clip(t - rec, 0, None) / 5.0)
    nadir, base, recovered = nadir[:, None], base[:, None], recovered[:, None]
    return np.where(t < rec, nadir + (base - nadir) * decline,
                    nadir + (np.maximum(recovered, nadir) - nadir) * recovery)


def _inflammation(rng: np.random.Generator, code: str, t: np.ndarray, crs: dict[str, np.ndarray],
                  base: np.ndarray) -> np.ndarray:
    """Marker peaking with CRS (grade-matched peak), then decaying back to baseline."""
    n = len(base)
    peak = np.empty(n)
    for g, bounds in CRS_PEAK[code].items():
        sel = crs["grade"] == g
        peak[sel] = _uniform(rng, bounds, int(sel.sum()))
    if code == "FERRITIN":
        peak = peak * base
    peak = np.maximum(peak, base * 1.2)
    onset = np.nan_to_num(crs["start"], nan=3.0)
    lag, rise, half = {"CRP": (1, 1.0, 3.0), "IL6": (0, 0.7, 1.5), "FERRITIN": (4, 2.0, 8.0)}[code]
    tp = (onset + lag)[:, None]
    peak, base = peak[:, None], base[:, None]
    up = base + (peak - base) * np.exp(-np.clip(tp - t, 0, None) / rise)
    down = base + (peak - base) * 2.0 ** (-np.clip(t - tp, 0, None) / half)
    return np.where(t < 0, base, np.where(t <= tp, up, down))


def _cd7_lymphocytes(rng: np.random.Generator, t: np.ndarray, kin: dict[str, np.ndarray]
                     ) -> np.ndarray:
    """CD7+ cells/uL: fall after lymphodepletion, < 10 while CAR-T persists (fratricide),
    recovering when CAR-T is lost or about 3 weeks after an allo-HSCT."""
    n = len(kin["cmax"])
    base = _uniform(rng, (300.0, 900.0), n)[:, None]
    floor = np.where(kin["no_expansion"], base[:, 0] * _uniform(rng, (0.2, 0.4), n),
                     _uniform(rng, (1.0, 8.0), n))[:, None]
    target = _uniform(rng, (200.0, 600.0), n)[:, None]
    back = np.fmin(kin["loss_day"], np.nan_to_num(kin["hsct"] + 21, nan=np.inf))[:, None]
    ld = base * np.where(t < 0, 1.0, 0.4)
    depleted = np.maximum(ld * np.exp(-np.clip(t, 0, None) / 1.2), floor)
    recovered = floor + (target - floor) * (1.0 - np.exp(-np.clip(t - back, 0, None) / 30.0))
    return np.where(t < back, np.where(t < 0, base, depleted), recovered)


def _laboratory(rng: np.random.Generator, pt: Patients,
                tox: dict[str, dict[str, np.ndarray]], kin: dict[str, np.ndarray]
                ) -> pd.DataFrame:
    """Laboratory samples: from lymphodepletion start to progression/last contact."""
    inf = np.flatnonzero(pt["infused"])
    n = len(inf)
    nominal, actual, taken = _sample_days(rng, pt, LB_SCHEDULE)
    sub = {key: {k: v[inf] for k, v in info.items()} for key, info in tox.items()}
    baselines = {
        "ANC": (np.clip(_lognormal(rng, 2.5, 0.5, n), 0.3, 10.0), _uniform(rng, (1.5, 4.0), n)),
        "PLAT": (np.clip(_lognormal(rng, 130, 0.5, n), 20, 400), _uniform(rng, (100, 250), n)),
        "HGB": (np.clip(rng.normal(108, 12, n), 75, 150), _uniform(rng, (100, 135), n)),
        "LYMPH": (np.clip(_lognormal(rng, 1.0, 0.5, n), 0.2, 5.0), _uniform(rng, (0.6, 1.8), n)),
    }
    markers = {
        "CRP": _lognormal(rng, 8.0, 0.6, n),
        "IL6": _lognormal(rng, 6.0, 0.5, n),
        "FERRITIN": _lognormal(rng, 900.0, 0.6, n),
    }
    curves: dict[str, np.ndarray] = {"CD7LYMPH": _cd7_lymphocytes(rng, actual, kin)}
    for code, (base, recovered) in baselines.items():
        curves[code] = _cytopenia(rng, code, actual, sub[CYTOPENIA_AE[code]], base, recovered)
    for code, base in markers.items():
        curves[code] = _inflammation(rng, code, actual, sub["CRS"], base)
    parts = []
    for param in LB_PARAMS:
        sd = CYTOKINE_NOISE_SD if param.code in markers else LB_NOISE_SD
        noisy = curves[param.code] * np.exp(sd * rng.standard_normal(actual.shape))
        aval = np.maximum(np.round(noisy, param.decimals), param.floor)
        parts.append(_long_rows(pt, inf, param, nominal, actual, taken, aval))
    lb = pd.concat(parts, ignore_index=True)
    lb = lb.sort_values(["pid", "order", "nominal"], kind="mergesort", ignore_index=True)
    pid = lb["pid"].to_numpy()
    day = lb["actual"].to_numpy()
    return _frame("adlb", {
        "STUDYID": STUDY_ID,
        "USUBJID": pt["usubjid"][pid],
        "PARAMCD": lb["code"].to_numpy(),
        "PARAM": lb["name"].to_numpy(),
        "AVAL": lb["aval"].to_numpy(),
        "AVALU": lb["unit"].to_numpy(),
        "AVISIT": _visit_labels(lb["nominal"].to_numpy(), LB_SCHEDULE,
                                {LD_START_DAY: "Lymphodepletion"}),
        "ADT": _dates(pt["trt"][pid], day),
        "ADY": _adam_day(day),
    })
