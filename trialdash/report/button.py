"""The sidebar "Meeting pack" downloads (Streamlit glue, called from ``ui.current_view``).

The pack is built on click, in a separate process (``python -m trialdash report``) with the
view's filters, presentation mode, every other URL query parameter of the page and the
settings of the page's own widgets (endpoint, time unit...), so it never shares this
Streamlit runtime and shows the pages as the user set them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from trialdash import ui_access
from trialdash.report.pack import FILTER_PARAMS
from trialdash.snapshot import default_path

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 300
# Prefix of the session key of a large trial's patient picker text (trialdash.ui
# patient_selectbox): what was shown or typed, not a setting (the patient is the URL's).
PICKER_TEXT = "_text_"
# Session keys that are not page settings: shared filters (in the URL already), their kept
# copies, CSV and pack downloads, patient picker texts.
INTERNAL_KEYS = ("flt_", "_keep_", "dl_", "meeting_pack_", PICKER_TEXT)


def page_widget_values(state: Mapping[str, Any]) -> dict[str, Any]:
    """Values of the pages' own widgets in the session (text, numbers, flags, text lists),
    by key; the shared filters and this module's buttons are left out."""
    def plain(value) -> bool:
        return isinstance(value, (str, bool, int, float)) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value))

    return {key: state[key] for key in list(state)
            if isinstance(key, str) and not key.startswith(INTERNAL_KEYS) and plain(state[key])}


def report_command(out: Path, fmt: str, dose_groups, subtypes, patients, present: bool,
                   params: dict[str, list[str]], snapshot: Path,
                   widgets: Mapping[str, Any] | None = None,
                   user: str | None = None) -> list[str]:
    """The ``python -m trialdash report`` command line for a view, built as ``user`` (the
    signed-in user, so that their role's restrictions hold in the pack too)."""
    # Values are attached with '=' so that one starting with '-' is never read as an option.
    command = [sys.executable, "-m", "trialdash", "report", f"--out={out}",
               f"--format={fmt}", f"--snapshot={snapshot}"]
    for option, values in (("--dose", dose_groups), ("--subtype", subtypes),
                           ("--patient", patients)):
        command += [f"{option}={value}" for value in values]
    if present:
        command.append("--present")
    for name, values in params.items():
        if name not in FILTER_PARAMS:
            command += [f"--param={name}={value}" for value in values]
    command += [f"--widget={key}={json.dumps(value)}" for key, value in (widgets or {}).items()]
    if user:
        command.append(f"--user={user}")
    return command


def build_pack(command: list[str], out: Path) -> bytes:
    """Run the report command and return the file it wrote (an error names the cause)."""
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                            timeout=BUILD_TIMEOUT_S, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"The meeting pack could not be built: {result.stderr.strip()[-800:]}")
    return out.read_bytes()


def _deferred(fmt: str, view) -> Callable[[], bytes]:
    flt = view.cohort.filter
    params = {name: st.query_params.get_all(name) for name in st.query_params}
    widgets = page_widget_values(st.session_state)
    snapshot = default_path().resolve()

    def generate() -> bytes:
        ui_access.record_download(view.grant, f"meeting pack ({fmt.upper()})")
        with tempfile.TemporaryDirectory(prefix="trialdash-pack-") as folder:
            out = Path(folder) / f"pack.{fmt}"
            command = report_command(out, fmt, flt.dose_groups, flt.subtypes, flt.patients,
                                     view.present, params, snapshot, widgets,
                                     view.grant.email or None)
            return build_pack(command, out)

    return generate


def pack_file_name(view, fmt: str) -> str:
    meta = view.trial.meta
    study = str(meta.get("registry_id") or meta["study_id"]).replace(" ", "_")
    return f"{study}_meeting_pack_{meta['cutoff_date']}.{fmt}"


def meeting_pack_buttons(view) -> None:
    """Sidebar buttons that build and download the meeting pack of the current view."""
    with st.sidebar:
        for fmt, mime in (("html", "text/html"), ("pdf", "application/pdf")):
            st.download_button(
                f"Meeting pack ({fmt.upper()})", _deferred(fmt, view),
                file_name=pack_file_name(view, fmt), mime=mime, on_click="ignore",
                key=f"meeting_pack_{fmt}", icon=":material/download:", width="stretch",
                help="Builds the pack now (about 10-20 s): title page, then every page "
                     "with its charts and tables for the current filters"
                     + (", in presentation mode." if view.present else "."))
