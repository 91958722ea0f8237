"""The meeting pack from the real pages: every page of the navigation and every chart and
table of each page is in the pack; the `report` command writes HTML; presentation mode
leaves no patient identifier or calendar date of the snapshot in the file; a filtered pack
holds only the filtered patients."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest
from test_pages_partial_import import partial_snapshot  # noqa: F401 - a shared fixture

from trialdash.report import harvest as harvesting

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 120
LOW_DOSE = "0.25 x10^6 cells/kg"


def run_report(out: Path, *options: str, snapshot: Path,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m trialdash report`` in its own process, as the sidebar button runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "trialdash", "report", "--out", str(out), "--snapshot",
         str(snapshot), *options], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, **(env or {})})
    print(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "")  # timing
    return result


@pytest.fixture(scope="module")
def full_harvest(synthetic_snapshot):
    return harvesting.harvest({}, synthetic_snapshot)


@pytest.fixture(scope="module")
def present_pack(synthetic_snapshot, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("pack") / "present.html"
    result = run_report(out, "--present", snapshot=synthetic_snapshot)
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8")


def _page_elements(at: AppTest) -> tuple[int, int]:
    """Charts and tables (st.dataframe or st.table) in the page's main area."""
    main = at.main
    return len(main.get("plotly_chart")), len(main.get("dataframe")) + len(main.get("table"))


def test_pack_covers_every_page_of_the_navigation(full_harvest):
    """The pack has one section per page script in pages/, in st.navigation order (a page
    added to app.py, e.g. a Data page, is picked up), each led by the page's own title."""
    scripts = [s.script for s in full_harvest.sections]
    assert sorted(scripts) == sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
    assert scripts[0] == "pages/overview.py"  # the default page comes first
    for section in full_harvest.sections:
        first = section.blocks[0]
        assert (first.kind, first.level) == ("heading", 1), section.title
    assert full_harvest.unrendered == [], "page elements the pack cannot show"


def test_every_chart_and_table_of_every_page_is_in_the_pack(synthetic_snapshot, monkeypatch,
                                                            full_harvest):
    """Each page, run on its own as tests/app/test_pages.py does, shows as many charts and
    tables as the pack's section holds; every chart keeps its traces (figure JSON)."""
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(synthetic_snapshot))
    totals = [0, 0]
    for section in full_harvest.sections:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT).switch_page(section.script).run()
        assert not at.exception, [e.value for e in at.exception]
        charts, tables = _page_elements(at)
        blocks = list(section.walk())
        packed_charts = [b for b in blocks if b.kind == "chart"]
        assert len(packed_charts) == charts, section.title
        assert sum(b.kind == "table" for b in blocks) == tables, section.title
        assert all(b.data["data"] for b in packed_charts), section.title
        totals = [totals[0] + charts, totals[1] + tables]
    # Not vacuous: the trial's pages hold many charts and tables (the Data page of the
    # synthetic trial has neither: no source files, no kept cut, no finding).
    assert totals[0] >= 10 and totals[1] >= 20, totals


def test_plotly_spec_is_the_figure_json(synthetic_snapshot, monkeypatch):
    """Streamlit internals the pack relies on (1.67): the chart proto's ``spec`` is the
    figure JSON, the dataframe proto's ``columns`` its column configuration, and AppTest
    lists the pages st.navigation registered with their titles."""
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(synthetic_snapshot))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    titles = [page["page_name"] for page in harvesting.navigation_pages(at)]
    assert titles[0] == "Overview and enrollment" == at.title[0].value
    figure = harvesting.figure_of(at.main.get("plotly_chart")[0])
    assert figure["data"][0]["type"] == "bar"  # enrollment by dose group: stacked bars
    assert "layout" in figure
    # The dataframe's column configuration (JSON in the proto's 'columns' field) says that
    # ui.table hides the index; the pack then shows the frame's columns only.
    grid = at.main.get("dataframe")[0]
    block = harvesting._dataframe_block(grid)
    assert block.show_index is False
    assert list(block.data.columns) == list(grid.value.columns)
    assert json.loads(grid.proto.columns)["_index"] == {"hidden": True}


def test_report_cli_writes_one_self_contained_html(present_pack):
    """One file: plotly.js inlined exactly once, no external script, stylesheet or image,
    a section per page, the title page with study, registry id, cut-off, source, filters,
    generation time and the SYNTHETIC DATA label."""
    from plotly.offline import get_plotlyjs

    assert present_pack.count(get_plotlyjs()) == 1
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", present_pack)
    assert "@import" not in present_pack.replace(get_plotlyjs(), "")
    for fact in ("NCT05290155", "Data cut-off", "2025-05-15", "synthetic, seed 20220501",
                 "Dose: all · Subtype: all · Patients: all", "14 of 14 patients",
                 "Generated", "SYNTHETIC DATA", "Presentation mode"):
        assert fact in present_pack, fact
    assert present_pack.count('<section class="page"') == len(
        list((ROOT / "pages").glob("*.py")))


def _snapshot_identifiers(path: Path) -> tuple[set[str], set[str], set[date], date]:
    """Every USUBJID, SUBJID and calendar date in the snapshot's patient-level tables, read
    straight from DuckDB; and the data cut-off."""
    with duckdb.connect(str(path), read_only=True) as con:
        usubjids = {r[0] for r in con.execute("SELECT USUBJID FROM adsl").fetchall()}
        subjids = {r[0] for r in con.execute("SELECT SUBJID FROM adsl").fetchall() if r[0]}
        cutoff = con.execute("SELECT cutoff_date FROM meta").fetchone()[0]
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type IN ('DATE', 'TIMESTAMP') AND table_name <> 'meta'").fetchall()
        dates = set()
        for table, column in columns:
            dates |= {r[0] for r in con.execute(
                f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
            ).fetchall()}
    return usubjids, subjids, {d if type(d) is date else d.date() for d in dates}, cutoff


def _date_spellings(day: date) -> list[str]:
    """ISO, SAS DATE9, and the day-month-year spellings a chart or table might use."""
    return [day.isoformat(), day.strftime("%d%b%Y").upper(), day.strftime("%Y/%m/%d"),
            day.strftime("%d/%m/%Y"), day.strftime("%m/%d/%Y"), day.strftime("%b %d, %Y"),
            day.strftime("%b %-d, %Y"), day.strftime("%d %b %Y"), day.strftime("%-d %b %Y")]


def test_presentation_pack_has_no_identifier_or_calendar_date(present_pack, synthetic_snapshot):
    """--present: no USUBJID, no SUBJID (as a whole token) and no calendar date of the
    snapshot anywhere in the file, chart JSON and hover text included; pseudonyms are used.
    The data cut-off is the one date the pack must state (title page, page footers), so it
    is not scanned for; it is not a patient date."""
    from plotly.offline import get_plotlyjs

    usubjids, subjids, dates, cutoff = _snapshot_identifiers(synthetic_snapshot)
    content = present_pack.replace(get_plotlyjs(), "")  # the library itself is not data
    assert len(usubjids) == 17 and len(dates) > 100  # 17 enrolled (synthetic trial)
    leaked = [u for u in usubjids if u in present_pack]
    # A SUBJID ("004") is a whole token, not digits of a number such as 977,006 or 0.004.
    leaked += [s for s in subjids
               if re.search(rf"(?<![\w.,]){re.escape(s)}(?![\w.,])", content)]
    leaked += [text for day in dates - {cutoff} for text in _date_spellings(day)
               if text in present_pack]
    assert leaked == []
    assert re.search(r"\bP-[0-9A-Z]{4}\b", content), "pseudonyms P-XXXX are shown"


def test_filtered_pack_holds_only_the_filtered_patients(synthetic_snapshot, tmp_path):
    """--dose 0.25: the 3 patients infused at 0.25 x10^6/kg (3+3 escalation; 5 enrolled at
    that level) appear, no other patient does, and every page says 3 of 14 patients."""
    out = tmp_path / "low_dose.html"
    result = run_report(out, "--dose", LOW_DOSE, snapshot=synthetic_snapshot)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    with duckdb.connect(str(synthetic_snapshot), read_only=True) as con:
        rows = con.execute("SELECT USUBJID, dose_group FROM adsl").fetchall()
    kept = {u for u, dose in rows if dose == LOW_DOSE}
    assert len(kept) == 5
    assert {u for u, _ in rows if u in text} <= kept
    assert {u for u in kept if u in text}, "the filtered patients are shown"
    pages = len(list((ROOT / "pages").glob("*.py")))
    assert text.count("3 of 14 patients") >= pages + 1  # title page and every page header
    assert f"Dose: {LOW_DOSE}" in text


def test_unknown_filter_value_is_refused_and_nothing_written(synthetic_snapshot, tmp_path):
    """A dose group the snapshot lacks is an error naming the known ones; no file appears."""
    out = tmp_path / "pack.html"
    result = run_report(out, "--dose", "2.0 x10^6 cells/kg", snapshot=synthetic_snapshot)
    assert result.returncode == 2
    assert "unknown filter value: dose group '2.0 x10^6 cells/kg'" in result.stderr
    assert LOW_DOSE in result.stderr
    assert not out.exists() and not list(tmp_path.iterdir())


def test_pack_of_an_imported_study_without_adpc(partial_snapshot):  # noqa: F811 - fixture
    """An ADaM import without ADPC (fixture of test_pages_partial_import): the pack builds,
    carries no SYNTHETIC DATA label, names the study from the import, and the kinetics
    section says which data set it needs instead of failing."""
    from trialdash.report.pack import PackRequest, build_html

    document, harvest = build_html(PackRequest(snapshot=partial_snapshot))
    assert harvest.unrendered == []
    assert "SYNTHETIC DATA" not in document
    assert "Partial import" in document
    kinetics = next(s for s in harvest.sections if s.script == "pages/kinetics.py")
    alerts = [b.text for b in kinetics.walk() if b.kind == "alert"]
    assert any("needs ADPC" in text for text in alerts), alerts


def test_button_command_passes_any_url_parameter_safely(tmp_path):
    """The sidebar button's command line: filters as options, other URL parameters through
    --param, values that look like options kept as values (argparse reads them back)."""
    from trialdash.cli import build_parser
    from trialdash.report.button import report_command
    from trialdash.report.cli import _widgets

    command = report_command(tmp_path / "p.html", "html", ("0.5 x10^6 cells/kg",), (),
                             ("-P03",), True, {"site": ["701"], "--out": ["/etc/x"],
                                               "dose": ["ignored: given as a filter"]},
                             tmp_path / "s.duckdb", {"surv_ci": True, "surv_unit": "days"})
    args = build_parser().parse_args(command[3:])
    assert args.out == tmp_path / "p.html" and args.snapshot == tmp_path / "s.duckdb"
    assert (args.dose, args.patient, args.present) == (["0.5 x10^6 cells/kg"], ["-P03"], True)
    assert args.param == ["site=701", "--out=/etc/x"]
    assert _widgets(args.widget) == {"surv_ci": True, "surv_unit": "days"}


def test_button_forwards_page_settings_not_filters_or_downloads():
    """Page widget values go to the pack; the shared filters (sent as filters), their kept
    copies and download buttons do not, nor values that are not plain settings."""
    from trialdash.report.button import page_widget_values

    state = {"surv_endpoint": "PFS", "surv_ci": True, "flt_dose": ["x"], "_keep_dose": ["x"],
             "dl_baseline": False, "meeting_pack_html": False, "cache": {"a": 1}}
    assert page_widget_values(state) == {"surv_endpoint": "PFS", "surv_ci": True}


def test_page_settings_reach_their_page(synthetic_snapshot):
    """Widget values by key are set on the page that shows them before it is collected:
    the survival page then shows PFS with its confidence band; unknown keys are ignored."""
    harvest = harvesting.harvest({}, synthetic_snapshot, widgets={
        "surv_endpoint": "PFS", "surv_ci": True, "no_such_widget": 1})
    survival = next(s for s in harvest.sections if s.script == "pages/survival.py")
    settings = [b.text for b in survival.walk() if b.kind == "setting"]
    assert "Endpoint: Progression-free survival (PFS)" in settings
    assert "Show 95% confidence band: on" in settings


def test_site_pack_holds_only_that_sites_patients(multisite_snapshot, tmp_path):
    """--site 701 on the three-site copy of the trial: only site 701's patients appear, and
    the title page and every header count them (hand count from ADSL)."""
    out = tmp_path / "site.html"
    result = run_report(out, "--site", "701", snapshot=multisite_snapshot)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    with duckdb.connect(str(multisite_snapshot), read_only=True) as con:
        rows = con.execute("SELECT USUBJID, SITEID, infused FROM adsl").fetchall()
    kept = {u for u, site, _ in rows if site == "701"}
    assert kept and len(kept) < len(rows)
    assert {u for u, _, _ in rows if u in text} <= kept
    infused = sum(1 for _, site, inf in rows if site == "701" and inf == "Y")
    assert f"{infused} of 14 patients" in text


def test_pack_of_an_earlier_cut_states_its_cutoff(tmp_path):
    """--cut: the pack shows a kept earlier cut and its title page states that cut-off; a cut
    that is not kept is refused and nothing is written."""
    live = tmp_path / "trial.duckdb"
    for cutoff in ("2024-06-01", None):
        extra = ["--cutoff", cutoff] if cutoff else []
        assert subprocess.run([sys.executable, "-m", "trialdash", "snapshot", "build",
                               "--synthetic", "--out", str(live), *extra], cwd=ROOT,
                              capture_output=True).returncode == 0
    out = tmp_path / "cut.html"
    result = run_report(out, "--cut", "2024-06-01", snapshot=live)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "data cut-off 2024-06-01" in text and "cut = 2024-06-01" in text
    missing = tmp_path / "missing.html"
    refused = run_report(missing, "--cut", "2023-01-01", snapshot=live)
    assert refused.returncode == 2 and "unknown data cut '2023-01-01'" in refused.stderr
    assert not missing.exists()


def test_pack_for_a_signed_in_monitor_holds_only_their_sites(multisite_snapshot, tmp_path):
    """The button builds the pack as the signed-in user (--user): a monitor of sites 701 and
    703 gets their patients only, pages and title page alike, however the server's sign-in
    is configured; a user the access file does not know gets no pack at all."""
    from access_harness import ACCESS, MONITOR_SITES

    access_file = tmp_path / "access.toml"
    access_file.write_text(ACCESS)
    env = {"TRIALDASH_ACCESS": str(access_file)}
    out = tmp_path / "monitor.html"
    result = run_report(out, "--user", "cra@cro.example", snapshot=multisite_snapshot,
                        env=env)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    with duckdb.connect(str(multisite_snapshot), read_only=True) as con:
        rows = con.execute("SELECT USUBJID, SITEID, infused FROM adsl").fetchall()
    mine = {u for u, site, _ in rows if site in MONITOR_SITES}
    others = {u for u, site, _ in rows if site not in MONITOR_SITES}
    assert others and not [u for u in others if u in text]
    assert [u for u in mine if u in text], "the monitor's own patients are shown"
    infused = sum(1 for _, site, inf in rows if site in MONITOR_SITES and inf == "Y")
    assert f"{infused} of {infused} patients" in text and "site 701, 703" in text
    refused = tmp_path / "stranger.html"
    result = run_report(refused, "--user", "stranger@example.org",
                        snapshot=multisite_snapshot, env=env)
    assert result.returncode == 2 and "no access: ask the study team" in result.stderr
    assert not refused.exists()
