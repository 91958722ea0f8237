"""Kept analysis results (trialdash.analysis.memo with the dashboard's memo in trialdash.ui).

Over the response fixture of ``test_response_analysis.py`` (P1-P5 infused), with a query
runner that counts the queries it answers: a repeated analysis with unchanged inputs runs
no query and gives the same result; another filter, another set of visible patients or
another snapshot modification time is computed afresh.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_response_analysis import build_response_trial

from trialdash import access, queries, ui
from trialdash.analysis import response
from trialdash.analysis.filters import Filter
from trialdash.snapshot import connect_read_only, read_meta
from trialdash.trial import Trial


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    path = tmp_path_factory.mktemp("memo") / "resp.duckdb"
    build_response_trial(path)
    return path


class CountingTrial:
    """A dashboard-like Trial whose runner counts queries."""

    def __init__(self, path, mtime: float = 1.0, allowed: frozenset[str] | None = None):
        con = connect_read_only(path)
        self.queries = 0

        def run(name: str, **params) -> pd.DataFrame:
            self.queries += 1
            return queries.run(con, name, **params)

        self.trial = Trial(access.restrict_runner(run, allowed), read_meta(con),
                           memo=ui._analysis_memo(str(path), mtime, allowed))


@pytest.fixture(autouse=True)
def empty_cache():
    ui.results_cache("queries").clear()
    ui.results_cache("results").clear()


def test_a_repeated_analysis_runs_no_query(snapshot):
    """Second call with the same snapshot, filter and visibility: 0 queries, same ORR (hand
    count in test_response_analysis: 3 responders of 4 evaluable)."""
    counting = CountingTrial(snapshot)
    first = response.orr_table(counting.trial.cohort(), "dose_group")
    assert counting.queries > 0
    counting.queries = 0
    again = response.orr_table(counting.trial.cohort(), "dose_group")
    assert counting.queries == 0
    pd.testing.assert_frame_equal(first, again)
    assert again.iloc[-1]["responders"] == 3 and again.iloc[-1]["n"] == 4


def test_filter_visibility_and_snapshot_time_are_part_of_the_key(snapshot):
    """Dose 0.25 (P1, P2): 2 evaluable. A monitor allowed only P1 and P2 sees 2 patients
    although the unrestricted result (5 rows) is kept. A new modification time recomputes."""
    everyone = CountingTrial(snapshot)
    assert len(response.best_response(everyone.trial.cohort())) == 5
    low = Filter.of(["0.25 x10^6 cells/kg"], [], [])
    assert list(response.best_response(everyone.trial.cohort(low))["USUBJID"]) == ["P1", "P2"]
    monitor = CountingTrial(snapshot, allowed=frozenset({"P1", "P2"}))
    assert list(response.best_response(monitor.trial.cohort())["USUBJID"]) == ["P1", "P2"]
    assert monitor.queries > 0
    newer = CountingTrial(snapshot, mtime=2.0)
    response.best_response(newer.trial.cohort())
    assert newer.queries > 0


def test_without_a_memo_the_analysis_simply_runs(snapshot):
    """Tests, CLI and reports open a Trial without a memo: the plain function runs."""
    trial = Trial.open(snapshot)
    assert trial.memo is None
    assert response.best_response.uncached(trial.cohort()).equals(
        response.best_response(trial.cohort()))
