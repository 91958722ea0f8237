"""One patient's record for the study monitor: header, events, samples and milestones.

Everything is placed on *days since infusion* (day 0 = CAR-T infusion, ADSL.TRTSDT), the
axis the patient timeline shares. Calendar dates are kept beside the days (``*_date``
columns, ``datetime64``) so that presentation mode can drop them.

Assumptions
-----------
* The patient is looked up through the same named queries as every cohort
  (``trial.cohort(Filter(patients=(usubjid,)))``); a USUBJID absent from ADSL raises a
  ``KeyError`` that says so.
* A data set absent from the snapshot (an import without ADPC, say) gives an empty frame
  and ``available[dataset] = False``; a present data set without rows for this patient
  gives an empty frame and ``available[dataset] = True``.
* A patient who was not infused has no day 0: the record holds the header and the
  milestones that have calendar dates (consent, lymphodepletion, death, last contact) with
  missing days, and every other frame is empty. ``notes`` explains why.
* Lymphodepletion is fludarabine + cyclophosphamide on three consecutive days starting at
  ADSL.LDSTDT (protocol days -5 to -3); ADSL carries no end date, so the span is drawn as
  LDSTDT + 2 days, cut at day -1.
* Best overall response is the ADRS ``PARAMCD = 'BOR'`` record as delivered; it is not
  re-derived from the per-visit ``OVR`` records.
* "Last contact" is death when the patient died, otherwise the last date known alive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from trialdash.analysis.filters import Filter, PatientCount
from trialdash.analysis.flags import is_yes
from trialdash.trial import Cohort, Trial

KINETIC_PARAMS = ("TRANSGEN", "CARPCT")
LAB_ORDER = ("CD7LYMPH", "ANC", "PLAT", "HGB", "LYMPH", "CRP", "FERRITIN", "IL6")
LYMPHODEPLETION_DAYS = 3
RECORD_DATASETS = ("adae", "adrs", "adpc", "adlb", "adtte")
DATASET_CONTENT = {
    "adae": "adverse events",
    "adrs": "response assessments",
    "adpc": "cellular kinetics",
    "adlb": "laboratory results",
    "adtte": "time-to-event records",
}

AE_COLUMNS = ["seq", "term", "reported_term", "soc", "grade", "grade_scale", "astct_grade",
              "aesi", "start_day", "end_day", "ongoing", "serious", "dlt", "tocilizumab",
              "steroids", "related", "start_date", "end_date"]
RESPONSE_COLUMNS = ["day", "visit", "response", "criteria", "mrd", "extramedullary", "date"]
KINETIC_COLUMNS = ["parameter", "description", "day", "nominal_day", "visit", "value", "unit",
                   "lloq", "blq", "date"]
LAB_COLUMNS = ["parameter", "description", "day", "visit", "value", "unit", "date"]
TTE_COLUMNS = ["endpoint", "description", "days", "event", "outcome", "days_censored_at_hsct",
               "event_censored_at_hsct", "start_date", "date"]
MILESTONE_COLUMNS = ["milestone", "day", "end_day", "date", "detail"]


@dataclass(frozen=True)
class PatientHeader:
    """The facts shown above a patient's profile. Days are since infusion."""

    usubjid: str
    pseudonym: str | None
    subtype: str | None
    dose_group: str | None
    age: float | None
    sex: str | None
    infusion_date: date | None
    cohort: str | None
    status: str | None
    best_response: str | None
    best_response_criteria: str | None
    lymphodepletion_day: int | None
    last_contact_day: int | None
    hsct_day: int | None
    progression_day: int | None
    death_day: int | None
    dlt: str | None
    enrolled: bool
    not_infused_reason: str | None
    discontinuation_reason: str | None

    @property
    def infused(self) -> bool:
        return self.infusion_date is not None


@dataclass(frozen=True)
class PatientRecord:
    """One patient's data on days since infusion.

    Frames (columns fixed, possibly empty): ``adverse_events`` (AE_COLUMNS),
    ``responses`` (RESPONSE_COLUMNS, per-visit OVR records), ``kinetics``
    (KINETIC_COLUMNS, TRANSGEN and CARPCT, BLQ samples kept with ``blq`` True),
    ``labs`` (LAB_COLUMNS), ``time_to_event`` (TTE_COLUMNS, one row per endpoint) and
    ``milestones`` (MILESTONE_COLUMNS). ``available`` says which data sets the snapshot
    holds; ``notes`` explains empty parts in plain words.
    """

    header: PatientHeader
    count: PatientCount
    adverse_events: pd.DataFrame
    responses: pd.DataFrame
    kinetics: pd.DataFrame
    labs: pd.DataFrame
    time_to_event: pd.DataFrame
    milestones: pd.DataFrame
    available: dict[str, bool] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def usubjid(self) -> str:
        return self.header.usubjid

    @property
    def infused(self) -> bool:
        return self.header.infused

    @property
    def grade_scale(self) -> str | None:
        """The AE grade scale of this record ('CTCAE v5.0' or the severity scale)."""
        scales = self.adverse_events["grade_scale"].dropna()
        return str(scales.iloc[0]) if not scales.empty else None

    def tables(self) -> dict[str, pd.DataFrame]:
        """The record's frames with readable column headers, keyed by tab name."""
        return {name: frame.rename(columns=_DISPLAY_NAMES)
                for name, frame in (("Adverse events", self.adverse_events),
                                    ("Response", self.responses),
                                    ("Kinetics", self.kinetics),
                                    ("Labs", self.labs),
                                    ("Time to event", self.time_to_event),
                                    ("Milestones", self.milestones))}


_DISPLAY_NAMES = {
    "seq": "AE #", "term": "Term", "reported_term": "Reported term", "soc": "System organ class",
    "grade": "Grade", "grade_scale": "Grade scale", "astct_grade": "ASTCT grade",
    "aesi": "AESI", "start_day": "Start day", "end_day": "End day", "ongoing": "Ongoing",
    "serious": "Serious", "dlt": "DLT", "tocilizumab": "Tocilizumab", "steroids": "Steroids",
    "related": "Relationship", "start_date": "Start date", "end_date": "End date",
    "day": "Day", "visit": "Visit", "response": "Response", "criteria": "Criteria",
    "mrd": "MRD", "extramedullary": "Extramedullary assessed", "date": "Date",
    "parameter": "Parameter", "description": "Description", "nominal_day": "Nominal day",
    "value": "Value", "unit": "Unit", "lloq": "LLOQ", "blq": "BLQ", "endpoint": "Endpoint",
    "days": "Days", "event": "Event", "outcome": "Event / censoring",
    "days_censored_at_hsct": "Days (censored at allo-HSCT)",
    "event_censored_at_hsct": "Event (censored at allo-HSCT)", "milestone": "Milestone",
    "detail": "Detail",
}


# --- small value helpers --------------------------------------------------------------------


def _value(row: pd.Series, column: str):
    """A scalar from an ADSL row with pandas' missing values turned into None."""
    value = row.get(column)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def _int_or_none(value) -> int | None:
    return None if value is None else int(value)


def _date_or_none(value) -> date | None:
    return None if value is None else pd.Timestamp(value).date()


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce")


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


# --- header ---------------------------------------------------------------------------------


def _best_response(responses: pd.DataFrame) -> tuple[str | None, str | None]:
    bor = responses[responses["PARAMCD"] == "BOR"].dropna(subset=["AVALC"])
    if bor.empty:
        return None, None
    row = bor.iloc[-1]
    return str(row["AVALC"]), _value(row, "CRIT")


def _header(subject: pd.Series, responses: pd.DataFrame) -> PatientHeader:
    infusion = _date_or_none(_value(subject, "TRTSDT"))
    ld_start = _value(subject, "LDSTDT")
    ld_day = (None if ld_start is None or infusion is None
              else (pd.Timestamp(ld_start).date() - infusion).days)
    best, criteria = _best_response(responses)
    age = _value(subject, "AGE")
    return PatientHeader(
        usubjid=str(subject["USUBJID"]),
        pseudonym=_value(subject, "pseudonym"),
        subtype=_value(subject, "subtype"),
        dose_group=_value(subject, "dose_group"),
        age=None if age is None else float(age),
        sex=_value(subject, "SEX"),
        infusion_date=infusion,
        cohort=_value(subject, "COHORT"),
        status=_value(subject, "status"),
        best_response=best,
        best_response_criteria=criteria,
        lymphodepletion_day=ld_day,
        last_contact_day=_int_or_none(_value(subject, "last_day")),
        hsct_day=_int_or_none(_value(subject, "hsct_day")),
        progression_day=_int_or_none(_value(subject, "pd_day")),
        death_day=_int_or_none(_value(subject, "death_day")),
        dlt=_value(subject, "DLTFL"),
        enrolled=_value(subject, "enrolled") == "Y",
        not_infused_reason=_value(subject, "NINFRSN"),
        discontinuation_reason=_value(subject, "DCSREAS"),
    )


# --- frames ---------------------------------------------------------------------------------


def adverse_event_rows(adae: pd.DataFrame) -> pd.DataFrame:
    """One patient's ADAE rows as the record's adverse-event frame, in onset order.

    ``ongoing`` is True when the event has no end date; flags become booleans.
    """
    if adae.empty:
        return _empty(AE_COLUMNS)
    out = pd.DataFrame({
        "seq": adae["AESEQ"],
        "term": adae["AEDECOD"],
        "reported_term": adae["AETERM"],
        "soc": adae["AEBODSYS"],
        "grade": adae["grade"],
        "grade_scale": adae["grade_scale"],
        "astct_grade": adae["ASTCTGR"],
        "aesi": adae["aesi"],
        "start_day": adae["start_day"],
        "end_day": adae["end_day"],
        "ongoing": adae["end_day"].isna() & adae["AENDT"].isna(),
        "serious": is_yes(adae["AESER"]),
        "dlt": is_yes(adae["AEDLTFL"]),
        "tocilizumab": is_yes(adae["TOCIFL"]),
        "steroids": is_yes(adae["STERFL"]),
        "related": adae["AEREL"],
        "start_date": _dates(adae["ASTDT"]),
        "end_date": _dates(adae["AENDT"]),
    })
    return out.sort_values(["start_day", "seq"], kind="stable", na_position="last"
                           ).reset_index(drop=True)


def response_rows(adrs: pd.DataFrame) -> pd.DataFrame:
    """Per-visit overall responses (ADRS ``OVR``) in day order; BOR goes to the header."""
    visits = adrs[adrs["PARAMCD"] == "OVR"]
    if visits.empty:
        return _empty(RESPONSE_COLUMNS)
    out = pd.DataFrame({
        "day": visits["day"],
        "visit": visits["AVISIT"],
        "response": visits["AVALC"],
        "criteria": visits["CRIT"],
        "mrd": visits["MRDSTAT"],
        "extramedullary": visits["EXTMDFL"],
        "date": _dates(visits["ADT"]),
    })
    return out.sort_values("day", kind="stable", na_position="last").reset_index(drop=True)


def kinetic_rows(adpc: pd.DataFrame) -> pd.DataFrame:
    """ADPC samples (TRANSGEN then CARPCT, by day); ``blq`` True for samples below the LLOQ.

    BLQ samples keep their reported value (possibly missing); they are never zero-filled.
    """
    if adpc.empty:
        return _empty(KINETIC_COLUMNS)
    out = pd.DataFrame({
        "parameter": adpc["PARAMCD"],
        "description": adpc["PARAM"],
        "day": adpc["day"],
        "nominal_day": adpc["nominal_day"],
        "visit": adpc["AVISIT"],
        "value": adpc["AVAL"],
        "unit": adpc["AVALU"],
        "lloq": adpc["LLOQ"],
        "blq": is_yes(adpc["blq"]),
        "date": _dates(adpc["ADT"]),
    })
    return _by_parameter_then_day(out, KINETIC_PARAMS)


def _by_parameter_then_day(rows: pd.DataFrame, order: tuple[str, ...]) -> pd.DataFrame:
    """Rows sorted by parameter (those in ``order`` first, in that order, then the others
    alphabetically), then by day."""
    rank = {p: i for i, p in enumerate(order)}
    keyed = rows.assign(_order=rows["parameter"].map(rank).fillna(len(rank)))
    return (keyed.sort_values(["_order", "parameter", "day"], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


def lab_rows(adlb: pd.DataFrame) -> pd.DataFrame:
    """ADLB samples, parameters in LAB_ORDER (others after, alphabetically), by day."""
    if adlb.empty:
        return _empty(LAB_COLUMNS)
    out = pd.DataFrame({
        "parameter": adlb["PARAMCD"],
        "description": adlb["PARAM"],
        "day": adlb["day"],
        "visit": adlb["AVISIT"],
        "value": adlb["AVAL"],
        "unit": adlb["AVALU"],
        "date": _dates(adlb["ADT"]),
    })
    return _by_parameter_then_day(out, LAB_ORDER)


def time_to_event_rows(adtte: pd.DataFrame) -> pd.DataFrame:
    """One row per endpoint: time in days, event (True) or censored, and why."""
    if adtte.empty:
        return _empty(TTE_COLUMNS)
    event = adtte["event"].astype("Int64").eq(1).fillna(False).astype(bool)
    outcome = adtte["EVNTDESC"].where(event, adtte["CNSDTDSC"]).astype("object")
    fallback = event.map({True: "Event", False: "Censored"})
    out = pd.DataFrame({
        "endpoint": adtte["PARAMCD"],
        "description": adtte["PARAM"],
        "days": adtte["aval_days"],
        "event": event,
        "outcome": outcome.where(outcome.notna(), fallback),
        "days_censored_at_hsct": adtte["aval_days_hsct"],
        "event_censored_at_hsct": adtte["event_hsct"].astype("Int64").eq(1).fillna(False)
        .astype(bool),
        "start_date": _dates(adtte["STARTDT"]),
        "date": _dates(adtte["ADT"]),
    })
    return out.reset_index(drop=True)


def milestone_rows(subject: pd.Series) -> pd.DataFrame:
    """Key dates of one ADSL row, in time order.

    Milestones: informed consent, lymphodepletion (a span: ``day`` to ``end_day``), CAR-T
    infusion (day 0), consolidative allo-HSCT, progression/relapse, death and, for a patient
    alive at the cut-off, last contact. ``day`` is missing for a patient not infused.
    """
    infusion = _value(subject, "TRTSDT")
    origin = None if infusion is None else pd.Timestamp(infusion)

    def day_of(value) -> int | None:
        return None if value is None or origin is None else (pd.Timestamp(value) - origin).days

    rows = []

    def add(name: str, column: str, detail: str | None = None, end_day: int | None = None):
        value = _value(subject, column)
        if value is not None:
            rows.append({"milestone": name, "day": day_of(value), "end_day": end_day,
                         "date": pd.Timestamp(value), "detail": detail})

    add("Informed consent", "RFICDT", _value(subject, "COHORT"))
    ld_day = day_of(_value(subject, "LDSTDT"))
    ld_end = None if ld_day is None else min(ld_day + LYMPHODEPLETION_DAYS - 1, -1)
    add("Lymphodepletion", "LDSTDT", "Fludarabine + cyclophosphamide", ld_end)
    add("CAR-T infusion", "TRTSDT", _value(subject, "dose_group"))
    add("Allo-HSCT", "HSCTDT", "Consolidative allogeneic HSCT")
    add("Progression/relapse", "PDDT", None)
    dead = _value(subject, "DTHDT") is not None
    add("Death", "DTHDT", None)
    if not dead:
        add("Last contact", "LSTALVDT", _value(subject, "status"))
    if not rows:
        return _empty(MILESTONE_COLUMNS)
    out = pd.DataFrame(rows, columns=MILESTONE_COLUMNS)
    out["day"] = out["day"].astype("Int64")
    out["end_day"] = out["end_day"].astype("Int64")
    out["date"] = pd.to_datetime(out["date"])
    return out.sort_values("date", kind="stable").reset_index(drop=True)


# --- the record -----------------------------------------------------------------------------


def _subject_row(cohort: Cohort, trial: Trial, usubjid: str) -> pd.Series:
    subjects = cohort.subjects
    if subjects.empty:
        raise KeyError(
            f"Patient {usubjid} is not in the snapshot (source: {trial.meta.get('source')}, "
            f"cut-off {trial.meta.get('cutoff_date')}); check the USUBJID or the ?patient= link."
        )
    return subjects.iloc[0]


def _time_to_event(cohort: Cohort) -> pd.DataFrame:
    frames = [cohort.time_to_event(paramcd) for paramcd in cohort.endpoints()["PARAMCD"]]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _notes(header: PatientHeader, available: dict[str, bool]) -> tuple[str, ...]:
    notes = []
    if not header.infused:
        what = (f"enrolled but not infused ({header.not_infused_reason or 'reason not recorded'})"
                if header.enrolled else "screened but not enrolled (screen failure)")
        notes.append(
            f"This patient was {what}. Without an infusion there is no day 0, so only the "
            "header and the dated milestones are shown."
        )
        return tuple(notes)
    missing = [name for name, present in available.items() if not present]
    for name in missing:
        notes.append(f"{name.upper()} is not in this snapshot: no {DATASET_CONTENT[name]}.")
    return tuple(notes)


def patient_record(trial: Trial, usubjid: str) -> PatientRecord:
    """Everything the snapshot holds about one patient, on days since infusion.

    Raises
    ------
    KeyError
        When ``usubjid`` is not an ADSL subject of the snapshot.
    """
    cohort = trial.cohort(Filter(patients=(usubjid,)))
    subject = _subject_row(cohort, trial, usubjid)
    available = {name: trial.has(name) for name in RECORD_DATASETS}
    raw_responses = cohort.responses() if available["adrs"] else pd.DataFrame(
        columns=["PARAMCD", "AVALC", "CRIT"])
    header = _header(subject, raw_responses)
    milestones = milestone_rows(subject)
    if not header.infused:
        return PatientRecord(
            header, cohort.count, _empty(AE_COLUMNS), _empty(RESPONSE_COLUMNS),
            _empty(KINETIC_COLUMNS), _empty(LAB_COLUMNS), _empty(TTE_COLUMNS), milestones,
            available, _notes(header, available),
        )
    kinetics = (pd.concat([cohort.kinetics(p) for p in KINETIC_PARAMS], ignore_index=True)
                if available["adpc"] else pd.DataFrame())
    return PatientRecord(
        header=header,
        count=cohort.count,
        adverse_events=adverse_event_rows(cohort.adverse_events()) if available["adae"]
        else _empty(AE_COLUMNS),
        responses=response_rows(raw_responses) if available["adrs"] else _empty(RESPONSE_COLUMNS),
        kinetics=kinetic_rows(kinetics) if available["adpc"] else _empty(KINETIC_COLUMNS),
        labs=lab_rows(cohort.labs()) if available["adlb"] else _empty(LAB_COLUMNS),
        time_to_event=time_to_event_rows(_time_to_event(cohort)) if available["adtte"]
        else _empty(TTE_COLUMNS),
        milestones=milestones,
        available=available,
        notes=_notes(header, available),
    )


# --- choosing a patient ---------------------------------------------------------------------


def patient_choices(trial: Trial, flt: Filter) -> pd.DataFrame:
    """Patients the profile page may show under a filter, in dose then USUBJID order.

    The dose-group, subtype and site filters always apply. The patient filter applies only when
    it names several patients: a single patient in it is the one being looked at (arriving
    from a link or the swimmer plot), and the page must still let the monitor move on to
    the next patient. Columns: USUBJID, pseudonym, subtype, dose_group, infused.
    """
    narrowed = Filter(flt.dose_groups, flt.subtypes,
                      flt.patients if len(flt.patients) > 1 else (), flt.sites)
    subjects = trial.cohort(narrowed).subjects
    return subjects[["USUBJID", "pseudonym", "subtype", "dose_group", "infused"]
                    ].reset_index(drop=True)


def shown_patient(flt: Filter, choices: pd.DataFrame, current: str | None) -> str | None:
    """The patient the page's selector should hold.

    The shared filter's only patient wins (the monitor arrived from a link or the swimmer
    plot); otherwise the patient already chosen stays if still a choice; otherwise the first
    choice. None when there is no choice.
    """
    ids = list(choices["USUBJID"])
    if len(flt.patients) == 1 and flt.patients[0] in ids:
        return flt.patients[0]
    if current in ids:
        return current
    return ids[0] if ids else None


def choice_labels(choices: pd.DataFrame, label=None) -> dict[str, str]:
    """USUBJID -> selector text, e.g. 'P03 · T-ALL · 1.0 x10^6 cells/kg (not infused)'.

    ``label`` maps a USUBJID to what may be shown (a pseudonym in presentation mode).
    """
    name = label or (lambda p: p)
    texts = {}
    for row in choices.itertuples(index=False):
        parts = [name(row.USUBJID)] + [v for v in (row.subtype, row.dose_group)
                                       if isinstance(v, str) and v]
        suffix = "" if row.infused == "Y" else " (not infused)"
        texts[row.USUBJID] = " · ".join(parts) + suffix
    return texts


def header_facts(header: PatientHeader, calendar_dates: bool = True) -> list[tuple[str, str]]:
    """The header as (label, value) pairs for metric tiles.

    With ``calendar_dates`` False (presentation mode) the infusion date reads "Day 0".
    """
    if header.infusion_date is None:
        infusion = "Not infused"
    else:
        infusion = header.infusion_date.isoformat() if calendar_dates else "Day 0"
    age = "–" if header.age is None else f"{header.age:.0f}"
    best = header.best_response or "Not assessed"
    return [
        ("Subtype", header.subtype or "–"),
        ("Dose group", header.dose_group or "–"),
        ("Age / sex", f"{age} / {header.sex or '–'}"),
        ("Infusion", infusion),
        ("Status", header.status or "–"),
        ("Best overall response", best),
        ("Cohort", header.cohort or "–"),
        ("Last contact", "–" if header.last_contact_day is None
         else f"Day {header.last_contact_day}"),
    ]


def key_days(header: PatientHeader) -> str:
    """One line of the key days since infusion that exist, e.g. 'Allo-HSCT day 53 · ...'."""
    days = (("Lymphodepletion", header.lymphodepletion_day), ("Allo-HSCT", header.hsct_day),
            ("Progression/relapse", header.progression_day), ("Death", header.death_day),
            ("Last contact", header.last_contact_day))
    return " · ".join(f"{name} day {day}" for name, day in days if day is not None)


def header_details(header: PatientHeader) -> str:
    """Response criteria and reason off study, when recorded, as one line ('' if neither)."""
    parts = [f"{name}: {value}" for name, value in (
        ("Response criteria", header.best_response_criteria),
        ("Reason off study", header.discontinuation_reason)) if value]
    return " · ".join(parts)
