"""Deterministic synthetic trial shaped on the NCT05290155 clinical profile.

No patient-level data of NCT05290155 is public, so the dashboard's default data is generated
here from a seed, following ``clinical-profile.md`` (cohort, adverse-event table, response,
kinetics, survival). The result is six ADaM-like data sets holding only the *source* columns
of :mod:`trialdash.schema`; derived columns are added later by the snapshot build.

Assumptions
-----------
* Day 0 is the infusion day (ADSL.TRTSDT); lymphodepletion starts on day -5 (LDSTDT).
  Internally every event is an integer day offset ``d = date - TRTSDT``. The ADaM study-day
  variables (ADAE.ASTDY/AENDY, ADRS.ADY, ADLB.ADY) skip day 0: ``d + 1`` for ``d >= 0`` and
  ``d`` for ``d < 0``. ADPC.NFRLT/AFRLT and ADTTE.AVAL are plain day differences (no +1).
* BLQ: kinetics samples below the LLOQ (TRANSGEN 50 copies/ug gDNA, CARPCT 0.1 %) have
  ``BLQFL = 'Y'`` and a blank ``AVAL`` (NaN); quantifiable samples have ``BLQFL = 'N'`` and
  ``AVAL >= LLOQ``. ``AVAL`` is never zero. The day-0 (pre-infusion) sample is always BLQ, and
  so is every sample from 21 days after a consolidative allo-HSCT on.
* Fixed by the profile (the same for every seed): counts. Every "k of 14" in the profile
  becomes ``round(k * N / 14)`` patients (largest remainder where categories must add up),
  so the default (N = 14) reproduces the profile exactly: dose groups 3/3/8 (6 escalation +
  2 expansion at 1.0), subtypes 5/5/2/1/1, 3 enrolled but not infused, the AE patient counts
  and grades of the adverse-event table, best responses per subtype, 5 consolidative
  allo-HSCTs, one patient without CAR-T expansion, and the share of patients who relapse or
  die in each branch. The enrollment window, data cut-off (2025-05-15), visit schedules and
  curve shapes are fixed too.
* Random (from ``numpy.random.default_rng(seed)`` only): which patient gets which category,
  baseline values, calendar gaps, event days, kinetic and laboratory curve parameters and
  multiplicative log-normal measurement noise.
* The dose-limiting toxicity is the grade 3 CRS. Grade 3 CRS is drawn from the patients of the
  first 1.0 x10^6/kg escalation cohort (with 14 patients: one of the first three at 1.0, so the
  3+3 expanded that level to six), so DLTs occur only at 1.0.
* Escalation is sequential: every infusion of a cohort follows the previous cohort's last
  infusion by at least the 28-day DLT window; the expansion cohort comes last. For large N the
  same calendar window (first infusion mid-2022, last late 2024) is simply filled more densely.
* Follow-up ends at death, withdrawal, study completion (about 2 years after infusion) or the
  data cut-off. Progression, allo-HSCT and death are recorded only when they fall on or
  before the last contact (LSTALVDT); nothing is dated after it. Response assessments,
  kinetics and laboratory samples stop at progression.
* ADTTE: PFS is an event at the first PD (= ADSL.PDDT) or death, whichever comes first, and
  is otherwise censored at the last adequate (non-PD) response assessment. Consolidative
  allo-HSCT is not a censoring event in the source data (the build offers that choice).
"""

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
# Adverse events (clinical-profile.md, adverse-event table; patients out of 14)
# --------------------------------------------------------------------------------------------

CRS_DECOD = "Cytokine release syndrome"
ICANS_DECOD = "Immune effector cell-associated neurotoxicity syndrome"


@dataclass(frozen=True)
class _AESpec:
    """One row of the profile's adverse-event table.

    ``grades_of14`` gives patients per worst grade out of 14; ``terms`` are
    (AETERM, AEDECOD, weight); ``severe_term`` (optional) replaces the term for grade >= 3.
    Onset and duration are inclusive day ranges; a ``prolonged`` share of events lasts
    ``prolonged_duration`` instead.
    """

    key: str
    soc: str
    grades_of14: tuple[tuple[int, int], ...]
    terms: tuple[tuple[str, str, int], ...]
    onset: tuple[int, int]
    duration: tuple[int, int]
    related: bool = True
    serious_if_severe: bool = False
    severe_term: tuple[str, str] | None = None
    onset_weights: tuple[int, ...] | None = None
    prolonged: float = 0.0
    prolonged_duration: tuple[int, int] = (0, 0)


AE_SPECS: tuple[_AESpec, ...] = (
    _AESpec("CRS", "Immune system disorders", ((1, 6), (2, 5), (3, 1)),
            (("Cytokine release syndrome", CRS_DECOD, 1),), onset=(1, 7), duration=(3, 7),
            serious_if_severe=True, onset_weights=(2, 4, 5, 3, 2, 2, 1)),
    # ICANS onset is relative to the CRS onset (1-4 days after it).
    _AESpec("ICANS", "Nervous system disorders", ((1, 1), (2, 1)),
            (("ICANS", ICANS_DECOD, 1),), onset=(1, 4), duration=(2, 6),
            serious_if_severe=True),
    _AESpec("NEUT", "Investigations", ((4, 12), (3, 2)),
            (("Neutropenia", "Neutrophil count decreased", 1),), onset=(0, 2),
            duration=(10, 25), prolonged=0.2, prolonged_duration=(30, 90)),
    _AESpec("PLAT", "Investigations", ((4, 8), (3, 4), (2, 1), (1, 1)),
            (("Thrombocytopenia", "Platelet count decreased", 1),), onset=(2, 7),
            duration=(10, 30), prolonged=0.3, prolonged_duration=(30, 120)),
    _AESpec("LYMPH", "Investigations", ((4, 14),),
            (("Lymphopenia", "Lymphocyte count decreased", 1),), onset=(0, 1),
            duration=(14, 35)),
    _AESpec("ANEMIA", "Blood and lymphatic system disorders", ((3, 9), (2, 4), (1, 1)),
            (("Anaemia", "Anemia", 1),), onset=(0, 7), duration=(10, 40),
            prolonged=0.2, prolonged_duration=(30, 90)),
    _AESpec("FN", "Blood and lymphatic system disorders", ((3, 6),),
            (("Febrile neutropenia", "Febrile neutropenia", 1),), onset=(2, 10),
            duration=(2, 6), serious_if_severe=True),
    _AESpec("VIRAL", "Infections and infestations", ((3, 1), (2, 4), (1, 1)),
            (("CMV reactivation", "Cytomegalovirus infection reactivation", 2),
             ("EBV reactivation", "Epstein-Barr virus infection reactivation", 2),
             ("Herpes zoster", "Herpes zoster", 1),
             ("Parvovirus B19 infection", "Parvovirus B19 infection", 1)),
            onset=(10, 28), duration=(7, 28), serious_if_severe=True),
    _AESpec("BACT", "Infections and infestations", ((3, 1), (2, 1)),
            (("Pneumonia", "Lung infection", 1),), onset=(5, 25), duration=(5, 14),
            related=False, serious_if_severe=True, severe_term=("Sepsis", "Sepsis")),
    _AESpec("LIVER", "Investigations", ((3, 1), (2, 1), (1, 3)),
            (("ALT increased", "Alanine aminotransferase increased", 3),
             ("AST increased", "Aspartate aminotransferase increased", 2)),
            onset=(3, 10), duration=(3, 14)),
)

# Sparse later events (after day 28): (AETERM, AEDECOD, SOC, grade range, related).
LATE_AES: tuple[tuple[str, str, str, tuple[int, int], bool], ...] = (
    ("Upper respiratory infection", "Upper respiratory infection",
     "Infections and infestations", (1, 2), False),
    ("Pneumonia", "Lung infection", "Infections and infestations", (2, 3), False),
    ("CMV reactivation", "Cytomegalovirus infection reactivation",
     "Infections and infestations", (2, 2), True),
    ("Prolonged thrombocytopenia", "Platelet count decreased", "Investigations", (2, 4), True),
    ("Prolonged neutropenia", "Neutrophil count decreased", "Investigations", (2, 4), True),
)
LATE_AE_P = 0.3
LATE_AE_WINDOW = (29, 240)
LATE_AE_DURATION = (5, 30)

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
LB_NOISE_SD = 0.1
CYTOKINE_NOISE_SD = 0.15
LOSS_SEARCH_DAYS = 800  # CAR-T "loss" (transgene below LLOQ) is searched up to this day

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


@dataclass(frozen=True)
class SyntheticTrial:
    """A generated trial: the six source data sets and what describes them."""

    datasets: dict[str, pd.DataFrame]
    study_id: str
    title: str
    registry_id: str
    cutoff: dt.date
    seed: int


def generate(seed: int = DEFAULT_SEED, patients: int | None = None) -> SyntheticTrial:
    """Generate the synthetic trial.

    Parameters
    ----------
    seed
        Seed of ``numpy.random.default_rng``; the same seed and size give identical frames.
    patients
        Number of *infused* patients (default 14, the profile's cohort). About 3/14 as many
        enrolled-but-not-infused patients are added.

    Returns
    -------
    SyntheticTrial
        Data sets ``adsl, adae, adrs, adtte, adpc, adlb`` with the schema's source columns.
    """
    n_inf = PROFILE_N if patients is None else int(patients)
    if n_inf < MIN_PATIENTS:
        raise ValueError(f"patients must be >= {MIN_PATIENTS}, got {patients}")
    rng = np.random.default_rng(seed)
    pt = _enrolment(rng, n_inf)
    _baseline(rng, pt)
    _outcomes(rng, pt)
    ae, tox = _adverse_events(rng, pt)
    rs = _responses(rng, pt)
    tte = _time_to_event(pt)
    kin = _kinetic_params(rng, pt)
    pc = _kinetics(rng, pt, kin)
    lb = _laboratory(rng, pt, tox, kin)
    datasets = {
        "adsl": _adsl(pt),
        "adae": _adae(pt, ae),
        "adrs": rs,
        "adtte": tte,
        "adpc": pc,
        "adlb": lb,
    }
    return SyntheticTrial(datasets, STUDY_ID, TITLE, REGISTRY_ID, CUTOFF, seed)


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


# --------------------------------------------------------------------------------------------
# Patients: enrollment, calendar, baseline
# --------------------------------------------------------------------------------------------


def _infusion_calendar(rng: np.random.Generator, block: np.ndarray) -> np.ndarray:
    """Infusion dates in escalation order, with a DLT-window wait between cohorts."""
    n = len(block)
    start = np.datetime64(FIRST_INFUSION) + _days(rng.integers(0, CALENDAR_JITTER_DAYS + 1))
    end = np.datetime64(LAST_INFUSION) - _days(rng.integers(0, CALENDAR_JITTER_DAYS + 1))
    boundary = np.r_[False, block[1:] != block[:-1]]
    free = max(int((end - start).astype(int)) - DLT_WINDOW_DAYS * int(boundary.sum()), 0)
    gaps = rng.gamma(2.0, 1.0, size=n)
    gaps[0] = 0.0
    if gaps.sum() > 0:
        gaps *= free / gaps.sum()
    day = np.floor(np.cumsum(gaps + DLT_WINDOW_DAYS * boundary))
    return start + _days(day)


def _enrolment(rng: np.random.Generator, n_inf: int) -> Patients:
    """Who is enrolled, in which cohort and when; sorted by consent date."""
    counts = _allocate(n_inf, [b.of14 for b in BLOCKS])
    block_inf = np.repeat(np.arange(len(BLOCKS)), counts)
    trt_inf = _infusion_calendar(rng, block_inf)
    lead = rng.integers(CONSENT_TO_INFUSION_DAYS[0], CONSENT_TO_INFUSION_DAYS[1] + 1, n_inf)
    consent_inf = trt_inf - _days(lead)
    subtype_inf = _quota_labels(rng, n_inf, SUBTYPES_OF14, list(SUBTYPES_OF14.values()))

    n_ni = _share(n_inf, NOT_INFUSED_OF_14, PROFILE_N)
    reason = _quota_labels(rng, n_ni, NINF_REASONS, (1, 1, 1))
    anchor = rng.integers(0, n_inf, size=n_ni)
    consent_ni = consent_inf[anchor] + _days(rng.integers(-20, 21, size=n_ni))
    ld_lag = rng.integers(18, 30, size=n_ni)
    stop_lag = np.select(
        [reason == NINF_PROGRESSION, reason == NINF_REASONS[1]],
        [ld_lag + rng.integers(1, 4, size=n_ni), rng.integers(25, 41, size=n_ni)],
        rng.integers(5, 21, size=n_ni),
    )
    ld_ni = np.where(reason == NINF_PROGRESSION, consent_ni + _days(ld_lag), _NAT)
    subtype_ni = _quota_labels(rng, n_ni, SUBTYPES_OF14, list(SUBTYPES_OF14.values()))

    n = n_inf + n_ni
    consent = np.concatenate([consent_inf, consent_ni])
    order = np.lexsort((rng.random(n), consent.astype(np.int64)))
    block = np.concatenate([block_inf, block_inf[anchor]])[order]
    infused = np.r_[np.ones(n_inf, bool), np.zeros(n_ni, bool)][order]
    trt = np.concatenate([trt_inf, np.full(n_ni, _NAT)])[order]
    width = max(3, len(str(n)))
    subjid = np.array([f"{i + 1:0{width}d}" for i in range(n)], dtype=object)
    return {
        "n": n,
        "subjid": subjid,
        "usubjid": np.array([f"{STUDY_ID}-{s}" for s in subjid], dtype=object),
        "infused": infused,
        "block": block,
        "dose": np.array([BLOCKS[b].dose for b in block]),
        "cohort": np.array([BLOCKS[b].cohort for b in block], dtype=object),
        "subtype": np.concatenate([subtype_inf, subtype_ni])[order],
        "consent": consent[order],
        "ld": np.where(infused, trt + _days(LD_START_DAY),
                       np.concatenate([np.full(n_inf, _NAT), ld_ni])[order]),
        "trt": trt,
        "ninf_reason": np.concatenate([np.full(n_inf, None), reason])[order],
        "ninf_stop": np.concatenate([np.full(n_inf, _NAT),
                                     consent_ni + _days(stop_lag)])[order],
    }


def _baseline(rng: np.random.Generator, pt: Patients) -> None:
    """Demographics and disease characteristics (adds keys to ``pt``)."""
    n = pt["n"]
    subtype = pt["subtype"]
    lymphoblastic = np.isin(subtype, LYMPHOBLASTIC)
    sex = np.empty(n, dtype=object)
    prior_hsct = np.zeros(n, dtype=bool)
    for group in (pt["infused"], ~pt["infused"]):  # exact quotas among infused patients
        idx = np.flatnonzero(group)
        sex[idx] = _quota_labels(rng, len(idx), ("M", "F"), (MALE_OF14, PROFILE_N - MALE_OF14))
        k = _share(len(idx), PRIOR_HSCT_OF14, PROFILE_N)
        prior_hsct[_pick_preferring(rng, idx[lymphoblastic[idx]], idx, k)] = True

    med, sd, lo, hi = AGE_LYMPHOBLASTIC
    age_lb = np.clip(np.round(_lognormal(rng, med, sd, n)), lo, hi)
    mean, sd, lo, hi = AGE_LYMPHOMA
    age_ly = np.clip(np.round(rng.normal(mean, sd, n)), lo, hi)
    lines = rng.choice(np.arange(1, 6), size=n, p=PRIOR_LINES_P).astype(float)
    lines = np.where(prior_hsct, np.maximum(lines, 2), lines)
    ecog = rng.choice(np.arange(3), size=n, p=ECOG_P).astype(float)
    w_mean = np.where(sex == "M", WEIGHT_KG["M"][0], WEIGHT_KG["F"][0])
    w_sd = np.where(sex == "M", WEIGHT_KG["M"][1], WEIGHT_KG["F"][1])
    weight = np.round(np.clip(rng.normal(w_mean, w_sd), *WEIGHT_RANGE), 1)
    blasts_all = np.round(_uniform(rng, T_ALL_BLASTS, n), 1)
    blasts_lbl = np.where(rng.random(n) < T_LBL_MARROW_P, np.round(_uniform(rng, (0.5, 4.9), n), 1),
                          0.0)
    pt.update(
        age=np.where(lymphoblastic, age_lb, age_ly),
        sex=sex,
        prior_hsct=prior_hsct,
        prior_lines=lines,
        ecog=ecog,
        weight=weight,
        blasts=np.select([subtype == "T-ALL", subtype == "T-LBL"], [blasts_all, blasts_lbl], 0.0),
        emd=np.where(subtype == "T-ALL", rng.random(n) < T_ALL_EMD_P, True),
        mrd_negative=rng.random(n) < MRD_NEGATIVE_P,
    )


# --------------------------------------------------------------------------------------------
# Outcomes: response class, allo-HSCT, progression, death, follow-up
# --------------------------------------------------------------------------------------------


def _outcomes(rng: np.random.Generator, pt: Patients) -> None:
    """Best response, event days (from infusion) and end of follow-up (adds keys to ``pt``).

    Day arrays are float with NaN for "no such event"; they cover all patients but are only
    set for infused ones.
    """
    n = pt["n"]
    inf = np.flatnonzero(pt["infused"])
    subtype = pt["subtype"]
    group = np.where(np.isin(subtype, LYMPHOBLASTIC), subtype, "lymphoma")

    bor = np.full(n, None, dtype=object)
    for g, quota in BOR_OF_GROUP.items():
        idx = inf[group[inf] == g]
        bor[idx] = _quota_labels(rng, len(idx), quota.keys(), list(quota.values()))
    responder = np.isin(bor, RESPONSES)
    early = bor.copy()
    partial = (bor == "CR") & (rng.random(n) < EARLY_PARTIAL_P)
    early[partial] = np.where(subtype[partial] == "T-ALL", "CRi", "PR")

    resp_idx = np.flatnonzero(responder)
    weights = np.where(np.isin(subtype[resp_idx], LYMPHOBLASTIC), 3.0, 1.0)
    hsct_idx = _pick(rng, resp_idx, _share(len(inf), HSCT_OF14, PROFILE_N), weights)
    hsct = np.full(n, np.nan)
    hsct[hsct_idx] = rng.integers(HSCT_DAY[0], HSCT_DAY[1] + 1, size=len(hsct_idx))

    a28 = np.full(n, np.nan)  # day of the Day 28 response assessment
    a28[inf] = RS_SCHEDULE[0] + rng.integers(-2, 3, size=len(inf))
    pd_day = np.full(n, np.nan)
    pd_day[bor == "PD"] = a28[bor == "PD"]
    sd = np.flatnonzero(bor == "SD")
    pd_day[sd] = np.round(SD_PROGRESSION_DAY[0] + _stratified(rng, len(sd))
                          * (SD_PROGRESSION_DAY[1] - SD_PROGRESSION_DAY[0]))
    no_hsct = np.setdiff1d(resp_idx, hsct_idx)
    rel = _pick(rng, no_hsct, _share(len(no_hsct), *RELAPSE_NO_HSCT))
    pd_day[rel] = np.maximum(np.round(_event_days(rng, *RELAPSE_DAY_NO_HSCT, len(rel))),
                             MIN_RELAPSE_DAY)
    rel_h = _pick(rng, hsct_idx, _share(len(hsct_idx), *RELAPSE_HSCT))
    pd_day[rel_h] = hsct[rel_h] + np.maximum(
        np.round(_event_days(rng, *RELAPSE_AFTER_HSCT, len(rel_h))), 30)

    death = np.full(n, np.nan)
    progressed = np.flatnonzero(~np.isnan(pd_day))
    dies = _pick(rng, progressed, _share(len(progressed), *DEATH_AFTER_PD))
    death[dies] = pd_day[dies] + np.maximum(
        np.round(_event_days(rng, *SURVIVAL_AFTER_PD, len(dies))), MIN_SURVIVAL_AFTER_PD)
    hsct_ok = np.setdiff1d(hsct_idx, rel_h)
    nrm = _pick(rng, hsct_ok, _share(len(hsct_ok), *NRM_HSCT))
    death[nrm] = hsct[nrm] + np.round(NRM_DAY_AFTER_HSCT[0] + _stratified(rng, len(nrm))
                                      * (NRM_DAY_AFTER_HSCT[1] - NRM_DAY_AFTER_HSCT[0]))

    withdraw = np.full(n, np.inf)
    wd = _pick(rng, inf, _share(len(inf), *WITHDRAWAL))
    withdraw[wd] = rng.integers(WITHDRAWAL_DAY[0], WITHDRAWAL_DAY[1] + 1, size=len(wd))
    wd_reason = np.full(n, None, dtype=object)
    wd_reason[wd] = rng.choice(np.array(WITHDRAWAL_REASONS, dtype=object), size=len(wd))
    completion = STUDY_DAYS + rng.integers(0, COMPLETION_JITTER + 1, size=n).astype(float)
    lag = rng.integers(LAST_CONTACT_LAG[0], LAST_CONTACT_LAG[1] + 1, size=n)
    cutoff_day = np.full(n, np.nan)
    cutoff_day[inf] = (np.datetime64(CUTOFF) - pt["trt"][inf]).astype(float)

    admin_end = np.fmin(np.fmin(cutoff_day, completion), withdraw)
    dead = death <= admin_end
    withdrawn = ~dead & (withdraw <= np.fmin(cutoff_day, completion))
    completed = ~dead & ~withdrawn & (completion <= cutoff_day)
    ongoing = pt["infused"] & ~dead & ~withdrawn & ~completed
    last = np.select([dead, withdrawn, completed, ongoing],
                     [death, withdraw, completion, cutoff_day - lag], np.nan)

    eos = np.full(n, "DISCONTINUED", dtype=object)
    eos[completed] = "COMPLETED"
    eos[ongoing] = "ONGOING"
    dcsreas = np.full(n, None, dtype=object)
    dcsreas[dead] = "DEATH"
    dcsreas[withdrawn] = wd_reason[withdrawn]
    ni = ~pt["infused"]
    dcsreas[ni] = [NINF_DCSREAS[r] for r in pt["ninf_reason"][ni]]

    pt.update(
        bor_class=bor,
        responder=responder,
        early=early,
        a28=a28,
        hsct_day=np.where(hsct <= last, hsct, np.nan),
        pd_day=np.where(pd_day <= last, pd_day, np.nan),
        death_day=np.where(dead, death, np.nan),
        last_day=last,
        eos=eos,
        dcsreas=dcsreas,
    )


# --------------------------------------------------------------------------------------------
# ADAE
# --------------------------------------------------------------------------------------------


def _ae_patients(rng: np.random.Generator, spec: _AESpec, pt: Patients,
                 tox: dict[str, dict[str, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Patients with the event and their worst grades, in exact profile proportions."""
    inf = np.flatnonzero(pt["infused"])
    grades = [g for g, _ in spec.grades_of14]
    n_any = _share(len(inf), sum(c for _, c in spec.grades_of14), PROFILE_N)
    counts = _allocate(n_any, [c for _, c in spec.grades_of14])
    graded = np.repeat(grades, counts)
    if spec.key == "CRS":  # grade 3 CRS is the DLT: first 1.0 escalation cohort first
        severe_grades, mild_grades = graded[graded >= 3], graded[graded < 3]
        candidates = inf[np.array([BLOCKS[b].dlt_candidates for b in pt["block"][inf]], bool)]
        severe = _pick_preferring(rng, candidates, inf, len(severe_grades))
        mild = _pick(rng, np.setdiff1d(inf, severe), len(mild_grades))
        return (np.concatenate([severe, mild]),
                np.concatenate([severe_grades, rng.permutation(mild_grades)]).astype(int))
    pool = inf
    if spec.key == "ICANS":
        pool = np.flatnonzero(tox["CRS"]["grade"] > 0)
    pids = _pick(rng, pool, n_any)
    return pids, rng.permutation(graded[: len(pids)]).astype(int)


def _adverse_events(rng: np.random.Generator, pt: Patients
                    ) -> tuple[pd.DataFrame, dict[str, dict[str, np.ndarray]]]:
    """Adverse events in day space, and per-patient worst grade/timing of each profile row.

    The second return value maps an AE key (``CRS``, ``NEUT``, ...) to arrays over all
    patients: ``grade`` (0 = none), ``start`` and ``end`` days (NaN = none).
    """
    n = pt["n"]
    parts: list[pd.DataFrame] = []
    tox: dict[str, dict[str, np.ndarray]] = {}
    for spec in AE_SPECS:
        pids, grades = _ae_patients(rng, spec, pt, tox)
        k = len(pids)
        if spec.onset_weights is not None:
            days = np.arange(spec.onset[0], spec.onset[1] + 1)
            w = np.asarray(spec.onset_weights, float)
            start = rng.choice(days, size=k, p=w / w.sum()).astype(float)
        else:
            start = rng.integers(spec.onset[0], spec.onset[1] + 1, size=k).astype(float)
        if spec.key == "ICANS":
            start = start + tox["CRS"]["start"][pids]
        duration = rng.integers(spec.duration[0], spec.duration[1] + 1, size=k)
        if spec.prolonged:
            long = rng.random(k) < spec.prolonged
            lo, hi = spec.prolonged_duration
            duration = np.where(long, rng.integers(lo, hi + 1, size=k), duration)
        term_w = np.array([t[2] for t in spec.terms], dtype=float)
        term_idx = rng.choice(len(spec.terms), size=k, p=term_w / term_w.sum())
        aeterm = np.array([spec.terms[i][0] for i in term_idx], dtype=object)
        decod = np.array([spec.terms[i][1] for i in term_idx], dtype=object)
        if spec.severe_term is not None:
            aeterm[grades >= 3], decod[grades >= 3] = spec.severe_term
        is_crs, is_icans = spec.key == "CRS", spec.key == "ICANS"
        parts.append(pd.DataFrame({
            "pid": pids, "aeterm": aeterm, "decod": decod, "soc": spec.soc, "grade": grades,
            "astct": grades if (is_crs or is_icans) else np.nan,
            "start": start, "end": start + duration,
            "serious": spec.serious_if_severe & (grades >= 3),
            "related": spec.related,
            "dlt": is_crs & (grades >= 3),
            "toci": is_crs & (grades >= 2),
            "ster": (is_crs & (grades >= 3)) | (is_icans & (grades >= 2)),
        }))
        info = {"grade": np.zeros(n, int), "start": np.full(n, np.nan), "end": np.full(n, np.nan)}
        info["grade"][pids] = grades
        info["start"][pids] = start
        info["end"][pids] = start + duration
        tox[spec.key] = info
    parts.append(_late_adverse_events(rng, pt))
    ae = pd.concat(parts, ignore_index=True)
    last = pt["last_day"][ae["pid"].to_numpy()]
    ae = ae[ae["start"].to_numpy() <= last].copy()
    ae.loc[ae["end"].to_numpy() > pt["last_day"][ae["pid"].to_numpy()], "end"] = np.nan
    ae = ae.sort_values(["pid", "start", "decod", "grade"], kind="mergesort", ignore_index=True)
    dlt = np.zeros(n, bool)
    dlt[ae.loc[ae["dlt"].to_numpy(bool), "pid"].to_numpy()] = True
    pt["dlt"] = dlt
    return ae, tox


def _late_adverse_events(rng: np.random.Generator, pt: Patients) -> pd.DataFrame:
    """Sparse events starting after the 28-day window: infections, prolonged cytopenias."""
    inf = np.flatnonzero(pt["infused"])
    last = pt["last_day"][inf]
    has = (rng.random(len(inf)) < LATE_AE_P) & (last > LATE_AE_WINDOW[0] + 10)
    pids = inf[has]
    k = len(pids)
    hi = np.minimum(pt["last_day"][pids], LATE_AE_WINDOW[1])
    start = np.floor(LATE_AE_WINDOW[0] + rng.random(k) * (hi - LATE_AE_WINDOW[0] + 1))
    which = rng.integers(0, len(LATE_AES), size=k)
    lo_g = np.array([LATE_AES[i][3][0] for i in which])
    hi_g = np.array([LATE_AES[i][3][1] for i in which])
    grades = rng.integers(lo_g, hi_g + 1)
    duration = rng.integers(LATE_AE_DURATION[0], LATE_AE_DURATION[1] + 1, size=k)
    return pd.DataFrame({
        "pid": pids,
        "aeterm": np.array([LATE_AES[i][0] for i in which], dtype=object),
        "decod": np.array([LATE_AES[i][1] for i in which], dtype=object),
        "soc": np.array([LATE_AES[i][2] for i in which], dtype=object),
        "grade": grades, "astct": np.nan, "start": start, "end": start + duration,
        "serious": (grades >= 3) & np.array([LATE_AES[i][2].startswith("Infections")
                                             for i in which], dtype=bool),
        "related": np.array([LATE_AES[i][4] for i in which], dtype=bool),
        "dlt": False, "toci": False, "ster": False,
    })


def _adae(pt: Patients, ae: pd.DataFrame) -> pd.DataFrame:
    pid = ae["pid"].to_numpy()
    trt = pt["trt"][pid]
    start = ae["start"].to_numpy(float)
    end = ae["end"].to_numpy(float)
    return _frame("adae", {
        "STUDYID": STUDY_ID,
        "USUBJID": pt["usubjid"][pid],
        "AESEQ": ae.groupby("pid").cumcount().to_numpy() + 1,
        "AETERM": ae["aeterm"].to_numpy(),
        "AEDECOD": ae["decod"].to_numpy(),
        "AEBODSYS": ae["soc"].to_numpy(),
        "AETOXGR": ae["grade"].to_numpy(float),
        "AESEV": None,
        "ASTCTGR": ae["astct"].to_numpy(float),
        "ASTDT": _dates(trt, start),
        "AENDT": _dates(trt, end),
        "ASTDY": _adam_day(start),
        "AENDY": _adam_day(end),
        "AESER": _flag(ae["serious"].to_numpy(bool)),
        "AEREL": np.where(ae["related"].to_numpy(bool), "RELATED", "NOT RELATED").astype(object),
        "TRTEMFL": "Y",
        "AEDLTFL": _flag(ae["dlt"].to_numpy(bool)),
        "TOCIFL": _flag(ae["toci"].to_numpy(bool)),
        "STERFL": _flag(ae["ster"].to_numpy(bool)),
    })


# --------------------------------------------------------------------------------------------
# ADRS
# --------------------------------------------------------------------------------------------


def _visit_label(day: int) -> str:
    return f"Month {MONTH_OF_DAY[day]}" if day in MONTH_OF_DAY else f"Day {day}"


def _visit_labels(nominal: np.ndarray, schedule: Sequence[int],
                  special: dict[int, str]) -> np.ndarray:
    """Visit labels for nominal days of ``schedule`` (vectorised lookup)."""
    labels = np.array([special.get(d, _visit_label(d)) for d in schedule], dtype=object)
    return labels[np.searchsorted(np.asarray(schedule, dtype=float), nominal)]


def _responses(rng: np.random.Generator, pt: Patients) -> pd.DataFrame:
    """Overall response per visit (OVR) and best overall response (BOR).

    Visits at day 28, months 2, 3 and then every 3 months while on study and progression
    free; a progression is an OVR 'PD' record on the PD day ('Unscheduled' unless it is the
    Day 28 visit). BOR is the best OVR within the first 3 months. Adds ``first_resp_day``
    and ``last_assess_day`` (last non-PD assessment) to ``pt``.
    """
    n = pt["n"]
    inf = np.flatnonzero(pt["infused"])
    sched = np.array(RS_SCHEDULE, dtype=float)
    jitter = rng.integers(-RS_VISIT_JITTER, RS_VISIT_JITTER + 1, size=(len(inf), len(sched)))
    first_resp = np.full(n, np.nan)
    last_assess = np.full(n, np.nan)
    rows: dict[str, list[Any]] = {k: [] for k in ("pid", "param", "avalc", "visit", "day")}

    def add(p: int, param: str, avalc: str, visit: str | None, day: float) -> None:
        for key, value in zip(rows, (p, param, avalc, visit, day), strict=True):
            rows[key].append(value)

    for j, p in enumerate(inf):
        days = sched + jitter[j]
        days[0] = pt["a28"][p]
        last, pd_day = pt["last_day"][p], pt["pd_day"][p]
        ovr: list[tuple[str, float]] = []
        for v, day in enumerate(days):
            if day > last or day >= pd_day:
                break
            status = pt["early"][p] if v == 0 else pt["bor_class"][p]
            if status == "PD":  # a non-responder progresses at Day 28 via pd_day
                break
            ovr.append((status, day))
            add(p, "OVR", status, _visit_label(int(sched[v])), day)
        if not np.isnan(pd_day):
            label = "Day 28" if pd_day == pt["a28"][p] else "Unscheduled"
            ovr.append(("PD", pd_day))
            add(p, "OVR", "PD", label, pd_day)
        window = [(s, d) for s, d in ovr if d <= BOR_WINDOW_DAYS]
        best = min(window, key=lambda sd: (RESPONSE_RANK[sd[0]], sd[1]), default=("NE", np.nan))
        add(p, "BOR", best[0], None, best[1])
        if best[0] in RESPONSES:
            first_resp[p] = next(d for s, d in ovr if s in RESPONSES)
        adequate = [d for s, d in ovr if s != "PD"]
        if adequate:
            last_assess[p] = adequate[-1]
    pt.update(first_resp_day=first_resp, last_assess_day=last_assess)

    pid = np.asarray(rows["pid"], dtype=int)
    param = np.asarray(rows["param"], dtype=object)
    avalc = np.asarray(rows["avalc"], dtype=object)
    day = np.asarray(rows["day"], dtype=float)
    subtype = pt["subtype"][pid]
    t_all = subtype == "T-ALL"
    assessed = (param == "OVR") & t_all
    mrd = np.where(np.isin(avalc, ("CR", "CRi")) & pt["mrd_negative"][pid], "NEGATIVE",
                   "POSITIVE").astype(object)
    return _frame("adrs", {
        "STUDYID": STUDY_ID,
        "USUBJID": pt["usubjid"][pid],
        "PARAMCD": param,
        "PARAM": np.where(param == "OVR", "Overall response by investigator",
                          "Best overall response (within 3 months)").astype(object),
        "AVALC": avalc,
        "AVISIT": np.where(param == "BOR", "Best overall response",
                           np.asarray(rows["visit"], dtype=object)).astype(object),
        "ADT": _dates(pt["trt"][pid], day),
        "ADY": _adam_day(day),
        "CRIT": np.where(t_all, CRIT_T_ALL, CRIT_LUGANO).astype(object),
        "MRDSTAT": np.where(assessed, mrd, None),
        "EXTMDFL": np.where(param == "OVR", _flag(pt["emd"][pid]), None),
    })


# --------------------------------------------------------------------------------------------
# ADTTE
# --------------------------------------------------------------------------------------------


def _time_to_event(pt: Patients) -> pd.DataFrame:
    """OS and PFS from infusion, DOR from first response, consistent with ADSL and ADRS.

    OS: death, else censored at LSTALVDT. PFS and DOR: first PD (ADSL.PDDT) or death,
    whichever comes first, else censored at the last adequate (non-PD) assessment. AVAL is
    ``ADT - STARTDT`` in days.
    """
    inf = np.flatnonzero(pt["infused"])
    death, pd_day = pt["death_day"][inf], pt["pd_day"][inf]
    last, assess = pt["last_day"][inf], pt["last_assess_day"][inf]
    cutoff_day = (np.datetime64(CUTOFF) - pt["trt"][inf]).astype(float)
    progressed = ~np.isnan(pd_day)
    died = ~np.isnan(death)
    prog_event = progressed | died
    prog_desc = np.where(progressed,
                         np.where(pt["responder"][inf], "RELAPSE", "DISEASE PROGRESSION"),
                         "DEATH")
    prog_censor = np.where(np.isnan(assess), "NO ADEQUATE ASSESSMENT",
                           "LAST ADEQUATE ASSESSMENT")
    prog_day = np.where(progressed, pd_day, np.where(died, death, np.nan_to_num(assess)))
    first_resp = pt["first_resp_day"][inf]

    endpoints = (
        # PARAMCD, PARAM, rows kept, start day, end day, event, event desc, censoring desc
        ("OS", "Overall survival", np.ones(len(inf), bool), np.zeros(len(inf)),
         np.where(died, death, last), died, "DEATH",
         np.where(last == cutoff_day, "DATA CUT-OFF", "LAST KNOWN ALIVE")),
        ("PFS", "Progression-free survival", np.ones(len(inf), bool), np.zeros(len(inf)),
         prog_day, prog_event, prog_desc, prog_censor),
        ("DOR", "Duration of response", ~np.isnan(first_resp), first_resp,
         prog_day, prog_event, prog_desc, prog_censor),
    )
    parts = []
    for order, (code, name, keep, start, end, event, edesc, cdesc) in enumerate(endpoints):
        parts.append(pd.DataFrame({
            "pid": inf, "order": order, "code": code, "name": name, "start": start,
            "end": end, "event": event,
            "edesc": np.where(event, edesc, None), "cdesc": np.where(event, None, cdesc),
        })[keep])
    tte = pd.concat(parts, ignore_index=True)
    tte = tte.sort_values(["pid", "order"], kind="mergesort", ignore_index=True)
    pid = tte["pid"].to_numpy()
    trt = pt["trt"][pid]
    start, end = tte["start"].to_numpy(float), tte["end"].to_numpy(float)
    return _frame("adtte", {
        "STUDYID": STUDY_ID,
        "USUBJID": pt["usubjid"][pid],
        "PARAMCD": tte["code"].to_numpy(),
        "PARAM": tte["name"].to_numpy(),
        "AVAL": end - start,
        "AVALU": "DAYS",
        "CNSR": np.where(tte["event"].to_numpy(bool), 0, 1),
        "STARTDT": _dates(trt, start),
        "ADT": _dates(trt, end),
        "EVNTDESC": tte["edesc"].to_numpy(),
        "CNSDTDSC": tte["cdesc"].to_numpy(),
    })


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


# --------------------------------------------------------------------------------------------
# ADSL
# --------------------------------------------------------------------------------------------


def _adsl(pt: Patients) -> pd.DataFrame:
    infused = pt["infused"]
    trt = pt["trt"]
    dose = pt["dose"]
    planned = np.array([DOSE_LABELS[d] for d in dose], dtype=object)
    dead = ~np.isnan(pt["death_day"])
    last = np.where(infused, _dates(trt, pt["last_day"]), pt["ninf_stop"])
    return _frame("adsl", {
        "STUDYID": STUDY_ID,
        "USUBJID": pt["usubjid"],
        "SUBJID": pt["subjid"],
        "SITEID": SITE_ID,
        "AGE": pt["age"],
        "SEX": pt["sex"],
        "RACE": RACE,
        "DISTYPE": pt["subtype"],
        "TRT01P": planned,
        "TRT01PN": dose,
        "TRT01A": np.where(infused, planned, None),
        "TRT01AN": np.where(infused, dose, np.nan),
        "RFICDT": pt["consent"],
        "LDSTDT": pt["ld"],
        "TRTSDT": trt,
        "SAFFL": _flag(infused),
        "EFFFL": _flag(infused & (~np.isnan(pt["last_assess_day"]) | ~np.isnan(pt["pd_day"]))),
        "DLTEVLFL": _flag(infused & ((pt["last_day"] >= DLT_WINDOW_DAYS) | pt["dlt"])),
        "DLTFL": _flag(pt["dlt"]),
        "COHORT": pt["cohort"],
        "NINFRSN": pt["ninf_reason"],
        "PRIORLN": pt["prior_lines"],
        "PRHSCTFL": _flag(pt["prior_hsct"]),
        "BMBLAST": pt["blasts"],
        "ECOGBL": pt["ecog"],
        "WEIGHTBL": pt["weight"],
        "CELLINF": np.where(infused, np.round(dose * pt["weight"], 2), np.nan),
        "HSCTDT": _dates(trt, pt["hsct_day"]),
        "PDDT": _dates(trt, pt["pd_day"]),
        "DTHFL": _flag(dead),
        "DTHDT": _dates(trt, pt["death_day"]),
        "LSTALVDT": last,
        "EOSSTT": pt["eos"],
        "DCSREAS": pt["dcsreas"],
        "DCUTDT": np.datetime64(CUTOFF),
    })
