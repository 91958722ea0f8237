"""Data cuts in Chromium: a link to an earlier cut opens it with the banner, the URL keeps
the cut, picking the current cut in the sidebar returns to it, and the overview of the
current cut shows "Since the previous cut". Screenshots go to tests/browser/screenshots/."""

from __future__ import annotations

import re

import pytest
from conftest import open_tab, screenshot, start_streamlit, stop, wait_idle

from trialdash.cli import main

NO_EXCEPTION = '[data-testid="stException"]'


@pytest.fixture(scope="module")
def cut_server(tmp_path_factory):
    live = tmp_path_factory.mktemp("cuts_browser") / "trial.duckdb"
    for cutoff in ("2024-06-01", "2024-12-01"):
        assert main(["snapshot", "build", "--synthetic", "--cutoff", cutoff,
                     "--out", str(live)]) == 0
    assert main(["snapshot", "build", "--synthetic", "--out", str(live)]) == 0
    proc, url = start_streamlit(live)
    yield url
    stop(proc)


def test_cut_link_banner_and_compare_panel(cut_server, page):
    page.goto(f"{cut_server}/?cut=2024-12-01")
    wait_idle(page)
    main_text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Showing an earlier data cut: cut-off 2024-12-01" in main_text
    assert "data cut-off 2024-12-01" in main_text
    assert "Since the previous cut (2024-06-01)" in main_text
    assert re.search(r"[?&]cut=2024-12-01_[0-9a-f]{8}", page.url)
    assert page.locator(NO_EXCEPTION).count() == 0
    screenshot(page, "cut_earlier")

    page.get_by_role("combobox", name="Data cut shown").click()
    page.get_by_role("option", name=re.compile(r"\(current\)")).click()
    wait_idle(page)
    main_text = page.locator('[data-testid="stMain"]').inner_text()
    assert "data cut-off 2025-05-15" in main_text
    assert "earlier data cut" not in main_text
    assert "Since the previous cut (2024-12-01)" in main_text
    assert "cut=" not in page.url
    assert page.locator(NO_EXCEPTION).count() == 0
    screenshot(page, "cut_current_compare")


def test_swimmer_with_previous_cutoff(cut_server, page):
    page.goto(f"{cut_server}/response")
    wait_idle(page)
    open_tab(page, "Swimmer plot")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 1
    assert page.get_by_text("Previous cut-off (2024-12-01)").count() >= 1
    assert page.locator(NO_EXCEPTION).count() == 0
    screenshot(page, "cut_swimmer")
