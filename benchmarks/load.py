"""Load test: many browser sessions at once while the snapshot is replaced under them.

Run with ``make bench`` (after :mod:`benchmarks.browser`) or ``python -m benchmarks.load``.
One Debian Chromium with ``--sessions`` browser contexts (20 by default) uses the dashboard
served on loopback over a synthetic snapshot of ``--patients`` patients (1,400), each session
switching pages and dose-group filters at random (seeded) for ``--seconds`` (60), counted from
the moment every session has loaded its first page. Meanwhile the snapshot is replaced twice,
by renaming (``os.replace``) a snapshot of a later cut-off onto the served path, as a data
manager publishing a new cut would: the first of ``--cutoffs`` is served at the start, the
second replaces it after a third of the time, the third after two thirds. The three snapshots
are built beforehand with ``python -m trialdash snapshot build --synthetic --patients N
--cutoff D`` (same pseudonym key), so building costs nothing during the run.

Checked, and reported with the 95th percentile of the interaction times:

* no exception element (``stException``) on any page after any interaction;
* no failed run: every interaction finishes (script run over, nothing stale, charts drawn, as
  :mod:`benchmarks.browser` defines it) within ``--timeout``, and the server logs no traceback;
* every session ends on the new cut-off: after the time is up each session switches page once
  more and its page header must say "data cut-off <last cut-off>".

The interactions timed are each session's first load, its page switches and filter changes,
and the final page switch.

The run is bounded: a first load has ``--timeout`` seconds (twice, for the page to arrive and
for it to finish), and interactions still unfinished ``--grace`` seconds after the time is up
count as failed. Times go to ``benchmarks/results.json`` (key ``load``) and a "Load" section of
``benchmarks/results.md`` (replacing an earlier one), and the section is printed, so that
``make bench`` prints it under the browser benchmark's table. The exit status is 1 when a
check fails. The serving, the settled-page test and the browser settings are those of
:mod:`benchmarks.browser`; only the waiting loop is repeated here, in Playwright's async form.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.browser import (
    _SETTLED,
    _WATCH,
    CHROMIUM,
    CHROMIUM_ARGS,
    NAV_LINK,
    RESULTS_JSON,
    RESULTS_MD,
    ROOT,
    SETTLE_S,
    VIEWPORT,
    peak_rss_mb,
    serve,
    stop,
)

EXCEPTION = '[data-testid="stException"]'
MULTISELECT = '[data-testid="stMultiSelect"]'
REMOVE_TAG = 'button[aria-label^="Remove "]'  # a chosen value's tag
MENU_WAIT_MS = 5000
MAIN = '[data-testid="stMain"]'
CUTOFF_TEXT = re.compile(r"data cut-off (\d{4}-\d{2}-\d{2})")
SECTION = "### Load"
DEFAULT_CUTOFFS = ["2024-11-15", "2025-02-15", "2025-05-15"]


@dataclass
class Interaction:
    """One timed interaction of one session (seconds None = not finished in time; ``error``
    says why: the action's own error, or that the page did not finish)."""

    session: int
    kind: str  # "page switch", "filter change" or "final page switch"
    page: str
    started_s: float  # since the sessions started
    seconds: float | None
    error: str | None = None


@dataclass
class LoadResult:
    """What the load test saw."""

    sessions: int
    seconds: float
    patients: int
    cutoffs: list[str]
    replaced_at_s: list[float] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    final_cutoffs: list[str | None] = field(default_factory=list)  # by session
    server_tracebacks: int = 0
    server_errors: list[str] = field(default_factory=list)  # each traceback's last line
    peak_rss_mb: float | None = None

    @property
    def times(self) -> list[float]:
        return [i.seconds for i in self.interactions if i.seconds is not None]

    @property
    def failed_runs(self) -> int:
        return sum(i.seconds is None for i in self.interactions)

    @property
    def on_new_cutoff(self) -> int:
        return sum(c == self.cutoffs[-1] for c in self.final_cutoffs)

    def p95(self) -> float | None:
        """95th percentile of the finished interactions (linear interpolation), s."""
        times = self.times
        if len(times) < 2:
            return times[0] if times else None
        return statistics.quantiles(times, n=20, method="inclusive")[18]

    def problems(self) -> list[str]:
        """Every failed check, in words; empty when the run was clean."""
        found = []
        if self.exceptions:
            found.append(f"{len(self.exceptions)} exception element(s): {self.exceptions[0]}")
        if self.failed_runs:
            first = next(i for i in self.interactions if i.seconds is None)
            found.append(f"{self.failed_runs} interaction(s) did not finish in time, first: "
                         f"session {first.session}, {first.kind} on {first.page or 'first page'}"
                         f" ({first.error or 'no reason recorded'})")
        if self.server_tracebacks:
            found.append(f"{self.server_tracebacks} traceback(s) in the server log, first: "
                         f"{self.server_errors[0] if self.server_errors else '?'}")
        if self.on_new_cutoff != self.sessions:
            wrong = {i: c for i, c in enumerate(self.final_cutoffs) if c != self.cutoffs[-1]}
            unfinished = {i.session for i in self.interactions
                          if i.kind == "final page switch" and i.seconds is None}
            found.append(f"{len(wrong)} session(s) not on cut-off {self.cutoffs[-1]} (session: "
                         f"cut-off seen): {wrong}, of which {len(unfinished & set(wrong))} "
                         "had not finished their final page switch")
        if len(self.replaced_at_s) != len(self.cutoffs) - 1:
            found.append("the snapshot was not replaced as planned")
        return found


# --- snapshots ------------------------------------------------------------------------------


def build_snapshot(out: Path, patients: int, cutoff: str) -> Path:
    """``python -m trialdash snapshot build --synthetic`` at ``cutoff`` into ``out``."""
    subprocess.run(
        [sys.executable, "-m", "trialdash", "snapshot", "build", "--synthetic", "--patients",
         str(patients), "--cutoff", cutoff, "--out", str(out)],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return out


def build_cuts(folder: Path, patients: int, cutoffs: list[str]) -> tuple[Path, list[Path]]:
    """The served snapshot (first cut-off) and its replacements, built with one pseudonym
    key (copied beside each before its build), so a patient keeps their pseudonym."""
    served = build_snapshot(folder / "served.duckdb", patients, cutoffs[0])
    key = Path(f"{served}.pseudonym-key")
    replacements = []
    for index, cutoff in enumerate(cutoffs[1:], start=1):
        out = folder / f"cut{index}.duckdb"
        if key.exists():
            shutil.copyfile(key, f"{out}.pseudonym-key")
        replacements.append(build_snapshot(out, patients, cutoff))
    return served, replacements


# --- one session ----------------------------------------------------------------------------


async def _settled(page, timeout_s: float, need_run: bool) -> bool:
    """Async form of ``benchmarks.browser._wait_settled`` (same test, same settling)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        remaining_ms = max(1, int((deadline - time.monotonic()) * 1000))
        try:
            await page.wait_for_function(_SETTLED, arg=need_run, polling=100,
                                         timeout=remaining_ms)
        except Exception:  # playwright's TimeoutError; the page may also be navigating
            return False
        await asyncio.sleep(SETTLE_S)
        if await page.evaluate(_SETTLED, False):
            return True
    return False


async def _timed(page, action, timeout_s: float) -> tuple[float | None, str | None]:
    """Seconds from the action until the page is finished, or None and why not."""
    await page.evaluate(_WATCH)
    start = time.perf_counter()
    try:
        await action()
    except Exception as error:  # the element went away or never came: a failed interaction
        return None, f"the action failed: {type(error).__name__}: {str(error)[:160]}"
    if not await _settled(page, timeout_s, need_run=True):
        return None, f"the page had not finished after {timeout_s:.0f} s"
    return time.perf_counter() - start - SETTLE_S, None


class Session:
    """One browser context using the dashboard until told to stop."""

    def __init__(self, index: int, page, result: LoadResult, clock_start: float):
        self.index, self.page, self.result, self.clock_start = index, page, result, clock_start
        self.random = random.Random(index)
        self.titles: list[str] = []
        self.current = 0

    async def _record(self, kind: str, action, timeout_s: float) -> None:
        started = time.monotonic() - self.clock_start
        seconds, error = await _timed(self.page, action, timeout_s)
        self.result.interactions.append(
            Interaction(self.index, kind, self.titles[self.current], started, seconds, error))
        await self._note_exceptions(f"{kind} on {self.titles[self.current]}")

    async def _note_exceptions(self, where: str) -> None:
        for text in await self.page.locator(EXCEPTION).all_inner_texts():
            self.result.exceptions.append(f"session {self.index}, {where}: {text[:300]}")

    async def open(self, url: str, timeout_s: float) -> bool:
        """First load, timed like the other interactions; False when it did not finish."""
        started = time.monotonic()
        await self.page.goto(url, wait_until="domcontentloaded")
        await self.page.wait_for_selector(NAV_LINK, timeout=timeout_s * 1000)
        loaded = await _settled(self.page, timeout_s, need_run=False)
        self.result.interactions.append(Interaction(
            self.index, "first load", "", started - self.clock_start,
            time.monotonic() - started - SETTLE_S if loaded else None))
        await self._note_exceptions("first load")
        if not loaded:
            return False
        # A link's text starts with its Material icon's name; the title is the last line.
        self.titles = [t.strip().splitlines()[-1]
                       for t in await self.page.locator(NAV_LINK).all_inner_texts()]
        return True

    async def switch_page(self, timeout_s: float, kind: str = "page switch") -> None:
        self.current = self.random.choice(
            [i for i in range(len(self.titles)) if i != self.current])
        await self._record(kind, self.page.locator(NAV_LINK).nth(self.current).click,
                           timeout_s)

    async def change_filter(self, timeout_s: float) -> None:
        """Choose a random dose group when none is chosen, else remove the last one chosen
        (as the page shows it: a lost click must not turn the next choice into a removal of
        nothing, which starts no run)."""
        combo = self.page.get_by_role("combobox", name="Dose groups")
        chosen = self.page.locator(MULTISELECT, has=combo).locator(REMOVE_TAG)
        options = self.page.get_by_role("option")

        async def choose():
            await combo.click()
            try:
                await options.first.wait_for(timeout=MENU_WAIT_MS)
            except Exception:  # playwright's TimeoutError: the click was lost under load
                await combo.click()
                await options.first.wait_for(timeout=MENU_WAIT_MS)
            await options.nth(self.random.randrange(await options.count())).click()

        async def remove():
            await combo.click()
            await self.page.keyboard.press("Backspace")

        await self._record("filter change", remove if await chosen.count() else choose,
                           timeout_s)
        await self.page.keyboard.press("Escape")

    async def final_cutoff(self, timeout_s: float) -> str | None:
        """Switch page once more; the cut-off the page header then names."""
        await self.switch_page(timeout_s, "final page switch")
        found = CUTOFF_TEXT.search(await self.page.locator(MAIN).inner_text())
        return found.group(1) if found else None


class Clock:
    """The shared schedule: the minute of switching starts once every session has loaded its
    first page (or failed to), so that slow first loads do not eat it."""

    def __init__(self, parties: int, seconds: float, grace_s: float):
        self.launched = time.monotonic()
        self.ready = asyncio.Barrier(parties)
        self.seconds, self.grace_s = seconds, grace_s
        self.start: float | None = None

    async def wait_ready(self) -> None:
        await self.ready.wait()
        if self.start is None:
            self.start = time.monotonic()

    @property
    def stop_at(self) -> float:
        return self.start + self.seconds

    @property
    def hard_stop(self) -> float:
        return self.stop_at + self.grace_s


async def _run_session(browser, url: str, index: int, result: LoadResult, clock: Clock,
                       timeout_s: float) -> None:
    context = await browser.new_context(viewport=VIEWPORT)
    session = Session(index, await context.new_page(), result, clock.launched)

    def budget() -> float:
        return max(1.0, min(timeout_s, clock.hard_stop - time.monotonic()))

    cutoff, waited = None, False
    try:
        loaded = await session.open(url, timeout_s)
        waited = True
        await clock.wait_ready()
        if loaded:
            while time.monotonic() < clock.stop_at:
                if session.random.random() < 0.5:
                    await session.switch_page(budget())
                else:
                    await session.change_filter(budget())
            cutoff = await session.final_cutoff(budget())
    except Exception as error:  # a browser-side failure is a failed run, not a crash
        result.interactions.append(Interaction(index, f"error: {error}"[:200], "", 0.0, None))
        if not waited:  # the others wait for every session's first load
            await clock.wait_ready()
    finally:
        result.final_cutoffs[index] = cutoff
        await context.close()


async def _replace(replacements: list[Path], served: Path, clock: Clock,
                   result: LoadResult) -> None:
    """Rename each replacement onto the served path at even steps through the minute."""
    await clock.wait_ready()
    for step, replacement in enumerate(replacements, start=1):
        due = clock.start + clock.seconds * step / (len(replacements) + 1)
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        os.replace(replacement, served)
        result.replaced_at_s.append(time.monotonic() - clock.start)


async def _drive(url: str, served: Path, replacements: list[Path], result: LoadResult,
                 timeout_s: float, grace_s: float) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM,
                                                   args=CHROMIUM_ARGS)
        try:
            clock = Clock(result.sessions + 1, result.seconds, grace_s)
            await asyncio.gather(
                _replace(replacements, served, clock, result),
                *[_run_session(browser, url, i, result, clock, timeout_s)
                  for i in range(result.sessions)])
        finally:
            await browser.close()


def _drain(stream, lines: list[str]) -> None:
    """Read the server's log as it comes (an unread pipe would block the server)."""
    for raw in iter(stream.readline, b""):
        lines.append(raw.decode(errors="replace"))


def run(sessions: int, seconds: float, patients: int, cutoffs: list[str], timeout_s: float,
        grace_s: float, folder: Path) -> LoadResult:
    """Build the cuts, serve the first, drive the sessions while replacing it."""
    if len(cutoffs) < 2:
        raise ValueError("need at least two cut-offs: the one served and a replacement")
    served, replacements = build_cuts(folder, patients, cutoffs)
    result = LoadResult(sessions, seconds, patients, list(cutoffs),
                        final_cutoffs=[None] * sessions)
    proc, url = serve(ROOT, {"TRIALDASH_SNAPSHOT": str(served)})
    log: list[str] = []
    reader = threading.Thread(target=_drain, args=(proc.stderr, log), daemon=True)
    reader.start()
    try:
        asyncio.run(_drive(url, served, replacements, result, timeout_s, grace_s))
        result.peak_rss_mb = peak_rss_mb(proc.pid)
    finally:
        stop(proc)
        reader.join(timeout=5)
    result.server_errors = traceback_errors(log)
    result.server_tracebacks = len(result.server_errors)
    return result


def traceback_errors(log: list[str]) -> list[str]:
    """The exception line (the first unindented line after the frames) of every traceback in
    a log; "(cut off)" for a traceback the log ends inside."""
    errors, inside = [], False
    for line in log:
        if "Traceback (most recent call last)" in line:
            if inside:
                errors.append("(cut off)")
            inside = True
        elif inside and line.strip() and not line[0].isspace():
            errors.append(line.strip())
            inside = False
    if inside:
        errors.append("(cut off)")
    return errors


# --- the report -----------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def markdown(result: LoadResult) -> str:
    """The "Load" section: one row of counts and times, the checks' verdict."""
    times = result.times
    replaced = ", ".join(f"{c} at {t:.0f} s" for c, t in
                         zip(result.cutoffs[1:], result.replaced_at_s, strict=False))
    lines = [
        f"{SECTION}: {result.sessions} sessions for {result.seconds:.0f} s, "
        f"{result.patients:,} patients",
        "",
        f"Served cut-off {result.cutoffs[0]}, replaced by {replaced or 'nothing'} (seconds "
        "after every session had loaded its first page).",
        "",
        "| interactions | p95 | median | max | failed runs | exception elements | "
        "server tracebacks | sessions on the new cut-off | server peak memory |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {len(result.interactions)} | {_seconds(result.p95())} | "
        f"{_seconds(statistics.median(times) if times else None)} | "
        f"{_seconds(max(times) if times else None)} | {result.failed_runs} | "
        f"{len(result.exceptions)} | {result.server_tracebacks} | "
        f"{result.on_new_cutoff} of {result.sessions} ({result.cutoffs[-1]}) | "
        + ("–" if result.peak_rss_mb is None else f"{result.peak_rss_mb:.0f} MB") + " |",
        "",
    ]
    problems = result.problems()
    lines.append("Checks: " + ("all passed." if not problems else "FAILED: "
                               + "; ".join(problems) + "."))
    return "\n".join(lines) + "\n"


def _write(result: LoadResult, section: str, out: Path | None) -> None:
    """Add the section to results.md (replacing an earlier load section) and the numbers to
    results.json under ``load``."""
    out_json = out / RESULTS_JSON.name if out else RESULTS_JSON
    out_md = out / RESULTS_MD.name if out else RESULTS_MD
    data = json.loads(out_json.read_text()) if out_json.exists() else {}
    data["load"] = {**asdict(result), "p95_s": result.p95(), "failed_runs": result.failed_runs,
                    "on_new_cutoff": result.on_new_cutoff}
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(data, indent=2))
    before = out_md.read_text().split(SECTION)[0].rstrip() if out_md.exists() else ""
    out_md.write_text((before + "\n\n" if before else "") + section)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="how long the sessions interact")
    parser.add_argument("--patients", type=int, default=1400,
                        help="infused patients of the synthetic snapshots")
    parser.add_argument("--cutoffs", nargs="+", default=DEFAULT_CUTOFFS,
                        help="cut-offs, earliest first: the first is served, each later one "
                             "replaces it in turn (the synthetic trial's own is 2025-05-15)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds before an interaction counts as failed")
    parser.add_argument("--grace", type=float, default=300.0,
                        help="seconds after the time is up for the last interactions")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder of results.json and results.md (default: benchmarks/)")
    args = parser.parse_args(argv)
    if sorted(args.cutoffs) != args.cutoffs:
        parser.error("--cutoffs must be in increasing order (earliest served first)")
    print(f"load: building {len(args.cutoffs)} snapshots of {args.patients} patients, then "
          f"{args.sessions} sessions for {args.seconds:.0f} s", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        result = run(args.sessions, args.seconds, args.patients, args.cutoffs, args.timeout,
                     args.grace, Path(folder))
    section = markdown(result)
    _write(result, section, args.out)
    print(section)
    return 0 if not result.problems() else 1


if __name__ == "__main__":
    sys.exit(main())
