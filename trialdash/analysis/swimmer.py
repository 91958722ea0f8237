"""Swimmer-plot data: one lane per infused patient from infusion (day 0) to last contact.

Assumptions
-----------
* Lane end (``end_day``) = ADSL ``last_day`` (death, else last known alive), in days since
  infusion; it is extended to the latest event or assessment when a record lies beyond it, and
  is 0 when nothing at all is known after infusion.
* Responses follow the one best-overall-response rule of :mod:`trialdash.analysis.response`
  (3-month assessment window, never after allo-HSCT, up to the first PD), whose
  :func:`~trialdash.analysis.response.is_responder` decides what counts as a response.
* Progression/relapse days are ADSL ``pd_day`` and every OVR assessment of PD (whole
  follow-up). The first progression is marked; so is the relapse ending a response episode
  when it is a later one.
* **Response episode**: starts at the patient's first response day
  (``first_response_day`` of :func:`~trialdash.analysis.response.best_response`: the first
  counted assessment meeting the responder definition) and ends at the first
  progression/relapse on or after it, else at last contact. Only the first episode is drawn:
  a response after relapse (e.g. to later therapy) is not a response to CAR-T.
* Response-onset markers (CR, CRi, PR) are placed at the first counted assessment of each
  category that improves on the best response so far, so a PR deepening to a CR within the
  window shows both; a PR of a T-ALL patient is marked although it is not an ORR response.
* **Ongoing response**: the patient is a responder (by BOR), has no progression on or after the
  start of the response, and is not dead at last contact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from trialdash.analysis.filters import PatientCount
from trialdash.analysis.memo import cohort_analysis
from trialdash.analysis.response import (
    best_response,
    counted_assessments,
    infused_assessments,
    per_value,
    response_rank,
)
from trialdash.trial import Cohort

RESPONSE_ONSET_KINDS = ("CR", "CRi", "PR")
PROGRESSION, HSCT, DEATH = "Progression/relapse", "allo-HSCT", "Death"
EVENT_KINDS: tuple[str, ...] = (*RESPONSE_ONSET_KINDS, PROGRESSION, HSCT, DEATH)
SortKey = Literal["duration", "dose"]
#: Sort options for the lanes: key -> label for a widget.
SORT_OPTIONS: dict[str, str] = {
    "duration": "Time on study (longest first)",
    "dose": "Dose group, then time on study",
}
LANE_COLUMNS = ["USUBJID", "dose_group", "dose_order", "subtype", "end_day", "status", "bor",
                "responder", "response_start", "response_end", "response_days",
                "ongoing_response", "hsct_day", "pd_day", "death_day"]
EVENT_COLUMNS = ["USUBJID", "day", "kind"]


@dataclass(frozen=True)
class SwimmerData:
    """Lanes and events of a swimmer plot, with the patients they cover.

    Unpacks as ``lanes, events = swimmer_lanes(cohort)``.

    Attributes
    ----------
    lanes : DataFrame
        One row per infused patient, in the requested order: USUBJID, dose_group, dose_order,
        subtype, end_day, status, bor, responder, response_start, response_end, response_days
        (NaN when no episode), ongoing_response, hsct_day, pd_day, death_day.
    events : DataFrame
        Long frame USUBJID, day, kind (one of :data:`EVENT_KINDS`), lanes' order then day.
    count : PatientCount
    """

    lanes: pd.DataFrame
    events: pd.DataFrame
    count: PatientCount

    def __iter__(self) -> Iterator[pd.DataFrame]:
        return iter((self.lanes, self.events))


def _progressions(infused: pd.DataFrame, ovr: pd.DataFrame) -> pd.DataFrame:
    """USUBJID, day of every distinct progression: ADSL pd_day and every OVR assessment of PD."""
    frame = pd.concat([
        pd.DataFrame({"USUBJID": infused["USUBJID"], "day": infused["pd_day"]}),
        ovr.loc[ovr["response"] == "PD", ["USUBJID", "day"]],
    ], ignore_index=True)
    frame["day"] = pd.to_numeric(frame["day"], errors="coerce")
    return frame.dropna(subset=["day"]).drop_duplicates()


def _onset_events(counted_ovr: pd.DataFrame) -> pd.DataFrame:
    """USUBJID, day, kind for each improvement of the best response (CR, CRi, PR) among the
    counted OVR assessments, in day order."""
    rows = counted_ovr[counted_ovr["response"].isin(RESPONSE_ONSET_KINDS)
                       & counted_ovr["day"].notna()]
    rows = rows.sort_values(["USUBJID", "day"], kind="stable")
    rank = per_value(rows["response"], response_rank).astype("int64")
    best_so_far = rank.groupby(rows["USUBJID"], sort=False).cummin()
    best_before = best_so_far.groupby(rows["USUBJID"], sort=False).shift()
    improved = best_before.isna() | (rank < best_before)
    return pd.DataFrame({"USUBJID": rows["USUBJID"], "day": rows["day"],
                         "kind": rows["response"]})[improved.to_numpy()]


def _day_events(frame: pd.DataFrame, column: str, kind: str) -> pd.DataFrame:
    days = frame[["USUBJID", column]].rename(columns={column: "day"}).dropna(subset=["day"])
    return days.assign(kind=kind)


def sort_lanes(lanes: pd.DataFrame, sort: SortKey = "duration") -> pd.DataFrame:
    """Lanes by time on study (longest first) or by dose group then time on study.

    Ties are broken by USUBJID so the order is stable.
    """
    if sort == "duration":
        keys, ascending = ["end_day", "USUBJID"], [False, True]
    elif sort == "dose":
        keys, ascending = ["dose_order", "end_day", "USUBJID"], [True, False, True]
    else:
        raise ValueError(f"sort must be one of {list(SORT_OPTIONS)}, got {sort!r}")
    return lanes.sort_values(keys, ascending=ascending, kind="stable").reset_index(drop=True)


@cohort_analysis
def swimmer_lanes(cohort: Cohort, sort: SortKey = "duration") -> SwimmerData:
    """Lanes (one per infused patient) and events for a swimmer plot; see the module notes.

    Parameters
    ----------
    cohort : Cohort
    sort : 'duration' or 'dose'
        Lane order, see :func:`sort_lanes`; the first lane is meant to be drawn at the top.
    """
    infused = cohort.infused.reset_index(drop=True)
    best = best_response(cohort).set_index("USUBJID")
    records = infused_assessments(cohort)
    ovr = records[records["PARAMCD"] == "OVR"]
    counted_ovr = counted_assessments(ovr, infused)
    ids = infused["USUBJID"]
    numbers = {c: pd.to_numeric(infused[c], errors="coerce").astype(float)
               for c in ("last_day", "pd_day", "hsct_day", "death_day")}
    start = ids.map(best["first_response_day"]).astype(float)
    progressions = _progressions(infused, ovr)
    first_progression = progressions.groupby("USUBJID")["day"].min()
    start_of = progressions["USUBJID"].map(dict(zip(ids, start, strict=True)))
    after_start = progressions[start_of.isna() | (progressions["day"] >= start_of)]
    relapse = ids.map(after_start.groupby("USUBJID")["day"].min()).astype(float)
    latest = pd.concat([numbers["last_day"], ids.map(ovr.groupby("USUBJID")["day"].max()),
                        ids.map(progressions.groupby("USUBJID")["day"].max()),
                        numbers["hsct_day"], numbers["death_day"], start], axis=1)
    end_day = latest.max(axis=1, skipna=True).fillna(0.0).astype(float)
    dead = numbers["death_day"].notna() | infused["status"].eq("Dead")
    responder = ids.map(best["responder"]).astype(bool)
    response_end = relapse.fillna(end_day).where(start.notna())
    lanes = pd.DataFrame({
        "USUBJID": ids, "dose_group": infused["dose_group"],
        "dose_order": infused["dose_order"], "subtype": infused["subtype"],
        "end_day": end_day, "status": infused["status"], "bor": ids.map(best["BOR"]),
        "responder": responder, "response_start": start, "response_end": response_end,
        "response_days": response_end - start,
        "ongoing_response": (responder & relapse.isna() & ~dead).astype(bool),
        "hsct_day": numbers["hsct_day"], "pd_day": numbers["pd_day"],
        "death_day": numbers["death_day"],
    }, columns=LANE_COLUMNS)
    lane_frame = sort_lanes(lanes, sort)
    firsts = pd.DataFrame({"USUBJID": ids, "first": ids.map(first_progression),
                           "relapse": relapse})
    relapses = firsts[firsts["relapse"].ne(firsts["first"])]
    parts = [
        _onset_events(counted_ovr),
        _day_events(firsts, "first", PROGRESSION),
        _day_events(relapses, "relapse", PROGRESSION),
        _day_events(pd.DataFrame({"USUBJID": ids, "day": numbers["hsct_day"]}), "day", HSCT),
        _day_events(pd.DataFrame({"USUBJID": ids, "day": numbers["death_day"]}), "day", DEATH),
    ]
    timeline = pd.concat([pd.DataFrame(columns=EVENT_COLUMNS).astype({"day": float}),
                          *(p[EVENT_COLUMNS] for p in parts if not p.empty)],
                         ignore_index=True)
    position = dict(zip(lane_frame["USUBJID"], range(len(lane_frame)), strict=True))
    event_frame = (timeline.assign(_lane=timeline["USUBJID"].map(position))
                   .sort_values(["_lane", "day"], kind="stable").drop(columns="_lane")
                   .reset_index(drop=True))[EVENT_COLUMNS]
    event_frame["day"] = event_frame["day"].astype(float)
    return SwimmerData(lane_frame, event_frame, cohort.count)
