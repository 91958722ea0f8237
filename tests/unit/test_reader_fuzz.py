"""Fuzzing the readers: whatever bytes a file holds, reading it either works or raises the
import's own error (:class:`AdamImportError`, a clear message naming the file), never a
Python traceback from pandas, pyreadstat or pyarrow.

Real files are the small valid study of ``adam_fixtures`` written in every format; the
fuzzed inputs are random bytes under each supported suffix, and those files cut at a
random length (an interrupted copy).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from adam_fixtures import (
    SAS7BDAT_WRITER,
    adae_truth,
    valid_tables,
    write_parquet,
    write_sas7bdat,
    write_xpt,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from trialdash.adam_io import SUPPORTED, AdamImportError, read_dataset

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def real_file(fmt: str, folder: Path) -> Path:
    """The ADAE of the valid study as a real file of format ``fmt``."""
    if fmt == "csv":
        path = folder / "adae.csv"
        valid_tables()["adae"].to_csv(path, index=False)
        return path
    if fmt == "xpt":
        return write_xpt(adae_truth(), folder / "adae.xpt", formatted=["ASTDT"])
    if fmt == "parquet":
        return write_parquet(adae_truth(), folder / "adae.parquet")
    return write_sas7bdat(adae_truth(), folder / "adae.sas7bdat", formatted=["ASTDT"])


def read_or_refuse(path: Path) -> bool:
    """True when the file was read, False when refused with the import's own error."""
    try:
        read_dataset(path)
    except AdamImportError as error:
        assert path.name in str(error)
        return False
    return True


@pytest.mark.parametrize("suffix", SUPPORTED)
@FUZZ
@given(data=st.binary(max_size=2000))
@example(data=b"")
@example(data=b"\xef\xbb\xbf")
@example(data=b"USUBJID\n")
@example(data=b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!" + b"0" * 30 + b"  ")
def test_random_bytes_never_raise_anything_but_the_import_error(
    tmp_path: Path, suffix: str, data: bytes
) -> None:
    path = tmp_path / f"adae{suffix}"
    path.write_bytes(data)
    read_or_refuse(path)


FORMATS = [
    "csv",
    "xpt",
    "parquet",
    pytest.param(
        "sas7bdat",
        marks=pytest.mark.skipif(not SAS7BDAT_WRITER, reason="no ReadStat SAS7BDAT writer"),
    ),
]


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(fraction=st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
@example(fraction=0.5)
def test_random_truncation_of_a_real_file(tmp_path: Path, fmt: str, fraction: float) -> None:
    """A file cut anywhere is read or refused with the import's error. A transport file cut
    off is always refused unless the cut falls on a row and a record boundary at once (v5
    stores no row count); Parquet and SAS7BDAT carry their structure and are always
    refused."""
    path = real_file(fmt, tmp_path)
    whole = path.read_bytes()
    cut = int(len(whole) * fraction)
    path.write_bytes(whole[:cut])
    read = read_or_refuse(path)
    if fmt in ("parquet", "sas7bdat"):
        assert not read
    if fmt == "xpt" and cut % 80:
        assert not read


@FUZZ
@given(
    body=st.text(
        alphabet=st.sampled_from(list('ABC019.-,;"\n\r\t :é') + ["\u00a0", "\x85", "\ufeff"]),
        max_size=400,
    )
)
@example(body='"A,PYREXIA\n')
@example(body="A,PYREXIA,2022-05\n")
@example(body="A,PYREXIA,2022-05-01,3,extra\n")
def test_random_text_under_a_valid_header(tmp_path: Path, body: str) -> None:
    """CSV text after a valid header (quotes, separators, line ends, odd characters): read or
    refused with the import's error; random text is read as UTF-8 or Windows-1252/Latin-1."""
    path = tmp_path / "adae.csv"
    encoding = "utf-8" if len(body) % 2 else "latin-1"
    path.write_bytes(("USUBJID,AEDECOD,ASTDT,AETOXGR\n" + body).encode(encoding, "replace"))
    read_or_refuse(path)
