"""Pages over an imported placebo-controlled RECIST study that is not a cell therapy
(tests/unit/pilot_like.write_oncology_like, SEX as the subtype variable): labels come from
the data, the wording is the study's own, and nothing is invented."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from trialdash.build import build_from_adam

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from pilot_like import write_oncology_like  # noqa: E402

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["overview", "safety", "kinetics", "response", "survival", "patient", "data"]


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("onc")
    recist = write_oncology_like(root / "recist")
    unstated = write_oncology_like(root / "unstated", criteria_text="",
                                   grade_label="Analysis Toxicity Grade")
    return {
        "recist": build_from_adam(recist, root / "recist.duckdb", subtype_var="SEX"),
        "unstated": build_from_adam(unstated, root / "unstated.duckdb", subtype_var="SEX"),
    }


@pytest.fixture
def at_page(snapshots, monkeypatch):
    def run(page: str, study: str = "recist") -> AppTest:
        monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(snapshots[study]))
        at = AppTest.from_file(APP, default_timeout=120).switch_page(f"pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


def texts(at: AppTest) -> str:
    return " ".join([*(m.value for m in at.markdown), *(c.value for c in at.caption),
                     *(i.value for i in at.info)])


def tables(at: AppTest) -> str:
    return " ".join(t.value.to_csv() for t in [*at.dataframe, *at.table])


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_the_subtype_variables_label(at_page, page):
    """The subtype filter is called 'Sex' (the SAS label of SEX), never 'Disease subtype'."""
    at = at_page(page)
    assert at.multiselect(key="flt_subtype").label == "Sex"
    assert "Disease subtype" not in texts(at) + tables(at)
    assert "Lugano" not in texts(at) + tables(at)


def test_response_page_shows_recist_from_the_data(at_page):
    at = at_page("response")
    assert "RECIST 1.1" in texts(at)
    assert "RECIST 1.1" in tables(at)


def test_response_page_says_criteria_not_stated(at_page):
    at = at_page("response", "unstated")
    assert "criteria not stated in the data" in texts(at)
    assert "criteria not stated in the data" in tables(at)


def test_safety_page_names_the_ctcae_version_or_says_it_is_not_stated(at_page):
    assert "CTCAE v4.03" in texts(at_page("safety"))
    unstated = texts(at_page("safety", "unstated"))
    assert "CTCAE (version not stated)" in unstated and "CTCAE v5.0" not in unstated


def test_kinetics_page_counts_unsampled_patients_instead_of_listing_them(at_page):
    """14 treated patients have no transgene sample (fixture): a count, and the IDs only in
    a collapsed table, not as a block of text."""
    at = at_page("kinetics")
    assert "No transgene sample: 14 patients." in texts(at)
    for caption in at.caption:
        assert len(re.findall(r"ONCO01-\d\d", caption.value)) <= 12


def test_overview_uses_treatment_wording_and_no_placebo_dose_level(at_page):
    at = at_page("overview")
    flow = tables(at)
    assert "Lymphodepleted" not in flow and "Treated" in flow
    ledger = next(t.value for t in [*at.dataframe, *at.table]
                  if "Dose level" in t.value.columns or t.value.index.name == "Dose level")
    levels = ledger["Dose level"] if "Dose level" in ledger.columns else ledger.index
    assert "Placebo" not in set(levels)
    assert "Screen Failure" not in tables(at)


def test_patient_profile_counts_days_from_treatment_start(at_page):
    at = at_page("patient")
    assert "Days since treatment start (day 0)" in texts(at)
    assert "CAR-T" not in texts(at)


def test_data_page_lists_the_imported_files_with_sha256(at_page):
    at = at_page("data")
    files = at.dataframe[0].value
    assert set(files["File"]) == {"adsl.xpt", "adae.xpt", "adrs.xpt", "adpc.xpt"}
    assert files["SHA-256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert "**Subtype variable:** SEX" in texts(at)
