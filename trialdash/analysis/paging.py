"""Pages of patients: the at most :data:`PAGE_SIZE` patients a per-patient view shows at once.

A swimmer plot or a patient-by-term heatmap stays readable up to about fifty lanes or
columns; a larger cohort is shown a page at a time, in the view's own order, and the view
says how many of how many patients it shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

#: Most patients (lanes, columns) one per-patient view shows at once.
PAGE_SIZE = 50


@dataclass(frozen=True)
class PatientPage:
    """One page of an ordered list of patients.

    Attributes
    ----------
    usubjids : tuple of str
        The patients on this page, in the list's order.
    number : int
        Page number, from 0.
    pages : int
        Number of pages (at least 1, also for an empty list).
    total : int
        Patients in the whole list.
    first : int
        Position (from 1) of this page's first patient in the list; 0 when it is empty.
    """

    usubjids: tuple[str, ...]
    number: int
    pages: int
    total: int
    first: int

    @property
    def shown(self) -> int:
        return len(self.usubjids)

    @property
    def paged(self) -> bool:
        """True when the list does not fit on one page."""
        return self.pages > 1

    @property
    def shown_note(self) -> str | None:
        """The note a paged per-patient chart carries ('50 of 1,400 patients shown (1–50)');
        None when every patient is shown."""
        return self.describe() if self.paged else None

    def describe(self, noun: str = "patients") -> str:
        """'50 of 1,400 patients shown (1–50)'; 'All 14 patients shown' when unpaged."""
        if not self.paged:
            return f"All {self.total:,} {noun} shown"
        last = self.first + self.shown - 1
        return f"{self.shown:,} of {self.total:,} {noun} shown ({self.first:,}–{last:,})"


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """Pages needed for ``total`` patients, ``size`` a page (1 for an empty list)."""
    if size < 1:
        raise ValueError(f"page size must be at least 1, got {size}")
    return max(1, math.ceil(total / size))


def page_label(number: int, total: int, size: int = PAGE_SIZE) -> str:
    """'Patients 51–100 of 1,400' for page ``number`` (from 0)."""
    first = number * size + 1
    return f"Patients {first:,}–{min(total, first + size - 1):,} of {total:,}"


def patient_page(usubjids: Sequence[str], number: int = 0,
                 size: int = PAGE_SIZE) -> PatientPage:
    """Page ``number`` (from 0, clipped to the last page) of the ordered ``usubjids``.

    Duplicates are kept once, at their first place (a frame's USUBJID column may repeat).
    """
    ordered = list(dict.fromkeys(usubjids))
    pages = page_count(len(ordered), size)
    number = min(max(0, int(number)), pages - 1)
    chunk = tuple(ordered[number * size:(number + 1) * size])
    return PatientPage(chunk, number, pages, len(ordered), number * size + 1 if chunk else 0)


def rows_of(frame: pd.DataFrame, page: PatientPage) -> pd.DataFrame:
    """The rows of ``frame`` (with a USUBJID column) belonging to the page's patients."""
    return frame[frame["USUBJID"].isin(page.usubjids)]


def in_dose_order(frame: pd.DataFrame) -> list[str]:
    """The patients of ``frame`` (USUBJID, dose_order) in dose order, then USUBJID: the column
    order of the patient-by-term heatmap."""
    if frame.empty:
        return []
    patients = frame.drop_duplicates("USUBJID").sort_values(["dose_order", "USUBJID"])
    return list(patients["USUBJID"])
