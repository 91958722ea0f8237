"""AppTest of the Data page and the findings link, over the synthetic trial written with
three hand-made findings (two about patients, one study-level)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from trialdash.derive import derive_all
from trialdash.snapshot import SnapshotMeta, write_snapshot
from trialdash.synthetic import DEFAULT_SEED, generate

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 120
FIRST, OTHER = "NCT05290155-SYN-004", "NCT05290155-SYN-009"


def findings_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "dataset": ["adae", "adsl", "adsl"],
        "file": ["ADAE.csv", "ADSL.csv", "ADSL.csv"],
        "row": [12, 9, None],
        "column": ["ASTDT", "LSTALVDT", "DCUTDT"],
        "usubjid": [FIRST, OTHER, None],
        "value": ["1977-06-01", "2023-01-02", None],
        "rule": ["date_before_1980", "alive_before_treatment", "no_cutoff_date"],
        "message": ["ASTDT 1977-06-01 is before 1980; kept.",
                    "LSTALVDT 2023-01-02 is before TRTSDT; kept.",
                    "No DCUTDT; the latest date is the cut-off."],
    })


def write_findings_snapshot(path: Path, findings: pd.DataFrame | None = None) -> Path:
    """The synthetic trial written to ``path`` with ``findings`` (default: the three of
    :func:`findings_frame`)."""
    trial = generate()
    meta = SnapshotMeta(trial.study_id, trial.title, trial.registry_id, trial.cutoff,
                        "synthetic", f"synthetic, seed {DEFAULT_SEED}", [], DEFAULT_SEED,
                        "TRT01A", "DISTYPE")
    findings = findings_frame() if findings is None else findings
    return write_snapshot({**derive_all(trial.datasets), "findings": findings}, meta, path)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    return write_findings_snapshot(tmp_path_factory.mktemp("f") / "findings.duckdb")


@pytest.fixture
def app(snapshot, monkeypatch):
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(snapshot))

    def make(page: str, query: dict | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        if query:
            at.query_params.update(query)
        return at.switch_page(f"pages/{page}.py").run()

    return make


def page_links(at: AppTest) -> list[str]:
    return [el.proto.label for el in at.get("page_link")]


def table_text(at: AppTest) -> str:
    return " ".join(t.value.to_csv() for t in [*at.dataframe, *at.table])


def test_data_page_lists_source_and_findings(app):
    at = app("data")
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown)
    assert "**Dose variable:** TRT01A" in text and "**Subtype variable:** DISTYPE" in text
    tables = table_text(at)
    for rule in ("date_before_1980", "alive_before_treatment", "no_cutoff_date"):
        assert rule in tables
    assert FIRST in tables and "(study level)" in tables
    assert at.get("download_button"), "findings can be downloaded as CSV"


@pytest.mark.parametrize("page", ["overview", "safety", "patient", "data"])
def test_header_links_to_the_findings(app, page):
    """Three findings in view: the header says so as a link to the Data page."""
    at = app(page)
    assert not at.exception, [e.value for e in at.exception]
    assert "3 data findings" in page_links(at)


def test_filters_narrow_the_findings(app):
    """A dose filter leaving neither patient keeps only the study-level finding (hand count
    from the synthetic trial's dose groups: SYN-004 and SYN-009 are not at 0.25)."""
    at = app("data", {"patient": FIRST})
    assert "2 data findings" in page_links(at)
    tables = table_text(at)
    assert FIRST in tables and OTHER not in tables


def test_rule_filter_on_the_page(app):
    at = app("data")
    at.multiselect(key="data_rules").set_value(["alive_before_treatment"]).run()
    assert not at.exception
    findings = at.dataframe[-1].value
    assert list(findings["Rule"]) == ["alive_before_treatment"]


def test_open_profile_offers_patients_with_findings_and_a_profile(app):
    """The picker under the table offers the two patients with findings (AppTest does not
    follow st.switch_page; tests/browser clicks through to the profile)."""
    at = app("data")
    assert at.selectbox(key="data_pick").options == [FIRST, OTHER]
    assert at.button(key="data_open")


def test_patient_profile_lists_own_findings_only(app):
    at = app("patient", {"patient": FIRST})
    assert not at.exception, [e.value for e in at.exception]
    expanders = [e.proto.label for e in at.expander]
    assert f"Data findings for {FIRST}: 1" in expanders
    tables = table_text(at)
    assert "date_before_1980" in tables and "alive_before_treatment" not in tables


def test_presentation_mode_hides_ids_and_dates(app):
    at = app("data", {"present": "1"})
    assert not at.exception, [e.value for e in at.exception]
    tables = table_text(at)
    assert "NCT05290155-SYN-" not in tables
    assert "1977-06-01" not in tables


def test_no_findings_no_link(synthetic_snapshot, monkeypatch):
    """The clean synthetic snapshot: no findings link, and the Data page says so."""
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(synthetic_snapshot))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [label for label in page_links(at) if "finding" in label]
    assert any("No data-quality findings" in s.value for s in at.success)


@pytest.fixture(scope="module")
def two_cuts(tmp_path_factory) -> Path:
    """The findings snapshot live, with an earlier cut kept that had only the first finding."""
    from trialdash.history import keep_previous

    live = tmp_path_factory.mktemp("cuts") / "trial.duckdb"
    write_findings_snapshot(live, findings_frame().iloc[[0]])
    assert keep_previous(live) is not None
    live.unlink()
    return write_findings_snapshot(live)


def test_findings_new_since_the_previous_cut_are_marked(two_cuts, monkeypatch):
    """Compared with the kept cut (only the ADAE finding about FIRST): the other two findings
    are marked 'new', the first is not."""
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(two_cuts))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    (listed,) = [t.value for t in at.dataframe if "What was found" in t.value.columns]
    assert listed.columns[1] == "New"
    assert list(listed["New"]) == ["", "new", "new"]
    assert list(listed["Rule"]) == list(findings_frame()["rule"])
