"""The one filter every analysis takes: dose groups, disease subtypes and patients.

An empty tuple means "no restriction". Filters combine with AND: a patient is kept when
their dose group, subtype and ID are each allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Filter:
    """Dose groups, subtypes and USUBJIDs to keep (empty = all)."""

    dose_groups: tuple[str, ...] = ()
    subtypes: tuple[str, ...] = ()
    patients: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        dose_groups: Iterable[str] | None = None,
        subtypes: Iterable[str] | None = None,
        patients: Iterable[str] | None = None,
    ) -> Filter:
        return cls(tuple(dose_groups or ()), tuple(subtypes or ()), tuple(patients or ()))

    @property
    def is_everyone(self) -> bool:
        return not (self.dose_groups or self.subtypes or self.patients)

    def query_params(self) -> dict[str, list[str] | None]:
        """Parameters for ``queries/subjects.sql`` (None = no restriction)."""
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
        return " · ".join(parts)


@dataclass(frozen=True)
class PatientCount:
    """How many infused patients a filter kept out of how many infused in the snapshot."""

    kept: int
    total: int

    def __str__(self) -> str:
        return f"{self.kept} of {self.total} patients"
