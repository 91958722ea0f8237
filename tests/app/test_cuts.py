"""AppTest of data cuts in the dashboard: the cut picker and "Compare with" (sidebar and
URL), the earlier-cut banner, the "Since the previous cut" panel against snapshot diff, new
rows on the patient profile, the previous cut-off on the swimmer plot, the new-cut notice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from trialdash.cli import main
from trialdash.cutdiff import diff_snapshots
from trialdash.history import kept_files
from trialdash.trial import Trial

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 120
CUTOFFS = ["2024-06-01", "2024-12-01"]


@pytest.fixture(scope="module")
def cuts(tmp_path_factory) -> Path:
    """A live synthetic snapshot (cut-off 2025-05-15) with two earlier cuts kept."""
    live = tmp_path_factory.mktemp("cuts") / "trial.duckdb"
    for cutoff in CUTOFFS:
        assert main(["snapshot", "build", "--synthetic", "--cutoff", cutoff,
                     "--out", str(live)]) == 0
    assert main(["snapshot", "build", "--synthetic", "--out", str(live)]) == 0
    return live


@pytest.fixture
def app(cuts, monkeypatch):
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(cuts))

    def make(page: str = "overview", query: dict | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params.update(query or {})
        at = at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return make


def _kept(cuts: Path, cutoff: str) -> Path:
    return next(p for p in kept_files(cuts.parent / "cuts") if p.name.startswith(cutoff))


def _tables(at: AppTest) -> list[pd.DataFrame]:
    """Every table on the page, interactive ones first, then static ones (a static table's
    first column is its index: put back as a column)."""
    frames = [t.value for t in at.dataframe]
    frames += [t.value.reset_index() if t.value.index.name else t.value for t in at.table]
    return frames


def _header(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_current_cut_compared_with_the_one_before(app, cuts):
    """By default: the current cut, compared with the newest kept cut; the panel's tiles
    equal snapshot diff's lists for the two files."""
    at = app()
    assert at.selectbox(key="flt_cut").value == ""
    assert at.selectbox(key="flt_compare").value == _kept(cuts, "2024-12-01").stem
    assert "data cut-off 2025-05-15" in _header(at)
    assert [s.value for s in at.subheader][0] == "Since the previous cut (2024-12-01)"
    diff = diff_snapshots(_kept(cuts, "2024-12-01"), cuts)
    tiles = _metrics(at)
    for title, items in (("Enrolled", diff.new_enrolled), ("Infused", diff.new_infused),
                         ("Responses", diff.new_responses), ("Deaths", diff.new_deaths),
                         ("Progressions", diff.new_progressions)):
        assert tiles[title] == (f"+{len(items)}" if items else "0"), title
    assert tiles["Deaths"] != "0"  # deaths happened between these cuts: not vacuous
    assert not at.main.warning  # (the sidebar warns that no sign-in is configured)
    assert "cut" not in at.query_params and "compare" not in at.query_params


def test_picking_an_earlier_cut_shows_it_with_a_banner_and_in_the_url(app, cuts):
    at = app()
    earlier = _kept(cuts, "2024-12-01").stem
    at.selectbox(key="flt_cut").set_value(earlier).run()
    assert not at.exception
    assert "data cut-off 2024-12-01" in _header(at)
    assert any("earlier data cut" in w.value for w in at.warning)
    assert at.query_params["cut"] in (earlier, [earlier])
    assert at.selectbox(key="flt_compare").value == _kept(cuts, "2024-06-01").stem
    assert [s.value for s in at.subheader][0] == "Since the previous cut (2024-06-01)"


@pytest.mark.parametrize("page", ["overview", "safety", "response", "patient"])
def test_url_names_a_cut_by_date(app, page):
    """A link with ?cut=2024-06-01 (the oldest cut: nothing to compare with) opens that cut
    on every page."""
    at = app(page, {"cut": "2024-06-01"})
    assert "data cut-off 2024-06-01" in _header(at)
    assert any("earlier data cut" in w.value for w in at.warning)
    assert at.selectbox(key="flt_compare").value == "none"
    assert not any(s.value.startswith("Since the previous cut") for s in at.subheader)


def test_compare_none_in_the_url_hides_the_panel(app):
    at = app("overview", {"compare": "none"})
    assert not any(s.value.startswith("Since the previous cut") for s in at.subheader)
    at = app("overview", {"compare": "2024-06-01"})
    assert [s.value for s in at.subheader][0] == "Since the previous cut (2024-06-01)"
    assert "2024-06-01" in str(at.query_params["compare"])


def test_safety_shows_the_change_in_counts_and_new_episodes(app, cuts):
    """Compared with the 2024-06-01 cut: the TEAE count change is stated, and the CRS/ICANS
    episode table (first 28 days) marks as 'new' exactly the CRS/ICANS events snapshot diff
    finds added within 28 days of infusion."""
    at = app("safety", {"compare": "2024-06-01"})
    assert any("Since the previous cut (2024-06-01)" in c.value for c in at.caption)
    added = diff_snapshots(_kept(cuts, "2024-06-01"), cuts).datasets["adae"].added
    expected = added[added["aesi"].isin(["CRS", "ICANS"]) & (added["start_day"] <= 28)
                     & added["TRTEMFL"].fillna("Y").eq("Y")]
    assert len(expected) > 0
    (episodes,) = [t for t in _tables(at) if {"Syndrome", "Onset"} <= set(t.columns)]
    assert (episodes["New"] == "new").sum() == len(expected)


def test_patient_profile_marks_what_is_new(app, cuts):
    """A patient with adverse events new since the previous cut: the profile lists what is
    new, and the adverse-event table marks exactly those rows 'new'."""
    diff = diff_snapshots(_kept(cuts, "2024-12-01"), cuts)
    new_aes = diff.datasets["adae"].added
    assert not new_aes.empty
    usubjid = new_aes["USUBJID"].iloc[0]
    at = app("patient", {"patient": usubjid})
    news = [i.value for i in at.info if i.value.startswith("New since the previous cut")]
    assert news and "new adverse-event records" in news[0]
    (table,) = [t for t in _tables(at) if {"Term", "Start date"} <= set(t.columns)]
    assert table.columns[1] == "New"
    assert (table["New"] == "new").sum() == (new_aes["USUBJID"] == usubjid).sum()


def test_swimmer_marks_the_previous_cutoff(app):
    at = app("response")
    names = [trace.get("name") for chart in at.get("plotly_chart")
             for trace in json.loads(chart.proto.spec)["data"]]
    assert "Previous cut-off (2024-12-01)" in names


def test_new_live_snapshot_is_announced(cuts, tmp_path, monkeypatch):
    """The live snapshot replaced while the page is open: the next run shows the new cut with
    'New data cut loaded (cut-off ...)'."""
    live = tmp_path / "trial.duckdb"
    shutil.copy2(cuts, live)
    shutil.copytree(cuts.parent / "cuts", tmp_path / "cuts")
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(live))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).switch_page("pages/overview.py").run()
    assert not any("New data cut loaded" in i.value for i in at.info)
    assert main(["snapshot", "build", "--synthetic", "--cutoff", "2025-03-01",
                 "--out", str(live)]) == 0
    at.run()
    assert not at.exception
    assert any("New data cut loaded (cut-off 2025-03-01)" in i.value for i in at.info)
    assert "data cut-off 2025-03-01" in _header(at)


def test_cut_history_table_for_the_data_page(cuts, monkeypatch):
    """The history view a page embeds: every cut, newest first, the current one marked, with
    a link that opens it."""
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(cuts))
    script = ("from trialdash import ui, ui_cuts\n"
              "view = ui.current_view()\n"
              "ui_cuts.cut_history_table(view)\n")
    at = AppTest.from_string(script, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    table = _tables(at)[0]
    assert [str(d) for d in table["Cut-off"]] == ["2025-05-15", "2024-12-01", "2024-06-01"]
    assert list(table["Current"]) == ["yes", "", ""]
    assert table["Link"].iloc[1] == f"?cut={_kept(cuts, '2024-12-01').stem}"


def _count(cell) -> int:
    """n of an 'n/N (pct%)' cell, or a plain count."""
    return int(str(cell).split("/")[0])


def _change_text(k: int) -> str:
    return f"{k:+d}" if k else "0"


def test_safety_marks_new_deaths_and_dlts(app, cuts):
    """Compared with the 2024-06-01 cut: the deaths table marks as 'new' exactly the deaths
    snapshot diff lists (three between the cuts), and the DLT listing marks exactly the DLT
    records diff finds added (none between these cuts: every DLT window closed before)."""
    at = app("safety", {"compare": "2024-06-01"})
    diff = diff_snapshots(_kept(cuts, "2024-06-01"), cuts)
    (deaths,) = [t for t in _tables(at) if {"Cause", "NRM"} <= set(t.columns)]
    assert deaths.columns[1] == "New"
    marked = set(deaths.loc[deaths["New"] == "new", "Patient"])
    assert marked == set(diff.new_deaths) and len(marked) == 3
    (dlts,) = [t for t in _tables(at) if {"DLT-evaluable", "Event"} <= set(t.columns)]
    added = diff.datasets["adae"].added
    assert (dlts["New"] == "new").sum() == added["AEDLTFL"].eq("Y").sum() + len(diff.new_dlts)


def _is_change_table(table: pd.DataFrame) -> bool:
    """A change table: every cell but the row label reads '+k', '-k' or '0'."""
    cells = table.iloc[:, 1:].astype(str)
    return not cells.empty and bool(cells.apply(lambda c: c.str.fullmatch(r"[+-]\d+|0")).all()
                                    .all())


def test_safety_count_changes_equal_the_two_cuts_tables(app):
    """The change tables of CRS/ICANS by grade and of AEs by period equal, cell by cell, the
    difference between the tables the page shows at the current cut and at 2024-06-01."""
    now = _tables(app("safety", {"compare": "2024-06-01"}))
    before = _tables(app("safety", {"cut": "2024-06-01", "compare": "none"}))
    for key, change_key in ((["Syndrome", "ASTCT grade"], "Syndrome, grade"),
                            (["Period (onset)"], "Period (onset)")):
        current, earlier = (next(t for t in frames if list(t.columns[:len(key)]) == key
                                 and not _is_change_table(t)) for frames in (now, before))
        (change,) = [t for t in now if t.columns[0] == change_key and _is_change_table(t)]
        columns = [c for c in current.columns[len(key):] if c != "Grading scale"]
        assert list(change.columns[1:]) == columns
        assert len(change) == len(current) == len(earlier)
        for i, row in current.reset_index(drop=True).iterrows():
            for column in columns:
                expected = _count(row[column]) - _count(earlier.iloc[i][column])
                assert change.iloc[i][column] == _change_text(expected), (row[key[0]], column)


def test_response_tables_mark_new_patients(app, cuts):
    """Both per-patient response tables mark as 'new' the patients diff finds newly infused
    or newly responding (hand check of diff: SYN-014 PR, SYN-015 CRi, SYN-016 CR; SYN-015
    and SYN-016 infused after 2024-06-01)."""
    at = app("response", {"compare": "2024-06-01"})
    diff = diff_snapshots(_kept(cuts, "2024-06-01"), cuts)
    expected = {r["usubjid"] for r in diff.new_responses} | set(diff.new_infused)
    tables = [t for t in _tables(at) if "USUBJID" in t.columns and "New" in t.columns]
    assert len(tables) == 2
    for table in tables:
        assert set(table.loc[table["New"] == "new", "USUBJID"]) == expected


def test_overview_marks_reasons_not_infused_that_gained_a_patient(app, cuts):
    """Compared with 2024-06-01: the reasons-not-infused rows marked 'new' are those of the
    patients enrolled since then and not infused (snapshot diff and the live ADSL; hand
    check: one patient, 'Withdrew consent', at 1.0 x10^6 cells/kg)."""
    at = app("overview", {"compare": "2024-06-01"})
    diff = diff_snapshots(_kept(cuts, "2024-06-01"), cuts)
    newcomers = set(diff.new_enrolled) - set(diff.new_infused)
    adsl = Trial.open(cuts).cohort().subjects
    expected = set(adsl.loc[adsl["USUBJID"].isin(newcomers), "NINFRSN"])
    (table,) = [t for t in _tables(at) if "Reason not infused" in t.columns]
    assert table.columns[1] == "New"
    assert set(table.loc[table["New"] == "new", "Reason not infused"]) == expected
    assert expected == {"Withdrew consent"}
