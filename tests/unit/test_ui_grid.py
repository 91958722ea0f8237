"""Column widths that fit a grid into the main column at 1280 px (trialdash.ui_grid)."""

import pandas as pd

from trialdash import ui_grid
from trialdash.ui import GRID_CELL_PAD_PX, GRID_CHAR_PX


def widths(kwargs: dict) -> dict[str, float]:
    return {name: column["width"] for name, column in kwargs["column_config"].items()}


def test_narrow_frame_keeps_natural_widths_and_one_line_rows():
    """Hand count: 'ab' (4 chars) -> 4 x 7.5 + 24 = 54 px; no taller rows."""
    kwargs = ui_grid.fitted_grid(pd.DataFrame({"ab": ["abcd"]}), wrap=["ab"])
    assert widths(kwargs) == {"ab": 54}
    assert "row_height" not in kwargs


def test_wide_frame_fits_with_its_long_text_wrapped():
    """A 200-character message beside a 20-character identifier: the two columns fit the
    770 px (less the 36 px selection column), the identifier whole, the message wrapped on
    taller rows (wrapping needs rows of more than 64 px)."""
    frame = pd.DataFrame({"USUBJID": ["NCT05290155-SYN-0041"],
                          "What was found": [" ".join(["word"] * 40)]})
    kwargs = ui_grid.fitted_grid(frame, wrap=["What was found"], selectable=True)
    shown = widths(kwargs)
    assert sum(shown.values()) <= ui_grid.GRID_FIT_PX - ui_grid.SELECTION_COLUMN_PX
    assert shown["USUBJID"] == int(20 * GRID_CHAR_PX + GRID_CELL_PAD_PX)
    assert kwargs["row_height"] > 64
    per_line = (shown["What was found"] - GRID_CELL_PAD_PX) / GRID_CHAR_PX
    lines = (kwargs["row_height"] - ui_grid.ROW_PAD_PX) / ui_grid.LINE_PX
    assert lines * per_line >= 199  # the whole message has room
