"""The browser benchmark (``make bench``) runs end to end on the trial's own 14-patient
snapshot: every page is switched to and filtered, every other tab opened, nothing times out,
each interaction keeps its split and the server's run-log lines, every measure gets its
verdict (and a why line when missed), the reference app's first grid and chart are measured
with the Streamlit code each fetched, and both result files are written. Times are printed
by the benchmark, never asserted here (met or missed depends on the machine)."""

from __future__ import annotations

import json

from benchmarks import browser as bench


def test_browser_benchmark_runs_end_to_end(tmp_path, capsys):
    assert bench.main(["--sizes", "14", "--runs", "1", "--timeout", "90",
                       "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results) == {"blank", "reference", "14 patients", "verdicts"}
    dashboard = results["14 patients"]
    assert dashboard["runs"] == 1 and dashboard["patients"] == 14
    assert {"Overview and enrollment", "Safety", "Patient profile"} <= set(dashboard["page_switch"])
    timings = {("first load", "Overview and enrollment"): dashboard["first_load"]}
    for kind in ("page_switch", "filter_change", "tab_switch"):
        timings |= {(kind, page): runs for page, runs in dashboard[kind].items()}
    assert {"Safety › CRS and ICANS", "Response › Swimmer plot",
            "Patient profile › Milestones"} <= set(dashboard["tab_switch"])
    assert all(t["seconds"] is not None and t["seconds"] > 0
               for runs in timings.values() for t in runs)

    # The split: every interaction noted its script states; where the browser saw the script
    # run, the three parts are there (a run too short to be drawn has none).
    seen = [t for runs in timings.values() for t in runs
            if any(state == "running" for state, _ in t["states"])]
    assert seen and all(t["to_script_s"] is not None and t["script_s"] is not None
                        and t["drawing_s"] is not None for t in seen)
    # The run log: each interaction has the server's lines of its page, with phases and
    # peak memory; the Safety page's CRS and ICANS tab draws charts with points.
    for (_, name), runs in timings.items():
        page = name.split(" › ")[0]  # a tab switch is named "page › tab"
        for t in runs:
            assert page in [line["page"] for line in t["server_runs"]], (page, t["server_runs"])
            assert all(line["seconds"] > 0 and "phases" in line and line["peak_rss_mb"] > 0
                       for line in t["server_runs"])
    safety = dashboard["tab_switch"]["Safety › CRS and ICANS"][0]
    assert safety["charts"] > 0 and safety["points"] > 0
    assert dashboard["peak_rss_mb"] > 0 and dashboard["build_s"] > 0
    assert "deriving dashboard columns" in dashboard["build_steps"]
    assert not any(t["server_runs"] for t in results["blank"]["first_load"])

    # The Streamlit code fetched: the reference app's grid page fetches the grid's code, its
    # chart page the chart's, each the session's first; the dashboard's first load (two
    # charts) fetches the chart's, and its Overview page switch (already loaded) none of it.
    reference = results["reference"]
    assert reference["reference"] and reference["patients"] is None
    (grid,) = reference["page_switch"]["One data grid"]
    (chart,) = reference["page_switch"]["One chart"]
    assert grid["code"]["DataFrame"] > 100 and "PlotlyChart" not in grid["code"]
    assert chart["code"]["PlotlyChart"] > 1000 and "DataFrame" not in chart["code"]
    assert "PlotlyChart" in dashboard["first_load"][0]["code"]
    assert "PlotlyChart" not in dashboard["page_switch"]["Overview and enrollment"][0]["code"]

    # Verdicts: at 14 patients every interaction is judged against the blank app; memory and
    # build have no target at this size. Every missed target has its why line.
    verdicts = results["verdicts"]
    interactions = [v for v in verdicts if v["measure"] != "server peak resident memory"
                    and v["measure"] != "snapshot build"]
    assert len(interactions) == sum(len(runs) > 0 for runs in timings.values())
    assert {v["status"] for v in interactions} <= {"met", "MISSED"}
    missed = [v for v in verdicts if v["status"] == "MISSED"]
    assert all(v["why"] for v in missed)

    table = (tmp_path / "results.md").read_text()
    assert "| first load, charts drawn |" in table and "filter change (worst page)" in table
    assert "tab switch (worst tab)" in table
    assert "Streamlit itself (the reference app, same run, median of 1) takes " in table
    assert "| measure | page | measured | target | verdict |" in table
    listed = table.split("Missed targets:")[1]
    assert [line[2:] for line in listed.splitlines() if line.startswith("- ")] == \
        [v["why"] for v in missed]
    assert table in capsys.readouterr().out
