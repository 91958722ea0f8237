"""Keeping the cuts: a build keeps the snapshot it replaces, named by cut-off and content
hash; only the newest N are kept; nothing kept is rewritten; a refused build keeps nothing;
``snapshot history`` lists them."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
from adam_fixtures import valid_tables, write_folder

from trialdash.cli import main
from trialdash.history import content_hash, kept_files, list_cuts
from trialdash.synthetic import generate

CUTOFFS = ["2023-01-01", "2023-06-01", "2024-01-01", "2024-06-01"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _build(out: Path, cutoff: str, *extra: str) -> None:
    assert main(["snapshot", "build", "--synthetic", "--cutoff", cutoff, "--out", str(out),
                 *extra]) == 0


def test_each_build_keeps_the_replaced_snapshot(tmp_path):
    """Three builds: the first two snapshots are kept in cuts/ beside the live file, byte for
    byte, named <cut-off>_<first 8 hex of SHA-256>.duckdb; the live one is the third."""
    live = tmp_path / "data" / "trial.duckdb"
    digests = []
    for cutoff in CUTOFFS[:3]:
        if live.exists():
            digests.append(_sha(live))
        _build(live, cutoff)
    kept = kept_files(tmp_path / "data" / "cuts")
    assert [p.name[:10] for p in kept] == CUTOFFS[:2]
    assert [_sha(p) for p in kept] == digests
    for path, digest in zip(kept, digests, strict=True):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}_[0-9a-f]{8}\.duckdb", path.name)
        assert path.name[11:19] == digest[:8] == content_hash(path)


def test_only_the_newest_are_kept_and_none_is_rewritten(tmp_path):
    """--keep 2 over four builds leaves the 2nd and 3rd snapshots; the kept 2nd one is the
    same file (inode, mtime, bytes) before and after the 4th build."""
    live = tmp_path / "trial.duckdb"
    history = tmp_path / "elsewhere"
    for cutoff in CUTOFFS[:3]:
        _build(live, cutoff, "--history", str(history), "--keep", "2")
    second = kept_files(history)[-1]
    before = (second.stat().st_ino, second.stat().st_mtime_ns, _sha(second))
    _build(live, CUTOFFS[3], "--history", str(history), "--keep", "2")
    kept = kept_files(history)
    assert [p.name[:10] for p in kept] == CUTOFFS[1:3]
    assert (second.stat().st_ino, second.stat().st_mtime_ns, _sha(second)) == before
    assert not (tmp_path / "cuts").exists()
    assert not [p for p in history.iterdir() if p.name.startswith(".")]


def test_keep_zero_keeps_nothing(tmp_path):
    live = tmp_path / "trial.duckdb"
    _build(live, CUTOFFS[0], "--keep", "0")
    _build(live, CUTOFFS[1], "--keep", "0")
    assert kept_files(tmp_path / "cuts") == []


def test_a_refused_build_keeps_nothing(tmp_path, capsys):
    """A build that fails (here: a cut-off after the synthetic trial's own) neither replaces
    the live snapshot nor adds to the history."""
    live = tmp_path / "trial.duckdb"
    _build(live, CUTOFFS[0])
    digest = _sha(live)
    assert main(["snapshot", "build", "--synthetic", "--cutoff", "2099-01-01",
                 "--out", str(live)]) == 1
    assert "after the synthetic trial's data cut-off" in capsys.readouterr().err
    assert _sha(live) == digest
    assert kept_files(tmp_path / "cuts") == []


def test_a_refused_import_keeps_nothing(tmp_path):
    live = tmp_path / "trial.duckdb"
    _build(live, CUTOFFS[0])
    bad = valid_tables()
    bad["adsl"].loc[0, "SAFFL"] = "Yes"
    assert main(["snapshot", "build", "--adam", str(write_folder(tmp_path / "bad", bad)),
                 "--out", str(live)]) == 1
    assert kept_files(tmp_path / "cuts") == []


def test_history_command_lists_live_and_kept_cuts(tmp_path, capsys):
    """Newest first, the live one marked; patients enrolled / infused counted directly from
    the generator's ADSL dates (consent, infusion) at each cut-off."""
    live = tmp_path / "trial.duckdb"
    for cutoff in CUTOFFS[:2]:
        _build(live, cutoff)
    capsys.readouterr()
    assert main(["snapshot", "history", str(live), "--json"]) == 0
    cuts = json.loads(capsys.readouterr().out)
    adsl = generate().datasets["adsl"]

    def counted(cutoff: str) -> tuple[int, int]:
        day = pd.Timestamp(cutoff)
        return int((adsl["RFICDT"] <= day).sum()), int((adsl["TRTSDT"] <= day).sum())

    assert [(c["cutoff"], c["live"], c["enrolled"], c["infused"]) for c in cuts] == [
        ("2023-06-01", True, *counted("2023-06-01")), ("2023-01-01", False, *counted("2023-01-01"))]
    assert cuts[0]["path"] == str(live)
    assert Path(cuts[1]["path"]).parent == tmp_path / "cuts"
    assert all(c["source"].startswith("synthetic") and c["built_at"] for c in cuts)
    assert main(["snapshot", "history", str(live)]) == 0
    assert "2023-01-01" in capsys.readouterr().out
    assert [c.cutoff.isoformat() for c in list_cuts(live)] == ["2023-06-01", "2023-01-01"]


def test_a_damaged_live_file_does_not_block_the_build(tmp_path):
    """A live file that is not a readable snapshot is replaced and not kept."""
    live = tmp_path / "trial.duckdb"
    live.write_bytes(b"not a database")
    _build(live, CUTOFFS[0])
    assert kept_files(tmp_path / "cuts") == []
    assert list_cuts(live)[0].cutoff.isoformat() == CUTOFFS[0]
