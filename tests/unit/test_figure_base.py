"""Legend above a half-width chart (trialdash/figures/base.py): room for title and legend."""

import plotly.graph_objects as go

from trialdash.figures.base import legend_lines, legend_on_top, style

SUBTYPES = ["T-ALL", "T-LBL", "PTCL-NOS", "AITL", "ALCL"]


def test_legend_lines_by_hand():
    """At 14 px an entry is 7.7 px per character + 40; the widest, PTCL-NOS, 101.6 px sets the
    column width. 300 px (a half-width chart at 1280) hold 2 columns -> 3 lines, as the
    overview drew them; 640 px hold 6 -> 1 line; no entries, no line."""
    assert legend_lines(SUBTYPES, 14, 300) == 3
    assert legend_lines(SUBTYPES, 14, 640) == 1
    assert legend_lines([], 14, 300) == 0


def test_top_margin_holds_title_legend_title_and_entries():
    """The overview's subtype chart (legend title 'Subtype', 5 entries): at 14 px the title
    block is 12 + 18 x 1.5 = 39 px, each legend line 21 px; 3 entry lines + the legend title
    line = 84 px, + 14 px gap -> margin 137 px. The title is pinned to the figure's top."""
    fig = go.Figure([go.Bar(x=[1], y=[1], name=s) for s in SUBTYPES])
    style(fig, "Infused patients by dose group and subtype", legend_title="Subtype")
    legend_on_top(fig, 14)
    assert fig.layout.margin.t == 137
    assert fig.layout.title.yref == "container" and fig.layout.title.yanchor == "top"
    assert fig.layout.legend.title.side == "top"
