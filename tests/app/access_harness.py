"""Helpers for AppTest runs as a signed-in user: the [auth] secrets, an access file, the
audit log, and everything a run sends to the browser."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["overview", "safety", "kinetics", "response", "survival", "patient"]
TIMEOUT = 120
AUTH = {  # as Streamlit documents [auth]; the provider is never contacted by these tests
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret-not-used-for-anything-else",
    "client_id": "trialdash", "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ACCESS = '''
[users."pi@hospital.example"]
role = "investigator"

[users."cra@cro.example"]
role = "monitor"
sites = ["701", "703"]

[users."lead@sponsor.example"]
role = "sponsor"

[users."typo@cro.example"]
role = "moniter"
'''
MONITOR_SITES = ("701", "703")
ISO_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}-\d{2}-\d{2}(?!\d)")
TEXT_DATE = re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* "
                       r"(?:19|20)\d{2}\b")


class Downloads:
    """Every file a run registers for download (the bytes the browser would receive)."""

    def __init__(self, monkeypatch):
        self.files: list[tuple[str, bytes]] = []
        original = MemoryMediaFileStorage.load_and_get_id

        def spy(storage, path_or_data, mimetype, kind, filename=None):
            data = path_or_data if isinstance(path_or_data, bytes) else str(path_or_data)
            self.files.append((filename or "", data if isinstance(data, bytes)
                               else data.encode()))
            return original(storage, path_or_data, mimetype, kind, filename)

        monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)

    def text(self) -> str:
        return "\n".join(name + "\n" + data.decode("utf-8", "replace")
                         for name, data in self.files)


@pytest.fixture
def signed_in(multisite_snapshot, tmp_path, monkeypatch):
    """``make(email, query)`` -> an AppTest signed in as ``email`` (None = signed out),
    with [auth] configured, the access file above and a fresh audit log."""
    access_file = tmp_path / "access.toml"
    access_file.write_text(ACCESS)
    audit_file = tmp_path / "audit.jsonl"
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(multisite_snapshot))
    monkeypatch.setenv("TRIALDASH_ACCESS", str(access_file))
    monkeypatch.setenv("TRIALDASH_AUDIT", str(audit_file))

    def make(email: str | None, query: dict | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.secrets["auth"] = dict(AUTH)
        at.user = {"is_logged_in": email is not None, **({"email": email} if email else {})}
        if query:
            at.query_params.update(query)
        return at

    make.audit_file = audit_file
    make.access_file = access_file
    return make


def audit_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _text_parts(at: AppTest) -> list[str]:
    parts: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning",
                 "error", "success", "text", "code", "latex"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [f"{e.label} {e.value}" for e in at.metric]
    for kind in ("selectbox", "multiselect", "radio", "segmented_control"):
        for widget in at.get(kind):
            parts += [str(o) for o in getattr(widget, "options", [])]
    parts += [json.dumps(dict(at.query_params.items()), ensure_ascii=False)]
    return parts


def _tables(at: AppTest) -> list[str]:
    return [e.value.to_csv() for e in at.dataframe] + [e.value.to_csv() for e in at.table]


def shown(at: AppTest, downloads: Downloads | None = None) -> str:
    """Everything the run sent to the browser: text, tables, metrics, widget options, the
    JSON of every chart (hover text and customdata included), downloads and the URL."""
    parts = _text_parts(at) + _tables(at)
    parts += [chart.proto.spec for chart in at.get("plotly_chart")]
    if downloads is not None:
        parts.append(downloads.text())
    return "\n".join(parts)


def open_page(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"pages/{page}.py").run()


def dates_shown(text: str, allowed: set[str]) -> set[str]:
    """Calendar dates in ``text`` (ISO or '10 Jan 2023') other than ``allowed``."""
    return (set(ISO_DATE.findall(text)) | set(TEXT_DATE.findall(text))) - allowed


_SEPARATORS = re.compile(r"[^\w\-.,]+")


def tokens_of(texts=(), csvs=(), jsons=()) -> set[str]:
    """The words of what was shown, so that a SUBJID such as '006' is found on its own but
    not inside '977,006' or '0.006': text split at spaces and punctuation (not - . ,, then
    trimmed of . and ,); CSV downloads split into cells; chart JSON into its strings."""
    strings = list(texts)
    for data in csvs:
        strings += [cell for row in csv.reader(io.StringIO(data)) for cell in row]
    for spec in jsons:
        strings += list(_json_strings(json.loads(spec)))
    return {t.strip(".,") for text in strings for t in _SEPARATORS.split(str(text))} - {""}


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def shown_tokens(at: AppTest, downloads: Downloads | None = None) -> set[str]:
    """:func:`tokens_of` over everything :func:`shown` covers."""
    files = [data.decode("utf-8", "replace") for _, data in downloads.files] if downloads else []
    return tokens_of(texts=_text_parts(at), csvs=_tables(at) + files,
                     jsons=[chart.proto.spec for chart in at.get("plotly_chart")])
