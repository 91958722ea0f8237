"""Pages of patients (trialdash.analysis.paging) against hand counts: 120 patients at 50 a page
are pages of 50, 50 and 20 patients."""

from __future__ import annotations

import pandas as pd
import pytest

from trialdash.analysis.paging import (
    PAGE_SIZE,
    in_dose_order,
    page_count,
    page_label,
    patient_page,
    rows_of,
)

IDS = [f"P{i:03d}" for i in range(1, 121)]


def test_page_size_is_fifty():
    """Issue: at most 50 lanes at a time."""
    assert PAGE_SIZE == 50


@pytest.mark.parametrize(("total", "pages"), [(0, 1), (1, 1), (50, 1), (51, 2), (120, 3),
                                              (1400, 28)])
def test_page_count(total, pages):
    """Hand count: ceil(total / 50), at least one page."""
    assert page_count(total) == pages


def test_pages_cut_the_list_in_order():
    first, last = patient_page(IDS, 0), patient_page(IDS, 2)
    assert first.usubjids == tuple(IDS[:50]) and first.first == 1
    assert last.usubjids == tuple(IDS[100:]) and (last.shown, last.first) == (20, 101)
    assert (last.number, last.pages, last.total) == (2, 3, 120)


def test_describe_says_how_many_of_how_many():
    """Issue wording: '50 of 1,400 patients shown'."""
    assert patient_page(IDS, 1).describe() == "50 of 120 patients shown (51–100)"
    assert patient_page(IDS, 2).describe() == "20 of 120 patients shown (101–120)"
    many = [f"S{i}" for i in range(1400)]
    assert patient_page(many, 0).describe().startswith("50 of 1,400 patients shown")


def test_one_page_is_not_paged():
    page = patient_page(IDS[:14], 0)
    assert not page.paged and page.shown == 14
    assert page.describe() == "All 14 patients shown"
    assert page.shown_note is None  # an unpaged chart carries no note


def test_a_paged_charts_note_is_the_description():
    assert patient_page(IDS, 1).shown_note == "50 of 120 patients shown (51–100)"


def test_page_beyond_the_last_falls_back_to_the_last():
    """After a filter shrinks the list, a remembered page 5 of 120 patients is page 3."""
    page = patient_page(IDS, 5)
    assert page.number == 2 and page.shown == 20


def test_empty_list_is_one_empty_page():
    page = patient_page([], 3)
    assert (page.number, page.pages, page.total, page.shown, page.first) == (0, 1, 0, 0, 0)


def test_repeated_ids_count_once_at_their_first_place():
    page = patient_page(["B", "A", "B", "C"], 0)
    assert page.usubjids == ("B", "A", "C") and page.total == 3


def test_page_label():
    assert page_label(1, 120) == "Patients 51–100 of 120"
    assert page_label(27, 1400) == "Patients 1,351–1,400 of 1,400"


def test_rows_of_keeps_frame_order_and_every_row_of_the_page():
    frame = pd.DataFrame({"USUBJID": ["C", "A", "B", "A"], "x": [1, 2, 3, 4]})
    page = patient_page(["A", "B"], 0, size=2)
    assert rows_of(frame, page)["x"].tolist() == [2, 3, 4]


def test_in_dose_order():
    frame = pd.DataFrame({"USUBJID": ["Z", "A", "M", "A"], "dose_order": [1, 3, 1, 3]})
    assert in_dose_order(frame) == ["M", "Z", "A"]
    assert in_dose_order(frame.iloc[0:0]) == []
