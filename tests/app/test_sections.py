"""Pages in tabs (trialdash.ui_sections): in the dashboard only the open tab's content runs,
and opening each tab in turn shows exactly what the meeting pack, which draws every tab,
collects. AppTest cannot click a tab; a tab is opened through its key in session state, as
Streamlit's own tab widget does."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from trialdash import ui_sections

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 120
# Page script -> the session key of its tabs.
SECTIONED = {
    "overview": "overview_section",
    "safety": "safety_section",
    "kinetics": "kinetics_section",
    "response": "response_section",
    "survival": "survival_section",
    "patient": "pt_records",
}


@pytest.fixture
def snapshot_env(synthetic_snapshot, monkeypatch):
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(synthetic_snapshot))


def open_page(page: str, tab: str | None = None, key: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).switch_page(f"pages/{page}.py")
    if tab is not None:
        at.session_state[key] = tab
    return at.run()


def shown(at: AppTest, in_tabs: bool) -> Counter:
    """What the main area shows, by kind of element (headings by their text), inside the
    page's tabs or outside them."""
    counts: Counter = Counter()

    def walk(node, tabbed: bool) -> None:
        kind = getattr(node, "type", "")
        tabbed = tabbed or kind == "tab"
        if isinstance(node, Block):
            for child in node.children.values():
                walk(child, tabbed)
        elif tabbed == in_tabs:
            counts[f"{kind}: {node.value}" if kind in ("header", "subheader") else kind] += 1

    walk(at.main, False)
    return counts


def tab_labels(at: AppTest) -> list[str]:
    return [tab.label for tab in at.tabs]


def test_safety_runs_only_the_open_tab(snapshot_env, lazy_sections):
    """The first tab is open on arrival: the TEAE summary is drawn, the CRS/ICANS chart is
    not; opening "CRS and ICANS" draws its chart and not the TEAE tables."""
    at = open_page("safety")
    assert not at.exception
    assert tab_labels(at) == ["Adverse events", "DLTs and deaths", "CRS and ICANS",
                              "CRS and ICANS episodes", "By preferred term",
                              "Cytopenias and HLH"]
    headings = [h.value for h in at.header]
    assert "Treatment-emergent adverse events" in headings
    assert "CRS and ICANS" not in headings
    assert not at.get("plotly_chart")

    at = open_page("safety", "CRS and ICANS", "safety_section")
    assert not at.exception
    headings = [h.value for h in at.header]
    assert headings.count("CRS and ICANS") == 1
    assert "Treatment-emergent adverse events" not in headings
    assert len(at.get("plotly_chart")) == 1


@pytest.mark.parametrize("page", sorted(SECTIONED))
def test_tabs_one_by_one_show_what_every_section_shows(snapshot_env, lazy_sections, page):
    """Opening each tab in turn shows, summed, the elements (headings, charts, tables,
    captions, controls) the page's tabs hold when every tab is drawn (the meeting pack's
    view); each tab shows something, and what sits above the tabs is the same either way."""
    key = SECTIONED[page]
    first = open_page(page)
    labels = tab_labels(first)
    assert len(labels) >= 3, labels
    summed = Counter()
    for index, label in enumerate(labels):
        at = first if index == 0 else open_page(page, label, key)
        assert not at.exception, (page, label, [e.value for e in at.exception])
        in_tab = shown(at, in_tabs=True)
        assert in_tab, f"{page}: tab {label!r} shows nothing"
        summed += in_tab

    with ui_sections.drawing_every_section():
        every = open_page(page)
    assert summed == shown(every, in_tabs=True)
    assert shown(first, in_tabs=False) == shown(every, in_tabs=False)


def test_crs_icans_caption_names_the_grading_scales(snapshot_env):
    """The CRS and ICANS grade table's caption lists each syndrome's grading scale (it once
    printed the placeholder '{scales}' instead)."""
    at = open_page("safety")
    captions = " ".join(c.value for c in at.caption)
    assert "{scales}" not in captions
    assert "ICANS: ASTCT" in captions


def test_settings_inside_a_tab_survive_a_visit_to_another_tab(snapshot_env, lazy_sections):
    """A tab's own controls (here the survival landmark day) keep their value while another
    tab of the page is open: Streamlit forgets a widget that is not drawn unless it persists
    its state (ui_sections.KEEP)."""
    key = SECTIONED["survival"]
    at = open_page("survival", "By allo-HSCT (landmark)", key)
    at.number_input(key="surv_landmark").set_value(28).run()
    assert at.number_input(key="surv_landmark").value == 28
    at.session_state[key] = "Kaplan-Meier"
    at.run()
    assert "surv_landmark" not in [n.key for n in at.get("number_input")]  # not drawn
    at.session_state[key] = "By allo-HSCT (landmark)"
    at.run()
    assert not at.exception
    assert at.number_input(key="surv_landmark").value == 28
