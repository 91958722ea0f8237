"""What the browser benchmark records: every timed interaction of every run, with its split
into the server's script run and the browser's drawing, and the medians the report uses.

Kept apart from the measuring (:mod:`benchmarks.browser`) and the report
(:mod:`benchmarks.report`) so that both, and their tests, share one definition.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import NamedTuple

FIRST_LOAD, PAGE_SWITCH, FILTER_CHANGE = "first load", "page switch", "filter change"
#: Opening another tab of a page (pages draw only their open tab, trialdash.ui_sections).
TAB_SWITCH = "tab switch"
INTERACTIONS = (FIRST_LOAD, PAGE_SWITCH, FILTER_CHANGE, TAB_SWITCH)


class ReferencePage(NamedTuple):
    """A page of the reference app (benchmarks/reference_app): its title, and what it shows."""

    title: str
    shows: str


#: The reference app's page that shows only the first of a kind of element, by the part of
#: Streamlit's frontend code the browser loads for that kind.
REFERENCE_PAGES = {"DataFrame": ReferencePage("One data grid", "a 3-row data grid"),
                   "PlotlyChart": ReferencePage("One chart", "a 3-bar chart")}


@dataclass
class Timing:
    """One timed interaction of one browser session.

    ``seconds`` runs from the action (the click, the page request) until the page is finished
    (script over, nothing stale, every chart drawn); None = not finished within the timeout.
    The split, from the page's own clock (``performance.now()``, a mutation observer on the
    script state; None where the browser never showed the script running):

    * ``to_input_s``: from the action's start to the last user input before the script ran
      (Playwright driving the page: finding, scrolling to and clicking the element; opening
      the dose-group menu);
    * ``to_script_s``: from the last user input (or the page request) to the script state
      "running";
    * ``script_s``: from "running" to the last "notRunning" (the script run as the browser
      sees it, messages included), of which ``busy_in_script_s`` the browser's main thread
      was busy in long tasks (50 ms or more: drawing what the script sent meanwhile);
    * ``drawing_s``: from the last "notRunning" to finished (the browser's drawing after the
      script ended).

    ``states`` are the raw script-state changes (state, ms since the action), ``server_runs``
    the lines the server's run log (:mod:`trialdash.run_timing`) wrote during the interaction,
    and ``charts``, ``points``, ``tables`` what the page showed once finished. ``code`` is
    the Streamlit frontend code the browser fetched for the interaction: kB per file, by the
    file's name without its content hash ("DataFrame", "PlotlyChart").
    """

    seconds: float | None
    to_input_s: float | None = None
    to_script_s: float | None = None
    script_s: float | None = None
    busy_in_script_s: float | None = None
    drawing_s: float | None = None
    states: list[tuple[str, float]] = field(default_factory=list)
    server_runs: list[dict] = field(default_factory=list)
    charts: int | None = None
    points: int | None = None
    tables: int | None = None
    code: dict[str, float] = field(default_factory=dict)

    @property
    def server_script_s(self) -> float | None:
        """Seconds of the server's script runs in this interaction (None: none logged)."""
        seconds = [run["seconds"] for run in self.server_runs if run.get("seconds") is not None]
        return sum(seconds) if seconds else None

    @property
    def server_phases(self) -> dict[str, float]:
        """Seconds per phase over the server's script runs in this interaction."""
        total: dict[str, float] = {}
        for run in self.server_runs:
            for name, seconds in run.get("phases", {}).items():
                total[name] = total.get(name, 0.0) + seconds
        return total


@dataclass
class Measures:
    """Everything measured against one app: the blank app (``patients`` None), the reference
    app (``reference``: Streamlit's own first grid and chart, :data:`REFERENCE_PAGES`) or the
    dashboard over a synthetic snapshot of ``patients`` infused patients.

    ``first_load`` has one :class:`Timing` per run, ``page_switch`` and ``filter_change`` a list
    per page title (a filter change counts twice per run: a dose group chosen, then
    removed), ``tab_switch`` a list per page and tab ("Safety › CRS and ICANS": every tab
    but the one a page opens on). ``build_s`` and ``build_steps`` (seconds per step of the
    build's progress) time the snapshot's build; ``peak_rss_mb`` is the server's peak
    resident memory (MiB) over all runs, ``rss_growth_mb`` how much of it came during each
    page's script runs.
    """

    patients: int | None = None
    reference: bool = False
    runs: int = 0
    first_load: list[Timing] = field(default_factory=list)
    page_switch: dict[str, list[Timing]] = field(default_factory=dict)
    filter_change: dict[str, list[Timing]] = field(default_factory=dict)
    tab_switch: dict[str, list[Timing]] = field(default_factory=dict)
    peak_rss_mb: float | None = None
    rss_growth_mb: dict[str, float] = field(default_factory=dict)
    build_s: float | None = None
    build_steps: dict[str, float] = field(default_factory=dict)

    def by_page(self, interaction: str) -> dict[str, list[Timing]]:
        """Timings per page of ``interaction`` (first load: the page the app opens on, under
        the name "first load")."""
        if interaction == FIRST_LOAD:
            return {FIRST_LOAD: self.first_load}
        return {PAGE_SWITCH: self.page_switch, FILTER_CHANGE: self.filter_change,
                TAB_SWITCH: self.tab_switch}[interaction]


def median(values: list[float | None]) -> float | None:
    """Median of the runs; None (timeout) when any run timed out or there is none."""
    if not values or any(v is None for v in values):
        return None
    return statistics.median(values)


def median_known(values: list[float | None]) -> float | None:
    """Median of the values that are known (a part of the split the browser did not see is
    left out); None when none is."""
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def median_seconds(timings: list[Timing]) -> float | None:
    """Median of the interaction times; None when any run timed out."""
    return median([t.seconds for t in timings])


def worst(by_page: dict[str, list[Timing]]) -> tuple[str, float | None]:
    """The page with the slowest median (a timeout counts as slowest)."""
    medians = {name: median_seconds(v) for name, v in by_page.items()}
    name = max(medians, key=lambda n: float("inf") if medians[n] is None else medians[n])
    return name, medians[name]
