"""The drop folder: a new extract is built once it has stopped changing; a file still being
written is never imported; a bad extract is logged and leaves the live snapshot as it was;
watching goes on."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from adam_fixtures import valid_tables, write_folder

from trialdash.build import build_from_adam
from trialdash.cli import main
from trialdash.history import KeepHistory, kept_files
from trialdash.watch import DropFolderWatcher, describe_build, folder_state


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def setup(tmp_path):
    drop, live = tmp_path / "drop", tmp_path / "data" / "trial.duckdb"
    drop.mkdir()
    lines: list[str] = []
    builds: list[Path] = []

    def build() -> Path:
        builds.append(drop)
        return build_from_adam(drop, live, before_replace=KeepHistory())

    watcher = DropFolderWatcher(drop, build, live, log=lines.append, describe=describe_build)
    return drop, live, watcher, lines, builds


def _touch_later(path: Path) -> None:
    """A new modification time, as a copy still in progress leaves (coarse clocks aside)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_a_new_extract_is_built_once_it_has_settled(setup):
    drop, live, watcher, lines, builds = setup
    assert watcher.poll().action == "empty"
    write_folder(drop, valid_tables())
    assert watcher.poll().action == "changing"  # just appeared: wait one interval
    assert not live.exists()
    result = watcher.poll()
    assert result.action == "built" and live.exists()
    assert "cut-off" in result.message and "finding" in result.message
    assert watcher.poll().action == "unchanged"
    assert len(builds) == 1
    assert any("new extract" in line for line in lines)


def test_a_file_still_being_written_is_never_imported(setup):
    """While adsl.csv keeps growing between polls, nothing is built; a partial-download name
    is ignored altogether; once the file stops changing it is built."""
    drop, live, watcher, _, builds = setup
    tables = valid_tables()
    write_folder(drop, {k: v for k, v in tables.items() if k != "adsl"})
    text = tables["adsl"].to_csv(index=False)
    (drop / "adsl.csv.part").write_text(text)
    adsl = drop / "adsl.csv"
    for end in range(1, len(text), max(1, len(text) // 4)):
        adsl.write_text(text[:end])
        assert watcher.poll().action == "changing"
        assert not builds and not live.exists()
    adsl.write_text(text)
    assert watcher.poll().action == "changing"
    assert watcher.poll().action == "built"
    assert "adsl.csv.part" not in [name for name, _, _ in folder_state(drop)]


def test_a_bad_extract_is_logged_and_the_live_snapshot_kept(setup):
    """A new extract with an invalid flag: the build fails, the failure and the file/column
    are logged, the live snapshot is byte-identical and no cut is added; the same bad files
    are not retried; a corrected extract is then built and the previous one kept."""
    drop, live, watcher, lines, builds = setup
    write_folder(drop, valid_tables())
    watcher.poll()
    assert watcher.poll().action == "built"
    digest = _sha(live)
    bad = valid_tables()
    bad["adsl"].loc[0, "SAFFL"] = "Yes"
    write_folder(drop, bad)
    _touch_later(drop / "adsl.csv")
    watcher.poll()
    result = watcher.poll()
    assert result.action == "failed"
    assert "SAFFL" in result.message and "left as it was" in result.message
    assert _sha(live) == digest
    assert kept_files(live.parent / "cuts") == []
    assert watcher.poll().action == "unchanged" and len(builds) == 2
    good = valid_tables()
    good["adsl"].loc[0, "AGE"] = "35"
    write_folder(drop, good)
    watcher.poll()
    assert watcher.poll().action == "built"
    assert len(kept_files(live.parent / "cuts")) == 1
    assert any("build failed" in line for line in lines)


def test_an_extract_already_live_is_not_rebuilt_at_start(setup, tmp_path):
    drop, live, _, lines, builds = setup
    write_folder(drop, valid_tables())
    build_from_adam(drop, live)
    digest = _sha(live)
    watcher = DropFolderWatcher(drop, lambda: builds.append(1) or live, live, log=lines.append)
    watcher.poll()
    assert watcher.poll().action == "unchanged"
    assert not builds and _sha(live) == digest


def test_watch_command_builds_and_keeps_watching(tmp_path, capsys):
    drop = write_folder(tmp_path / "drop", valid_tables())
    live = tmp_path / "trial.duckdb"
    assert main(["snapshot", "watch", str(drop), "--out", str(live), "--interval", "0",
                 "--polls", "3"]) == 0
    out = capsys.readouterr().out
    assert live.exists() and "snapshot written to" in out
    assert main(["snapshot", "watch", str(tmp_path / "none")]) == 2
