"""ADAE: adverse events within 28 days of infusion (profile table) and sparse later ones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialdash.synthetic._common import (
    BLOCKS,
    LD_START_DAY,
    PROFILE_N,
    STUDY_ID,
    Patients,
    _adam_day,
    _allocate,
    _dates,
    _flag,
    _frame,
    _pick,
    _pick_preferring,
    _share,
)

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


def _ctcae_crs_grades(rng: np.random.Generator, ae: pd.DataFrame) -> pd.DataFrame:
    """CTCAE v5.0 grades of CRS and ICANS next to their ASTCT grades (Lee 2019).

    The profile's CRS grades are ASTCT grades, and they stay so. The two scales part where
    oxygen is concerned: CTCAE v5.0 grades hypoxia by the oxygen fraction (grade 3 from 40 %),
    ASTCT by the device (low-flow nasal cannula grade 2, high-flow grade 3). So half of the
    ASTCT grade-3 patients (rounded up) were on high-flow oxygen below 40 % (CTCAE grade 2),
    and as many ASTCT grade-2 patients on low-flow oxygen at 40 % or more (CTCAE grade 3):
    each scale keeps the profile's counts while the grades differ for some patients.
    CTCAE v5.0 has no ICANS term, so ICANS rows have no CTCAE grade (blank ``AETOXGR``).
    Seriousness follows the worse of the two grades.
    """
    ae = ae.copy()
    crs = ae["decod"].eq(CRS_DECOD).to_numpy()
    astct = ae["astct"].to_numpy(float)
    severe = np.flatnonzero(crs & (astct == 3))
    k = _share(len(severe), 1, 2)
    down = _pick(rng, severe, k)
    up = _pick(rng, np.flatnonzero(crs & (astct == 2)), k)
    grade = ae["grade"].to_numpy(float)
    grade[down], grade[up] = 2.0, 3.0
    grade[ae["decod"].eq(ICANS_DECOD).to_numpy()] = np.nan
    ae["grade"] = grade
    ae["serious"] = ae["serious"].to_numpy(bool) | (crs & (grade >= 3))
    return ae


# Lymphodepletion-period events (fludarabine + cyclophosphamide, days -5 to -1): patients out
# of 14, and (AETERM = AEDECOD, SOC, weight). Not treatment-emergent for the CAR-T cells.
LD_AE_OF14 = 5
LD_AES = (
    ("Nausea", "Gastrointestinal disorders", 3),
    ("Vomiting", "Gastrointestinal disorders", 1),
    ("Fatigue", "General disorders and administration site conditions", 2),
)
LD_AE_DURATION = (1, 4)


def _lymphodepletion_events(rng: np.random.Generator, pt: Patients,
                            ae: pd.DataFrame) -> pd.DataFrame:
    """Add grade 1-2 events of the lymphodepletion period (onset day -5 to -2, before the
    infusion) for ``round(5 n / 14)`` infused patients, with TRTEMFL 'N' (not
    treatment-emergent for the CAR-T cells), not related, not serious. Adds the ``emergent``
    column (True for every earlier event) and restores the event order."""
    inf = np.flatnonzero(pt["infused"])
    pids = _pick(rng, inf, _share(len(inf), LD_AE_OF14, PROFILE_N))
    k = len(pids)
    weights = np.array([w for *_, w in LD_AES], dtype=float)
    which = rng.choice(len(LD_AES), size=k, p=weights / weights.sum())
    start = rng.integers(LD_START_DAY, -1, size=k).astype(float)
    duration = rng.integers(LD_AE_DURATION[0], LD_AE_DURATION[1] + 1, size=k)
    terms = np.array([LD_AES[i][0] for i in which], dtype=object)
    ld = pd.DataFrame({
        "pid": pids, "aeterm": terms, "decod": terms,
        "soc": np.array([LD_AES[i][1] for i in which], dtype=object),
        "grade": rng.integers(1, 3, size=k).astype(float), "astct": np.nan,
        "start": start, "end": np.minimum(start + duration, pt["last_day"][pids]),
        "serious": False, "related": False, "dlt": False, "toci": False, "ster": False,
        "emergent": False,
    })
    out = pd.concat([ae.assign(emergent=True), ld], ignore_index=True)
    return out.sort_values(["pid", "start", "decod", "grade"], kind="mergesort",
                           ignore_index=True)


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
        "TRTEMFL": _flag(ae["emergent"].to_numpy(bool)),
        "AEDLTFL": _flag(ae["dlt"].to_numpy(bool)),
        "TOCIFL": _flag(ae["toci"].to_numpy(bool)),
        "STERFL": _flag(ae["ster"].to_numpy(bool)),
    })
