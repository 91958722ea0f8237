"""Safety as the FDA CAR-T labels tabulate it: deaths, CRS/ICANS onset and duration,
tocilizumab and corticosteroids, prolonged cytopenias, HLH/MAS markers, the DLT listing.

Assumptions
-----------
* Population: infused patients kept by the filter; every n/N has N = those patients unless a
  table says otherwise (cytopenias: patients with a sample near the landmark).
* Deaths: ADSL ``DTHFL 'Y'`` (or a death date). Cause: ``DTHCAUS`` when given, else the
  term of a grade 5 ADAE event of the patient (any TRTEMFL), else "Not recorded". A death is
  *after progression* when ``PDDT`` is on or before the death; *non-relapse mortality* (NRM)
  is a death without a preceding relapse or progression (the usual CAR-T and HSCT
  definition). *After allo-HSCT* when ``HSCTDT`` is on or before the death.
* CRS and ICANS (FDA CAR-T labels, e.g. the prescribing information of tisagenlecleucel and
  brexucabtagene autoleucel, Adverse Reactions): time to onset = days from infusion to the
  first episode's onset, per patient with the syndrome; duration = days of each resolved
  episode, onset to end inclusive (ongoing episodes left out and counted); median (range).
  Tocilizumab and corticosteroid use: patients with ``TOCIFL``/``STERFL 'Y'`` on a CRS or
  ICANS episode, out of all infused patients.
* Prolonged cytopenias: CTCAE v5.0 grade >= 3 from ADLB values: neutrophils < 1.0 x10^9/L,
  platelets < 50 x10^9/L, hemoglobin < 80 g/L (8.0 g/dL). At day 28 and day 90 the sample
  nearest the landmark within +/- 7 days counts; parameters whose unit is not one of these
  are left out and named.
* HLH/MAS markers: the peak of ferritin, IL-6 and CRP from day 0 to day 28, median (range)
  over patients with a sample; ferritin > 10,000 ng/mL is the carHLH threshold of
  Neelapu et al., Nat Rev Clin Oncol 2018 (CARTOX).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from trialdash.analysis.escalation import dlt_evaluable
from trialdash.analysis.flags import is_yes
from trialdash.analysis.memo import cohort_analysis
from trialdash.analysis.safety import (
    DLT_WINDOW_DAYS,
    SYNDROMES,
    crs_icans_episodes,
    infused_events,
)
from trialdash.analysis.stats import format_n_of_N, median_range
from trialdash.trial import Cohort

__all__ = [
    "CYTOPENIA_LANDMARKS",
    "DeathSummary",
    "deaths",
    "dlt_listing",
    "hlh_markers",
    "prolonged_cytopenias",
    "syndrome_management",
]

NOT_RECORDED = "Not recorded"
CYTOPENIA_LANDMARKS = (28, 90)
LANDMARK_TOLERANCE_DAYS = 7
# Spellings of 10^9 cells/L in ADaM laboratory units (upper case).
PER_NANOLITRE = ("10^9/L", "X10^9/L", "10**9/L", "X10E9/L", "10E9/L", "GI/L")
# (label, PARAMCDs, {unit (upper case): grade >= 3 threshold, values below it}).
CYTOPENIAS = (
    ("Neutrophils < 1.0 x10^9/L", ("ANC", "NEUT"), dict.fromkeys(PER_NANOLITRE, 1.0)),
    ("Platelets < 50 x10^9/L", ("PLAT",), dict.fromkeys(PER_NANOLITRE, 50.0)),
    ("Hemoglobin < 80 g/L", ("HGB",), {"G/L": 80.0, "G/DL": 8.0}),
)
HLH_MARKERS = (("FERRITIN", "Ferritin"), ("IL6", "Interleukin-6"), ("CRP", "C-reactive protein"))
FERRITIN_HLH_THRESHOLD = 10_000.0


def _range_text(values: pd.Series, digits: int = 0) -> str:
    """'median (min-max)' or '–' when there is no value."""
    med, low, high = median_range(values)
    if np.isnan(med):
        return "–"
    middle = f"{med:.{digits}f}" if med == round(med, digits) else f"{med:.{digits + 1}f}"
    return f"{middle} ({low:.{digits}f}–{high:.{digits}f})"


def _short_dose(groups: pd.Series) -> pd.Series:
    """'1.0 x10^6 cells/kg' -> '1.0 x10^6' (the unit is in the caption)."""
    return groups.astype("object").str.replace(" cells/kg", "", regex=False)


# --- deaths -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeathSummary:
    """Deaths of infused patients and non-relapse mortality.

    Attributes
    ----------
    table : DataFrame
        One row per death, by death day: USUBJID, dose_group, day, cause, cause_source
        ('DTHCAUS', 'ADAE grade 5' or ''), after_progression (bool), progression_day,
        non_relapse (bool), after_hsct (bool), hsct_day.
    deaths, nrm, nrm_after_hsct, infused : int
        Counts for "n/N" lines.
    """

    table: pd.DataFrame
    deaths: int
    nrm: int
    nrm_after_hsct: int
    infused: int

    def lines(self) -> list[str]:
        """'Deaths n/N', 'Non-relapse mortality n/N (of whom k after allo-HSCT)'."""
        return [f"Deaths: {format_n_of_N(self.deaths, self.infused)}",
                f"Non-relapse mortality: {format_n_of_N(self.nrm, self.infused)} "
                f"(after allo-HSCT: {self.nrm_after_hsct})"]


def _grade5_terms(cohort: Cohort) -> pd.Series:
    """USUBJID -> '; '-joined terms of grade 5 ADAE events (CTCAE grade 5 = death)."""
    if not cohort.trial.has("adae"):
        return pd.Series(dtype="object")
    events = infused_events(cohort)
    fatal = events[pd.to_numeric(events["AETOXGR"], errors="coerce").eq(5)]
    return fatal.groupby("USUBJID")["AEDECOD"].agg(lambda terms: "; ".join(dict.fromkeys(terms)))


@cohort_analysis
def deaths(cohort: Cohort) -> DeathSummary:
    """Deaths table and non-relapse mortality (see module notes for the definitions)."""
    infused = cohort.infused
    dead = infused[is_yes(infused["DTHFL"]) | infused["death_day"].notna()]
    day = pd.to_numeric(dead["death_day"], errors="coerce")
    pd_day = pd.to_numeric(dead["pd_day"], errors="coerce")
    hsct_day = pd.to_numeric(dead["hsct_day"], errors="coerce")
    recorded = dead["DTHCAUS"].astype("object").str.strip().replace("", None)
    grade5 = dead["USUBJID"].map(_grade5_terms(cohort))
    cause = recorded.fillna(grade5).fillna(NOT_RECORDED)
    source = np.select([recorded.notna(), grade5.notna()], ["DTHCAUS", "ADAE grade 5"], "")
    after_pd = (pd_day <= day).fillna(False) | (pd_day.notna() & day.isna())
    after_hsct = (hsct_day <= day).fillna(False) | (hsct_day.notna() & day.isna())
    table = pd.DataFrame({
        "USUBJID": dead["USUBJID"], "dose_group": dead["dose_group"],
        "dose_order": dead["dose_order"], "day": day.astype("Int64"), "cause": cause,
        "cause_source": source, "after_progression": after_pd.astype(bool),
        "progression_day": pd_day.astype("Int64"), "non_relapse": ~after_pd.astype(bool),
        "after_hsct": after_hsct.astype(bool), "hsct_day": hsct_day.astype("Int64"),
    }).sort_values(["day", "USUBJID"], na_position="last").reset_index(drop=True)
    nrm = table["non_relapse"]
    return DeathSummary(table.drop(columns="dose_order"), len(table), int(nrm.sum()),
                        int((nrm & table["after_hsct"]).sum()), len(infused))


def deaths_display(summary: DeathSummary, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The deaths table with short columns that fit a 1280 px screen: Patient, Dose, Day
    (of death), Cause, Source (of the cause), After progression, NRM (non-relapse death),
    After allo-HSCT."""
    table = summary.table

    def with_day(flag: pd.Series, days: pd.Series) -> pd.Series:
        dated = "Yes (day " + days.astype("string") + ")"
        return pd.Series(np.where(flag, dated.fillna("Yes"), "No"), index=flag.index)

    return pd.DataFrame({
        "Patient": table["USUBJID"].map(lambda u: (labels or {}).get(u, u)),
        "Dose": _short_dose(table["dose_group"]),
        "Day": table["day"],
        "Cause": table["cause"].str.capitalize(),
        "Source": table["cause_source"],
        "After progression": with_day(table["after_progression"], table["progression_day"]),
        "NRM": table["non_relapse"].map({True: "Yes", False: "No"}),
        "After allo-HSCT": with_day(table["after_hsct"], table["hsct_day"]),
    })


# --- CRS and ICANS as the labels give them ------------------------------------------------------


@cohort_analysis
def syndrome_management(cohort: Cohort, window_days: int | None = DLT_WINDOW_DAYS
                        ) -> pd.DataFrame:
    """CRS and ICANS: patients, median (range) onset and duration, tocilizumab and steroids.

    Returns
    -------
    DataFrame
        One row per syndrome (CRS, ICANS): Syndrome, Patients (n/N), Onset day and
        Duration (days) as "median (range)", Ongoing (episodes), Tocilizumab (n/N),
        Corticosteroids (n/N). N = infused patients kept by the filter. Headers are short so
        the table fits a 1280 px screen.
    """
    episodes = crs_icans_episodes(cohort, window_days)
    total = len(cohort.infused)
    rows = []
    for syndrome in SYNDROMES:
        part = episodes[episodes["aesi"] == syndrome]
        first_onset = part.groupby("USUBJID")["onset_day"].min().astype(float)
        resolved = part.loc[~part["ongoing"].astype(bool), "duration_days"].astype(float)
        toci = part.loc[part["TOCIFL"] == "Y", "USUBJID"].nunique()
        ster = part.loc[part["STERFL"] == "Y", "USUBJID"].nunique()
        rows.append({
            "Syndrome": syndrome,
            "Patients": format_n_of_N(part["USUBJID"].nunique(), total),
            "Onset day": _range_text(first_onset),
            "Duration (days)": _range_text(resolved),
            "Ongoing": int(part["ongoing"].astype(bool).sum()),
            "Tocilizumab": format_n_of_N(int(toci), total),
            "Corticosteroids": format_n_of_N(int(ster), total),
        })
    return pd.DataFrame(rows)


# --- laboratory: prolonged cytopenias, HLH/MAS markers -------------------------------------------


def _nearest_samples(cohort: Cohort, paramcds: list[str]) -> pd.DataFrame:
    """Per infused patient, PARAMCD and unit, the sample nearest each landmark within the
    tolerance (ties: the earlier day): USUBJID, PARAMCD, AVALU, landmark, day, AVAL, unit
    (AVALU stripped, upper case). A unit without a sample near a landmark has one row with
    a blank landmark, so every unit of the parameters is there."""
    if not cohort.trial.has("adlb"):
        return pd.DataFrame(columns=["USUBJID", "PARAMCD", "AVALU", "landmark", "day", "AVAL",
                                     "unit"])
    near = cohort.lab_nearest_samples(paramcds, list(CYTOPENIA_LANDMARKS),
                                      LANDMARK_TOLERANCE_DAYS)
    near = near[near["USUBJID"].isin(cohort.infused["USUBJID"])]
    return near.assign(unit=near["AVALU"].astype("object").str.strip().str.upper())


def _nearest_of_units(near: pd.DataFrame, landmark: int) -> pd.DataFrame:
    """Per patient and PARAMCD, the sample nearest ``landmark`` over the units kept (each
    unit's nearest sample is in ``near``); ties go to the earlier day."""
    at = near[near["landmark"] == landmark]
    at = at.assign(distance=(at["day"] - landmark).abs())
    at = at.sort_values(["USUBJID", "PARAMCD", "distance", "day"], kind="stable")
    return at.drop_duplicates(["USUBJID", "PARAMCD"])


@cohort_analysis
def prolonged_cytopenias(cohort: Cohort) -> tuple[pd.DataFrame, list[str]]:
    """Patients with CTCAE v5.0 grade >= 3 cytopenia at day 28 and at day 90 (ADLB).

    The nearest sample per patient, parameter and unit comes from the ``lab_nearest_samples``
    query; only units with a known threshold count.

    Returns
    -------
    table : DataFrame
        One row per cytopenia: Cytopenia, then "Day 28" and "Day 90" cells "n/N" (N =
        infused patients with a sample within +/- 7 days of the landmark).
    skipped : list of str
        Parameters left out, with the reason (absent or in an unknown unit).
    """
    codes = [code for _, paramcds, _ in CYTOPENIAS for code in paramcds]
    near = _nearest_samples(cohort, codes)
    rows, skipped = [], []
    for label, paramcds, thresholds in CYTOPENIAS:
        part = near[near["PARAMCD"].isin(paramcds)]
        threshold = part["unit"].map(thresholds)
        if part.empty or threshold.isna().all():
            units = ", ".join(sorted(set(part["unit"].dropna()))) or "no samples"
            skipped.append(f"{label.split(' <')[0]} ({units})")
            continue
        part = part[threshold.notna()].assign(threshold=threshold.dropna())
        row = {"Cytopenia (CTCAE v5.0 grade ≥3)": label}
        for landmark in CYTOPENIA_LANDMARKS:
            nearest = _nearest_of_units(part, landmark)
            severe = nearest.loc[pd.to_numeric(nearest["AVAL"], errors="coerce")
                                 < nearest["threshold"], "USUBJID"].nunique()
            row[f"Day {landmark}"] = format_n_of_N(int(severe),
                                                   int(nearest["USUBJID"].nunique()))
        rows.append(row)
    columns = ["Cytopenia (CTCAE v5.0 grade ≥3)", *(f"Day {d}" for d in CYTOPENIA_LANDMARKS)]
    return pd.DataFrame(rows, columns=columns), skipped


@cohort_analysis
def hlh_markers(cohort: Cohort) -> pd.DataFrame:
    """Peak ferritin, IL-6 and CRP from day 0 to day 28 per patient, summarised.

    Peaks per patient come from the ``lab_peaks`` query; the unit shown is that of the
    earliest sample with a unit of the first patient (dose order) who has one.

    Returns
    -------
    DataFrame
        One row per marker present in ADLB: Marker, Unit, Patients with a sample, Peak:
        median (range), and for ferritin the patients above 10,000 ng/mL (n/N).
    """
    if not cohort.trial.has("adlb"):
        return pd.DataFrame()
    peaks_all = cohort.lab_peaks([code for code, _ in HLH_MARKERS], 0, DLT_WINDOW_DAYS)
    peaks_all = peaks_all[peaks_all["USUBJID"].isin(cohort.infused["USUBJID"])]
    rows = []
    for code, name in HLH_MARKERS:
        part = peaks_all[peaks_all["PARAMCD"] == code]
        if part.empty:
            continue
        peaks = part.set_index("USUBJID")["peak"].sort_index().astype(float)
        unit = str(part["AVALU"].dropna().iloc[0]) if part["AVALU"].notna().any() else ""
        above = "–"
        if code == "FERRITIN" and unit.strip().lower() in ("ng/ml", "ug/l", "µg/l"):
            above = format_n_of_N(int((peaks > FERRITIN_HLH_THRESHOLD).sum()), len(peaks))
        rows.append({"Marker": name, "Unit": unit, "Patients with a sample": len(peaks),
                     "Peak, days 0-28: median (range)": _range_text(peaks),
                     "Ferritin > 10,000 ng/mL": above})
    return pd.DataFrame(rows)


# --- DLT listing ---------------------------------------------------------------------------------


@cohort_analysis
def dlt_listing(cohort: Cohort, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Every dose-limiting toxicity: ADAE events flagged ``AEDLTFL 'Y'``, and patients with
    ADSL ``DLTFL 'Y'`` but no flagged event (one row saying so).

    Columns: Patient, Dose, DLT-evaluable, Event, CTCAE (v5.0 grade), ASTCT (grade),
    Onset day; ordered by dose and patient.
    """
    infused = cohort.infused
    evaluable = pd.Series(dlt_evaluable(infused).to_numpy(), index=infused["USUBJID"])
    events = infused_events(cohort) if cohort.trial.has("adae") else pd.DataFrame(
        columns=["USUBJID", "AEDLTFL"])
    flagged = events[is_yes(events["AEDLTFL"]) & events["USUBJID"].isin(infused["USUBJID"])]
    without_event = infused[is_yes(infused["DLTFL"]) & ~infused["USUBJID"].isin(
        flagged["USUBJID"])]
    listing = pd.concat([
        pd.DataFrame({"USUBJID": flagged["USUBJID"], "Event": flagged["AEDECOD"],
                      "CTCAE v5.0 grade": flagged["AETOXGR"], "ASTCT grade": flagged["ASTCTGR"],
                      "Onset day": flagged["start_day"]}),
        pd.DataFrame({"USUBJID": without_event["USUBJID"],
                      "Event": "DLTFL 'Y', no event flagged in ADAE"}),
    ], ignore_index=True)
    subject = infused.set_index("USUBJID")
    listing = listing.assign(
        dose_order=listing["USUBJID"].map(subject["dose_order"]),
        **{"Dose": _short_dose(listing["USUBJID"].map(subject["dose_group"])),
           "DLT-evaluable": listing["USUBJID"].map(evaluable).map({True: "Yes", False: "No"}),
           "Patient": listing["USUBJID"].map(lambda u: (labels or {}).get(u, u))})
    listing = listing.rename(columns={"CTCAE v5.0 grade": "CTCAE", "ASTCT grade": "ASTCT"})
    for column in ("CTCAE", "ASTCT", "Onset day"):
        listing[column] = pd.to_numeric(listing[column], errors="coerce").astype("Int64")
    listing = listing.sort_values(["dose_order", "USUBJID"]).reset_index(drop=True)
    return listing[["Patient", "Dose", "DLT-evaluable", "Event", "CTCAE", "ASTCT",
                    "Onset day"]]
