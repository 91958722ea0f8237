"""Time the snapshot build and the main analyses on large synthetic cohorts.

Run with ``make bench`` (or ``python -m benchmarks.run --patients 1000 5000``). Prints one
line per step with the median wall time of ``--repeat`` runs; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from trialdash.analysis import enrollment, overview, response, safety, swimmer
from trialdash.analysis.endpoints import survival_analysis
from trialdash.analysis.kinetics import nca_by_dose
from trialdash.build import build_synthetic
from trialdash.trial import Trial


def timed(label: str, action: Callable[[], object], repeat: int) -> None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    print(f"  {label:<42} {statistics.median(times) * 1000:9.1f} ms"
          f"  (min {min(times) * 1000:.1f}, {repeat} runs)", flush=True)


def bench(patients: int | None, repeat: int, folder: Path) -> None:
    path = folder / f"bench_{patients or 'default'}.duckdb"
    print(f"cohort: {patients or 'default (14)'} infused patients", flush=True)
    timed("snapshot build (generate, derive, write)",
          lambda: build_synthetic(path, patients=patients), 1)
    print(f"  snapshot size {path.stat().st_size / 1e6:.1f} MB")
    trial = Trial.open(path)

    def fresh():
        return trial.cohort()

    timed("load subjects", lambda: fresh().subjects, repeat)
    timed("key figures (ORR, follow-up, deaths)", lambda: overview.key_figures(fresh()), repeat)
    timed("baseline table", lambda: enrollment.baseline_characteristics(fresh()), repeat)
    timed("TEAE summary (28 days)", lambda: safety.teae_summary(fresh(), 28), repeat)
    timed("AE incidence by term", lambda: safety.ae_incidence_by_term(fresh(), None, 1), repeat)
    timed("ORR by dose group", lambda: response.orr_table(fresh(), "dose_group"), repeat)
    timed("swimmer lanes", lambda: swimmer.swimmer_lanes(fresh()), repeat)
    timed("NCA by dose group", lambda: nca_by_dose(fresh()), repeat)
    timed("Kaplan-Meier OS by dose group",
          lambda: survival_analysis(fresh(), "OS", by="dose_group"), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, nargs="+", default=[0, 1000, 5000, 14000],
                        help="cohort sizes (0 = the default 14-patient trial)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for n in args.patients:
            bench(n or None, args.repeat, Path(folder))


if __name__ == "__main__":
    main()
