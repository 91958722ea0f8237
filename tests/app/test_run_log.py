"""The dashboard's opt-in run log (TRIALDASH_RUN_LOG, trialdash.run_timing) through app.py:
one line per script run naming the page shown, nothing when unset."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

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
