"""Safety figures built from small hand-made frames shaped like the analysis outputs."""

from __future__ import annotations

import pandas as pd
import pytest

from trialdash.figures import safety as figs
from trialdash.style import GRADE_COLOURS, dose_colour

LOW, HIGH, ALL = "0.25 x10^6 cells/kg", "1.0 x10^6 cells/kg", "Overall"
DOSES = [LOW, HIGH]
LABELS = {"S1": "P01", "S2": "P02", "S5": "P03"}


def _incidence(scale: str = "CTCAE v5.0") -> pd.DataFrame:
    """Two SOCs, three terms; rows deliberately out of dose order."""
    rows = [
        # SOC, term, group, order, n, N, modal grade, term order
        ("Investigations", "Neutrophil count decreased", HIGH, 2, 2, 2, 3.0, 2),
        ("Investigations", "Neutrophil count decreased", LOW, 1, 1, 1, 4.0, 2),
        ("Investigations", "Neutrophil count decreased", ALL, 3, 3, 3, 4.0, 2),
        ("Investigations", "Alanine aminotransferase increased", LOW, 1, 1, 1, 1.0, 3),
        ("Investigations", "Alanine aminotransferase increased", HIGH, 2, 0, 2, None, 3),
        ("Investigations", "Alanine aminotransferase increased", ALL, 3, 1, 3, 1.0, 3),
        ("Immune system disorders", "Cytokine release syndrome", LOW, 1, 1, 1, 2.0, 1),
        ("Immune system disorders", "Cytokine release syndrome", HIGH, 2, 1, 2, 3.0, 1),
        ("Immune system disorders", "Cytokine release syndrome", ALL, 3, 2, 3, 3.0, 1),
    ]
    frame = pd.DataFrame(rows, columns=["AEBODSYS", "AEDECOD", "dose_group", "dose_order", "n",
                                        "N", "modal_grade", "term_order"])
    frame["pct"] = 100.0 * frame["n"] / frame["N"]
    frame["grade_scale"] = scale
    return frame


def _worst(scale: str = "CTCAE v5.0") -> pd.DataFrame:
    rows = [
        ("S1", LOW, 1, "Immune system disorders", "Cytokine release syndrome", 2, 1),
        ("S1", LOW, 1, "Investigations", "Neutrophil count decreased", 3, 2),
        ("S2", HIGH, 2, "Investigations", "Neutrophil count decreased", 3, 2),
        ("S5", HIGH, 2, "Immune system disorders", "Cytokine release syndrome", 1, 1),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "dose_group", "dose_order", "AEBODSYS",
                                        "AEDECOD", "max_grade", "term_order"])
    frame["grade_scale"] = scale
    return frame


def _by_grade() -> pd.DataFrame:
    counts = {  # (group, syndrome): patients at grades 0..4
        (LOW, "CRS"): [0, 0, 1, 0, 0], (HIGH, "CRS"): [1, 0, 0, 1, 0],
        (ALL, "CRS"): [1, 0, 1, 1, 0], (LOW, "ICANS"): [1, 0, 0, 0, 0],
        (HIGH, "ICANS"): [1, 0, 0, 1, 0], (ALL, "ICANS"): [2, 0, 0, 1, 0],
    }
    order = {LOW: 1, HIGH: 2, ALL: 3}
    size = {LOW: 1, HIGH: 2, ALL: 3}
    rows = [(group, order[group], syndrome, grade, n, size[group], "ASTCT (Lee 2019)")
            for (group, syndrome), ns in counts.items() for grade, n in enumerate(ns)]
    frame = pd.DataFrame(rows, columns=["dose_group", "dose_order", "syndrome", "grade", "n", "N",
                                        "scale"])
    frame["pct"] = 100.0 * frame["n"] / frame["N"]
    return frame


def _episodes() -> pd.DataFrame:
    rows = [
        ("S1", LOW, 1, "CRS", 2, 2, 2, 2, 6, False, 5, "Y", "N"),
        ("S2", HIGH, 2, "ICANS", 3, 3, 3, 5, 61, True, 57, "N", "Y"),
        ("S5", HIGH, 2, "CRS", None, 3, 3, 1, 4, False, 4, "Y", "Y"),
        ("S5", HIGH, 2, "ICANS", 1, 1, 1, 3, 5, False, 3, "N", "N"),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "dose_group", "dose_order", "aesi",
                                        "astct_grade", "ctcae_grade", "grade", "onset_day",
                                        "end_day", "ongoing", "duration_days", "TOCIFL",
                                        "STERFL"])
    for column in ("astct_grade", "ctcae_grade", "grade", "onset_day", "end_day",
                   "duration_days"):
        frame[column] = frame[column].astype("Int64")
    return frame


# --- AE heatmap by dose ---------------------------------------------------------------------


def test_dose_heatmap_columns_in_dose_order_then_overall():
    """Columns follow dose order whatever the row order, Overall last."""
    fig = figs.ae_heatmap_by_dose(_incidence(), DOSES, "any grade", 14, 28)
    assert len(fig.data) == 1
    assert list(fig.data[0].x) == ["0.25 x10^6<br>cells/kg", "1.0 x10^6<br>cells/kg", ALL]


def test_dose_heatmap_rows_grouped_by_soc_with_counts_in_every_cell():
    """Hand layout: SOC header, CRS, SOC header, neutrophils, ALT; 'n/N' in every term cell,
    nothing in header rows; colour = percentage, 0-100."""
    fig = figs.ae_heatmap_by_dose(_incidence(), DOSES, "any grade", 14, 28)
    heat = fig.data[0]
    ticks = list(fig.layout.yaxis.ticktext)
    assert ticks[0] == "<b>Immune system disorders</b>" and ticks[2] == "<b>Investigations</b>"
    assert "Cytokine release syndrome" in ticks[1]
    assert [list(row) for row in heat.text] == [
        ["", "", ""], ["1/1", "1/2", "2/3"], ["", "", ""], ["1/1", "2/2", "3/3"],
        ["1/1", "0/2", "1/3"],
    ]
    assert list(heat.z[4]) == [100.0, 0.0, 100.0 / 3]
    assert (heat.zmin, heat.zmax) == (0, 100)
    assert fig.layout.yaxis.autorange == "reversed"


def test_dose_heatmap_title_colourbar_and_scale():
    """Title states what is counted and the window; colourbar says '% of patients'; the axis
    title names the grading scale."""
    fig = figs.ae_heatmap_by_dose(_incidence(), DOSES, "grade ≥3", 14, None)
    assert "grade ≥3" in fig.layout.title.text and "whole follow-up" in fig.layout.title.text
    assert fig.data[0].colorbar.title.text == "% of patients"
    assert "CTCAE v5.0" in fig.layout.xaxis.title.text
    big = figs.ae_heatmap_by_dose(_incidence(), DOSES, "any grade", 20, 28)
    assert big.layout.font.size == 20 and big.layout.height > fig.layout.height


def test_dose_heatmap_empty_frame_gives_placeholder():
    """No events: a titled placeholder, no heatmap trace."""
    fig = figs.ae_heatmap_by_dose(_incidence().iloc[0:0], DOSES, "grade ≥3", 14, 28)
    assert len(fig.data) == 0 and "grade ≥3" in fig.layout.title.text


# --- patient x term heatmap -----------------------------------------------------------------


def test_patient_heatmap_uses_labels_in_ticks_and_hover():
    """Pseudonyms replace USUBJIDs on the axis and in every hover text."""
    fig = figs.patient_term_heatmap(_worst(), LABELS, 14, 28)
    heat = fig.data[0]
    assert list(heat.x) == ["P01", "P02", "P03"]
    hovers = [h for row in heat.hovertext for h in row if h]
    assert hovers and all("S1" not in h and "S5" not in h for h in hovers)
    assert any("Patient P03" in h and "Grade 1" in h for h in hovers)


def test_patient_heatmap_grade_cells_and_discrete_colours():
    """Hand layout: rows [Immune SOC, CRS, Investigations SOC, neutrophils]; S1 CRS grade 2,
    S5 CRS grade 1, S2 has no CRS. Colour bands are the fixed grade colours 1-5."""
    fig = figs.patient_term_heatmap(_worst(), LABELS, 14, 28)
    heat = fig.data[0]
    assert list(heat.z[1]) == [2, None, 1]
    assert list(heat.z[3]) == [3, 3, None]
    colours = [step[1] for step in heat.colorscale]
    assert colours[::2] == [GRADE_COLOURS[g] for g in (1, 2, 3, 4, 5)]
    assert list(heat.colorbar.ticktext) == [f"Grade {g}" for g in (1, 2, 3, 4, 5)]


def test_patient_heatmap_severity_scale_has_three_named_bands():
    """Severity-only data: Mild / Moderate / Severe legend, three colour bands."""
    fig = figs.patient_term_heatmap(_worst("Severity (mild/moderate/severe)"), LABELS, 14)
    heat = fig.data[0]
    assert list(heat.colorbar.ticktext) == ["Mild", "Moderate", "Severe"]
    assert heat.zmax == 3.5


def test_patient_heatmap_dose_groups_named_in_their_colours():
    """Each dose group is named above its patients in its fixed dose colour."""
    fig = figs.patient_term_heatmap(_worst(), LABELS, 14, 28)
    names = {a.text: a.font.color for a in fig.layout.annotations}
    assert names["<b>0.25<br>x10^6<br>cells/kg</b>"] == dose_colour(1)
    assert names["<b>1.0<br>x10^6<br>cells/kg</b>"] == dose_colour(2)


# --- CRS / ICANS bars -----------------------------------------------------------------------


def test_crs_icans_bars_two_panels_stacked_by_grade():
    """Two panels (CRS, ICANS), four grade traces each plus an n/N text trace; Overall not
    drawn; bars stacked; grade colours fixed."""
    fig = figs.crs_icans_bars(_by_grade(), DOSES, 14, 28)
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 8 and fig.layout.barmode == "stack"
    assert {t.xaxis for t in bars} == {"x", "x2"}
    assert all(ALL not in " ".join(t.x) for t in bars)
    grade3_crs = next(t for t in bars if t.name == "Grade 3" and t.xaxis == "x")
    assert grade3_crs.marker.color == GRADE_COLOURS[3]
    assert list(grade3_crs.y) == [0, 1]
    assert fig.layout.yaxis.title.text == "Patients (n)"


def test_crs_icans_bars_label_n_of_N():
    """Hand count: CRS 1/1 at 0.25 and 1/2 at 1.0; ICANS 0/1 and 1/2."""
    fig = figs.crs_icans_bars(_by_grade(), DOSES, 14, 28)
    texts = [list(t.text) for t in fig.data if t.type == "scatter"]
    assert texts == [["1/1", "1/2"], ["0/1", "1/2"]]


def test_crs_icans_bars_only_selected_groups():
    """With only 1.0 in the filter, only its bar is drawn."""
    frame = _by_grade()
    fig = figs.crs_icans_bars(frame[frame["dose_group"] != LOW], DOSES, 14, 28)
    bars = [t for t in fig.data if t.type == "bar"]
    assert all(list(t.x) == ["1.0 x10^6<br>cells/kg"] for t in bars)


# --- CRS / ICANS timeline ----------------------------------------------------------------------


def test_timeline_bars_span_onset_to_end_coloured_by_grade():
    """Hand count: S1 CRS days 2-6 starts at 2 and ends at 6 on the axis (length 4, not one
    day too long), grade 2 colour; S2 ICANS hatched."""
    fig = figs.crs_icans_timeline(_episodes(), LABELS, 14)
    grade2 = next(t for t in fig.data if t.type == "bar" and t.name == "Grade 2")
    assert list(grade2.base) == [2] and list(grade2.x) == [4]
    assert grade2.base[0] + grade2.x[0] == 6
    assert grade2.marker.color == GRADE_COLOURS[2] and grade2.orientation == "h"
    grade3 = next(t for t in fig.data if t.type == "bar" and t.name == "Grade 3")
    assert list(grade3.marker.pattern.shape) == ["/", ""]  # S2 ICANS, S5 CRS


def test_timeline_rows_and_treatment_markers():
    """One row per patient labelled with pseudonyms; S5 has CRS and ICANS, so they sit off
    the row centre; markers for tocilizumab (S1, S5), steroids (S2, S5), ongoing (S2).
    Tocilizumab and steroids are yes/no flags without a day: their markers sit on the
    episode (between onset and end), never after it, and the legend says so."""
    fig = figs.crs_icans_timeline(_episodes(), LABELS, 14)
    assert list(fig.layout.yaxis.ticktext) == ["P01", "P02", "P03"]
    markers = {t.name.split(" given")[0]: t for t in fig.data if t.type == "scatter"}
    assert len(markers["Tocilizumab"].x) == 2
    assert len(markers["Corticosteroids"].x) == 2
    # Hand count: tocilizumab for S1 CRS days 2-6 and S5 CRS days 1-4.
    # a third of the way along: 1 + 3/3 = 2.0 (S5), 2 + 4/3 (S1), both inside their episode.
    assert sorted(markers["Tocilizumab"].x) == pytest.approx([2.0, 2 + 4 / 3])
    # two thirds along: S5 CRS 1 + 2*3/3 = 3; S2 ICANS days 5-61: 5 + 2*56/3.
    assert sorted(markers["Corticosteroids"].x) == pytest.approx([3.0, 5 + 112 / 3])
    assert all("day not recorded" in t.name for t in fig.data
               if t.type == "scatter" and not t.name.startswith("Ongoing"))
    assert list(markers["Ongoing at last contact"].y) == [1.0]
    assert sorted(markers["Corticosteroids"].y) == [1.0, 1.8]
    assert fig.layout.xaxis.title.text.startswith("Days since infusion")
    hovers = " ".join(h for t in fig.data if t.hovertext is not None for h in t.hovertext)
    assert "P02" in hovers and "S2" not in hovers


def test_timeline_empty_gives_placeholder():
    """No CRS/ICANS: a titled placeholder."""
    fig = figs.crs_icans_timeline(_episodes().iloc[0:0], LABELS, 14)
    assert len(fig.data) == 0 and "CRS and ICANS" in fig.layout.title.text
