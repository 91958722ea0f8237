"""Data sets and files: names, the import's own error, and what a read returns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd

DATASET_NAMES = ("adsl", "adae", "adrs", "adtte", "adpc", "adlb")
SUPPORTED = (".xpt", ".sas7bdat", ".csv", ".parquet")
#: File stems (lower-cased) read together as parts of ADLB when there is no plain adlb file.
ADLB_PART = re.compile(r"adlb[a-z0-9]+")


class AdamImportError(ValueError):
    """A folder, file or mapping cannot be used at all (bad *values* never raise this).

    A ``ValueError``, so callers that report ``ValueError`` to the user handle it.

    ``messages`` holds one plain-language message per problem (e.g. one per unreadable
    file, or per data set with two files); ``str()`` joins them with newlines.
    """

    def __init__(self, messages: str | list[str]) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


class BadCell(NamedTuple):
    """A value that could not be converted to its schema type.

    ``row`` is the 1-based data row in the file (the first row after a CSV header is 1),
    ``column`` the variable's name in the normalised frame, ``value`` the value exactly
    as read (before conversion) and ``expected`` what it should have been.
    """

    row: int
    column: str
    value: object
    expected: str


class PartialDate(NamedTuple):
    """A partial ISO 8601 date (``2013-05``, ``2013``) that could not be imputed.

    ``row`` and ``column`` as in :class:`BadCell`; ``value`` as read; ``reason`` says why
    it was not imputed (no imputation flag, or a flag that does not fit). The cell is
    missing in the typed frame.
    """

    row: int
    column: str
    value: object
    reason: str


@dataclass(frozen=True)
class SourceFile:
    """Provenance of one imported file: data set, path, SHA-256 of its bytes, rows read."""

    dataset: str
    path: Path
    sha256: str
    rows: int


@dataclass
class RawDataset:
    """One data set as read: the normalised frame (all columns kept) and its bad cells.

    ``renamed`` maps a frame column renamed by a :class:`Mapping` back to the variable
    name in the file (``{"TRT01A": "ARM"}``); ``notes`` holds warnings such as mapping
    entries that matched nothing.

    ``parts`` is empty for a data set read from one file. For one read from several files
    (ADLB split into ``adlbc``, ``adlbh`` ...) it holds one ``RawDataset`` per file, in
    reading order, each with its own ``file``, frame (index = rows of that file) and
    ``bad_cells`` (rows of that file); the validator checks the parts, so every problem
    names its file and row. The combined data set then has ``frame`` = the parts' frames
    concatenated (union of the columns, index ``0..n-1``), ``bad_cells`` with rows of that
    combined frame (``index + 1``), ``renamed`` = the union of the parts', ``notes`` about
    the parts as a whole, and ``file`` = the first part's file. :attr:`files` lists every
    file read, for provenance.

    ``partial_dates`` lists the partial dates that could not be imputed (each left
    missing in the frame); for a data set of several files, see each part's.
    """

    name: str
    file: SourceFile
    frame: pd.DataFrame
    bad_cells: list[BadCell] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    parts: list[RawDataset] = field(default_factory=list)
    partial_dates: list[PartialDate] = field(default_factory=list)

    @property
    def files(self) -> list[SourceFile]:
        """Every file this data set was read from: ``[file]``, or one per part."""
        return [part.file for part in self.parts] if self.parts else [self.file]

    def column_label(self, column: str) -> str:
        """The column as a data manager finds it in the file: ``ARM (read as TRT01A)``."""
        source = self.renamed.get(column)
        return f"{source} (read as {column})" if source else column
