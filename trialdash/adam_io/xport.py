"""The record structure of SAS transport (XPORT v5/v8) files: members and completeness.

pyreadstat reads only the first member of a transport file, and reads a file cut off in
its data section as if it ended there (a prefix of the rows, without a word). This module
walks the 80-byte records itself, so the reader can pick the right member and refuse an
incomplete file.

Layout (SAS technical paper TS-140 and its v8 extension): three library header records;
then per member a ``MEMBER`` (``MEMBV8``) header, a ``DSCRPTR`` (``DSCPTV8``) header, two
descriptor records (the member name in columns 9-16 of the first, v5; columns 9-40, v8),
a ``NAMESTR`` (``NAMSTV8``) header holding the number of variables, one namestr of 140
bytes per variable (padded to 80-byte records), optional v8 label records, an ``OBS``
(``OBSV8``, with the row count) header, and the rows, each ``obslen`` bytes, padded with
blanks to a multiple of 80 bytes.

Assumptions, and what cannot be detected: a complete file is a whole number of 80-byte
records and each member's data section is whole rows plus fewer than 80 blank bytes. A v5
file cut exactly at a row boundary that is also a record boundary cannot be told from a
complete file (v5 stores no row count); v8 files are checked against their row count.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from trialdash.adam_io.model import AdamImportError

RECORD = 80
_PREFIX = b"HEADER RECORD*******"
_LIBRARY = (b"LIBRARY ", b"LIBV8   ")
_MEMBER = (b"MEMBER  ", b"MEMBV8  ")
_NAMESTR = (b"NAMESTR ", b"NAMSTV8 ")
_OBS = (b"OBS     ", b"OBSV8   ")


@dataclass(frozen=True)
class XportMember:
    """One member (data set) of a transport file, with byte offsets into the file."""

    name: str
    start: int  # offset of its MEMBER header record
    end: int  # offset just past its data (the next member's header, or the file's end)
    data_start: int
    obslen: int
    rows: int  # whole rows in its data section


def _kind(record: bytes) -> bytes | None:
    """The 8-byte header kind (``b"MEMBER  "`` ...) of a header record, else None."""
    if record.startswith(_PREFIX) and record[28:48] == b"HEADER RECORD!!!!!!!":
        return record[20:28]
    return None


def _header_offsets(data: bytes, kinds: tuple[bytes, ...], start: int, end: int) -> list[int]:
    """Offsets of the header records of ``kinds`` on record boundaries in ``data[start:end]``
    (found by searching, so a large data section is never split into records)."""
    found = []
    for kind in kinds:
        needle = _PREFIX + kind
        at = data.find(needle, start, end)
        while at >= 0:
            if at % RECORD == 0 and _kind(data[at : at + RECORD]) == kind:
                found.append(at)
            at = data.find(needle, at + 1, end)
    return sorted(found)


def read_members(data: bytes, file_name: str) -> list[XportMember]:
    """Every member of a transport file; :class:`AdamImportError` when it is not one or is
    incomplete (cut off, or a row only partly there)."""
    truncated = (
        f"{file_name} is incomplete: the SAS transport file is cut off "
        "(an interrupted copy or download?). Copy the file again."
    )
    if len(data) < 3 * RECORD or _kind(data[:RECORD]) not in _LIBRARY:
        raise AdamImportError(f"{file_name} is not a SAS transport (XPT) file.")
    if len(data) % RECORD:
        raise AdamImportError(truncated)
    starts = _header_offsets(data, _MEMBER, 0, len(data))
    if not starts:
        raise AdamImportError(truncated)
    if starts[0] != 3 * RECORD:
        raise AdamImportError(f"{file_name} is not a valid XPT file.")
    ends = [*starts[1:], len(data)]
    return [_member(data, a, b, file_name, truncated) for a, b in zip(starts, ends, strict=True)]


def _member(data: bytes, start: int, end: int, file_name: str, truncated: str) -> XportMember:
    def record(i: int) -> bytes:
        return data[start + i * RECORD : start + (i + 1) * RECORD]

    if start + 5 * RECORD > end or _kind(record(4)) not in _NAMESTR:
        raise AdamImportError(truncated)
    try:
        namestr_len = int(record(0)[74:78])
        nvars = int(record(4)[52:58])
    except ValueError:
        raise AdamImportError(f"{file_name} is not a valid XPT file.") from None
    v8 = record(0)[20:28] == _MEMBER[1]
    name = (record(2)[8:40] if v8 else record(2)[8:16]).decode("latin-1").strip()
    namestrs = start + 5 * RECORD
    if namestr_len < 88 or namestrs + nvars * namestr_len > end:
        raise AdamImportError(truncated)
    obslen = 0
    for i in range(nvars):
        at = namestrs + i * namestr_len
        length = struct.unpack(">h", data[at + 4 : at + 6])[0]
        position = struct.unpack(">i", data[at + 84 : at + 88])[0]
        obslen = max(obslen, position + length)
    obs = _header_offsets(data, _OBS, namestrs + nvars * namestr_len - RECORD, end)
    if not obs:
        raise AdamImportError(truncated)
    data_start = obs[0] + RECORD
    size = end - data_start
    rows = size // obslen if obslen > 0 else 0
    rest = data[data_start + rows * obslen : end]
    if len(rest) >= RECORD or rest.strip(b" "):
        raise AdamImportError(truncated)
    if data[obs[0] + 20 : obs[0] + 28] == _OBS[1]:
        declared = data[obs[0] + 48 : obs[0] + 63].strip()
        if declared.isdigit() and int(declared) > rows:
            raise AdamImportError(truncated)
    return XportMember(name, start, end, data_start, obslen, rows)


def single_member(data: bytes, member: XportMember) -> bytes:
    """A transport file holding only ``member`` (the library header plus its records)."""
    return data[: 3 * RECORD] + data[member.start : member.end]
