"""Streamlit glue for data cuts: the cut picker and "Compare with" in the sidebar (both in
the URL), the banner for an earlier cut, the "New data cut loaded" notice, and the pieces
pages show about what changed since the previous cut.

Which snapshot the pages read is decided here (:func:`shown_path`): the live snapshot by
default, or a kept cut picked in the sidebar or named in the URL (``?cut=2025-03-01`` or
``?cut=2025-03-01_1a2b3c4d``, the kept file's name). A kept cut never changes, so a link to
it keeps working. ``?compare=`` names the cut compared with (default: the one before the
shown cut; ``none`` for no comparison). With a single snapshot and no history nothing is
drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from trialdash.analysis import cut_changes
from trialdash.cutdiff import CutDiff, diff_trials
from trialdash.history import Cut, default_history_dir, list_cuts
from trialdash.snapshot import default_path
from trialdash.trial import Cohort, Trial
from trialdash.ui_state import keep, restore

_PARAM_CUT, _PARAM_COMPARE = "cut", "compare"
NO_COMPARISON = "none"
_CURRENT = ""


def _folder_key(folder: Path) -> float:
    return folder.stat().st_mtime if folder.is_dir() else 0.0


@st.cache_data(max_entries=8, show_spinner=False)
def _cached_cuts(live: str, live_mtime: float, folder: str, folder_mtime: float) -> list[Cut]:
    return list_cuts(Path(live), Path(folder))


def available_cuts() -> list[Cut]:
    """The live snapshot and the kept cuts, newest first (cached per file change)."""
    live = default_path().resolve()
    folder = default_history_dir(live)
    mtime = live.stat().st_mtime if live.exists() else 0.0
    return _cached_cuts(str(live), mtime, str(folder), _folder_key(folder))


def _by_url(value: str | None, cuts: list[Cut]) -> Cut | None:
    """The cut a URL value names: its id, or the newest cut with that cut-off date."""
    if not value:
        return None
    for cut in cuts:
        if value in (cut.cut_id, cut.cutoff.isoformat()):
            return cut
    return None




def _set_url(name: str, value: str | None) -> None:
    if value:
        st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]


def _picked(cuts: list[Cut]) -> Cut | None:
    """The cut chosen in the sidebar (None = the current one)."""
    chosen = st.session_state.get("_keep_cut", _CURRENT)
    return next((c for c in cuts if c.cut_id == chosen and not c.live), None)


def shown_path() -> Path:
    """Path of the snapshot the pages show: the picked cut, else the live snapshot."""
    cuts = available_cuts()
    if "_keep_cut" not in st.session_state:
        named = _by_url(st.query_params.get(_PARAM_CUT), cuts)
        st.session_state["_keep_cut"] = named.cut_id if named and not named.live else _CURRENT
    picked = _picked(cuts)
    return Path(picked.path) if picked else default_path()


def _shown(cuts: list[Cut]) -> Cut | None:
    return _picked(cuts) or next((c for c in cuts if c.live), None)


def _default_compare(cuts: list[Cut], shown: Cut | None) -> str:
    if shown is None or shown not in cuts:
        return NO_COMPARISON
    later = cuts[cuts.index(shown) + 1:]
    return later[0].cut_id if later else NO_COMPARISON


def cut_sidebar() -> None:
    """The "Data cut" and "Compare with" pickers, drawn only when there is a history.

    Call before the snapshot is opened (``ui.trial()`` reads the pick through
    :func:`shown_path`); writes both to the URL.
    """
    cuts = available_cuts()
    shown_path()  # sets the pick from the URL on the first run
    if len(cuts) < 2:
        return
    ids = [_CURRENT] + [c.cut_id for c in cuts if not c.live]
    names = {c.cut_id: _cut_name(c, cuts) for c in cuts}
    current = next((c for c in cuts if c.live), None)
    names[_CURRENT] = f"cut-off {current.cutoff} (current)" if current else "current"
    if st.session_state["_keep_cut"] not in ids:
        st.session_state["_keep_cut"] = _CURRENT
    restore("cut", lambda: _CURRENT)
    shown = _shown(cuts)
    if shown is not None and st.session_state.get("_compare_base", shown.cut_id) != shown.cut_id:
        # Another cut shown (picked, or a new live snapshot): compare with the one before it.
        st.session_state.pop("_keep_compare", None)
    st.session_state["_compare_base"] = shown.cut_id if shown else None
    earlier = cuts[cuts.index(shown) + 1:] if shown in cuts else []
    options = [NO_COMPARISON] + [c.cut_id for c in earlier]
    default = _default_compare(cuts, shown)

    def initial_compare() -> str:
        value = st.query_params.get(_PARAM_COMPARE)
        if value == NO_COMPARISON:
            return NO_COMPARISON
        named = _by_url(value, cuts)
        return named.cut_id if named else default

    restore("compare", initial_compare)
    if st.session_state["flt_compare"] not in options:
        st.session_state["flt_compare"] = st.session_state["_keep_compare"] = (
            default if default in options else NO_COMPARISON)
    names[NO_COMPARISON] = "nothing"
    with st.sidebar:
        st.header("Data cut")
        st.selectbox("Data cut shown", ids, key="flt_cut", format_func=names.get,
                     on_change=_on_cut_change,
                     help="The current snapshot, or an earlier cut kept when it was replaced.")
        st.selectbox("Compare with", options, key="flt_compare", format_func=names.get,
                     on_change=keep, args=("compare",),
                     help="Marks what is new since that cut on every page.")
    _set_url(_PARAM_CUT, st.session_state["flt_cut"])
    compare = st.session_state["flt_compare"]
    _set_url(_PARAM_COMPARE, compare if compare != default else None)


def _cut_name(cut: Cut, cuts: list[Cut]) -> str:
    """'cut-off 2025-03-01', with the build time when two cuts share the cut-off."""
    twins = sum(c.cutoff == cut.cutoff for c in cuts) > 1
    return f"cut-off {cut.cutoff}" + (f", built {cut.built_at:%Y-%m-%d %H:%M}" if twins else "")


def _on_cut_change() -> None:
    keep("cut")
    if _PARAM_COMPARE in st.query_params:  # the default comparison of the new cut instead
        del st.query_params[_PARAM_COMPARE]


def cut_banners(trial: Trial) -> None:
    """The notice after the live snapshot was replaced, and the banner for an earlier cut."""
    cuts = available_cuts()
    live = next((c for c in cuts if c.live), None)
    state = st.session_state
    if live is not None:
        seen = state.get("_live_cut_seen")
        state["_live_cut_seen"] = live.cut_id
        if seen is not None and seen != live.cut_id:
            message = f"New data cut loaded (cut-off {live.cutoff})"
            st.toast(message, icon=":material/update:")
            if _picked(cuts) is None:
                st.info(message + ".", icon=":material/update:")
    picked = _picked(cuts)
    if picked is not None:
        current = f" The current cut has cut-off {live.cutoff}." if live else ""
        st.warning(f"Showing an earlier data cut: cut-off {trial.meta['cutoff_date']}."
                   f"{current} Choose the current cut under Data cut in the sidebar.",
                   icon=":material/history:")


@dataclass(frozen=True)
class Comparison:
    """The cut compared with and what changed since it."""

    previous: Cut
    trial: Trial
    diff: CutDiff

    @property
    def cutoff(self):
        return self.previous.cutoff

    def cohort(self, current: Cohort) -> Cohort:
        """The previous cut seen through the current filters."""
        return self.trial.cohort(current.filter)


@st.cache_data(max_entries=8, show_spinner=False)
def _cached_diff(old: str, old_mtime: float, new: str, new_mtime: float) -> CutDiff:
    return diff_trials(Trial.open(Path(old)), Trial.open(Path(new)), old, new)


def comparison() -> Comparison | None:
    """The comparison chosen in the sidebar, or None (no history, or 'nothing')."""
    from trialdash import ui

    chosen = st.session_state.get("flt_compare")
    cuts = available_cuts()
    previous = next((c for c in cuts if c.cut_id == chosen), None)
    if previous is None:
        return None
    shown = Path(shown_path()).resolve()
    if not shown.exists() or Path(previous.path).resolve() == shown:
        return None
    diff = _cached_diff(str(Path(previous.path).resolve()), Path(previous.path).stat().st_mtime,
                        str(shown), shown.stat().st_mtime)
    return Comparison(previous, ui.trial_at(Path(previous.path)), diff)


# --- what pages show ---------------------------------------------------------------------


#: Overview tiles: short title -> row of :func:`cut_changes.since_previous`.
_PANEL_TILES = {
    "Enrolled": "Newly enrolled", "Infused": "Newly infused", "Responses": "New responses",
    "Progressions": "New progressions or relapses", "Deaths": "New deaths",
    "Grade ≥3 AEs": "New adverse events of grade 3 or higher",
}


def since_previous_panel(view) -> None:
    """Overview: "Since the previous cut (YYYY-MM-DD)", within the current filters."""
    compared = comparison()
    if compared is None:
        return
    rows = cut_changes.since_previous(compared.diff, view.cohort.ids, view.label)
    st.subheader(f"Since the previous cut ({compared.cutoff})")
    counts = dict(zip(rows["change"], rows["n"], strict=True))
    tiles = st.columns(len(_PANEL_TILES))
    for tile, (title, change) in zip(tiles, _PANEL_TILES.items(), strict=True):
        tile.metric(title, f"+{counts[change]}" if counts[change] else "0",
                    help=f"{change}, within the current filters.")
    from trialdash import ui

    with st.expander("All changes since the previous cut", expanded=False):
        ui.table(view, rows.rename(columns={"change": "Change", "n": "Count",
                                            "patients": "Patients"}),
                 "changes since the previous cut",
                 caption="Within the current filters. Removed and modified records are "
                         "corrections between the cuts (snapshot diff lists every value).")


def safety_count_change(view, counts: pd.DataFrame, summarise) -> None:
    """Safety: the change of a count table since the previous cut.

    ``counts`` is the long table now (e.g. ``TEAESummary.counts``); ``summarise(cohort)``
    computes the same table for a cohort (called on the previous cut, same filters).
    """
    compared = comparison()
    if compared is None:
        return
    before = summarise(compared.cohort(view.cohort))
    change = cut_changes.count_change(counts, before, "label").rename(columns={"label": "Event"})
    from trialdash import ui

    overall = change.columns[-1]
    moved = change[change[overall] != "0"]
    st.caption(f"**Since the previous cut ({compared.cutoff})**: " + (
        "; ".join(f"{row['Event']} {row[overall]}" for _, row in moved.iterrows())
        + f" patients ({overall.lower()})" if not moved.empty else "no change in these counts."))
    with st.expander(f"Change in counts since the previous cut ({compared.cutoff})"):
        ui.table(view, change, "TEAE change since the previous cut",
                 caption="Change in patients per row and dose group.")


def mark_new(frame: pd.DataFrame, dataset: str, on: dict[str, str],
             usubjid: str | None = None) -> pd.DataFrame:
    """The table with a column 'New' ('new' for records added since the previous cut).

    ``on`` maps the table's columns to the data set's key columns; ``usubjid`` fixes the
    patient for a one-patient table. Unchanged when there is no comparison.
    """
    compared = comparison()
    if compared is None or frame.empty:
        return frame
    added = compared.diff.datasets.get(dataset)
    added = added.added if added is not None else pd.DataFrame(columns=["USUBJID"])
    if usubjid is not None:
        added = added[added["USUBJID"] == usubjid]
    if dataset == "adrs" and "PARAMCD" in added.columns:
        added = added[added["PARAMCD"] != "BOR"]  # tables show per-visit responses
    return _with_new(frame, cut_changes.new_row_marks(frame, added, on))


def _with_new(frame: pd.DataFrame, marks: pd.Series) -> pd.DataFrame:
    """The table with the column 'New' second (the first one is the row label, the index of
    a presentation table)."""
    return frame.assign(**{"New": marks})[[frame.columns[0], "New", *frame.columns[1:]]]


def mark_new_records(view, frame: pd.DataFrame, dataset: str, on: dict[str, str],
                     patient_column: str = "Patient") -> pd.DataFrame:
    """:func:`mark_new` for a display table whose ``patient_column`` shows the patient as
    the view labels it (identifier or pseudonym); ``on`` maps its other key columns."""
    compared = comparison()
    if compared is None or frame.empty:
        return frame
    changes = compared.diff.datasets.get(dataset)
    added = changes.added if changes is not None else pd.DataFrame(columns=["USUBJID"])
    added = added.assign(_shown_patient=added["USUBJID"].map(view.label))
    marks = cut_changes.new_row_marks(frame, added, {patient_column: "_shown_patient", **on})
    return _with_new(frame, marks)


def new_patients(diff: CutDiff, kinds: tuple[str, ...]) -> set[str]:
    """USUBJIDs in the CutDiff lists ``kinds`` ('new_deaths', 'new_responses', ...)."""
    found: set[str] = set()
    for kind in kinds:
        for item in getattr(diff, kind):
            found.add(item["usubjid"] if isinstance(item, dict) else item)
    return found


#: Response per-patient tables: a patient is new when newly infused or newly responding.
NEW_RESPONSE_PATIENTS = ("new_responses", "new_infused")


def mark_new_patients(view, frame: pd.DataFrame, kinds: tuple[str, ...],
                      patient_column: str = "Patient", labelled: bool = True,
                      also: pd.Series | None = None) -> pd.DataFrame:
    """The table with 'new' on the rows of patients in the CutDiff lists ``kinds`` (e.g. a
    deaths table: ``("new_deaths",)``). ``labelled``: the column shows the view's labels
    (else USUBJIDs); ``also``: rows marked new besides (e.g. new records)."""
    compared = comparison()
    if compared is None or frame.empty:
        return frame
    patients = new_patients(compared.diff, kinds)
    shown = {view.label(p) for p in patients} if labelled else patients
    marks = cut_changes.new_patient_marks(frame[patient_column], shown)
    if also is not None:
        marks = marks.where(marks != "", also.reindex(frame.index).fillna(""))
    return _with_new(frame, marks)


#: Safety's DLT listing: the shown columns that identify an ADAE record (besides Patient).
DLT_KEYS = {"Event": "AEDECOD", "Onset day": "start_day"}


def mark_new_dlts(view, listing: pd.DataFrame) -> pd.DataFrame:
    """Safety's DLT listing with 'new' on DLT events added since the previous cut, and on a
    patient's row without a flagged event when the patient's DLTFL is new."""
    records = mark_new_records(view, listing, "adae", DLT_KEYS)
    if "New" not in records.columns:
        return listing
    return mark_new_patients(view, listing, ("new_dlts",), also=records["New"])


def mark_new_responses(view, frame: pd.DataFrame) -> pd.DataFrame:
    """A response per-patient table (USUBJID column) with 'new' on the patients newly
    infused or newly responding since the previous cut."""
    return mark_new_patients(view, frame, NEW_RESPONSE_PATIENTS, "USUBJID", labelled=False)


def mark_new_in_counts(view, frame: pd.DataFrame, summarise, keys: list[str],
                       value: str = "n") -> pd.DataFrame:
    """A count table (e.g. reasons not infused: dose_group, reason, n) with 'new' on rows
    whose count grew since the previous cut; ``summarise(cohort)`` gives the table for the
    previous cut (same filters)."""
    compared = comparison()
    if compared is None or frame.empty:
        return frame
    before = summarise(compared.cohort(view.cohort))
    return _with_new(frame, cut_changes.grown_count_marks(frame, before, keys, value))


def mark_new_findings(view, listed: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """Data page: the findings display ``listed`` (rows as ``shown``, the raw findings) with
    'new' on findings the compared cut did not have."""
    compared = comparison()
    if compared is None or listed.empty:
        return listed
    before = compared.cohort(view.cohort).findings()
    marks = cut_changes.new_finding_marks(shown.reset_index(drop=True), before)
    return _with_new(listed, marks.set_axis(listed.index))


def count_change_since_previous(view, now: pd.DataFrame, summarise, name: str,
                                rows_title: str, columns: str = "dose_group") -> None:
    """The change of a long count table (label, ``columns``, n) since the previous cut: a
    caption naming every changed cell and the change table in an expander.

    ``summarise(cohort)`` computes ``now`` for a cohort (called on the previous cut, same
    filters).
    """
    compared = comparison()
    if compared is None:
        return
    before = summarise(compared.cohort(view.cohort))
    change = cut_changes.count_change(now, before, "label", columns).rename(
        columns={"label": rows_title})
    from trialdash import ui

    moved = [f"{row[rows_title]}, {column} {row[column]}" for _, row in change.iterrows()
             for column in change.columns[1:] if pd.notna(row[column]) and row[column] != "0"]
    st.caption(f"**Since the previous cut ({compared.cutoff})**: "
               + ("; ".join(moved) if moved else "no change in these counts."))
    with st.expander(f"{name}: change since the previous cut ({compared.cutoff})"):
        ui.table(view, change, f"{name} change since the previous cut",
                 caption="Change per row and column since the previous cut.")


#: Safety's CRS/ICANS episode table: the shown columns that identify an ADAE record.
EPISODE_KEYS = {"USUBJID": "USUBJID", "AEDECOD": "AEDECOD", "onset_day": "start_day"}

#: Patient-profile record tabs: data set and the shown columns that identify a record.
PROFILE_TABLE_KEYS = {
    "Adverse events": ("adae", {"Term": "AEDECOD", "Start date": "ASTDT"}),
    "Response": ("adrs", {"Date": "ADT"}),
    "Kinetics": ("adpc", {"Parameter": "PARAMCD", "Date": "ADT"}),
    "Labs": ("adlb", {"Parameter": "PARAMCD", "Date": "ADT"}),
}


def mark_new_in_profile(title: str, frame: pd.DataFrame, usubjid: str) -> pd.DataFrame:
    """A patient-profile record table with its new rows marked (see :func:`mark_new`)."""
    if title not in PROFILE_TABLE_KEYS or not set(PROFILE_TABLE_KEYS[title][1]) <= set(
            frame.columns):
        return frame
    dataset, on = PROFILE_TABLE_KEYS[title]
    return mark_new(frame, dataset, on, usubjid)


def patient_news(usubjid: str) -> None:
    """Patient profile: what is new for this patient since the previous cut."""
    compared = comparison()
    if compared is None:
        return
    news = cut_changes.patient_news(compared.diff, usubjid)
    if news:
        st.info(f"New since the previous cut ({compared.cutoff}): " + "; ".join(news) + ".",
                icon=":material/fiber_new:")
    else:
        st.caption(f"Nothing new for this patient since the previous cut ({compared.cutoff}).")


def swimmer_previous_cutoff(fig, view, lanes: pd.DataFrame, unit: str):
    """Response: the previous cut-off as a tick in each swimmer lane."""
    from trialdash.figures.cuts import mark_previous_cutoff

    compared = comparison()
    if compared is None:
        return fig
    days = cut_changes.previous_cutoff_days(view.cohort.infused, compared.cutoff)
    # ``fig`` may be a kept figure (ui.figure) shared with other runs: mark a copy.
    return mark_previous_cutoff(go.Figure(fig), lanes, days, compared.cutoff, view.labels, unit,
                                view.font_size)


def cut_history_table(view) -> None:
    """The kept cuts, newest first: for the Data page."""
    from trialdash import ui

    cuts = available_cuts()
    if not cuts:
        st.caption("No snapshot kept yet.")
        return
    frame = pd.DataFrame([{
        "Cut-off": c.cutoff, "Built (UTC)": c.built_at, "Source": c.source,
        "Enrolled": c.enrolled, "Infused": c.infused,
        "Current": "yes" if c.live else "", "Link": f"?cut={c.cut_id}",
        "File": c.path} for c in cuts])
    if view.grant.site_scoped:  # whole-trial counts are not a site monitor's to see
        frame = frame.drop(columns=["Enrolled", "Infused"])
    ui.table(view, frame, "data cuts",
             caption="The current snapshot and the cuts kept when it was replaced (newest "
                     "first). Pick one under Data cut in the sidebar, or open its link.")
