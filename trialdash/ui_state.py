"""Widget values kept across runs (Streamlit glue shared by ``ui``, ``ui_cuts`` and
``ui_paging``).

Each page draws the sidebar, and Streamlit forgets a widget's state when the page that drew
it is left; the value of widget ``flt_<name>`` is therefore kept under ``_keep_<name>`` (first
from the URL) and copied back into the widget on every run. A select box's kept choice is
checked against its current options (:func:`keep_known_choice`).
"""

from __future__ import annotations

from collections.abc import Callable, Container
from typing import Any

import streamlit as st


def restore(name: str, initial: Callable[[], Any]) -> None:
    """Give widget ``flt_<name>`` its kept value (``initial()`` the first time) before it is
    drawn."""
    state = st.session_state
    if f"_keep_{name}" not in state:
        state[f"_keep_{name}"] = initial()
    state[f"flt_{name}"] = state[f"_keep_{name}"]


def keep(name: str) -> None:
    """Widget callback: keep the new value of ``flt_<name>``."""
    st.session_state[f"_keep_{name}"] = st.session_state[f"flt_{name}"]


def keep_known_choice(key: str, options: Container,
                      from_text: Callable[[Any], Any] | None = None) -> None:
    """Make select box ``key``'s kept choice one of ``options`` before the box is drawn.

    The browser names a select box's choice by its option text. Once the texts changed (a
    pager's "Patients 51–100 of 1,400" after a filter, IDs and pseudonyms when presentation
    mode is switched), no option carries the old text and Streamlit hands the text back as
    the value (``SelectboxSerde.deserialize``). Such a value is translated by ``from_text``
    when that names an option; otherwise it is dropped and the box shows its default.
    """
    state = st.session_state
    kept = state.get(key)
    if kept is None or kept in options:
        return
    named = from_text(kept) if from_text is not None else None
    if named is not None and named in options:
        state[key] = named
    else:
        del state[key]
