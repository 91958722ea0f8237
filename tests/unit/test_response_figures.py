"""Response figures built from small hand-made frames: traces, axes, colours, labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trialdash.analysis.response import ORR_DEFINITION
from trialdash.figures import response as fig_rsp
from trialdash.style import RESPONSE_COLOURS, dose_colour_map

DOSES = ["0.25 x10^6 cells/kg", "0.5 x10^6 cells/kg", "1.0 x10^6 cells/kg"]
LABELS = {"S-1": "P01", "S-2": "P02", "S-3": "P03"}


@pytest.fixture
def lanes() -> pd.DataFrame:
    """Three lanes: S-3 (1.0, CR ongoing to day 300), S-1 (0.25, PR 28 -> relapse 90, dead 120),
    S-2 (0.25, never responds, to day 60)."""
    return pd.DataFrame({
        "USUBJID": ["S-3", "S-1", "S-2"],
        "dose_group": [DOSES[2], DOSES[0], DOSES[0]],
        "dose_order": [3, 1, 1],
        "subtype": ["T-ALL", "AITL", "ALCL"],
        "end_day": [300.0, 120.0, 60.0],
        "status": ["Alive in follow-up", "Dead", "Alive in follow-up"],
        "bor": ["CR", "PR", "SD"],
        "responder": [True, True, False],
        "response_start": [28.0, 28.0, np.nan],
        "response_end": [300.0, 90.0, np.nan],
        "response_days": [272.0, 62.0, np.nan],
        "ongoing_response": [True, False, False],
        "hsct_day": [70.0, np.nan, np.nan],
        "pd_day": [np.nan, 90.0, np.nan],
        "death_day": [np.nan, 120.0, np.nan],
    })


@pytest.fixture
def events() -> pd.DataFrame:
    return pd.DataFrame({
        "USUBJID": ["S-3", "S-3", "S-1", "S-1", "S-1"],
        "day": [28.0, 70.0, 28.0, 90.0, 120.0],
        "kind": ["CR", "allo-HSCT", "PR", "Progression/relapse", "Death"],
    })


def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_swimmer_traces_and_lane_order(lanes, events):
    """2 dose groups present + response line + 5 event kinds + ongoing arrow = 9 traces; the first
    lane is drawn at the top (category array reversed)."""
    fig = fig_rsp.swimmer(lanes, events, "dose_group", dose_colour_map(DOSES), LABELS)
    names = [t.name for t in fig.data]
    assert names == [DOSES[0], DOSES[2], fig_rsp.RESPONSE_NAME,
                     "CR (onset)", "PR (onset)", "Progression/relapse", "allo-HSCT", "Death",
                     fig_rsp.ONGOING]
    assert list(fig.layout.yaxis.categoryarray) == ["P02", "P01", "P03"]
    assert fig.layout.xaxis.title.text == "Days since infusion"


def test_swimmer_bars_carry_labels_and_dose_colours(lanes, events):
    """Each lane bar's customdata is its label (never the USUBJID, which would reach the
    browser); its colour is the dose group's fixed colour."""
    colours = dose_colour_map(DOSES)
    fig = fig_rsp.swimmer(lanes, events, "dose_group", colours, LABELS)
    low = _trace(fig, DOSES[0])
    assert list(low.customdata) == ["P01", "P02"]
    assert list(low.y) == ["P01", "P02"]
    assert list(low.x) == [120.0, 60.0]
    assert colours[DOSES[0]] == "#0072B2" and low.marker.line.color == "#0072B2"
    assert low.marker.color == "rgba(0,114,178,0.55)"
    for trace in fig.data:
        shown = [c for c in trace.customdata if c is not None]
        assert shown and set(shown) <= set(LABELS.values())
    assert "S-" not in fig.to_json()


def test_swimmer_hover_uses_labels_not_ids(lanes, events):
    """Presentation labels (P01...) appear in hover text; USUBJIDs never do."""
    fig = fig_rsp.swimmer(lanes, events, "dose_group", dose_colour_map(DOSES), LABELS)
    hover = " ".join(h for t in fig.data for h in (t.hovertext or ()) if h)
    assert "P01" in hover and "P03" in hover
    assert "S-1" not in hover and "S-3" not in hover
    assert "Best response: CR (response ongoing)" in hover


def test_swimmer_markers(lanes, events):
    """Marker symbols per the brief: progression red X, HSCT diamond, death black square,
    ongoing arrow at the lane end (beyond day 300)."""
    fig = fig_rsp.swimmer(lanes, events, "dose_group", dose_colour_map(DOSES), LABELS)
    assert _trace(fig, "Progression/relapse").marker.symbol == "x"
    assert _trace(fig, "Progression/relapse").marker.color == "#d7191c"
    assert _trace(fig, "allo-HSCT").marker.symbol == "diamond"
    assert _trace(fig, "Death").marker.symbol == "square"
    assert _trace(fig, "Death").marker.color == "#000000"
    ongoing = _trace(fig, fig_rsp.ONGOING)
    assert ongoing.marker.symbol == "triangle-right"
    assert list(ongoing.y) == ["P03"] and ongoing.x[0] > 300
    symbols = {_trace(fig, n).marker.symbol for n in ("CR (onset)", "PR (onset)")}
    assert len(symbols) == 2


def test_swimmer_months_and_subtype_colours(lanes, events):
    """unit='months' divides days by 30.4375; colour_by='subtype' gives one bar per subtype."""
    colours = {"T-ALL": "#1b9e77", "AITL": "#e7298a", "ALCL": "#66a61e"}
    fig = fig_rsp.swimmer(lanes, events, "subtype", colours, LABELS, unit="months")
    assert fig.layout.xaxis.title.text == "Months since infusion"
    assert _trace(fig, "T-ALL").x[0] == pytest.approx(300 / 30.4375)
    assert _trace(fig, "Death").x[0] == pytest.approx(120 / 30.4375)
    assert [t.name for t in fig.data[:3]] == ["T-ALL", "AITL", "ALCL"]


def test_swimmer_rejects_unknown_options_and_handles_empty(lanes, events):
    with pytest.raises(ValueError):
        fig_rsp.swimmer(lanes, events, "age")
    with pytest.raises(ValueError):
        fig_rsp.swimmer(lanes, events, unit="weeks")
    empty = fig_rsp.swimmer(lanes.iloc[0:0], events.iloc[0:0])
    assert len(empty.data) == 0 and empty.layout.annotations


def _orr_rows() -> pd.DataFrame:
    """Two groups + Overall; rates and CIs written by hand (CR 1/2: 0.0126-0.9874)."""
    return pd.DataFrame({
        "group": [DOSES[0], DOSES[2], "Overall"], "n": [2, 0, 2], "responders": [1, 0, 1],
        "orr": [0.5, np.nan, 0.5], "orr_lower": [0.0126, np.nan, 0.0126],
        "orr_upper": [0.9874, np.nan, 0.9874], "cr": [1, 0, 1], "cr_rate": [0.5, np.nan, 0.5],
        "cr_lower": [0.0126, np.nan, 0.0126], "cr_upper": [0.9874, np.nan, 0.9874],
        "orr_display": ["1/2 (50%) [1–99]", "0/0 (NA)", "1/2 (50%) [1–99]"],
        "cr_display": ["1/2 (50%) [1–99]", "0/0 (NA)", "1/2 (50%) [1–99]"],
    })


def test_orr_forest_points_whiskers_and_labels():
    """Two traces (ORR, CR rate) in percent with asymmetric whiskers; ticks carry n/N; the
    title states the definition; x runs over 0-100 %."""
    fig = fig_rsp.orr_forest(_orr_rows(), definition=ORR_DEFINITION)
    assert [t.name for t in fig.data] == ["ORR", "CR rate"]
    orr = fig.data[0]
    assert orr.x[0] == pytest.approx(50) and np.isnan(orr.x[1])
    assert orr.error_x.array[0] == pytest.approx(48.74)
    assert orr.error_x.arrayminus[0] == pytest.approx(48.74)
    assert list(fig.layout.yaxis.ticktext) == [
        f"<b>{DOSES[0]}</b><br>ORR 1/2 · CR 1/2", f"<b>{DOSES[2]}</b><br>ORR 0/0 · CR 0/0",
        "<b>Overall</b><br>ORR 1/2 · CR 1/2"]
    assert ORR_DEFINITION in fig.layout.title.text
    assert fig.layout.xaxis.range == (-2, 102)
    assert "%" in fig.layout.xaxis.title.text
    assert fig.layout.yaxis.title.text == "Dose group (CAR-T cells/kg)"


def test_bor_bar_colours_and_stacking():
    """Only categories with patients get a trace, coloured by RESPONSE_COLOURS; bars stack."""
    counts = pd.DataFrame({"group": [DOSES[0]] * 3 + [DOSES[1]] * 3,
                           "BOR": ["CR", "PR", "PD"] * 2, "n": [2, 0, 1, 1, 0, 0]})
    fig = fig_rsp.bor_by_group_bar(counts, "dose_group", group_order=DOSES)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == ["CR", "PD"]
    assert [t.marker.color for t in bars] == [RESPONSE_COLOURS["CR"], RESPONSE_COLOURS["PD"]]
    assert fig.layout.barmode == "stack"
    assert list(fig.layout.xaxis.categoryarray) == DOSES
    assert fig.layout.yaxis.title.text == "Evaluable patients (n)"


def test_selected_patient_from_customdata_or_label():
    """A clicked point maps to its USUBJID via customdata, else via its y label; no point or an
    unknown label gives None."""
    assert fig_rsp.selected_patient([{"customdata": "S-2", "y": "P02"}], LABELS) == "S-2"
    assert fig_rsp.selected_patient([{"customdata": ["S-3"]}], LABELS) == "S-3"
    assert fig_rsp.selected_patient([{"y": "P01"}], LABELS) == "S-1"
    assert fig_rsp.selected_patient([{"customdata": "P03"}], LABELS) == "S-3"
    assert fig_rsp.selected_patient([{"customdata": "S-9' OR 1=1"}], LABELS) is None
    assert fig_rsp.selected_patient([{"y": "P99"}], LABELS) is None
    assert fig_rsp.selected_patient([], LABELS) is None


def test_swimmer_draws_lanes_without_a_colour_value(lanes, events):
    """A lane whose subtype is missing is still drawn, in a grey 'Unknown' bar."""
    lanes.loc[lanes["USUBJID"] == "S-2", "subtype"] = None
    fig = fig_rsp.swimmer(lanes, events, "subtype", {"T-ALL": "#1b9e77", "AITL": "#e7298a"},
                          LABELS)
    unknown = _trace(fig, "Unknown")
    assert list(unknown.customdata) == ["P02"]
    assert unknown.marker.line.color == fig_rsp.MISSING_COLOUR


def test_transplant_and_relapse_markers_sit_below_the_onset_markers(lanes, events):
    """CR onset and allo-HSCT a few days apart overlapped in a lane (seen at 1280x720): the
    onset markers stay on the lane's centre (y), progression, HSCT and death are drawn on an
    overlaid copy of the lane axis (y2) whose range is shifted by 0.3 lane, so they sit 0.3
    lane lower on the same patient."""
    fig = fig_rsp.swimmer(lanes, events, "dose_group", dose_colour_map(DOSES), LABELS)
    assert _trace(fig, "CR (onset)").yaxis == "y"
    for name in ("allo-HSCT", "Progression/relapse", "Death"):
        assert _trace(fig, name).yaxis == "y2"
    main, over = fig.layout.yaxis, fig.layout.yaxis2
    assert over.overlaying == "y" and list(over.categoryarray) == list(main.categoryarray)
    assert [b - a for a, b in zip(main.range, over.range, strict=True)] == pytest.approx(
        [0.3, 0.3])


def test_cd7_negative_relapse_is_named_in_the_hover(lanes, events):
    """S-1 relapsed at day 90 (fixture) with a CD7-negative relapse (ADSL RELCD7, hand-set):
    the progression marker's hover says so; without the status it does not."""
    flagged = fig_rsp.swimmer(lanes, events, "dose_group", dose_colour_map(DOSES), LABELS,
                              relapse_cd7={"S-1": "NEGATIVE"})
    hover = list(_trace(flagged, "Progression/relapse").hovertext)
    assert hover == ["<b>P01</b>: Progression/relapse (CD7-negative), day 90 (3.0 months)"]
    plain = fig_rsp.swimmer(lanes, events, "dose_group", dose_colour_map(DOSES), LABELS)
    assert "CD7" not in _trace(plain, "Progression/relapse").hovertext[0]
