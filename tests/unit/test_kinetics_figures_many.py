"""Kinetics curves of many patients: one WebGL trace per dose group, lines broken between patients.

Fixture: 60 patients (above the 50-patient threshold), 40 in the low and 20 in the high dose
group, each sampled on days 0 (BLQ), 7 (1,000 copies/µg) and 14 (2,000 copies/µg).
"""

from __future__ import annotations

import math

import pandas as pd

from trialdash.figures import kinetics as fig_kin
from trialdash.style import dose_colour_map

LOW, HIGH = "0.25 x10^6 cells/kg", "1.0 x10^6 cells/kg"
GROUPS = [LOW, "0.5 x10^6 cells/kg", HIGH]


def _profiles() -> pd.DataFrame:
    rows = []
    for i in range(60):
        group, order = (LOW, 1) if i < 40 else (HIGH, 3)
        rows += [(f"S{i:02d}", group, order, 0.0, None, True),
                 (f"S{i:02d}", group, order, 7.0, 1000.0, False),
                 (f"S{i:02d}", group, order, 14.0, 2000.0, False)]
    frame = pd.DataFrame(rows, columns=["USUBJID", "dose_group", "dose_order", "day", "AVAL",
                                        "blq"])
    frame["AVAL"] = frame["AVAL"].astype(float)
    frame["LLOQ"] = 50.0
    frame["plotted_value"] = frame["AVAL"].where(~frame["blq"], frame["LLOQ"])
    return frame


def test_one_trace_per_dose_group_with_a_break_after_each_patient():
    """60 patients > 50: 2 WebGL line traces (low, high), in the group colours; the low trace
    holds 40 x 3 samples and 39 breaks (no line joins two patients), the high one 20 x 3 + 19."""
    assert fig_kin.ONE_TRACE_PER_GROUP_ABOVE == 50
    labels = {f"S{i:02d}": f"P{i:02d}" for i in range(60)}
    fig = fig_kin.expansion_curves(_profiles(), GROUPS, labels)
    lines = [t for t in fig.data if t.customdata is not None and t.mode == "lines+markers"]
    assert [t.legendgroup for t in lines] == [LOW, HIGH]
    assert {t.type for t in lines} == {"scattergl"}
    colours = dose_colour_map(GROUPS)
    assert all(t.line.color == colours[t.legendgroup] for t in lines)
    low = lines[0]
    assert len(low.x) == 40 * 3 + 39
    assert sum(1 for v in low.y if v is None or math.isnan(v)) == 39
    assert list(low.y[:4])[:3] == [50.0, 1000.0, 2000.0]
    assert low.y[3] is None or math.isnan(low.y[3])  # the break after the first patient
    assert len(lines[1].x) == 20 * 3 + 19
    hover = [row for row in low.customdata if row[0] is not None]
    assert hover[0][0] == "P00" and hover[0][2] == "BLQ (<50 copies/µg)"
    assert hover[-1][0] == "P39" and hover[-1][2] == "2,000 copies/µg"
    # BLQ samples open, quantified ones filled (Plotly also accepts 100 / 0 for these).
    assert [{100: "circle-open", 0: "circle"}.get(s, s) for s in low.marker.symbol[:3]] == [
        "circle-open", "circle", "circle"]
