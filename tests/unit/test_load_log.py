"""The load test says what went wrong when a check fails (benchmarks.load): each server
traceback by its exception line (hand-made server log), a failed interaction by its reason
(hand-made interactions)."""

from benchmarks.load import traceback_errors


def test_each_traceback_is_named_by_its_exception_line():
    log = ["2026-11-29 INFO started\n",
           "Traceback (most recent call last):\n",
           '  File "pages/safety.py", line 12, in <module>\n',
           "    summary = safety.teae_summary(cohort, window_days)\n",
           "KeyError: 'AETOXGR'\n",
           "2026-11-29 INFO next run\n",
           "Traceback (most recent call last):\n",
           '  File "app.py", line 3\n']
    assert traceback_errors(log) == ["KeyError: 'AETOXGR'", "(cut off)"]
    assert traceback_errors(["no trouble\n"]) == []


def test_a_failed_interaction_is_reported_with_its_reason():
    from benchmarks.load import Interaction, LoadResult

    result = LoadResult(sessions=1, seconds=60, patients=14, cutoffs=["a", "b"],
                        replaced_at_s=[30.0], final_cutoffs=["b"])
    result.interactions = [
        Interaction(0, "page switch", "Safety", 1.0, 2.5),
        Interaction(0, "filter change", "Response", 4.0, None,
                    "the page had not finished after 120 s"),
    ]
    assert result.failed_runs == 1
    assert result.problems() == [
        "1 interaction(s) did not finish in time, first: session 0, filter change on "
        "Response (the page had not finished after 120 s)"]
