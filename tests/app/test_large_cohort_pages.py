"""AppTest of the paged per-patient views on a 200-patient synthetic snapshot
(``build_synthetic(patients=200)``): the swimmer plot and the patient-by-term heatmap show 50
patients a page with a page control and say "50 of 200 ... shown"; the kinetics curves start as
medians with IQR bands and show the individual curves on demand. On the 14-patient trial none
of these controls appear (the views look as before).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 180
PATIENTS = 200


@pytest.fixture(scope="module")
def large_snapshot(tmp_path_factory) -> Path:
    from trialdash.build import build_synthetic

    return build_synthetic(tmp_path_factory.mktemp("large") / "large.duckdb", patients=PATIENTS)


def _open(snapshot: Path, page: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(snapshot))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at = at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _figure(at: AppTest, title_start: str) -> dict:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec["layout"].get("title", {}).get("text", "")
        if title.startswith(title_start):
            return spec
    raise AssertionError(f"no chart titled {title_start!r}")


def _selectbox(at: AppTest, label: str):
    return next(s for s in at.selectbox if s.label == label)


def _captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_swimmer_pages_through_the_lanes(large_snapshot, monkeypatch):
    at = _open(large_snapshot, "response", monkeypatch)
    pager = _selectbox(at, "Lanes shown")
    assert len(pager.options) == 4  # 200 patients / 50 a page
    assert "50 of 200 patients shown (1–50)" in _captions(at)
    swimmer = _figure(at, "Swimmer plot")
    assert len(swimmer["layout"]["yaxis"]["categoryarray"]) == 50
    first_page = set(swimmer["layout"]["yaxis"]["categoryarray"])
    pager.select_index(3).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "50 of 200 patients shown (151–200)" in _captions(at)
    swimmer = _figure(at, "Swimmer plot")
    last_page = set(swimmer["layout"]["yaxis"]["categoryarray"])
    assert len(last_page) == 50 and not last_page & first_page
    assert "50 of 200 patients shown (151–200)" in swimmer["layout"]["title"]["text"]


def _pager_after_the_list_changed():
    """A pager over 114 patients whose kept value is the label of a page of an earlier list
    of 200: what Streamlit's select box hands back (SelectboxSerde.deserialize returns the
    text when no option carries it) once the browser names a page the new list lacks."""
    import streamlit as st

    from trialdash import ui_paging

    st.session_state.setdefault("pager", "Patients 51–100 of 200")
    page = ui_paging.patient_pager([f"P{i:03d}" for i in range(114)], "pager")
    st.write(f"first shown: {page.usubjids[0]}")


def test_a_page_named_by_an_old_label_falls_back_to_the_first():
    at = AppTest.from_function(_pager_after_the_list_changed, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    pager = _selectbox(at, "Patients shown")
    assert pager.index == 0 and pager.options[0] == "Patients 1–50 of 114"
    assert at.markdown[0].value == "first shown: P000"


def test_heatmap_pages_through_the_patients(large_snapshot, monkeypatch):
    at = _open(large_snapshot, "safety", monkeypatch)
    pager = _selectbox(at, "Patients in the heatmap")
    total = int(pager.options[0].rsplit(" of ", 1)[1].replace(",", ""))
    assert total > 50
    heatmap = _figure(at, "Worst grade per patient")
    assert len(heatmap["data"][0]["x"]) == 50
    assert f"50 of {total} patients with an adverse event shown (1–50)" in _captions(at)
    pager.select_index(1).run()
    assert not at.exception, [e.value for e in at.exception]
    heatmap = _figure(at, "Worst grade per patient")
    assert len(heatmap["data"][0]["x"]) == min(50, total - 50)
    assert f"patients with an adverse event shown (51–{min(100, total)})" in _captions(at)


def test_crs_icans_timeline_pages_through_the_patients(large_snapshot, monkeypatch):
    at = _open(large_snapshot, "safety", monkeypatch)
    pager = _selectbox(at, "Patients in the timeline")
    total = int(pager.options[0].rsplit(" of ", 1)[1].replace(",", ""))
    timeline = _figure(at, "CRS and ICANS episodes")
    assert total > 50 and len(timeline["layout"]["yaxis"]["ticktext"]) == 50  # one row each
    assert f"50 of {total} patients with CRS or ICANS shown (1–50)" in _captions(at)


def _transgene_kinds(at: AppTest) -> list[str]:
    return [t.get("type", "scatter") for t in _figure(at, "CAR-T expansion")["data"]]


def test_kinetics_shows_bands_then_curves_on_demand(large_snapshot, monkeypatch):
    at = _open(large_snapshot, "kinetics", monkeypatch)
    labels = [t.label for t in at.toggle]
    assert "Individual curves" in labels and "Median + IQR band" not in labels
    figure = _figure(at, "CAR-T expansion")
    assert sum(t.get("fill") == "tonexty" for t in figure["data"]) == 3  # one band per group
    assert "scattergl" not in _transgene_kinds(at)
    cd7 = _figure(at, "CD7+ lymphocytes beside")["data"]
    assert sum(t.get("fill") == "tonexty" for t in cd7) == 6  # a band per group and panel
    assert not any(t.get("type") == "scattergl" for t in cd7)
    next(t for t in at.toggle if t.label == "Individual curves").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    gl = [t for t in _figure(at, "CAR-T expansion")["data"] if t.get("type") == "scattergl"]
    # One WebGL line trace per dose group, its patients' samples marked by WebGL traces too.
    assert [t["mode"] for t in gl].count("lines") == 3
    assert {t["mode"] for t in gl} == {"lines", "markers"}
    cd7 = _figure(at, "CD7+ lymphocytes beside")["data"]
    assert [t.get("mode") for t in cd7 if t.get("type") == "scattergl"].count("lines") == 6


def test_trial_views_have_no_pager_and_keep_patient_curves(synthetic_snapshot, monkeypatch):
    """The 14-patient trial: no page control, no 'shown' line, a line per patient."""
    at = _open(synthetic_snapshot, "response", monkeypatch)
    assert "Lanes shown" not in [s.label for s in at.selectbox]
    assert "patients shown" not in _captions(at)
    assert len(_figure(at, "Swimmer plot")["layout"]["yaxis"]["categoryarray"]) == 14
    at = _open(synthetic_snapshot, "safety", monkeypatch)
    pickers = [s.label for s in at.selectbox]
    assert "Patients in the heatmap" not in pickers and "Patients in the timeline" not in pickers
    at = _open(synthetic_snapshot, "kinetics", monkeypatch)
    assert "Median + IQR band" in [t.label for t in at.toggle]
    assert "scattergl" not in _transgene_kinds(at)


def _patient_box_after_presentation_mode_switched():
    """A 3-patient select box whose kept value is a pseudonym text, as Streamlit hands it
    back once presentation mode was switched off (the browser still names the old text)."""
    import streamlit as st

    from trialdash import ui

    class Trial:
        @staticmethod
        def pseudonyms():
            return {"S1": "P-AAAA", "S2": "P-BBBB", "S3": "P-CCCC"}

    class View:
        trial = Trial()

        @staticmethod
        def label(usubjid):
            return usubjid

    st.session_state.setdefault("box", "P-BBBB")
    st.write(f"chosen: {ui.patient_selectbox(View(), 'Patient', ['S1', 'S2', 'S3'], 'box')}")


def test_a_patient_named_by_its_old_text_stays_chosen():
    """P-BBBB is S2's pseudonym: S2 stays chosen, no error."""
    at = AppTest.from_function(_patient_box_after_presentation_mode_switched,
                               default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.markdown[0].value == "chosen: S2"
    assert _selectbox(at, "Patient").value == "S2"


def test_overview_counts_read_with_thousands_separators(tmp_path, monkeypatch):
    """1,200 infused synthetic patients (build_synthetic counts the infused): the header and
    the Infused tile read '1,200', the ORR and deaths tiles name their n as '/1,200'."""
    from trialdash.build import build_synthetic

    snapshot = build_synthetic(tmp_path / "many.duckdb", patients=1200)
    at = _open(snapshot, "overview", monkeypatch)
    assert "**1,200 of 1,200 patients**" in at.markdown[0].value
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Infused"] == "1,200"
    assert any(label.startswith("Deaths ") and label.endswith("/1,200") for label in tiles)
    assert any(label.startswith("ORR ") and "," in label for label in tiles)
