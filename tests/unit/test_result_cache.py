"""The size-bounded cache of kept results (trialdash.result_cache), on hand-made values."""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd

from trialdash.result_cache import ResultCache, estimate_bytes


def test_a_kept_result_is_not_computed_again_and_is_handed_out_as_a_copy():
    cache = ResultCache(max_bytes=10**6)
    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"x": [1, 2, 3]})

    first = cache.get("k", compute)
    first.loc[0, "x"] = 99          # a caller changing what it got
    first["y"] = 0
    again = cache.get("k", compute)
    assert len(calls) == 1
    assert list(again["x"]) == [1, 2, 3] and list(again.columns) == ["x"]
    assert (cache.hits, cache.misses) == (1, 1)


def test_shared_results_are_the_same_object():
    cache = ResultCache(max_bytes=10**6)
    value = {"figure": [1, 2]}
    assert cache.get("k", lambda: value, shared=True) is value
    assert cache.get("k", lambda: None, shared=True) is value


def test_least_recently_used_entries_leave_first_when_the_budget_is_passed():
    """Three arrays of 8,000 bytes each (1,000 float64) in a 20,000-byte budget: the third
    pushes out the least recently used, b (a was asked for again after b was stored)."""
    cache = ResultCache(max_bytes=20_000)
    for key in ("a", "b"):
        cache.get(key, lambda: np.zeros(1000))
    cache.get("a", lambda: None)          # a used again: b is now the oldest
    cache.get("c", lambda: np.zeros(1000))
    assert len(cache) == 2
    recomputed = []
    cache.get("b", lambda: recomputed.append(1) or np.zeros(1000))
    assert recomputed == [1]
    assert cache.size_bytes <= 20_000


def test_a_result_larger_than_the_budget_is_returned_but_not_kept():
    cache = ResultCache(max_bytes=1000)
    assert len(cache.get("big", lambda: np.zeros(1000))) == 1000   # 8,000 bytes
    assert len(cache) == 0 and cache.size_bytes == 0


def test_concurrent_sessions_compute_a_missing_key_once():
    cache = ResultCache(max_bytes=10**6)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return [1, 2, 3]

    threads = [threading.Thread(target=cache.get, args=("k", slow)) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]


def test_size_estimates_count_numbers_exactly_and_strings_from_a_sample():
    """1,000 float64 = 8,000 bytes of data; 10,000 distinct 20-character strings are 10,000
    Python objects of sys.getsizeof = 69 bytes each (CPython 3.11 compact ASCII: 49 + 20)
    plus 8-byte pointers."""
    assert estimate_bytes(np.zeros(1000)) == 8000
    strings = pd.Series([f"{i:020d}" for i in range(10_000)])
    frame = pd.DataFrame({"s": strings})
    index = frame.index.memory_usage()
    assert estimate_bytes(frame) == index + 10_000 * 8 + 10_000 * 69  # + pointers + objects


def test_a_string_shared_by_many_rows_counts_once():
    """10,000 rows pointing at 2 distinct string objects (share_repeated_text): 10,000
    8-byte pointers, and the 2 objects of 69 bytes each (sys.getsizeof, 20 ASCII
    characters)."""
    from trialdash.queries import share_repeated_text

    frame = share_repeated_text(pd.DataFrame(
        {"s": [f"{i % 2:020d}" for i in range(10_000)]}))
    assert estimate_bytes(frame) == frame.index.memory_usage() + 10_000 * 8 + 2 * 69
