"""Swimmer-plot data: one lane per infused patient from infusion (day 0) to last contact.

Assumptions
-----------
* Lane end (``end_day``) = ADSL ``last_day`` (death, else last known alive), in days since
  infusion; it is extended to the latest event or assessment when a record lies beyond it, and
  is 0 when nothing at all is known after infusion.
* Responses come from the per-visit assessments (ADRS ``PARAMCD = 'OVR'``), normalised as in
  :mod:`trialdash.analysis.response`, whose :func:`~trialdash.analysis.response.is_responder`
  decides what counts as a response.
* Progression/relapse days are ADSL ``pd_day`` and every OVR assessment of PD. The first
  progression is marked; so is the relapse ending a response episode when it is a later one.
* **Response episode**: starts at the first assessment meeting the responder definition (or
  the day of a responding BOR record when there are no OVR records) and ends at the first
  progression/relapse on or after it, else at last contact. Only the first episode is drawn: a
  response after relapse (e.g. to later therapy) is not a response to CAR-T.
* Response-onset markers (CR, CRi, PR) are placed at the first assessment of each category that
  improves on the best response so far, up to the first progression, so a PR deepening to a CR
  shows both; a PR of a T-ALL patient is marked although it is not an ORR response.
* **Ongoing response**: the patient is a responder (by BOR), has no progression on or after the
  start of the response, and is not dead at last contact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from trialdash.analysis.filters import PatientCount
from trialdash.analysis.response import (
    assessments_until_progression,
    best_response,
    infused_assessments,
    responding_days,
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


def _number(value: object) -> float:
    return float(value) if value is not None and not pd.isna(value) else np.nan


def _onset_events(ovr: pd.DataFrame) -> list[tuple[float, str]]:
    """(day, category) for each improvement of the best response, before progression."""
    events, best_rank = [], None
    for day, category in assessments_until_progression(ovr)[["day", "response"]].itertuples(
            index=False):
        if category not in RESPONSE_ONSET_KINDS or pd.isna(day):
            continue
        rank = response_rank(category)
        if best_rank is None or rank < best_rank:
            events.append((float(day), category))
            best_rank = rank
    return events


def _patient_lane(patient: pd.Series, best: pd.Series, ovr: pd.DataFrame
                  ) -> tuple[dict, list[tuple[float, str]]]:
    subtype = patient["subtype"]
    pd_day, hsct_day, death_day = (_number(patient[c]) for c in ("pd_day", "hsct_day",
                                                                   "death_day"))
    progressions = sorted({d for d in [pd_day, *ovr.loc[ovr["response"] == "PD", "day"]]
                           if not pd.isna(d)})
    responding = responding_days(ovr, subtype)
    start = float(responding.min()) if not responding.empty else _number(
        best["first_response_day"])
    relapse = next((d for d in progressions if np.isnan(start) or d >= start), np.nan)
    known = [_number(patient["last_day"]), *ovr["day"].dropna(), *progressions, hsct_day,
             death_day, start]
    known = [d for d in known if not np.isnan(d)]
    end_day = max(known) if known else 0.0
    dead = not np.isnan(death_day) or patient["status"] == "Dead"
    has_episode = not np.isnan(start)
    response_end = (relapse if not np.isnan(relapse) else end_day) if has_episode else np.nan
    lane = {
        "USUBJID": patient["USUBJID"], "dose_group": patient["dose_group"],
        "dose_order": patient["dose_order"], "subtype": subtype, "end_day": end_day,
        "status": patient["status"], "bor": best["BOR"], "responder": bool(best["responder"]),
        "response_start": start, "response_end": response_end,
        "response_days": response_end - start if has_episode else np.nan,
        "ongoing_response": bool(best["responder"]) and np.isnan(relapse) and not dead,
        "hsct_day": hsct_day, "pd_day": pd_day, "death_day": death_day,
    }
    events = _onset_events(ovr)
    events += [(d, PROGRESSION) for d in dict.fromkeys(p for p in (
        progressions[0] if progressions else np.nan, relapse) if not np.isnan(p))]
    events += [(hsct_day, HSCT)] if not np.isnan(hsct_day) else []
    events += [(death_day, DEATH)] if not np.isnan(death_day) else []
    return lane, events


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


def swimmer_lanes(cohort: Cohort, sort: SortKey = "duration") -> SwimmerData:
    """Lanes (one per infused patient) and events for a swimmer plot; see the module notes.

    Parameters
    ----------
    cohort : Cohort
    sort : 'duration' or 'dose'
        Lane order, see :func:`sort_lanes`; the first lane is meant to be drawn at the top.
    """
    infused = cohort.infused
    best = best_response(cohort).set_index("USUBJID")
    records = infused_assessments(cohort)
    ovr = records[records["PARAMCD"] == "OVR"]
    ovr_by_patient = dict(tuple(ovr.groupby("USUBJID", sort=False)))
    lanes, events = [], []
    for _, patient in infused.iterrows():
        usubjid = patient["USUBJID"]
        lane, patient_events = _patient_lane(patient, best.loc[usubjid],
                                             ovr_by_patient.get(usubjid, ovr.iloc[0:0]))
        lanes.append(lane)
        events += [{"USUBJID": usubjid, "day": day, "kind": kind} for day, kind in patient_events]
    lane_frame = sort_lanes(pd.DataFrame(lanes, columns=LANE_COLUMNS), sort)
    event_frame = pd.DataFrame(events, columns=EVENT_COLUMNS)
    if not event_frame.empty:
        position = {u: i for i, u in enumerate(lane_frame["USUBJID"])}
        event_frame = (event_frame.assign(_lane=event_frame["USUBJID"].map(position))
                       .sort_values(["_lane", "day"], kind="stable").drop(columns="_lane")
                       .reset_index(drop=True))
    event_frame["day"] = event_frame["day"].astype(float)
    return SwimmerData(lane_frame, event_frame, cohort.count)
