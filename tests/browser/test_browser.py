"""Every page in headless Chromium at 1280x720: charts drawn, no exception element, the study
title and SYNTHETIC DATA label visible, deep links and the swimmer-to-patient path work.
Each test saves a full-page screenshot under tests/browser/screenshots/ (git-ignored)."""

from __future__ import annotations

import re

import pytest
from conftest import each_tab, open_tab, screenshot, start_streamlit, stop, tab_labels, wait_idle

PAGES = {  # URL path -> (page title, minimum number of charts over all its tabs)
    "": ("Overview and enrollment", 3),
    "safety": ("Safety", 4),
    "kinetics": ("Cellular kinetics", 4),
    "response": ("Response", 3),
    "survival": ("Survival", 2),
    "patient": ("Patient profile", 1),
}
CHART = '[data-testid="stPlotlyChart"]'
EXCEPTION = '[data-testid="stException"]'
INFUSED_PATIENT = "NCT05290155-SYN-004"


def open_path(page, server: str, path: str) -> None:
    page.goto(f"{server}/{path}", wait_until="domcontentloaded")
    wait_idle(page)


@pytest.mark.parametrize("path", list(PAGES), ids=[p or "overview" for p in PAGES])
def test_page_in_chromium(server, page, path):
    """Each tab of the page, opened in turn, draws its charts (SVG/WebGL inside each chart)
    and shows no exception; the page shows its title, the SYNTHETIC DATA label and the
    patient count throughout."""
    title, min_charts = PAGES[path]
    open_path(page, server, path)
    labels = tab_labels(page)
    assert len(labels) >= 3, labels
    charts = 0
    for index, label in each_tab(page):
        shown = page.locator(CHART).count()
        page.wait_for_function(  # every chart of the tab drawn
            f"n => document.querySelectorAll('{CHART} .main-svg').length >= n", arg=shown,
            timeout=30_000)
        charts += shown
        screenshot(page, f"{path or 'overview'}_{index}")
        assert page.locator(EXCEPTION).count() == 0, label
        assert page.get_by_role("tab", name=label, exact=True).get_attribute(
            "aria-selected") == "true"
        assert page.get_by_role("heading", name=title).first.is_visible()
        assert page.get_by_text("SYNTHETIC DATA").first.is_visible()
        assert page.get_by_text("14 of 14 patients").first.is_visible()
    assert charts >= min_charts


def test_app_shows_study_title_and_synthetic_label(server, page):
    """The sidebar names the study and the registry id; the SYNTHETIC DATA label shows."""
    open_path(page, server, "")
    body = page.locator("body").inner_text()
    assert "Anti-CD7 CAR-T" in body
    assert "NCT05290155" in body
    assert "SYNTHETIC DATA" in body


def test_patient_deep_link(server, page):
    """/patient?patient=<USUBJID> opens that patient's profile, filtered to 1 patient."""
    open_path(page, server, f"patient?patient={INFUSED_PATIENT}")
    page.wait_for_selector(f"{CHART} .main-svg", timeout=30_000)
    screenshot(page, "patient_deep_link")
    assert page.locator(EXCEPTION).count() == 0
    assert page.get_by_text("1 of 14 patients").first.is_visible()
    main_text = page.locator("[data-testid='stMain']").first.inner_text()
    assert INFUSED_PATIENT in main_text


def test_presentation_mode_link(server, page):
    """?present=1 collapses the sidebar and replaces patient IDs by pseudonyms."""
    open_path(page, server, "response?present=1")
    open_tab(page, "Swimmer plot")
    page.wait_for_selector(f"{CHART} .main-svg", timeout=30_000)
    screenshot(page, "response_presentation")
    assert page.locator(EXCEPTION).count() == 0
    main_text = page.locator("[data-testid='stMain']").first.inner_text()
    assert "NCT05290155-SYN-0" not in main_text
    assert re.search(r"\bP-[0-9A-Z]{4}\b", page.content())


def test_swimmer_to_patient_path(server, page):
    """From the response page, choosing a lane's patient opens the patient profile with that
    patient (the keyboard path beside clicking the lane)."""
    open_path(page, server, "response")
    open_tab(page, "Swimmer plot")
    page.get_by_role("button", name="Open profile").first.wait_for()
    combo = page.get_by_role("combobox", name="Open patient profile")
    combo.click()
    combo.fill(INFUSED_PATIENT)
    page.get_by_role("option").filter(has_text=INFUSED_PATIENT).first.click()
    wait_idle(page)
    assert combo.input_value() == INFUSED_PATIENT
    page.get_by_role("button", name="Open profile").first.click()
    page.wait_for_url(re.compile(r"/patient\?.*patient="), timeout=30_000)
    wait_idle(page)
    page.wait_for_selector(f"{CHART} .main-svg", timeout=30_000)
    screenshot(page, "swimmer_to_patient")
    assert INFUSED_PATIENT in page.url
    assert page.get_by_text("1 of 14 patients").first.is_visible()


def test_deep_link_as_first_request_after_a_restart(browser, synthetic_snapshot):
    """A fresh server whose very first request is a patient link still runs app.py's
    navigation: the sidebar lists page titles (not file names) and the patient is shown."""
    proc, url = start_streamlit(synthetic_snapshot)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        open_path(page, url, f"patient?patient={INFUSED_PATIENT}")
        page.wait_for_selector(f"{CHART} .main-svg", timeout=30_000)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        screenshot(page, "patient_first_request")
        assert "Patient profile" in nav and "Overview and enrollment" in nav
        assert "app" not in nav.split()
        assert page.get_by_text("1 of 14 patients").first.is_visible()
        assert INFUSED_PATIENT in page.url
        context.close()
    finally:
        stop(proc)
