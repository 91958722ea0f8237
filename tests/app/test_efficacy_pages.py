"""Streamlit AppTest of the efficacy additions over the default synthetic snapshot: the
follow-up tile, CAR-T response table, allo-HSCT landmark and log-rank on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from trialdash.analysis import hsct_landmark
from trialdash.analysis.cart_response import NOT_IN_DATA

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def page(synthetic_snapshot, monkeypatch):
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(synthetic_snapshot))

    def open_page(name: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        at = at.switch_page(f"pages/{name}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


def _tables(at: AppTest) -> str:
    return " ".join(t.value.to_csv() for t in [*at.dataframe, *at.table])


def test_follow_up_tile_names_both_measures(page):
    at = page("overview")
    captions = " ".join(c.value for c in at.caption)
    assert "Reverse-KM median" in captions and "Time on study: median" in captions
    assert "Bridging therapy before lymphodepletion" in _tables(at)


def test_response_page_has_the_car_t_table(page):
    """The synthetic trial has MRD status, BMRESP, EMRESP and RELCD7: every row of the CAR-T
    response table has a rate, none says the data lack it (the absent case is covered by
    tests/unit/test_cart_response.py)."""
    at = page("response")
    tables = _tables(at)
    for row in ("MRD-negative CR/CRi", "Marrow CR/CRi (patients with marrow disease)",
                "Extramedullary ORR, CR + PR (patients with EMD)",
                "CD7-negative relapse (relapses with CD7 status)"):
        assert row in tables
    assert NOT_IN_DATA not in tables


def test_logrank_p_only_on_request(page):
    """Stratified by dose group, the log-rank line and its caution appear only once the
    'Show log-rank p' toggle is on; the allo-HSCT landmark section always warns."""
    at = page("survival")
    at.segmented_control(key="surv_by").set_value("Dose group").run()
    markdown = " ".join(m.value for m in at.markdown)
    assert "Log-rank test" not in markdown
    assert any(hsct_landmark.CAUTION in w.value for w in at.warning)
    at.toggle(key="surv_logrank").set_value(True).run()
    assert not at.exception
    assert "Log-rank test" in " ".join(m.value for m in at.markdown)
    assert any(hsct_landmark.CAUTION in c.value for c in at.caption)
