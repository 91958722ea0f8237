"""The load test (``make bench``, ``benchmarks/load.py``) runs end to end with tiny settings:
three sessions for 15 s on a 3-patient snapshot replaced twice. Only correctness is asserted
(no exception element, no failed run, every session on the last cut-off); times are printed
by the benchmark, never asserted here. The benchmark runs in its own process, as `make bench`
runs it (its asyncio Playwright cannot share this process with the sync Playwright of the
other browser tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CUTOFFS = ["2024-11-15", "2025-02-15", "2025-05-15"]


def test_load_benchmark_runs_end_to_end(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", "--sessions", "3", "--seconds", "15",
         "--patients", "3", "--cutoffs", *CUTOFFS, "--timeout", "90", "--grace", "120",
         "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    printed = run.stdout
    result = json.loads((tmp_path / "results.json").read_text())["load"]
    assert run.returncode == 0, printed + run.stderr[-2000:]
    assert result["exceptions"] == [] and result["failed_runs"] == 0
    assert result["server_tracebacks"] == 0
    assert result["final_cutoffs"] == [CUTOFFS[-1]] * 3
    assert len(result["replaced_at_s"]) == 2
    assert len(result["interactions"]) >= 6  # first load and final page switch of each session
    section = (tmp_path / "results.md").read_text()
    assert "### Load: 3 sessions" in section and "3 of 3 (2025-05-15)" in section
    assert section in printed
