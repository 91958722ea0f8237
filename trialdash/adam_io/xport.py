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
    records = [data[i : i + RECORD] for i in range(0, len(data), RECORD)]
    starts = [i for i, r in enumerate(records) if _kind(r) in _MEMBER]
    if not starts or starts[0] != 3:
        raise AdamImportError(truncated if not starts else f"{file_name} is not a valid XPT file.")
    members = []
    for n, first in enumerate(starts):
        last = starts[n + 1] if n + 1 < len(starts) else len(records)
        members.append(_member(records, first, last, file_name, truncated))
    return members


def _member(
    records: list[bytes], first: int, last: int, file_name: str, truncated: str
) -> XportMember:
    v8 = records[first][20:28] == _MEMBER[1]
    if first + 5 > last or _kind(records[first + 4]) not in _NAMESTR:
        raise AdamImportError(truncated)
    try:
        namestr_len = int(records[first][74:78])
        nvars = int(records[first + 4][52:58])
    except ValueError:
        raise AdamImportError(f"{file_name} is not a valid XPT file.") from None
    name_bytes = records[first + 2][8:40] if v8 else records[first + 2][8:16]
    name = name_bytes.decode("latin-1").strip()
    blob = b"".join(records[first + 5 : last])
    if namestr_len < 88 or len(blob) < nvars * namestr_len:
        raise AdamImportError(truncated)
    obslen = 0
    for i in range(nvars):
        ns = blob[i * namestr_len : (i + 1) * namestr_len]
        length = struct.unpack(">h", ns[4:6])[0]
        position = struct.unpack(">i", ns[84:88])[0]
        obslen = max(obslen, position + length)
    obs = next((i for i in range(first + 5, last) if _kind(records[i]) in _OBS), None)
    if obs is None:
        raise AdamImportError(truncated)
    data = b"".join(records[obs + 1 : last])
    rows = len(data) // obslen if obslen > 0 else 0
    rest = data[rows * obslen :]
    if len(rest) >= RECORD or rest.strip(b" "):
        raise AdamImportError(truncated)
    if records[obs][20:28] == _OBS[1]:
        declared = records[obs][48:63].strip()
        if declared.isdigit() and int(declared) > rows:
            raise AdamImportError(truncated)
    return XportMember(
        name=name,
        start=first * RECORD,
        end=last * RECORD,
        data_start=(obs + 1) * RECORD,
        obslen=obslen,
        rows=rows,
    )


def single_member(data: bytes, member: XportMember) -> bytes:
    """A transport file holding only ``member`` (the library header plus its records)."""
    return data[: 3 * RECORD] + data[member.start : member.end]
