"""The shared figure look (trialdash/figures/base.py): room for title and legend above a
half-width chart; left margins that hold the tick labels, from estimated text widths checked
against the font's own metrics."""

import math

import plotly.graph_objects as go

from trialdash.figures import base
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


# Advance widths (1/1000 em) from Adobe's Core 14 font metrics, Helvetica.afm and
# Helvetica-Bold.afm; Arial and Liberation Sans (the browser's "Arial" on Debian) share them.
HELVETICA = dict(zip(
    " abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,-()/",
    [278, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556,
     333, 500, 278, 556, 500, 722, 500, 500, 500, 667, 667, 722, 722, 667, 611, 778, 722, 278,
     500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611]
    + [556] * 10 + [278, 333, 333, 333, 278], strict=True))
HELVETICA_BOLD = dict(zip(
    " abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,-()/",
    [278, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611,
     389, 556, 333, 611, 556, 778, 556, 556, 500, 722, 722, 722, 722, 667, 611, 778, 722, 278,
     556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611,
     278, 333, 333, 333, 278], strict=True))
# Lane and row labels as the figures show them: MedDRA preferred terms and SOCs (bold).
TERMS = ["Cytokine release syndrome", "Immune effector cell-associated neurotoxicity",
         "Neutrophil count decreased", "Febrile neutropenia", "Hypogammaglobulinaemia",
         "Graft versus host disease", "Milestones", "Response", "COVID-19", "WBC decreased"]
SOCS = ["Blood and lymphatic system disorders", "Immune system disorders",
        "Infections and infestations", "General disorders and administration site conditions"]


def afm_width_px(text: str, font_size: float, bold: bool = False) -> float:
    widths = HELVETICA_BOLD if bold else HELVETICA
    return sum(widths[c] for c in text) / 1000 * font_size


def test_label_widths_are_at_least_the_fonts_own_and_not_far_above():
    for size in (14, 20):
        for text, bold in [(t, False) for t in TERMS] + [(s, True) for s in SOCS]:
            estimate = base.text_width_px(text, size, bold)
            actual = afm_width_px(text, size, bold)
            assert actual <= estimate <= 1.3 * actual, (text, size, estimate, actual)


def test_label_margin_holds_the_widest_line_and_keeps_the_house_minimum():
    assert base.label_margin_px(["CR", "PR", "SD"], 14) == 70  # narrower than the house 70 px
    term, soc = TERMS[1], SOCS[3]
    wide = base.label_margin_px([term], 14)
    assert wide == math.ceil(base.text_width_px(term, 14)) + base.TICK_GAP_PX
    # Lines broken at <br>: the widest line counts; <b> is bold and wider.
    assert base.label_margin_px(["Cytokine release<br>syndrome"], 14) == \
        base.label_margin_px(["Cytokine release"], 14)
    assert base.label_margin_px([f"<b>{soc}</b>"], 14) > base.label_margin_px([soc], 14)
    assert base.label_margin_px([term], 20) > wide


def test_x_axis_margin_by_hand():
    """(lines + 1) x 1.3 em + 26 px: at 14 px, two tick lines and the title 3 x 18.2 + 26 =
    80.6 -> 81 px (Plotly's automargin made the overview's 77); one line 62.4 -> 63."""
    assert base.x_axis_margin_px(14, 2) == 81
    assert base.x_axis_margin_px(14) == 63
