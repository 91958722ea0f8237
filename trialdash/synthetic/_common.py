"""Study constants, per-patient working arrays and small helpers shared by every data set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri

from trialdash import schema

# --------------------------------------------------------------------------------------------
# Study constants
# --------------------------------------------------------------------------------------------

DEFAULT_SEED = 20220501
REGISTRY_ID = "NCT05290155"
STUDY_ID = f"{REGISTRY_ID}-SYN"
TITLE = (
    "Anti-CD7 CAR-T cells in relapsed/refractory CD7+ T-cell malignancies "
    "(phase 1 dose escalation)"
)
SITE_ID = "01"
SITE_NAME = "Shanghai General Hospital"  # the trial is single-centre (NCT05290155)
RACE = "ASIAN"
CUTOFF = dt.date(2025, 5, 15)

PROFILE_N = 14  # infused patients in the profile; every "k of 14" scales with N
MIN_PATIENTS = 3
NOT_INFUSED_OF_14 = 3

DOSE_LABELS = {
    0.25: "0.25 x10^6 cells/kg",
    0.5: "0.5 x10^6 cells/kg",
    1.0: "1.0 x10^6 cells/kg",
}


@dataclass(frozen=True)
class _Block:
    """One cohort of the escalation sequence, in infusion order."""

    dose: float
    cohort: str
    of14: int
    dlt_candidates: bool = False


BLOCKS: tuple[_Block, ...] = (
    _Block(0.25, "Escalation", 3),
    _Block(0.5, "Escalation", 3),
    _Block(1.0, "Escalation", 3, dlt_candidates=True),  # 1 DLT in 3 -> expand to 6
    _Block(1.0, "Escalation", 3),
    _Block(1.0, "Expansion", 2),
)

# Calendar.
FIRST_INFUSION = dt.date(2022, 6, 15)
LAST_INFUSION = dt.date(2024, 11, 15)
CALENDAR_JITTER_DAYS = 14  # first infusion up to 14 d later, last up to 14 d earlier
DLT_WINDOW_DAYS = 28
CONSENT_TO_INFUSION_DAYS = (21, 42)  # inclusive range
LD_START_DAY = -5

# Enrolled but not infused.
NINF_PROGRESSION = "Disease progression before infusion"
NINF_REASONS = (NINF_PROGRESSION, "Manufacturing failure", "Withdrew consent")
NINF_DCSREAS = {
    NINF_PROGRESSION: "PROGRESSIVE DISEASE",
    "Manufacturing failure": "OTHER",
    "Withdrew consent": "WITHDRAWAL BY SUBJECT",
}

# Disease subtypes.
SUBTYPES_OF14 = {"T-ALL": 5, "T-LBL": 5, "PTCL-NOS": 2, "AITL": 1, "ALCL": 1}
LYMPHOBLASTIC = ("T-ALL", "T-LBL")
CRIT_T_ALL = "NCCN/ELN (T-ALL)"
CRIT_LUGANO = "Lugano 2014"

# Baseline.
MALE_OF14 = 12
PRIOR_HSCT_OF14 = 5
AGE_LYMPHOBLASTIC = (25.0, 0.35, 15, 52)  # median, sd of ln, min, max
AGE_LYMPHOMA = (56.0, 8.0, 40, 70)  # mean, sd, min, max
PRIOR_LINES_P = (0.2, 0.35, 0.25, 0.12, 0.08)  # 1..5 lines
ECOG_P = (0.3, 0.55, 0.15)  # 0..2
WEIGHT_KG = {"M": (66.0, 8.0), "F": (55.0, 7.0)}  # mean, sd
WEIGHT_RANGE = (45.0, 85.0)
T_ALL_BLASTS = (20.0, 90.0)
T_LBL_MARROW_P = 0.4  # share of T-LBL with low-level marrow involvement (<5 %)
T_ALL_EMD_P = 0.6

# Response (best response within 3 months), patients per subtype group.
BOR_OF_GROUP: dict[str, dict[str, int]] = {
    "T-ALL": {"CR": 3, "CRi": 1, "PD": 1},
    "T-LBL": {"CR": 3, "PR": 1, "SD": 1},
    "lymphoma": {"CR": 1, "PR": 1, "SD": 1, "PD": 1},
}
RESPONSES = ("CR", "CRi", "PR")
RESPONSE_RANK = {"CR": 0, "CRi": 1, "PR": 2, "SD": 3, "PD": 4, "NE": 5}
EARLY_PARTIAL_P = 0.3  # CR patients whose day-28 response is not yet complete
MRD_NEGATIVE_P = 0.85
BOR_WINDOW_DAYS = 100  # "within 3 months" (Month 3 visit +/- jitter)

# Consolidative allo-HSCT and outcomes (fractions as (numerator, denominator)).
HSCT_OF14 = 5
HSCT_DAY = (40, 90)
SD_PROGRESSION_DAY = (45, 120)
MIN_RELAPSE_DAY = 45
RELAPSE_NO_HSCT = (17, 20)
RELAPSE_DAY_NO_HSCT = (105.0, 0.4)  # median days from infusion, sd of ln
RELAPSE_HSCT = (1, 3)
RELAPSE_AFTER_HSCT = (150.0, 0.5)  # median days from HSCT, sd of ln
DEATH_AFTER_PD = (2, 3)
SURVIVAL_AFTER_PD = (70.0, 0.6)  # median days from PD, sd of ln
MIN_SURVIVAL_AFTER_PD = 14
NRM_HSCT = (1, 5)  # non-relapse deaths among non-relapsing HSCT patients
NRM_DAY_AFTER_HSCT = (200, 500)
WITHDRAWAL = (1, 20)
WITHDRAWAL_DAY = (90, 400)
WITHDRAWAL_REASONS = ("WITHDRAWAL BY SUBJECT", "LOST TO FOLLOW-UP")
STUDY_DAYS = 730
COMPLETION_JITTER = 7
LAST_CONTACT_LAG = (0, 30)  # ongoing patients: last contact this many days before cut-off
# --------------------------------------------------------------------------------------------
# Cellular kinetics (ADPC) and laboratory (ADLB)
# --------------------------------------------------------------------------------------------

PC_SCHEDULE = (0, 1, 4, 7, 10, 14, 21, 28, 60, 90, 180, 270, 365, 545, 730)
RS_SCHEDULE = (28, 60, 90, 180, 270, 365, 455, 545, 635, 730)
LB_SCHEDULE = (-5, 0, 1, 4, 7, 10, 14, 21, 28, 60, 90, 120, 150, 180, 270, 365, 455, 545,
               635, 730)
VISIT_JITTER = 2  # +/- days for nominal days after day 7
RS_VISIT_JITTER = 5  # +/- days for response visits after day 28
MONTH_OF_DAY = {60: 2, 90: 3, 120: 4, 150: 5, 180: 6, 270: 9, 365: 12, 455: 15, 545: 18,
                635: 21, 730: 24}

TRANSGENE_LLOQ = 50.0
CARPCT_LLOQ = 0.1


@dataclass(frozen=True)
class _Param:
    """A kinetics or laboratory parameter. ``floor`` is the LLOQ for kinetics and the
    smallest reportable value for laboratory results (which are never BLQ here)."""

    code: str
    name: str
    unit: str
    decimals: int
    floor: float


PC_PARAMS = (
    _Param("TRANSGEN", "CAR transgene copies (qPCR)", "copies/ug gDNA", 0, TRANSGENE_LLOQ),
    _Param("CARPCT", "CAR+ T cells (% of CD3+, flow)", "%", 2, CARPCT_LLOQ),
)
LB_PARAMS = (
    _Param("CD7LYMPH", "CD7+ lymphocytes", "cells/uL", 0, 1.0),
    _Param("ANC", "Absolute neutrophil count", "10^9/L", 2, 0.01),
    _Param("PLAT", "Platelets", "10^9/L", 0, 1.0),
    _Param("HGB", "Hemoglobin", "g/L", 0, 30.0),
    _Param("LYMPH", "Lymphocytes", "10^9/L", 2, 0.01),
    _Param("CRP", "C-reactive protein", "mg/L", 1, 0.1),
    _Param("FERRITIN", "Ferritin", "ng/mL", 0, 1.0),
    _Param("IL6", "Interleukin-6", "pg/mL", 1, 0.1),
)

_NAT = np.datetime64("NaT", "D")

# Per-patient working arrays (all enrolled patients, in USUBJID order), filled step by step.
Patients = dict[str, Any]

# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _share(n: int, num: int, den: int) -> int:
    """``round(n * num / den)`` with halves rounded up, in exact integer arithmetic."""
    return (2 * n * num + den) // (2 * den)


def _allocate(n: int, weights: Sequence[int]) -> np.ndarray:
    """Split ``n`` into integer counts proportional to ``weights`` (largest remainder)."""
    w = np.asarray(weights, dtype=np.int64)
    exact = n * w
    counts = exact // w.sum()
    remainder = exact % w.sum()
    short = n - int(counts.sum())
    order = np.lexsort((np.arange(len(w)), -remainder))
    counts[order[:short]] += 1
    return counts


def _quota_labels(rng: np.random.Generator, n: int, labels: Sequence[Any],
                  weights: Sequence[int]) -> np.ndarray:
    """``n`` labels in exact proportions to ``weights``, in random order."""
    values = np.repeat(np.array(list(labels), dtype=object), _allocate(n, weights))
    return values[rng.permutation(n)]


def _pick(rng: np.random.Generator, pool: np.ndarray, k: int,
          weights: np.ndarray | None = None) -> np.ndarray:
    """``k`` distinct elements of ``pool`` (all of it if smaller), sorted."""
    pool = np.asarray(pool)
    k = min(k, len(pool))
    if k == 0:
        return pool[:0]
    p = None if weights is None else weights / weights.sum()
    return np.sort(rng.choice(pool, size=k, replace=False, p=p))


def _pick_preferring(rng: np.random.Generator, preferred: np.ndarray, fallback: np.ndarray,
                     k: int) -> np.ndarray:
    """``k`` elements, from ``preferred`` first and from ``fallback`` when it runs out."""
    first = _pick(rng, preferred, k)
    rest = _pick(rng, np.setdiff1d(fallback, first), k - len(first))
    return np.sort(np.concatenate([first, rest]))


def _lognormal(rng: np.random.Generator, median: float, sd_ln: float, size: int) -> np.ndarray:
    return median * np.exp(sd_ln * rng.standard_normal(size))


def _stratified(rng: np.random.Generator, size: int) -> np.ndarray:
    """Uniform(0, 1) draws, one per equal-width stratum, in random order.

    Used for event times so that a 14-patient cohort spreads its events over the whole
    distribution (less seed-to-seed scatter in the survival curves than i.i.d. draws).
    """
    return (rng.permutation(size) + rng.random(size)) / max(size, 1)


def _event_days(rng: np.random.Generator, median: float, sd_ln: float, size: int) -> np.ndarray:
    """Stratified log-normal event times (days)."""
    return median * np.exp(sd_ln * ndtri(_stratified(rng, size)))


def _uniform(rng: np.random.Generator, bounds: tuple[float, float], size: Any) -> np.ndarray:
    return rng.uniform(bounds[0], bounds[1], size=size)


def _days(days: np.ndarray | float) -> np.ndarray:
    return np.asarray(days).astype(np.int64).astype("timedelta64[D]")


def _dates(base: np.ndarray, days: np.ndarray) -> np.ndarray:
    """``base + days`` as ``datetime64[D]``; NaT where either is missing (NaN days)."""
    b, d = np.broadcast_arrays(np.asarray(base, dtype="datetime64[D]"),
                               np.asarray(days, dtype=float))
    out = np.full(b.shape, _NAT)
    ok = ~np.isnat(b) & ~np.isnan(d)
    out[ok] = b[ok] + _days(d[ok])
    return out


def _adam_day(days: np.ndarray) -> np.ndarray:
    """ADaM study day from a day offset: no day 0 (``d + 1`` when ``d >= 0``)."""
    days = np.asarray(days, dtype=float)
    return np.where(days >= 0, days + 1, days)


def _flag(mask: np.ndarray) -> np.ndarray:
    return np.where(mask, "Y", "N").astype(object)


def _frame(table: str, columns: dict[str, Any]) -> pd.DataFrame:
    """Build a data set with exactly the table's source columns and their pandas types.

    DATE -> ``datetime64[ns]`` (NaT), INTEGER -> ``Int64``, DOUBLE -> ``float64``,
    VARCHAR -> object with ``None`` for missing. Scalars are broadcast.
    """
    spec = schema.TABLES[table]
    n = max(np.size(v) for v in columns.values() if not np.isscalar(v) and v is not None)
    out: dict[str, pd.Series] = {}
    for col in spec.source_columns:
        value = columns[col.name]
        scalar = value is None or np.isscalar(value)
        if scalar:
            value = np.full(n, value, dtype=object)
        if col.type == schema.DATE:
            series = pd.Series(np.asarray(value, dtype="datetime64[D]").astype("datetime64[ns]"))
        elif col.type == schema.INT:
            series = pd.Series(np.asarray(value, dtype=float)).astype("Int64")
        elif col.type == schema.NUM:
            series = pd.Series(np.asarray(value, dtype=float))
        else:
            series = pd.Series(np.asarray(value, dtype=object), dtype=object)
            if not scalar:
                series = series.where(series.notna(), None)
        out[col.name] = series
    return pd.DataFrame(out)


def _sample_days(rng: np.random.Generator, pt: Patients, schedule: Sequence[int]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Actual sample days (infused x nominal) and which are taken.

    Days up to 7 are exact; later ones jitter by up to +/- 2 days. Samples stop at the last
    contact and at progression.
    """
    inf = np.flatnonzero(pt["infused"])
    nominal = np.asarray(schedule, dtype=float)
    jitter = rng.integers(-VISIT_JITTER, VISIT_JITTER + 1, size=(len(inf), len(nominal)))
    actual = nominal[None, :] + np.where(nominal > 7, jitter, 0)
    stop = np.fmin(pt["last_day"][inf], pt["pd_day"][inf])
    taken = actual <= stop[:, None]
    return nominal, actual, taken


def _long_rows(pt: Patients, inf: np.ndarray, param: _Param, nominal: np.ndarray,
               actual: np.ndarray, taken: np.ndarray, aval: np.ndarray,
               blq: np.ndarray | None = None) -> pd.DataFrame:
    """Flatten an (infused x nominal) matrix of one parameter into long rows."""
    rows, cols = np.nonzero(taken)
    return pd.DataFrame({
        "pid": inf[rows],
        "order": [p.code for p in (*PC_PARAMS, *LB_PARAMS)].index(param.code),
        "code": param.code, "name": param.name, "unit": param.unit,
        "lloq": param.floor,
        "nominal": nominal[cols], "actual": actual[rows, cols], "aval": aval[rows, cols],
        "blq": False if blq is None else blq[rows, cols],
    })


def _visit_label(day: int) -> str:
    return f"Month {MONTH_OF_DAY[day]}" if day in MONTH_OF_DAY else f"Day {day}"


def _visit_labels(nominal: np.ndarray, schedule: Sequence[int],
                  special: dict[int, str]) -> np.ndarray:
    """Visit labels for nominal days of ``schedule`` (vectorised lookup)."""
    labels = np.array([special.get(d, _visit_label(d)) for d in schedule], dtype=object)
    return labels[np.searchsorted(np.asarray(schedule, dtype=float), nominal)]
