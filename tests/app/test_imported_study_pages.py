"""Pages over an imported placebo-controlled RECIST study that is not a cell therapy
(tests/unit/pilot_like.write_oncology_like, SEX as the subtype variable): labels come from
the data, the wording is the study's own, and nothing is invented."""

from __future__ import annotations

import json
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
    assert "CAR-T infusion" not in tables(at) and "Treatment start" in tables(at)


def test_data_page_lists_the_imported_files_with_sha256(at_page):
    at = at_page("data")
    files = at.dataframe[0].value
    assert set(files["File"]) == {"adsl.xpt", "adae.xpt", "adrs.xpt", "adpc.xpt"}
    assert files["SHA-256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert "**Subtype variable:** SEX" in texts(at)


#: Cell-therapy wording that a study that is not one must never show (issue review: "Dose
#: group (CAR-T cells/kg)", "days since infusion", "infused patients", "Infused").
CAR_T_WORDING = re.compile(r"CAR-T cells/kg|CAR-T infusion|\binfus(?:ion|ed)\b", re.IGNORECASE)
#: Citations of a method's source, not the study's treatment (trialdash.wording).
CITATIONS = re.compile(r"FDA CAR-T labels")


def chart_labels(at: AppTest) -> list[str]:
    """Every chart's title, axis titles, legend title, annotations and legend entries."""
    found = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        layout = spec.get("layout", {})
        found.append(layout.get("title", {}).get("text") or "")
        found.append(layout.get("legend", {}).get("title", {}).get("text") or "")
        found += [axis.get("title", {}).get("text") or "" for name, axis in layout.items()
                  if re.fullmatch(r"[xy]axis\d*", name)]
        found += [note.get("text") or "" for note in layout.get("annotations", [])]
        found += [trace.get("name") or "" for trace in spec.get("data", [])]
    return found


def headings(at: AppTest) -> str:
    return " ".join(h.value for h in [*at.title, *at.header, *at.subheader])


def table_headers(at: AppTest) -> str:
    return " ".join(str(c) for t in [*at.dataframe, *at.table]
                    for c in [*t.value.columns, t.value.index.name])


@pytest.mark.parametrize("page", PAGES)
def test_no_cell_therapy_wording_for_a_study_that_is_not_one(at_page, page):
    """Texts, captions, headings, table headers and every chart's titles, axis titles and
    legends say 'treatment start' / 'treated' and 'Sex', never the CAR-T wording."""
    at = at_page(page)
    shown = " ".join([texts(at), headings(at), table_headers(at),
                      *(w.value for w in at.warning)])
    assert not CAR_T_WORDING.findall(CITATIONS.sub("", shown))
    labels = chart_labels(at)
    assert not [t for t in labels if CAR_T_WORDING.search(t)]
    assert not [t for t in labels if re.search(r"\bsubtype\b", t, re.IGNORECASE)]
    if page in ("overview", "safety", "response"):
        assert labels and "Dose group" in " ".join(labels)


def test_overview_charts_name_the_subtype_variable(at_page):
    """The enrollment chart's legend is the subtype variable's label, and no dose axis
    speaks of CAR-T cells/kg."""
    at = at_page("overview")
    labels = chart_labels(at)
    assert "Sex" in labels
    assert any(t.startswith("Treated patients by dose group and sex") for t in labels)
