"""``python -m trialdash report``: the meeting pack from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from trialdash.report.html import PAPER_SIZES
from trialdash.report.pack import FILTER_PARAMS, FORMATS, PackRequest


def _values(items: list[str] | None) -> tuple[str, ...]:
    """Repeated and/or comma-separated option values, in order, without blanks."""
    return tuple(part.strip() for item in items or [] for part in item.split(",")
                 if part.strip())


def _params(items: list[str] | None) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--param wants NAME=VALUE, not {item!r}")
        params.setdefault(name.strip(), []).append(value)
    return params


def _widgets(items: list[str] | None) -> dict[str, object]:
    """KEY=VALUE page-widget settings; VALUE is read as JSON when it is JSON, else as text."""
    widgets: dict[str, object] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--widget wants KEY=VALUE, not {item!r}")
        try:
            widgets[key.strip()] = json.loads(value)
        except ValueError:
            widgets[key.strip()] = value
    return widgets


def add_parser(commands) -> None:
    """Add the ``report`` sub-command to the CLI's sub-parsers."""
    report = commands.add_parser(
        "report", help="the meeting pack: every page for the current filters as HTML or PDF",
        description="Run every dashboard page for the given view and write them as one "
                    "self-contained HTML file or a PDF.")
    report.add_argument("--out", type=Path, required=True, help="file to write")
    report.add_argument("--format", choices=FORMATS, default=None,
                        help="html or pdf (default: from the --out suffix, else html)")
    report.add_argument("--present", action="store_true",
                        help="presentation mode: pseudonyms and days since infusion only")
    report.add_argument("--dose", action="append", metavar="DOSE",
                        help="dose group to keep (repeat, or comma-separated)")
    report.add_argument("--subtype", action="append", metavar="SUBTYPE",
                        help="subtype to keep (repeat, or comma-separated)")
    report.add_argument("--patient", action="append", metavar="ID",
                        help="patient to keep, USUBJID or pseudonym (repeat, or comma-separated)")
    report.add_argument("--site", action="append", metavar="SITEID",
                        help="site to keep (repeat, or comma-separated)")
    report.add_argument("--cut", metavar="YYYY-MM-DD",
                        help="a kept data cut (its cut-off date or file name); default: current")
    report.add_argument("--user", metavar="EMAIL",
                        help="with sign-in configured: the signed-in user whose access applies "
                             "(the dashboard's button passes it)")
    report.add_argument("--param", action="append", metavar="NAME=VALUE",
                        help="any other URL query parameter of the dashboard, passed through "
                             "unchanged (repeat for several values), e.g. --param site=701")
    report.add_argument("--widget", action="append", metavar="KEY=VALUE",
                        help="value of a page widget by its key, e.g. surv_endpoint=PFS or "
                             "surv_ci=true (VALUE as JSON, else text); repeat for several")
    report.add_argument("--paper", choices=sorted(PAPER_SIZES), default="a4",
                        help="printed page size (default a4)")
    report.add_argument("--snapshot", type=Path, default=None,
                        help="snapshot file (default: $TRIALDASH_SNAPSHOT or data/trial.duckdb)")


def run(args: argparse.Namespace) -> int:
    """Write the pack; print where and how long it took. Exit 1 on failure, 2 on bad input."""
    from trialdash.report.harvest import ReportError
    from trialdash.report.pack import write_pack

    start = time.monotonic()
    fmt = args.format or ("pdf" if args.out.suffix.lower() == ".pdf" else "html")
    try:
        params = _params(args.param)
        clash = sorted(set(params) & set(FILTER_PARAMS))
        if clash:
            raise ValueError(f"use --{clash[0]} rather than --param {clash[0]}=...")
        if args.site:
            params["site"] = _values(args.site)
        if args.cut:
            params["cut"] = [args.cut]
        request = PackRequest(_values(args.dose), _values(args.subtype), _values(args.patient),
                              args.present, params, args.snapshot, args.paper,
                              _widgets(args.widget), args.user)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.snapshot is not None and not args.snapshot.exists():
        print(f"error: no snapshot at {args.snapshot}", file=sys.stderr)
        return 1
    try:
        harvest = write_pack(request, args.out, fmt)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (ReportError, RuntimeError, OSError) as error:
        print(f"error: {error}; {args.out} not written", file=sys.stderr)
        return 1
    for item in harvest.unrendered:
        print(f"warning: not in the pack: {item}", file=sys.stderr)
    print(f"{fmt.upper()} pack of {len(harvest.sections)} pages written to {args.out} "
          f"in {time.monotonic() - start:.1f} s", file=sys.stderr)
    return 0
