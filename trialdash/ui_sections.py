"""Pages in tabs whose content runs only while its tab is shown.

A page of four charts and nine tables keeps the browser busy for most of a second each time
it is drawn, whatever the data. Split into tabs that track their state (``st.tabs`` with
``on_change="rerun"``, Streamlit 1.55+), a page switch or filter change draws only the open
tab, and choosing another tab is one more script run that draws that one.

The meeting pack (:mod:`trialdash.report.harvest`) runs the page scripts headlessly and must
collect every section, so it draws them all (:func:`drawing_every_section`); the tabs then
neither track state nor rerun, as plain ``st.tabs``. Controls that several tabs use belong
above the tabs, drawn once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import streamlit as st

_every_section = False
#: ``persist_state`` of a widget inside a tab: Streamlit forgets a widget that is not drawn,
#: and a tab's widgets are not drawn while another tab is open.
KEEP = "page"


@contextmanager
def drawing_every_section(every: bool = True) -> Iterator[None]:
    """Within the block, pages run in this process draw the content of every tab (the
    meeting pack), or with ``every`` False only the open one (the dashboard's own way)."""
    global _every_section
    previous, _every_section = _every_section, every
    try:
        yield
    finally:
        _every_section = previous


def show(key: str, sections: Mapping[str, Callable[[], None]]) -> None:
    """Tabs named by the keys of ``sections``; the open tab (the first when the page is
    first drawn; ``key`` keeps the choice while the page stays open) is drawn by calling its
    value inside it, every tab when every section is drawn."""
    labels = list(sections)
    if _every_section:
        containers, opened = st.tabs(labels), [True] * len(labels)
    else:
        containers = st.tabs(labels, key=key, on_change="rerun")
        opened = [bool(tab.open) for tab in containers]
    for container, is_open, draw in zip(containers, opened, sections.values(), strict=True):
        if is_open:
            with container:
                draw()
