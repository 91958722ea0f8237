"""The run log of the dashboard's script runs (trialdash.run_timing wired into trialdash.ui).

With TRIALDASH_RUN_LOG set, a run of the Safety page of the 14-patient synthetic trial writes
one line whose chart and table counts match what the page shows (AppTest's own element lists)
and whose phases are the data flow's steps, charged their own time only.
"""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from trialdash import run_timing

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_a_page_run_logs_its_phases_and_what_it_drew(tmp_path, monkeypatch):
    from trialdash.build import build_synthetic

    snapshot = build_synthetic(tmp_path / "trial.duckdb")
    log = tmp_path / "runs.jsonl"
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(snapshot))
    monkeypatch.setenv(run_timing.ENV_VAR, str(log))
    at = AppTest.from_file(APP, default_timeout=120).switch_page("pages/safety.py").run()
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
