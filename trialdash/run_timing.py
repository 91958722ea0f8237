"""Opt-in timing log of the dashboard's script runs: where a page's seconds go on the server.

Set the environment variable ``TRIALDASH_RUN_LOG`` to a file path before starting the
dashboard, and every script run appends one JSON line to that file; unset (the default),
nothing is measured and nothing is written. The browser benchmark
(``benchmarks/browser.py``) sets it and reads the lines of each interaction to say why a page
misses its target.

``app.py`` wraps each page's run in :func:`script_run`; the shared Streamlit glue
(``trialdash/ui.py``) wraps its work in :func:`phase` and notes what it drew with
:func:`count`. The phase names expected there (:data:`PHASES`):

``queries``
    a snapshot query (the cached DuckDB query, cache look-up included);
``analyses``
    a cohort analysis (the cached analysis call, cache look-up included);
``figures``
    building a Plotly figure (the figure builder's call);
``charts``
    handing a figure to Streamlit (``st.plotly_chart``: serialising it to the browser);
``tables``
    handing a table to Streamlit (``st.dataframe``/``st.table`` and its CSV download).

and the counts (:data:`COUNTS`): ``charts`` (figures drawn), ``points`` (data points in them,
:func:`figure_points`), ``tables`` and ``table_rows``.

Phases may nest (a query inside an analysis): each phase is charged its own time only, the
time of the phases nested in it going to those, so the phases of a run never add up to more
than the run (:attr:`RunTiming.seconds`); the rest is Streamlit and page layout. Each session's
script runs in its own thread; the current run is held in a :class:`contextvars.ContextVar`,
so concurrent sessions never mix their timings. A phase or count outside a run (a test, a
script, logging off) costs one context-variable look-up and records nothing.

Assumes a POSIX system for the process's peak resident memory (:mod:`resource`); where it is
unavailable, the line's ``peak_rss_mb`` is null.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ENV_VAR = "TRIALDASH_RUN_LOG"
QUERIES, ANALYSES, FIGURES, CHARTS, TABLES = "queries", "analyses", "figures", "charts", "tables"
#: Phase names the dashboard uses, in the order of the data flow.
PHASES = (QUERIES, ANALYSES, FIGURES, CHARTS, TABLES)
#: Count names the dashboard uses.
COUNTS = ("charts", "points", "tables", "table_rows")
#: Trace attributes holding one value per data point, first found counts (see figure_points).
_POINT_ATTRIBUTES = ("x", "y", "values", "lat", "r", "a")

_current: contextvars.ContextVar[RunTiming | None] = contextvars.ContextVar(
    "trialdash_run_timing", default=None)
_write_lock = threading.Lock()
_log = logging.getLogger(__name__)
_unwritable: set[str] = set()  # run logs already reported as unwritable


@dataclass
class RunTiming:
    """The timings of one script run while it runs.

    ``started`` is the ``time.perf_counter()`` at its start; ``phases`` holds seconds per
    phase name (own time, nested phases excluded) and ``counts`` integers per count name;
    ``seconds`` is the run's wall time once :func:`script_run` ends.
    """

    page: str
    started: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float | None = None
    outcome: str = "finished"
    # Open phases, innermost last: [name, start, seconds spent in phases nested in it].
    _open: list[list] = field(default_factory=list, repr=False)

    def enter(self, name: str) -> None:
        self._open.append([name, time.perf_counter(), 0.0])

    def leave(self) -> None:
        name, start, nested = self._open.pop()
        elapsed = time.perf_counter() - start
        self.phases[name] = self.phases.get(name, 0.0) + elapsed - nested
        if self._open:
            self._open[-1][2] += elapsed

    def add(self, name: str, amount: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount

    def line(self) -> dict:
        """The JSON-ready record of the run (see :func:`script_run`)."""
        return {
            "page": self.page,
            "time": time.time(),
            "seconds": self.seconds,
            "outcome": self.outcome,
            "phases": dict(self.phases),
            "counts": dict(self.counts),
            "peak_rss_mb": _peak_rss_mb(),
            "pid": os.getpid(),
            "thread": threading.current_thread().name,
        }


def log_path() -> Path | None:
    """The run log named by ``TRIALDASH_RUN_LOG``; None when unset or empty (logging off)."""
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value) if value else None


@contextmanager
def script_run(page: str) -> Iterator[RunTiming | None]:
    """Time one script run of ``page`` and append its line to the run log when it ends.

    The line is written however the run ends (``st.stop()`` and ``st.rerun()`` end a page by
    raising): its ``outcome`` is "finished", or the name of the exception that ended it
    (``StopException``, ``RerunException``, or an error). The line holds ``page``, ``time``
    (Unix time at the end), ``seconds`` (wall time), ``phases`` (seconds by phase name),
    ``counts``, ``peak_rss_mb`` (the process's peak resident memory so far, MiB), ``pid`` and
    ``thread``. Yields None, and measures nothing, when the run log is off. A run log that
    cannot be written is reported once in the server's log, never to the page.
    """
    path = log_path()
    if path is None:
        yield None
        return
    run = RunTiming(page, started=time.perf_counter())
    token = _current.set(run)
    try:
        yield run
    except BaseException as ended:
        run.outcome = type(ended).__name__
        raise
    finally:
        _current.reset(token)
        run.seconds = time.perf_counter() - run.started
        write_line(path, run.line())


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Charge the time spent in the block to phase ``name`` of the current run (if any)."""
    run = _current.get()
    if run is None:
        yield
        return
    run.enter(name)
    try:
        yield
    finally:
        run.leave()


def count(name: str, amount: int = 1) -> None:
    """Add ``amount`` to count ``name`` of the current run (nothing outside a run)."""
    run = _current.get()
    if run is not None:
        run.add(name, int(amount))


def active() -> bool:
    """Whether a run is being timed (to skip the work of a count nobody records)."""
    return _current.get() is not None


def figure_points(figure) -> int:
    """Data points of a Plotly figure (or its dict form): per trace, the length of its first
    point-wise attribute (x, y, values, lat, r, a) present; a heatmap's or surface's ``z``
    counts its cells. Assumes array-like attributes (lists, tuples, arrays, Series)."""
    data = figure.get("data", ()) if isinstance(figure, dict) else getattr(figure, "data", ())
    total = 0
    for trace in data or ():
        get = trace.get if isinstance(trace, dict) else (lambda a, t=trace: getattr(t, a, None))
        z = get("z")
        if z is not None and len(z) and hasattr(z[0], "__len__"):
            total += sum(len(row) for row in z)
            continue
        for attribute in _POINT_ATTRIBUTES:
            values = get(attribute)
            if values is not None and hasattr(values, "__len__"):
                total += len(values)
                break
    return total


def write_line(path: Path, record: dict) -> None:
    """Append ``record`` as one JSON line (one write, under a lock: concurrent sessions'
    lines never interleave)."""
    text = json.dumps(record, default=str) + "\n"
    try:
        with _write_lock, open(path, "a", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        if str(path) not in _unwritable:
            _unwritable.add(str(path))
            _log.warning("cannot write the run log %s (%s): %s", path, ENV_VAR, error)


def read_lines(path: Path, offset: int = 0) -> tuple[list[dict], int]:
    """The run-log lines from byte ``offset`` on, and the offset after the last whole line
    (a line still being written is left for the next read). No file: no lines."""
    try:
        with open(path, "rb") as source:
            source.seek(offset)
            data = source.read()
    except FileNotFoundError:
        return [], offset
    whole = data[: data.rfind(b"\n") + 1]
    lines = [json.loads(raw) for raw in whole.splitlines() if raw.strip()]
    return lines, offset + len(whole)


def _peak_rss_mb() -> float | None:
    try:
        import resource
    except ImportError:  # not POSIX
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
