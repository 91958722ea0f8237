"""Sidebar widget values kept across pages (Streamlit glue shared by ``ui`` and ``ui_cuts``).

Each page draws the sidebar, and Streamlit forgets a widget's state when the page that drew
it is left; the value of widget ``flt_<name>`` is therefore kept under ``_keep_<name>`` (first
from the URL) and copied back into the widget on every run.
"""

from __future__ import annotations

from collections.abc import Callable
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
