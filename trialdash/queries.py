"""Named SQL queries: one file per query in ``queries/``, loaded and checked like aiosql.

Each file starts with a header of ``--`` comment lines::

    -- subjects: subject-level rows for the chosen dose groups, subtypes and patients
    -- grain: one row per subject
    -- params: $dose_groups (varchar[], null = all), $subtypes (varchar[], null = all)

The first line names the query (it must equal the file name). ``params`` lists every
DuckDB ``$name`` parameter the body uses (or ``none``). :func:`run` refuses parameters
that are not declared and declared parameters that are not passed, so a typo fails
loudly instead of silently filtering nothing. Values are always bound by DuckDB, never
formatted into the SQL text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


class QueryError(ValueError):
    """A query file is malformed, or a call does not match its declared parameters."""


@dataclass(frozen=True)
class Query:
    """A parsed query file."""

    name: str
    description: str
    grain: str
    params: tuple[str, ...]
    sql: str
    path: Path


def parse(path: Path) -> Query:
    """Parse a query file's header and body; check the header against the body."""
    text = path.read_text(encoding="utf-8")
    header = {}
    lines = text.splitlines()
    first = lines[0] if lines else ""
    match = re.match(r"--\s*([a-z0-9_]+)\s*:\s*(.+)", first)
    if not match or match.group(1) != path.stem:
        raise QueryError(f"{path.name}: first line must be '-- {path.stem}: <description>'")
    for line in lines[1:]:
        found = re.match(r"--\s*(grain|params)\s*:\s*(.*)", line)
        if found:
            header[found.group(1)] = found.group(2).strip()
    if "grain" not in header or "params" not in header:
        raise QueryError(f"{path.name}: header needs '-- grain:' and '-- params:' lines")
    declared = tuple(dict.fromkeys(_PARAM.findall(header["params"])))
    body = "\n".join(line for line in lines if not line.lstrip().startswith("--"))
    used = set(_PARAM.findall(body))
    if used != set(declared):
        raise QueryError(
            f"{path.name}: params declared {sorted(declared)} but the SQL uses {sorted(used)}"
        )
    return Query(path.stem, match.group(2).strip(), header["grain"], declared, body, path)


@cache
def load(name: str) -> Query:
    """The query called ``name`` (``queries/<name>.sql``)."""
    path = QUERY_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(f"no query file {path.name} in {QUERY_DIR.name}/")
    return parse(path)


def all_queries() -> list[Query]:
    """Every query file, parsed (used by tests to check each one)."""
    return [load(p.stem) for p in sorted(QUERY_DIR.glob("*.sql"))]


def check_params(query: Query, params: dict) -> None:
    """Raise QueryError unless ``params`` names exactly the declared parameters."""
    missing = set(query.params) - set(params)
    extra = set(params) - set(query.params)
    if missing or extra:
        raise QueryError(
            f"query {query.name}: missing parameters {sorted(missing)}, "
            f"undeclared parameters {sorted(extra)}"
        )


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run a named query on its own cursor and return a DataFrame."""
    query = load(name)
    check_params(query, params)
    cur = con.cursor()
    try:
        return share_equal_values(cur.execute(query.sql, params or None).df())
    finally:
        cur.close()


def share_equal_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Let equal values of each text column be one Python object.

    DuckDB hands every VARCHAR value over as a Python string of its own: a sample table
    repeating a USUBJID, PARAMCD and visit label on each of 300,000 rows holds a million
    strings (hundreds of MB) where a few thousand distinct ones would do. The values and the
    dtype (object) stay as they are; only the objects behind them are shared. Columns whose
    values cannot be hashed (lists, structs) are left alone. Changes ``frame`` in place and
    returns it.
    """
    for column in [c for c, dtype in frame.dtypes.items() if dtype == np.dtype(object)]:
        values = frame[column].to_numpy()
        try:
            codes, uniques = pd.factorize(values)
        except TypeError:  # unhashable values
            continue
        if len(uniques) in (0, len(values)):
            continue
        shared = np.asarray(uniques, dtype=object).take(codes)
        missing = codes < 0
        shared[missing] = values[missing]  # None, NaN and NA stay what they were
        frame[column] = shared
    return frame
