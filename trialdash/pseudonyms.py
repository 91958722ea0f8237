"""Pseudonyms for presentations: a keyed hash of USUBJID, short and readable (``P-7K3Q``).

Assumptions
-----------
* The key is a secret kept *beside* the snapshot, never in it: a file
  ``<snapshot>.pseudonym-key`` (64 hex digits) created on the first build with a random key
  and reused by every later build (new data cuts, rebuilds), so a patient keeps the same
  pseudonym. The file is git-ignored. Without the key, a pseudonym cannot be traced back to
  a USUBJID, and pseudonyms follow no order (unlike P01, P02, ... in USUBJID order).
* The code is HMAC-SHA256(key, USUBJID) written in Crockford's base-32 alphabet (no I, L,
  O, U), first :data:`CODE_LENGTH` characters. When two patients of one build share those
  characters, both get longer codes until they differ (rare: about n^2 / 2^21 pairs for n
  patients), so a pseudonym is unique within a snapshot.
* :data:`UNKEYED` is a fixed, public key for tools and tests that derive without a snapshot
  file; pseudonyms made with it hide order but not identity. Builds always use the file key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 4
PREFIX = "P-"
KEY_SUFFIX = ".pseudonym-key"
KEY_BYTES = 32
UNKEYED = b"trialdash-unkeyed-pseudonyms"


def key_path(snapshot: Path) -> Path:
    """Where the pseudonym key of a snapshot lives: beside it, ``<name>.pseudonym-key``."""
    snapshot = Path(snapshot)
    return snapshot.with_name(snapshot.name + KEY_SUFFIX)


def load_or_create_key(snapshot: Path) -> bytes:
    """The key beside ``snapshot``; a new random key is written (mode 600) when none exists.

    Raises ValueError naming the file when it exists but does not hold 64 hex digits.
    """
    path = key_path(snapshot)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path}: a pseudonym key must be {2 * KEY_BYTES} hex digits; "
                         "restore the file kept with the snapshot, or delete it to start "
                         "new pseudonyms")
    return key


def _code(usubjid: str, key: bytes) -> str:
    digest = int.from_bytes(hmac.new(key, usubjid.encode("utf-8"), hashlib.sha256).digest())
    chars = []
    for _ in range(16):
        digest, rest = divmod(digest, len(ALPHABET))
        chars.append(ALPHABET[rest])
    return "".join(chars)


def pseudonyms(usubjids: Sequence[str], key: bytes) -> list[str]:
    """``P-XXXX`` for each USUBJID (same order), unique within ``usubjids``; see the notes."""
    codes = [_code(str(u), key) for u in usubjids]
    lengths = [CODE_LENGTH] * len(codes)
    while True:
        shown = [c[:n] for c, n in zip(codes, lengths, strict=True)]
        seen: dict[str, int] = {}
        for code in shown:
            seen[code] = seen.get(code, 0) + 1
        clashes = [i for i, code in enumerate(shown)
                   if seen[code] > 1 and lengths[i] < len(codes[i])]
        if not clashes:
            return [PREFIX + code for code in shown]
        for i in clashes:
            lengths[i] += 1
