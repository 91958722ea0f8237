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
* Two grading scales: the profile's CRS and ICANS grades are ASTCT grades (Lee 2019). CRS
  rows also carry a CTCAE v5.0 grade that differs (2 <-> 3, over oxygen) for some patients
  while both scales keep the profile's counts; ICANS rows have no CTCAE grade (CTCAE v5.0 has
  no ICANS term). Lymphodepletion-period events (days -5 to -2) have TRTEMFL 'N'.
* Disease history and outcomes (ADSL DTHCAUS, BRIDGFL, PRIREFFL, EMDBLFL, CNSBLFL, RELCD7;
  ADRS BMRESP, EMRESP) follow the profile: primary refractory = no prior allo-HSCT (9 of
  14); marrow CR in every responder with marrow disease; extramedullary response follows
  the overall response (ORR near the published 78.5 %); half the relapses CD7-negative;
  deaths after progression are "DISEASE PROGRESSION", the others non-relapse deaths after
  allo-HSCT (infection or GVHD). These, the CTCAE grades and the lymphodepletion events draw
  from a second random stream (``EXTRA_STREAM``), so every earlier value is unchanged.
* Code: one module per data set (``adsl``, ``adae``, ``adrs``, ``adtte``, ``adpc``,
  ``adlb``) and ``_common`` for constants and helpers.
* ADTTE: PFS is an event at the first PD (= ADSL.PDDT) or death, whichever comes first, and
  is otherwise censored at the last adequate (non-PD) response assessment. Consolidative
  allo-HSCT is not a censoring event in the source data (the build offers that choice).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialdash.synthetic._common import (
    CUTOFF,
    DEFAULT_SEED,
    DLT_WINDOW_DAYS,
    DOSE_LABELS,
    LD_START_DAY,
    MIN_PATIENTS,
    PROFILE_N,
    REGISTRY_ID,
    STUDY_ID,
    TITLE,
)
from trialdash.synthetic.adae import (
    _adae,
    _adverse_events,
    _ctcae_crs_grades,
    _lymphodepletion_events,
)
from trialdash.synthetic.adlb import _laboratory
from trialdash.synthetic.adpc import _kinetic_params, _kinetics
from trialdash.synthetic.adrs import _responses
from trialdash.synthetic.adsl import _adsl, _baseline, _enrolment, _history, _outcomes
from trialdash.synthetic.adtte import _time_to_event

__all__ = [
    "CUTOFF",
    "DEFAULT_SEED",
    "DLT_WINDOW_DAYS",
    "DOSE_LABELS",
    "LD_START_DAY",
    "MIN_PATIENTS",
    "PROFILE_N",
    "REGISTRY_ID",
    "STUDY_ID",
    "SyntheticTrial",
    "TITLE",
    "generate",
]

# Variables added after the first release draw from their own stream, seeded from the same
# seed, so that adding them left every earlier value unchanged.
EXTRA_STREAM = 1


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
    extra = np.random.default_rng([seed, EXTRA_STREAM])
    pt = _enrolment(rng, n_inf)
    _baseline(rng, pt)
    _outcomes(rng, pt)
    ae, tox = _adverse_events(rng, pt)
    ae = _lymphodepletion_events(extra, pt, _ctcae_crs_grades(extra, ae))
    rs = _responses(rng, pt)
    _history(extra, pt)
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
