"""Safety and Data page tables fit a 1280 px screen (sidebar open): no table scrolls sideways,
so no column (e.g. the ASTCT grade of the episode list, the last columns of the findings)
sits off-screen. Hand check: the review found the patient AE table's ASTCT grade, and the
Data page's finding values, hidden at 1280 px."""

from __future__ import annotations

from conftest import each_tab, screenshot, wait_idle

GRID = '[data-testid="stDataFrame"]'
SCROLLER = ".dvn-scroller"
#: Grids and static tables (a table too wide for a grid is shown static, its cells wrapped).
TABLES = f'{GRID}, [data-testid="stTable"]'


def test_safety_tables_do_not_scroll_sideways(server, page):
    """Every table of every Safety tab (expanders opened)."""
    page.goto(f"{server}/safety", wait_until="domcontentloaded")
    wait_idle(page)
    overflowing, count = [], 0
    for index, label in each_tab(page):
        for summary in page.locator('[data-testid="stExpander"] summary').element_handles():
            summary.click()
        wait_idle(page)
        tables = page.locator(TABLES).element_handles()
        count += len(tables)
        overflowing += [(label, *found) for found in sideways_scrolling(page, tables)]
        screenshot(page, f"safety_tables_{index}")
    assert count >= 8  # TEAE, periods, CRS/ICANS x2, episodes, cytopenias, HLH, DLT...
    assert not overflowing, overflowing


def sideways_scrolling(page, grids) -> list[tuple[int, list[int]]]:
    """(index, [scroll width, client width]) of each grid or static table wider than its
    box."""
    overflowing = []
    for index, grid in enumerate(grids):
        grid.scroll_into_view_if_needed()
        page.wait_for_timeout(200)
        widths = grid.evaluate(
            f"g => {{ const s = g.querySelector('{SCROLLER}'); "
            "if (s) return [s.scrollWidth, s.clientWidth]; "
            "const t = g.querySelector('table'); "
            "return t ? [t.scrollWidth, g.clientWidth] : [0, 0]; }")
        if widths[0] > widths[1] + 1:
            overflowing.append((index, widths))
    return overflowing


def test_data_page_tables_do_not_scroll_sideways(findings_server, page):
    """Every Data-page grid, the findings list included, shows all its columns; the
    findings' values (the last column) are on screen."""
    page.goto(f"{findings_server}/data", wait_until="domcontentloaded")
    wait_idle(page)
    findings = page.locator(GRID).last
    findings.locator("[role='gridcell']").first.wait_for(state="attached", timeout=30_000)
    grids = page.locator(TABLES).element_handles()
    assert len(grids) >= 3  # data cuts, findings by rule, findings
    headers = findings.locator("[role='columnheader']").all_inner_texts()
    assert "Value" in headers and "What was found" in headers
    overflowing = sideways_scrolling(page, grids)
    screenshot(page, "data_tables")
    assert not overflowing, overflowing
