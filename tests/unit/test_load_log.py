"""The load test names each server traceback by its exception line (benchmarks.load), so a
failed check says what went wrong; hand-made server log."""

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
