"""Browser benchmark: the dashboard as a user meets it, beside a blank Streamlit app.

Run with ``make bench`` (or ``python -m benchmarks.browser --sizes 14 1400 14000``). For each
synthetic snapshot size and for the blank two-page app in ``benchmarks/blank_app`` (served the
same way, in the same run, on the same machine), Debian's Chromium at 1280x720 measures:

* **first load**: a new browser session opens the app until the script has finished and every
  chart is drawn;
* **page switch**: a click on each page's link in the sidebar until that page is finished and
  its charts drawn;
* **filter change**: on each page, choosing a dose group in the sidebar and removing it again,
  each until the rerun has finished and the charts are drawn again.

Every measure is the median over ``--runs`` fresh browser sessions, reported also as a ratio to
the blank app's median for the same kind of interaction; the server's peak resident memory
(VmHWM) is read from /proc. An interaction that does not finish within ``--timeout`` seconds is
reported as a timeout. Nothing is asserted: the figures are printed as a Markdown table and
written to ``benchmarks/results.json`` and ``benchmarks/results.md`` (both git-ignored).

"Finished" is seen in the page itself: Streamlit's ``stApp`` element carries
``data-test-script-state``; a mutation observer notes when it goes to ``running`` and back to
``notRunning`` (or that the run changed the URL: a new page path or filter parameter, for a
run too short for its "running" state to be drawn), and the interaction counts as done once no
element is stale
(``data-stale="true"``), every Plotly chart has drawn its SVG, and that holds 250 ms later.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLANK_APP = Path(__file__).resolve().parent / "blank_app"
RESULTS_JSON = Path(__file__).resolve().parent / "results.json"
RESULTS_MD = Path(__file__).resolve().parent / "results.md"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1280, "height": 720}
NAV_LINK = '[data-testid="stSidebarNavLink"]'
SETTLE_S = 0.25

# Installed before each interaction: notes the script state going to running and back.
_WATCH = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = {ran: false, done: false, href: location.href};
  window.__bench = state;
  const seen = () => {
    const s = app.getAttribute('data-test-script-state');
    if (s === 'running') state.ran = true;
    if (state.ran && s === 'notRunning') state.done = true;
  };
  new MutationObserver(seen).observe(app, {attributes: true,
    attributeFilter: ['data-test-script-state']});
}"""
# True when the page is finished: script not running, nothing stale, every chart drawn.
_SETTLED = """(needRun) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  // A run so short that its "running" state is never drawn still changes the URL (the page's
  // path, the filters' parameters), which only the server's run does.
  const bench = window.__bench;
  if (needRun && !(bench && (bench.done || location.href !== bench.href))) return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return charts.every(c => c.querySelector('.main-svg'));
}"""


@dataclass
class Measures:
    """Seconds per interaction, one list entry per run (None = timed out)."""

    first_load: list[float | None] = field(default_factory=list)
    page_switch: dict[str, list[float | None]] = field(default_factory=dict)
    filter_change: dict[str, list[float | None]] = field(default_factory=dict)
    peak_rss_mb: float | None = None


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


def _timed(page, action, timeout_s: float) -> float | None:
    page.evaluate(_WATCH)
    start = time.perf_counter()
    action()
    if not _wait_settled(page, timeout_s, need_run=True):
        return None
    return time.perf_counter() - start - SETTLE_S


def _dose_filter(page):
    return page.get_by_role("combobox", name="Dose groups")


def _change_filter_twice(page, timeout_s: float) -> list[float | None]:
    """Choose the first dose group, then remove it again; time each rerun."""
    combo = _dose_filter(page)

    def choose():
        combo.click()
        page.get_by_role("option").first.click()

    def remove():
        combo.click()
        page.keyboard.press("Backspace")

    chosen = _timed(page, choose, timeout_s)
    page.keyboard.press("Escape")
    removed = _timed(page, remove, timeout_s)
    page.keyboard.press("Escape")
    return [chosen, removed]


def session(browser, url: str, timeout_s: float, measures: Measures) -> None:
    """One fresh browser session: first load, then every page by its sidebar link, with a
    filter change on each."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector(NAV_LINK, timeout=timeout_s * 1000)
        loaded = _wait_settled(page, timeout_s, need_run=False)
        measures.first_load.append(time.perf_counter() - start - SETTLE_S if loaded else None)
        # A link's text starts with its Material icon's name; the title is the last line.
        titles = [t.strip().splitlines()[-1] for t in page.locator(NAV_LINK).all_inner_texts()]
        # Visit every page once, starting from the second, ending on the first.
        order = list(range(1, len(titles))) + [0]
        for index in order:
            title, link = titles[index], page.locator(NAV_LINK).nth(index)
            measures.page_switch.setdefault(title, []).append(
                _timed(page, link.click, timeout_s))
            measures.filter_change.setdefault(title, []).extend(
                _change_filter_twice(page, timeout_s))
    finally:
        context.close()


def measure_app(browser, app_dir: Path, env: dict[str, str], runs: int,
                timeout_s: float) -> Measures:
    """Serve one app and measure ``runs`` fresh sessions against it."""
    proc, url = serve(app_dir, env)
    measures = Measures()
    try:
        for _ in range(runs):
            session(browser, url, timeout_s, measures)
        measures.peak_rss_mb = peak_rss_mb(proc.pid)
    finally:
        stop(proc)
    return measures


# --- the report -----------------------------------------------------------------------------


def median(values: list[float | None]) -> float | None:
    """Median of the runs; None (timeout) when any run timed out."""
    if not values or any(v is None for v in values):
        return None
    return statistics.median(values)


def worst(by_page: dict[str, list[float | None]]) -> tuple[str, float | None]:
    """The page with the slowest median (a timeout counts as slowest)."""
    medians = {name: median(v) for name, v in by_page.items()}
    name = max(medians, key=lambda n: float("inf") if medians[n] is None else medians[n])
    return name, medians[name]


def _cell(seconds: float | None, blank: float | None) -> str:
    if seconds is None:
        return "timeout"
    ratio = f" ({seconds / blank:.1f}x)" if blank else ""
    return f"{seconds:.2f} s{ratio}"


def markdown(results: dict[str, Measures]) -> str:
    """Summary table (worst page per interaction) and the per-page medians."""
    blank = results["blank"]
    blank_load = median(blank.first_load)
    blank_switch = worst(blank.page_switch)[1]
    blank_filter = worst(blank.filter_change)[1]
    names = list(results)
    lines = ["| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    row = ["first load, charts drawn"]
    row += [_cell(median(results[n].first_load), blank_load) for n in names]
    lines.append("| " + " | ".join(row) + " |")
    for label, attr, base in (("page switch (worst page)", "page_switch", blank_switch),
                              ("filter change (worst page)", "filter_change", blank_filter)):
        cells = [label]
        for n in names:
            page, seconds = worst(getattr(results[n], attr))
            cells.append(f"{_cell(seconds, base)}, {page}")
        lines.append("| " + " | ".join(cells) + " |")
    memory = ["server peak resident memory"]
    memory += ["–" if results[n].peak_rss_mb is None else f"{results[n].peak_rss_mb:.0f} MB"
               for n in names]
    lines.append("| " + " | ".join(memory) + " |")
    for n in names:
        if n == "blank":
            continue
        m = results[n]
        lines += ["", f"Per page, {n} (median; ratio to the blank app's median):", "",
                  "| page | page switch | filter change |", "|---|---|---|"]
        for page in m.page_switch:
            lines.append(f"| {page} | {_cell(median(m.page_switch[page]), blank_switch)} | "
                         f"{_cell(median(m.filter_change.get(page, [])), blank_filter)} |")
    return "\n".join(lines) + "\n"


def run(sizes: list[int], runs: int, timeout_s: float, folder: Path) -> dict[str, Measures]:
    """Build the snapshots, measure the blank app and the dashboard at every size."""
    from playwright.sync_api import sync_playwright

    from trialdash.build import build_synthetic

    results: dict[str, Measures] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            print("measuring the blank two-page app", flush=True)
            results["blank"] = measure_app(browser, BLANK_APP, {}, runs, timeout_s)
            for n in sizes:
                path = folder / f"bench_{n}.duckdb"
                start = time.perf_counter()
                build_synthetic(path, patients=None if n == 14 else n)
                print(f"{n} patients: snapshot built in {time.perf_counter() - start:.1f} s;"
                      " measuring", flush=True)
                results[f"{n:,} patients"] = measure_app(
                    browser, ROOT, {"TRIALDASH_SNAPSHOT": str(path)}, runs, timeout_s)
        finally:
            browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[14, 1400, 14000],
                        help="synthetic snapshot sizes, infused patients (14 = the trial)")
    parser.add_argument("--runs", type=int, default=3, help="browser sessions per app")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds before an interaction counts as timed out")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for results.json and results.md (default: benchmarks/)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        results = run(args.sizes, args.runs, args.timeout, Path(folder))
    table = markdown(results)
    out_json = args.out / RESULTS_JSON.name if args.out else RESULTS_JSON
    out_md = args.out / RESULTS_MD.name if args.out else RESULTS_MD
    out_json.write_text(json.dumps({k: asdict(v) for k, v in results.items()}, indent=2))
    out_md.write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
