"""The history of data cuts: earlier snapshots kept beside the live one.

When a build replaces the live snapshot (``data/trial.duckdb``), the file it replaces is
first kept in the history folder (``data/cuts/`` beside it by default), named by its data
cut-off and a short hash of its content: ``2025-03-01_1a2b3c4d.duckdb``. A file in the
history is never rewritten: it is created once under a temporary name and renamed into
place (a hard link when the file system allows, else a copy), and a name that already
exists is left as it is (same cut-off, same content). Only the newest ``keep`` cuts are
kept (20 by default); older ones are deleted, oldest first.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from trialdash.snapshot import connect_read_only, default_path, read_meta

DEFAULT_KEEP = 20
HISTORY_FOLDER = "cuts"
_CUT_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_([0-9a-f]{8})\.duckdb$")


def default_history_dir(live: Path) -> Path:
    """The history folder of a live snapshot: ``cuts/`` beside it."""
    return Path(live).parent / HISTORY_FOLDER


def file_sha256(path: Path) -> str:
    """The file's SHA-256, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_hash(path: Path) -> str:
    """The first 8 hex digits of the file's SHA-256."""
    return file_sha256(path)[:8]


def cut_name(cutoff: date, digest: str) -> str:
    """File name of a kept cut: ``YYYY-MM-DD_<hash>.duckdb``."""
    return f"{cutoff.isoformat()}_{digest}.duckdb"


def _snapshot_cutoff(path: Path) -> date:
    with connect_read_only(path) as con:
        return read_meta(con)["cutoff_date"]


def keep_previous(live: Path, history_dir: Path | None = None,
                  keep: int = DEFAULT_KEEP) -> Path | None:
    """Keep the snapshot now at ``live`` in the history, before it is replaced.

    Returns the kept file's path (``None`` when there was no live snapshot, ``keep`` is 0, or
    the live file is not a readable snapshot: a damaged file is not worth keeping and must
    not block the build that replaces it). Then deletes the oldest cuts beyond ``keep``.
    """
    live = Path(live)
    if keep <= 0 or not live.exists():
        return None
    try:
        cutoff = _snapshot_cutoff(live)
    except duckdb.Error:
        return None
    folder = Path(history_dir) if history_dir else default_history_dir(live)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / cut_name(cutoff, content_hash(live))
    if not target.exists():
        tmp = folder / f".{target.name}.{os.getpid()}.tmp"
        tmp.unlink(missing_ok=True)
        try:
            try:
                os.link(live, tmp)
            except OSError:
                shutil.copy2(live, tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    rotate(folder, keep)
    return target


def kept_files(history_dir: Path) -> list[Path]:
    """The cuts in a history folder, oldest first (by cut-off date, then by build time)."""
    folder = Path(history_dir)
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if _CUT_NAME.match(p.name)]
    return sorted(files, key=lambda p: (p.name[:10], p.stat().st_mtime, p.name))


def rotate(history_dir: Path, keep: int = DEFAULT_KEEP) -> list[Path]:
    """Delete the oldest cuts beyond the newest ``keep``; returns the deleted paths."""
    files = kept_files(history_dir)
    dropped = files[: max(len(files) - keep, 0)]
    for path in dropped:
        path.unlink(missing_ok=True)
    return dropped


@dataclass(frozen=True)
class Cut:
    """One snapshot of the history (or the live one)."""

    path: str
    cutoff: date
    built_at: datetime
    source: str
    enrolled: int
    infused: int
    live: bool
    cut_id: str  # <cut-off>_<content hash>: the kept file's name, stable once kept

    def label(self) -> str:
        """How a picker names it: 'cut-off 2025-03-01 (current)'."""
        return f"cut-off {self.cutoff}" + (" (current)" if self.live else "")

    def as_json(self) -> dict:
        out = asdict(self)
        out["cutoff"] = self.cutoff.isoformat()
        out["built_at"] = self.built_at.isoformat(timespec="seconds")
        return out


def describe(path: Path, live: bool = False) -> Cut:
    """Cut-off, build time, source and patients enrolled / infused of one snapshot."""
    with connect_read_only(path) as con:
        meta = read_meta(con)
        enrolled, infused = con.execute(
            "SELECT count(*) FILTER (WHERE enrolled = 'Y'),"
            " count(*) FILTER (WHERE infused = 'Y') FROM adsl").fetchone()
    return Cut(str(path), meta["cutoff_date"], meta["built_at"], meta["source"],
               int(enrolled), int(infused), live,
               cut_name(meta["cutoff_date"], content_hash(path)).removesuffix(".duckdb"))


def list_cuts(live: Path | None = None, history_dir: Path | None = None) -> list[Cut]:
    """The live snapshot (when it exists) and every kept cut, newest first.

    Kept cuts with the same content as the live file (the same cut built twice) are listed
    once, as the live one.
    """
    live = Path(live or default_path())
    folder = Path(history_dir) if history_dir else default_history_dir(live)
    cuts = [describe(live, live=True)] if live.exists() else []
    live_ids = {cut.cut_id for cut in cuts}
    for path in reversed(kept_files(folder)):
        if path.stem not in live_ids:
            cuts.append(describe(path))
    return cuts


@dataclass(frozen=True)
class KeepHistory:
    """What a build does with the snapshot it replaces: keep it in ``folder`` (default
    ``cuts/`` beside it), the newest ``keep`` cuts only. Pass as ``before_replace`` to
    :func:`trialdash.snapshot.write_snapshot`."""

    folder: Path | None = None
    keep: int = DEFAULT_KEEP

    def __call__(self, live: Path) -> Path | None:
        return keep_previous(live, self.folder, self.keep)
