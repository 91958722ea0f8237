"""The browser benchmark (``make bench``) runs end to end on a tiny snapshot: every page is
switched to and filtered, nothing times out, and both result files are written. Times are
printed by the benchmark, never asserted here."""

from __future__ import annotations

import json

from benchmarks import browser as bench


def test_browser_benchmark_runs_end_to_end(tmp_path, capsys):
    assert bench.main(["--sizes", "3", "--runs", "1", "--timeout", "90",
                       "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results) == {"blank", "3 patients"}
    dashboard = results["3 patients"]
    assert dashboard["first_load"][0] is not None
    assert {"Overview and enrollment", "Safety", "Patient profile"} <= set(dashboard["page_switch"])
    timings = [t for runs in dashboard["page_switch"].values() for t in runs]
    timings += [t for runs in dashboard["filter_change"].values() for t in runs]
    assert timings and all(t is not None and t > 0 for t in timings)
    assert dashboard["peak_rss_mb"] > 0
    table = (tmp_path / "results.md").read_text()
    assert "| first load, charts drawn |" in table and "filter change (worst page)" in table
    assert table in capsys.readouterr().out
