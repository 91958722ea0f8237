"""Charts under Chromium's emulated colour-vision deficiencies.

Chromium applies the deficiency to what it paints (CDP ``Emulation.setEmulatedVisionDeficiency``;
its matrices are those of Machado, Oliveira & Fernandes 2009). For every chart on a page, the
legend swatches of filled traces are screenshotted and their painted colours compared: two
swatches of one palette (same opacity) whose specified colours differ (CIE76 Delta E >= 15 in
normal vision) must still differ by Delta E >= 10 as painted under deuteranopia and
protanopia. A screenshot of each
page under each deficiency is saved under tests/browser/screenshots/ (git-ignored).
"""

from __future__ import annotations

import io
import itertools
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import SCREENSHOTS, open_tab, wait_idle
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from cvd import delta_e  # noqa: E402

CHART = '[data-testid="stPlotlyChart"]'
SWATCH = ".legend .traces .legendpoints path"
PALETTE_DELTA_E = 15.0
PAINTED_DELTA_E = 10.0
# (URL path, tab) of the charts with coloured legends (a page draws only its open tab).
VIEWS = (("safety", "CRS and ICANS"), ("response", "Best overall response"),
         ("response", "Swimmer plot"), ("", "Enrollment"))


def _emulate(page, deficiency: str) -> None:
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setEmulatedVisionDeficiency", {"type": deficiency})


def _painted(page, handle) -> tuple[int, int, int] | None:
    """Median colour of the middle of a swatch as painted (None if too small to sample)."""
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    if box is None or box["width"] < 8 or box["height"] < 8:
        return None
    clip = {"x": box["x"] + box["width"] / 2 - 2, "y": box["y"] + box["height"] / 2 - 2,
            "width": 4, "height": 4}
    pixels = np.asarray(Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB"))
    return tuple(int(v) for v in np.median(pixels.reshape(-1, 3), axis=0))


def _swatch_pairs(page) -> list[tuple[str, tuple, tuple]]:
    """(chart index, painted colour a, painted colour b) for every two swatches of one
    palette in a chart (same fill opacity: translucent dose lanes are one palette, opaque
    response markers another) whose specified colours, faded by their opacity over white,
    differ by at least PALETTE_DELTA_E."""
    pairs = []
    for index, chart in enumerate(page.locator(CHART).element_handles()):
        swatches = []
        for handle in chart.query_selector_all(SWATCH):
            fill, opacity = handle.evaluate(
                "e => [getComputedStyle(e).fill, getComputedStyle(e).fillOpacity]")
            if not fill.startswith("rgb(") or fill == "rgb(255, 255, 255)":
                continue
            alpha = float(opacity)
            specified = tuple(round(alpha * int(v) + (1 - alpha) * 255)
                              for v in fill[4:-1].split(","))
            painted = _painted(page, handle)
            if painted is not None:
                swatches.append((alpha, specified, painted))
        for (alpha_a, spec_a, paint_a), (alpha_b, spec_b, paint_b) in itertools.combinations(
                swatches, 2):
            if alpha_a == alpha_b and delta_e(spec_a, spec_b) >= PALETTE_DELTA_E:
                pairs.append((f"chart {index}", paint_a, paint_b))
    return pairs


def _open(page, url: str, tab: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    open_tab(page, tab)
    page.wait_for_selector(f"{CHART} .main-svg", timeout=30_000)


@pytest.mark.parametrize("deficiency", ["deuteranopia", "protanopia"])
@pytest.mark.parametrize("path,tab", VIEWS, ids=[f"{p or 'overview'}-{t}" for p, t in VIEWS])
def test_chart_colours_stay_apart_under_emulated_cvd(server, page, path, tab, deficiency):
    """Legend colours of every chart remain distinguishable as Chromium paints them with the
    deficiency emulated; the same check with no deficiency is the control."""
    _open(page, f"{server}/{path}", tab)
    _emulate(page, deficiency)
    page.wait_for_timeout(500)
    pairs = _swatch_pairs(page)
    assert pairs, "no coloured legend swatches found"
    SCREENSHOTS.mkdir(exist_ok=True)
    name = f"cvd_{path or 'overview'}_{tab.split()[0].lower()}_{deficiency}.png"
    page.screenshot(path=str(SCREENSHOTS / name))
    close = [(chart, a, b, round(delta_e(a, b), 1)) for chart, a, b in pairs
             if delta_e(a, b) < PAINTED_DELTA_E]
    assert not close, close


def test_emulation_changes_what_is_painted(server, page):
    """The emulation is in effect: the first coloured legend swatch (CRS grade 1, pale yellow)
    is painted in colour normally and in grey under emulated achromatopsia, so the checks
    above see the simulated view."""
    _open(page, f"{server}/safety", "CRS and ICANS")
    handle = page.locator(f"{CHART} {SWATCH}").first.element_handle()
    normal = _painted(page, handle)
    _emulate(page, "achromatopsia")
    page.wait_for_timeout(500)
    grey = _painted(page, handle)
    assert normal is not None and grey is not None
    assert max(grey) - min(grey) <= 3  # achromatopsia paints in greys
    assert max(normal) - min(normal) > 20
