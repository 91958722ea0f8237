"""The meeting pack in Debian's Chromium: the HTML pack opened offline (every request outside
the file refused) draws every chart with no failed request; the PDF pack has every section
title, page numbers and the cut-off on every page, and pages that are not blank (pdftoppm,
pdftotext from poppler-utils); the sidebar button downloads a pack of the current view.
Page images go to tests/browser/screenshots/ (git-ignored) for a look."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import SCREENSHOTS, screenshot, wait_idle

ROOT = Path(__file__).resolve().parents[2]
LOW_DOSE = "0.25 x10^6 cells/kg"


def run_report(out: Path, *options: str, snapshot: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "trialdash", "report", "--out", str(out), "--snapshot",
         str(snapshot), *options], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    print(result.stderr.strip().splitlines()[-1])  # how long it took (not asserted)


@pytest.fixture(scope="module")
def page_titles(synthetic_snapshot) -> list[str]:
    """The navigation's page titles, from app.py run headlessly."""
    import os

    from streamlit.testing.v1 import AppTest

    from trialdash.report.harvest import navigation_pages

    before = os.environ.get("TRIALDASH_SNAPSHOT")
    os.environ["TRIALDASH_SNAPSHOT"] = str(synthetic_snapshot)
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    finally:
        if before is None:
            del os.environ["TRIALDASH_SNAPSHOT"]
        else:
            os.environ["TRIALDASH_SNAPSHOT"] = before
    return [page["page_name"] for page in navigation_pages(at)]


@pytest.fixture(scope="module")
def html_pack(synthetic_snapshot, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pack") / "pack.html"
    run_report(out, "--present", snapshot=synthetic_snapshot)
    return out


def test_html_pack_draws_every_chart_offline(browser, html_pack):
    """Opened from disk with every non-file request aborted: no request is attempted, no
    script error, and every chart placeholder holds a drawn Plotly SVG."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    outside, failed, errors = [], [], []

    def refuse(route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", refuse)
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(html_pack.as_uri(), wait_until="load")
    page.wait_for_function("window.packReady === true", timeout=60_000)
    charts = page.locator("div.chart")
    assert charts.count() >= 10  # the six pages hold at least 10 charts together
    drawn = page.locator("div.chart > .plot-container .main-svg").first
    assert drawn.is_visible()
    assert page.evaluate(
        "[...document.querySelectorAll('div.chart')].every(c => c.querySelector('.main-svg'))")
    assert page.evaluate("window.packError || null") is None
    assert (outside, failed, errors) == ([], [], [])
    screenshot(page, "meeting_pack_html")
    context.close()


def test_pdf_pack_pages_titles_and_footers(synthetic_snapshot, tmp_path, page_titles):
    """The PDF has every page's title and, on every printed page, 'Page i of N' and the
    data cut-off; pdftoppm renders every page with content (not blank)."""
    from PIL import Image, ImageStat

    for tool in ("pdftoppm", "pdftotext"):
        assert shutil.which(tool), f"{tool} missing: run `make test` (installs poppler-utils)"
    out = tmp_path / "pack.pdf"
    run_report(out, "--format", "pdf", snapshot=synthetic_snapshot)
    assert out.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    printed = text.split("\f")[:-1]  # pdftotext ends every page with a form feed
    for title in ["MEETING PACK", *page_titles]:  # the title page's kicker is upper case
        assert title in text, title
    for number, body in enumerate(printed, start=1):
        assert f"Page {number} of {len(printed)}" in body
        assert "data cut-off 2025-05-15" in body
    assert len(printed) > len(page_titles)
    SCREENSHOTS.mkdir(exist_ok=True)
    prefix = SCREENSHOTS / "meeting_pack_pdf"
    for stale in SCREENSHOTS.glob("meeting_pack_pdf-*.png"):  # from an earlier run
        stale.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(out), str(prefix)], check=True)
    images = sorted(SCREENSHOTS.glob("meeting_pack_pdf-*.png"))
    assert len(images) == len(printed)
    for image in images:
        with Image.open(image) as page_image:
            # Content above the footer (every page has the footer): not a blank page. A page
            # holding only a section's last caption line still counts as content.
            width, height = page_image.size
            body = page_image.convert("L").crop((0, 0, width, int(height * 0.9)))
            assert ImageStat.Stat(body).stddev[0] > 1, image.name


def test_sidebar_button_downloads_the_pack_of_the_current_view(server, page, page_titles):
    """On the survival page filtered to the 0.25 dose group, with its confidence band
    switched on, the sidebar's "Meeting pack (HTML)" button downloads a pack of every page
    for that view (3 of 14 patients), the survival page with the band on."""
    page.goto(f"{server}/survival?dose={quote(LOW_DOSE)}", wait_until="domcontentloaded")
    wait_idle(page)
    page.get_by_text("Show 95% confidence band").click()
    wait_idle(page)
    button = page.get_by_role("button", name=re.compile("Meeting pack \\(HTML\\)"))
    with page.expect_download(timeout=180_000) as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename == "NCT05290155_meeting_pack_2025-05-15.html"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert f"Dose: {LOW_DOSE}" in text
    assert text.count("3 of 14 patients") >= len(page_titles) + 1
    for title in page_titles:
        assert f'data-page="{title}"' in text, title
    assert "Show 95% confidence band: on" in text
