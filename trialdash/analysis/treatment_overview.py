"""Treatment received and disease at baseline, as CAR-T reports tabulate them.

Assumptions
-----------
* Infused patients of the cohort, by dose group (dose order) and overall.
* Actual dose: ADSL ``TRT01AN`` (10^6 CAR-T cells/kg) and ``CELLINF`` (total cells infused,
  10^6), median (range) over patients with a value. A study that is not a cell therapy
  (``Trial.is_cell_therapy``) has no cell count: its dose row is "Actual dose (TRT01AN, unit
  as recorded)" and there is no row of cells infused.
* Y/N flags (``BRIDGFL`` bridging therapy before lymphodepletion, ``PRIREFFL`` primary
  refractory (N = relapsed), ``EMDBLFL`` extramedullary disease at baseline, ``CNSBLFL`` CNS
  involvement at baseline) are counted "k/N (pct%)" over the patients whose flag is recorded
  (Y or N, read by :func:`trialdash.analysis.flags.is_yes`); a variable the data lack, or
  leave blank for everyone, is "not in the data" rather than 0.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from trialdash.analysis.flags import is_yes
from trialdash.analysis.memo import cohort_analysis
from trialdash.analysis.stats import format_n_of_N, median_range
from trialdash.trial import Cohort

OVERALL = "Overall"
NOT_IN_DATA = "not in the data"
FLAG_ROWS = (
    ("Bridging therapy before lymphodepletion", "BRIDGFL", True),
    ("Primary refractory", "PRIREFFL", True),
    ("Relapsed (not primary refractory)", "PRIREFFL", False),
    ("Extramedullary disease at baseline", "EMDBLFL", True),
    ("CNS involvement at baseline", "CNSBLFL", True),
)
NUMBER_ROWS = (
    ("Actual dose, x10^6 CAR-T cells/kg: median (range)", "TRT01AN", 2),
    ("CAR-T cells infused, x10^6: median (range)", "CELLINF", 0),
)
NOT_CELL_THERAPY_NUMBER_ROWS = (
    ("Actual dose (TRT01AN, unit as recorded): median (range)", "TRT01AN", 2),
)


def _recorded(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    text = frame[column].astype("object").fillna("").astype(str).str.strip().str.upper()
    return text.isin(["Y", "N"])


def _flag_cell(frame: pd.DataFrame, column: str, yes: bool) -> str:
    recorded = _recorded(frame, column)
    n = int(recorded.sum())
    hits = is_yes(frame[column]) if yes else ~is_yes(frame[column])
    return format_n_of_N(int((hits & recorded).sum()), n, digits=0)


def _number_cell(frame: pd.DataFrame, column: str, digits: int) -> str:
    median, low, high = median_range(pd.to_numeric(frame[column], errors="coerce"))
    if pd.isna(median):
        return "–"
    return f"{median:,.{digits}f} ({low:,.{digits}f}–{high:,.{digits}f})"


@cohort_analysis
def treatment_and_disease(cohort: Cohort) -> pd.DataFrame:
    """One row per characteristic, one text column per dose group, then Overall.

    Rows whose variable the snapshot lacks (or leaves blank for every infused patient of the
    trial seen through this cohort) say :data:`NOT_IN_DATA`.
    """
    infused = cohort.infused
    ordered = infused.sort_values("dose_order", kind="stable")
    columns = {g: infused[infused["dose_group"] == g]
               for g in dict.fromkeys(ordered["dose_group"].dropna())}
    columns[OVERALL] = infused
    rows: list[tuple[str, Callable[[pd.DataFrame], str]]] = []
    numbers = NUMBER_ROWS if cohort.trial.is_cell_therapy else NOT_CELL_THERAPY_NUMBER_ROWS
    for label, column, digits in numbers:
        present = column in infused.columns and pd.to_numeric(
            infused[column], errors="coerce").notna().any()
        rows.append((label, (lambda f, c=column, d=digits: _number_cell(f, c, d))
                     if present else (lambda f: NOT_IN_DATA)))
    for label, column, yes in FLAG_ROWS:
        present = bool(_recorded(infused, column).any())
        rows.append((label, (lambda f, c=column, y=yes: _flag_cell(f, c, y))
                     if present else (lambda f: NOT_IN_DATA)))
    table = {"Characteristic": [label for label, _ in rows]}
    for name, frame in columns.items():
        table[name] = [compute(frame) for _, compute in rows]
    return pd.DataFrame(table)
