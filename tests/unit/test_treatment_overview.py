"""Treatment received and baseline disease (trialdash/analysis/treatment_overview.py).

Hand-made infused patients (dose group, TRT01AN, CELLINF, BRIDGFL, PRIREFFL, EMDBLFL, CNSBLFL):
A low  0.25 15   Y  Y  Y  N
B low  0.25 20   N  N  Y  blank
C high 1.0  60   Y  Y  N  N
D high 0.9  blank Y blank Y Y
Hand count overall: dose median 0.575 (0.25–1.0); cells median 20 (15–60); bridging 3/4;
primary refractory 2/3 recorded, relapsed 1/3; EMD 3/4; CNS 1/3 recorded.
"""

from __future__ import annotations

import pandas as pd
from fake_trial import fake_trial

from trialdash.analysis import treatment_overview as to


def _subjects(with_new_flags: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame({
        "USUBJID": list("ABCD"), "infused": "Y",
        "dose_group": ["low", "low", "high", "high"], "dose_order": [1, 1, 2, 2],
        "TRT01AN": [0.25, 0.25, 1.0, 0.9], "CELLINF": [15.0, 20.0, 60.0, None],
    })
    if with_new_flags:
        frame["BRIDGFL"] = ["Y", "N", "Y", "Y"]
        frame["PRIREFFL"] = ["Y", "N", "Y", None]
        frame["EMDBLFL"] = ["Y", "Y", "N", "Y"]
        frame["CNSBLFL"] = ["N", "", "N", "Y"]
    return frame


def test_counts_by_hand():
    table = to.treatment_and_disease(fake_trial(_subjects(), pd.DataFrame()).cohort())
    overall = table.set_index("Characteristic")[to.OVERALL]
    assert overall["Actual dose, x10^6 CAR-T cells/kg: median (range)"] == "0.57 (0.25–1.00)"
    assert overall["CAR-T cells infused, x10^6: median (range)"] == "20 (15–60)"
    assert overall["Bridging therapy before lymphodepletion"] == "3/4 (75%)"
    assert overall["Primary refractory"] == "2/3 (67%)"
    assert overall["Relapsed (not primary refractory)"] == "1/3 (33%)"
    assert overall["Extramedullary disease at baseline"] == "3/4 (75%)"
    assert overall["CNS involvement at baseline"] == "1/3 (33%)"
    assert list(table.columns) == ["Characteristic", "low", "high", to.OVERALL]
    assert table.set_index("Characteristic").loc["Primary refractory", "high"] == "1/1 (100%)"


def test_absent_flags_say_not_in_the_data():
    """As on main today: ADSL without BRIDGFL, PRIREFFL, EMDBLFL, CNSBLFL."""
    table = to.treatment_and_disease(fake_trial(_subjects(False), pd.DataFrame()).cohort())
    overall = table.set_index("Characteristic")[to.OVERALL]
    assert (overall.iloc[2:] == to.NOT_IN_DATA).all()
    assert overall.iloc[0] == "0.57 (0.25–1.00)"
