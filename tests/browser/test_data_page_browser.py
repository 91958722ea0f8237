"""The Data page in headless Chromium at 1280x720 over the synthetic trial written with three
findings (tests/app/test_data_page.findings_frame): findings listed, the header link opens
the Data page, and clicking a finding's row opens that patient's profile."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from conftest import screenshot, wait_idle

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "app"))
from test_data_page import FIRST, OTHER  # noqa: E402

GRID = '[data-testid="stDataFrame"]'
ROW_PX = 35  # trialdash.ui.ROW_PX: header and rows of a Streamlit grid


def open_path(page, server: str, path: str) -> None:
    page.goto(f"{server}/{path}", wait_until="domcontentloaded")
    wait_idle(page)


def grid_text(page) -> list[str]:
    """Cell texts of every grid (Streamlit's grid keeps an accessible table of its cells),
    once the findings grid, the last one, has drawn its cells."""
    page.locator(GRID).last.locator("[role='gridcell']").first.wait_for(state="attached",
                                                                         timeout=30_000)
    return page.locator(f"{GRID} [role='gridcell']").all_inner_texts()


def test_data_page_lists_the_findings(findings_server, page):
    open_path(page, findings_server, "data")
    assert not page.locator('[data-testid="stException"]').count()
    cells = grid_text(page)
    for rule in ("date_before_1980", "alive_before_treatment", "no_cutoff_date"):
        assert rule in cells
    assert FIRST in cells and OTHER in cells
    screenshot(page, "data_page")


def test_header_link_opens_the_data_page(findings_server, page):
    open_path(page, findings_server, "")
    page.get_by_role("link", name="3 data findings").click()
    page.wait_for_url(re.compile(r"/data"), timeout=30_000)
    wait_idle(page)
    assert page.get_by_role("heading", name="Findings").is_visible()


def test_clicking_a_finding_opens_that_patients_profile(findings_server, page):
    """Select the second finding's row (about OTHER) by its row marker: the patient profile
    opens with OTHER in the shared filter and lists OTHER's finding."""
    open_path(page, findings_server, "data")
    grid = page.locator(GRID).last
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    row_px = (box["height"] - ROW_PX - 3) / 3  # three findings; rows grow to wrap the text
    page.mouse.click(box["x"] + 18, box["y"] + ROW_PX + row_px * 1.5)
    page.wait_for_url(re.compile(r"/patient\?.*patient="), timeout=30_000)
    wait_idle(page)
    assert OTHER in page.url
    assert page.get_by_text("1 of 14 patients").first.is_visible()
    assert page.get_by_text(f"Data findings for {OTHER}: 1").is_visible()
    screenshot(page, "data_finding_to_patient")
    # Back to the Data page through the header link: the earlier row selection is gone, so
    # the page stays (the patient filter keeps OTHER's finding and the study-level one).
    page.get_by_role("link", name="2 data findings").click()
    page.wait_for_url(re.compile(r"/data"), timeout=30_000)
    wait_idle(page)
    page.wait_for_timeout(1500)
    assert "/data" in page.url
    assert page.get_by_role("heading", name="Findings").is_visible()
