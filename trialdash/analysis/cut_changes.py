"""What a data cut adds to the previous one, as the dashboard shows it: the "since the
previous cut" rows, the change in safety counts, new rows of a table, a patient's news and
the previous cut-off on the swimmer lanes. Pure pandas over a
:class:`trialdash.cutdiff.CutDiff`; the filters apply through the patients passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

import pandas as pd

from trialdash.cutdiff import CutDiff, as_text

NEW_BADGE = "new"
#: Rows of the "since the previous cut" panel: label and the CutDiff list they count.
PANEL_ROWS = (
    ("Newly enrolled", "new_enrolled"),
    ("Newly infused", "new_infused"),
    ("New responses", "new_responses"),
    ("New progressions or relapses", "new_progressions"),
    ("New deaths", "new_deaths"),
    ("New DLTs", "new_dlts"),
)


def since_previous(diff: CutDiff, patients: Iterable[str],
                   label: Callable[[str], str] = str) -> pd.DataFrame:
    """One row per kind of change, restricted to ``patients`` (the filtered cohort).

    Returns
    -------
    DataFrame
        Columns ``change``, ``n`` and ``patients`` (their labels, comma-separated, in
        USUBJID order): new enrolments, infusions, responses (with the response), progressions,
        deaths and DLTs, then new adverse events (any grade, and grade >= 3 with term and
        grade), then records removed and modified (corrections).
    """
    keep = set(patients)
    rows = []
    for title, name in PANEL_ROWS:
        items = getattr(diff, name)
        if name == "new_responses":
            chosen = [r for r in items if r["usubjid"] in keep]
            text = [f"{label(r['usubjid'])} ({r['response']})" for r in chosen]
        else:
            chosen = [u for u in items if u in keep]
            text = [label(u) for u in chosen]
        rows.append((title, len(chosen), ", ".join(text)))
    events = diff.datasets.get("adae")
    added = events.added if events is not None else pd.DataFrame(columns=["USUBJID"])
    added = added[added["USUBJID"].isin(keep)]
    rows.append(("New adverse events (any grade)", len(added),
                 ", ".join(label(u) for u in sorted(set(added["USUBJID"])))))
    severe = [g for g in diff.new_adverse_events["grade3plus"] if g["usubjid"] in keep]
    rows.append(("New adverse events of grade 3 or higher", len(severe),
                 ", ".join(f"{label(g['usubjid'])}: {g['term']} (grade {g['grade']})"
                           for g in severe)))
    for kind in ("removed", "modified"):
        affected = corrected_patients(diff, kind) & keep
        count = sum(int(_rows(c, kind)["USUBJID"].isin(keep).sum())
                    for c in diff.datasets.values())
        rows.append((f"Records {kind} (corrections)", count,
                     ", ".join(label(u) for u in sorted(affected))))
    return pd.DataFrame(rows, columns=["change", "n", "patients"])


def _rows(changes, kind: str) -> pd.DataFrame:
    if kind == "removed":
        return changes.removed
    modified = changes.modified
    return modified.drop_duplicates([c for c in modified.columns
                                     if c not in ("column", "old", "new")])


def corrected_patients(diff: CutDiff, kind: str = "removed") -> set[str]:
    """Patients with a record ``kind`` ('removed' or 'modified') in any data set."""
    return {u for c in diff.datasets.values() for u in _rows(c, kind)["USUBJID"]}


def count_change(now: pd.DataFrame, before: pd.DataFrame | None, rows: str,
                 columns: str = "dose_group", value: str = "n") -> pd.DataFrame:
    """Change of counts between two cuts, one row per ``rows`` value, one column per
    ``columns`` value (first-seen order of ``now``): '+2', '-1' or '0'.

    ``now`` and ``before`` are long count tables (e.g. ``TEAESummary.counts``); a row or
    column absent before counts from 0.
    """
    before = before if before is not None else now.iloc[0:0]
    merged = now[[rows, columns, value]].merge(
        before[[rows, columns, value]], on=[rows, columns], how="left", suffixes=("", "_before"))
    merged["change"] = (merged[value] - merged[f"{value}_before"].fillna(0)).astype(int)
    merged["text"] = merged["change"].map(lambda k: f"{k:+d}" if k else "0")
    wide = merged.pivot(index=rows, columns=columns, values="text")
    order = list(dict.fromkeys(now[rows]))
    return wide.reindex(index=order, columns=list(dict.fromkeys(now[columns]))).reset_index()


def new_row_marks(frame: pd.DataFrame, added: pd.DataFrame,
                  on: dict[str, str]) -> pd.Series:
    """``'new'`` for rows of a shown table that are records added since the previous cut.

    ``on`` maps the shown table's columns to the key columns of ``added`` (e.g.
    ``{"AE #": "AESEQ"}`` with the patient fixed); values are compared as text.
    """
    if added.empty or frame.empty:
        return pd.Series("", index=frame.index)
    shown = pd.DataFrame({k: _as_text(frame[k]) for k in on}).agg("\x1f".join, axis=1)
    keys = set(pd.DataFrame({k: _as_text(added[v]) for k, v in on.items()})
               .agg("\x1f".join, axis=1))
    return shown.map(lambda k: NEW_BADGE if k in keys else "")


def new_patient_marks(shown: pd.Series, patients: Iterable[str]) -> pd.Series:
    """``'new'`` for rows whose patient (``shown``, as the table shows it) is in ``patients``
    (e.g. the new deaths, as shown: labels or pseudonyms)."""
    chosen = set(patients)
    return shown.map(lambda p: NEW_BADGE if p in chosen else "")


def grown_count_marks(now: pd.DataFrame, before: pd.DataFrame | None, keys: list[str],
                      value: str = "n") -> pd.Series:
    """``'new'`` for rows of a count table whose count grew since the previous cut (a row
    absent before counts from 0): rows that hold a patient new in them."""
    if before is None:
        return pd.Series("", index=now.index)
    earlier = before.groupby(keys, dropna=False)[value].sum()
    previous = pd.Series([earlier.get(tuple(k) if len(keys) > 1 else k[0], 0)
                          for k in now[keys].itertuples(index=False)], index=now.index)
    return (now[value] > previous).map({True: NEW_BADGE, False: ""})


#: Columns that identify a data-quality finding (schema FINDINGS), compared as text.
FINDING_KEY = ("dataset", "usubjid", "column", "rule", "value")


def new_finding_marks(now: pd.DataFrame, before: pd.DataFrame | None) -> pd.Series:
    """``'new'`` for findings of ``now`` that the earlier cut's findings do not have (same
    data set, subject, variable, rule and value; the row number may move between cuts)."""
    if before is None:
        return pd.Series("", index=now.index)

    def keys(frame: pd.DataFrame) -> pd.Series:
        return pd.DataFrame({k: as_text(frame[k].astype("object")) for k in FINDING_KEY}
                            ).agg("\x1f".join, axis=1)

    earlier = set(keys(before)) if not before.empty else set()
    if now.empty:
        return pd.Series("", index=now.index, dtype="object")
    return keys(now).map(lambda k: "" if k in earlier else NEW_BADGE)


_RECORD_NOUNS = {"adae": "adverse-event records", "adrs": "response records",
                 "adtte": "time-to-event records", "adpc": "kinetics samples",
                 "adlb": "lab results"}
_PATIENT_PHRASES = {"new_enrolled": "enrolled", "new_infused": "infused",
                    "new_progressions": "progression or relapse", "new_deaths": "death",
                    "new_dlts": "DLT"}


def _as_text(values: pd.Series) -> pd.Series:
    """As :func:`trialdash.cutdiff.as_text`, also for columns of Python dates (tables)."""
    if values.dtype == object and values.map(lambda v: isinstance(v, date)).any():
        values = pd.to_datetime(values, errors="coerce")
    return as_text(values)


def patient_news(diff: CutDiff, usubjid: str) -> list[str]:
    """What is new for one patient since the previous cut, as short phrases."""
    news = [phrase for name, phrase in _PATIENT_PHRASES.items()
            if usubjid in getattr(diff, name)]
    news += [f"response {r['response']} ({r['date']})" for r in diff.new_responses
             if r["usubjid"] == usubjid]
    for name, changes in diff.datasets.items():
        if name == "adsl":
            continue
        noun = _RECORD_NOUNS.get(name, f"{name.upper()} records")
        for kind in ("added", "removed", "modified"):
            frame = changes.added if kind == "added" else _rows(changes, kind)
            n = int((frame["USUBJID"] == usubjid).sum()) if not frame.empty else 0
            if n:
                news.append(f"{n} new {noun}" if kind == "added" else f"{n} {noun} {kind}")
    return news


def previous_cutoff_days(infused: pd.DataFrame, cutoff: date) -> pd.Series:
    """USUBJID -> days from infusion to the previous cut-off, for patients infused by then
    (day 0 = infusion, as every ``*_day`` column)."""
    infusion = pd.to_datetime(infused["TRTSDT"])
    days = (pd.Timestamp(cutoff) - infusion).dt.days
    keep = days.notna() & (days >= 0)
    return pd.Series(days[keep].astype(int).to_numpy(), index=infused.loc[keep, "USUBJID"])
