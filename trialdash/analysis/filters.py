"""The one filter every analysis takes: dose groups, disease subtypes, patients and sites.

An empty tuple means "no restriction". Filters combine with AND: a patient is kept when
their dose group, subtype and ID are each allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Filter:
    """Dose groups, subtypes, USUBJIDs and ADSL SITEIDs to keep (empty = all)."""

    dose_groups: tuple[str, ...] = ()
    subtypes: tuple[str, ...] = ()
    patients: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        dose_groups: Iterable[str] | None = None,
        subtypes: Iterable[str] | None = None,
        patients: Iterable[str] | None = None,
        sites: Iterable[str] | None = None,
    ) -> Filter:
        return cls(tuple(dose_groups or ()), tuple(subtypes or ()), tuple(patients or ()),
                   tuple(sites or ()))

    @property
    def is_everyone(self) -> bool:
        return not (self.dose_groups or self.subtypes or self.patients or self.sites)

    def query_params(self) -> dict[str, list[str] | None]:
        """Parameters for ``queries/subjects.sql`` (None = no restriction); the site filter
        is applied to that query's result by :class:`trialdash.trial.Cohort`."""
        return {
            "dose_groups": list(self.dose_groups) or None,
            "subtypes": list(self.subtypes) or None,
            "subjects": list(self.patients) or None,
        }

    def describe(self, patient_label=None) -> str:
        """One line stating the active filters, e.g. 'Dose: 1.0 x10^6 cells/kg · Subtype: all'.

        ``patient_label`` maps a USUBJID to what is shown (a pseudonym in presentation mode).
        """
        label = patient_label or (lambda p: p)
        parts = [
            "Dose: " + (", ".join(self.dose_groups) or "all"),
            "Subtype: " + (", ".join(self.subtypes) or "all"),
            "Patients: " + (", ".join(label(p) for p in self.patients) or "all"),
        ]
        if self.sites:
            parts.append("Sites: " + ", ".join(self.sites))
        return " · ".join(parts)


@dataclass(frozen=True)
class PatientCount:
    """How many infused patients a filter kept out of how many infused in the snapshot."""

    kept: int
    total: int

    def __str__(self) -> str:
        return f"{self.kept:,} of {self.total:,} patients"
