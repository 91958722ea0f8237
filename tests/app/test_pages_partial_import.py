"""Every page over a snapshot imported from ADaM exports that lack ADPC and whose ADAE has
severity only (AESEV, no AETOXGR or ASTCT grade), as some sponsor data sets do."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from trialdash.build import build_from_adam
from trialdash.synthetic import generate

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["overview", "safety", "kinetics", "response", "survival", "patient"]
SEVERITY = {1: "MILD", 2: "MODERATE"}  # grade 3 and above: SEVERE


@pytest.fixture(scope="module")
def partial_snapshot(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("adam_partial")
    datasets = generate().datasets
    adae = datasets["adae"].copy()
    adae["AESEV"] = adae["AETOXGR"].map(lambda g: SEVERITY.get(g, "SEVERE"))
    adae = adae.drop(columns=["AETOXGR", "ASTCTGR"])
    for name, frame in {**datasets, "adae": adae}.items():
        if name != "adpc":
            frame.to_csv(folder / f"{name.upper()}.csv", index=False, date_format="%Y-%m-%d")
    return build_from_adam(folder, folder / "partial.duckdb", title="Partial import")


@pytest.fixture
def at_page(partial_snapshot, monkeypatch):
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(partial_snapshot))

    def run(page: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        return at.switch_page(f"pages/{page}.py").run()

    return run


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_adpc_and_with_severity_only(at_page, page):
    """No exception on any page; no SYNTHETIC label on an imported study."""
    at = at_page(page)
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown)
    assert "14 of 14 patients" in text
    assert "SYNTHETIC DATA" not in text


def test_kinetics_page_explains_the_missing_data_set(at_page):
    """The kinetics page names ADPC as missing instead of failing."""
    at = at_page("kinetics")
    messages = " ".join(i.value for i in at.info)
    assert "ADPC" in messages


def test_safety_page_says_severity_not_grade(at_page):
    """With AESEV only, the TEAE summary counts 'Severe' events and names the scale."""
    at = at_page("safety")
    # Wide tables are static (wrapping) tables, narrow ones data grids: read both.
    tables = " ".join(df.value.to_csv() for df in [*at.dataframe, *at.table])
    assert "Severe TEAE" in tables
    captions = " ".join(c.value for c in at.caption)
    assert "Severity" in captions or "severity" in captions


@pytest.mark.parametrize("page", PAGES)
def test_pages_over_a_pilot_like_study(tmp_path, monkeypatch, page):
    """A study shaped like the CDISC pilot (no subtypes, no ADRS/ADPC/ADLB, endpoint TTDE):
    every page renders or explains what is missing, without an exception."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
    from pilot_like import write_pilot_like

    snapshot = build_from_adam(write_pilot_like(tmp_path / "adam"), tmp_path / "p.duckdb")
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(snapshot))
    at = AppTest.from_file(APP, default_timeout=120).switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "4 of 4 patients" in " ".join(m.value for m in at.markdown)
