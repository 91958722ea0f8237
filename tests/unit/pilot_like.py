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


ONCOLOGY_STUDY = "ONCO01"


def write_oncology_like(folder: Path, criteria_text: str = "per RECIST 1.1",
                        grade_label: str = "Analysis Toxicity Grade (CTCAE v4.03)",
                        efffl: bool = False) -> Path:
    """A small placebo-controlled oncology study shaped like a public RECIST ADaM extract.

    16 ADSL rows: 01 a screen failure (ARM and TRT01P "Screen Failure", never treated);
    02-16 treated, arms cycling Placebo / Drug 10 mg / Drug 20 mg (TRT01AN 0, 10, 20), SEX
    alternating F/M (the subtype variable of the tests, label "Sex"), EFFFL blank unless
    ``efffl``. ADRS (PARAM naming ``criteria_text``; "" for none): OVR and BOR for 02-06
    only, BOR 02 CR, 03 PR, 04 NON-CR/NON-PD, 05 PD, 06 SD; 07-16 never assessed. ADAE:
    grades 1-3 for 02, AETOXGR labelled ``grade_label``. ADPC: two transgene samples of 02
    only, so 14 treated patients have none.
    """
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"{ONCOLOGY_STUDY}-{i:02d}" for i in range(1, 17)]
    arms_cycle = [("Placebo", 0.0), ("Drug 10 mg", 10.0), ("Drug 20 mg", 20.0)]
    arm = ["Screen Failure"] + [arms_cycle[i % 3][0] for i in range(15)]
    dose = [np.nan] + [arms_cycle[i % 3][1] for i in range(15)]
    start = [np.nan] + [_sas("2020-01-01") + 7 * i for i in range(15)]
    adsl = pd.DataFrame({
        "STUDYID": [ONCOLOGY_STUDY] * 16, "USUBJID": ids,
        "SUBJID": [i[-2:] for i in ids], "SITEID": ["01"] * 16,
        "AGE": [50.0 + i for i in range(16)], "SEX": ["F", "M"] * 8,
        "ARM": arm, "TRT01P": arm, "TRT01PN": dose,
        "TRT01A": [""] + arm[1:], "TRT01AN": dose, "TRTSDT": start,
        "SAFFL": ["N"] + ["Y"] * 15,
        "EFFFL": (["N"] + ["Y"] * 15) if efffl else [""] * 16,
        "LSTALVDT": [_sas("2019-12-20")] + [s + 200 for s in start[1:]],
    })
    pyreadstat.write_xport(adsl, str(folder / "adsl.xpt"), table_name="ADSL",
                           variable_format={"TRTSDT": "DATE9.", "LSTALVDT": "DATE9."},
                           column_labels=[{"SEX": "Sex", "ARM": "Description of Planned Arm"}
                                          .get(c) for c in adsl.columns],
                           file_format_version=5)
    adae = pd.DataFrame({
        "STUDYID": [ONCOLOGY_STUDY] * 3, "USUBJID": [ids[1]] * 3, "AESEQ": [1.0, 2.0, 3.0],
        "AEDECOD": ["NAUSEA", "FATIGUE", "ANAEMIA"], "AEBODSYS": ["GI", "GENERAL", "BLOOD"],
        "AETOXGR": [1.0, 2.0, 3.0], "TRTEMFL": ["Y"] * 3,
        "ASTDT": [start[1] + d for d in (2.0, 5.0, 9.0)],
    })
    pyreadstat.write_xport(adae, str(folder / "adae.xpt"), table_name="ADAE",
                           variable_format={"ASTDT": "DATE9."},
                           column_labels=[grade_label if c == "AETOXGR" else None
                                          for c in adae.columns], file_format_version=5)
    best = ["CR", "PR", "NON-CR/NON-PD", "PD", "SD"]
    suffix = f" {criteria_text}" if criteria_text else ""
    rows = [(ids[k + 1], code, f"{name}{suffix}", value, start[k + 1] + 56)
            for k, value in enumerate(best)
            for code, name in (("OVR", "Overall Response"), ("BOR", "Best Overall Response"))]
    adrs = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "PARAM", "AVALC", "ADT"])
    adrs.insert(0, "STUDYID", ONCOLOGY_STUDY)
    pyreadstat.write_xport(adrs, str(folder / "adrs.xpt"), table_name="ADRS",
                           variable_format={"ADT": "DATE9."}, file_format_version=5)
    adpc = pd.DataFrame({
        "STUDYID": [ONCOLOGY_STUDY] * 2, "USUBJID": [ids[1]] * 2,
        "PARAMCD": ["TRANSGEN"] * 2, "AVAL": [1000.0, 200.0], "NFRLT": [7.0, 28.0],
        "AFRLT": [7.0, 28.0], "LLOQ": [50.0] * 2, "BLQFL": ["N"] * 2,
    })
    pyreadstat.write_xport(adpc, str(folder / "adpc.xpt"), table_name="ADPC",
                           file_format_version=5)
    return folder
