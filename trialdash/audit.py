"""The audit trail: who looked at what, as one JSON object per line, append-only.

The file is ``TRIALDASH_AUDIT`` (default ``data/audit.jsonl`` beside ``app.py``). Lines are
only ever appended (the file is opened with ``O_APPEND`` and locked while a line is
written, so concurrent sessions and processes do not interleave); nothing here rewrites or
truncates it. Each line has:

- ``ts``: when, UTC, ISO 8601 with seconds (``2026-03-01T14:02:11Z``);
- ``user``: the signed-in email (``""`` for the local user without sign-in);
- ``role``: investigator, monitor, sponsor, or ``none`` (refused);
- ``event``: one of :data:`EVENTS`;
- ``page``, ``patient``, ``filters``, ``detail``: what, when they apply (else null).

Streamlit-free.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

AUDIT_ENV = "TRIALDASH_AUDIT"
DEFAULT_AUDIT = Path("data") / "audit.jsonl"
SIGN_IN, SIGN_OUT, PAGE_VIEW = "sign-in", "sign-out", "page-view"
PATIENT_VIEW, DOWNLOAD, REFUSED = "patient-view", "download", "refused"
EVENTS = (SIGN_IN, SIGN_OUT, PAGE_VIEW, PATIENT_VIEW, DOWNLOAD, REFUSED)
COLUMNS = ["ts", "user", "role", "event", "page", "patient", "filters", "detail"]

_lock = threading.Lock()


@dataclass(frozen=True)
class AuditEvent:
    """One line of the audit log."""

    user: str
    role: str
    event: str
    page: str | None = None
    patient: str | None = None
    filters: dict | None = None
    detail: str | None = None
    ts: str = ""

    def __post_init__(self):
        if self.event not in EVENTS:
            raise ValueError(f"unknown audit event {self.event!r}; expected one of {EVENTS}")


def default_audit_path(app_dir: Path) -> Path:
    """``TRIALDASH_AUDIT`` if set, else ``data/audit.jsonl`` in ``app_dir``."""
    return Path(os.environ.get(AUDIT_ENV) or app_dir / DEFAULT_AUDIT)


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def append(path: Path, event: AuditEvent) -> dict:
    """Append one event as a JSON line (timestamped now unless ``ts`` is set); return it.

    The parent folder is created if needed. The line is written with one ``write`` on a
    descriptor opened with ``O_APPEND``, under an exclusive ``flock``.
    """
    record = asdict(event)
    record["ts"] = record["ts"] or utc_now()
    line = (json.dumps({c: record[c] for c in COLUMNS}, ensure_ascii=False, default=str)
            + "\n").encode("utf-8")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line)
        finally:
            os.close(fd)  # closing releases the lock
    return {c: record[c] for c in COLUMNS}


@dataclass(frozen=True)
class AuditLog:
    """The log read back: one row per valid line, and how many lines were not JSON objects."""

    events: pd.DataFrame
    unreadable_lines: int


def read(path: Path) -> AuditLog:
    """Read the audit log (missing file = empty log), newest first.

    A line that is not a JSON object is counted in ``unreadable_lines``, never dropped
    silently.
    """
    path = Path(path)
    if not path.exists():
        return AuditLog(pd.DataFrame(columns=COLUMNS), 0)
    rows, bad = [], 0
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                bad += 1
                continue
            if not isinstance(row, dict):
                bad += 1
                continue
            rows.append(row)
    frame = pd.DataFrame(rows).reindex(columns=COLUMNS)
    frame["filters"] = frame["filters"].map(
        lambda f: json.dumps(f, ensure_ascii=False, sort_keys=True) if isinstance(f, dict) else "")
    frame = frame.iloc[::-1].reset_index(drop=True)
    return AuditLog(frame, bad)


def select(events: pd.DataFrame, users: list[str] | None = None,
           patients: list[str] | None = None) -> pd.DataFrame:
    """Events of the given users and patients (None or empty = all)."""
    keep = pd.Series(True, index=events.index)
    if users:
        keep &= events["user"].isin(users)
    if patients:
        keep &= events["patient"].isin(patients)
    return events[keep].reset_index(drop=True)
