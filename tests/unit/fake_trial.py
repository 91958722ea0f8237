"""A Trial over in-memory frames, for analysis and figure tests that need only subjects and
time-to-event rows (the real queries are tested in test_queries.py)."""

from __future__ import annotations

import pandas as pd

from trialdash.trial import Trial


def fake_trial(subjects: pd.DataFrame, adtte: pd.DataFrame,
               endpoints: pd.DataFrame | None = None) -> Trial:
    """A Trial answering the ``subjects``, ``time_to_event`` and ``endpoints`` queries from
    the given frames; any other query fails the test."""

    def run(name: str, **params) -> pd.DataFrame:
        if name == "subjects":
            return subjects
        if name == "time_to_event":
            keep = adtte["USUBJID"].isin(params["subjects"]) & (
                adtte["PARAMCD"] == params["paramcd"])
            return adtte[keep].reset_index(drop=True)
        if name == "endpoints" and endpoints is not None:
            return endpoints
        raise AssertionError(f"unexpected query {name}")

    return Trial(run, {"source_kind": "synthetic"})
