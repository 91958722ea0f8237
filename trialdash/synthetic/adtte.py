"""ADTTE: OS, PFS and DOR, consistent with ADSL and ADRS."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialdash.synthetic._common import CUTOFF, STUDY_ID, Patients, _dates, _frame

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
