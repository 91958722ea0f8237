"""Wide tables become static (wrapping) tables: the width estimate of trialdash.ui."""

import pandas as pd
import pyarrow as pa

from trialdash import ui


def test_grid_width_is_longest_text_per_column():
    """Hand count: columns 'ab' (longest 'abcd', 4 chars) and 'Patients' (8 chars):
    (4 + 8) x 7.5 px + 2 x 24 px padding = 138 px."""
    frame = pd.DataFrame({"ab": ["abcd", "x"], "Patients": [1, 22]})
    assert ui.grid_width_px(frame) == 138.0


def test_the_3_plus_3_ledger_does_not_fit_the_grid_at_1280():
    """The overview ledger's 'Rule applied' text alone (67 characters) with six other
    columns passes the 880 px main column, so it is shown as a wrapping table."""
    ledger = pd.DataFrame({
        "Dose level": ["1.0 x10^6 cells/kg"], "Treated": [8], "Of whom expansion": [2],
        "DLT-evaluable (escalation)": [6], "DLTs": [1], "3+3 decision": ["Tolerated"],
        "Rule applied": ["1/6 DLT: at most 1 DLT in 6, tolerated (highest dose level)"]})
    assert ui.grid_width_px(ledger) > ui.MAIN_COLUMN_PX


def test_static_table_cells_read_as_the_grid_shows_them():
    """Hand-made row of the patient profile's adverse events (a table too wide for the grid,
    so static): the end day of an ongoing event is blank, not "None"; days are whole numbers,
    not "251.0000"; flags read Yes/No, not true/false; fractions keep their digits. All text,
    so a column of grades and blanks still converts to Arrow (st.table refused a column of
    ints and blanks: "Expected bytes, got a 'int' object")."""
    frame = pd.DataFrame({"Term": ["Anemia", "Nausea"], "Start day": [7.0, -3.0],
                          "End day": [None, 0.0], "Ongoing": [True, False],
                          "LLOQ": [50.0, 2.5], "Grade": pd.array([3, None], dtype="Int64")})
    cells = ui.static_cells(frame)
    assert cells.to_dict("list") == {
        "Term": ["Anemia", "Nausea"], "Start day": ["7", "-3"], "End day": ["", "0"],
        "Ongoing": ["Yes", "No"], "LLOQ": ["50", "2.5"], "Grade": ["3", ""]}
    mixed = pd.DataFrame({"ASTCT grade": [2, None, "1"]}, dtype=object)
    assert pa.Table.from_pandas(ui.static_cells(mixed)).column(0).to_pylist() == ["2", "", "1"]
