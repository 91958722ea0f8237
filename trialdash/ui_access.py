"""Streamlit glue for sign-in, roles and the audit trail (the rules live in ``access`` and
``audit``, which are Streamlit-free).

- With an ``[auth]`` section in ``.streamlit/secrets.toml`` (Streamlit's OpenID Connect
  sign-in, ``st.login``), :func:`gate` shows nothing of the trial before sign-in, maps the
  signed-in email to a role through the access file, refuses (and logs) anyone without a
  valid entry, and records sign-in, sign-out, page views, patient views, downloads and
  refusals in the audit log.
- Without it, the dashboard is for one person on their own machine: it answers only
  connections from this computer, says in the sidebar that anyone reaching the address sees
  all data, and keeps no audit log (there is nobody to name).
"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

import streamlit as st

from trialdash import access, audit
from trialdash.access import Grant

APP_NAME = "Trial results dashboard"
NO_SIGN_IN = "No sign-in configured: anyone who can reach this address sees all data"
NOT_AVAILABLE = "not available for your access"
_SIGNED_IN = "_access_signed_in"
# Set only in the meeting pack's own process (trialdash.report.harvest): every page it runs
# headlessly is run with this grant. The dashboard server never sets it.
_headless_grant: Grant | None = None
_REFUSED = "_access_refused"
_LAST_VIEW = "_access_last_view"
PAGE_KEY = "_access_page"  # the current page's name, set by app.py before it runs the page
_logger = logging.getLogger("trialdash.access")
_logged_problems: set[tuple[str, float]] = set()


def app_dir() -> Path:
    return Path(__file__).resolve().parent.parent


def auth_configured() -> bool:
    """Whether ``st.secrets`` has an ``[auth]`` section (sign-in is required)."""
    try:
        return bool(st.secrets.get("auth"))
    except Exception:  # no secrets file at all: Streamlit raises on access
        return False


def audit_path() -> Path:
    return audit.default_audit_path(app_dir())


def record(event: str, grant: Grant | None = None, *, email: str | None = None,
           **fields) -> None:
    """Append an audit event for the signed-in user (nothing without sign-in)."""
    if not auth_configured():
        return
    who = grant.email if grant else (email or "")
    role = grant.role if grant else "none"
    audit.append(audit_path(), audit.AuditEvent(user=who, role=role, event=event, **fields))


def _is_local_connection() -> bool:
    """True when the browser connects from this computer (Streamlit gives no address for
    localhost) or there is no connection at all (AppTest)."""
    ip = st.context.ip_address
    if not isinstance(ip, str):  # None for localhost; no real client under AppTest
        return True
    try:
        return ipaddress.ip_address(ip.split("%")[0]).is_loopback
    except ValueError:
        return False


def _load_access() -> access.AccessList:
    path = access.default_access_path(app_dir())
    result = access.load_access(path)
    key = (str(path), path.stat().st_mtime)
    if result.problems and key not in _logged_problems:
        _logged_problems.add(key)
        for problem in result.problems:
            _logger.warning("access file: %s", problem)
    return result


def _no_pages() -> None:
    """Nothing on this page but what the caller draws."""


def _hide_pages(draw: bool) -> None:
    """Register one hidden page (from ``app.py`` only): no page list shows, not even the one
    Streamlit would make from the ``pages/`` folder's file names."""
    if draw:
        st.navigation([st.Page(_no_pages, title=APP_NAME, url_path="signin", default=True)],
                      position="hidden")


def _refuse(email: str, reason: str, draw: bool) -> None:
    """Show only the refusal (and a way to sign out), log it once per session, stop."""
    if st.session_state.get(_REFUSED) != (email, reason):
        st.session_state[_REFUSED] = (email, reason)
        _logger.warning("access refused for %r: %s", email, reason)
        record(audit.REFUSED, email=email, detail=reason)
    _hide_pages(draw)
    st.title(APP_NAME)
    st.error(access.NO_ACCESS, icon=":material/block:")
    if st.button("Sign out", key="access_sign_out_refused"):
        st.logout()
    st.stop()


def _signed_in_grant(draw: bool) -> Grant:
    user = st.user
    if not user.get("is_logged_in"):
        st.session_state.pop(_SIGNED_IN, None)
        _hide_pages(draw)
        st.title(APP_NAME)
        st.markdown("Sign in to see the trial's results.")
        if st.button("Sign in", key="access_sign_in", type="primary",
                     icon=":material/login:"):
            st.login()
        st.stop()
    email = str(user.get("email") or "").strip().lower()
    if not email:
        _refuse("", "the identity provider sent no email claim", draw)
    if user.get("email_verified") is False:
        _refuse(email, "the identity provider says the email is not verified", draw)
    try:
        access_list = _load_access()
    except access.AccessFileError as exc:
        _logger.error("%s", exc)
        _refuse(email, f"access file unusable: {exc}", draw)
    grant = access_list.grant_for(email)
    if grant is None:
        _refuse(email, "not in the access file or entry malformed", draw)
    if st.session_state.get(_SIGNED_IN) != email:
        st.session_state[_SIGNED_IN] = email
        record(audit.SIGN_IN, grant)
    return grant


def run_pages_as(grant: Grant | None) -> None:
    """Run every page of this process with ``grant`` (None: as sign-in says).

    For the meeting pack, built in a process of its own from the signed-in user's grant: the
    sign-in configuration of the server (e.g. ``--secrets.files``) need not be visible there,
    and the pack must hold exactly what the user's role may see.
    """
    global _headless_grant
    _headless_grant = grant


def gate(draw: bool = True) -> Grant:
    """Who is looking, or stop the script with nothing of the trial shown.

    Call first in ``app.py`` (before navigation, so no page list shows either); pages get
    the grant from :func:`current_grant`. ``draw`` puts the signed-in user and the sign-out
    button (or the no-sign-in warning) in the sidebar.
    """
    if _headless_grant is not None:
        return _headless_grant
    if auth_configured():
        grant = _signed_in_grant(draw)
        if draw:
            with st.sidebar:
                st.caption(f"Signed in as **{grant.email}** ({grant.describe()})")
                if st.button("Sign out", key="access_sign_out", icon=":material/logout:"):
                    record(audit.SIGN_OUT, grant)
                    st.session_state.pop(_SIGNED_IN, None)
                    st.logout()
                    st.stop()  # nothing more of this run reaches the browser
    else:
        if not _is_local_connection():
            _hide_pages(draw)
            st.title(APP_NAME)
            st.error("This dashboard has no sign-in configured, so it answers only on the "
                     "computer it runs on.")
            st.stop()
        grant = access.LOCAL_USER
        if draw:
            st.sidebar.warning(NO_SIGN_IN, icon=":material/lock_open:")
    return grant


def current_grant() -> Grant:
    """The grant of this run: :func:`gate` evaluated again (without drawing), so a page
    never relies on a grant kept from an earlier run."""
    return gate(draw=False)


def record_page_view(grant: Grant, page: str, filters: dict) -> None:
    """Log a page view with its filters, once per change of page or filters."""
    key = (page, repr(sorted(filters.items())))
    if st.session_state.get(_LAST_VIEW) == key:
        return
    st.session_state[_LAST_VIEW] = key
    record(audit.PAGE_VIEW, grant, page=page, filters=filters)


def record_patient_view(grant: Grant, usubjid: str) -> None:
    """Log a patient-profile view, once per patient in a row."""
    key = ("patient", usubjid)
    if st.session_state.get("_access_last_patient") == key:
        return
    st.session_state["_access_last_patient"] = key
    record(audit.PATIENT_VIEW, grant, page="patient", patient=usubjid)


def record_download(grant: Grant, name: str, page: str | None = None) -> None:
    """Download-button callback: log what was downloaded."""
    record(audit.DOWNLOAD, grant, page=page, detail=name)
