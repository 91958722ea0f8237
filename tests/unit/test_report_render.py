"""Meeting-pack rendering pieces without Streamlit: the markdown subset, table cells, the
presentation-mode pseudonymiser, the view's URL parameters and the title page."""

from __future__ import annotations

import pandas as pd
import pytest

from trialdash.report import markdown
from trialdash.report.cli import _params, _values
from trialdash.report.harvest import Block, Harvest, Section
from trialdash.report.html import TitlePage, format_value, render, table_html
from trialdash.report.pack import PackRequest
from trialdash.report.redact import Pseudonymiser


def test_markdown_subset_as_streamlit_shows_it():
    """Bold, italics, code, Streamlit's coloured background, icons dropped, hard breaks and
    bullet lists (examples taken from the pages' own header and captions)."""
    assert markdown.inline("**14 of 14 patients** · :red-background[**SYNTHETIC DATA**]") == (
        '<strong>14 of 14 patients</strong> · <span class="md-red-background">'
        "<strong>SYNTHETIC DATA</strong></span>")
    assert markdown.inline(":material/warning: *only* `OS`") == " <em>only</em> <code>OS</code>"
    assert markdown.to_html("a  \nb") == "<p>a<br>b</p>"
    assert markdown.to_html("- one\n- two") == "<ul><li>one</li><li>two</li></ul>"


def test_markdown_escapes_page_text():
    """Text from a page (or the data) cannot inject markup into the pack."""
    assert markdown.inline("<script>x</script> a_b_c") == "&lt;script&gt;x&lt;/script&gt; a_b_c"


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (float("nan"), ""), (3.0, "3"), (12345.0, "12,345"), (41805.4, "41,805.4"),
    (2.345, "2.35"), (0.01234, "0.0123"), ("CR", "CR"), (True, "True"),
    (pd.Timestamp("2024-03-05"), "2024-03-05"),
])
def test_table_cells(value, text):
    assert format_value(value) == text


def test_table_html_escapes_and_shows_index_only_when_asked():
    frame = pd.DataFrame({"Term": ["<b>"], "n": [2]}, index=pd.Index(["CRS"], name="Event"))
    shown = table_html(frame, show_index=True)
    assert "<th>Event</th><th>Term</th><th>n</th>" in shown
    assert "&lt;b&gt;" in shown and "<b>" not in shown
    assert "<th>Event</th>" not in table_html(frame, show_index=False)


def test_pseudonymiser_replaces_ids_in_figures_tables_and_text():
    """USUBJIDs anywhere in a string (customdata, hover text, cells); SUBJIDs only as whole
    values, so a number such as 1,004 keeps its digits."""
    names = Pseudonymiser({"STUDY-004": "P04"}, {"004": "P04"})
    figure = {"data": [{"customdata": ["STUDY-004"], "hovertext": ["STUDY-004 day 3"],
                        "text": ["004", "1,004"]}]}
    block = Block("chart", data=figure)
    table = Block("table", data=pd.DataFrame({"USUBJID": ["STUDY-004"], "SUBJID": ["004"]}))
    section = Section("Page", "pages/x.py", [Block("caption", "STUDY-004"), block, table])
    out = names.harvest(Harvest([section], [], [], ["STUDY-004"], True))
    caption, chart, frame = out.sections[0].blocks
    assert caption.text == "P04"
    assert chart.data["data"][0] == {"customdata": ["P04"], "hovertext": ["P04 day 3"],
                                     "text": ["P04", "1,004"]}
    assert frame.data.values.tolist() == [["P04", "P04"]]
    assert out.patients == ["STUDY-004"]  # the filter itself is untouched


def test_view_parameters_for_the_app():
    """Filters become the dashboard's own URL parameters; --param values pass unchanged."""
    request = PackRequest(("1.0 x10^6 cells/kg",), (), ("P03",), True, {"site": ["701"]})
    assert request.query_params() == {"site": ["701"], "dose": ["1.0 x10^6 cells/kg"],
                                      "patient": ["P03"], "present": ["1"]}
    assert _params(["site=701", "site=702", "cut=2025-01-31"]) == {
        "site": ["701", "702"], "cut": ["2025-01-31"]}
    assert _values(["T-ALL,T-LBL", " AITL "]) == ("T-ALL", "T-LBL", "AITL")
    with pytest.raises(ValueError, match="NAME=VALUE"):
        _params(["site"])


def _title(**changes) -> TitlePage:
    facts = dict(study_title="Study <T>", registry_id="NCT0", study_id="S", cutoff="2025-05-15",
                 source="synthetic", synthetic=True, filters="Dose: all", patients="2 of 2",
                 present=False, other_params=("site = 701",), generated="now")
    return TitlePage(**{**facts, **changes})


def test_rendered_pack_states_the_view_and_marks_unknown_elements():
    """Title page facts, the synthetic label only when synthetic, one chart placeholder per
    figure, and a visible note for an element kind the pack cannot show."""
    chart = Block("chart", data={"data": [{"type": "bar"}], "layout": {"width": 1200}})
    pages = Harvest([Section("Page", "pages/p.py", [chart, Block("unrendered", "map")])],
                    [], [], [], False)
    page = render(pages, _title(), plotly_js="/*plotly*/")
    assert "Study &lt;T&gt;" in page and "site = 701" in page and "SYNTHETIC DATA" in page
    assert page.count('class="chart"') == 1 and '"width"' not in page
    assert "cannot show a page element of kind <code>map</code>" in page
    assert pages.unrendered == ["Page: map"]
    assert "SYNTHETIC DATA" not in render(pages, _title(synthetic=False), plotly_js="")


def test_unknown_page_elements_are_flagged_not_dropped():
    """An element kind the pack does not render (e.g. a Vega-Lite chart) becomes an
    'unrendered' block naming it; code and plain text are kept as preformatted text."""
    from types import SimpleNamespace

    from trialdash.report.harvest import _block

    assert _block(SimpleNamespace(type="vega_lite_chart"), "Page") == [
        Block("unrendered", "vega_lite_chart")]
    assert _block(SimpleNamespace(type="code", value="x = 1"), "Page") == [
        Block("preformatted", "x = 1")]
    assert _block(SimpleNamespace(type="download_button"), "Page") == []


def test_tab_label_shown_once_when_its_first_heading_repeats_it():
    """A tab labelled like its own first heading ("Patient flow" over "Patient flow") shows
    the words once in the pack; a tab with another heading keeps its label above it."""
    from trialdash.report.html import _Renderer

    flow = Block("tab", "Patient flow", children=[Block("heading", "Patient flow", level=3)])
    events = Block("tab", "Adverse events", children=[
        Block("heading", "Treatment-emergent adverse events", level=2)])
    out = _Renderer().block(Block("tabs", children=[flow, events]))
    assert out.count("Patient flow") == 1
    assert "<h4>Adverse events</h4>" in out and "Treatment-emergent adverse events" in out
