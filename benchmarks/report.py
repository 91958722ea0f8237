"""The browser benchmark's report: the targets, a verdict for each, and why a target is missed.

The targets (:data:`TARGETS`, one table) are those of the speed issue: medians over repeated
runs in the browser, at 14 patients relative to the blank Streamlit app measured in the same
run, at 1,400 and 14,000 patients in seconds; the server's peak resident memory and the
snapshot build at 14,000. A missed target gets a line saying which page and why: the
interaction's time split into the wait for the script to start, the server's script run
(from the run log, :mod:`trialdash.run_timing`, with its slowest phases) and the browser's
drawing after the script ended (with the charts, points and tables drawn), and the Streamlit
frontend code the browser fetched for it; where that was the code of a session's first data
grid or chart, the reference app's page with only such an element says how long Streamlit
itself takes for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.measures import (
    FILTER_CHANGE,
    FIRST_LOAD,
    INTERACTIONS,
    PAGE_SWITCH,
    REFERENCE_PAGES,
    TAB_SWITCH,
    Measures,
    ReferencePage,
    Timing,
    median,
    median_known,
    median_seconds,
    worst,
)

PEAK_MEMORY, SNAPSHOT_BUILD = "server peak resident memory", "snapshot build"
MIB_PER_GIB = 1024


@dataclass(frozen=True)
class Target:
    """One target: ``measure`` (an interaction, :data:`PEAK_MEMORY` or
    :data:`SNAPSHOT_BUILD`) at ``patients`` within ``limit`` (seconds, or MiB for memory);
    with ``relative``, ``limit`` is a multiple of the blank app's median for the same
    interaction (its slower page for page switches and filter changes; a tab switch, which
    the blank app has no tabs for, against its page switch)."""

    patients: int
    measure: str
    limit: float
    relative: bool = False


#: Every target, in one place (the speed issue's "Targets"; a tab switch is held to a page
#: switch's, being the same wait for the user). 1.5 GB of memory is read as
#: 1.5 GiB, as the kernel counts resident memory (VmHWM, KiB).
TARGETS = [
    Target(14, FIRST_LOAD, 2.0, relative=True),
    Target(14, PAGE_SWITCH, 3.0, relative=True),
    Target(14, FILTER_CHANGE, 3.0, relative=True),
    Target(14, TAB_SWITCH, 3.0, relative=True),
    Target(1400, FIRST_LOAD, 3.0),
    Target(1400, PAGE_SWITCH, 1.0),
    Target(1400, FILTER_CHANGE, 1.0),
    Target(1400, TAB_SWITCH, 1.0),
    Target(14000, FIRST_LOAD, 3.0),
    Target(14000, PAGE_SWITCH, 3.0),
    Target(14000, FILTER_CHANGE, 3.0),
    Target(14000, TAB_SWITCH, 3.0),
    Target(14000, PEAK_MEMORY, 1.5 * MIB_PER_GIB),
    Target(14000, SNAPSHOT_BUILD, 15.0),
]


def target_for(patients: int, measure: str) -> Target | None:
    """The target of ``measure`` at ``patients``; None where there is none."""
    return next((t for t in TARGETS if t.patients == patients and t.measure == measure), None)


@dataclass
class Verdict:
    """A measure against its target. ``value`` is the median (s) or the peak (MiB), None when
    it timed out; ``limit`` the target resolved to seconds or MiB (None: no target, or a
    relative target whose blank measure is missing); ``met`` None when there is no verdict."""

    patients: int
    measure: str
    page: str
    value: float | None
    limit: float | None
    target: str
    met: bool | None
    runs: int
    why: str | None = None

    @property
    def status(self) -> str:
        return {True: "met", False: "MISSED", None: "no target"}[self.met]


# --- numbers in words -----------------------------------------------------------------------


def seconds_text(value: float | None) -> str:
    return "timeout" if value is None else f"{value:.2f} s"


def mib_text(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} MiB"


def patients_text(patients: int) -> str:
    return f"{patients:,} patients"


def _unit_text(measure: str, value: float | None) -> str:
    return mib_text(value) if measure == PEAK_MEMORY else seconds_text(value)


# --- verdicts -------------------------------------------------------------------------------


def blank_of(results: dict[str, Measures]) -> Measures | None:
    """The blank app's measures among the results (None: not measured)."""
    return next((m for m in results.values() if m.patients is None and not m.reference), None)


def reference_of(results: dict[str, Measures]) -> Measures | None:
    """The reference app's measures among the results (None: not measured)."""
    return next((m for m in results.values() if m.reference), None)


def blank_baseline(blank: Measures | None, interaction: str) -> float | None:
    """The blank app's median for an interaction (page switch, filter change: its slower
    page, as in the summary table; a tab switch: its page switch); None without a blank
    measure."""
    if blank is None:
        return None
    if interaction == FIRST_LOAD:
        return median_seconds(blank.first_load)
    by_page = blank.by_page(PAGE_SWITCH if interaction == TAB_SWITCH else interaction)
    return worst(by_page)[1] if by_page else None


def resolve(target: Target | None, blank: Measures | None) -> tuple[float | None, str]:
    """A target's limit in seconds or MiB, and its text for the report."""
    if target is None:
        return None, "–"
    if target.relative:
        base = blank_baseline(blank, target.measure)
        if base is None:
            return None, f"{target.limit:g}x blank (blank not measured)"
        return target.limit * base, f"{target.limit:g}x blank = {target.limit * base:.2f} s"
    if target.measure == PEAK_MEMORY:
        return target.limit, f"under {mib_text(target.limit)}"
    return target.limit, f"within {target.limit:g} s"


def _judge(value: float | None, limit: float | None, has_target: bool) -> bool | None:
    if not has_target or limit is None:
        return None
    return value is not None and round(value, 6) <= round(limit, 6)  # float noise aside


def verdicts(results: dict[str, Measures]) -> list[Verdict]:
    """Every measure of every dashboard size against its target, a why line where missed."""
    blank, reference = blank_of(results), reference_of(results)
    found = []
    for measures in results.values():
        n = measures.patients
        if n is None:
            continue
        for interaction in INTERACTIONS:
            target = target_for(n, interaction)
            limit, text = resolve(target, blank)
            for page, timings in measures.by_page(interaction).items():
                value = median_seconds(timings)
                verdict = Verdict(n, interaction, _page_name(page, timings), value, limit, text,
                                  _judge(value, limit, target is not None), len(timings))
                if verdict.met is False:
                    verdict.why = why_interaction(verdict, timings, blank, reference)
                found.append(verdict)
        for measure, value in ((PEAK_MEMORY, measures.peak_rss_mb),
                               (SNAPSHOT_BUILD, measures.build_s)):
            target = target_for(n, measure)
            limit, text = resolve(target, blank)
            verdict = Verdict(n, measure, "", value, limit, text,
                              _judge(value, limit, target is not None), 1)
            if verdict.met is False:
                verdict.why = (why_memory(verdict, measures) if measure == PEAK_MEMORY
                               else why_build(verdict, measures))
            found.append(verdict)
    return found


def _page_name(page: str, timings: list[Timing]) -> str:
    """The first load's page is the one the app opens on, as its run log names it."""
    if page != FIRST_LOAD:
        return page
    pages = [run["page"] for t in timings for run in t.server_runs if run.get("page")]
    return pages[0] if pages else ""


# --- why ------------------------------------------------------------------------------------


def _median_phases(timings: list[Timing]) -> dict[str, float]:
    """Median seconds per server phase over the runs (a phase absent from a run counts 0)."""
    logged = [t.server_phases for t in timings if t.server_runs]
    names = {name for phases in logged for name in phases}
    return {name: median([p.get(name, 0.0) for p in logged]) for name in names}


def _counts_text(timings: list[Timing]) -> str:
    parts = []
    for attribute, noun in (("charts", "chart"), ("points", "point"), ("tables", "table")):
        value = median_known([getattr(t, attribute) for t in timings])
        if value:
            value = round(value)
            parts.append(f"{value:,} {noun}{'' if value == 1 else 's'}")
    return ", ".join(parts) or "nothing drawn"


def split_text(timings: list[Timing], first_load: bool = False) -> str:
    """The split of an interaction's time, each part the median over the runs where it was
    seen: the input itself (Playwright driving the page), the wait for the script, the
    script running as the browser sees it (the server's script with its slowest phases, and
    how long the browser was busy meanwhile), the browser's drawing after the script ended."""
    parts = []
    driving = median_known([t.to_input_s for t in timings])
    if driving is not None:
        parts.append(f"input {driving:.2f} s")
    waited = median_known([t.to_script_s for t in timings])
    if waited is not None:
        start = "page request" if first_load else "input"
        parts.append(f"{start} to script start {waited:.2f} s")
    running = median_known([t.script_s for t in timings])
    inside = [_server_text(timings)]
    busy = median_known([t.busy_in_script_s for t in timings])
    if busy is not None:
        inside.append(f"browser busy {busy:.2f} s")
    if running is not None:
        parts.append(f"script running {running:.2f} s ({'; '.join(inside)})")
    else:
        parts.append(inside[0])
    drawing = median_known([t.drawing_s for t in timings])
    drawn = _counts_text(timings)
    parts.append(f"browser drawing {drawing:.2f} s after the script ({drawn})"
                 if drawing is not None else f"browser drawing not seen ({drawn})")
    return ", ".join(parts)


def _server_text(timings: list[Timing]) -> str:
    """The server's script runs of the interaction: seconds, number of runs when more than
    one, the three slowest phases and the rest."""
    server = median_known([t.server_script_s for t in timings])
    if server is None:
        return "server script not logged"
    runs = median_known([len(t.server_runs) for t in timings if t.server_runs])
    phases = _median_phases(timings)
    slowest = sorted(((s, n) for n, s in phases.items() if s >= 0.005), reverse=True)[:3]
    detail = ", ".join(f"{name} {s:.2f} s" for s, name in slowest)
    detail = (f"{detail}, other {server - sum(phases.values()):.2f} s" if detail
              else "no phases logged")
    several = f" in {runs:g} script runs" if runs and runs > 1 else ""
    return f"server script {server:.2f} s{several}: {detail}"


def code_text(timings: list[Timing]) -> str | None:
    """The Streamlit frontend code the browser fetched for the interaction (the same in every
    fresh session; the first run that fetched any): files, kB, the large ones by name."""
    code = next((t.code for t in timings if t.code), None)
    if not code:
        return None
    large = sorted(((kb, name) for name, kb in code.items() if kb >= 100), reverse=True)
    named = "; ".join(f"{name} {kb:,.0f} kB" for kb, name in large)
    files = f"{len(code)} file{'' if len(code) == 1 else 's'}"
    return (f"fetched {files} of Streamlit's frontend code ({sum(code.values()):,.0f} kB"
            f"{'; ' + named if named else ''})")


def _reference_opening(reference: Measures, page: ReferencePage,
                       blank: Measures | None) -> str | None:
    """"0.51 s (3.7x blank) to open a blank page with only a 3-row data grid"; None when the
    reference app's page was not measured or timed out."""
    seconds = median_seconds(reference.page_switch.get(page.title, []))
    if seconds is None:
        return None
    base = blank_baseline(blank, PAGE_SWITCH)
    ratio = f" ({seconds / base:.1f}x blank)" if base else ""
    return f"{seconds_text(seconds)}{ratio} to open a blank page with only {page.shows}"


def reference_text(timings: list[Timing], blank: Measures | None,
                   reference: Measures | None) -> str | None:
    """Where the interaction fetched the code of a session's first data grid or chart: how
    long the reference app's page with only that element takes to open (Streamlit's own)."""
    if reference is None:
        return None
    code = {name for t in timings for name in t.code}
    said = [_reference_opening(reference, page, blank)
            for part, page in REFERENCE_PAGES.items() if part in code]
    said = [text for text in said if text]
    if not said:
        return None
    return ("Streamlit itself takes " + " and ".join(said) +
            ", as a session's first (the reference app)")


def why_interaction(verdict: Verdict, timings: list[Timing], blank: Measures | None = None,
                    reference: Measures | None = None) -> str:
    """One line: size, page, interaction, time against the target, the split, the Streamlit
    code fetched for it and, for a session's first grid or chart, Streamlit's own time."""
    where = f"{patients_text(verdict.patients)}, {verdict.page or 'app'}, {verdict.measure}"
    timed_out = sum(t.seconds is None for t in timings)
    if timed_out:
        measured = f"did not finish in {timed_out} of {len(timings)} runs"
    else:
        measured = seconds_text(verdict.value)
    parts = [split_text(timings, verdict.measure == FIRST_LOAD),
             code_text(timings), reference_text(timings, blank, reference)]
    return f"{where} {measured} (target {verdict.target}): " + "; ".join(p for p in parts if p)


def why_memory(verdict: Verdict, measures: Measures) -> str:
    """The peak against its target and the pages during whose runs memory grew most."""
    head = (f"{patients_text(verdict.patients)}, {PEAK_MEMORY} {mib_text(verdict.value)} "
            f"(target {verdict.target})")
    growth = sorted(((mb, page) for page, mb in measures.rss_growth_mb.items() if mb >= 1),
                    reverse=True)[:3]
    if not growth:
        return head + ": no run log to say during which pages it grew"
    return head + ": grew most during " + ", ".join(
        f"{page} (+{mib_text(mb)})" for mb, page in growth)


def why_build(verdict: Verdict, measures: Measures) -> str:
    """The build time against its target and its slowest steps."""
    head = (f"{patients_text(verdict.patients)}, {SNAPSHOT_BUILD} "
            f"{seconds_text(verdict.value)} (target {verdict.target}, one build)")
    steps = sorted(((s, step) for step, s in measures.build_steps.items()), reverse=True)[:3]
    if not steps:
        return head
    return head + ": " + ", ".join(f"{step} {s:.1f} s" for s, step in steps)


# --- Markdown -------------------------------------------------------------------------------


def _cell(seconds: float | None, blank: float | None) -> str:
    if seconds is None:
        return "timeout"
    ratio = f" ({seconds / blank:.1f}x)" if blank else ""
    return f"{seconds:.2f} s{ratio}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def summary_table(results: dict[str, Measures], found: list[Verdict]) -> list[str]:
    """Worst page per interaction for every app, with the runs, build, memory and the count
    of targets met (the reference app has its own line, :func:`reference_lines`)."""
    blank = blank_of(results)
    names = [name for name, m in results.items() if not m.reference]
    lines = [_row([""] + names), "|---" * (len(names) + 1) + "|"]
    lines.append(_row(["runs per median"] + [str(results[n].runs) for n in names]))
    lines.append(_row(["snapshot build"] + [
        "–" if results[n].build_s is None else seconds_text(results[n].build_s)
        for n in names]))
    lines.append(_row(["first load, charts drawn"] + [
        _cell(median_seconds(results[n].first_load), blank_baseline(blank, FIRST_LOAD))
        for n in names]))
    for label, interaction in (("page switch (worst page)", PAGE_SWITCH),
                               ("filter change (worst page)", FILTER_CHANGE),
                               ("tab switch (worst tab)", TAB_SWITCH)):
        base = blank_baseline(blank, interaction)
        cells = [label]
        for n in names:
            by_page = results[n].by_page(interaction)
            if not by_page:
                cells.append("–")
                continue
            page, seconds = worst(by_page)
            cells.append(f"{_cell(seconds, base)}, {page}")
        lines.append(_row(cells))
    lines.append(_row([PEAK_MEMORY] + [mib_text(results[n].peak_rss_mb) for n in names]))
    met = ["targets met"]
    for n in names:
        mine = [v for v in found if v.patients == results[n].patients and v.met is not None]
        met.append("–" if not mine else f"{sum(v.met for v in mine)} of {len(mine)}")
    lines.append(_row(met))
    return lines


def size_table(measures: Measures, found: list[Verdict], blank: Measures | None) -> list[str]:
    """Every measure of one size with its target and verdict."""
    lines = ["", f"{patients_text(measures.patients)}, median of {measures.runs} run"
             f"{'' if measures.runs == 1 else 's'} (ratio to the blank app's median), "
             "against the targets:", "",
             "| measure | page | measured | target | verdict |", "|---|---|---|---|---|"]
    for v in found:
        if v.patients != measures.patients:
            continue
        if v.measure in INTERACTIONS:
            measured = _cell(v.value, blank_baseline(blank, v.measure))
        else:
            measured = _unit_text(v.measure, v.value)
        lines.append(_row([v.measure, v.page, measured, v.target, v.status]))
    return lines


def reference_lines(results: dict[str, Measures]) -> list[str]:
    """Streamlit's own first grid and first chart (the reference app), as a sentence."""
    reference = reference_of(results)
    if reference is None:
        return []
    said = [_reference_opening(reference, page, blank_of(results)) or
            f"a timeout to open a blank page with only {page.shows}"
            for page in REFERENCE_PAGES.values()]
    return ["", f"Streamlit itself (the reference app, same run, median of {reference.runs}) "
            "takes " + " and ".join(said) + ", each the session's first of its kind."]


def targets_text() -> str:
    """The targets in words, from :data:`TARGETS`."""
    parts = []
    for n in sorted({t.patients for t in TARGETS}):
        said = []
        for t in (t for t in TARGETS if t.patients == n):
            limit = (f"{t.limit:g}x the blank app" if t.relative else
                     f"under {t.limit / MIB_PER_GIB:g} GiB" if t.measure == PEAK_MEMORY else
                     f"{t.limit:g} s")
            said.append(f"{t.measure} {limit}")
        parts.append(f"{patients_text(n)}: " + ", ".join(said))
    return "Targets (medians; page switch and filter change on every page): " + \
        "; ".join(parts) + "."


def markdown(results: dict[str, Measures], found: list[Verdict] | None = None) -> str:
    """The summary table, a table of targets and verdicts per size, the missed targets with
    why."""
    found = verdicts(results) if found is None else found
    blank = blank_of(results)
    lines = summary_table(results, found) + reference_lines(results) + ["", targets_text()]
    for measures in results.values():
        if measures.patients is not None:
            lines += size_table(measures, found, blank)
    missed = [v for v in found if v.met is False]
    lines += ["", "Missed targets:", ""]
    lines += [f"- {v.why}" for v in missed] or ["None."]
    return "\n".join(lines) + "\n"
