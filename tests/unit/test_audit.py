"""The audit log: one JSON object per line, appended, never rewritten; read back newest
first, filterable by user and patient."""

from __future__ import annotations

import json
import threading

import pytest

from trialdash import audit
from trialdash.audit import AuditEvent


def test_append_writes_one_json_line_per_event_and_keeps_earlier_lines(tmp_path):
    path = tmp_path / "sub" / "audit.jsonl"
    audit.append(path, AuditEvent("pi@x.example", "investigator", audit.SIGN_IN))
    first = path.read_bytes()
    audit.append(path, AuditEvent("pi@x.example", "investigator", audit.PAGE_VIEW,
                                  page="Safety", filters={"dose": ["0.5"], "site": []}))
    audit.append(path, AuditEvent("pi@x.example", "investigator", audit.PATIENT_VIEW,
                                  page="patient", patient="S-1"))
    data = path.read_bytes()
    assert data.startswith(first)  # appended, not rewritten
    lines = [json.loads(line) for line in data.decode().splitlines()]
    assert [line["event"] for line in lines] == ["sign-in", "page-view", "patient-view"]
    assert all(list(line) == audit.COLUMNS for line in lines)
    assert lines[1]["filters"] == {"dose": ["0.5"], "site": []}
    assert lines[2]["patient"] == "S-1"
    assert all(line["ts"].endswith("Z") and len(line["ts"]) == 20 for line in lines)


def test_unknown_event_is_refused():
    with pytest.raises(ValueError, match="unknown audit event"):
        AuditEvent("a@x", "investigator", "deleted-everything")


def test_concurrent_appends_do_not_interleave(tmp_path):
    path = tmp_path / "audit.jsonl"

    def write(n):
        for i in range(50):
            audit.append(path, AuditEvent(f"u{n}@x", "monitor", audit.DOWNLOAD,
                                          detail="x" * 5000 + str(i)))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = path.read_text().splitlines()
    assert len(lines) == 200
    assert all(json.loads(line)["event"] == "download" for line in lines)


def test_read_is_newest_first_counts_bad_lines_and_selects(tmp_path):
    path = tmp_path / "audit.jsonl"
    assert audit.read(path).events.empty
    audit.append(path, AuditEvent("a@x", "investigator", audit.PATIENT_VIEW, patient="S-1",
                                  ts="2026-01-01T00:00:00Z"))
    with path.open("a") as handle:
        handle.write("not json\n[1, 2]\n\n")
    audit.append(path, AuditEvent("b@x", "monitor", audit.PATIENT_VIEW, patient="S-2",
                                  ts="2026-01-02T00:00:00Z"))
    log = audit.read(path)
    assert log.unreadable_lines == 2
    assert list(log.events["user"]) == ["b@x", "a@x"]
    assert list(audit.select(log.events, users=["a@x"])["patient"]) == ["S-1"]
    assert list(audit.select(log.events, patients=["S-2"])["user"]) == ["b@x"]
    assert len(audit.select(log.events)) == 2


def test_audit_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(audit.AUDIT_ENV, raising=False)
    assert audit.default_audit_path(tmp_path) == tmp_path / "data" / "audit.jsonl"
    monkeypatch.setenv(audit.AUDIT_ENV, str(tmp_path / "a.jsonl"))
    assert audit.default_audit_path(tmp_path) == tmp_path / "a.jsonl"
