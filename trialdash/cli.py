"""Command line: ``python -m trialdash snapshot build|info``, ``python -m trialdash summary`` and
``python -m trialdash report`` (the meeting pack)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

from trialdash.report import cli as report_cli
from trialdash.snapshot import default_path


def _progress(start: float):
    def report(message: str) -> None:
        print(f"[{time.monotonic() - start:6.1f}s] {message}", file=sys.stderr, flush=True)

    return report


def _csv_list(text: str | None) -> list[str] | None:
    return [part.strip() for part in text.split(",") if part.strip()] if text else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m trialdash", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    snapshot = commands.add_parser("snapshot", help="build or inspect a snapshot")
    snap_cmds = snapshot.add_subparsers(dest="snapshot_command", required=True)
    build = snap_cmds.add_parser("build", help="build a snapshot file")
    source = build.add_mutually_exclusive_group(required=True)
    source.add_argument("--synthetic", action="store_true", help="the built-in synthetic trial")
    source.add_argument("--adam", type=Path, metavar="DIR", help="folder of ADaM data sets")
    build.add_argument("--seed", type=int, default=None, help="synthetic: generator seed")
    build.add_argument("--patients", type=int, default=None,
                       help="synthetic: number of infused patients (default: the 14 of the trial)")
    build.add_argument("--dose-var", default="TRT01A", help="ADSL variable of the dose group")
    build.add_argument("--subtype-var", default=None,
                       help="ADSL variable of the disease subtype (default: DISTYPE when present)")
    build.add_argument("--mapping", type=Path, help="JSON file renaming variables / PARAMCDs")
    build.add_argument("--title", help="study title (default: STUDYID)")
    build.add_argument("--registry-id", help="registry identifier, e.g. NCT05290155")
    build.add_argument("--cutoff", type=date.fromisoformat,
                       help="data cut-off YYYY-MM-DD (default: ADSL.DCUTDT, else latest date)")
    build.add_argument("--out", type=Path, default=None,
                       help="snapshot path (default: $TRIALDASH_SNAPSHOT or data/trial.duckdb)")
    info = snap_cmds.add_parser("info", help="print a snapshot's meta table and row counts")
    info.add_argument("path", nargs="?", type=Path, default=None)

    commands.add_parser("schema-doc", help="print the snapshot schema as Markdown")

    summary = commands.add_parser("summary", help="key results as JSON, for independent QC")
    summary.add_argument("--snapshot", type=Path, default=None)
    summary.add_argument("--endpoint", default="OS", help="ADTTE PARAMCD (default OS)")
    summary.add_argument("--by", default=None,
                         help="ADSL variable to group by (default: the dose group), or 'none'")
    summary.add_argument("--landmarks", default="180,365,730",
                         help="landmark times in days, comma-separated")
    summary.add_argument("--dose", default=None, help="dose groups to keep, comma-separated")
    summary.add_argument("--subtype", default=None, help="subtypes to keep, comma-separated")
    summary.add_argument("--patients", default=None, help="USUBJIDs to keep, comma-separated")
    summary.add_argument("--censor-at-hsct", action="store_true",
                         help="censor PFS/DOR at consolidative allo-HSCT")
    summary.add_argument("--ae-window", default="28", choices=["28", "all"],
                         help="safety counts: events within 28 days of infusion, or all")
    summary.add_argument("--json", action="store_true", required=True,
                         help="print JSON (the only format)")
    report_cli.add_parser(commands)
    return parser


def _cmd_build(args: argparse.Namespace) -> int:
    from trialdash.build import build_from_adam, build_synthetic
    from trialdash.synthetic import DEFAULT_SEED
    from trialdash.validate import ValidationError

    out = args.out or default_path()
    progress = _progress(time.monotonic())
    try:
        if args.synthetic:
            build_synthetic(out, seed=args.seed if args.seed is not None else DEFAULT_SEED,
                            patients=args.patients, progress=progress)
        else:
            if not args.adam.is_dir():
                print(f"error: {args.adam} is not a folder", file=sys.stderr)
                return 2
            build_from_adam(args.adam, out, dose_var=args.dose_var.upper(),
                            subtype_var=args.subtype_var.upper() if args.subtype_var else None,
                            mapping_file=args.mapping,
                            title=args.title, registry_id=args.registry_id, cutoff=args.cutoff,
                            progress=progress)
    except ValidationError as error:
        print(str(error), file=sys.stderr)
        print(f"Snapshot not written; {out} is unchanged.", file=sys.stderr)
        return 1
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        print(f"Snapshot not written; {out} is unchanged.", file=sys.stderr)
        return 1
    progress(f"snapshot written to {out}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from trialdash.snapshot import snapshot_info

    try:
        info = snapshot_info(args.path)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(json.dumps(info, indent=2, default=str))
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from trialdash.analysis.filters import Filter
    from trialdash.summary import results_summary
    from trialdash.trial import Trial

    try:
        trial = Trial.open(args.snapshot)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    flt = Filter.of(_csv_list(args.dose), _csv_list(args.subtype), _csv_list(args.patients))
    group = (args.by or "").lower() != "none"
    window = None if args.ae_window == "all" else int(args.ae_window)
    try:
        landmarks = [float(x) for x in _csv_list(args.landmarks) or []]
        result = results_summary(trial, flt, endpoint=args.endpoint,
                                 by=args.by if group else None, landmarks=landmarks,
                                 censor_at_hsct=args.censor_at_hsct, ae_window_days=window,
                                 group=group)
    except (KeyError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "schema-doc":
        from trialdash.schema import schema_markdown

        print(schema_markdown(), end="")
        return 0
    if args.command == "snapshot":
        handler = _cmd_build if args.snapshot_command == "build" else _cmd_info
        return handler(args)
    if args.command == "report":
        return report_cli.run(args)
    return _cmd_summary(args)
