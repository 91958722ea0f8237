"""Charts whose margins already hold what Plotly draws in them, so that Plotly's automargin
(on in the house template) has nothing to add: when it widens a margin it draws the whole
figure again (about 0.08 s of each Patient profile page switch, 0.03 s per chart of the first
load). The patient timeline (lane labels on the left, legend below, last tick on the right)
for the patient with the widest lane label and the one whose legend needs the most rows, and
the two charts the dashboard opens on (two-line x ticks), on screen and in presentation mode
(larger type), in a real browser's font: the margins Plotly drew with (its computed
``_size``) are those the figure asked for, and no label is cut off."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from conftest import screenshot, wait_idle

from trialdash.analysis import patient
from trialdash.analysis.filters import Filter
from trialdash.figures import patient as patient_figures
from trialdash.figures.base import text_width_px

# Per chart: its title, the margins the figure asked for and those Plotly drew with; and each
# tick label or axis title that starts left of the chart (cut off at its edge).
_MARGINS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map(chart => {
  const plot = chart.querySelector('.js-plotly-plot');
  const left = chart.querySelector('svg.main-svg').getBoundingClientRect().left;
  const sides = ['l', 'r', 't', 'b'];
  const cut = [...chart.querySelectorAll('.ytick text, .g-ytitle text')]
    .filter(t => t.getBoundingClientRect().width && t.getBoundingClientRect().left < left - 0.5)
    .map(t => t.textContent);
  return {title: plot._fullLayout.title.text,
          asked: sides.map(s => plot._fullLayout.margin[s]),
          drawn: sides.map(s => Math.round(plot._fullLayout._size[s])), cut};
})"""


def timelines(trial) -> dict[str, go.Figure]:
    return {usubjid: patient_figures.patient_timeline(record, usubjid)
            for usubjid in patient.patient_choices(trial, Filter())["USUBJID"]
            if (record := patient.patient_record(trial, usubjid)).infused}


def hardest_patients(trial) -> list[str]:
    """The infused patient with the widest lane label, and the one with most legend rows."""
    figs = timelines(trial)
    widest = max(figs, key=lambda u: max(text_width_px(t, 14)
                                         for t in figs[u].layout.yaxis.ticktext))
    tallest = max(figs, key=lambda u: patient_figures._legend_rows(figs[u]))
    return sorted({widest, tallest})


@pytest.mark.parametrize("present", [False, True], ids=["screen", "presentation"])
def test_patient_timeline_margins_hold_labels_and_legend(server, page, trial, present):
    for usubjid in hardest_patients(trial):
        query = f"patient={usubjid}" + ("&present=1" if present else "")
        page.goto(f"{server}/patient?{query}", wait_until="domcontentloaded")
        wait_idle(page)
        (chart,) = page.evaluate(_MARGINS)
        assert chart["title"].startswith("Patient timeline")
        assert chart["drawn"] == chart["asked"], (usubjid, chart)
        assert chart["cut"] == [], (usubjid, chart)
    screenshot(page, f"patient_timeline_margins_{'present' if present else 'screen'}")


@pytest.mark.parametrize("present", [False, True], ids=["screen", "presentation"])
def test_opening_charts_margins_hold_their_ticks_and_titles(server, page, present):
    page.goto(server + ("/?present=1" if present else "/"), wait_until="domcontentloaded")
    wait_idle(page)
    charts = page.evaluate(_MARGINS)
    assert [c["title"] for c in charts] == ["Infused patients by dose group and subtype",
                                            "Cumulative enrollment by dose cohort"]
    for chart in charts:
        assert chart["drawn"] == chart["asked"], chart
        assert chart["cut"] == [], chart
