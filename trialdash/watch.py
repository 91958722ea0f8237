"""A drop folder: rebuild the snapshot when the data management system drops a new extract.

:class:`DropFolderWatcher` polls a folder. An extract is imported once its files have
changed (since the last import, or since the live snapshot was built from them) *and* have
then stopped changing: the folder must look the same (names, sizes, modification times) on
``settle_polls`` consecutive polls, so a file still being copied is never imported. Hidden
files and the usual partial-download names (``*.part``, ``*.tmp``, ``*.crdownload``,
``*~``) are ignored. The build writes a new snapshot with history (the previous one is kept
in the cuts folder); a failed build is logged and leaves the live snapshot as it was, and the
watcher keeps watching (the same failing files are not retried until they change again).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from trialdash.adam_io import SUPPORTED
from trialdash.history import file_sha256
from trialdash.snapshot import connect_read_only, read_meta, snapshot_info

PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", "~")
FolderState = tuple[tuple[str, int, int], ...]


def folder_state(folder: Path) -> FolderState:
    """Name, size and modification time (ns) of every data file in the folder, sorted."""
    entries = []
    for path in sorted(Path(folder).iterdir()):
        name = path.name
        if name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES) or not path.is_file():
            continue
        if path.suffix.lower() not in SUPPORTED:
            continue
        stat = path.stat()
        entries.append((name, stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def built_from(folder: Path, state: FolderState, live: Path) -> bool:
    """Whether the live snapshot was built from exactly these files (by their SHA-256)."""
    if not state or not Path(live).exists():
        return False
    try:
        with connect_read_only(live) as con:
            files = read_meta(con)["source_files"]
    except Exception:  # an unreadable live file: build anew
        return False
    kept = sorted(f.get("sha256") for f in files)
    dropped = sorted(file_sha256(Path(folder) / name) for name, _, _ in state)
    return bool(kept) and kept == dropped


@dataclass
class PollResult:
    """What one poll did: 'empty', 'changing', 'unchanged', 'built' or 'failed'."""

    action: str
    message: str = ""


class DropFolderWatcher:
    """Polls ``folder`` and calls ``build()`` for each settled new extract.

    Parameters
    ----------
    folder : Path
        The drop folder.
    build : callable
        Builds the snapshot from the folder and returns the written path; raises on failure
        (validation errors, unreadable files).
    live : Path
        The live snapshot: an extract it was already built from is not rebuilt at start.
    settle_polls : int
        Consecutive polls the folder must look the same before it is imported (2: the files
        did not change during one whole interval).
    log : callable
        Receives one line per event.
    describe : callable, optional
        ``describe(path) -> str``: what to log about a new snapshot (cut-off, findings).
    """

    def __init__(self, folder: Path, build: Callable[[], Path], live: Path,
                 settle_polls: int = 2, log: Callable[[str], None] = print,
                 describe: Callable[[Path], str] | None = None):
        self.folder, self.build, self.live = Path(folder), build, Path(live)
        self.settle_polls = max(1, settle_polls)
        self.log, self.describe = log, describe
        self._seen: FolderState | None = None
        self._same = 0
        self._handled: FolderState | None = None

    def poll(self) -> PollResult:
        """Look at the folder once; import it when it has settled on a new extract."""
        state = folder_state(self.folder)
        if state != self._seen:
            self._seen, self._same = state, 1
            return PollResult("changing" if state else "empty")
        self._same += 1
        if not state:
            return PollResult("empty")
        if state == self._handled or self._same < self.settle_polls:
            return PollResult("unchanged" if state == self._handled else "changing")
        self._handled = state
        if built_from(self.folder, state, self.live):
            return self._note(PollResult("unchanged",
                                         f"{self.live} is already built from this extract"))
        names = ", ".join(name for name, _, _ in state)
        self.log(f"{_now()} new extract in {self.folder}: {names}; building")
        try:
            written = self.build()
        except Exception as error:  # noqa: BLE001 - any failure is logged, watching goes on
            return self._note(PollResult("failed", f"{_now()} build failed, {self.live} left "
                                                   f"as it was:\n{error}"))
        about = self.describe(written) if self.describe else ""
        return self._note(PollResult("built", f"{_now()} snapshot written to {written}"
                                              + (f"; {about}" if about else "")))

    def _note(self, result: PollResult) -> PollResult:
        if result.message:
            self.log(result.message)
        return result

    def run(self, interval: float, polls: int | None = None,
            sleep: Callable[[float], None] = time.sleep) -> None:
        """Poll every ``interval`` seconds, forever or ``polls`` times."""
        done = 0
        while polls is None or done < polls:
            self.poll()
            done += 1
            if polls is None or done < polls:
                sleep(interval)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def describe_build(path: Path) -> str:
    """What the log says about a new snapshot: cut-off, patients and data-quality findings."""
    info = snapshot_info(path)
    total = info["tables"].get("findings", 0)
    return (f"cut-off {info['cutoff_date']}, {info['tables'].get('adsl', 0)} patients, "
            f"{total} data-quality finding{'' if total == 1 else 's'}"
            + (" (listed in the snapshot's findings table)" if total else ""))
