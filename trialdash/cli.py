"""Command line: ``python -m trialdash snapshot build|info|findings|history|diff|watch``,
``python -m trialdash summary`` and ``python -m trialdash report`` (the meeting pack)."""

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
    build.add_argument("--response-criteria", default=None, metavar="TEXT",
                       help="ADaM: response criteria used, e.g. 'RECIST 1.1' (default: as "
                            "ADRS names them, else 'criteria not stated in the data')")
    build.add_argument("--ctcae-version", default=None, metavar="VERSION",
                       help="ADaM: CTCAE version of AETOXGR, e.g. 5.0 (default: from the "
                            "variable labels, else 'version not stated')")
    build.add_argument("--cell-therapy", action="store_true", default=None,
                       help="ADaM: the study is a cell therapy (infusion wording, "
                            "lymphodepletion); otherwise time runs from treatment start")
    build.add_argument("--title", help="study title (default: STUDYID)")
    build.add_argument("--registry-id", help="registry identifier, e.g. NCT05290155")
    build.add_argument("--cutoff", type=date.fromisoformat,
                       help="data cut-off YYYY-MM-DD (default: ADSL.DCUTDT, else latest date); "
                            "synthetic: the trial as it stood on that date")
    build.add_argument("--out", type=Path, default=None,
                       help="snapshot path (default: $TRIALDASH_SNAPSHOT or data/trial.duckdb)")
    build.add_argument("--strict", action="store_true",
                       help="ADaM: refuse the build on any data-quality finding, not only errors")
    info = snap_cmds.add_parser("info", help="print a snapshot's meta table and row counts")
    info.add_argument("path", nargs="?", type=Path, default=None)
    findings_cmd = snap_cmds.add_parser("findings", help="print a snapshot's data-quality findings")
    findings_cmd.add_argument("path", nargs="?", type=Path, default=None)
    findings_cmd.add_argument("--json", action="store_true", help="a JSON list of objects")
    _add_history_options(build)
    _add_cut_commands(snap_cmds)

    commands.add_parser("schema-doc", help="print the snapshot schema as Markdown")

    summary = commands.add_parser("summary", help="key results as JSON, for independent QC")
    summary.add_argument("--snapshot", type=Path, default=None)
    summary.add_argument("--endpoint", default="OS", help="ADTTE PARAMCD (default OS)")
    summary.add_argument("--by", default=None,
                         help="ADSL variable to group by (default: the dose group), or 'none'")
    summary.add_argument("--landmarks", default="6m,12m,24m",
                         help="landmark times, comma-separated: days (730) or months (24m, "
                              "a month = 365.25/12 days, as on the survival page)")
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


def _add_history_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--history", type=Path, metavar="DIR", default=None,
                         help="where the replaced snapshot is kept (default: cuts/ beside it)")
    command.add_argument("--keep", type=int, default=None, metavar="N",
                         help="number of earlier cuts kept (default 20; 0 keeps none)")


def _add_cut_commands(snap_cmds) -> None:
    history = snap_cmds.add_parser("history", help="list the kept data cuts")
    history.add_argument("path", nargs="?", type=Path, default=None,
                         help="live snapshot (default: $TRIALDASH_SNAPSHOT or data/trial.duckdb)")
    history.add_argument("--history", type=Path, metavar="DIR", default=None,
                         help="history folder (default: cuts/ beside the snapshot)")
    history.add_argument("--json", action="store_true", help="print JSON")
    diff = snap_cmds.add_parser("diff", help="what changed between two snapshots")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument("--json", action="store_true", help="print JSON")
    watch = snap_cmds.add_parser("watch", help="rebuild from a drop folder of ADaM extracts")
    watch.add_argument("folder", type=Path, metavar="DIR")
    watch.add_argument("--interval", type=float, default=10.0, metavar="SECONDS",
                       help="seconds between looks at the folder (default 10)")
    watch.add_argument("--polls", type=int, default=None, help=argparse.SUPPRESS)
    watch.add_argument("--out", type=Path, default=None,
                       help="snapshot path (default: $TRIALDASH_SNAPSHOT or data/trial.duckdb)")
    watch.add_argument("--dose-var", default="TRT01A", help="ADSL variable of the dose group")
    watch.add_argument("--subtype-var", default=None, help="ADSL variable of the subtype")
    watch.add_argument("--mapping", type=Path, help="JSON file renaming variables / PARAMCDs")
    watch.add_argument("--title", help="study title (default: STUDYID)")
    watch.add_argument("--registry-id", help="registry identifier, e.g. NCT05290155")
    watch.add_argument("--strict", action="store_true",
                       help="refuse an extract with any data-quality finding, not only errors")
    _add_history_options(watch)


def _keep_history(args: argparse.Namespace):
    from trialdash.history import DEFAULT_KEEP, KeepHistory

    return KeepHistory(args.history, DEFAULT_KEEP if args.keep is None else args.keep)


def _cmd_build(args: argparse.Namespace) -> int:
    from trialdash.build import build_from_adam, build_synthetic
    from trialdash.study_labels import UserLabels
    from trialdash.synthetic import DEFAULT_SEED
    from trialdash.validate import ValidationError

    out = args.out or default_path()
    progress = _progress(time.monotonic())
    try:
        if args.synthetic:
            build_synthetic(out, seed=args.seed if args.seed is not None else DEFAULT_SEED,
                            patients=args.patients, progress=progress, cutoff=args.cutoff,
                            before_replace=_keep_history(args))
        else:
            if not args.adam.is_dir():
                print(f"error: {args.adam} is not a folder", file=sys.stderr)
                return 2
            build_from_adam(args.adam, out, dose_var=args.dose_var.upper(),
                            subtype_var=args.subtype_var.upper() if args.subtype_var else None,
                            mapping_file=args.mapping,
                            title=args.title, registry_id=args.registry_id, cutoff=args.cutoff,
                            progress=progress, strict=args.strict, user_labels=UserLabels(
                                args.response_criteria, args.ctcae_version, args.cell_therapy),
                            before_replace=_keep_history(args))
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


def _cmd_findings(args: argparse.Namespace) -> int:
    from trialdash.findings import read_findings

    try:
        frame = read_findings(args.path)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.json:
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        print(json.dumps(records, indent=2, default=str))
    elif frame.empty:
        print("no data-quality findings")
    else:
        print(frame.to_string(index=False, na_rep=""))
    return 0


def _cmd_history(args: argparse.Namespace) -> int:
    from trialdash.history import list_cuts

    cuts = list_cuts(args.path, args.history)
    if args.json:
        print(json.dumps([cut.as_json() for cut in cuts], indent=2))
        return 0
    if not cuts:
        print("No snapshot and no kept cuts.", file=sys.stderr)
        return 1
    print(f"{'cut-off':<11} {'built (UTC)':<20} {'enrolled':>8} {'infused':>7}  source / path")
    for cut in cuts:
        print(f"{cut.cutoff!s:<11} {cut.built_at:%Y-%m-%d %H:%M:%S} {cut.enrolled:>8} "
              f"{cut.infused:>7}  {cut.source}{'  [live]' if cut.live else ''}\n"
              f"{'':<50}{cut.path}")
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from trialdash.cutdiff import diff_snapshots, text_report

    for path in (args.old, args.new):
        if not path.exists():
            print(f"error: no snapshot at {path}", file=sys.stderr)
            return 1
    diff = diff_snapshots(args.old, args.new)
    print(json.dumps(diff.as_json(), indent=2) if args.json else text_report(diff))
    return 0


def _cmd_watch(args: argparse.Namespace) -> int:
    from trialdash.build import build_from_adam
    from trialdash.watch import DropFolderWatcher, describe_build

    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 2
    out = args.out or default_path()
    keep = _keep_history(args)

    def build() -> Path:
        return build_from_adam(args.folder, out, dose_var=args.dose_var.upper(),
                               subtype_var=args.subtype_var.upper() if args.subtype_var else None,
                               mapping_file=args.mapping, title=args.title,
                               registry_id=args.registry_id, strict=args.strict,
                               before_replace=keep)

    def log(line: str) -> None:
        print(line, flush=True)

    log(f"watching {args.folder} every {args.interval:g} s; snapshot {out}")
    watcher = DropFolderWatcher(args.folder, build, out, log=log, describe=describe_build)
    try:
        watcher.run(args.interval, args.polls)
    except KeyboardInterrupt:
        log("stopped")
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from trialdash.analysis.filters import Filter
    from trialdash.summary import results_summary
    from trialdash.trial import Trial
    from trialdash.units import parse_duration_days

    try:
        trial = Trial.open(args.snapshot)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    flt = Filter.of(_csv_list(args.dose), _csv_list(args.subtype), _csv_list(args.patients))
    group = (args.by or "").lower() != "none"
    window = None if args.ae_window == "all" else int(args.ae_window)
    try:
        landmarks = [parse_duration_days(x) for x in _csv_list(args.landmarks) or []]
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
        handlers = {"build": _cmd_build, "info": _cmd_info, "findings": _cmd_findings,
                    "history": _cmd_history, "diff": _cmd_diff, "watch": _cmd_watch}
        return handlers[args.snapshot_command](args)
    if args.command == "report":
        return report_cli.run(args)
    return _cmd_summary(args)
