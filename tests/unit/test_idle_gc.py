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
    monkeypatch.setattr(idle_gc.gc, "freeze", lambda: None)
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


def test_first_collection_freezes_survivors_and_later_ones_still_free_new_cycles(monkeypatch):
    monkeypatch.setattr(idle_gc, "_frozen", False)
    gc.unfreeze()
    try:
        survivor = _Node()  # alive at the first collection: frozen with the rest
        idle_gc.collect()
        frozen = gc.get_freeze_count()
        assert frozen > 0

        kept_after = [_Node() for _ in range(1000)]  # alive at the second collection
        garbage = _Node()
        watch_garbage = weakref.ref(garbage)
        del garbage  # a cycle made after the freeze, now unreachable
        idle_gc.collect()
        assert watch_garbage() is None  # later collections still free new cyclic garbage
        assert gc.get_freeze_count() <= frozen  # and freeze nothing more
        assert len(kept_after) == 1000

        # The documented cost: a frozen object that becomes cyclic garbage stays.
        watch_survivor = weakref.ref(survivor)
        del survivor
        idle_gc.collect()
        assert watch_survivor() is not None
    finally:
        gc.unfreeze()
