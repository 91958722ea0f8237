"""The collection after script runs (trialdash.idle_gc): one full collection once the runs
have stopped for the delay, however many runs came in quick succession."""

from __future__ import annotations

import gc
import threading
import time
import weakref

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


class _Node:
    """An object that can sit in a reference cycle and be watched through a weak reference."""

    def __init__(self):
        self.me = self


def test_libraries_frozen_once_and_later_collections_still_free_new_cycles(monkeypatch):
    monkeypatch.setattr(idle_gc, "_frozen", False)
    gc.unfreeze()
    try:
        idle_gc.freeze_libraries()  # the first page run, before any data is read
        frozen = gc.get_freeze_count()
        assert frozen > 0

        made_after = [_Node() for _ in range(1000)]  # a run's objects, after the freeze
        idle_gc.freeze_libraries()  # every later page run: nothing more is frozen
        assert gc.get_freeze_count() <= frozen

        garbage = _Node()
        watch = weakref.ref(garbage)
        del garbage, made_after  # a run's results dropped: cyclic garbage made after it
        gc.collect()
        assert watch() is None  # collections still free it
    finally:
        gc.unfreeze()
