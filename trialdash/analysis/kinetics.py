"""CAR-T cellular kinetics: expansion profiles, NCA by patient and dose, persistence, CD7+ cells.

Data: ADPC rows of one parameter (``TRANSGEN``, transgene copies/ug gDNA by qPCR, or
``CARPCT``, % CAR+ of CD3+ T cells by flow) and ADLB ``CD7LYMPH`` (CD7+ lymphocytes, cells/uL).

Assumptions
-----------
* Day 0 = infusion. ``day`` is the actual day since infusion, ``nominal_day`` the protocol
  visit. Where a sample has no nominal day (an import without NFRLT) its actual day stands in
  for the visit (:func:`visit_day`).
* A sample is *quantifiable* when it is not flagged BLQ, its value is present and > 0 and not
  below its LLOQ; every other sample is *BLQ* (the same rule as :mod:`trialdash.analysis.nca`;
  applied in SQL by the ``kinetic_profile`` query).
  BLQ samples are kept, never set to zero and never dropped: for drawing they are placed AT the
  LLOQ (``plotted_value``), and the median/IQR band counts them at the LLOQ too. A BLQ sample
  without a known LLOQ has no plotted value.
* Only infused patients are analysed (the filter's cohort, ``cohort.infused``). An infused
  patient without any sample of the parameter is absent from profiles and NCA tables and
  listed in ``not_sampled``; a patient whose samples are all BLQ (no expansion) is kept, with
  ``expanded = False``.
* Absent data sets (no ADPC or ADLB in the source) give empty frames with the usual columns;
  pages say why with ``ui.require``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from trialdash.analysis.filters import PatientCount
from trialdash.analysis.memo import cohort_analysis
from trialdash.analysis.nca import nca_summary, nca_table
from trialdash.analysis.stats import format_n_of_N
from trialdash.trial import Cohort

TRANSGENE = "TRANSGEN"
CAR_PERCENT = "CARPCT"
CD7_LYMPHOCYTES = "CD7LYMPH"
OVERALL = "All dose groups"
AUC_END_DAY = 28

UNITS = {TRANSGENE: "copies/µg gDNA", CAR_PERCENT: "% of CD3+", CD7_LYMPHOCYTES: "cells/µL"}
MEASURE_LABELS = {TRANSGENE: "Transgene", CAR_PERCENT: "% CAR+ T cells",
                  CD7_LYMPHOCYTES: "CD7+ lymphocytes"}

NCA_RULES = (
    "NCA of transgene copies/µg gDNA from actual sampling days (day 0 = infusion; pre-infusion "
    "samples excluded). Cmax and Tmax observed. BLQ rule: BLQ samples before the first "
    "quantifiable one count as 0; later BLQ samples are treated as missing (never LLOQ/2, "
    "never 0). AUC0-28d by the linear-up/log-down trapezoidal rule, interpolated to day 28; "
    "when Tlast < 28 it stops at Tlast (AUC0-Tlast, marked *). Tlast = last quantifiable day. "
    "Terminal t½ from a log-linear fit on ≥ 3 quantifiable post-Tmax points (best adjusted "
    "R²). A patient with no quantifiable sample did not expand: parameters blank."
)
SUMMARY_RULES = (
    "Cmax and AUC0-28d: geometric mean (geometric CV%) over patients who expanded; Cmax also "
    "median (range), as publications report it; Tmax, Tlast and terminal t½: median (range) "
    "in days (t½ over the patients where it was estimable, [n]). n = patients with transgene "
    "samples; expanded = at least one quantifiable sample. AUC0-28d by the linear-up/log-down "
    "trapezoidal rule; BLQ samples after the first quantifiable one treated as missing "
    "(rules in full under the patient table)."
)
BAND_RULE = (
    "Median and interquartile range (Q1–Q3, linear interpolation between order statistics) "
    "of patients sampled at each nominal visit; BLQ samples count AT the LLOQ."
)
PERSISTENCE_RULE = (
    "Detectable = at least one quantifiable (not BLQ) transgene sample at the nominal visit. "
    "Denominator N = infused patients sampled at that visit (patients off study, dead or not "
    "yet at the visit are not counted). Pre-infusion visits (day ≤ 0) are left out."
)

PROFILE_COLUMNS = ["USUBJID", "dose_group", "dose_order", "subtype", "PARAMCD", "day",
                   "nominal_day", "AVAL", "AVALU", "LLOQ", "blq", "plotted_value",
                   "after_hsct"]


# --- profiles ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KineticProfiles:
    """Long frame of one kinetics parameter for the cohort's infused patients.

    ``samples`` has one row per sample (columns :data:`PROFILE_COLUMNS`, sorted by dose
    order, patient and day); ``not_sampled`` lists infused patients without any sample.
    """

    count: PatientCount
    paramcd: str
    unit: str
    samples: pd.DataFrame
    not_sampled: list[str] = field(default_factory=list)

    @property
    def patients(self) -> list[str]:
        return list(dict.fromkeys(self.samples["USUBJID"]))

    @property
    def lloqs(self) -> list[float]:
        """Distinct LLOQs of the samples (usually one), ascending."""
        return sorted(pd.to_numeric(self.samples["LLOQ"], errors="coerce").dropna().unique())


def visit_day(frame: pd.DataFrame) -> pd.Series:
    """The nominal visit day of each sample, falling back to the actual day when missing."""
    return pd.to_numeric(frame["nominal_day"], errors="coerce").fillna(
        pd.to_numeric(frame["day"], errors="coerce"))


def _infused_samples(cohort: Cohort, raw: pd.DataFrame) -> pd.DataFrame:
    infused = set(cohort.infused["USUBJID"])
    return raw[raw["USUBJID"].isin(infused)]


def kinetic_profiles(cohort: Cohort, paramcd: str = TRANSGENE) -> KineticProfiles:
    """Samples of one ADPC parameter, BLQ flagged and placed at the LLOQ for drawing.

    Computed once per cohort and parameter (profiles, NCA, persistence and the CD7+ chart
    share it): callers must not modify the result in place.

    Parameters
    ----------
    cohort : Cohort
        The filtered trial; only its infused patients are used.
    paramcd : {"TRANSGEN", "CARPCT"}
        ADPC parameter.

    Returns
    -------
    KineticProfiles
        ``samples`` columns: USUBJID, dose_group, dose_order, subtype, PARAMCD, day,
        nominal_day, AVAL, AVALU, LLOQ, blq (bool), plotted_value (AVAL when quantifiable,
        LLOQ when BLQ, never 0), after_hsct (bool: sampled after a consolidative allo-HSCT,
        when donor cells, not CAR-T, make up the graft; ADSL ``hsct_day``).
    """
    return cohort.derived(("kinetic_profiles", paramcd),
                          lambda: _kinetic_profiles(cohort, paramcd))


def _kinetic_profiles(cohort: Cohort, paramcd: str) -> KineticProfiles:
    """The ``kinetic_profile`` query applies the BLQ rule of the module notes, the LLOQ
    placement and the after-allo-HSCT flag in SQL."""
    raw = _infused_samples(cohort, cohort.kinetic_profile(paramcd))
    numbers = {column: pd.to_numeric(raw[column], errors="coerce").astype(float)
               for column in ("day", "nominal_day", "AVAL", "LLOQ", "plotted_value")}
    samples = raw.assign(**numbers)[PROFILE_COLUMNS]
    samples = samples.astype({"blq": bool, "after_hsct": bool}).reset_index(drop=True)
    infused = cohort.infused["USUBJID"]
    not_sampled = list(infused[~infused.isin(samples["USUBJID"])])
    units = samples["AVALU"].dropna()
    unit = UNITS.get(paramcd) or (str(units.iloc[0]) if len(units) else "")
    return KineticProfiles(cohort.count, paramcd, unit, samples, not_sampled)


@cohort_analysis
def transgene_profiles(cohort: Cohort, paramcd: str = TRANSGENE) -> KineticProfiles:
    """Transgene (or, with ``paramcd="CARPCT"``, % CAR+) profiles; see :func:`kinetic_profiles`.

    The samples are a copy, so the caller may change them."""
    profiles = kinetic_profiles(cohort, paramcd)
    return replace(profiles, samples=profiles.samples.copy())


# --- median band ---------------------------------------------------------------------------


BAND_COLUMNS = ["dose_group", "dose_order", "nominal_day", "median", "q1", "q3", "n"]


def median_band_by_dose(profiles: KineticProfiles) -> pd.DataFrame:
    """Median and IQR of ``plotted_value`` per dose group x nominal visit.

    BLQ samples count at the LLOQ (so a visit where most patients are BLQ has its median at the
    LLOQ, not at zero). Quartiles use linear interpolation (pandas/R type 7). A patient sampled
    twice at a visit contributes the mean of the two values. Samples without a plotted value
    (BLQ with unknown LLOQ) are left out; ``n`` counts the patients that remain.

    Returns
    -------
    pandas.DataFrame
        Columns dose_group, dose_order, nominal_day, median, q1, q3, n, sorted by dose order
        and day.
    """
    return _median_band(profiles.samples, [])


def _median_band(samples: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """:func:`median_band_by_dose` of ``samples`` (columns as ``KineticProfiles.samples``),
    also split by the columns ``by`` (which lead the result's columns and sort order)."""
    columns = [*by, *BAND_COLUMNS]
    samples = samples.dropna(subset=["plotted_value"]).copy()
    if samples.empty:
        return pd.DataFrame(columns=columns)
    samples["nominal_day"] = visit_day(samples)
    keys = [*by, "dose_order", "dose_group", "nominal_day"]
    per_patient = (samples.groupby([*keys, "USUBJID"])
                   ["plotted_value"].mean().reset_index())
    grouped = per_patient.groupby(keys)["plotted_value"]
    band = pd.DataFrame({"median": grouped.median(), "q1": grouped.quantile(0.25),
                         "q3": grouped.quantile(0.75), "n": grouped.size()}).reset_index()
    return (band[columns].sort_values([*by, "dose_order", "nominal_day"])
            .reset_index(drop=True))


# --- NCA -----------------------------------------------------------------------------------


NCA_DISPLAY_COLUMNS = {
    "USUBJID": "USUBJID",
    "dose_group": "Dose group",
    "subtype": "Subtype",
    "n_samples": "Samples (n)",
    "expanded": "Expanded",
    "cmax": "Cmax (copies/µg gDNA)",
    "tmax": "Tmax (day)",
    "auc": "AUC0-28d (copies/µg gDNA × day)",
    "tlast": "Tlast (day)",
    "half_life": "Terminal t½ (days)",
    "half_life_points": "t½ points (n)",
    "r2": "t½ fit adj. R²",
    "after_hsct": "Samples after allo-HSCT (n)",
}


@dataclass(frozen=True)
class PatientNCA:
    """Per-patient NCA of transgene copies (rules: :data:`NCA_RULES`).

    ``table``: one row per infused patient with transgene samples: USUBJID, dose_group,
    dose_order, subtype, n_samples, cmax, tmax, auc_0_28, tlast, half_life,
    half_life_r2_adj, half_life_points, expanded, auc_to_tlast (True when Tlast < 28, so
    the AUC is AUC0-Tlast), n_after_hsct (samples taken after allo-HSCT; they still enter
    the NCA, the table flags them).
    """

    count: PatientCount
    table: pd.DataFrame
    not_sampled: list[str] = field(default_factory=list)

    def display(self) -> pd.DataFrame:
        """The table as shown: labelled columns with units, rounded, blanks for 'not estimable'.

        Keeps the ``USUBJID`` column name so the page can pseudonymise it.
        """
        t = self.table
        out = pd.DataFrame({
            "USUBJID": t["USUBJID"],
            "dose_group": t["dose_group"],
            "subtype": t["subtype"],
            "n_samples": t["n_samples"],
            "expanded": t["expanded"].map({True: "Yes", False: "No"}),
            "cmax": t["cmax"].map(_fmt_count),
            "tmax": t["tmax"].map(_fmt_day),
            "auc": [_fmt_count(a) + (" *" if short else "")
                    for a, short in zip(t["auc_0_28"], t["auc_to_tlast"], strict=True)],
            "tlast": t["tlast"].map(_fmt_day),
            "half_life": t["half_life"].map(lambda v: _fmt_number(v, 1)),
            "half_life_points": t["half_life_points"].map(lambda k: str(k) if k else ""),
            "r2": t["half_life_r2_adj"].map(lambda v: _fmt_number(v, 2)),
            "after_hsct": t["n_after_hsct"].map(lambda k: str(k) if k else ""),
        })
        return out.rename(columns=NCA_DISPLAY_COLUMNS)


@cohort_analysis
def nca_by_patient(cohort: Cohort) -> PatientNCA:
    """NCA parameters of each infused patient's transgene profile (``nca.nca_table``)."""
    profiles = kinetic_profiles(cohort, TRANSGENE)
    samples = profiles.samples
    columns = ["USUBJID", "dose_group", "dose_order", "subtype", "n_samples"]
    if samples.empty:
        empty = nca_table(pd.DataFrame(columns=["USUBJID", "day", "AVAL", "blq", "LLOQ"]))
        table = pd.DataFrame(columns=[*columns, *empty.columns[1:], "auc_to_tlast",
                                      "n_after_hsct"])
        return PatientNCA(profiles.count, table, profiles.not_sampled)
    params = nca_table(samples[["USUBJID", "day", "AVAL", "blq", "LLOQ"]])
    labels = (samples.groupby("USUBJID", sort=False)
              .agg(dose_group=("dose_group", "first"), dose_order=("dose_order", "first"),
                   subtype=("subtype", "first"), n_samples=("day", "size"),
                   n_after_hsct=("after_hsct", "sum")).reset_index())
    table = labels.merge(params, on="USUBJID", how="left", validate="one_to_one")
    table["auc_to_tlast"] = table["expanded"] & (table["tlast"] < AUC_END_DAY)
    table = table.sort_values(["dose_order", "USUBJID"], kind="stable").reset_index(drop=True)
    return PatientNCA(profiles.count, table, profiles.not_sampled)


SUMMARY_ROWS = (
    "Patients with samples (n)",
    "Expanded (n/N)",
    "Cmax (copies/µg gDNA): geometric mean (CV%)",
    "Cmax (copies/µg gDNA): median (range)",
    "AUC0-28d (copies/µg gDNA × day): geometric mean (CV%)",
    "Tmax (day): median (range)",
    "Tlast (day): median (range)",
    "Terminal t½ (days): median (range) [n]",
)


@dataclass(frozen=True)
class DoseNCA:
    """NCA summary per dose group, plus one row over all dose groups when there are several
    (:data:`SUMMARY_RULES`).

    ``table`` columns: those of ``nca.nca_summary`` (``dose_group``, n, n_expanded,
    cmax_gmean, cmax_gcv_pct, auc_0_28_gmean, auc_0_28_gcv_pct, tmax_median/min/max,
    tlast_median/min/max), dose groups in dose order, the last row :data:`OVERALL`.
    """

    count: PatientCount
    table: pd.DataFrame

    def display(self) -> pd.DataFrame:
        """Parameters as rows (:data:`SUMMARY_ROWS`), one text column per dose group."""
        table = {"Parameter": list(SUMMARY_ROWS)}
        for r in self.table.itertuples(index=False):
            table[r.dose_group] = [
                str(r.n), f"{r.n_expanded}/{r.n}",
                _fmt_gmean_cv(r.cmax_gmean, r.cmax_gcv_pct),
                _fmt_count_range(r.cmax_median, r.cmax_min, r.cmax_max),
                _fmt_gmean_cv(r.auc_0_28_gmean, r.auc_0_28_gcv_pct),
                _fmt_median_range(r.tmax_median, r.tmax_min, r.tmax_max),
                _fmt_median_range(r.tlast_median, r.tlast_min, r.tlast_max),
                _fmt_half_life(r.half_life_median, r.half_life_min, r.half_life_max,
                               r.n_half_life),
            ]
        return pd.DataFrame(table)


def nca_by_dose(cohort: Cohort, patients: PatientNCA | None = None) -> DoseNCA:
    """Geometric mean (CV%) of Cmax and AUC0-28d, median (range) of Tmax and Tlast, n.

    Summarises :func:`nca_by_patient` (pass it in to avoid recomputing) per dose group with
    ``nca.nca_summary``, then over all dose groups (when there are several). Non-expanders
    count in ``n`` but not in the geometric means.
    """
    patients = patients or nca_by_patient(cohort)
    table = patients.table
    if table.empty:
        return DoseNCA(patients.count, nca_summary(table, "dose_group"))
    order = list(dict.fromkeys(table.sort_values("dose_order")["dose_group"]))
    by_dose = nca_summary(
        table.assign(dose_group=pd.Categorical(table["dose_group"], categories=order)),
        "dose_group")
    by_dose["dose_group"] = by_dose["dose_group"].astype(str)
    if len(order) == 1:
        return DoseNCA(patients.count, by_dose)
    overall = nca_summary(table.assign(dose_group=OVERALL), "dose_group")
    return DoseNCA(patients.count, pd.concat([by_dose, overall], ignore_index=True))


# --- persistence ---------------------------------------------------------------------------


PERSISTENCE_COLUMNS = ["dose_group", "dose_order", "nominal_day", "n_sampled", "n_detectable",
                       "fraction", "n/N"]


@dataclass(frozen=True)
class Persistence:
    """Patients with detectable transgene per dose group x nominal visit (:data:`PERSISTENCE_RULE`).

    ``table`` columns: dose_group, dose_order, nominal_day, n_sampled, n_detectable, fraction
    (0-1), "n/N" (text), sorted by dose order and visit.
    """

    count: PatientCount
    table: pd.DataFrame

    def display(self) -> pd.DataFrame:
        """Visits as rows, dose groups as columns, cells "k/N (pct%)"."""
        t = self.table
        if t.empty:
            return pd.DataFrame(columns=["Visit (day)"])
        cells = zip(t["n_detectable"], t["n_sampled"], strict=True)
        t = t.assign(cell=[format_n_of_N(int(k), int(n), 0) for k, n in cells])
        groups = list(dict.fromkeys(t.sort_values("dose_order")["dose_group"]))
        wide = t.pivot(index="nominal_day", columns="dose_group", values="cell")
        wide = wide.reindex(columns=groups).fillna("–").reset_index()
        wide["nominal_day"] = wide["nominal_day"].map(_fmt_day)
        wide.columns.name = None
        return wide.rename(columns={"nominal_day": "Visit (day)"})


@cohort_analysis
def persistence_by_visit(cohort: Cohort) -> Persistence:
    """How many sampled patients still had quantifiable transgene at each nominal visit."""
    samples = kinetic_profiles(cohort, TRANSGENE).samples.copy()
    samples["nominal_day"] = visit_day(samples)
    samples = samples[samples["nominal_day"] > 0]
    if samples.empty:
        return Persistence(cohort.count, pd.DataFrame(columns=PERSISTENCE_COLUMNS))
    samples["detectable"] = ~samples["blq"]
    per_patient = (samples.groupby(["dose_order", "dose_group", "nominal_day", "USUBJID"])
                   ["detectable"].any().reset_index())
    table = (per_patient.groupby(["dose_order", "dose_group", "nominal_day"])["detectable"]
             .agg(n_sampled="size", n_detectable="sum").reset_index())
    table["n_detectable"] = table["n_detectable"].astype(int)
    table["fraction"] = table["n_detectable"] / table["n_sampled"]
    counts = zip(table["n_detectable"], table["n_sampled"], strict=True)
    table["n/N"] = [f"{k}/{n}" for k, n in counts]
    table = table[PERSISTENCE_COLUMNS].sort_values(["dose_order", "nominal_day"])
    return Persistence(cohort.count, table.reset_index(drop=True))


# --- CD7+ lymphocytes beside CAR-T ---------------------------------------------------------


CD7_COLUMNS = ["USUBJID", "dose_group", "dose_order", "subtype", "measure", "PARAMCD", "day",
               "nominal_day", "AVAL", "LLOQ", "plotted_value", "blq", "unit"]


@dataclass(frozen=True)
class CD7WithCart:
    """CD7+ lymphocytes and transgene copies of each infused patient over days since infusion.

    ``frame`` is long: one row per patient x measure x sample, ``measure`` is "Transgene" or
    "CD7+ lymphocytes"; ``plotted_value`` places BLQ transgene samples at the LLOQ (CD7+
    counts have no LLOQ and are never BLQ: ``plotted_value = AVAL``). Either measure may be
    missing when its data set is absent. ``nominal_day``: the protocol visit of a transgene
    sample; laboratory data carry none, so a CD7+ sample's is :func:`lab_visit_day`.
    """

    count: PatientCount
    frame: pd.DataFrame

    @property
    def measures(self) -> list[str]:
        return list(dict.fromkeys(self.frame["measure"]))


@cohort_analysis
def cd7_with_cart(cohort: Cohort) -> CD7WithCart:
    """CD7+ lymphocytes (ADLB CD7LYMPH, cells/µL) beside transgene copies, per patient."""
    transgene = kinetic_profiles(cohort, TRANSGENE).samples
    cart = pd.DataFrame({
        "USUBJID": transgene["USUBJID"], "dose_group": transgene["dose_group"],
        "dose_order": transgene["dose_order"], "subtype": transgene["subtype"],
        "measure": MEASURE_LABELS[TRANSGENE], "PARAMCD": TRANSGENE, "day": transgene["day"],
        "nominal_day": transgene["nominal_day"],
        "AVAL": transgene["AVAL"], "LLOQ": transgene["LLOQ"],
        "plotted_value": transgene["plotted_value"],
        "blq": transgene["blq"], "unit": UNITS[TRANSGENE],
    })
    labs = _infused_samples(cohort, cohort.lab_values([CD7_LYMPHOCYTES]))
    labs = labs[labs["PARAMCD"] == CD7_LYMPHOCYTES]
    value = pd.to_numeric(labs["AVAL"], errors="coerce").astype(float)
    cd7 = pd.DataFrame({
        "USUBJID": labs["USUBJID"], "dose_group": labs["dose_group"],
        "dose_order": labs["dose_order"], "subtype": labs["subtype"],
        "measure": MEASURE_LABELS[CD7_LYMPHOCYTES], "PARAMCD": CD7_LYMPHOCYTES,
        "day": pd.to_numeric(labs["day"], errors="coerce").astype(float),
        "nominal_day": lab_visit_day(labs), "AVAL": value, "LLOQ": np.nan,
        "plotted_value": value, "blq": False,
        "unit": UNITS[CD7_LYMPHOCYTES],
    }).dropna(subset=["AVAL"])
    parts = [p for p in (cart, cd7) if not p.empty]
    if not parts:
        return CD7WithCart(cohort.count, pd.DataFrame(columns=CD7_COLUMNS))
    frame = pd.concat(parts, ignore_index=True)[CD7_COLUMNS]
    frame = frame.astype({"blq": bool}).sort_values(
        ["dose_order", "USUBJID", "PARAMCD", "day"], kind="stable").reset_index(drop=True)
    return CD7WithCart(cohort.count, frame)


def lab_visit_day(labs: pd.DataFrame) -> pd.Series:
    """The visit day of each laboratory sample: the median actual day of the samples given
    with its visit label (``AVISIT``), to the whole day.

    ADLB has no planned day (ADPC's ``NFRLT``), and actual days scatter around the visit
    (day 8 to 12 for "Day 10"); a sample without a visit label keeps NaN, for which
    :func:`visit_day` takes its actual day.
    """
    if "AVISIT" not in labs.columns:
        return pd.Series(np.nan, index=labs.index, dtype=float)
    day = pd.to_numeric(labs["day"], errors="coerce").astype(float)
    return day.groupby(labs["AVISIT"]).transform("median").round()


def cd7_cart_band_by_dose(paired: CD7WithCart) -> pd.DataFrame:
    """:func:`median_band_by_dose` of each measure of :func:`cd7_with_cart` (transgene copies,
    BLQ at the LLOQ, and CD7+ lymphocytes) per dose group x nominal visit.

    Returns
    -------
    pandas.DataFrame
        Columns measure, dose_group, dose_order, nominal_day, median, q1, q3, n.
    """
    return _median_band(paired.frame, ["measure"])


# --- formatting ----------------------------------------------------------------------------


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _fmt_number(value, digits: int = 0) -> str:
    return "" if _missing(value) else f"{value:,.{digits}f}"


def _fmt_count(value) -> str:
    """Copies and AUCs: thousands separators, no decimals (3 significant figures below 100)."""
    if _missing(value):
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _fmt_day(value) -> str:
    """Days: whole numbers without decimals, fractions with one."""
    if _missing(value):
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _fmt_gmean_cv(gmean, cv) -> str:
    if _missing(gmean):
        return "–"
    return f"{_fmt_count(gmean)} ({'NA' if _missing(cv) else f'{cv:.0f}%'})"


def _fmt_count_range(median, low, high) -> str:
    if _missing(median):
        return "–"
    return f"{_fmt_count(median)} ({_fmt_count(low)}–{_fmt_count(high)})"


def _fmt_half_life(median, low, high, n) -> str:
    if _missing(median):
        return "–"
    return f"{median:.1f} ({low:.1f}–{high:.1f}) [{n}]"


def _fmt_median_range(median, low, high) -> str:
    if _missing(median):
        return "–"
    return f"{_fmt_day(median)} ({_fmt_day(low)}–{_fmt_day(high)})"
