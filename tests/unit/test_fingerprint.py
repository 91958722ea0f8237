"""Content keys for the dashboard's kept results (trialdash.fingerprint).

Hand-made values: equal content gives an equal key, any change of content, type or order
(where order matters) another key; a lambda, whose name says nothing of what it captured, is
refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from trialdash.analysis.filters import Filter
from trialdash.fingerprint import fingerprint


@dataclass(frozen=True)
class Point:
    x: int
    y: str


def test_equal_content_gives_equal_keys():
    frame = pd.DataFrame({"USUBJID": ["P1", "P2"], "AVAL": [1.5, 2.0]})
    values = (["P1", "P2"], {"b": 1, "a": (2, 3)}, frame, Point(1, "a"),
              Filter.of(["0.25"], [], ["P1"]), dt.date(2024, 1, 31), np.arange(3), None)
    copies = (["P1", "P2"], {"a": (2, 3), "b": 1}, frame.copy(), Point(1, "a"),
              Filter.of(["0.25"], [], ["P1"]), dt.date(2024, 1, 31), np.arange(3), None)
    assert fingerprint(*values) == fingerprint(*copies)
    assert len(fingerprint(*values)) == 32


@pytest.mark.parametrize(("one", "other"), [
    (["P1", "P2"], ["P2", "P1"]),            # order of a list
    (["P1", "P2"], ("P1", "P2")),            # list is not tuple
    (["a\x1f", "b"], ["a", "\x1fb"]),        # the separator inside an ID
    (["ab"], ["a", "b"]),
    (1, 1.0),                                # int is not float
    (1, "1"),
    (True, 1),
    ({"a": 1}, {"a": 2}),
    (Point(1, "a"), Point(1, "b")),
    (Filter.of(["0.25"]), Filter.of(["0.5"])),
    (np.array([1, 2]), np.array([1.0, 2.0])),  # dtype
    (dt.date(2024, 1, 1), "2024-01-01"),
])
def test_a_change_of_content_or_type_changes_the_key(one, other):
    assert fingerprint(one) != fingerprint(other)


def test_a_table_changes_key_with_a_value_a_column_name_or_a_dtype():
    frame = pd.DataFrame({"USUBJID": ["P1", "P2"], "AVAL": [1.5, 2.0]})
    changed_value = frame.assign(AVAL=[1.5, 2.5])
    renamed = frame.rename(columns={"AVAL": "CHG"})
    as_int = pd.DataFrame({"USUBJID": ["P1", "P2"], "AVAL": [1, 2]})
    keys = {fingerprint(f) for f in (frame, changed_value, renamed, as_int,
                                     frame.iloc[::-1])}
    assert len(keys) == 5


def test_functions_are_keyed_by_name_and_lambdas_refused():
    assert fingerprint(fingerprint) == fingerprint(fingerprint)
    assert fingerprint(fingerprint) != fingerprint(pd.concat)
    with pytest.raises(TypeError, match="cannot fingerprint a function"):
        fingerprint(lambda cohort: cohort)


def test_unknown_objects_are_refused_not_keyed_by_identity():
    with pytest.raises(TypeError, match="cannot fingerprint a object"):
        fingerprint(object())


def test_a_dict_of_texts_is_keyed_by_its_pairs_not_its_order():
    labels = {"P1": "A", "P2": "B"}
    assert fingerprint(labels) == fingerprint({"P2": "B", "P1": "A"})
    assert fingerprint(labels) != fingerprint({"P1": "B", "P2": "A"})
    assert fingerprint(labels) != fingerprint({"P1": "A", "P2": "B", "P3": "C"})
    assert fingerprint({"a": "1"}) != fingerprint({"a": 1})
