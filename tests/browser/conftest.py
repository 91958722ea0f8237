"""Browser tests: `streamlit run app.py` on a free local port, driven by Playwright in
Debian's Chromium (/usr/bin/chromium; Playwright's own browser download is not used)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_streamlit(snapshot: Path) -> tuple[subprocess.Popen, str]:
    """Start the dashboard on a free loopback port over ``snapshot``; wait until healthy
    (the benchmark's own server start, so tests and benchmarks serve the app alike)."""
    from benchmarks.browser import serve

    return serve(ROOT, {"TRIALDASH_SNAPSHOT": str(snapshot)})


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started by :func:`start_streamlit`."""
    from benchmarks.browser import stop as stop_server

    stop_server(proc)


@pytest.fixture(scope="module")
def findings_server(tmp_path_factory):
    """The dashboard over the synthetic trial written with the three findings of
    tests/app/test_data_page.py."""
    app_tests = str(ROOT / "tests" / "app")
    if app_tests not in sys.path:
        sys.path.insert(0, app_tests)
    from test_data_page import write_findings_snapshot

    path = write_findings_snapshot(tmp_path_factory.mktemp("findings") / "findings.duckdb")
    proc, url = start_streamlit(path)
    yield url
    stop(proc)


@pytest.fixture(scope="session")
def server(synthetic_snapshot):
    proc, url = start_streamlit(synthetic_snapshot)
    yield url
    stop(proc)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    yield page
    context.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished running and charts have been laid out (no element
    is still a loading placeholder: the first chart of a browser session waits for Plotly's
    code to arrive)."""
    page.wait_for_selector(APP_IDLE, timeout=timeout)
    page.wait_for_timeout(800)
    page.wait_for_selector(APP_IDLE, timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')",
                           timeout=timeout)


def open_tab(page, label: str) -> None:
    """Open a page's tab by its label and wait for the script run it starts (a page's tabs
    draw only the open one, trialdash.ui_sections)."""
    page.get_by_role("tab", name=label, exact=True).click()
    wait_idle(page)


def tab_labels(page) -> list[str]:
    """The labels of the main area's tabs, in order."""
    return [t.strip() for t in page.locator('[data-testid="stMain"] [role="tab"]')
            .all_inner_texts()]


def each_tab(page):
    """Visit the page's tabs in turn (the first is open on arrival): yields (index, label)
    once each is open and drawn."""
    for index, label in enumerate(tab_labels(page)):
        if index:
            open_tab(page, label)
        yield index, label


def screenshot(page, name: str) -> Path:
    """Save the first screen (1280x720, what a projector shows) and the whole page.

    Streamlit scrolls inside its main container, so for the whole page the viewport is
    stretched to the content's height and then restored.
    """
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
        "[data-testid=\"stAppViewContainer\"]')].map(e => e.scrollHeight), 720)")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(600)
    page.screenshot(path=str(SCREENSHOTS / f"{name}_full.png"))
    page.set_viewport_size(size)
    return path
