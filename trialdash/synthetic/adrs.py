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
