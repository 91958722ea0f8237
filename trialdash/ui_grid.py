"""Column widths that make a Streamlit data grid fit the main column, its long text wrapped.

Streamlit's grid never wraps a cell unless its rows are taller than 4rem (64 px); a table
wider than the screen scrolls sideways and hides its last columns on a shared 1280x720
screen. :func:`fitted_grid` gives the short columns their natural width and shares what is
left among the columns whose text may wrap (at spaces), with rows tall enough for the
longest text.

Assumptions
-----------
* Widths are estimated from character counts (``ui.GRID_CHAR_PX`` per character), like
  :func:`trialdash.ui.grid_width_px`; the grid's font is proportional, so this is a bound
  for ordinary text, not an exact measure.
* The main column is :data:`GRID_FIT_PX` wide at 1280 px with the sidebar open, less the
  row-selection column of a selectable grid.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from trialdash.ui import GRID_CELL_PAD_PX, GRID_CHAR_PX, MAX_ROWS_IN_FULL

#: Width a grid can take in the main column at 1280x720, sidebar open (the grid measured
#: 818 px; less a margin for the estimates).
GRID_FIT_PX = 770
SELECTION_COLUMN_PX = 36
#: Height of one wrapped line and the row's padding; wrapping needs rows taller than 64 px.
LINE_PX, ROW_PAD_PX, MIN_WRAPPING_ROW_PX = 20, 14, 66
MAX_LINES = 5
MIN_WRAP_WIDTH_PX = 120


def _natural_px(values: pd.Series, name: str) -> float:
    longest = max([len(str(name))] + [len(str(v)) for v in values.head(MAX_ROWS_IN_FULL * 10)])
    return longest * GRID_CHAR_PX + GRID_CELL_PAD_PX


def _longest_word_px(values: pd.Series) -> float:
    words = [len(w) for v in values.dropna().astype(str) for w in v.split()] or [0]
    return max(words) * GRID_CHAR_PX + GRID_CELL_PAD_PX


def fitted_grid(frame: pd.DataFrame, wrap: list[str], selectable: bool = False,
                fit_px: float = GRID_FIT_PX) -> dict:
    """``st.dataframe`` keyword arguments (``column_config``, ``row_height``) that fit
    ``frame`` into ``fit_px`` with the ``wrap`` columns' text wrapped.

    Columns not in ``wrap`` keep their natural width; each ``wrap`` column gets a share of the
    rest in proportion to its natural width, never less than its longest word. Rows grow to
    the lines the longest wrapped cell needs (at most :data:`MAX_LINES`). A frame that fits
    unwrapped gets natural widths and the default row height.
    """
    available = fit_px - (SELECTION_COLUMN_PX if selectable else 0)
    natural = {c: _natural_px(frame[c], c) for c in frame.columns}
    if sum(natural.values()) <= available or not wrap:
        return {"column_config": {c: st.column_config.Column(width=int(w))
                                  for c, w in natural.items()}}
    fixed = sum(w for c, w in natural.items() if c not in wrap)
    left = max(available - fixed, MIN_WRAP_WIDTH_PX * len(wrap))
    wrap_total = sum(natural[c] for c in wrap)
    widths = dict(natural)
    lines = 1
    for column in wrap:
        width = max(left * natural[column] / wrap_total, _longest_word_px(frame[column]),
                    MIN_WRAP_WIDTH_PX)
        widths[column] = min(width, natural[column])
        per_line = max((widths[column] - GRID_CELL_PAD_PX) / GRID_CHAR_PX, 1)
        # Wrapping at spaces leaves each line a little short: count 15 % more characters.
        needed = math.ceil((natural[column] - GRID_CELL_PAD_PX) / GRID_CHAR_PX * 1.15 / per_line)
        lines = max(lines, min(needed, MAX_LINES))
    row_height = max(lines * LINE_PX + ROW_PAD_PX, MIN_WRAPPING_ROW_PX) if lines > 1 else None
    kwargs = {"column_config": {c: st.column_config.Column(width=int(w))
                                for c, w in widths.items()}}
    if row_height:
        kwargs["row_height"] = row_height
    return kwargs
