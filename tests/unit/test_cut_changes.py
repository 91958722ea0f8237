"""What the dashboard shows about a new cut (trialdash.analysis.cut_changes) and the
previous cut-off on the swimmer plot (trialdash.figures.cuts), on the tiny trial with
hand-made changes and hand-counted expectations."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest
from tiny_trial import build_tiny, tiny_datasets

from trialdash.analysis.cut_changes import (
    count_change,
    grown_count_marks,
    new_finding_marks,
    new_patient_marks,
    new_row_marks,
    patient_news,
    previous_cutoff_days,
    since_previous,
)
from trialdash.cutdiff import diff_snapshots
from trialdash.cutoff import as_of
from trialdash.derive import derive_all
from trialdash.figures.cuts import mark_previous_cutoff
from trialdash.snapshot import SnapshotMeta, write_snapshot


@pytest.fixture(scope="module")
def diff(tmp_path_factory):
    """Tiny trial at 2023-02-28 against the full tiny trial (cut-off 2024-01-31)."""
    folder = tmp_path_factory.mktemp("tiny_cuts")
    meta = SnapshotMeta("TINY", "Tiny test trial", None, date(2023, 2, 28), "adam",
                        "hand-written fixture", [], None, "TRT01A", "DISTYPE")
    early = write_snapshot(derive_all(as_of(tiny_datasets(), date(2023, 2, 28))), meta,
                           folder / "early.duckdb")
    return diff_snapshots(early, build_tiny(folder / "late.duckdb"))


def test_since_previous_rows_by_hand(diff):
    """Hand count between 2023-02-28 and 2024-01-31: S2 infused (03-01), progressed (04-01)
    and died (05-01); S2's ICANS (03-06) and lung infection grade 3 (04-10) are new AEs; no
    new enrolment (all four had consented)."""
    rows = since_previous(diff, ["S1", "S2", "S3", "S4"]).set_index("change")
    assert rows.loc["Newly enrolled", "n"] == 0
    assert rows.loc["Newly infused", ["n", "patients"]].tolist() == [1, "S2"]
    assert rows.loc["New deaths", "n"] == 1
    assert rows.loc["New progressions or relapses", "n"] == 1
    assert rows.loc["New adverse events (any grade)", "n"] == 2
    assert rows.loc["New adverse events of grade 3 or higher", "patients"] == (
        "S2: Lung infection (grade 3)")


def test_since_previous_follows_the_filter(diff):
    rows = since_previous(diff, ["S1"], label=lambda u: f"P-{u}").set_index("change")
    assert rows.loc["Newly infused", "n"] == 0
    assert rows.loc["New adverse events (any grade)", "n"] == 0
    only_s2 = since_previous(diff, ["S2"], label=lambda u: f"P-{u}").set_index("change")
    assert only_s2.loc["New deaths", "patients"] == "P-S2"


def test_patient_news_by_hand(diff):
    news = patient_news(diff, "S2")
    assert {"infused", "progression or relapse", "death"} <= set(news)
    assert "2 new adverse-event records" in news
    assert patient_news(diff, "S4") == []


def test_count_change():
    """+2 / 0 / -1 per row and group; a row absent before counts from 0."""
    now = pd.DataFrame({"label": ["Any", "Any", "Grade 3+", "Grade 3+"],
                        "dose_group": ["A", "B", "A", "B"], "n": [5, 3, 2, 0]})
    before = pd.DataFrame({"label": ["Any", "Any"], "dose_group": ["A", "B"], "n": [3, 4]})
    change = count_change(now, before, "label")
    assert change.to_dict("records") == [{"label": "Any", "A": "+2", "B": "-1"},
                                         {"label": "Grade 3+", "A": "+2", "B": "0"}]


def test_new_row_marks_match_by_shown_columns():
    shown = pd.DataFrame({"Term": ["CRS", "Fever", "CRS"],
                          "Start date": pd.to_datetime(["2023-01-02", "2023-01-05",
                                                        "2023-02-01"])})
    added = pd.DataFrame({"AEDECOD": ["CRS"], "ASTDT": pd.to_datetime(["2023-02-01"])})
    marks = new_row_marks(shown, added, {"Term": "AEDECOD", "Start date": "ASTDT"})
    assert marks.tolist() == ["", "", "new"]


def test_previous_cutoff_days_and_swimmer_ticks():
    """Infused 2023-01-10 and 2023-03-01, previous cut-off 2023-02-28: day 49 for the first
    (hand count), none for the second (infused later). The tick is drawn only in lanes still
    running at the previous cut-off."""
    infused = pd.DataFrame({"USUBJID": ["S1", "S2"],
                            "TRTSDT": pd.to_datetime(["2023-01-10", "2023-03-01"])})
    days = previous_cutoff_days(infused, date(2023, 2, 28))
    assert days.to_dict() == {"S1": 49}
    lanes = pd.DataFrame({"USUBJID": ["S1", "S2"], "end_day": [355, 61]})
    fig = mark_previous_cutoff(go.Figure(), lanes, days, date(2023, 2, 28), {"S1": "P01"})
    (trace,) = fig.data
    assert trace.name == "Previous cut-off (2023-02-28)"
    assert list(trace.x) == [49] and list(trace.y) == ["P01"]
    assert list(trace.customdata) == ["P01"]  # the shown label, never the USUBJID
    ended = mark_previous_cutoff(go.Figure(), lanes.assign(end_day=[30, 61]), days,
                                 date(2023, 2, 28))
    assert not ended.data


def test_new_finding_marks_a_finding_the_earlier_cut_lacks():
    """Hand-written: the earlier cut had S1's ASTDT finding (at another row); S2's finding
    and the study-level one are new."""
    columns = ["dataset", "file", "row", "column", "usubjid", "value", "rule", "message"]
    now = pd.DataFrame([
        ["adae", "adae.xpt", 7, "ASTDT", "S1", "1977-03-01", "date_before_1980", "m"],
        ["adsl", "adsl.xpt", 2, "LSTALVDT", "S2", "2023-02-25", "alive_before_treatment", "m"],
        ["adsl", "adsl.xpt", None, "DCUTDT", None, None, "no_cutoff_date", "m"],
    ], columns=columns)
    before = now.iloc[[0]].assign(row=3)
    assert list(new_finding_marks(now, before)) == ["", "new", "new"]
    assert list(new_finding_marks(now, None)) == ["", "", ""]
    assert list(new_finding_marks(now, before.iloc[0:0])) == ["new"] * 3


def test_new_patient_marks():
    shown = pd.Series(["P-1", "P-2", "P-1"])
    assert list(new_patient_marks(shown, {"P-1"})) == ["new", "", "new"]


def test_grown_count_marks_rows_with_more_patients_or_new():
    """Hand-made: A/x grew 1 -> 2 (new), A/y stayed 1, B/x absent before (new)."""
    now = pd.DataFrame({"g": ["A", "A", "B"], "r": ["x", "y", "x"], "n": [2, 1, 1]})
    before = pd.DataFrame({"g": ["A", "A"], "r": ["x", "y"], "n": [1, 1]})
    assert list(grown_count_marks(now, before, ["g", "r"])) == ["new", "", "new"]
    assert list(grown_count_marks(now, None, ["g", "r"])) == ["", "", ""]
