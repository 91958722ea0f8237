"""The patient timeline, built from a hand-made record (no snapshot needed).

Record: infused patient labelled "P07" (USUBJID "SUBJ-007"): LD day -5 to -3, infusion
day 0, allo-HSCT day 60, progression day 200, death day 250; AEs CRS grade 2 (days 2-6,
tocilizumab), neutropenia grade 4 (days 3-20), lung infection grade 3 (day 40, ongoing);
responses CR day 28 and PD day 200; transgene day 0 BLQ (LLOQ 50), day 14 40,000, day 28
2,000; CD7+ lymphocytes days -5 and 14; ANC and platelets days 0 and 14.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from trialdash.analysis import patient as analysis
from trialdash.analysis.filters import PatientCount
from trialdash.figures import patient as figures
from trialdash.style import GRADE_COLOURS, RESPONSE_COLOURS

LABEL = "P07"
ALL_PRESENT = {"adae": True, "adrs": True, "adpc": True, "adlb": True, "adtte": True}


def _frame(columns: list[str], rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)


def _header(infused: bool = True) -> analysis.PatientHeader:
    return analysis.PatientHeader(
        usubjid="SUBJ-007", pseudonym=LABEL, subtype="T-ALL", dose_group="1.0 x10^6 cells/kg",
        age=25.0, sex="M", infusion_date=date(2023, 1, 10) if infused else None,
        cohort="Escalation", status="Dead" if infused else "Not infused",
        best_response="CR" if infused else None, best_response_criteria=None,
        lymphodepletion_day=-5 if infused else None, last_contact_day=250 if infused else None,
        hsct_day=60 if infused else None, progression_day=200 if infused else None,
        death_day=250 if infused else None, dlt="N", enrolled=True,
        not_infused_reason=None if infused else "Progression before infusion",
        discontinuation_reason=None,
    )


def _record(available: dict[str, bool] | None = None) -> analysis.PatientRecord:
    available = dict(ALL_PRESENT, **(available or {}))
    ae = [
        {"term": "Cytokine release syndrome", "soc": "Immune system disorders", "grade": 2,
         "grade_scale": "CTCAE v5.0", "astct_grade": 2, "start_day": 2, "end_day": 6,
         "ongoing": False, "serious": False, "dlt": False, "tocilizumab": True,
         "steroids": False},
        {"term": "Neutrophil count decreased", "soc": "Investigations", "grade": 4,
         "grade_scale": "CTCAE v5.0", "start_day": 3, "end_day": 20, "ongoing": False,
         "serious": False, "dlt": False, "tocilizumab": False, "steroids": False},
        {"term": "Lung infection", "soc": "Infections and infestations", "grade": 3,
         "grade_scale": "CTCAE v5.0", "start_day": 40, "end_day": None, "ongoing": True,
         "serious": True, "dlt": False, "tocilizumab": False, "steroids": False},
    ]
    responses = [{"day": 28, "visit": "Day 28", "response": "CR", "criteria": "NCCN/ELN"},
                 {"day": 200, "visit": "Month 6", "response": "PD", "criteria": "NCCN/ELN"}]
    kinetics = [
        {"parameter": "TRANSGEN", "day": 0.0, "value": None, "unit": "copies/ug gDNA",
         "lloq": 50.0, "blq": True},
        {"parameter": "TRANSGEN", "day": 14.0, "value": 40000.0, "unit": "copies/ug gDNA",
         "lloq": 50.0, "blq": False},
        {"parameter": "TRANSGEN", "day": 28.0, "value": 2000.0, "unit": "copies/ug gDNA",
         "lloq": 50.0, "blq": False},
    ]
    labs = [{"parameter": p, "day": d, "value": v, "unit": u}
            for p, u, values in (("CD7LYMPH", "cells/uL", ((-5, 500.0), (14, 2.0))),
                                 ("ANC", "10^9/L", ((0, 0.4), (14, 1.5))),
                                 ("PLAT", "10^9/L", ((0, 40.0), (14, 90.0))))
            for d, v in values]
    milestones = _frame(analysis.MILESTONE_COLUMNS, [
        {"milestone": "Lymphodepletion", "day": -5, "end_day": -3},
        {"milestone": "CAR-T infusion", "day": 0},
        {"milestone": "Allo-HSCT", "day": 60},
        {"milestone": "Progression/relapse", "day": 200},
        {"milestone": "Death", "day": 250},
    ])
    empty_if_absent = {
        "adae": (analysis.AE_COLUMNS, ae), "adrs": (analysis.RESPONSE_COLUMNS, responses),
        "adpc": (analysis.KINETIC_COLUMNS, kinetics), "adlb": (analysis.LAB_COLUMNS, labs),
    }
    frames = {name: _frame(columns, rows if available[name] else [])
              for name, (columns, rows) in empty_if_absent.items()}
    return analysis.PatientRecord(
        _header(), PatientCount(1, 14), frames["adae"], frames["adrs"], frames["adpc"],
        frames["adlb"], _frame(analysis.TTE_COLUMNS, []), milestones, available, ())


def _traces(fig, name: str) -> list:
    return [t for t in fig.data if t.name == name]


@pytest.fixture(scope="module")
def fig():
    return figures.patient_timeline(_record(), LABEL, font_size=14)


def test_four_rows_share_the_x_axis(fig):
    """Events, transgene, CD7+, counts: four rows, each x-axis matched to the bottom one."""
    assert figures.timeline_panels(_record()) == (["events", "transgene", "cd7", "counts"], {})
    x_axes = [k for k in fig.layout if k.startswith("xaxis")]
    assert len(x_axes) == 4
    assert {fig.layout[k].matches for k in x_axes if k != "xaxis4"} == {"x4"}
    assert fig.layout.xaxis4.title.text == figures.X_TITLE


def test_axes_titles_carry_units_and_transgene_axis_is_log(fig):
    """Row titles with units; qPCR on a log axis; ANC left and platelets right (x10⁹/L)."""
    titles = [a.text for a in fig.layout.annotations]
    assert any("copies/µg gDNA" in t and "log" in t for t in titles)
    assert any("CD7+ lymphocytes" in t and "cells/µL" in t for t in titles)
    assert fig.layout.yaxis2.type == "log"
    assert fig.layout.yaxis2.title.text == "copies/µg gDNA"
    assert fig.layout.yaxis3.title.text == "cells/µL"
    assert fig.layout.yaxis4.title.text == "ANC (10⁹/L)"
    assert fig.layout.yaxis5.title.text == "Platelets (10⁹/L)"
    assert fig.layout.yaxis5.side == "right"


def test_adverse_events_are_bars_coloured_by_grade(fig):
    """One bar trace per grade present (2, 3, 4), in GRADE_COLOURS, spanning start to end
    day inclusive; the ongoing lung infection runs to last contact (day 250) and is hatched."""
    for grade in (2, 3, 4):
        (trace,) = _traces(fig, f"Grade {grade}")
        assert trace.type == "bar" and trace.orientation == "h"
        assert trace.marker.color == GRADE_COLOURS[grade]
    assert not _traces(fig, "Grade 1")
    (crs,) = _traces(fig, "Grade 2")
    assert (list(crs.base), list(crs.x)) == ([2.0], [5.0])
    (infection,) = _traces(fig, "Grade 3")
    assert (list(infection.base), list(infection.x)) == ([40.0], [211.0])
    assert list(infection.marker.pattern.shape) == ["/"]
    assert list(crs.text) == ["Cytokine release syndrome"]


def test_hover_names_the_patient_by_label_and_the_term(fig):
    """Hover text uses the label given (pseudonym), never the USUBJID; AEs carry the term."""
    (crs,) = _traces(fig, "Grade 2")
    assert LABEL in crs.hovertemplate and "customdata[0]" in crs.hovertemplate
    assert crs.customdata[0][0] == "Cytokine release syndrome"
    assert all("SUBJ-007" not in (t.hovertemplate or "") for t in fig.data)
    assert all(LABEL in t.hovertemplate for t in fig.data if t.hoverinfo != "skip")


def test_responses_and_milestones_have_legend_entries(fig):
    """CR and PD markers in RESPONSE_COLOURS; a legend entry per milestone present."""
    for response in ("CR", "PD"):
        (trace,) = _traces(fig, response)
        assert trace.marker.color == RESPONSE_COLOURS[response]
    for name in ("Lymphodepletion", "CAR-T infusion", "Allo-HSCT", "Progression/relapse",
                 "Death"):
        assert len(_traces(fig, name)) == 1
    assert not _traces(fig, "Last contact")
    (ld,) = _traces(fig, "Lymphodepletion")
    assert (list(ld.base), list(ld.x)) == ([-5.0], [3.0])


def test_guide_lines_cross_every_row(fig):
    """Infusion, allo-HSCT, progression and death: one dotted line in each of the 4 rows."""
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert sorted({s.x0 for s in lines}) == [0.0, 60.0, 200.0, 250.0]
    assert len(lines) == 4 * 4


def test_blq_samples_drawn_at_lloq_with_open_markers(fig):
    """The day-0 BLQ sample (no value) is drawn at the LLOQ, 50, as an open marker."""
    (blq,) = _traces(fig, "BLQ (drawn at LLOQ)")
    assert list(blq.x) == [0.0] and list(blq.y) == [50.0]
    assert blq.marker.symbol == "circle-open"
    (measured,) = _traces(fig, "Transgene (qPCR)")
    assert list(measured.y) == [40000.0, 2000.0]


def test_absent_kinetics_row_is_omitted_with_a_reason():
    """Without ADPC the transgene row goes and timeline_panels says why."""
    record = _record({"adpc": False})
    shown, omitted = figures.timeline_panels(record)
    assert shown == ["events", "cd7", "counts"]
    assert "ADPC" in omitted["CAR transgene"]
    fig = figures.patient_timeline(record, LABEL)
    assert len([k for k in fig.layout if k.startswith("xaxis")]) == 3
    assert not _traces(fig, "Transgene (qPCR)")


def test_not_infused_patient_gets_an_explaining_placeholder():
    """No infusion, no day 0: an empty figure saying so."""
    record = analysis.PatientRecord(
        _header(infused=False), PatientCount(0, 14), *(_frame(c, []) for c in (
            analysis.AE_COLUMNS, analysis.RESPONSE_COLUMNS, analysis.KINETIC_COLUMNS,
            analysis.LAB_COLUMNS, analysis.TTE_COLUMNS, analysis.MILESTONE_COLUMNS)),
        ALL_PRESENT, ())
    fig = figures.patient_timeline(record, LABEL)
    assert not fig.data
    assert "not infused" in fig.layout.annotations[0].text


def test_window_and_font_size():
    """A 28-day window runs from 2 days before day -7 (lymphodepletion is later, day -5) to
    day 29; presentation font size reaches the layout; the whole follow-up reaches past
    death (day 250)."""
    fig = figures.patient_timeline(_record(), LABEL, font_size=20, window_days=28)
    assert list(fig.layout.xaxis.range) == [-9, 29]
    assert fig.layout.font.size == 20
    whole = figures.patient_timeline(_record(), LABEL)
    assert whole.layout.xaxis.range[1] > 250


def test_severity_scale_is_named_in_the_legend():
    """An import with AESEV only (grades 1-3 on the severity scale): the legend says so."""
    record = _record()
    aes = record.adverse_events.assign(grade_scale="Severity (mild/moderate/severe)")
    fig = figures.patient_timeline(
        analysis.PatientRecord(record.header, record.count, aes, record.responses,
                               record.kinetics, record.labs, record.time_to_event,
                               record.milestones, record.available, ()), LABEL)
    (grade,) = _traces(fig, "Grade 2")
    assert grade.legendgrouptitle.text == "AE grade, Severity (mild/moderate/severe)"
    assert "Severity" in fig.layout.annotations[0].text


def test_patient_counts_read_with_thousands_separators():
    """The page header at pooled-safety-set size: '1,400 of 14,000 patients'."""
    assert str(PatientCount(1400, 14000)) == "1,400 of 14,000 patients"
    assert str(PatientCount(3, 14)) == "3 of 14 patients"
