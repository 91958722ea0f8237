"""Query results share equal text values (trialdash.queries.share_equal_values): values,
missing values and dtypes unchanged, one object per distinct value (hand-made frame)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from trialdash.queries import share_equal_values


def test_equal_values_become_one_object_and_nothing_else_changes():
    rows = [f"P{i % 3}" + "x" * 10 for i in range(30)]  # built per row: 30 objects
    frame = pd.DataFrame({"USUBJID": rows, "AVAL": np.arange(30.0),
                          "AVALC": [None if i % 5 == 0 else f"CR{i % 2}" for i in range(30)],
                          "ADT": pd.date_range("2024-01-01", periods=30)})
    expected = frame.copy()
    shared = share_equal_values(frame)
    pd.testing.assert_frame_equal(shared, expected)
    assert len({id(v) for v in shared["USUBJID"]}) == 3
    assert shared["AVALC"].isna().sum() == 6  # rows 0, 5, 10, 15, 20, 25 stay missing
    assert len({id(v) for v in shared["AVALC"].dropna()}) == 2


def test_unhashable_values_are_left_alone():
    frame = pd.DataFrame({"visits": [[1, 2], [1, 2]]})
    assert share_equal_values(frame)["visits"].tolist() == [[1, 2], [1, 2]]


def test_a_column_of_missing_values_only_is_left_as_it_is():
    frame = pd.DataFrame({"DTHCAUS": [None, None]}, dtype=object)
    assert share_equal_values(frame)["DTHCAUS"].tolist() == [None, None]
