"""The audit-trail viewer (trialdash.ui_audit.audit_viewer) in AppTest.from_function."""

from __future__ import annotations

from access_harness import ACCESS, AUTH
from streamlit.testing.v1 import AppTest

from trialdash import audit
from trialdash.audit import AuditEvent


def _viewer():
    from trialdash.ui_audit import audit_viewer

    audit_viewer()


def _app(tmp_path, monkeypatch, email):
    (tmp_path / "access.toml").write_text(ACCESS)
    monkeypatch.setenv("TRIALDASH_ACCESS", str(tmp_path / "access.toml"))
    monkeypatch.setenv("TRIALDASH_AUDIT", str(tmp_path / "audit.jsonl"))
    at = AppTest.from_function(_viewer, default_timeout=60)
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, "email": email}
    return at


def _log(tmp_path):
    path = tmp_path / "audit.jsonl"
    audit.append(path, AuditEvent("cra@cro.example", "monitor", audit.PATIENT_VIEW,
                                  page="patient", patient="S-1"))
    audit.append(path, AuditEvent("pi@hospital.example", "investigator", audit.PATIENT_VIEW,
                                  page="patient", patient="S-2"))
    audit.append(path, AuditEvent("pi@hospital.example", "investigator", audit.DOWNLOAD,
                                  detail="NCA by patient"))


def test_investigator_reads_and_filters_the_log(tmp_path, monkeypatch):
    _log(tmp_path)
    at = _app(tmp_path, monkeypatch, "pi@hospital.example").run()
    assert not at.exception
    frame = at.dataframe[0].value
    # Newest first: opening the viewer signed the investigator in (logged) after the three.
    assert list(frame["event"]) == ["sign-in", "download", "patient-view", "patient-view"]
    at.multiselect(key="audit_users").set_value(["pi@hospital.example"]).run()
    assert len(at.dataframe[0].value) == 3
    at.multiselect(key="audit_patients").set_value(["S-2"]).run()
    assert list(at.dataframe[0].value["patient"]) == ["S-2"]
    assert "1 of 4 events" in " ".join(c.value for c in at.caption)


def test_viewer_reports_unreadable_lines(tmp_path, monkeypatch):
    _log(tmp_path)
    with (tmp_path / "audit.jsonl").open("a") as handle:
        handle.write("{broken\n")
    at = _app(tmp_path, monkeypatch, "pi@hospital.example").run()
    assert "1 line(s)" in at.warning[0].value
    assert len(at.dataframe[0].value) == 4  # the three above and this sign-in


def test_other_roles_do_not_see_the_log(tmp_path, monkeypatch):
    _log(tmp_path)
    for email in ("cra@cro.example", "lead@sponsor.example"):
        at = _app(tmp_path, monkeypatch, email).run()
        assert not at.dataframe
        assert "not available for your access" in at.caption[0].value
