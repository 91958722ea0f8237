"""ADSL and the patients behind every data set: enrollment, baseline, outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialdash.synthetic._common import (
    _NAT,
    AGE_LYMPHOBLASTIC,
    AGE_LYMPHOMA,
    BLOCKS,
    BOR_OF_GROUP,
    CALENDAR_JITTER_DAYS,
    COMPLETION_JITTER,
    CONSENT_TO_INFUSION_DAYS,
    CUTOFF,
    DEATH_AFTER_PD,
    DLT_WINDOW_DAYS,
    DOSE_LABELS,
    EARLY_PARTIAL_P,
    ECOG_P,
    FIRST_INFUSION,
    HSCT_DAY,
    HSCT_OF14,
    LAST_CONTACT_LAG,
    LAST_INFUSION,
    LD_START_DAY,
    LYMPHOBLASTIC,
    MALE_OF14,
    MIN_RELAPSE_DAY,
    MIN_SURVIVAL_AFTER_PD,
    MRD_NEGATIVE_P,
    NINF_DCSREAS,
    NINF_PROGRESSION,
    NINF_REASONS,
    NOT_INFUSED_OF_14,
    NRM_DAY_AFTER_HSCT,
    NRM_HSCT,
    PRIOR_HSCT_OF14,
    PRIOR_LINES_P,
    PROFILE_N,
    RACE,
    RELAPSE_AFTER_HSCT,
    RELAPSE_DAY_NO_HSCT,
    RELAPSE_HSCT,
    RELAPSE_NO_HSCT,
    RESPONSES,
    RS_SCHEDULE,
    SD_PROGRESSION_DAY,
    SITE_ID,
    SITE_NAME,
    STUDY_DAYS,
    STUDY_ID,
    SUBTYPES_OF14,
    SURVIVAL_AFTER_PD,
    T_ALL_BLASTS,
    T_ALL_EMD_P,
    T_LBL_MARROW_P,
    WEIGHT_KG,
    WEIGHT_RANGE,
    WITHDRAWAL,
    WITHDRAWAL_DAY,
    WITHDRAWAL_REASONS,
    Patients,
    _allocate,
    _dates,
    _days,
    _event_days,
    _flag,
    _frame,
    _lognormal,
    _pick,
    _pick_preferring,
    _quota_labels,
    _share,
    _stratified,
    _uniform,
)

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


# Disease history and causes of death (drawn from a second random stream so that adding them
# changed none of the other data).
BRIDGING_OF14 = 9
CNS_OF14 = 2  # CNS involvement at baseline, lymphoblastic patients first
CD7_NEGATIVE_RELAPSE = (1, 2)  # a third to two thirds of relapses are CD7-negative
NRM_CAUSES = ("INFECTION", "GVHD")
DEATH_BY_PROGRESSION = "DISEASE PROGRESSION"


def _history(rng: np.random.Generator, pt: Patients) -> None:
    """Bridging, primary refractory, CNS disease, CD7 status of relapses, causes of death.

    * Primary refractory (PRIREFFL) is the complement of prior allo-HSCT: the profile's
      5 relapsed after allo-HSCT and 9 primary refractory.
    * Extramedullary disease at baseline (EMDBLFL) is the disease that ADRS follows
      (``EXTMDFL``).
    * CD7-negative relapse: ``round(n / 2)`` of the relapses (progression after a response).
    * Cause of death: disease progression when the patient progressed first, otherwise a
      non-relapse death after allo-HSCT (infection or GVHD, alternating in random order).

    Adds ``bridging``, ``cns``, ``relapse_cd7`` and ``death_cause`` to ``pt``.
    """
    n = pt["n"]
    lymphoblastic = np.isin(pt["subtype"], LYMPHOBLASTIC)
    bridging = np.zeros(n, bool)
    cns = np.zeros(n, bool)
    for group in (pt["infused"], ~pt["infused"]):
        idx = np.flatnonzero(group)
        bridging[_pick(rng, idx, _share(len(idx), BRIDGING_OF14, PROFILE_N))] = True
        k = _share(len(idx), CNS_OF14, PROFILE_N)
        cns[_pick_preferring(rng, idx[lymphoblastic[idx]], idx, k)] = True
    relapsed = np.flatnonzero(pt["responder"] & ~np.isnan(pt["pd_day"]))
    negative = _pick(rng, relapsed, _share(len(relapsed), *CD7_NEGATIVE_RELAPSE))
    relapse_cd7 = np.full(n, None, dtype=object)
    relapse_cd7[relapsed] = "POSITIVE"
    relapse_cd7[negative] = "NEGATIVE"
    dead = ~np.isnan(pt["death_day"])
    progressed_first = dead & (pt["pd_day"] <= pt["death_day"])
    cause = np.full(n, None, dtype=object)
    cause[progressed_first] = DEATH_BY_PROGRESSION
    nrm = np.flatnonzero(dead & ~progressed_first)
    cause[nrm] = _quota_labels(rng, len(nrm), NRM_CAUSES, (1, 1))
    pt.update(bridging=bridging, cns=cns, relapse_cd7=relapse_cd7, death_cause=cause)


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
        "SITENAM": SITE_NAME,
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
        "BRIDGFL": _flag(pt["bridging"]),
        "PRIREFFL": _flag(~pt["prior_hsct"]),
        "EMDBLFL": _flag(pt["emd"]),
        "CNSBLFL": _flag(pt["cns"]),
        "RELCD7": pt["relapse_cd7"],
        "CELLINF": np.where(infused, np.round(dose * pt["weight"], 2), np.nan),
        "HSCTDT": _dates(trt, pt["hsct_day"]),
        "PDDT": _dates(trt, pt["pd_day"]),
        "DTHFL": _flag(dead),
        "DTHDT": _dates(trt, pt["death_day"]),
        "DTHCAUS": pt["death_cause"],
        "LSTALVDT": last,
        "EOSSTT": pt["eos"],
        "DCSREAS": pt["dcsreas"],
        "DCUTDT": np.datetime64(CUTOFF),
    })
