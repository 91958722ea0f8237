"""The collection after script runs (trialdash.idle_gc): one full collection once the runs
have stopped for the delay, however many runs came in quick succession."""

from __future__ import annotations

import threading
import time

from trialdash import idle_gc


def test_runs_in_quick_succession_pay_for_one_collection(monkeypatch):
    collected = []
    done = threading.Event()

    def fake_collect():
        collected.append(time.monotonic())
        done.set()

    monkeypatch.setattr(idle_gc.gc, "collect", fake_collect)
    start = time.monotonic()
    for _ in range(5):  # five runs, each before the previous one's collection was due
        idle_gc.collect_soon(delay_s=0.2)
        time.sleep(0.05)
    assert done.wait(5)
    time.sleep(0.3)  # a replaced collection would have come by now
    assert len(collected) == 1
    assert collected[0] - start >= 0.2 + 4 * 0.05  # counted from the last run
