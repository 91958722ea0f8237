"""Streamlit AppTest of every page over the default synthetic snapshot: renders without an
exception, shows charts and tables, follows the shared filters and the URL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["overview", "safety", "kinetics", "response", "survival", "patient"]
TIMEOUT = 120


@pytest.fixture
def app(synthetic_snapshot, monkeypatch):
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(synthetic_snapshot))

    def make(query: dict | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        if query:
            at.query_params.update(query)
        return at

    return make


def open_page(at: AppTest, page: str) -> AppTest:
    """Load ``page`` directly, as a browser following a link to it would."""
    return at.switch_page(f"pages/{page}.py").run()


def charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def url_values(at: AppTest, name: str) -> list[str]:
    """A URL parameter's values (AppTest gives a lone value as a plain string)."""
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def header_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_charts_and_tables(app, page):
    """Every page shows at least one chart and one table, the patient count, the cut-off and
    the SYNTHETIC DATA label, and raises nothing."""
    at = open_page(app(), page)
    assert not at.exception, [e.value for e in at.exception]
    assert charts(at), f"{page}: no chart"
    assert at.dataframe or at.table, f"{page}: no table"
    text = header_text(at)
    assert "14 of 14 patients" in text
    assert "data cut-off 2025-05-15" in text
    assert "SYNTHETIC DATA" in text


@pytest.mark.parametrize("page", PAGES)
def test_dose_filter_changes_the_page(app, page):
    """Choosing one dose group leaves 3 of 14 patients (3+3 escalation: 3 at 0.25) and the
    page still renders; the choice is mirrored in the URL."""
    at = open_page(app(), page)
    at.multiselect(key="flt_dose").set_value(["0.25 x10^6 cells/kg"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "3 of 14 patients" in header_text(at)
    assert url_values(at, "dose") == ["0.25 x10^6 cells/kg"]


@pytest.mark.parametrize("page", PAGES)
def test_url_parameters_restore_filters(app, page):
    """A link with ?subtype=T-ALL&present=1 restores the subtype filter (5 T-ALL patients in
    the synthetic cohort) and presentation mode."""
    at = open_page(app({"subtype": "T-ALL", "present": "1"}), page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="flt_subtype").value == ["T-ALL"]
    assert at.toggle(key="flt_present").value is True
    assert "5 of 14 patients" in header_text(at)


def test_presentation_mode_hides_patient_ids(app):
    """In presentation mode no table shows a USUBJID; pseudonyms (P-7K3Q...) appear instead."""
    at = open_page(app({"present": "1"}), "response")
    shown = " ".join(t.value.to_csv() for t in [*at.dataframe, *at.table])
    assert at.table, "presentation mode shows static tables in larger type"
    assert "NCT05290155-SYN-" not in shown
    assert re.search(r"\bP-[0-9A-Z]{4}\b", shown), "pseudonyms P-XXXX replace the IDs"


def test_patient_deep_link_opens_that_patient(app):
    """?patient=<USUBJID> on the patient page selects that patient."""
    at = open_page(app({"patient": "NCT05290155-SYN-004"}), "patient")
    assert not at.exception, [e.value for e in at.exception]
    assert "1 of 14 patients" in header_text(at)
    assert at.selectbox[0].value == "NCT05290155-SYN-004"


def test_filters_survive_switching_pages(app):
    """A dose filter set on the overview still applies after moving to the safety page."""
    at = open_page(app(), "overview")
    at.multiselect(key="flt_dose").set_value(["0.5 x10^6 cells/kg"]).run()
    assert "3 of 14 patients" in header_text(at)
    at.switch_page("pages/safety.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="flt_dose").value == ["0.5 x10^6 cells/kg"]
    assert "3 of 14 patients" in header_text(at)


def test_new_snapshot_is_picked_up_without_restart(tmp_path, monkeypatch):
    """A new data cut renamed into place is shown at the next interaction: the cache is
    keyed by the snapshot file's modification time."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
    from tiny_trial import build_tiny

    from trialdash.build import build_synthetic

    path = tmp_path / "live.duckdb"
    build_tiny(path)
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).switch_page("pages/overview.py").run()
    assert "2 of 2 patients" in header_text(at)
    build_synthetic(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "14 of 14 patients" in header_text(at)


def test_presentation_link_uses_pseudonyms_in_the_url(app, trial):
    """?present=1&patient=<pseudonym> opens that patient and keeps only the pseudonym in
    the URL, which is visible on a shared screen."""
    pseudonym = trial.pseudonyms()["NCT05290155-SYN-004"]
    at = open_page(app({"patient": pseudonym, "present": "1"}), "patient")
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["flt_patient"] == ["NCT05290155-SYN-004"]
    assert url_values(at, "patient") == [pseudonym]
    assert "1 of 14 patients" in header_text(at)


def test_sites_filter_shows_the_site_name(app):
    """The synthetic ADSL names its one site (SITENAM): the Sites filter shows it beside
    SITEID, and picking it puts the SITEID in the URL."""
    at = open_page(app(), "overview")
    sites = at.multiselect(key="flt_site")
    assert sites.options == ["01 Shanghai General Hospital"]
    at = sites.select("01").run()
    assert url_values(at, "site") == ["01"]
    assert at.multiselect(key="flt_site").value == ["01"]
