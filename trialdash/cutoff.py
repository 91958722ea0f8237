"""A trial as it stood on an earlier date: ADaM data sets truncated at a data cut-off.

:func:`as_of` takes a dict of ADaM data sets (``adsl``, ``adae``, ``adrs``, ``adtte``,
``adpc``, ``adlb``; any other data set with ``USUBJID`` and ``ADT`` is truncated by ``ADT``)
and returns what an extract made on the cut-off date would have held. It works on the
synthetic trial (``synthetic.generate(...).datasets``) and on any import, and gives
realistic successive cuts of one trial.

Rules (a date equal to the cut-off is known at the cut-off):

* ADSL: patients consented (RFICDT) after the cut-off are absent (a blank RFICDT is kept).
  Lymphodepletion, infusion, allo-HSCT, progression and death after the cut-off are blanked:
  a patient infused later is enrolled and not yet infused (TRT01A, TRT01AN, CELLINF blank;
  SAFFL, EFFFL, DLTEVLFL, DLTFL 'N'); a death later leaves DTHFL 'N' and DTHCAUS blank; a
  relapse later leaves RELCD7 blank. Where the patient's study ended after the cut-off
  (LSTALVDT or DTHDT later), EOSSTT is 'ONGOING' and DCSREAS and NINFRSN are blank.
  LSTALVDT later than the cut-off becomes the last contact on or before it (the latest date
  of any record of the patient). DCUTDT is the cut-off.
* DLT flags: DLTEVLFL stays 'Y' once the 28-day window has passed (or a DLT occurred by the
  cut-off); DLTFL stays 'Y' once an ADAE event flagged AEDLTFL = 'Y' started by the cut-off
  (when ADAE flags none for the patient, once the window has passed). EFFFL stays 'Y' once the
  patient has a response record by the cut-off (without ADRS, once infused).
* ADAE: events starting after the cut-off are dropped; an end date after it is blanked
  (ongoing at the cut-off), with AENDY.
* ADRS, ADPC, ADLB: records dated (ADT) after the cut-off are dropped. A BOR record dated
  after the cut-off is dropped too: the best response was not yet determined, and the
  dashboard derives it from the per-visit responses so far.
* ADTTE: rows whose origin (STARTDT) is after the cut-off are dropped (no response yet, no
  duration of response); an event or censoring after the cut-off becomes a censoring
  (CNSR 1) at the patient's last contact on or before the cut-off, AVAL shortened by the
  same number of days (in AVALU).

Records without a date cannot be placed in time and are kept. The result of truncating a
later cut at an earlier date equals truncating the full data at the earlier date (tests
check this), so successive cuts of one trial are consistent.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from trialdash.analysis.flags import is_yes
from trialdash.derive import DAYS_PER_UNIT

#: The protocol's DLT window, as ``analysis.safety.DLT_WINDOW_DAYS`` (not imported: the build
#: does not depend on the analysis layer).
DLT_WINDOW_DAYS = 28
CENSORED_AT_CUTOFF = "LAST CONTACT BEFORE DATA CUT-OFF"
#: Date column by which each data set's records are placed in time (default ADT).
RECORD_DATE = {"adae": "ASTDT"}


def as_of(datasets: dict[str, pd.DataFrame], cutoff: date) -> dict[str, pd.DataFrame]:
    """The data sets as they stood on ``cutoff`` (rules in the module docstring).

    Parameters
    ----------
    datasets : dict
        Data-set name (lower case) -> ADaM frame; ``adsl`` is required. Frames are not
        modified. Frames without ``USUBJID`` are returned unchanged.
    cutoff : date
        The data cut-off; records dated on it are kept.

    Returns
    -------
    dict
        The same names, truncated frames (same columns, index reset).

    Raises
    ------
    ValueError
        When no patient had consented by the cut-off.
    """
    cut = pd.Timestamp(cutoff)
    adsl = datasets["adsl"]
    kept = adsl[~(_dates(adsl, "RFICDT") > cut)]
    if kept.empty:
        raise ValueError(f"no patient had consented by {cutoff}: nothing to show at that cut-off")
    ids = kept["USUBJID"]
    records = {}
    for name, frame in datasets.items():
        if name == "adsl" or "USUBJID" not in frame.columns:
            continue
        own = frame[frame["USUBJID"].isin(ids)]
        if name == "adtte":
            records[name] = own  # needs the last contact: re-censored below
        elif name == "adae":
            records[name] = _truncate_events(own, cut)
        else:
            records[name] = _drop_later(own, RECORD_DATE.get(name, "ADT"), cut)
    new_adsl = _truncate_subjects(kept, records, datasets.get("adae"), cut)
    last_contact = _last_contact(new_adsl, records, cut)
    new_adsl["LSTALVDT"] = _dates(new_adsl, "LSTALVDT").where(
        ~(_dates(new_adsl, "LSTALVDT") > cut), new_adsl["USUBJID"].map(last_contact))
    if "adtte" in records:
        records["adtte"] = _recensor(records["adtte"], new_adsl, cut)
    out = {"adsl": new_adsl}
    for name, frame in datasets.items():
        if name != "adsl":
            out[name] = records.get(name, frame).reset_index(drop=True)
    return out


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    """A date column as datetime64 (all NaT when absent)."""
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column], errors="coerce")


def _blank(frame: pd.DataFrame, column: str, where: pd.Series, value=None) -> None:
    """Set ``column`` to ``value`` (missing by default) where ``where``, if the column exists."""
    if column not in frame.columns or not where.any():
        return
    if value is None:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            value = pd.NaT
        elif pd.api.types.is_float_dtype(frame[column]):
            value = np.nan
        elif isinstance(frame[column].dtype, pd.api.extensions.ExtensionDtype):
            value = pd.NA
    frame.loc[where, column] = value


def _drop_later(frame: pd.DataFrame, date_column: str, cut: pd.Timestamp) -> pd.DataFrame:
    return frame[~(_dates(frame, date_column) > cut)]


def _truncate_events(adae: pd.DataFrame, cut: pd.Timestamp) -> pd.DataFrame:
    out = _drop_later(adae, "ASTDT", cut).copy()
    ends_later = _dates(out, "AENDT") > cut
    _blank(out, "AENDT", ends_later)
    _blank(out, "AENDY", ends_later)
    return out


def _truncate_subjects(adsl: pd.DataFrame, records: dict[str, pd.DataFrame],
                       full_adae: pd.DataFrame | None, cut: pd.Timestamp) -> pd.DataFrame:
    out = adsl.copy()
    infusion = _dates(out, "TRTSDT")
    not_yet_infused = infusion > cut
    ended_later = (_dates(out, "LSTALVDT") > cut) | (_dates(out, "DTHDT") > cut)
    died_later = _dates(out, "DTHDT") > cut
    relapsed_later = _dates(out, "PDDT") > cut
    _blank(out, "LDSTDT", _dates(out, "LDSTDT") > cut)
    for column in ("TRTSDT", "TRT01A", "TRT01AN", "CELLINF"):
        _blank(out, column, not_yet_infused)
    for column in ("HSCTDT", "PDDT", "DTHDT"):
        _blank(out, column, _dates(out, column) > cut)
    _blank(out, "RELCD7", relapsed_later)
    _blank(out, "DTHFL", died_later, "N")
    _blank(out, "DTHCAUS", died_later)
    if "EOSSTT" in out.columns:
        _blank(out, "EOSSTT", ended_later & out["EOSSTT"].notna(), "ONGOING")
    _blank(out, "DCSREAS", ended_later)
    _blank(out, "NINFRSN", ended_later & _dates(out, "TRTSDT").isna())
    infused = _dates(out, "TRTSDT").notna()
    window_passed = infused & (infusion + pd.Timedelta(days=DLT_WINDOW_DAYS) <= cut)
    had_dlt = _dlt_by(out, full_adae, records.get("adae"), window_passed)
    for column, still in (("SAFFL", infused), ("DLTFL", had_dlt),
                          ("DLTEVLFL", window_passed | had_dlt)):
        if column in out.columns:
            _blank(out, column, is_yes(out[column]) & ~still, "N")
    adrs = records.get("adrs")
    assessed = out["USUBJID"].isin(adrs["USUBJID"]) if adrs is not None else infused
    if "EFFFL" in out.columns:
        _blank(out, "EFFFL", is_yes(out["EFFFL"]) & ~(infused & assessed), "N")
    dtype = (out["DCUTDT"].dtype if "DCUTDT" in out.columns
             and pd.api.types.is_datetime64_any_dtype(out["DCUTDT"]) else "datetime64[ns]")
    out["DCUTDT"] = pd.Series(cut, index=out.index).astype(dtype)
    return out


def _dlt_by(adsl: pd.DataFrame, full_adae: pd.DataFrame | None,
            adae: pd.DataFrame | None, window_passed: pd.Series) -> pd.Series:
    """Whether each patient's DLT had happened by the cut-off.

    Dated by the patient's ADAE events flagged AEDLTFL = 'Y' (kept = started by the cut-off);
    for a patient ADAE flags nothing for, by the end of the 28-day DLT window.
    """
    if full_adae is None or adae is None or "AEDLTFL" not in full_adae.columns:
        return window_passed
    flagged_ever = adsl["USUBJID"].isin(set(full_adae.loc[is_yes(full_adae["AEDLTFL"]),
                                                          "USUBJID"]))
    flagged_now = adsl["USUBJID"].isin(set(adae.loc[is_yes(adae["AEDLTFL"]), "USUBJID"]))
    return flagged_now | (~flagged_ever & window_passed)


def _last_contact(adsl: pd.DataFrame, records: dict[str, pd.DataFrame],
                  cut: pd.Timestamp) -> pd.Series:
    """USUBJID -> latest date on or before the cut-off in any record of the patient."""
    frames = [adsl.drop(columns=["DCUTDT"], errors="ignore"), *records.values()]
    dated = []
    for frame in frames:
        columns = [c for c in frame.columns
                   if c != "USUBJID" and pd.api.types.is_datetime64_any_dtype(frame[c])]
        if columns and not frame.empty:
            long = frame.melt(id_vars="USUBJID", value_vars=columns, value_name="date")
            dated.append(long[["USUBJID", "date"]])
    if not dated:
        return pd.Series(dtype="datetime64[ns]")
    every = pd.concat(dated, ignore_index=True)
    every = every[every["date"].notna() & (every["date"] <= cut)]
    return every.groupby("USUBJID")["date"].max()


def _recensor(adtte: pd.DataFrame, adsl: pd.DataFrame, cut: pd.Timestamp) -> pd.DataFrame:
    out = adtte[~(_dates(adtte, "STARTDT") > cut)].copy()
    if out.empty or "ADT" not in out.columns:
        return out
    adt = _dates(out, "ADT")
    later = adt > cut
    if not later.any():
        return out
    last = out["USUBJID"].map(adsl.set_index("USUBJID")["LSTALVDT"])
    new_adt = last.where(~(last < _dates(out, "STARTDT")), _dates(out, "STARTDT"))
    units = out.get("AVALU", pd.Series(index=out.index, dtype="object"))
    days_per_unit = units.astype("object").str.upper().str.strip().map(
        DAYS_PER_UNIT).astype("float64").fillna(1.0)
    shortened = (adt - new_adt).dt.days / days_per_unit
    out.loc[later, "AVAL"] = out.loc[later, "AVAL"] - shortened[later]
    out.loc[later, "ADT"] = new_adt[later]
    _blank(out, "CNSR", later, 1)
    _blank(out, "EVNTDESC", later)
    _blank(out, "CNSDTDSC", later, CENSORED_AT_CUTOFF)
    return out
