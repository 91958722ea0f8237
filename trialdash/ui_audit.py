"""The audit-trail viewer, for the Data page: the log newest first, filterable by user and
patient. Investigators only (and the local user without sign-in, when there is no log)."""

from __future__ import annotations

import streamlit as st

from trialdash import audit, ui_access
from trialdash.access import INVESTIGATOR


def audit_viewer() -> None:
    """Draw the audit log viewer (a heading, user and patient filters, the table).

    Shown only to an investigator; anyone else sees one line saying it is not available.
    Reading the log is not itself logged (it holds no patient data beyond identifiers).
    """
    st.subheader("Audit trail")
    grant = ui_access.current_grant()
    if grant.role != INVESTIGATOR:
        st.caption(f"The audit trail is {ui_access.NOT_AVAILABLE}.")
        return
    if not ui_access.auth_configured():
        st.caption("No sign-in configured, so no audit trail is kept (nobody to name). "
                   "Configure [auth] in .streamlit/secrets.toml to record one.")
        return
    path = ui_access.audit_path()
    log = audit.read(path)
    events = log.events
    left, right = st.columns(2)
    users = left.multiselect("User", sorted(events["user"].dropna().unique()),
                             key="audit_users", placeholder="All users")
    patients = right.multiselect("Patient", sorted(events["patient"].dropna().unique()),
                                 key="audit_patients", placeholder="All patients")
    shown = audit.select(events, users, patients)
    st.caption(f"{len(shown)} of {len(events)} events, newest first, times in UTC. "
               f"Append-only log: `{path}`.")
    if log.unreadable_lines:
        st.warning(f"{log.unreadable_lines} line(s) of the log are not JSON objects and are "
                   "not shown; the file may have been edited outside the dashboard.")
    st.dataframe(shown, hide_index=True, width="stretch")
