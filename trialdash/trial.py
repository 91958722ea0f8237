"""Access to a snapshot through its named queries: the trial and a filtered cohort.

:class:`Trial` owns a *query runner* (``run(name, **params) -> DataFrame``); the plain
runner executes on a read-only DuckDB connection, the dashboard passes a cached one.
:class:`Cohort` is the trial seen through a :class:`Filter`: every analysis function
takes a cohort, so they all apply the same filter and can say how many patients it kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import pandas as pd

from trialdash import queries
from trialdash.analysis.filters import Filter, PatientCount
from trialdash.analysis.memo import Memo
from trialdash.snapshot import connect_read_only, present_datasets, read_meta
from trialdash.study_labels import CAR_T_PROFILE, DISEASE_SUBTYPE, StudyLabels
from trialdash.wording import Wording

QueryRunner = Callable[..., pd.DataFrame]
Result = TypeVar("Result")


class KeepsDerived:
    """Keeps intermediate results that several analyses share (e.g. the treatment-emergent
    events of a window) for the life of the object, so a page's analyses compute each once.
    A Trial's are pure functions of its snapshot, a Cohort's of its snapshot and filter."""

    @cached_property
    def _derived(self) -> dict[Hashable, object]:
        return {}

    def derived(self, key: Hashable, compute: Callable[[], Result]) -> Result:
        """``compute()`` the first time ``key`` is asked for, the kept result afterwards.

        Callers must not modify the result in place.
        """
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]  # type: ignore[return-value]


class Trial(KeepsDerived):
    """A snapshot: its meta data and a runner for its named queries."""

    def __init__(self, run: QueryRunner, meta: dict, memo: Memo | None = None):
        self.run = run
        self.meta = meta
        #: Keeps the results of cohort analyses (see trialdash.analysis.memo); None = none.
        self.memo = memo

    @classmethod
    def open(cls, path: Path | None = None) -> Trial:
        """Open a snapshot file read-only with an uncached runner (CLI, tests)."""
        con = connect_read_only(path)
        return cls(lambda name, **params: queries.run(con, name, **params), read_meta(con))

    @property
    def is_synthetic(self) -> bool:
        return self.meta["source_kind"] == "synthetic"

    @property
    def labels(self) -> StudyLabels:
        """What the build learnt about labelling the study (response criteria, CTCAE version,
        subtype label, cell therapy); the CAR-T profile for snapshots that predate them."""
        meta, default = self.meta, CAR_T_PROFILE
        if meta.get("clinical_profile") is None:
            return default
        return StudyLabels(
            response_criteria=meta.get("response_criteria"),
            responder_definition=meta.get("responder_definition"),
            clinical_profile=meta.get("clinical_profile") == "Y",
            grade_scale=meta.get("grade_scale") or default.grade_scale,
            subtype_label=meta.get("subtype_label"),
            cell_therapy=meta.get("cell_therapy") == "Y",
        )

    @property
    def subtype_label(self) -> str:
        """How the subtype variable is called: its own label ('Sex'), 'Disease subtype'."""
        return self.labels.subtype_label or DISEASE_SUBTYPE

    @property
    def is_cell_therapy(self) -> bool:
        """Whether time is counted from a cell infusion (else from treatment start)."""
        return self.labels.cell_therapy

    @property
    def day_zero(self) -> str:
        """What day 0 is: 'CAR-T infusion' for a cell therapy, else 'treatment start'."""
        return "CAR-T infusion" if self.is_cell_therapy else "treatment start"

    @property
    def wording(self) -> Wording:
        """The study's wording for text written in the house (CAR-T) wording."""
        return Wording(self.is_cell_therapy, self.subtype_label)

    def has(self, dataset: str) -> bool:
        """Whether the source held this data set (absent ones are empty tables)."""
        return dataset in present_datasets(self.meta)

    @cached_property
    def options(self) -> pd.DataFrame:
        """Dose groups, subtypes and patients available to filters, in display order."""
        return self.run("filter_options")

    @property
    def dose_groups(self) -> list[str]:
        """Dose-group labels in ascending dose order."""
        frame = self.options.dropna(subset=["dose_group"]).sort_values("dose_order")
        return list(dict.fromkeys(frame["dose_group"]))

    @property
    def subtypes(self) -> list[str]:
        """Subtypes in the snapshot, in the canonical order when known, else alphabetically."""
        from trialdash.style import subtype_sort_key

        return sorted(self.options["subtype"].dropna().unique(), key=subtype_sort_key)

    def pseudonyms(self) -> dict[str, str]:
        """USUBJID -> stable pseudonym (P-7K3Q, keyed hash, see trialdash.pseudonyms)."""
        return dict(zip(self.options["USUBJID"], self.options["pseudonym"], strict=True))

    def site_labels(self) -> dict[str, str]:
        """SITEID -> label for the site filter (with the site name when ADSL has one)."""
        from trialdash.access import site_choices

        return site_choices(self.run("subjects", dose_groups=None, subtypes=None,
                                     subjects=None))

    def cohort(self, flt: Filter | None = None) -> Cohort:
        return Cohort(self, flt or Filter())

    def findings(self) -> pd.DataFrame:
        """Every data-quality finding of the build (schema FINDINGS), study-level ones too."""
        return self.run("findings", subjects=None)

    def teae_flag_values(self) -> pd.DataFrame:
        """USUBJID, TRTEMFL: the distinct non-null treatment-emergent flags of each ADSL
        subject's adverse events (which treatment-emergence rule applies)."""
        return self.run("teae_flag_values")


@dataclass
class Cohort(KeepsDerived):
    """The trial restricted by a filter. Data sets load on first use."""

    trial: Trial
    filter: Filter = field(default_factory=Filter)

    @cached_property
    def subjects(self) -> pd.DataFrame:
        """ADSL rows kept by the filter: enrolled, not-infused and screen-failure rows too."""
        frame = self.trial.run("subjects", **self.filter.query_params())
        if self.filter.sites:
            site = frame["SITEID"].astype("string").str.strip()
            frame = frame[site.isin(self.filter.sites).fillna(False)].reset_index(drop=True)
        return frame

    @cached_property
    def infused(self) -> pd.DataFrame:
        """ADSL rows of infused patients kept by the filter (the analysis population)."""
        return self.subjects[self.subjects["infused"] == "Y"].reset_index(drop=True)

    @cached_property
    def count(self) -> PatientCount:
        everyone = self.trial.run("subjects", dose_groups=None, subtypes=None, subjects=None)
        return PatientCount(len(self.infused), int((everyone["infused"] == "Y").sum()))

    @property
    def ids(self) -> list[str]:
        return list(self.subjects["USUBJID"])

    def adverse_events(self, window_days: int | None = None) -> pd.DataFrame:
        return self.trial.run("adverse_events", subjects=self.ids, window_days=window_days)

    def ae_worst_grades(self, window_days: int | None = None) -> pd.DataFrame:
        return self.trial.run("ae_max_grade_by_subject_term", subjects=self.ids,
                              window_days=window_days)

    def safety_events(self) -> pd.DataFrame:
        """Adverse events, whole follow-up, with the columns the safety tables use (query
        ``safety_events``; :meth:`adverse_events` has every column)."""
        return self.trial.run("safety_events", subjects=self.ids)

    def syndrome_worst_grades(self) -> pd.DataFrame:
        """USUBJID, aesi, worst_grade: each subject's worst CRS and ICANS grade (ASTCT, else
        the derived grade), every event (query ``syndrome_worst_grades``)."""
        return self.trial.run("syndrome_worst_grades", subjects=self.ids)

    def responses(self) -> pd.DataFrame:
        return self.trial.run("response_assessments", subjects=self.ids)

    def time_to_event(self, paramcd: str) -> pd.DataFrame:
        return self.trial.run("time_to_event", subjects=self.ids, paramcd=paramcd)

    def kinetics(self, paramcd: str = "TRANSGEN") -> pd.DataFrame:
        return self.trial.run("kinetics_samples", subjects=self.ids, paramcd=paramcd)

    def labs(self, paramcds: list[str] | None = None) -> pd.DataFrame:
        return self.trial.run("lab_samples", subjects=self.ids, paramcds=paramcds)

    def kinetic_profile(self, paramcd: str = "TRANSGEN") -> pd.DataFrame:
        """The samples of one ADPC parameter with their BLQ status, drawn value and
        after-allo-HSCT flag (query ``kinetic_profile``; :meth:`kinetics` has every column)."""
        return self.trial.run("kinetic_profile", subjects=self.ids, paramcd=paramcd)

    def lab_values(self, paramcds: list[str]) -> pd.DataFrame:
        """Laboratory values (USUBJID, dose group, subtype, PARAMCD, AVAL, AVALU, day) of the
        chosen parameters (query ``lab_values``; :meth:`labs` has every column)."""
        return self.trial.run("lab_values", subjects=self.ids, paramcds=paramcds)

    def lab_nearest_samples(self, paramcds: list[str], landmarks: list[int],
                            tolerance_days: int) -> pd.DataFrame:
        """Per subject, PARAMCD and unit, the sample nearest each landmark day within the
        tolerance (query ``lab_nearest_samples``)."""
        return self.trial.run("lab_nearest_samples", subjects=self.ids, paramcds=paramcds,
                              landmarks=landmarks, tolerance_days=tolerance_days)

    def lab_peaks(self, paramcds: list[str], first_day: int, last_day: int) -> pd.DataFrame:
        """Per subject and PARAMCD, the highest value from ``first_day`` to ``last_day`` and
        the unit of the earliest sample with one (query ``lab_peaks``)."""
        return self.trial.run("lab_peaks", subjects=self.ids, paramcds=paramcds,
                              first_day=first_day, last_day=last_day)

    def endpoints(self) -> pd.DataFrame:
        return self.trial.run("endpoints")

    def findings(self) -> pd.DataFrame:
        """Data-quality findings about the cohort's subjects, plus study-level findings (no
        subject). Unfiltered, every finding, including subjects absent from ADSL."""
        if self.filter.is_everyone:
            return self.trial.findings()
        return self.trial.run("findings", subjects=self.ids)
