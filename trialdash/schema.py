"""The snapshot's tables and columns: the single description every other module uses.

Source columns carry CDISC ADaM variable names in UPPER case, so that sponsor data maps
onto them directly. Columns the snapshot build derives for the dashboard (days since
infusion, dose-group order, labels, pseudonyms) are in lower snake_case, so a reader can
always tell an ADaM variable from a derivation.

Assumptions
-----------
* Day 0 is the day of CAR-T infusion (ADSL.TRTSDT). ``*_day`` columns are
  ``date - TRTSDT`` in days, so the day before infusion is -1 and there is no gap at 0
  (unlike ADaM's ``--DY`` variables, which skip day 0; those are kept as delivered).
* Dates are calendar dates (DuckDB ``DATE``); SAS numeric dates are converted on import.
* Grades are integers 1-5 (CTCAE v5.0). CRS and ICANS also carry an ASTCT consensus
  grade (Lee 2019) in ``ASTCTGR``.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 2

# DuckDB column types used below.
TEXT, NUM, INT, DATE, TS = "VARCHAR", "DOUBLE", "INTEGER", "DATE", "TIMESTAMP"


@dataclass(frozen=True)
class Column:
    """One column of a snapshot table.

    ``required`` columns must be present in an imported data set; ``derived`` columns are
    computed by the snapshot build and never read from source files.
    """

    name: str
    type: str
    doc: str
    required: bool = False
    derived: bool = False


@dataclass(frozen=True)
class Table:
    """One snapshot table: its ADaM data-set name, grain and columns."""

    name: str
    grain: str
    doc: str
    columns: tuple[Column, ...]
    required_dataset: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def source_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.derived]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name}")


def _c(name: str, type_: str, doc: str, *, req: bool = False) -> Column:
    return Column(name, type_, doc, required=req)


def _d(name: str, type_: str, doc: str) -> Column:
    return Column(name, type_, doc, derived=True)


# Derived columns shared by every per-subject data set: copied from ADSL in the build so
# that tables can be filtered and coloured without a join.
_SUBJECT_LABELS = (
    _d("dose_group", TEXT, "Dose group label (from the dose variable, TRT01A by default)."),
    _d("dose_order", INT, "Position of the dose group in ascending dose order, 1 = lowest."),
    _d("subtype", TEXT, "Disease subtype (from the subtype variable, DISTYPE by default)."),
    _d("pseudonym", TEXT, "Pseudonym for presentations, e.g. P-7K3Q: keyed hash of USUBJID "
                          "(key beside the snapshot, not in it); stable across cuts."),
)

ADSL = Table(
    "adsl",
    "one row per subject",
    "Subject-level analysis data set: demographics, disease, treatment, key dates.",
    (
        _c("STUDYID", TEXT, "Study identifier.", req=True),
        _c("USUBJID", TEXT, "Unique subject identifier.", req=True),
        _c("SUBJID", TEXT, "Subject identifier within the study."),
        _c("SITEID", TEXT, "Study site identifier."),
        _c("SITENAM", TEXT, "Study site name (not standard ADaM; optional). Shown beside "
                            "SITEID in the Sites filter when the data have it."),
        _c("AGE", NUM, "Age at consent, years."),
        _c("SEX", TEXT, "Sex (M, F)."),
        _c("RACE", TEXT, "Race."),
        _c("DISTYPE", TEXT, "Disease subtype: T-ALL, T-LBL, PTCL-NOS, AITL, ALCL."),
        _c("TRT01P", TEXT, "Planned dose group, e.g. '0.5 x10^6 cells/kg'."),
        _c("TRT01PN", NUM, "Planned dose, 10^6 CAR-T cells/kg."),
        _c("TRT01A", TEXT, "Actual dose group; blank when not infused."),
        _c("TRT01AN", NUM, "Actual dose, 10^6 CAR-T cells/kg."),
        _c("RFICDT", DATE, "Date of informed consent (enrollment)."),
        _c("LDSTDT", DATE, "Start date of lymphodepletion (fludarabine + cyclophosphamide)."),
        _c("TRTSDT", DATE, "Date of CAR-T infusion (day 0); missing when not infused."),
        _c("SAFFL", TEXT, "Safety population flag: Y = infused."),
        _c("EFFFL", TEXT, "Efficacy-evaluable flag (Y/N)."),
        _c("DLTEVLFL", TEXT, "DLT-evaluable flag (Y/N): completed the 28-day DLT window."),
        _c("DLTFL", TEXT, "Subject had a dose-limiting toxicity (Y/N)."),
        _c("COHORT", TEXT, "Escalation or expansion cohort."),
        _c("NINFRSN", TEXT, "Reason enrolled but not infused (blank if infused)."),
        _c("PRIORLN", NUM, "Number of prior lines of therapy."),
        _c("PRHSCTFL", TEXT, "Prior allogeneic HSCT (Y/N)."),
        _c("PRIREFFL", TEXT, "Primary refractory disease (Y/N); N = relapsed."),
        _c("BRIDGFL", TEXT, "Bridging therapy before lymphodepletion (Y/N)."),
        _c("EMDBLFL", TEXT, "Extramedullary disease at baseline (Y/N)."),
        _c("CNSBLFL", TEXT, "CNS involvement at baseline (Y/N)."),
        _c("BMBLAST", NUM, "Baseline bone-marrow blasts, %."),
        _c("ECOGBL", NUM, "Baseline ECOG performance status (0-4)."),
        _c("WEIGHTBL", NUM, "Baseline weight, kg."),
        _c("CELLINF", NUM, "Total CAR-T cells infused, 10^6 cells."),
        _c("HSCTDT", DATE, "Date of consolidative allo-HSCT after CAR-T (blank if none)."),
        _c("PDDT", DATE, "Date of first progression or relapse (blank if none)."),
        _c("RELCD7", TEXT, "CD7 status of the relapse: NEGATIVE or POSITIVE (blank if none)."),
        _c("DTHFL", TEXT, "Subject died (Y/N)."),
        _c("DTHDT", DATE, "Date of death."),
        _c("DTHCAUS", TEXT, "Cause of death, e.g. DISEASE PROGRESSION, INFECTION, GVHD, CRS."),
        _c("LSTALVDT", DATE, "Date last known alive."),
        _c("EOSSTT", TEXT, "End-of-study status: ONGOING, COMPLETED, DISCONTINUED."),
        _c("DCSREAS", TEXT, "Reason for discontinuation from study."),
        _c("DCUTDT", DATE, "Data cut-off date."),
        *_SUBJECT_LABELS,
        _d("enrolled", TEXT,
           "Y if enrolled (consented and assigned a dose), N for screen failures."),
        _d("lymphodepleted", TEXT, "Y if lymphodepletion started."),
        _d("infused", TEXT, "Y if CAR-T infused (TRTSDT present)."),
        _d("hsct_day", INT, "Days from infusion to consolidative allo-HSCT."),
        _d("pd_day", INT, "Days from infusion to progression/relapse."),
        _d("death_day", INT, "Days from infusion to death."),
        _d("last_day", INT, "Days from infusion to last contact (death or last known alive)."),
        _d("status", TEXT, "Current status: Dead, Alive in follow-up, Off study, Not infused."),
    ),
    required_dataset=True,
)

ADAE = Table(
    "adae",
    "one row per adverse event",
    "Adverse events.",
    (
        _c("STUDYID", TEXT, "Study identifier."),
        _c("USUBJID", TEXT, "Unique subject identifier.", req=True),
        _c("AESEQ", INT, "Sequence number within subject."),
        _c("AETERM", TEXT, "Reported term."),
        _c("AEDECOD", TEXT, "Preferred term (CTCAE v5.0 / MedDRA).", req=True),
        _c("AEBODSYS", TEXT, "System organ class."),
        _c("AETOXGR", INT, "CTCAE v5.0 grade 1-5; blank for ICANS (no CTCAE v5.0 term)."),
        _c("AESEV", TEXT, "Severity (MILD, MODERATE, SEVERE) when no CTCAE grade is given."),
        _c("ASTCTGR", INT, "ASTCT consensus grade (Lee 2019), for CRS and ICANS only."),
        _c("ASTDT", DATE, "Analysis start date."),
        _c("AENDT", DATE, "Analysis end date (blank if ongoing)."),
        _c("ASTDY", INT, "Study day of start as delivered (ADaM convention)."),
        _c("AENDY", INT, "Study day of end as delivered."),
        _c("AESER", TEXT, "Serious (Y/N)."),
        _c("AEREL", TEXT, "Relationship to CAR-T."),
        _c("TRTEMFL", TEXT, "Treatment-emergent flag (Y/N)."),
        _c("AEDLTFL", TEXT, "Event is a dose-limiting toxicity (Y/N)."),
        _c("TOCIFL", TEXT, "Tocilizumab given for this event (Y/N)."),
        _c("STERFL", TEXT, "Corticosteroids given for this event (Y/N)."),
        *_SUBJECT_LABELS,
        _d("start_day", INT, "Days from infusion to onset (day 0 = infusion)."),
        _d("end_day", INT, "Days from infusion to resolution (blank if ongoing)."),
        _d("grade", INT, "Worst-grade scale value: AETOXGR, or 1-3 from AESEV when no grade."),
        _d("grade_scale", TEXT, "'CTCAE v5.0' or 'Severity (mild/moderate/severe)'."),
        _d("aesi", TEXT, "CRS, ICANS or blank: events of special interest for CAR-T."),
    ),
)

ADRS = Table(
    "adrs",
    "one row per subject x parameter x assessment",
    "Response: overall response per assessment (OVR) and best overall response (BOR).",
    (
        _c("STUDYID", TEXT, "Study identifier."),
        _c("USUBJID", TEXT, "Unique subject identifier.", req=True),
        _c("PARAMCD", TEXT, "OVR (overall response at a visit), BOR (best overall), BMRESP "
           "(bone-marrow response at a visit, patients with marrow disease only) or EMRESP "
           "(extramedullary response at a visit, patients with extramedullary disease only).",
           req=True),
        _c("PARAM", TEXT, "Parameter description."),
        _c("AVALC", TEXT, "Response: CR, CRi, PR, SD, PD, NE (relapse after CR reported as PD).",
           req=True),
        _c("AVISIT", TEXT, "Analysis visit."),
        _c("ADT", DATE, "Assessment date."),
        _c("ADY", INT, "Study day as delivered."),
        _c("CRIT", TEXT, "Response criteria, e.g. 'NCCN/ELN (T-ALL)', 'Lugano 2014', "
           "'RECIST 1.1'; where blank, those named by CRITy, PARCATy or PARAM."),
        _c("MRDSTAT", TEXT, "Bone-marrow MRD status where assessed (NEGATIVE/POSITIVE)."),
        _c("EXTMDFL", TEXT, "Extramedullary disease assessed (Y/N)."),
        *_SUBJECT_LABELS,
        _d("day", INT, "Days from infusion to the assessment."),
    ),
)

ADTTE = Table(
    "adtte",
    "one row per subject x parameter",
    "Time-to-event: OS, PFS, DOR and whatever other PARAMCDs the source holds.",
    (
        _c("STUDYID", TEXT, "Study identifier."),
        _c("USUBJID", TEXT, "Unique subject identifier.", req=True),
        _c("PARAMCD", TEXT, "Endpoint code: OS, PFS, DOR, ...", req=True),
        _c("PARAM", TEXT, "Endpoint description."),
        _c("AVAL", NUM, "Time to event or censoring, in AVALU (days when blank).", req=True),
        _c("AVALU", TEXT, "Unit of AVAL (DAYS by default)."),
        _c("CNSR", INT, "0 = event, 1 (or higher) = censored.", req=True),
        _c("STARTDT", DATE, "Time origin: infusion (OS, PFS) or first response (DOR)."),
        _c("ADT", DATE, "Date of event or censoring."),
        _c("EVNTDESC", TEXT, "Event description."),
        _c("CNSDTDSC", TEXT, "Censoring date description."),
        *_SUBJECT_LABELS,
        _d("aval_days", NUM, "AVAL converted to days."),
        _d("event", INT, "1 = event, 0 = censored (CNSR == 0)."),
        _d("aval_days_hsct", NUM, "Time in days when censored at consolidative allo-HSCT."),
        _d("event_hsct", INT, "Event indicator when censored at consolidative allo-HSCT."),
    ),
)

ADPC = Table(
    "adpc",
    "one row per subject x parameter x sample",
    "CAR-T cellular kinetics: transgene copies (qPCR) and % CAR+ T cells (flow).",
    (
        _c("STUDYID", TEXT, "Study identifier."),
        _c("USUBJID", TEXT, "Unique subject identifier.", req=True),
        _c("PARAMCD", TEXT, "TRANSGEN (copies/ug gDNA, qPCR) or CARPCT (% CAR+ of CD3+).",
           req=True),
        _c("PARAM", TEXT, "Parameter description."),
        _c("AVAL", NUM, "Result; for BLQ samples the measured value or blank, never zero-filled."),
        _c("AVALU", TEXT, "Unit of AVAL."),
        _c("AVISIT", TEXT, "Nominal visit label."),
        _c("NFRLT", NUM, "Nominal time from infusion (days unless RRLTU says hours)."),
        _c("AFRLT", NUM, "Actual time from infusion (days unless RRLTU says hours)."),
        _c("RRLTU", TEXT, "Unit of NFRLT/AFRLT (DAYS or HOURS)."),
        _c("ADT", DATE, "Sample date."),
        _c("LLOQ", NUM, "Lower limit of quantification, in AVALU."),
        _c("BLQFL", TEXT, "Below LLOQ (Y/N)."),
        *_SUBJECT_LABELS,
        _d("nominal_day", NUM, "Nominal days since infusion."),
        _d("day", NUM, "Actual days since infusion."),
        _d("blq", TEXT, "Y if below the LLOQ (from BLQFL, or AVAL < LLOQ)."),
    ),
)

ADLB = Table(
    "adlb",
    "one row per subject x parameter x sample",
    "Laboratory: CD7+ lymphocytes, blood counts and inflammatory markers.",
    (
        _c("STUDYID", TEXT, "Study identifier."),
        _c("USUBJID", TEXT, "Unique subject identifier.", req=True),
        _c("PARAMCD", TEXT, "CD7LYMPH, ANC, PLAT, HGB, LYMPH, CRP, FERRITIN, IL6.", req=True),
        _c("PARAM", TEXT, "Parameter description."),
        _c("AVAL", NUM, "Result."),
        _c("AVALU", TEXT, "Unit of AVAL."),
        _c("AVISIT", TEXT, "Analysis visit."),
        _c("ADT", DATE, "Sample date."),
        _c("ADY", INT, "Study day as delivered."),
        *_SUBJECT_LABELS,
        _d("day", INT, "Days from infusion to the sample."),
    ),
)

META = Table(
    "meta",
    "one row",
    "About the snapshot: study, data cut-off, build and sources.",
    (
        _d("study_id", TEXT, "STUDYID."),
        _d("title", TEXT, "Study title."),
        _d("registry_id", TEXT, "Registry identifier, e.g. NCT05290155."),
        _d("cutoff_date", DATE, "Data cut-off date."),
        _d("built_at", TS, "When the snapshot was built (UTC)."),
        _d("source_kind", TEXT, "'synthetic' or 'adam'."),
        _d("source", TEXT,
           "Human-readable source: 'synthetic, seed 20220501' or the import folder."),
        _d("source_files", TEXT, "JSON list of imported files with sha256 (empty for synthetic)."),
        _d("seed", INT, "Seed of the synthetic generator (blank for imports)."),
        _d("dose_var", TEXT, "ADSL variable the dose groups come from."),
        _d("subtype_var", TEXT, "ADSL variable the disease subtypes come from."),
        _d("row_counts", TEXT, "JSON object: rows per table."),
        _d("schema_version", INT, "Version of this schema."),
        _d("response_criteria", TEXT,
           "Response criteria named by ADRS (CRIT, CRITy, PARCATy, PARAM) or by the user; "
           "blank when nothing states them."),
        _d("responder_definition", TEXT,
           "'CR + CRi' or 'CR + PR', following the criteria; blank when the built-in "
           "clinical profile defines it by subtype."),
        _d("clinical_profile", TEXT,
           "Y when the built-in CAR-T profile (T-ALL: NCCN/ELN; lymphomas: Lugano 2014) "
           "applies: the synthetic trial, or subtypes that are all those diseases."),
        _d("grade_scale", TEXT,
           "AE grading scale: 'CTCAE v<version>' from the data or the user, else "
           "'CTCAE (version not stated)'."),
        _d("subtype_label", TEXT, "Label of the subtype variable (e.g. 'Sex' for SEX)."),
        _d("cell_therapy", TEXT,
           "Y for a cell therapy (infusion wording); N: time from treatment start."),
    ),
)

FINDINGS = Table(
    "findings",
    "one row per finding (a source value a data manager would query)",
    "Data-quality findings of the build: implausible but possible source values that were "
    "recorded and imported, not refused. Empty for a clean source.",
    (
        _d("dataset", TEXT, "Data set the finding is about (adsl, adae, ...)."),
        _d("file", TEXT, "Source file name."),
        _d("row", INT, "Row in the source file, 1 = first data row (blank when not one row)."),
        _d("column", TEXT, "Source variable (blank when the finding is about a whole row)."),
        _d("usubjid", TEXT, "Subject the finding is about (blank when none)."),
        _d("value", TEXT, "The value found, as text."),
        _d("rule", TEXT, "Short name of the rule, e.g. 'date_before_1980'."),
        _d("message", TEXT, "What is implausible and what was done with it."),
    ),
)

DATASETS: tuple[Table, ...] = (ADSL, ADAE, ADRS, ADTTE, ADPC, ADLB)
# Tables written into every snapshot besides ``meta``: the data sets and the findings.
SNAPSHOT_TABLES: tuple[Table, ...] = (*DATASETS, FINDINGS)
TABLES: dict[str, Table] = {t.name: t for t in (*SNAPSHOT_TABLES, META)}


def schema_markdown() -> str:
    """Every table and column as Markdown (the body of docs/snapshot-schema.md)."""
    lines = [
        "# Snapshot tables and columns",
        "",
        "Generated from `trialdash/schema.py` (`python -m trialdash schema-doc`); do not edit.",
        "UPPER-case columns are ADaM variables read from the source; lower-case columns are",
        "derived by the snapshot build. Day 0 is the infusion date (ADSL.TRTSDT).",
        f"Schema version {SCHEMA_VERSION}.",
    ]
    for table in TABLES.values():
        lines += ["", f"## `{table.name}`: {table.doc}", "", f"Grain: {table.grain}.", "",
                  "| column | type | required | description |", "|---|---|---|---|"]
        for col in table.columns:
            required = "yes" if col.required else ("derived" if col.derived else "")
            lines.append(f"| `{col.name}` | {col.type} | {required} | {col.doc} |")
    return "\n".join(lines) + "\n"
