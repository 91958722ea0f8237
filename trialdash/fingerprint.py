"""Fast, content-based cache keys for query parameters, analysis inputs and figure inputs.

Streamlit's cache hashes its arguments value by value in Python: a list of 14,000 patient IDs
or a sample table of 300,000 rows costs seconds per call. :func:`fingerprint` digests the same
values in C where it can (a list of strings joined once, a table through
``pandas.util.hash_pandas_object``) and gives a short hex key.

Assumptions: the values are plain data (None, bool, numbers, strings, dates, enums, lists,
tuples, sets, dicts, frozen dataclasses, NumPy arrays, pandas objects) or module-level
functions, named by module and qualified name (their code is not part of the key; a lambda or
a nested function, whose name says nothing of what it captured, is refused). Anything else raises
``TypeError``, so a new argument type is noticed rather than keyed by its ``id``. Equal values
give equal keys within a process and across processes (no ``hash()``, which Python salts for
strings).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

_SEP = b"\x1f"


def fingerprint(*values: Any) -> str:
    """A hex digest (32 characters) of ``values``, by content (see the module docstring)."""
    digest = hashlib.blake2b(digest_size=16)
    for value in values:
        _feed(digest, value)
    return digest.hexdigest()


def _feed(digest, value: Any) -> None:
    update = digest.update
    if value is None or isinstance(value, (bool, int, float, complex, dt.date, dt.time,
                                           dt.timedelta, np.generic)):
        update(f"{type(value).__name__}:{value!r}".encode())
    elif isinstance(value, str):
        update(b"s" + str(len(value)).encode() + b":" + value.encode())
    elif isinstance(value, bytes):
        update(b"b" + str(len(value)).encode() + b":" + value)
    elif isinstance(value, enum.Enum):
        update(f"enum:{type(value).__qualname__}.{value.name}".encode())
    elif isinstance(value, (list, tuple)):
        _feed_sequence(digest, b"list" if isinstance(value, list) else b"tuple", value)
    elif isinstance(value, (set, frozenset)):
        _feed_sequence(digest, b"set", sorted(value, key=repr))
    elif isinstance(value, Mapping):
        update(b"dict" + str(len(value)).encode() + b"(")
        keys = sorted(value, key=repr)
        if all(type(k) is str and type(value[k]) is str for k in keys):
            # Patient labels (USUBJID -> pseudonym): two joins instead of a call per item.
            _feed_sequence(digest, b"keys", keys)
            _feed_sequence(digest, b"values", [value[k] for k in keys])
        else:
            for key in keys:
                _feed(digest, key)
                _feed(digest, value[key])
        update(b")")
    elif isinstance(value, pd.DataFrame):
        update(b"frame(")
        _feed(digest, [str(c) for c in value.columns])
        _feed(digest, [str(t) for t in value.dtypes])
        update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
        update(b")")
    elif isinstance(value, (pd.Series, pd.Index)):
        update(b"series(" + str(value.name).encode() + str(value.dtype).encode())
        update(pd.util.hash_pandas_object(value, index=isinstance(value, pd.Series))
               .to_numpy().tobytes())
        update(b")")
    elif isinstance(value, np.ndarray):
        update(b"array(" + str(value.dtype).encode() + str(value.shape).encode())
        if value.dtype.kind == "O":
            update(pd.util.hash_pandas_object(pd.Series(value.ravel())).to_numpy().tobytes())
        else:
            update(np.ascontiguousarray(value).tobytes())
        update(b")")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        update(f"dataclass:{type(value).__module__}.{type(value).__qualname__}(".encode())
        for item in dataclasses.fields(value):
            _feed(digest, item.name)
            _feed(digest, getattr(value, item.name))
        update(b")")
    elif callable(value) and "<" not in getattr(value, "__qualname__", "<"):
        update(f"function:{value.__module__}.{value.__qualname__}".encode())
    else:
        raise TypeError(f"cannot fingerprint a {type(value).__qualname__}: give it as plain "
                        "data (see trialdash.fingerprint)")


def _feed_sequence(digest, kind: bytes, items) -> None:
    digest.update(kind + str(len(items)).encode() + b"(")
    if items and all(type(item) is str for item in items):
        # The common large case (patient IDs): one join in C instead of a call per item.
        digest.update(b"strs:" + ",".join(map(str, map(len, items))).encode() + b":"
                      + _SEP.join(item.encode() for item in items))
    else:
        for item in items:
            _feed(digest, item)
    digest.update(b")")

