"""The opt-in run log (trialdash.run_timing): one JSON line per script run when
TRIALDASH_RUN_LOG is set, nothing otherwise; phases charged their own time. Times come from a
fake clock (hand-counted ticks), never from the machine's."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import plotly.graph_objects as go
import pytest

from trialdash import run_timing


class StopException(Exception):
    """Stands for streamlit's StopException (st.stop() ends a page by raising)."""


@pytest.fixture
def log(tmp_path, monkeypatch):
    path = tmp_path / "runs.jsonl"
    monkeypatch.setenv(run_timing.ENV_VAR, str(path))
    return path


@pytest.fixture
def clock(monkeypatch):
    """perf_counter advancing by hand: each call returns the current tick."""
    now = {"t": 0.0}
    monkeypatch.setattr(run_timing.time, "perf_counter", lambda: now["t"])

    def advance(seconds: float) -> None:
        now["t"] += seconds

    return advance


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_nothing_measured_or_written_when_unset(tmp_path, monkeypatch):
    monkeypatch.delenv(run_timing.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    with run_timing.script_run("Safety") as run:
        with run_timing.phase(run_timing.QUERIES):
            run_timing.count("charts")
        assert run is None and not run_timing.active()
    assert list(tmp_path.iterdir()) == []


def test_one_line_per_run_with_page_phases_and_counts(log, clock):
    # Hand count: queries 0.5 s, analyses 1.0 s, then figures 0.25 + 0.25 s; run 2.0 s.
    with run_timing.script_run("Safety"):
        with run_timing.phase(run_timing.QUERIES):
            clock(0.5)
        with run_timing.phase(run_timing.ANALYSES):
            clock(1.0)
        for _ in range(2):
            with run_timing.phase(run_timing.FIGURES):
                clock(0.25)
            run_timing.count("charts")
            run_timing.count("points", 1200)
    with run_timing.script_run("Response"):
        clock(0.125)
    first, second = lines(log)
    assert first["page"] == "Safety" and first["outcome"] == "finished"
    assert first["seconds"] == 2.0
    assert first["phases"] == {"queries": 0.5, "analyses": 1.0, "figures": 0.5}
    assert first["counts"] == {"charts": 2, "points": 2400}
    assert second["page"] == "Response" and second["phases"] == {} and second["counts"] == {}
    assert second["seconds"] == 0.125


def test_nested_phases_charged_their_own_time(log, clock):
    # An analysis of 1.5 s that spends 1.0 s in two queries: analyses 0.5 s, queries 1.0 s,
    # and the phases add up to the run (hand count).
    with run_timing.script_run("Response"):
        with run_timing.phase(run_timing.ANALYSES):
            clock(0.25)
            with run_timing.phase(run_timing.QUERIES):
                clock(0.75)
            with run_timing.phase(run_timing.QUERIES):
                clock(0.25)
            clock(0.25)
    (line,) = lines(log)
    assert line["phases"] == {"analyses": 0.5, "queries": 1.0}
    assert sum(line["phases"].values()) == line["seconds"] == 1.5


def test_line_written_when_the_page_stops_by_raising(log, clock):
    with pytest.raises(StopException):
        with run_timing.script_run("Patient profile"):
            with run_timing.phase(run_timing.QUERIES):
                clock(0.5)
                raise StopException()
    (line,) = lines(log)
    assert line["outcome"] == "StopException"
    assert line["phases"] == {"queries": 0.5} and line["seconds"] == 0.5
    assert not run_timing.active()


def test_concurrent_sessions_keep_their_own_timings(log):
    # Two script threads at once: each one's counts stay in its own line.
    both_inside = threading.Barrier(2)

    def session(page: str, charts: int) -> None:
        with run_timing.script_run(page):
            both_inside.wait()
            for _ in range(charts):
                run_timing.count("charts")
            both_inside.wait()

    threads = [threading.Thread(target=session, args=("Safety", 3)),
               threading.Thread(target=session, args=("Survival", 5))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    by_page = {line["page"]: line["counts"] for line in lines(log)}
    assert by_page == {"Safety": {"charts": 3}, "Survival": {"charts": 5}}


def test_line_carries_the_peak_memory(log):
    with run_timing.script_run("Data"):
        pass
    (line,) = lines(log)
    assert line["peak_rss_mb"] > 0


def test_unwritable_log_does_not_break_the_page(tmp_path, monkeypatch):
    monkeypatch.setenv(run_timing.ENV_VAR, str(tmp_path))  # a folder: cannot be appended to
    with run_timing.script_run("Safety"):
        run_timing.count("charts")


def test_figure_points_hand_count():
    # 5 scatter points, a 2 x 3 heatmap (6 cells), a 4-slice pie: 15 points.
    figure = go.Figure([go.Scatter(x=[1, 2, 3, 4, 5], y=[1, 2, 3, 4, 5]),
                        go.Heatmap(z=[[1, 2, 3], [4, 5, 6]]),
                        go.Pie(values=[1, 2, 3, 4])])
    assert run_timing.figure_points(figure) == 15
    assert run_timing.figure_points(figure.to_dict()) == 15
    assert run_timing.figure_points(go.Figure()) == 0


def test_read_lines_leaves_an_unfinished_line(tmp_path):
    path = tmp_path / "runs.jsonl"
    assert run_timing.read_lines(path) == ([], 0)
    path.write_text('{"page": "Safety"}\n{"page": "Resp')
    found, offset = run_timing.read_lines(path)
    assert found == [{"page": "Safety"}] and offset == len('{"page": "Safety"}\n')
    with path.open("a") as out:
        out.write('onse"}\n')
    assert run_timing.read_lines(path, offset) == ([{"page": "Response"}], path.stat().st_size)


def test_module_imports_no_streamlit():
    code = ("import sys, trialdash.run_timing; "
            "sys.exit('streamlit' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
