"""A small study shaped like public CDISC pilot ADaM files (.xpt, SAS dates with DATE9.):
a placebo arm, doses in TRT01AN, no DISTYPE, no DCUTDT, AESEV only, ADTTE with a
study-specific PARAMCD (TTDE), and no ADRS/ADPC/ADLB."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat


def _sas(day: str) -> float:
    return float((pd.Timestamp(day) - pd.Timestamp("1960-01-01")).days)


def write_pilot_like(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    arms = ["Placebo", "Placebo", "Xanomeline High Dose", "Xanomeline Low Dose"]
    start = [_sas(d) for d in ("2014-01-02", "2012-08-05", "2013-07-19", "2014-03-18")]
    adsl = pd.DataFrame({
        "STUDYID": ["CDISCPILOT01"] * 4,
        "USUBJID": ["01-701-1015", "01-701-1023", "01-701-1028", "01-701-1033"],
        "SUBJID": ["1015", "1023", "1028", "1033"], "SITEID": ["701"] * 4,
        "AGE": [63.0, 64.0, 71.0, 74.0], "SEX": ["F", "M", "M", "M"], "RACE": ["WHITE"] * 4,
        "ARM": arms, "TRT01P": arms, "TRT01PN": [0.0, 0.0, 81.0, 54.0],
        "TRT01A": arms, "TRT01AN": [0.0, 0.0, 81.0, 54.0], "TRTSDT": start,
        "SAFFL": ["Y"] * 4, "ITTFL": ["Y"] * 4, "EFFFL": ["Y", "N", "Y", "Y"],
        "DTHFL": ["", "", "", ""], "AGEGR1": ["<65", "<65", ">80", "65-80"],
    })
    pyreadstat.write_xport(adsl, str(folder / "adsl.xpt"), table_name="ADSL",
                           variable_format={"TRTSDT": "DATE9."}, file_format_version=5)
    adae = pd.DataFrame({
        "STUDYID": ["CDISCPILOT01"] * 3,
        "USUBJID": ["01-701-1015", "01-701-1015", "01-701-1023"], "AESEQ": [1.0, 2.0, 1.0],
        "AETERM": ["APPLICATION SITE ERYTHEMA", "DIARRHOEA", "ERYTHEMA"],
        "AEDECOD": ["APPLICATION SITE ERYTHEMA", "DIARRHOEA", "ERYTHEMA"],
        "AEBODSYS": ["GENERAL DISORDERS", "GASTROINTESTINAL DISORDERS", "SKIN"],
        "AESEV": ["MILD", "MILD", "MODERATE"], "AESER": ["N"] * 3, "TRTEMFL": ["Y"] * 3,
        "ASTDT": [_sas("2014-01-03"), _sas("2014-01-09"), _sas("2012-08-07")],
        "AENDT": [np.nan, _sas("2014-01-11"), np.nan],
    })
    pyreadstat.write_xport(adae, str(folder / "adae.xpt"), table_name="ADAE",
                           variable_format={"ASTDT": "DATE9.", "AENDT": "DATE9."},
                           file_format_version=5)
    adtte = pd.DataFrame({
        "STUDYID": ["CDISCPILOT01"] * 4, "USUBJID": list(adsl["USUBJID"]),
        "PARAMCD": ["TTDE"] * 4, "PARAM": ["Time to First Dermatologic Event"] * 4,
        "AVAL": [2.0, 28.0, 180.0, 14.0], "CNSR": [0.0, 1.0, 1.0, 1.0],
        "STARTDT": start, "ADT": [s + a - 1 for s, a in zip(start, [2, 28, 180, 14],
                                                          strict=True)],
        "EVNTDESC": ["Dermatologic event", "", "", ""],
    })
    pyreadstat.write_xport(adtte, str(folder / "ADTTE.XPT"), table_name="ADTTE",
                           variable_format={"STARTDT": "DATE9.", "ADT": "DATE9."},
                           file_format_version=5)
    return folder
