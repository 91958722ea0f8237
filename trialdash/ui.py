"""Streamlit glue shared by every page: cached data access, shared filters, page header,
presentation mode, tables with CSV download, charts.

This and ``ui_cuts`` (data-cut picker and what changed since the previous cut) are the only
modules besides ``app.py`` and ``pages/`` that import Streamlit; the analysis and figure
modules stay free of it.

Caching: the read-only DuckDB connection is a cache resource keyed by the snapshot path
and its modification time, and every query result is kept under the same key (plus the query
and its parameters), so a new snapshot renamed into place is picked up at the next
interaction without a restart. Cohort analyses (marked with
``trialdash.analysis.memo.cohort_analysis``) are kept too, keyed by snapshot, modification
time, the patients the user may see, filter and arguments, and figures by the content of
their inputs. All three live in one size-bounded cache (:func:`results_cache`); keys are
content digests (``trialdash.fingerprint``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from trialdash import (
    access,
    audit,
    idle_gc,
    patient_pick,
    queries,
    run_timing,
    ui_access,
    ui_cuts,
)
from trialdash.access import Grant
from trialdash.analysis.filters import Filter
from trialdash.analysis.memo import Memo
from trialdash.fingerprint import fingerprint
from trialdash.report.button import PICKER_TEXT, meeting_pack_buttons
from trialdash.result_cache import ResultCache
from trialdash.snapshot import connect_read_only, default_path, read_meta
from trialdash.trial import Cohort, Trial
from trialdash.ui_state import keep, keep_known_choice, restore

SYNTHETIC_LABEL = "SYNTHETIC DATA"
_PARAM_DOSE, _PARAM_SUBTYPE = "dose", "subtype"
_PARAM_PATIENT, _PARAM_PRESENT = "patient", "present"
DATA_PAGE = "pages/data.py"
_PARAM_SITE = "site"


def _snapshot_key(path: Path | None = None) -> tuple[str, float]:
    path = (path or default_path()).resolve()
    return str(path), path.stat().st_mtime if path.exists() else 0.0


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, mtime: float):
    return connect_read_only(Path(path))


#: Memory for kept query results, analysis results and figures, in MB (estimated sizes;
#: least recently used first out). The environment variable TRIALDASH_CACHE_MB overrides it.
DEFAULT_CACHE_MB = 400
#: Share of that memory for query results; the rest keeps analysis results and figures. Query
#: results (sample tables) are large and, once the analyses built on them are kept, rarely
#: asked again: in one cache they would push out the small results a rerun needs.
QUERY_SHARE = 0.4


@st.cache_resource(show_spinner=False)
def results_cache(kind: str = "results") -> ResultCache:
    """The server's :class:`~trialdash.result_cache.ResultCache` for ``kind`` ("queries" or
    "results"; see the module docstring of ``result_cache`` for why not ``st.cache_data``)."""
    setting = os.environ.get("TRIALDASH_CACHE_MB", str(DEFAULT_CACHE_MB))
    try:
        megabytes = float(setting)
    except ValueError:
        raise ValueError(f"TRIALDASH_CACHE_MB must be a number of megabytes, not {setting!r}"
                         ) from None
    share = QUERY_SHARE if kind == "queries" else 1 - QUERY_SHARE
    return ResultCache(int(megabytes * share * 2**20))


def _cached_query(path: str, mtime: float, name: str, params: dict) -> pd.DataFrame:
    with run_timing.phase(run_timing.QUERIES):
        key = fingerprint("query", path, mtime, name, params)
        return results_cache("queries").get(
            key, lambda: queries.run(_connection(path, mtime), name, **params))


@st.cache_data(max_entries=4, show_spinner=False)
def _cached_meta(path: str, mtime: float) -> dict:
    return read_meta(_connection(path, mtime))


def trial(grant: Grant | None = None) -> Trial:
    """The snapshot shown (the current one, or a kept cut picked in the sidebar) as a
    :class:`Trial` whose queries are cached per snapshot and restricted to ``grant``."""
    return trial_at(ui_cuts.shown_path(), grant)


def trial_at(snapshot: Path, grant: Grant | None = None) -> Trial:
    """The snapshot at a path as a :class:`Trial` whose queries are cached per snapshot.

    Every query result is restricted to the patients ``grant`` may see (default: the
    signed-in user's), so no page, table or download, of the shown cut or of a cut it is
    compared with, can reach another site's patient.
    """
    path, mtime = _snapshot_key(snapshot)
    if mtime == 0.0:
        st.error(
            f"No snapshot found at `{path}`. Build one with "
            "`python -m trialdash snapshot build --synthetic` (or `make run`)."
        )
        st.stop()

    def run(name: str, **params) -> pd.DataFrame:
        return _cached_query(path, mtime, name, params)

    grant = grant or ui_access.current_grant()
    allowed = access.allowed_subjects(
        run("subjects", dose_groups=None, subtypes=None, subjects=None), grant)
    return Trial(access.restrict_runner(run, allowed), _cached_meta(path, mtime),
                 memo=_analysis_memo(path, mtime, allowed))


def _analysis_memo(path: str, mtime: float, allowed: frozenset[str] | None) -> Memo:
    """Keep cohort analyses (trialdash.analysis.memo) per snapshot file and modification
    time, the patients the user may see, the filter and the other arguments (labels, hence
    the presentation mode, included where an analysis takes them): a rerun with unchanged
    inputs recomputes nothing, and no result reaches a user allowed other patients."""
    visible = "everyone" if allowed is None else fingerprint(allowed)

    def memo(function: Callable, cohort: Cohort, args: tuple, kwargs: dict):
        with run_timing.phase(run_timing.ANALYSES):
            key = fingerprint("analysis", path, mtime, visible, function, cohort.filter, args,
                              kwargs)
            return results_cache().get(key, lambda: function(cohort, *args, **kwargs))

    return memo


def figure(build: Callable[..., go.Figure], *args, **kwargs) -> go.Figure:
    """``build(*args, **kwargs)`` in the study's wording, kept like analysis results.

    Building a Plotly figure validates every property in Python (a few hundred ms for a
    page's charts); a rerun with unchanged inputs (keyed by their content) reuses the figure.
    The figure returned is shared: show it with :func:`chart`, never modify it (copy it
    with ``go.Figure(fig)`` first).
    """
    wording = st.session_state.get(_WORDING_KEY)

    def draw() -> go.Figure:
        fig = build(*args, **kwargs)
        return fig if wording is None else wording.figure(fig)

    with run_timing.phase(run_timing.FIGURES):
        key = fingerprint("figure", build, args, kwargs, wording)
        return results_cache().get(key, draw, shared=True)


# --- shared filters, mirrored in the URL -------------------------------------------------


def _from_url(name: str, allowed: list[str]) -> list[str]:
    values = st.query_params.get_all(name)
    return [v for v in values if v in allowed]


def _sync_url(name: str, values: list[str]) -> None:
    if values:
        st.query_params[name] = values
    elif name in st.query_params:
        del st.query_params[name]


@dataclass(frozen=True)
class View:
    """What a page needs to know about how to show things."""

    trial: Trial
    cohort: Cohort
    present: bool
    labels: dict[str, str]  # USUBJID -> label shown (pseudonym in presentation mode)
    grant: Grant = access.LOCAL_USER

    def label(self, usubjid: str) -> str:
        return self.labels.get(usubjid, usubjid)

    def say(self, text: str) -> str:
        """``text`` (house CAR-T wording) in the study's own wording."""
        return self.trial.wording(text)

    @property
    def font_size(self) -> int:
        return 20 if self.present else 14

    def presentable(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A table as it may be shown and downloaded in the current mode.

        Headers are in the study's wording (:attr:`Trial.wording`). In presentation mode
        USUBJID becomes the pseudonym, SUBJID and calendar dates are dropped (days since
        infusion remain); otherwise dates without a time of day are shown as dates (the grid
        would add "00:00:00").
        """
        frame = frame.rename(columns=self.trial.wording.frame_headers(frame.columns))
        if not self.present:
            return _calendar_dates(frame)
        out = frame.copy()
        if "USUBJID" in out.columns:
            out["USUBJID"] = out["USUBJID"].map(self.label)
        drop = [c for c in out.columns if c in ("SUBJID", "pseudonym")
                or pd.api.types.is_datetime64_any_dtype(out[c])
                or (c.isupper() and c.endswith("DT"))]
        return out.drop(columns=drop)




def _calendar_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Date-time columns whose values all fall at midnight, as dates."""
    dated = {}
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            values = frame[column].dropna()
            if (values == values.dt.normalize()).all():
                dated[column] = frame[column].dt.date.where(frame[column].notna(), None)
    return frame.assign(**dated) if dated else frame


def sidebar_filters(trial: Trial, grant: Grant = access.LOCAL_USER) -> View:
    """Dose-group, subtype and patient filters plus the presentation toggle, in the sidebar.

    Initial values come from the URL; every change is written back to it, so a copied link
    reproduces the view (patient included, as USUBJID or, in presentation mode, as its
    pseudonym). Values survive switching pages. URL values are untrusted: only known
    values are taken, and the choices are those of the ``grant`` (a monitor's sites and
    patients; a sponsor is always in presentation mode and links name pseudonyms only).
    Above ``patient_pick.MANY_PATIENTS`` patients the Patients filter lists a bounded number
    and takes typed IDs or pseudonyms (:func:`_typed_patient_filter`).
    """
    if st.session_state.pop(_TYPED_REFUSED, False):
        st.warning(f"A patient you typed is {ui_access.NOT_AVAILABLE}.", icon=":material/block:")
    doses, subtypes = trial.dose_groups, trial.subtypes
    patients = list(trial.options["USUBJID"])
    sites = trial.site_labels()
    restore("dose", lambda: _from_url(_PARAM_DOSE, doses))
    restore("subtype", lambda: _from_url(_PARAM_SUBTYPE, subtypes))
    restore("site", lambda: _from_url(_PARAM_SITE, list(sites)))
    pseudonyms = trial.pseudonyms()
    restore("patient", lambda: _patients_from_url(pseudonyms, grant))
    restore("present", lambda: st.query_params.get(_PARAM_PRESENT) in ("1", "true", "yes"))
    state = st.session_state
    for name, allowed in (("dose", doses), ("subtype", subtypes), ("site", sites),
                          ("patient", patients)):
        # Kept values from another snapshot or another access never reach a widget.
        kept = access.known_values(state[f"flt_{name}"], allowed)
        state[f"flt_{name}"] = state[f"_keep_{name}"] = kept
    if grant.pseudonymised:
        state.flt_present = state._keep_present = True
    present = bool(state.flt_present)
    labels = pseudonyms if present else {p: p for p in patients}
    with st.sidebar:
        st.header("Filters")
        st.multiselect("Dose groups", doses, key="flt_dose", placeholder="All dose groups",
                       on_change=keep, args=("dose",))
        st.multiselect(trial.subtype_label, subtypes, key="flt_subtype",
                       placeholder="All", on_change=keep,
                       args=("subtype",))
        st.multiselect("Sites", list(sites), key="flt_site", placeholder="All sites",
                       format_func=lambda s: sites.get(s, s), on_change=keep, args=("site",))
        if patient_pick.lists_everyone(len(patients)):
            st.multiselect("Patients", patients, key="flt_patient", placeholder="All patients",
                           format_func=lambda p: labels.get(p, p), on_change=keep,
                           args=("patient",))
        else:
            _typed_patient_filter(trial, labels, pseudonyms, grant)
        st.toggle("Presentation mode", key="flt_present", on_change=keep, args=("present",),
                  disabled=grant.pseudonymised,
                  help="Larger type, pseudonyms instead of patient IDs, days instead of dates."
                  + (" Always on for your access." if grant.pseudonymised else ""))
    _sync_url(_PARAM_DOSE, state.flt_dose)
    _sync_url(_PARAM_SUBTYPE, state.flt_subtype)
    _sync_url(_PARAM_SITE, state.flt_site)
    # In presentation mode the URL (visible on the shared screen) carries pseudonyms too.
    _sync_url(_PARAM_PATIENT, [labels.get(p, p) for p in state._keep_patient])
    _sync_url(_PARAM_PRESENT, ["1"] if present else [])
    flt = Filter.of(state.flt_dose, state.flt_subtype, state._keep_patient, state.flt_site)
    return View(trial, trial.cohort(flt), present, labels, grant)


def _patients_from_url(pseudonyms: dict[str, str], grant: Grant) -> list[str]:
    """USUBJIDs named by the URL's patient values (USUBJIDs or pseudonyms; pseudonyms only
    for a pseudonymised grant). A value naming no patient the grant may see is dropped and
    the page says a linked patient is not available."""
    named = patient_pick.name_patients(st.query_params.get_all(_PARAM_PATIENT), pseudonyms,
                                       grant.pseudonymised)
    if named.unknown:
        st.warning(f"A patient in this link is {ui_access.NOT_AVAILABLE}.",
                   icon=":material/block:")
        ui_access.record(audit.REFUSED, grant if grant.email else None,
                         detail="patient in link not available")
    return named.usubjids


# Set by a picker's callback when a typed value named no patient the user may see; the next
# sidebar draw says so (a callback cannot draw in the page).
_TYPED_REFUSED = "_patient_typed_refused"


def _refuse_typed_patient(grant: Grant) -> None:
    st.session_state[_TYPED_REFUSED] = True
    ui_access.record(audit.REFUSED, grant if grant.email else None,
                     detail="typed patient not available")


def _typed_patient_filter(trial: Trial, labels: dict[str, str],
                          pseudonyms: dict[str, str], grant: Grant) -> None:
    """The Patients filter of a large trial (more than ``patient_pick.MANY_PATIENTS``): the
    chosen patients (``_keep_patient``) and the first ``patient_pick.LISTED_PATIENTS`` that
    the other filters leave, and any patient the user may see typed (widget
    ``flt_patient_text``)."""
    state = st.session_state
    others = trial.cohort(Filter.of(state.flt_dose, state.flt_subtype, None, state.flt_site))
    typed = "pseudonym" if grant.pseudonymised else "patient ID or pseudonym"
    _typed_patients_multiselect(
        "Patients", others.ids, "_keep_patient", lambda p: labels.get(p, p), pseudonyms, grant,
        key="flt_patient_text", placeholder="All patients",
        help=f"The list shows the first {patient_pick.LISTED_PATIENTS} patients that the other "
             f"filters leave. Type any {typed} and press Enter to add it.")


def patient_multiselect(view: View, label: str, ids: Sequence[str], key: str, *,
                        placeholder: str | None = None, container=None) -> list[str]:
    """A multiselect of patients whose choice, USUBJIDs, is ``st.session_state[key]``.

    Up to ``patient_pick.MANY_PATIENTS`` patients it lists all of ``ids``. Above, it lists
    the chosen patients and the first ``patient_pick.LISTED_PATIENTS`` of ``ids``, and takes
    any patient the user may see typed as ID or pseudonym (pseudonyms only for a
    pseudonymised grant); a typed value naming nobody is dropped with the not-available
    message. The multiselect then holds the texts shown, under key ``PICKER_TEXT + key``.
    """
    container = container or st
    if patient_pick.lists_everyone(len(ids)):
        return container.multiselect(label, ids, format_func=view.label,
                                     placeholder=placeholder, key=key)
    typed = "pseudonym" if view.grant.pseudonymised else "patient ID or pseudonym"
    return _typed_patients_multiselect(
        label, ids, key, view.label, view.trial.pseudonyms(), view.grant,
        key=PICKER_TEXT + key, placeholder=placeholder, container=container,
        help=f"The list shows the first {patient_pick.LISTED_PATIENTS} of {len(ids):,} "
             f"patients. Type any {typed} and press Enter to add it.")


def _typed_patients_multiselect(label: str, candidates: Sequence[str], chosen_key: str,
                                text: Callable[[str], str], pseudonyms: dict[str, str],
                                grant: Grant, *, key: str, placeholder: str | None,
                                help: str, container=None) -> list[str]:
    """A bounded multiselect of patients that takes typed IDs or pseudonyms.

    The chosen USUBJIDs are ``st.session_state[chosen_key]``; the widget (``key``) holds the
    texts shown (``text`` of a USUBJID), so that a typed USUBJID is never taken for a listed
    option. Options: the chosen patients, then the first ``patient_pick.LISTED_PATIENTS``
    other ``candidates``. Returns the chosen USUBJIDs.
    """
    state = st.session_state
    chosen = list(state.get(chosen_key) or [])
    texts = {p: text(p) for p in patient_pick.filter_options(chosen, candidates)}
    state[key] = [texts[p] for p in chosen]
    (container or st).multiselect(
        label, list(texts.values()), key=key, placeholder=placeholder,
        accept_new_options=True, filter_mode="contains", select_all=False,
        on_change=_keep_typed_patients,
        args=(key, chosen_key, {t: p for p, t in texts.items()}, pseudonyms, grant), help=help)
    return chosen


def _keep_typed_patients(key: str, chosen_key: str, by_text: dict[str, str],
                         pseudonyms: dict[str, str], grant: Grant) -> None:
    """Callback of a bounded patient multiselect: keep the patients its texts name."""
    named = patient_pick.name_patients(st.session_state[key], pseudonyms,
                                       grant.pseudonymised, listed=by_text)
    st.session_state[chosen_key] = named.usubjids
    if named.unknown:
        _refuse_typed_patient(grant)


def patient_selectbox(view: View, label: str, ids: Sequence[str], key: str, *,
                      describe: Callable[[list[str]], dict[str, str]] | None = None,
                      listed: Sequence[str] | None = None,
                      on_pick: Callable[[], None] | None = None,
                      container=None, help: str | None = None,
                      persist_state: str | None = None) -> str | None:
    """A select box of patients whose choice, a USUBJID, is ``st.session_state[key]``.

    Up to ``patient_pick.MANY_PATIENTS`` patients it lists all of ``ids``. Above, it lists
    ``listed`` (default: ``patient_pick.LISTED_PATIENTS`` of ``ids`` around the current
    choice) and takes any patient ID or pseudonym typed (pseudonyms only for a pseudonymised
    grant); a typed value naming no patient the user may see is refused with the
    not-available message and the choice stays. That select box (key ``PICKER_TEXT + key``)
    holds the texts shown, so that a typed USUBJID is never taken for a listed option.

    Parameters
    ----------
    describe
        USUBJIDs -> their option texts (default: the view's label); called for the listed
        patients only. Texts must differ between patients.
    on_pick
        Called (as a widget callback) once the user chose or typed a patient.
    container
        Where to draw it (a column; default the page).
    persist_state
        As for Streamlit widgets (``"page"`` inside a tab, :data:`ui_sections.KEEP`).
    """
    container = container or st
    describe = describe or (lambda shown: {p: view.label(p) for p in shown})
    if patient_pick.lists_everyone(len(ids)):
        # After presentation mode was switched the browser may name the choice by its other
        # text (a pseudonym for an ID): keep that patient.
        keep_known_choice(key, ids, lambda text: {
            p: u for u, p in view.trial.pseudonyms().items()}.get(text))
        texts = describe(list(ids))
        return container.selectbox(label, ids, key=key, format_func=texts.get,
                                   on_change=on_pick, help=help, persist_state=persist_state)
    state = st.session_state
    pseudonyms = view.trial.pseudonyms()
    current = state.get(key)
    shown = list(listed) if listed is not None else patient_pick.window(ids, current)
    if current not in shown:  # chosen elsewhere (typed, or outside the listed page)
        if current in pseudonyms:
            shown.insert(0, current)
        else:
            current = state[key] = shown[0] if shown else None
    texts = describe(shown)
    state[PICKER_TEXT + key] = texts.get(current)
    typed = "pseudonym" if view.grant.pseudonymised else "patient ID or pseudonym"
    container.selectbox(
        label, [texts[p] for p in shown], key=PICKER_TEXT + key, accept_new_options=True,
        filter_mode="contains", on_change=_pick_typed_patient, persist_state=persist_state,
        args=(key, {text: p for p, text in texts.items()}, pseudonyms, view.grant, on_pick),
        help=(f"{help} " if help else "") + f"The list shows {len(shown)} of {len(ids):,} "
             f"patients; type any {typed} and press Enter to choose it.")
    return state[key]


def _pick_typed_patient(key: str, by_text: dict[str, str], pseudonyms: dict[str, str],
                        grant: Grant, on_pick: Callable[[], None] | None) -> None:
    """Callback of a large trial's patient select box: the patient its text names."""
    text = st.session_state.get(PICKER_TEXT + key)
    if text is None:
        return
    named = patient_pick.name_patients([text], pseudonyms, grant.pseudonymised,
                                       listed=by_text)
    if not named.usubjids:
        _refuse_typed_patient(grant)
        return
    st.session_state[key] = named.usubjids[0]
    if on_pick is not None:
        on_pick()


def select_patient(usubjid: str) -> None:
    """Narrow the shared patient filter to one patient (links into the profile).

    Call it from a widget callback or before the sidebar is drawn: the sidebar widget picks
    the new value up on its next draw, and writes it to the URL as it is shown (the
    pseudonym in presentation mode: a USUBJID written here would reach the browser).
    """
    st.session_state["_keep_patient"] = [usubjid]


def record_patient_view(view: View, usubjid: str) -> None:
    """Note in the audit trail that this patient's profile was shown."""
    ui_access.record_patient_view(view.grant, usubjid)


def page_header(view: View, title: str) -> None:
    """Title, the patients the filters leave, data cut-off and the SYNTHETIC label."""
    st.title(title)
    meta = view.trial.meta
    parts = [f"**{view.cohort.count}**", f"data cut-off {meta['cutoff_date']}"]
    if view.grant.site_scoped:
        parts.insert(1, view.grant.describe())
    if view.trial.is_synthetic:
        parts.append(f":red-background[**{SYNTHETIC_LABEL}**]")
    n_findings = len(view.cohort.findings())
    if not n_findings:
        st.markdown(" · ".join(parts))
    else:
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.markdown(" · ".join(parts), width="content")
            findings_link(n_findings)
    if view.present:
        st.caption(view.cohort.filter.describe(view.label))


def findings_link(count: int) -> None:
    """A link to the Data page naming how many data-quality findings are in view."""
    st.page_link(DATA_PAGE, label=f"{count} data finding{'s' if count != 1 else ''}",
                 icon=":material/report:", help="Implausible but possible source values the "
                 "build recorded: listed on the Data page.")


def _timed_table(show: Callable) -> Callable:
    """Charge a table's drawing to the run log's "tables" phase and count it and its rows."""

    @functools.wraps(show)
    def timed(view: View, frame: pd.DataFrame, *args, **kwargs):
        run_timing.count("tables")
        run_timing.count("table_rows", len(frame))
        with run_timing.phase(run_timing.TABLES):
            return show(view, frame, *args, **kwargs)

    return timed


@_timed_table
def selectable_table(view: View, frame: pd.DataFrame, name: str, key: str,
                     caption: str | None = None, **kwargs) -> list[int]:
    """Like :func:`table`, but a click on a row selects it: returns the selected positions.

    In presentation mode a table of up to 30 rows is static (larger type), and nothing can be
    selected in it (an empty list).
    """
    shown = view.presentable(frame)
    if view.present and len(shown) <= MAX_ROWS_IN_FULL:
        table.__wrapped__(view, frame, name, caption, **kwargs)  # counted here already
        return []
    if caption:
        st.caption(view.say(caption))
    height = (_grid_height(len(shown), kwargs.get("row_height"))
              if len(shown) <= MAX_ROWS_IN_FULL else "auto")
    event = st.dataframe(shown, hide_index=True, width="stretch", height=height, key=key,
                         on_select="rerun", selection_mode="single-row", **kwargs)
    _download_csv(view, shown, name)
    return list(event.selection.rows)


MAX_LISTED_PATIENTS = 12


def patient_list(view: View, usubjids: list[str], lead: str, name: str) -> None:
    """Name a few patients in a caption; many (an imported study) as a count, with the
    list in a collapsed table, never as a block of IDs."""
    if len(usubjids) <= MAX_LISTED_PATIENTS:
        st.caption(f"{lead}: " + ", ".join(map(view.label, usubjids)))
        return
    st.caption(f"{lead}: {len(usubjids)} patients.")
    with st.expander(f"Show the {len(usubjids)} patients"):
        table(view, pd.DataFrame({"USUBJID": usubjids}), name)


def require(view: View, *datasets: str) -> bool:
    """Explain which data sets this view needs but the snapshot lacks; False if any."""
    missing = [d.upper() for d in datasets if not view.trial.has(d)]
    if missing:
        st.info(
            f"This view needs {', '.join(missing)}, which the current snapshot does not "
            f"contain (source: {view.trial.meta['source']}). Import a folder that includes "
            f"{' and '.join(m.lower() + '.xpt' for m in missing)} (or .sas7bdat/.csv/.parquet)."
        )
        return False
    return True


#: Session key of the shown study's :class:`~trialdash.wording.Wording` (set by current_view).
_WORDING_KEY = "_study_wording"


def chart(fig: go.Figure, key: str, **kwargs):
    """Show a Plotly figure full width in the house style (Streamlit's theme would override
    the fonts and colours of figures.base), with the download-as-PNG button kept.

    ``fig`` comes from :func:`figure`, which puts it in the study's wording."""
    if run_timing.active():
        run_timing.count("charts")
        run_timing.count("points", run_timing.figure_points(fig))
    with run_timing.phase(run_timing.CHARTS):
        return st.plotly_chart(fig, width="stretch", key=key, theme=None,
                               config={"displaylogo": False}, **kwargs)


ROW_PX = 35
MAX_ROWS_IN_FULL = 30
# Main-column width at 1280 px with the sidebar open, and the grid's width per character.
MAIN_COLUMN_PX, GRID_CHAR_PX, GRID_CELL_PAD_PX = 880, 7.5, 24


def _grid_height(rows: int, row_px: int | None = None) -> int:
    """Height of a grid showing its header and ``rows`` rows whole (rows of ``row_px``)."""
    return ROW_PX + rows * (row_px or ROW_PX) + 3


def grid_width_px(frame: pd.DataFrame) -> float:
    """Approximate width the data grid needs to show every column whole (it never wraps)."""
    widths = [max([len(str(c))] + [len(str(v)) for v in frame[c].head(MAX_ROWS_IN_FULL)])
              for c in frame.columns]
    return sum(w * GRID_CHAR_PX + GRID_CELL_PAD_PX for w in widths)


@_timed_table
def table(view: View, frame: pd.DataFrame, name: str, caption: str | None = None,
          hide_index: bool = True, fit_px: float = MAIN_COLUMN_PX, **kwargs) -> None:
    """Show a table and a CSV download of exactly what is shown.

    Tables up to 30 rows are shown whole (no inner scrolling on a shared screen); extra
    keyword arguments (``column_config``...) go to ``st.dataframe``. A table of up to 30 rows
    too wide for the main column at 1280 px (:func:`grid_width_px`) is shown as a static
    table, whose cells wrap, so that no column sits off-screen; ``fit_px`` is the width
    available (smaller for a table inside ``st.columns``).
    """
    shown = view.presentable(frame)
    if caption:
        st.caption(view.say(caption))
    rows = len(shown)
    wide = grid_width_px(shown) > fit_px
    if (view.present or wide) and rows <= MAX_ROWS_IN_FULL and len(shown.columns):
        # A static HTML table takes the larger presentation type; the grid does not.
        cells = static_cells(shown)
        st.table(cells.set_index(cells.columns[0]) if hide_index else cells)
    else:
        height = (_grid_height(rows, kwargs.get("row_height"))
                  if rows <= MAX_ROWS_IN_FULL else "auto")
        st.dataframe(shown, hide_index=hide_index, width="stretch", height=height, **kwargs)
    _download_csv(view, shown, name, hide_index)


def static_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A table's cells as text, as a static table should show them (the grid formats its
    own): missing values blank rather than "None", whole numbers without decimals ("251",
    not "251.0000"), flags as Yes/No rather than true/false. All text, so that a column
    mixing numbers and blanks still converts to Arrow."""
    def cell(value) -> str:
        if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
            return ""
        if isinstance(value, bool | np.bool_):
            return "Yes" if value else "No"
        if isinstance(value, int | np.integer):
            return str(int(value))
        if isinstance(value, float | np.floating):
            return str(int(value)) if float(value).is_integer() else f"{float(value):g}"
        return str(value)

    return frame.astype(object).map(cell)


def _download_csv(view: View, shown: pd.DataFrame, name: str, hide_index: bool = True) -> None:
    """A CSV download of exactly what is shown; the download is audited."""
    st.download_button(
        f"Download {name} (CSV)",
        shown.to_csv(index=not hide_index).encode("utf-8"),
        file_name=f"{name.lower().replace(' ', '_')}.csv",
        mime="text/csv",
        key=f"dl_{name}",
        on_click=ui_access.record_download, args=(view.grant, name),
    )


def snapshot_path_label() -> str:
    return os.path.relpath(default_path())


def _sidebar_about(trial: Trial) -> None:
    meta = trial.meta
    with st.sidebar:
        st.divider()
        st.caption(f"{meta['title']}  \n{meta['registry_id'] or meta['study_id']}"
                   f" · cut-off {meta['cutoff_date']}  \nSource: {meta['source']}")
        if trial.is_synthetic:
            st.markdown(f":red-background[**{SYNTHETIC_LABEL}**]")


def _leave_legacy_page_discovery() -> None:
    """Make a first request that lands directly on a page run ``app.py``'s navigation.

    Streamlit treats a ``pages/`` folder beside the entry point as a legacy multipage app
    until ``st.navigation`` has run once in the server process: a link such as
    ``/patient?patient=...`` opened first after a restart runs the page file on its own, and
    the sidebar then lists file names. Clearing that flag and rerunning (query parameters are
    kept) hands the request to ``app.py``'s navigation. Pinned Streamlit 1.67 internals;
    tests/browser covers it with a fresh server.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current_view() -> View:
    """Draw the shared sidebar (filters, presentation toggle, study) and return the view.

    Every page calls this once, first. In presentation mode the page's base type is larger.
    Before anything is read, the first call in the process freezes the libraries out of the
    garbage collector's way (:func:`trialdash.idle_gc.freeze_libraries`).
    """
    idle_gc.freeze_libraries()
    _leave_legacy_page_discovery()
    # Less empty space above the title, so a chart starts within a 720-pixel-high screen.
    st.html("<style>[data-testid='stMainBlockContainer'] {padding-top: 2.5rem;}</style>")
    ui_cuts.cut_sidebar()
    grant = ui_access.current_grant()
    current = trial(grant)
    st.session_state[_WORDING_KEY] = current.wording
    view = sidebar_filters(current, grant)
    _sidebar_about(current)
    ui_cuts.cut_banners(current)
    meeting_pack_buttons(view)
    ui_access.record_page_view(grant, st.session_state.get(ui_access.PAGE_KEY, ""), {
        "dose": list(view.cohort.filter.dose_groups),
        "subtype": list(view.cohort.filter.subtypes),
        "site": list(view.cohort.filter.sites),
        "patient": list(view.cohort.filter.patients), "present": view.present})
    if view.present:
        st.html("<style>.stMarkdown p, .stMarkdown li, .stCaption,"
                " [data-testid='stTable'] td, [data-testid='stTable'] th"
                " {font-size: 1.25em !important;}</style>")
    return view
