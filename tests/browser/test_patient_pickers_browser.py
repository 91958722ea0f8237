"""The sidebar's Patients filter of a large trial in headless Chromium at 1280x720, over a
600-patient synthetic snapshot (above ``patient_pick.MANY_PATIENTS``): a patient ID typed in
lower case and entered opens that patient's profile; an ID naming nobody is refused."""

from __future__ import annotations

import pytest
from conftest import screenshot, start_streamlit, stop, wait_idle

PATIENTS = 600
PATIENTS_FILTER = '[data-testid="stSidebar"] [data-testid="stMultiSelect"]'


@pytest.fixture(scope="module")
def large_server(tmp_path_factory):
    from trialdash.build import build_synthetic

    path = build_synthetic(tmp_path_factory.mktemp("pickers") / "large.duckdb",
                           patients=PATIENTS)
    proc, url = start_streamlit(path)
    yield url
    stop(proc)


def type_patient(page, text: str) -> None:
    field = page.locator(PATIENTS_FILTER).filter(has_text="Patients").locator("input")
    field.click()
    field.fill(text)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_idle(page)


def test_typed_patient_id_opens_the_profile(large_server, page):
    page.goto(f"{large_server}/patient", wait_until="domcontentloaded")
    wait_idle(page)
    # The 700th enrolled patient is far beyond the 100 the filter lists.
    type_patient(page, "nct05290155-syn-700")
    page.wait_for_url("**patient=NCT05290155-SYN-700**", timeout=60_000)
    wait_idle(page)
    assert not page.locator('[data-testid="stException"]').count()
    profile_box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first
    assert profile_box.locator("input").input_value().startswith("NCT05290155-SYN-700 · ")
    screenshot(page, "patient_typed_600")


def test_typed_id_naming_nobody_is_refused(large_server, page):
    page.goto(f"{large_server}/patient", wait_until="domcontentloaded")
    wait_idle(page)
    type_patient(page, "NCT05290155-SYN-999")
    warning = page.get_by_text("A patient you typed is not available for your access.")
    warning.wait_for(timeout=60_000)
    assert "patient=" not in page.url
    assert not page.locator('[data-testid="stException"]').count()
