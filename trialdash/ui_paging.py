"""Streamlit glue for paged per-patient views: the page control and the "n of N shown" line.

A cohort that fits on one page (the trial's 14 patients) gets no control at all, so the view
looks as it always did.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from trialdash.analysis.paging import PAGE_SIZE, PatientPage, page_count, page_label, patient_page
from trialdash.ui_state import keep_known_choice


def patient_pager(usubjids: Sequence[str], key: str, label: str = "Patients shown",
                  size: int = PAGE_SIZE, persist_state: str | None = None) -> PatientPage:
    """The page of ``usubjids`` (in the view's order) the user picked; a select box of pages
    only when they do not fit on one. A remembered page beyond the last (the filters shrank
    the list) or no longer named by its label (the list changed) falls back to the first.
    ``persist_state`` as for Streamlit widgets (``"page"`` inside a tab)."""
    total = len(dict.fromkeys(usubjids))
    pages = page_count(total, size)
    if pages == 1:
        return patient_page(usubjids, 0, size)
    keep_known_choice(key, range(pages))
    number = st.selectbox(label, range(pages), key=key, persist_state=persist_state,
                          format_func=lambda n: page_label(n, total, size),
                          help=f"At most {size} patients at a time keep the chart readable; "
                               "narrow the list with the filters in the sidebar.")
    return patient_page(usubjids, number or 0, size)


def shown_caption(page: PatientPage, noun: str = "patients") -> None:
    """'50 of 1,400 patients shown (1–50)' under a paged view; nothing when unpaged."""
    if page.paged:
        st.caption(f"**{page.describe(noun)}**. Choose another page above, or narrow the list "
                   "with the filters in the sidebar.")
