"""A full garbage collection shortly after each script run, off the interaction's path.

Streamlit's own collection after every run (``runner.postScriptGC``, switched off in
``.streamlit/config.toml``) runs before the browser has been told that the run ended, so
every interaction waited for it: 0.1-0.2 s once the server keeps its results. Without any
full collection, though, the cyclic garbage of building large figures (Plotly's objects
refer to their parents) waits for Python's rare automatic full collection, and the peak
memory at 14,000 patients grew by about 150 MiB. So a collection runs ``DELAY_S`` after the
last run ended, when the run's messages have left and the browser is drawing; runs in quick
succession postpone it, so a burst of reruns pays for one collection.

A full collection scans every object the process holds, and most of them are the imported
libraries (pandas, Plotly, DuckDB, Streamlit...), which live as long as the process: about
0.1 s of the interpreter each time, taken from the server's event loop (the browser's
requests wait). So the first script run, once the app's own modules are imported and before
it reads any data, moves every object then alive into the permanent generation
(:func:`freeze_libraries`, ``gc.freeze()``); collections then scan only what was created
since, in a few milliseconds. What is frozen is never collected as cyclic garbage, so it must
be what lives as long as the process: the libraries, never a run's data or results.
"""

from __future__ import annotations

import gc
import threading

DELAY_S = 0.3

_lock = threading.Lock()
_timer: threading.Timer | None = None
_frozen = False


def collect_soon(delay_s: float = DELAY_S) -> None:
    """Run ``gc.collect()`` ``delay_s`` from now, replacing a collection not yet run."""
    global _timer
    with _lock:
        if _timer is not None:
            _timer.cancel()
        _timer = threading.Timer(delay_s, gc.collect)
        _timer.daemon = True
        _timer.start()


def freeze_libraries() -> None:
    """Once per process, before any data is read: collect, then freeze what is alive (the
    imported libraries and the server's own objects) out of later collections' way."""
    global _frozen
    with _lock:
        if not _frozen:
            gc.collect()
            gc.freeze()
            _frozen = True
