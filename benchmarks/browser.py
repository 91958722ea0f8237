"""Browser benchmark: the dashboard as a user meets it, beside a blank Streamlit app.

Run with ``make bench`` (or ``python -m benchmarks.browser --sizes 14 1400 14000``). For each
synthetic snapshot size and for the blank two-page app in ``benchmarks/blank_app`` (served the
same way, in the same run, on the same machine), Debian's Chromium at 1280x720 measures:

* **first load**: a new browser session opens the app until the script has finished and every
  chart is drawn;
* **page switch**: a click on each page's link in the sidebar until that page is finished and
  its charts drawn;
* **filter change**: on each page, choosing a dose group in the sidebar and removing it again,
  each until the rerun has finished and the charts are drawn again;
* **tab switch**: on each page, a click on every tab but the one it opens on (a page draws
  only its open tab), until that tab is finished and its charts drawn.

Every measure is the median over ``--runs`` fresh browser sessions (``--runs-large`` from
10,000 patients on, where one session takes long), reported also as a ratio to the blank
app's median for the same kind of interaction; the server's peak resident memory (VmHWM) is
read from /proc, and each snapshot's build is timed by step. An interaction that does not
finish within ``--timeout`` seconds is reported as a timeout. Each measure is judged against
its target (:mod:`benchmarks.report`); a missed target gets a line saying which page and why.
Nothing is asserted: the report is printed as Markdown and written, with every run's raw
timings, to ``benchmarks/results.json`` and ``benchmarks/results.md`` (both git-ignored).

"Finished" is seen in the page itself: Streamlit's ``stApp`` element carries
``data-test-script-state``; a mutation observer notes when it goes to ``running`` and back to
``notRunning`` (or that the run changed the URL: a new page path or filter parameter, for a
run too short for its "running" state to be drawn), and the interaction counts as done once no
element is stale (``data-stale="true"``) or still a loading placeholder (``stSkeleton``: a
chart or table whose code has not arrived, at first load), every Plotly chart has drawn its
SVG, and that holds 250 ms later. A filter change chooses the first dose group (not "Select
all") and removes it by its tag's remove button.

Why an interaction takes its time: the observer notes each state change on the page's clock
(``performance.now()``), so each interaction splits into input -> running (waiting for the
script), running -> notRunning (the script run as the browser sees it) and notRunning ->
finished (the browser's drawing after the script ended), with the charts, data points and
tables then shown. The dashboard's server writes its run log (``TRIALDASH_RUN_LOG``,
:mod:`trialdash.run_timing`: one line per script run, seconds per phase such as queries,
analyses, figures); the lines written during an interaction are kept with it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict
from pathlib import Path

from benchmarks import report
from benchmarks.measures import Measures, Timing
from trialdash import run_timing

ROOT = Path(__file__).resolve().parents[1]
BLANK_APP = Path(__file__).resolve().parent / "blank_app"
REFERENCE_APP = Path(__file__).resolve().parent / "reference_app"
RESULTS_JSON = Path(__file__).resolve().parent / "results.json"
RESULTS_MD = Path(__file__).resolve().parent / "results.md"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1280, "height": 720}
NAV_LINK = '[data-testid="stSidebarNavLink"]'
TAB = '[data-testid="stMain"] [role="tab"]'
SELECT_ALL = "Select all"  # the multiselect's first option, not a dose group
TAG_WAIT_MS = 3000
SETTLE_S = 0.25
#: From this many patients on, ``--runs-large`` sets the number of sessions.
LARGE_COHORT = 10_000

# The watch: notes every change of the script state (and each user input) on the page's own
# clock, in window.__bench, relative to its start t0. Installed once per document.
_OBSERVE = """
  const note = (app) => {
    const bench = window.__bench;
    if (!bench) return;
    const s = app.getAttribute('data-test-script-state');
    const last = bench.states.length ? bench.states[bench.states.length - 1][0] : null;
    if (s !== last) bench.states.push([s, performance.now() - bench.t0]);
    if (s === 'running') bench.ran = true;
    if (bench.ran && s === 'notRunning') bench.done = true;
  };
  const observe = (app) => {
    if (window.__benchApp === app) return;
    window.__benchApp = app;
    new MutationObserver(() => note(app)).observe(app, {attributes: true,
      attributeFilter: ['data-test-script-state']});
    note(app);
  };
  if (!window.__benchLongTasks && window.PerformanceObserver &&
      (PerformanceObserver.supportedEntryTypes || []).includes('longtask')) {
    window.__benchLongTasks = true;  // the browser's main thread busy 50 ms or more
    new PerformanceObserver((list) => {
      const bench = window.__bench;
      if (!bench) return;
      for (const task of list.getEntries())
        bench.busy.push([task.startTime - bench.t0, task.duration]);
    }).observe({type: 'longtask'});
  }
  if (!window.__benchResources) {
    window.__benchResources = true;  // keep every fetch's timing (the default is 250)
    performance.setResourceTimingBufferSize(100000);
  }
  if (!window.__benchInputs) {
    window.__benchInputs = true;
    for (const type of ['pointerdown', 'keydown']) {
      window.addEventListener(type, () => {
        if (window.__bench) window.__bench.inputs.push(performance.now() - window.__bench.t0);
      }, true);
    }
  }
"""
_FRESH = ("{t0: %s, ran: false, done: false, href: location.href, states: [], inputs: [], "
          "busy: [], settledAt: null}")
# Installed before each interaction: notes the script state going to running and back.
_WATCH = "() => {" + _OBSERVE + """
  window.__bench = """ + _FRESH % "performance.now()" + """;
  const app = document.querySelector('[data-testid="stApp"]');
  observe(app);
  note(app);
}"""
# Added to a new session's page before it loads, for the first load: the clock starts at the
# page request (performance.now() counts from it); the app element is watched once it exists.
_WATCH_FIRST_LOAD = "(() => {" + _OBSERVE + """
  window.__bench = """ + _FRESH % "0" + """;
  const find = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (app) observe(app);
    return Boolean(app);
  };
  if (!find()) {
    const waiting = new MutationObserver(() => { if (find()) waiting.disconnect(); });
    waiting.observe(document, {childList: true, subtree: true});
  }
})();"""
# True when the page is finished: script not running, nothing stale, every chart drawn. Notes
# in window.__bench when it first found the page finished (cleared when it is not).
_SETTLED = """(needRun) => {
  const bench = window.__bench;
  const finished = (() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    // A run so short that its "running" state is never drawn still changes the URL (the
    // page's path, the filters' parameters), which only the server's run does.
    if (needRun && !(bench && (bench.done || location.href !== bench.href))) return false;
    if (document.querySelector('[data-stale="true"]')) return false;
    // A chart or table whose code is still loading shows a placeholder (first load).
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    return charts.every(c => c.querySelector('.main-svg'));
  })();
  if (bench && !finished) bench.settledAt = null;
  if (bench && finished && bench.settledAt === null) bench.settledAt = performance.now() - bench.t0;
  return finished;
}"""
# What the finished page shows: Plotly charts, their data points, tables.
_DRAWN = """() => {
  const sizes = {i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, f4: 4, f8: 8};
  const length = (v) => {
    if (v == null) return 0;
    if (Array.isArray(v) || ArrayBuffer.isView(v)) return v.length;
    if (typeof v === 'object' && typeof v.bdata === 'string') {  // plotly.py's typed arrays
      const pad = v.bdata.endsWith('==') ? 2 : v.bdata.endsWith('=') ? 1 : 0;
      return Math.floor((v.bdata.length * 3 / 4 - pad) / (sizes[v.dtype] || 8));
    }
    return 0;
  };
  const cells = (z) => {
    if (Array.isArray(z) && z.length && typeof z[0] === 'object' && z[0] !== null)
      return z.reduce((sum, row) => sum + length(row), 0);
    return length(z);
  };
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  let points = 0;
  for (const chart of charts) {
    const plot = chart.querySelector('.js-plotly-plot');
    for (const trace of (plot && plot.data) || []) {
      if (trace.z != null) { points += cells(trace.z); continue; }
      for (const key of ['x', 'y', 'values', 'lat', 'r', 'a']) {
        const n = length(trace[key]);
        if (n) { points += n; break; }
      }
    }
  }
  const tables = document.querySelectorAll(
    '[data-testid="stDataFrame"], [data-testid="stTable"]').length;
  return {charts: charts.length, points, tables};
}"""

# The Streamlit frontend code fetched since the interaction began: kB per file, by name
# without the content hash ("DataFrame" for static/js/DataFrame.-f9-1zS0.js).
_CODE = r"""() => {
  const t0 = window.__bench ? window.__bench.t0 : 0;
  const code = {};
  for (const entry of performance.getEntriesByType('resource')) {
    const match = entry.name.match(/\/static\/js\/(.+)\.[^.\/]+\.js$/);
    if (match && entry.startTime >= t0)
      code[match[1]] = (entry.encodedBodySize || entry.transferSize || 0) / 1024;
  }
  return code;
}"""


# --- the server ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(app_dir: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` in ``app_dir`` on a free loopback port; wait until healthy."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=app_dir, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not start: {proc.stderr.read().decode()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started by :func:`serve` (killed if it does not end within 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory of a process (VmHWM), MB; None where /proc does not tell."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- one browser session --------------------------------------------------------------------


def _wait_settled(page, timeout_s: float, need_run: bool) -> bool:
    """Wait until the page is finished (see module docstring); False on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        remaining_ms = max(1, int((deadline - time.monotonic()) * 1000))
        try:
            page.wait_for_function(_SETTLED, arg=need_run, polling=50, timeout=remaining_ms)
        except Exception:  # playwright's TimeoutError; the page may also be navigating
            return False
        time.sleep(SETTLE_S)
        if page.evaluate(_SETTLED, False):
            return True
    return False


class RunLog:
    """The server's run log (``TRIALDASH_RUN_LOG``, :mod:`trialdash.run_timing`), read on
    from where the last read stopped."""

    def __init__(self, path: Path | None):
        self.path, self.offset = path, 0

    def take(self) -> list[dict]:
        """The lines written since the last take."""
        if self.path is None:
            return []
        lines, self.offset = run_timing.read_lines(self.path, self.offset)
        return lines

    def all(self) -> list[dict]:
        return [] if self.path is None else run_timing.read_lines(self.path)[0]


def split(record: dict | None) -> dict:
    """The interaction's split (see :class:`~benchmarks.measures.Timing`) from the watch's
    record: the script-state changes, user inputs and the browser's long tasks (ms since the
    action), and when the page was first found finished."""
    if not record:
        return {}
    states = [(state, ms / 1000) for state, ms in record.get("states", [])]
    found: dict = {"states": states}
    starts = [t for state, t in states if state == "running"]
    if not starts:
        return found
    settled = record.get("settledAt")
    settled = None if settled is None else settled / 1000
    ends = [t for state, t in states if state == "notRunning" and t >= starts[0]
            and (settled is None or t <= settled)]
    inputs = [ms / 1000 for ms in record.get("inputs", []) if ms / 1000 <= starts[0]]
    if inputs:
        found["to_input_s"] = inputs[-1]
    found["to_script_s"] = starts[0] - (inputs[-1] if inputs else 0.0)
    if ends:
        found["script_s"] = ends[-1] - starts[0]
        found["busy_in_script_s"] = _overlap(record.get("busy", []), starts[0], ends[-1])
        if settled is not None:
            found["drawing_s"] = settled - ends[-1]
    return found


def _overlap(tasks: list, start: float, end: float) -> float:
    """Seconds of the long tasks ([start ms, duration ms]) within ``start``-``end`` (s)."""
    return sum(max(0.0, min(end, (t + d) / 1000) - max(start, t / 1000)) for t, d in tasks)


def _timing(page, seconds: float | None, log: RunLog) -> Timing:
    """A :class:`Timing` from the watch's record, what the page shows and the run log."""
    try:
        record, drawn = page.evaluate("() => window.__bench"), page.evaluate(_DRAWN)
        code = page.evaluate(_CODE)
    except Exception:  # the page went away: the time stands, the split is unknown
        record, drawn, code = None, {}, {}
    return Timing(seconds, **split(record), server_runs=log.take(), **drawn, code=code)


def _timed(page, action, timeout_s: float, log: RunLog) -> Timing:
    log.take()  # lines of anything before the action are not this interaction's
    page.evaluate(_WATCH)
    start = time.perf_counter()
    action()
    finished = _wait_settled(page, timeout_s, need_run=True)
    return _timing(page, time.perf_counter() - start - SETTLE_S if finished else None, log)


def _dose_filter(page):
    return page.get_by_role("combobox", name="Dose groups")


def _change_filter_twice(page, timeout_s: float, log: RunLog) -> list[Timing]:
    """Choose the first dose group (not "Select all"), then remove it again by its tag's
    remove button; time each rerun."""
    combo = _dose_filter(page)
    chosen: list[str] = []

    def choose():
        combo.click()
        option = page.get_by_role("option").filter(has_not_text=SELECT_ALL).first
        chosen.append(option.inner_text().strip())
        option.click()
        # A click on an option is now and then lost (no tag, no rerun): click it once more
        # rather than wait for the timeout.
        try:
            remove_button().wait_for(timeout=TAG_WAIT_MS)
        except Exception:  # playwright's TimeoutError
            combo.click()
            page.get_by_role("option", name=chosen[0], exact=True).click()

    def remove_button():
        # By its label: while the menu is open the rest of the page is hidden from roles.
        return page.locator(f'button[aria-label="Remove {chosen[0]}"]')

    def remove():
        remove_button().click()
        try:
            remove_button().wait_for(state="detached", timeout=TAG_WAIT_MS)
        except Exception:  # the click was lost (see choose): once more
            remove_button().click()

    def close_menu():
        # A click while the menu is still closing is taken as a click outside it, and lost.
        page.keyboard.press("Escape")
        page.get_by_role("listbox").wait_for(state="hidden", timeout=timeout_s * 1000)

    timings = [_timed(page, choose, timeout_s, log)]
    close_menu()
    timings.append(_timed(page, remove, timeout_s, log))
    close_menu()
    return timings


def session(browser, url: str, timeout_s: float, measures: Measures,
            log: RunLog | None = None) -> None:
    """One fresh browser session: first load, then every page by its sidebar link, with a
    filter change and a visit to every other tab on each."""
    log = log or RunLog(None)
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(_WATCH_FIRST_LOAD)
    page = context.new_page()
    try:
        log.take()
        start = time.perf_counter()
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector(NAV_LINK, timeout=timeout_s * 1000)
        loaded = _wait_settled(page, timeout_s, need_run=False)
        measures.first_load.append(
            _timing(page, time.perf_counter() - start - SETTLE_S if loaded else None, log))
        # A link's text starts with its Material icon's name; the title is the last line.
        titles = [t.strip().splitlines()[-1] for t in page.locator(NAV_LINK).all_inner_texts()]
        # Visit every page once, starting from the second, ending on the first.
        order = list(range(1, len(titles))) + [0]
        for index in order:
            title, link = titles[index], page.locator(NAV_LINK).nth(index)
            measures.page_switch.setdefault(title, []).append(
                _timed(page, link.click, timeout_s, log))
            measures.filter_change.setdefault(title, []).extend(
                _change_filter_twice(page, timeout_s, log))
            for tab in page.locator(TAB).all()[1:]:
                name = f"{title} › {tab.inner_text().strip()}"
                measures.tab_switch.setdefault(name, []).append(
                    _timed(page, tab.click, timeout_s, log))
    finally:
        context.close()


def rss_growth_mb(lines: list[dict]) -> dict[str, float]:
    """How much the server's peak resident memory grew during each page's script runs (the
    first run's growth includes the server's start), from the run log in order; MiB."""
    growth: dict[str, float] = {}
    before = None
    for line in lines:
        peak = line.get("peak_rss_mb")
        if peak is None:
            continue
        page = line.get("page", "") if before is not None else "start-up and first run"
        growth[page] = growth.get(page, 0.0) + max(0.0, peak - (before or 0.0))
        before = peak if before is None else max(before, peak)
    return growth


def measure_app(browser, app_dir: Path, env: dict[str, str], runs: int, timeout_s: float,
                run_log: Path | None = None, measures: Measures | None = None) -> Measures:
    """Serve one app and measure ``runs`` fresh sessions against it; with ``run_log``, the
    server writes its run log there (``TRIALDASH_RUN_LOG``) and each interaction gets its
    lines."""
    measures = measures or Measures()
    measures.runs = runs
    if run_log is not None:
        env = {**env, run_timing.ENV_VAR: str(run_log)}
    proc, url = serve(app_dir, env)
    log = RunLog(run_log)
    try:
        for _ in range(runs):
            session(browser, url, timeout_s, measures, log)
        measures.peak_rss_mb = peak_rss_mb(proc.pid)
    finally:
        stop(proc)
    measures.rss_growth_mb = rss_growth_mb(log.all())
    return measures


# --- the snapshots --------------------------------------------------------------------------


class StepClock:
    """A build's ``progress`` callback that times each step, from one message to the next
    ("writing <table> (rows)" messages make one step, "writing tables")."""

    def __init__(self):
        self.steps: dict[str, float] = {}
        self._step, self._since = "starting", time.perf_counter()

    def __call__(self, message: str) -> None:
        self.finish()
        self._step = ("writing tables" if message.startswith("writing ")
                      else message.split(" (")[0])

    def finish(self) -> dict[str, float]:
        now = time.perf_counter()
        self.steps[self._step] = self.steps.get(self._step, 0.0) + now - self._since
        self._since = now
        return self.steps


def build(path: Path, patients: int) -> Measures:
    """Build the synthetic snapshot of ``patients`` (14: the trial itself), timed by step."""
    from trialdash.build import build_synthetic

    clock = StepClock()
    start = time.perf_counter()
    build_synthetic(path, patients=None if patients == 14 else patients, progress=clock)
    seconds = time.perf_counter() - start
    steps = {step: s for step, s in clock.finish().items() if s >= 0.0005}
    return Measures(patients=patients, build_s=seconds, build_steps=steps)


# --- the run --------------------------------------------------------------------------------


def runs_for(patients: int, runs: int, runs_large: int | None) -> int:
    """Sessions at a size: ``runs_large`` (when given) from :data:`LARGE_COHORT` patients on."""
    return runs_large if runs_large is not None and patients >= LARGE_COHORT else runs


def run(sizes: list[int], runs: int, timeout_s: float, folder: Path,
        runs_large: int | None = None) -> dict[str, Measures]:
    """Build the snapshots, measure the blank app, the reference app and the dashboard at
    every size."""
    from playwright.sync_api import sync_playwright

    results: dict[str, Measures] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            print("measuring the blank two-page app", flush=True)
            results["blank"] = measure_app(browser, BLANK_APP, {}, runs, timeout_s)
            print("measuring the reference app (Streamlit's first grid and chart)", flush=True)
            results["reference"] = measure_app(browser, REFERENCE_APP, {}, runs, timeout_s,
                                               measures=Measures(reference=True))
            for n in sizes:
                path = folder / f"bench_{n}.duckdb"
                measures = build(path, n)
                sessions = runs_for(n, runs, runs_large)
                print(f"{n:,} patients: snapshot built in {measures.build_s:.1f} s; measuring "
                      f"{sessions} session{'s' if sessions > 1 else ''}", flush=True)
                results[f"{n:,} patients"] = measure_app(
                    browser, ROOT, {"TRIALDASH_SNAPSHOT": str(path)}, sessions, timeout_s,
                    run_log=folder / f"runs_{n}.jsonl", measures=measures)
        finally:
            browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[14, 1400, 14000],
                        help="synthetic snapshot sizes, infused patients (14 = the trial)")
    parser.add_argument("--runs", type=int, default=3,
                        help="browser sessions per app (the medians are over these)")
    parser.add_argument("--runs-large", type=int, default=None,
                        help=f"browser sessions at sizes from {LARGE_COHORT:,} patients on "
                             "(default: --runs), where one session takes long")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds before an interaction counts as timed out")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for results.json and results.md (default: benchmarks/)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        results = run(args.sizes, args.runs, args.timeout, Path(folder), args.runs_large)
    found = report.verdicts(results)
    table = report.markdown(results, found)
    out_json = args.out / RESULTS_JSON.name if args.out else RESULTS_JSON
    out_md = args.out / RESULTS_MD.name if args.out else RESULTS_MD
    data = {name: asdict(m) for name, m in results.items()}
    data["verdicts"] = [{**asdict(v), "status": v.status} for v in found]
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(data, indent=2))
    out_md.write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
