"""Who may see what: the access file, roles, and the cohort restriction of a role.

Streamlit-free, so it can be tested and reused (CLI, report). The dashboard reads the file
named by ``TRIALDASH_ACCESS`` (default ``access.toml`` beside ``app.py``)::

    [users."pi@hospital.example"]
    role = "investigator"

    [users."cra@cro.example"]
    role = "monitor"
    sites = ["701", "703"]

    [users."lead@sponsor.example"]
    role = "sponsor"

Roles:

- ``investigator``: every patient, real identifiers and dates.
- ``monitor``: only the patients whose ADSL SITEID is in ``sites``; real identifiers.
- ``sponsor``: every patient, always pseudonymised and without calendar dates.

The restriction is applied where data are read: :func:`restrict_runner` wraps a trial's
query runner so that every query result keeps only the allowed subjects, whatever filter,
URL or widget asked for it. Queries whose result has no subject column must be listed in
:data:`SUBJECT_FREE_QUERIES`; any other such query is refused for a site-scoped user, so a
new patient-level query cannot leak by omission.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

INVESTIGATOR, MONITOR, SPONSOR = "investigator", "monitor", "sponsor"
ROLES = (INVESTIGATOR, MONITOR, SPONSOR)
ENTRY_KEYS = {"role", "sites"}
ACCESS_ENV = "TRIALDASH_ACCESS"
ACCESS_FILE_NAME = "access.toml"
NO_ACCESS = "no access: ask the study team"

# Queries whose result carries no subject-level rows. Whole-trial counts in them are
# blanked for a site-scoped user (column names in the value).
SUBJECT_FREE_QUERIES: dict[str, tuple[str, ...]] = {
    "endpoints": ("n_subjects",),
    "kinetics_parameters": (),
    "snapshot_meta": (),
}

QueryRunner = Callable[..., pd.DataFrame]


class AccessFileError(ValueError):
    """The access file is missing, unreadable or not an access file: nobody gets access."""


class AccessDenied(PermissionError):
    """A query that a site-scoped user may not run (its result cannot be restricted)."""


@dataclass(frozen=True)
class Grant:
    """What one signed-in user may see.

    ``sites`` is empty for every role but ``monitor``, whose patients are those whose ADSL
    SITEID is one of them.
    """

    email: str
    role: str
    sites: tuple[str, ...] = ()

    @property
    def pseudonymised(self) -> bool:
        """Always presentation mode: pseudonyms, no calendar dates (sponsor)."""
        return self.role == SPONSOR

    @property
    def site_scoped(self) -> bool:
        return self.role == MONITOR

    def describe(self) -> str:
        """'site 701, 703' for a monitor, the role name otherwise."""
        if self.site_scoped:
            return "site " + ", ".join(self.sites)
        return self.role


# The dashboard run by one person on their own machine, without sign-in.
LOCAL_USER = Grant(email="", role=INVESTIGATOR)


@dataclass(frozen=True)
class AccessList:
    """The parsed access file: valid grants by lower-case email, and what was wrong.

    A user whose entry is malformed has no grant; ``problems`` says why (one line each,
    naming the file and the entry).
    """

    grants: dict[str, Grant] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    def grant_for(self, email: str | None) -> Grant | None:
        if not email:
            return None
        return self.grants.get(email.strip().lower())


def default_access_path(app_dir: Path) -> Path:
    """``TRIALDASH_ACCESS`` if set, else ``access.toml`` in ``app_dir``."""
    return Path(os.environ.get(ACCESS_ENV) or app_dir / ACCESS_FILE_NAME)


def load_access(path: Path) -> AccessList:
    """Read and parse an access file.

    Raises
    ------
    AccessFileError
        When the file is missing, unreadable, not TOML, or has no ``[users]`` table: then
        nobody may see data.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AccessFileError(f"access file {path} cannot be read: {exc}") from exc
    return parse_access(text, str(path))


def parse_access(text: str, source: str = ACCESS_FILE_NAME) -> AccessList:
    """Parse the text of an access file (see the module docstring for the format).

    Emails are matched case-insensitively. An entry is malformed, and its user gets no
    access, when: it is not a table; it has keys other than ``role`` and ``sites``; its role
    is missing, not a string or not one of :data:`ROLES`; a monitor has no ``sites``, or
    ``sites`` is not a non-empty list of non-blank strings; ``sites`` is given for another
    role; its email has no ``@``; or two entries differ only in case.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessFileError(f"{source}: not valid TOML ({exc})") from exc
    unknown = sorted(set(data) - {"users"})
    if unknown:
        raise AccessFileError(f"{source}: unknown top-level keys {unknown}; expected [users]")
    users = data.get("users")
    if not isinstance(users, dict):
        raise AccessFileError(f"{source}: no [users.\"email\"] entries")
    grants: dict[str, Grant] = {}
    problems: list[str] = []
    seen: dict[str, str] = {}
    for email, entry in users.items():
        where = f'{source}: [users."{email}"]'
        key = email.strip().lower()
        if key in seen:
            problems.append(f"{where}: same email as [users.\"{seen[key]}\"] (case ignored); "
                            "neither entry is used")
            grants.pop(key, None)
            continue
        seen[key] = email
        problem = _entry_problem(email, entry)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        sites = tuple(s.strip() for s in entry.get("sites", ()))
        grants[key] = Grant(email=key, role=entry["role"], sites=sites)
    return AccessList(grants, tuple(problems))


def _entry_problem(email: str, entry: object) -> str | None:
    if "@" not in email:
        return "the key must be an email address"
    if not isinstance(entry, dict):
        return "must be a table with role = ..."
    extra = sorted(set(entry) - ENTRY_KEYS)
    if extra:
        return f"unknown keys {extra}; allowed: role, sites"
    role = entry.get("role")
    if role is None:
        return "role is missing"
    if not isinstance(role, str) or role not in ROLES:
        return f"role {role!r} is not one of {', '.join(ROLES)}"
    if role != MONITOR:
        return "sites is only for role = \"monitor\"" if "sites" in entry else None
    sites = entry.get("sites")
    if sites is None:
        return "a monitor needs sites = [\"...\"]"
    if not isinstance(sites, list) or not sites:
        return "sites must be a non-empty list of site IDs"
    if not all(isinstance(s, str) and s.strip() for s in sites):
        return "every site ID must be a non-blank quoted string, e.g. sites = [\"701\"]"
    return None


# --- the cohort a grant may see ----------------------------------------------------------


def allowed_subjects(adsl: pd.DataFrame, grant: Grant) -> frozenset[str] | None:
    """USUBJIDs the grant may see, from ADSL (columns USUBJID, SITEID); None = everyone.

    A monitor sees the subjects whose SITEID (compared as trimmed text) is one of their
    sites; without a SITEID column, none.
    """
    if not grant.site_scoped:
        return None
    if "SITEID" not in adsl.columns:
        return frozenset()
    site = adsl["SITEID"].astype("string").str.strip()
    return frozenset(adsl.loc[site.isin(grant.sites).fillna(False), "USUBJID"])


def _subject_column(frame: pd.DataFrame) -> str | None:
    return next((c for c in frame.columns if str(c).upper() == "USUBJID"), None)


def restrict_frame(frame: pd.DataFrame, allowed: frozenset[str]) -> pd.DataFrame | None:
    """Rows of ``frame`` whose subject is allowed (rows without a subject are dropped);
    None when the frame has no USUBJID column (in any case)."""
    column = _subject_column(frame)
    if column is None:
        return None
    return frame[frame[column].isin(allowed)].reset_index(drop=True)


def restrict_runner(run: QueryRunner, allowed: frozenset[str] | None) -> QueryRunner:
    """A query runner that returns only the allowed subjects' rows (None = no restriction).

    Every result with a USUBJID column keeps the allowed subjects only (rows with a blank
    subject, e.g. file-level findings, are dropped as well). A query listed in
    :data:`SUBJECT_FREE_QUERIES` passes with its whole-trial counts blanked; any other
    result without a subject column raises :class:`AccessDenied`.
    """
    if allowed is None:
        return run

    def restricted(name: str, **params) -> pd.DataFrame:
        frame = run(name, **params)
        kept = restrict_frame(frame, allowed)
        if kept is not None:
            return kept
        if name in SUBJECT_FREE_QUERIES:
            blank = [c for c in SUBJECT_FREE_QUERIES[name] if c in frame.columns]
            return frame.assign(**{c: pd.NA for c in blank}) if blank else frame
        raise AccessDenied(
            f"query {name!r} returns no USUBJID column, so it cannot be restricted to a "
            "monitor's sites; add USUBJID or list it in access.SUBJECT_FREE_QUERIES")

    return restricted


def site_choices(adsl: pd.DataFrame) -> dict[str, str]:
    """SITEID -> label for a site filter, in SITEID order.

    The label is ``"<SITEID> <name>"`` when ADSL has a site-name column (SITENAM or
    SITENAME, not standard ADaM), else the SITEID; blank SITEIDs are left out.
    """
    if "SITEID" not in adsl.columns:
        return {}
    name_col = next((c for c in ("SITENAM", "SITENAME") if c in adsl.columns), None)
    frame = adsl.assign(_site=adsl["SITEID"].astype("string").str.strip())
    frame = frame[frame["_site"].fillna("") != ""]
    if name_col:
        names = frame.groupby("_site")[name_col].first()
        return {s: (f"{s} {n}" if isinstance(n, str) and n.strip() else s)
                for s, n in sorted(names.items())}
    return {s: s for s in sorted(frame["_site"].unique())}


def known_values(values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    """The values that are in ``allowed``, in the order given, without repeats (untrusted
    input such as URL parameters)."""
    allowed = set(allowed)
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v in allowed))
