"""Pages in tabs whose content runs only while its tab is shown.

A page of four charts and nine tables keeps the browser busy for most of a second each time
it is drawn, whatever the data. Split into tabs that track their state (``st.tabs`` with
``on_change="rerun"``, Streamlit 1.55+), a page switch or filter change draws only the open
tab, and choosing another tab is one more script run that draws that one.

The meeting pack (:mod:`trialdash.report.harvest`) runs the page scripts headlessly and must
collect every section, so a process can ask for every tab to be drawn
(:func:`draw_every_section`); the tabs then neither track state nor rerun, as plain
``st.tabs``. Controls that several tabs use belong above the tabs, drawn once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import streamlit as st

_every_section = False
#: ``persist_state`` of a widget inside a tab: Streamlit forgets a widget that is not drawn,
#: and a tab's widgets are not drawn while another tab is open.
KEEP = "page"


def draw_every_section(every: bool) -> bool:
    """Draw the content of every tab in this process (the meeting pack), or only the open
    one (the dashboard, the default); returns the previous setting, to restore."""
    global _every_section
    previous, _every_section = _every_section, every
    return previous


@dataclass(frozen=True)
class Section:
    """One tab of :func:`tabs`: ``with section:`` puts elements in it; ``shown`` says whether
    its content should run now."""

    container: object  # streamlit's TabContainer
    shown: bool

    def __enter__(self):
        return self.container.__enter__()

    def __exit__(self, *exc):
        return self.container.__exit__(*exc)


def tabs(labels: Sequence[str], key: str) -> list[Section]:
    """Tabs with ``labels``; only the open one is ``shown`` (all of them when every section is
    drawn). The first tab is open when the page is first drawn; ``key`` keeps the choice while
    the page stays open."""
    if _every_section:
        return [Section(tab, True) for tab in st.tabs(list(labels))]
    return [Section(tab, bool(tab.open))
            for tab in st.tabs(list(labels), key=key, on_change="rerun")]


def show(key: str, sections: Mapping[str, Callable[[], None]]) -> None:
    """Tabs named by the keys of ``sections``; each shown tab is drawn by calling its value
    inside it (see :func:`tabs`)."""
    for section, draw in zip(tabs(list(sections), key), sections.values(), strict=True):
        if section.shown:
            with section:
                draw()
