"""Sign-in through a real OpenID Connect flow in headless Chromium: Streamlit's st.login
against oidc-provider-mock (started here on a free loopback port), for each role of the
access file; every page visited; a sample of hostile URLs; sign-out; the audit log."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT, _free_port, each_tab, screenshot, stop, wait_idle

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "app"))
from access_harness import ACCESS, dates_shown, tokens_of  # noqa: E402
from hostile_urls import HOSTILE, MONITOR  # noqa: E402
from multisite import site_subjects  # noqa: E402

from trialdash.trial import Trial  # noqa: E402

PAGES = ["", "safety", "kinetics", "response", "survival", "patient"]
CHART = '[data-testid="stPlotlyChart"]'
EXCEPTION = '[data-testid="stException"]'
CHART_DATA = """() => JSON.stringify([...document.querySelectorAll('.js-plotly-plot')]
    .map(gd => ({data: gd.data, layout: gd.layout})))"""


@pytest.fixture(scope="module")
def oidc_provider():
    """oidc-provider-mock on a free loopback port: any client, any user (the email claim
    is the subject typed into its authorisation form)."""
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(port=0) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def signed_server(oidc_provider, multisite_snapshot, tmp_path_factory):
    """The dashboard with [auth] pointing at the mock provider, over the three-site trial,
    with the test access file and its own audit log."""
    folder = tmp_path_factory.mktemp("signin")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        'cookie_secret = "a-long-random-cookie-secret-for-the-browser-tests-only"\n'
        'client_id = "trialdash"\n'
        'client_secret = "trialdash-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n')
    (folder / "access.toml").write_text(ACCESS)
    audit_file = folder / "audit.jsonl"
    env = {**os.environ, "TRIALDASH_SNAPSHOT": str(multisite_snapshot),
           "TRIALDASH_ACCESS": str(folder / "access.toml"), "TRIALDASH_AUDIT": str(audit_file)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--secrets.files", str(secrets)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(proc.stderr.read().decode()[-2000:]) from None
            time.sleep(0.3)
    yield url, audit_file
    stop(proc)


@pytest.fixture(scope="module")
def everyone(multisite_snapshot):
    return Trial.open(multisite_snapshot).run("subjects", dose_groups=None, subtypes=None,
                                              subjects=None)


def sign_in(page, url: str, email: str) -> None:
    """Open the dashboard, press Sign in, type the email as the subject at the provider,
    authorise, and wait for the dashboard."""
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector('input[name="sub"]', timeout=30_000)
    page.fill('input[name="sub"]', email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(url)), timeout=30_000)
    wait_idle(page)


def visit(page, url: str, path: str) -> str:
    page.goto(f"{url}/{path}", wait_until="domcontentloaded")
    wait_idle(page)
    assert page.locator(EXCEPTION).count() == 0
    return page.locator("body").inner_text()


def visit_tabs(page, url: str, path: str):
    """Open a page, then each of its other tabs in turn (a page draws only its open tab):
    yields (tab index, the page's text) once each tab is drawn."""
    visit(page, url, path)
    for index, label in each_tab(page):
        assert page.locator(EXCEPTION).count() == 0, (path, label)
        yield index, page.locator("body").inner_text()


def _download_text(download) -> str:
    """A downloaded file as text: a CSV as it is; the meeting pack's HTML without the plotly.js
    library it inlines (code, not data); its PDF through pdftotext (Debian poppler-utils)."""
    path = Path(download.path())
    name = download.suggested_filename.lower()
    if name.endswith(".pdf"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
    text = path.read_text(encoding="utf-8", errors="replace")
    if name.endswith(".html"):
        from plotly.offline import get_plotlyjs

        text = text.replace(get_plotlyjs(), "")
    return text


def downloads_of(page, packs: bool = True) -> tuple[str, str]:
    """Click every download button of the page (those in closed expanders too, and, with
    ``packs``, the sidebar's meeting packs, built for the signed-in user and holding every
    tab): the CSV files' text, and the packs' text (documents, not tables: not to be split at
    commas)."""
    tables, documents = [], []
    scope = "" if packs else '[data-testid="stMain"] '
    buttons = page.locator(f'{scope}[data-testid="stDownloadButton"] button')
    for i in range(buttons.count()):
        with page.expect_download(timeout=120_000) as info:
            buttons.nth(i).dispatch_event("click")
        is_csv = info.value.suggested_filename.lower().endswith(".csv")
        (tables if is_csv else documents).append(_download_text(info.value))
        wait_idle(page)
    return "\n".join(tables), "\n".join(documents)


def audit_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_signed_out_shows_only_sign_in(signed_server, page, everyone):
    url, _ = signed_server
    body = visit(page, url, "response")
    assert "Sign in" in body
    assert "NCT05290155" not in body and "patients" not in body
    assert page.locator(CHART).count() == 0
    # No page list either (not even Streamlit's own, from the pages/ folder's file names).
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert not re.search(r"(?i)\b(kinetics|survival|safety|patient)\b", body)
    screenshot(page, "signin_signed_out")


def test_monitor_sees_only_their_sites(signed_server, page, browser, multisite_snapshot,
                                       everyone):
    url, audit_file = signed_server
    sign_in(page, url, "cra@cro.example")
    mine = site_subjects(multisite_snapshot, ("701", "703"))
    infused = everyone[everyone["USUBJID"].isin(mine) & (everyone["infused"] == "Y")]
    others = set(everyone["USUBJID"]) - mine
    for path in PAGES:
        for tab, body in visit_tabs(page, url, path):
            assert f"{len(infused)} of {len(infused)} patients" in body
            assert "site 701, 703" in body
            charts = page.evaluate(CHART_DATA)
            text = body + charts + page.url + "".join(downloads_of(page, packs=tab == 0))
            assert not [u for u in others if u in text], (path, tab)
    screenshot(page, "signin_monitor_patient")
    for _, path, query in [h for h in HOSTILE if h[0] == MONITOR][:6]:
        qs = urllib.parse.urlencode(query, doseq=True)
        body = visit(page, url, f"{path}?{qs}")
        assert f"of {len(infused)} patients" in body and "site 701, 703" in body
        assert not [u for u in others if u in body + page.evaluate(CHART_DATA)]
    lines = audit_lines(audit_file)
    mine_lines = [line for line in lines if line["user"] == "cra@cro.example"]
    assert mine_lines[0]["event"] == "sign-in" and mine_lines[0]["role"] == "monitor"
    assert {line["event"] for line in mine_lines} >= {"sign-in", "page-view", "download",
                                                      "patient-view", "refused"}


def test_sponsor_pages_hold_no_identifier_or_date(signed_server, page, everyone):
    url, _ = signed_server
    sign_in(page, url, "lead@sponsor.example")
    subjids = set(everyone["SUBJID"])
    for path in PAGES:
        page_charts = ""
        for tab, body in visit_tabs(page, url, path + "?present=0"):
            assert "14 of 14 patients" in body or path == "patient"
            cutoff = re.search(r"data cut-off (\d{4}-\d{2}-\d{2})", body).group(1)
            charts = page.evaluate(CHART_DATA)
            page_charts += charts
            files, packs = downloads_of(page, packs=tab == 0)
            text = body + charts + page.url + files + packs
            assert not [u for u in everyone["USUBJID"] if u in text], (path, tab)
            words = tokens_of(texts=[body, page.url, packs], csvs=[files], jsons=[charts])
            assert not words & subjids, (path, tab)
            # The cut-off and the pack's generation date (its title page) are no patient's
            # dates.
            generated = datetime.now(UTC).date().isoformat()
            assert not dates_shown(text, {cutoff, generated}), (path, tab)
        assert '"customdata"' in page_charts or path in ("survival",)
    screenshot(page, "signin_sponsor_patient")


def test_investigator_sees_everything_and_signs_out(signed_server, page, everyone):
    url, audit_file = signed_server
    sign_in(page, url, "pi@hospital.example")
    for path in PAGES:
        body = visit(page, url, path)
        assert "of 14 patients" in body
    assert "NCT05290155-SYN-" in body
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_timeout(1500)
    body = visit(page, url, "")
    assert "Sign in" in body and "patients" not in body
    assert page.locator(CHART).count() == 0
    events = [line["event"] for line in audit_lines(audit_file)
              if line["user"] == "pi@hospital.example"]
    assert events[0] == "sign-in" and events[-1] == "sign-out"
    assert events.count("page-view") >= len(PAGES)


def test_unknown_user_sees_nothing(signed_server, page, everyone):
    url, audit_file = signed_server
    sign_in(page, url, "stranger@else.example")
    for path in ("", "patient"):
        body = visit(page, url, path)
        assert "no access: ask the study team" in body
        assert "NCT05290155" not in body and page.locator(CHART).count() == 0
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    screenshot(page, "signin_no_access")
    refused = [line for line in audit_lines(audit_file)
               if line["user"] == "stranger@else.example"]
    assert refused and {line["event"] for line in refused} == {"refused"}
