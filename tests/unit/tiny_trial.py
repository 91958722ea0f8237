"""A tiny hand-written trial (4 subjects) whose every expected number is countable by eye.

Subjects (infusion day 0 = TRTSDT):
- S1: 0.25 dose, T-ALL, infused 2023-01-10, CRS grade 2 on day 2 and grade 1 CRS again day 20,
  neutropenia grade 4 day 3; BOR CR; alive.
- S2: 1.0 dose, AITL, infused 2023-03-01, ICANS grade 1 day 5, lung infection grade 3 day 40;
  BOR PD (progression 2023-04-01); dead 2023-05-01.
- S3: 1.0 dose, T-LBL, enrolled, not infused (manufacturing failure).
- S4: screen failure: no dose group.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from trialdash.derive import derive_all
from trialdash.snapshot import SnapshotMeta, write_snapshot

D = pd.Timestamp


def tiny_datasets() -> dict[str, pd.DataFrame]:
    adsl = pd.DataFrame({
        "STUDYID": ["TINY"] * 4,
        "USUBJID": ["S1", "S2", "S3", "S4"],
        "SUBJID": ["1", "2", "3", "4"],
        "AGE": [20, 60, 30, 40],
        "SEX": ["M", "F", "M", "M"],
        "DISTYPE": ["T-ALL", "AITL", "T-LBL", None],
        "TRT01P": ["0.25 x10^6 cells/kg", "1.0 x10^6 cells/kg", "1.0 x10^6 cells/kg", None],
        "TRT01PN": [0.25, 1.0, 1.0, None],
        "TRT01A": ["0.25 x10^6 cells/kg", "1.0 x10^6 cells/kg", None, None],
        "TRT01AN": [0.25, 1.0, None, None],
        "RFICDT": [D("2022-12-20"), D("2023-02-10"), D("2023-02-15"), D("2023-02-20")],
        "LDSTDT": [D("2023-01-05"), D("2023-02-24"), pd.NaT, pd.NaT],
        "TRTSDT": [D("2023-01-10"), D("2023-03-01"), pd.NaT, pd.NaT],
        "SAFFL": ["Y", "Y", "N", "N"],
        "EFFFL": ["Y", "Y", "N", "N"],
        "DLTEVLFL": ["Y", "Y", "N", "N"],
        "DLTFL": ["N", "N", "N", "N"],
        "NINFRSN": [None, None, "Manufacturing failure", None],
        "PDDT": [pd.NaT, D("2023-04-01"), pd.NaT, pd.NaT],
        "DTHFL": ["N", "Y", "N", "N"],
        "DTHDT": [pd.NaT, D("2023-05-01"), pd.NaT, pd.NaT],
        "LSTALVDT": [D("2023-12-31"), D("2023-05-01"), D("2023-03-01"), D("2023-02-20")],
        "DCUTDT": [D("2024-01-31")] * 4,
    })
    adae = pd.DataFrame({
        "USUBJID": ["S1", "S1", "S1", "S2", "S2"],
        "AESEQ": [1, 2, 3, 1, 2],
        "AEDECOD": ["Cytokine release syndrome", "Neutrophil count decreased",
                    "Cytokine release syndrome",
                    "Immune effector cell-associated neurotoxicity syndrome", "Lung infection"],
        "AEBODSYS": ["Immune system disorders", "Investigations", "Immune system disorders",
                     "Nervous system disorders", "Infections and infestations"],
        "AETOXGR": [2, 4, 1, 1, 3],
        "ASTCTGR": [2, None, 1, 1, None],
        "ASTDT": [D("2023-01-12"), D("2023-01-13"), D("2023-01-30"), D("2023-03-06"),
                  D("2023-04-10")],
        "AENDT": [D("2023-01-16"), D("2023-01-25"), D("2023-02-01"), D("2023-03-08"), pd.NaT],
        "TRTEMFL": ["Y"] * 5,
        "TOCIFL": ["Y", "N", "N", "N", "N"],
        "STERFL": ["N", "N", "N", "N", "N"],
    })
    adrs = pd.DataFrame({
        "USUBJID": ["S1", "S1", "S2", "S2"],
        "PARAMCD": ["OVR", "BOR", "OVR", "BOR"],
        "AVALC": ["CR", "CR", "PD", "PD"],
        "ADT": [D("2023-02-07"), D("2023-02-07"), D("2023-04-01"), D("2023-04-01")],
        "CRIT": ["NCCN/ELN (T-ALL)", "NCCN/ELN (T-ALL)", "Lugano 2014", "Lugano 2014"],
    })
    adtte = pd.DataFrame({
        "USUBJID": ["S1", "S1", "S2", "S2"],
        "PARAMCD": ["OS", "PFS", "OS", "PFS"],
        "AVAL": [355.0, 355.0, 61.0, 31.0],
        "CNSR": [1, 1, 0, 0],
        "STARTDT": [D("2023-01-10"), D("2023-01-10"), D("2023-03-01"), D("2023-03-01")],
        "ADT": [D("2023-12-31"), D("2023-12-31"), D("2023-05-01"), D("2023-04-01")],
    })
    adpc = pd.DataFrame({
        "USUBJID": ["S1"] * 3,
        "PARAMCD": ["TRANSGEN"] * 3,
        "AVAL": [None, 10000.0, 200.0],
        "NFRLT": [0.0, 14.0, 28.0],
        "AFRLT": [0.0, 13.0, 28.0],
        "LLOQ": [50.0] * 3,
        "BLQFL": ["Y", "N", "N"],
    })
    adlb = pd.DataFrame({
        "USUBJID": ["S1", "S1"],
        "PARAMCD": ["CD7LYMPH", "CD7LYMPH"],
        "AVAL": [400.0, 3.0],
        "ADT": [D("2023-01-05"), D("2023-01-20")],
    })
    return {"adsl": adsl, "adae": adae, "adrs": adrs, "adtte": adtte, "adpc": adpc,
            "adlb": adlb}


def tiny_findings() -> pd.DataFrame:
    """Four findings: one each about S1 and S2, one about a subject absent from ADSL (S9),
    and a study-level one (no subject)."""
    return pd.DataFrame({
        "dataset": ["adae", "adsl", "adrs", "adsl"],
        "file": ["adae.xpt", "adsl.xpt", "adrs.xpt", "adsl.xpt"],
        "row": [2, 2, 5, None],
        "column": ["ASTDT", "LSTALVDT", "USUBJID", None],
        "usubjid": ["S1", "S2", "S9", None],
        "value": ["1977-03-01", "2023-02-25", "S9", None],
        "rule": ["date_before_1980", "alive_before_treatment", "subject_not_in_adsl",
                 "no_cutoff_date"],
        "message": ["ASTDT 1977-03-01 is before 1980; kept.",
                    "LSTALVDT 2023-02-25 is before TRTSDT 2023-03-01; kept.",
                    "S9 is in ADRS but not in ADSL; its 1 row was left out.",
                    "ADSL has no DCUTDT; the latest date is taken as the cut-off."],
    })


def build_tiny(path, drop: tuple[str, ...] = ()):
    """Write the tiny trial (minus the data sets in ``drop``) as a snapshot at ``path``,
    with the :func:`tiny_findings`."""
    datasets = {k: v for k, v in tiny_datasets().items() if k not in drop}
    meta = SnapshotMeta("TINY", "Tiny test trial", None, date(2024, 1, 31), "adam",
                        "hand-written fixture", [], None, "TRT01A", "DISTYPE")
    return write_snapshot({**derive_all(datasets), "findings": tiny_findings()}, meta, path)
