"""Writing and opening the DuckDB snapshot file.

A snapshot is one DuckDB file holding every schema table (empty when the source had no
such data set) and the one-row ``meta`` table. It is written to a temporary file beside
the target and renamed into place, so a reader (the running dashboard) sees either the old
complete file or the new complete file, never a half-written one; after a failed build the
previous file is untouched.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from trialdash.schema import META, SCHEMA_VERSION, SNAPSHOT_TABLES, TABLES, Table
from trialdash.study_labels import CAR_T_PROFILE, StudyLabels

DEFAULT_PATH = Path("data/trial.duckdb")
SNAPSHOT_ENV = "TRIALDASH_SNAPSHOT"


def default_path() -> Path:
    """The snapshot path: ``$TRIALDASH_SNAPSHOT`` if set, else ``data/trial.duckdb``."""
    return Path(os.environ.get(SNAPSHOT_ENV) or DEFAULT_PATH)


@dataclass(frozen=True)
class SnapshotMeta:
    """What the ``meta`` table records about a snapshot's origin."""

    study_id: str
    title: str
    registry_id: str | None
    cutoff_date: date
    source_kind: str  # "synthetic" or "adam"
    source: str
    source_files: list[dict]
    seed: int | None
    dose_var: str
    subtype_var: str | None
    labels: StudyLabels = CAR_T_PROFILE

    @property
    def is_synthetic(self) -> bool:
        return self.source_kind == "synthetic"


def _create_table_sql(table: Table) -> str:
    cols = ", ".join(f'"{c.name}" {c.type}' for c in table.columns)
    return f'CREATE TABLE "{table.name}" ({cols})'


def _comment_sql(table: Table) -> list[str]:
    def quote(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    about = quote(f"{table.doc} Grain: {table.grain}.")
    statements = [f'COMMENT ON TABLE "{table.name}" IS {about}']
    statements += [
        f'COMMENT ON COLUMN "{table.name}"."{c.name}" IS {quote(c.doc)}' for c in table.columns
    ]
    return statements


def write_snapshot(
    tables: dict[str, pd.DataFrame], meta: SnapshotMeta, out: Path, progress=None,
    before_replace: Callable[[Path], object] | None = None,
) -> Path:
    """Write ``tables`` (schema-shaped frames, absent data sets omitted; ``findings`` too,
    when the build recorded any) and ``meta`` to ``out``.

    The file is built under a temporary name in the same folder and moved into place with an
    atomic rename; on any error the temporary file is removed and ``out`` is left as it was.
    ``before_replace(out)`` runs once the new file is complete, just before the rename (the
    build keeps the previous snapshot in the history there); if it raises, nothing is replaced.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp))
        try:
            counts = {}
            for table in SNAPSHOT_TABLES:
                con.execute(_create_table_sql(table))
                frame = tables.get(table.name)
                if frame is not None:
                    if progress:
                        progress(f"writing {table.name} ({len(frame)} rows)")
                    con.register("frame_in", frame[table.column_names])
                    con.execute(f'INSERT INTO "{table.name}" SELECT * FROM frame_in')
                    con.unregister("frame_in")
                    counts[table.name] = len(frame)
                for statement in _comment_sql(table):
                    con.execute(statement)
            con.execute(_create_table_sql(META))
            for statement in _comment_sql(META):
                con.execute(statement)
            con.execute(
                "INSERT INTO meta VALUES ($study_id, $title, $registry_id, $cutoff, $built_at,"
                " $kind, $source, $files, $seed, $dose_var, $subtype_var, $counts, $version,"
                " $criteria, $responder, $profile, $grade_scale, $subtype_label, $cell_therapy)",
                {
                    "study_id": meta.study_id,
                    "title": meta.title,
                    "registry_id": meta.registry_id,
                    "cutoff": meta.cutoff_date,
                    "built_at": datetime.now(UTC).replace(tzinfo=None),
                    "kind": meta.source_kind,
                    "source": meta.source,
                    "files": json.dumps(meta.source_files),
                    "seed": meta.seed,
                    "dose_var": meta.dose_var,
                    "subtype_var": meta.subtype_var,
                    "counts": json.dumps(counts),
                    "version": SCHEMA_VERSION,
                    "criteria": meta.labels.response_criteria,
                    "responder": meta.labels.responder_definition,
                    "profile": "Y" if meta.labels.clinical_profile else "N",
                    "grade_scale": meta.labels.grade_scale,
                    "subtype_label": meta.labels.subtype_label,
                    "cell_therapy": "Y" if meta.labels.cell_therapy else "N",
                },
            )
            con.execute("CHECKPOINT")
        finally:
            con.close()
        if before_replace is not None:
            before_replace(out)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        raise
    return out


def connect_read_only(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open a snapshot read-only; a clear ``FileNotFoundError`` when it does not exist.

    The file is attached to a private in-memory database rather than opened with
    ``duckdb.connect(path)``: DuckDB shares one database instance among all connections to
    the same path, so while any old connection is open, a plain connect after a new snapshot
    was renamed into place would still read the old file. Attaching always reads the file
    now at ``path``; a view per table in the in-memory database makes the tables visible to
    every cursor of the connection under their plain names.
    """
    path = Path(path or default_path())
    if not path.exists():
        raise FileNotFoundError(
            f"No snapshot at {path}. Build one with: python -m trialdash snapshot build --synthetic"
        )
    con = duckdb.connect()
    quoted = str(path.resolve()).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS snapshot (READ_ONLY)")
    stored = {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'snapshot'").fetchall()}
    for name, table in TABLES.items():
        if name in stored:
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM snapshot.main."{name}"')
        else:
            # A snapshot written by an earlier schema version lacks newer tables (findings):
            # they read as empty rather than failing.
            columns = ", ".join(f'CAST(NULL AS {c.type}) AS "{c.name}"' for c in table.columns)
            con.execute(f'CREATE VIEW "{name}" AS SELECT {columns} WHERE false')
    return con


def read_meta(con: duckdb.DuckDBPyConnection) -> dict:
    """The meta row as a dict, with ``source_files`` and ``row_counts`` decoded from JSON."""
    cur = con.cursor()
    try:
        row = cur.execute("SELECT * FROM meta").fetchone()
        names = [d[0] for d in cur.description]
    finally:
        cur.close()
    info = dict(zip(names, row, strict=True))
    info["source_files"] = json.loads(info["source_files"] or "[]")
    info["row_counts"] = json.loads(info["row_counts"] or "{}")
    return info


def present_datasets(meta: dict) -> set[str]:
    """Data sets that were in the source (an absent one has an empty table in the file)."""
    return set(meta["row_counts"])


def snapshot_info(path: Path | None = None) -> dict:
    """The meta row and the row count of every table, for ``snapshot info``."""
    with connect_read_only(path) as con:
        info = read_meta(con)
        info["tables"] = {
            name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in TABLES
        }
    return info
