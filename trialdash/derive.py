"""Derivations done once, in the snapshot build, so that queries and pages never repeat them.

Input is a dict of normalised ADaM frames (upper-case ADaM variables, dates as
``datetime64``, missing as NA; extra variables allowed). Output has exactly the schema's
columns for each present data set, in schema order.

Assumptions
-----------
* Day 0 is the infusion date (ADSL.TRTSDT); every ``*_day`` column is the calendar
  difference in days from it.
* The dose group comes from ``dose_var`` (TRT01A by default). For a subject without an
  actual dose (enrolled, not infused) the planned dose (TRT01P) is used when the dose
  variable is TRT01A, so that drop-outs still belong to their cohort.
* Dose order: by the numeric companion variable (``<dose_var>N``, or TRT01AN/TRT01PN) when
  present, otherwise by the first number in the label, otherwise alphabetically.
* A subject is *enrolled* when a dose group is assigned (planned or actual) or ENRLFL is Y;
  ADSL rows without either are screen failures, kept but flagged ``enrolled = 'N'``. A row
  whose ARM, ACTARM or dose label says "Screen Failure" (or "Not Assigned") is a screen
  failure too: it gets no dose group, whatever ENRLFL says.
* ADAE ``grade``: AETOXGR when present; otherwise AESEV mapped MILD=1, MODERATE=2,
  SEVERE=3, with ``grade_scale`` saying which scale the number is on (the CTCAE version as
  the data or the user state it, see :mod:`trialdash.study_labels`).
* ADRS ``CRIT``: as delivered; where blank, the criteria named by the row's CRITy, PARCATy
  or PARAM text (RECIST 1.1, Lugano 2014...), else left blank.
* Pseudonyms are a keyed hash of USUBJID (``P-7K3Q``), the key kept beside the snapshot
  (:mod:`trialdash.pseudonyms`): stable across data cuts and rebuilds, revealing no order.
* Time units: ADTTE.AVAL is in days unless AVALU says weeks, months or years
  (see :mod:`trialdash.units`); ADPC times are days unless RRLTU says hours.
"""

from __future__ import annotations

import re
from functools import partial

import numpy as np
import pandas as pd

from trialdash.pseudonyms import UNKEYED, pseudonyms
from trialdash.schema import DATASETS, TABLES, Table
from trialdash.study_labels import row_criteria
from trialdash.units import DAYS_PER_MONTH, DAYS_PER_WEEK, DAYS_PER_YEAR

SEVERITY_GRADE = {"MILD": 1, "MODERATE": 2, "SEVERE": 3}
CTCAE_SCALE = "CTCAE v5.0"
SEVERITY_SCALE = "Severity (mild/moderate/severe)"
DAYS_PER_UNIT = {
    "DAY": 1.0, "DAYS": 1.0, "D": 1.0,
    "WEEK": DAYS_PER_WEEK, "WEEKS": DAYS_PER_WEEK, "W": DAYS_PER_WEEK,
    "MONTH": DAYS_PER_MONTH, "MONTHS": DAYS_PER_MONTH, "MO": DAYS_PER_MONTH,
    "YEAR": DAYS_PER_YEAR, "YEARS": DAYS_PER_YEAR, "Y": DAYS_PER_YEAR,
    "HOUR": 1 / 24, "HOURS": 1 / 24, "H": 1 / 24, "HR": 1 / 24, "HRS": 1 / 24,
}
CRS_TERMS = ("CYTOKINE RELEASE SYNDROME", "CRS")
ICANS_TERMS = (
    "IMMUNE EFFECTOR CELL-ASSOCIATED NEUROTOXICITY SYNDROME",
    "ICANS",
    "ENCEPHALOPATHY",
    "NEUROTOXICITY",
)


def derive_all(
    datasets: dict[str, pd.DataFrame], dose_var: str = "TRT01A",
    subtype_var: str | None = "DISTYPE", grade_scale: str = CTCAE_SCALE,
    pseudonym_key: bytes = UNKEYED,
) -> dict[str, pd.DataFrame]:
    """Derive every dashboard column and return schema-shaped frames for present data sets.

    ``grade_scale`` names the scale of AETOXGR ('CTCAE v5.0' for the synthetic trial; for an
    import, the version the data or the user state, else 'CTCAE (version not stated)').
    ``pseudonym_key`` is the secret kept beside the snapshot
    (:func:`trialdash.pseudonyms.load_or_create_key`); builds always pass it.
    """
    datasets = {name: _with_source_columns(frame, TABLES[name]) for name, frame in
                _site_name_spelling(datasets).items()}
    adsl = derive_adsl(datasets["adsl"], dose_var, subtype_var, pseudonym_key)
    out = {"adsl": adsl}
    derivers = {"adae": partial(_derive_adae, grade_scale=grade_scale),
                "adrs": _derive_adrs, "adtte": _derive_adtte,
                "adpc": _derive_adpc, "adlb": _derive_adlb}
    for name, derive in derivers.items():
        if name in datasets:
            frame = _with_subject_labels(datasets[name], adsl)
            out[name] = conform(derive(frame, adsl), TABLES[name])
    out["adsl"] = conform(adsl, TABLES["adsl"])
    return out


def _site_name_spelling(datasets: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """ADSL's site name as SITENAM: a SITENAME column (the other spelling found in the wild)
    is taken when SITENAM is absent."""
    adsl = datasets.get("adsl")
    if adsl is None or "SITENAM" in adsl.columns or "SITENAME" not in adsl.columns:
        return datasets
    return {**datasets, "adsl": adsl.rename(columns={"SITENAME": "SITENAM"})}


def _with_source_columns(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Add the schema's source columns a data set lacks, as typed missing values."""
    frame = frame.copy()
    for col in table.source_columns:
        if col.name not in frame.columns:
            frame[col.name] = _as_type(pd.Series(pd.NA, index=frame.index), col.type)
    return frame


def conform(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Select the table's columns in schema order, adding absent ones as missing, typed."""
    result = pd.DataFrame(index=frame.index)
    for col in table.columns:
        values = _col(frame, col.name)
        result[col.name] = _as_type(values, col.type)
    return result.reset_index(drop=True)


def _as_type(values: pd.Series, duck_type: str) -> pd.Series:
    if duck_type == "DATE":
        return pd.to_datetime(values, errors="coerce").dt.normalize()
    if duck_type == "TIMESTAMP":
        return pd.to_datetime(values, errors="coerce")
    if duck_type == "INTEGER":
        return pd.to_numeric(values, errors="coerce").round().astype("Int64")
    if duck_type == "DOUBLE":
        return pd.to_numeric(values, errors="coerce").astype("float64")
    text = values.astype("object").where(values.notna(), None)
    if pd.api.types.infer_dtype(text, skipna=True) in ("string", "empty"):
        return text  # already text (the usual case): nothing to convert value by value
    return text.map(lambda v: None if v is None else str(v))


def _days(later: pd.Series, origin: pd.Series) -> pd.Series:
    return (pd.to_datetime(later) - pd.to_datetime(origin)).dt.days.astype("Int64")


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="object")


def _flag(condition: pd.Series) -> pd.Series:
    return condition.fillna(False).astype(bool).map({True: "Y", False: "N"})


def derive_adsl(adsl: pd.DataFrame, dose_var: str, subtype_var: str | None,
                pseudonym_key: bytes = UNKEYED) -> pd.DataFrame:
    """Subject-level derivations: dose group and order, subtype, pseudonym (keyed hash of
    USUBJID, :mod:`trialdash.pseudonyms`), days, status."""
    out = adsl.copy().sort_values("USUBJID", kind="stable").reset_index(drop=True)
    dose = _col(out, dose_var).astype("object")
    dose_num = _dose_number(out, dose_var)
    if dose_var == "TRT01A":
        planned = _col(out, "TRT01P")
        dose = dose.where(dose.notna(), planned)
        planned_num = pd.to_numeric(_col(out, "TRT01PN"), errors="coerce")
        dose_num = dose_num.where(dose_num.notna(), planned_num)
    screen_failure = _is_screen_failure(out, dose)
    dose = dose.where(~screen_failure, None)
    out["dose_group"] = dose.where(dose.notna(), None)
    out["dose_order"] = _dose_order(out["dose_group"], dose_num)
    subtype = _col(out, subtype_var) if subtype_var else pd.Series(None, index=out.index)
    out["subtype"] = subtype.astype("object").where(subtype.notna(), None)
    out["pseudonym"] = pseudonyms(out["USUBJID"].astype(str).tolist(), pseudonym_key)
    enrolled_flag = _col(out, "ENRLFL").astype("object").str.upper().eq("Y")
    out["enrolled"] = _flag((out["dose_group"].notna() | enrolled_flag) & ~screen_failure)
    trtsdt = _col(out, "TRTSDT")
    out["infused"] = _flag(trtsdt.notna())
    out["lymphodepleted"] = _flag(_col(out, "LDSTDT").notna() | trtsdt.notna())
    out["hsct_day"] = _days(_col(out, "HSCTDT"), trtsdt)
    out["pd_day"] = _days(_col(out, "PDDT"), trtsdt)
    out["death_day"] = _days(_col(out, "DTHDT"), trtsdt)
    last = pd.to_datetime(_col(out, "DTHDT")).fillna(pd.to_datetime(_col(out, "LSTALVDT")))
    out["last_day"] = _days(last, trtsdt)
    out["status"] = _status(out)
    return out


SCREEN_FAILURE = re.compile(r"screen(?:ing)?[\s_-]*fail|not[\s_-]*assigned", re.IGNORECASE)


def _is_screen_failure(adsl: pd.DataFrame, dose: pd.Series) -> pd.Series:
    """True where ARM, ACTARM or the dose label names a screen failure (or no assignment)."""
    found = pd.Series(False, index=adsl.index)
    for values in (_col(adsl, "ARM"), _col(adsl, "ACTARM"), dose):
        text = values.astype("object").where(values.notna(), "").astype(str)
        found |= text.str.contains(SCREEN_FAILURE)
    return found


def _dose_number(adsl: pd.DataFrame, dose_var: str) -> pd.Series:
    for name in (dose_var + "N", {"TRT01A": "TRT01AN", "TRT01P": "TRT01PN"}.get(dose_var, "")):
        if name and name in adsl.columns:
            return pd.to_numeric(adsl[name], errors="coerce")
    return pd.Series(np.nan, index=adsl.index)


def _first_number(label: object) -> float:
    match = re.search(r"\d+(?:\.\d+)?", str(label))
    return float(match.group()) if match else np.nan


def _dose_order(groups: pd.Series, numbers: pd.Series) -> pd.Series:
    keys: dict[str, tuple[float, str]] = {}
    for group, number in zip(groups, numbers, strict=True):
        if group is None or pd.isna(group):
            continue
        value = number if pd.notna(number) else _first_number(group)
        previous = keys.get(group)
        if previous is None or (np.isnan(previous[0]) and not np.isnan(value)):
            keys[group] = (value, str(group))
    ordered = sorted(keys, key=lambda g: (np.isnan(keys[g][0]), keys[g][0], keys[g][1]))
    rank = {g: i + 1 for i, g in enumerate(ordered)}
    return groups.map(lambda g: rank.get(g) if g is not None else None).astype("Int64")


def _status(adsl: pd.DataFrame) -> pd.Series:
    dead = _col(adsl, "DTHFL").astype("object").eq("Y") | _col(adsl, "DTHDT").notna()
    eos = _col(adsl, "EOSSTT").astype("object").str.upper()
    status = pd.Series("Alive in follow-up", index=adsl.index, dtype="object")
    status[eos.isin(["DISCONTINUED", "COMPLETED"]).fillna(False)] = "Off study"
    status[dead.fillna(False)] = "Dead"
    status[adsl["infused"].eq("N")] = "Not infused"
    return status


def _with_subject_labels(frame: pd.DataFrame, adsl: pd.DataFrame) -> pd.DataFrame:
    labels = adsl[["USUBJID", "TRTSDT", "HSCTDT", "dose_group", "dose_order", "subtype",
                   "pseudonym"]]
    labels = labels.rename(columns={"TRTSDT": "_TRTSDT", "HSCTDT": "_HSCTDT"})
    own = frame.drop(columns=[c for c in labels.columns if c != "USUBJID" and c in frame.columns])
    return own.merge(labels, on="USUBJID", how="left", validate="many_to_one")


def _derive_adae(adae: pd.DataFrame, _adsl: pd.DataFrame,
                 grade_scale: str = CTCAE_SCALE) -> pd.DataFrame:
    out = adae.copy()
    out["start_day"] = _days(_col(out, "ASTDT"), out["_TRTSDT"])
    out["end_day"] = _days(_col(out, "AENDT"), out["_TRTSDT"])
    toxgr = pd.to_numeric(_col(out, "AETOXGR"), errors="coerce")
    severity = _col(out, "AESEV").astype("object").str.upper().map(SEVERITY_GRADE)
    has_grades = toxgr.notna().any()
    out["grade"] = (toxgr if has_grades else severity).astype("Float64").round().astype("Int64")
    out["grade_scale"] = grade_scale if has_grades else SEVERITY_SCALE
    decod = _col(out, "AEDECOD").astype("object").str.upper().str.strip()
    term = _col(out, "AETERM").astype("object").str.upper().str.strip()
    is_crs = decod.isin(CRS_TERMS) | term.isin(CRS_TERMS)
    is_icans = decod.isin(ICANS_TERMS) | term.isin(ICANS_TERMS)
    icans = np.where(is_icans.fillna(False), "ICANS", None)
    out["aesi"] = np.where(is_crs.fillna(False), "CRS", icans)
    if "AESEQ" not in out.columns or out["AESEQ"].isna().all():
        out["AESEQ"] = out.groupby("USUBJID").cumcount() + 1
    return out.sort_values(["USUBJID", "AESEQ"], kind="stable")


def _derive_adrs(adrs: pd.DataFrame, _adsl: pd.DataFrame) -> pd.DataFrame:
    out = adrs.copy()
    out["day"] = _days(_col(out, "ADT"), out["_TRTSDT"])
    # Criteria named in CRITy/PARCATy/PARAM fill a blank CRIT, so every row says its own.
    crit = out["CRIT"].astype("object")
    blank = crit.isna() | crit.astype(str).str.strip().eq("")
    out["CRIT"] = crit.where(~blank, row_criteria(out))
    return out.sort_values(["USUBJID", "PARAMCD", "ADT"], kind="stable", na_position="last")


def _unit_factor(units: pd.Series, default: float = 1.0) -> pd.Series:
    cleaned = units.astype("object").str.upper().str.strip()
    return cleaned.map(DAYS_PER_UNIT).astype("float64").fillna(default)


def _derive_adtte(adtte: pd.DataFrame, _adsl: pd.DataFrame) -> pd.DataFrame:
    out = adtte.copy()
    aval = pd.to_numeric(out["AVAL"], errors="coerce")
    out["aval_days"] = aval * _unit_factor(_col(out, "AVALU"))
    out["event"] = (pd.to_numeric(out["CNSR"], errors="coerce") == 0).astype("Int64")
    # Censoring at consolidative allo-HSCT: an event or censoring after the transplant becomes
    # a censoring at the transplant date (same origin as the endpoint), for every endpoint
    # except overall survival.
    start = pd.to_datetime(_col(out, "STARTDT")).fillna(pd.to_datetime(out["_TRTSDT"]))
    hsct_time = (pd.to_datetime(out["_HSCTDT"]) - start).dt.days.astype("float64")
    after_hsct = hsct_time.notna() & (hsct_time >= 0) & (out["aval_days"] > hsct_time)
    after_hsct &= out["PARAMCD"].astype("object").str.upper().ne("OS")
    out["aval_days_hsct"] = out["aval_days"].where(~after_hsct, hsct_time)
    out["event_hsct"] = out["event"].where(~after_hsct, 0).astype("Int64")
    return out.sort_values(["USUBJID", "PARAMCD"], kind="stable")


def _derive_adpc(adpc: pd.DataFrame, _adsl: pd.DataFrame) -> pd.DataFrame:
    out = adpc.copy()
    factor = _unit_factor(_col(out, "RRLTU"))
    out["nominal_day"] = pd.to_numeric(_col(out, "NFRLT"), errors="coerce") * factor
    actual = pd.to_numeric(_col(out, "AFRLT"), errors="coerce") * factor
    from_dates = _days(_col(out, "ADT"), out["_TRTSDT"]).astype("float64")
    out["day"] = actual.fillna(from_dates).fillna(out["nominal_day"])
    aval = pd.to_numeric(_col(out, "AVAL"), errors="coerce")
    lloq = pd.to_numeric(_col(out, "LLOQ"), errors="coerce")
    flagged = _col(out, "BLQFL").astype("object").str.upper().eq("Y").fillna(False)
    below = (aval < lloq).fillna(False)
    out["blq"] = _flag(flagged | below)
    return out.sort_values(["USUBJID", "PARAMCD", "day"], kind="stable")


def _derive_adlb(adlb: pd.DataFrame, _adsl: pd.DataFrame) -> pd.DataFrame:
    out = adlb.copy()
    out["day"] = _days(_col(out, "ADT"), out["_TRTSDT"])
    if "ADY" in out.columns:
        ady = pd.to_numeric(out["ADY"], errors="coerce")
        out["day"] = out["day"].fillna((ady - (ady > 0)).astype("Int64"))
    return out.sort_values(["USUBJID", "PARAMCD", "day"], kind="stable")


__all__ = ["derive_all", "derive_adsl", "conform", "DATASETS"]
