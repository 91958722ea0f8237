"""ADRS: overall response per visit (OVR) and best overall response (BOR)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from trialdash.synthetic._common import (
    BOR_WINDOW_DAYS,
    CRIT_LUGANO,
    CRIT_T_ALL,
    RESPONSE_RANK,
    RESPONSES,
    RS_SCHEDULE,
    RS_VISIT_JITTER,
    STUDY_ID,
    Patients,
    _adam_day,
    _dates,
    _flag,
    _frame,
    _visit_label,
)

# --------------------------------------------------------------------------------------------
# ADRS
# --------------------------------------------------------------------------------------------



PARAM_NAMES = {
    "OVR": "Overall response by investigator",
    "BOR": "Best overall response (within 3 months)",
    "BMRESP": "Bone-marrow response",
    "EMRESP": "Extramedullary response",
}


def _with_site_responses(pt: Patients, pid: np.ndarray, param: np.ndarray, avalc: np.ndarray,
                         visit: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, ...]:
    """Add bone-marrow (BMRESP) and extramedullary (EMRESP) responses at every OVR visit.

    Shaped on the profile: bone-marrow CR in every patient with marrow disease (baseline
    blasts > 0) while a response lasts, so a partial or stable overall response comes from
    extramedullary disease; CRi overall is CRi in the marrow. A relapse after a response is
    a marrow relapse (PD); a non-responder's progression is extramedullary when the patient
    has extramedullary disease, else in the marrow. Extramedullary response (patients with
    extramedullary disease only) follows the overall response, CRi counting as CR.
    Rows are appended after each patient's OVR and BOR rows.
    """
    ovr = np.flatnonzero(param == "OVR")
    o_pid, o_avalc = pid[ovr], avalc[ovr]
    responder, emd = pt["responder"][o_pid], pt["emd"][o_pid]
    marrow = pt["blasts"][o_pid] > 0
    marrow_pd = responder | ~emd
    bm = np.select([o_avalc == "PD", o_avalc == "CRi"],
                   [np.where(marrow_pd, "PD", "CR"), "CRi"], "CR").astype(object)
    em = np.where(np.isin(o_avalc, ("CR", "CRi")), "CR", o_avalc).astype(object)
    bm_rows, em_rows = ovr[marrow], ovr[emd]
    pid = np.concatenate([pid, pid[bm_rows], pid[em_rows]])
    param = np.concatenate([param, np.full(len(bm_rows), "BMRESP", dtype=object),
                            np.full(len(em_rows), "EMRESP", dtype=object)])
    avalc = np.concatenate([avalc, bm[marrow], em[emd]])
    visit = np.concatenate([visit, visit[bm_rows], visit[em_rows]])
    day = np.concatenate([day, day[bm_rows], day[em_rows]])
    order = np.argsort(pid, kind="stable")
    return pid[order], param[order], avalc[order], visit[order], day[order]


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

    pid, param, avalc, visit, day = _with_site_responses(
        pt, np.asarray(rows["pid"], dtype=int), np.asarray(rows["param"], dtype=object),
        np.asarray(rows["avalc"], dtype=object), np.asarray(rows["visit"], dtype=object),
        np.asarray(rows["day"], dtype=float))
    subtype = pt["subtype"][pid]
    t_all = subtype == "T-ALL"
    assessed = (param == "OVR") & t_all
    mrd = np.where(np.isin(avalc, ("CR", "CRi")) & pt["mrd_negative"][pid], "NEGATIVE",
                   "POSITIVE").astype(object)
    return _frame("adrs", {
        "STUDYID": STUDY_ID,
        "USUBJID": pt["usubjid"][pid],
        "PARAMCD": param,
        "PARAM": np.array([PARAM_NAMES[c] for c in param], dtype=object),
        "AVALC": avalc,
        "AVISIT": np.where(param == "BOR", "Best overall response", visit).astype(object),
        "ADT": _dates(pt["trt"][pid], day),
        "ADY": _adam_day(day),
        "CRIT": np.where(t_all, CRIT_T_ALL, CRIT_LUGANO).astype(object),
        "MRDSTAT": np.where(assessed, mrd, None),
        "EXTMDFL": np.where(param == "OVR", _flag(pt["emd"][pid]), None),
    })
