"""The pack as PDF: the HTML pack printed by headless Chromium (Debian's /usr/bin/chromium,
driven through Playwright), with every network request refused.

Page numbers and the data cut-off in each page footer come from the HTML's ``@page``
margin boxes, so a pack printed from a browser carries them too.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
# Printable width in CSS pixels (96 per inch) of each paper size less the @page margins
# (12 mm left and right). The pages' charts are made for a wide screen, so the pack is laid
# out at LAYOUT_WIDTH_PX and printed scaled down to the printable width.
PRINT_WIDTH_PX = {"a4": (210 - 24) / 25.4 * 96, "letter": (215.9 - 24) / 25.4 * 96}
LAYOUT_WIDTH_PX = 1000
DRAW_TIMEOUT_MS = 60_000


def chromium_path() -> str:
    """Chromium to print with: ``$TRIALDASH_CHROMIUM``, else ``chromium`` on the PATH."""
    path = os.environ.get("TRIALDASH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise FileNotFoundError(
            f"Chromium not found at {path}: install Debian's chromium package "
            "(`make chromium`) or set TRIALDASH_CHROMIUM.")
    return path


def html_to_pdf(document: str, paper: str = "a4") -> bytes:
    """Print an HTML pack to PDF once every chart is drawn.

    Raises
    ------
    RuntimeError
        When a chart fails to draw or the page tries to reach the network.
    """
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="trialdash-pack-") as folder:
        source = Path(folder) / "pack.html"
        source.write_text(document, encoding="utf-8")
        blocked: list[str] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                 args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": LAYOUT_WIDTH_PX, "height": 1000})

                def refuse(route) -> None:
                    if not route.request.url.startswith(("file:", "data:", "blob:")):
                        blocked.append(route.request.url)
                        route.abort()
                        return
                    route.continue_()

                page.route("**/*", refuse)
                page.emulate_media(media="print")
                page.goto(source.as_uri(), wait_until="load")
                page.wait_for_function("window.packReady === true", timeout=DRAW_TIMEOUT_MS)
                error = page.evaluate("window.packError || null")
                if error:
                    raise RuntimeError(f"a chart of the pack failed to draw: {error}")
                if blocked:
                    raise RuntimeError(f"the pack requested the network: {blocked[:3]}")
                return page.pdf(prefer_css_page_size=True, print_background=True,
                                scale=round(PRINT_WIDTH_PX[paper] / LAYOUT_WIDTH_PX, 3))
            finally:
                browser.close()
