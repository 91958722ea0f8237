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
from pandas.api.types import infer_dtype

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
    """Run a named query on its own cursor and return a DataFrame (text columns whose values
    repeat share one string object per distinct value, see :func:`share_repeated_text`)."""
    query = load(name)
    check_params(query, params)
    cur = con.cursor()
    try:
        return share_repeated_text(cur.execute(query.sql, params or None).df())
    finally:
        cur.close()


def share_repeated_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Make each text column whose values repeat (fewer distinct values than half its rows)
    hold one Python string per distinct value, in place; values and dtypes are unchanged.

    DuckDB makes a new string object for every row, so a dose group or patient ID repeated
    over a million samples costs a million objects; shared, the frame takes a fraction of
    the memory and copies, pickles and unpickles (in a cache) many times faster.
    """
    for position in np.flatnonzero([dtype == np.dtype(object) for dtype in frame.dtypes]):
        values = frame.iloc[:, position].to_numpy()
        if len(values) < 2 or infer_dtype(values, skipna=True) != "string":
            continue
        codes, uniques = pd.factorize(values)
        if 2 * len(uniques) > len(values):
            continue
        shared = np.asarray(uniques, dtype=object).take(np.maximum(codes, 0))
        frame.isetitem(position, np.where(codes < 0, values, shared))
    return frame
