"""A process-wide cache of computed results bounded by their size, not by their number.

The dashboard keeps query results, analysis results and figures so that a rerun with unchanged
inputs recomputes nothing. Streamlit's ``st.cache_data`` pickles every result when it is
stored and unpickles it on every hit (seconds for a laboratory table of a million rows) and
bounds a cache by its number of entries, which says nothing about memory when one entry can
weigh a few kB or a few hundred MB. :class:`ResultCache` keeps the objects themselves, evicts
the least recently used entries once their estimated size passes ``max_bytes``, and computes
a missing key once even when several sessions ask for it at the same time.

Assumptions: keys already say everything a result depends on (snapshot file and modification
time, visible patients, filter, arguments; see ``trialdash.fingerprint``). A result is handed
out as a deep copy (callers may modify what they get, as they could with ``st.cache_data``)
unless the caller asks for the shared object (``shared=True``), promising not to modify it:
figures, which Streamlit serialises without changing them. Sizes are estimates
(:func:`estimate_bytes`): exact for NumPy data, sampled for Python strings (counted once
per distinct object).
"""

from __future__ import annotations

import copy
import dataclasses
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

Result = TypeVar("Result")

#: Values of an object column or items of a long list looked at to estimate their size.
SAMPLE = 200


class ResultCache:
    """Thread-safe least-recently-used results within ``max_bytes`` (estimated)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self.hits = self.misses = 0

    def get(self, key: str, compute: Callable[[], Result], shared: bool = False) -> Result:
        """The result stored under ``key``, computing (and storing) it when absent.

        A result larger than ``max_bytes`` on its own is returned but not kept.
        """
        found, value = self._lookup(key)
        if found:
            self.hits += 1
        else:
            with self._key_lock(key):
                found, value = self._lookup(key)  # another session may just have computed it
                if not found:
                    self.misses += 1
                    value = compute()
                    self._store(key, value)
            with self._lock:
                self._key_locks.pop(key, None)
        return value if shared else copy.deepcopy(value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def _lookup(self, key: str) -> tuple[bool, Any]:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return False, None
            self._entries.move_to_end(key)
            return True, entry[0]

    def _key_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(key, threading.Lock())

    def _store(self, key: str, value: Any) -> None:
        size = estimate_bytes(value)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted


def estimate_bytes(value: Any, _depth: int = 0) -> int:
    """Approximate memory held by ``value``: NumPy buffers exactly, Python objects in object
    columns and long containers from a sample of :data:`SAMPLE` items."""
    if _depth > 12:
        return sys.getsizeof(value)
    deeper = _depth + 1
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=False).sum()) + sum(
            _objects_bytes(value[c].to_numpy()) for c in value.columns
            if value[c].dtype == object)
    if isinstance(value, (pd.Series, pd.Index)):
        array = value.to_numpy()
        return int(value.memory_usage(deep=False)) + (
            _objects_bytes(array) if array.dtype == object else 0)
    if isinstance(value, np.ndarray):
        return value.nbytes + (_objects_bytes(value.ravel()) if value.dtype == object else 0)
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return sys.getsizeof(value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + _items_bytes(
            [item for pair in value.items() for item in pair], deeper)
    if isinstance(value, (list, tuple, set, frozenset)):
        return sys.getsizeof(value) + _items_bytes(list(value), deeper)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sys.getsizeof(value) + sum(
            estimate_bytes(getattr(value, f.name), deeper) for f in dataclasses.fields(value))
    plotly_parts = [getattr(value, name, None) for name in ("_data", "_layout")]
    if any(part is not None for part in plotly_parts):  # a Plotly figure's plain-data parts
        return sys.getsizeof(value) + sum(estimate_bytes(part, deeper)
                                          for part in plotly_parts if part is not None)
    return sys.getsizeof(value)


def _items_bytes(items: list, depth: int) -> int:
    if len(items) <= SAMPLE:
        return sum(estimate_bytes(item, depth) for item in items)
    step = len(items) / SAMPLE
    sampled = [items[int(i * step)] for i in range(SAMPLE)]
    return int(sum(estimate_bytes(item, depth) for item in sampled) * step)


def _objects_bytes(array: np.ndarray) -> int:
    """Python objects referenced by an object array (strings, mostly): the distinct objects
    (equal values may share one, see ``trialdash.queries.share_repeated_text``) times their
    mean size in a sample."""
    if not len(array):
        return 0
    step = max(1, len(array) // SAMPLE)
    sampled = array[::step][:SAMPLE]
    distinct = len(pd.unique(np.fromiter(map(id, array), dtype=np.intp, count=len(array))))
    return int(sum(sys.getsizeof(v) for v in sampled) / len(sampled) * distinct)
