"""The dashboard's opt-in run log (TRIALDASH_RUN_LOG, trialdash.run_timing) through app.py:
one line per script run naming the page shown, nothing when unset; a Safety run of the
14-patient synthetic trial counts the charts and tables AppTest sees and charges the data
flow's steps (trialdash.ui) their own time only."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from trialdash import run_timing

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 120


def test_each_run_writes_one_line_naming_its_page(synthetic_snapshot, tmp_path, monkeypatch):
    log = tmp_path / "runs.jsonl"
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(synthetic_snapshot))
    monkeypatch.setenv("TRIALDASH_RUN_LOG", str(log))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/safety.py").run()
    assert not at.exception
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["page"] for line in lines] == ["Overview and enrollment", "Safety"]
    assert all(line["outcome"] == "finished" and line["seconds"] > 0 for line in lines)


def test_no_log_when_unset(synthetic_snapshot, tmp_path, monkeypatch):
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(synthetic_snapshot))
    monkeypatch.delenv("TRIALDASH_RUN_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert list(tmp_path.iterdir()) == []


def test_a_page_run_logs_its_phases_and_what_it_drew(synthetic_snapshot, tmp_path,
                                                      monkeypatch):
    log = tmp_path / "runs.jsonl"
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(synthetic_snapshot))
    monkeypatch.setenv(run_timing.ENV_VAR, str(log))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).switch_page("pages/safety.py").run()
    assert not at.exception
    line = json.loads(log.read_text().splitlines()[-1])
    assert line["page"] == "Safety" and line["outcome"] == "finished"
    assert set(line["phases"]) == set(run_timing.PHASES)
    assert sum(line["phases"].values()) <= line["seconds"]
    charts = at.get("plotly_chart")
    assert line["counts"]["charts"] == len(charts)
    assert line["counts"]["points"] > len(charts)  # heatmap cells, bars, curve points
    shown_tables = len(at.dataframe) + len(at.table)
    assert line["counts"]["tables"] == shown_tables
