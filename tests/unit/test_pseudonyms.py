"""Pseudonyms by keyed hash (trialdash/pseudonyms.py): stable, orderless, key kept beside."""

from __future__ import annotations

import re
import stat

import pytest

from trialdash import pseudonyms as ps
from trialdash.build import build_synthetic
from trialdash.trial import Trial

CODE = re.compile(r"^P-[0-9A-HJKMNP-TV-Z]{4,}$")


def test_code_is_hmac_sha256_in_crockford_base32():
    """Published HMAC-SHA256 vector (RFC 2104 example on Wikipedia, 'HMAC'): key 'key',
    message 'The quick brown fox jumps over the lazy dog' ->
    f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8. Its first four
    base-32 digits, least significant first, in Crockford's alphabet, make the pseudonym."""
    digest = int("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", 16)
    digits = [(digest >> (5 * i)) & 31 for i in range(4)]
    expected = "P-" + "".join("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[d] for d in digits)
    message = "The quick brown fox jumps over the lazy dog"
    assert ps.pseudonyms([message], b"key") == [expected]


def test_no_order_and_unique_even_when_short_codes_clash():
    """3,000 IDs: about 4 pairs share 4 characters (3000^2 / 2^21); all pseudonyms stay
    unique and readable; sorted pseudonyms do not follow sorted IDs."""
    ids = [f"SYN-{i:04d}" for i in range(3000)]
    names = ps.pseudonyms(ids, b"k" * 32)
    assert len(set(names)) == len(ids)
    assert all(CODE.match(n) for n in names)
    assert any(len(n) > 6 for n in names)  # clashes were lengthened
    assert sorted(names) != names


def test_key_beside_the_snapshot_keeps_pseudonyms_across_rebuilds(tmp_path):
    """First build creates <snapshot>.pseudonym-key (owner-only); the snapshot file does not
    contain it; a rebuild and a smaller cohort (an earlier cut) keep each patient's name;
    another key gives other names."""
    out = tmp_path / "trial.duckdb"
    first = Trial.open(build_synthetic(out)).pseudonyms()
    key_file = ps.key_path(out)
    assert key_file.name == "trial.duckdb.pseudonym-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_hex = key_file.read_text().strip()
    assert key_hex.encode() not in out.read_bytes()
    assert bytes.fromhex(key_hex) not in out.read_bytes()
    assert Trial.open(build_synthetic(out)).pseudonyms() == first
    smaller = Trial.open(build_synthetic(out, patients=8)).pseudonyms()
    shared = set(smaller) & set(first)
    assert shared and all(smaller[u] == first[u] for u in shared)
    assert all(CODE.match(name) for name in first.values())
    ids = sorted(first)
    assert [first[u] for u in ids] != sorted(first.values())
    other = tmp_path / "other.duckdb"
    assert Trial.open(build_synthetic(other)).pseudonyms() != first


def test_a_damaged_key_file_is_named(tmp_path):
    out = tmp_path / "trial.duckdb"
    ps.key_path(out).write_text("not hex")
    with pytest.raises(ValueError, match="trial.duckdb.pseudonym-key"):
        ps.load_or_create_key(out)
