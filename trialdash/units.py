"""Time units shared by the build, the analyses, the figures and the pages.

A month is a twelfth of a Julian year (365.25 / 12 = 30.4375 days), as in survival
reporting: 6, 12 and 24 months are 182.625, 365.25 and 730.5 days.
"""

from __future__ import annotations

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
DAYS_PER_WEEK = 7.0


def months(days: float) -> float:
    """Days to months."""
    return days / DAYS_PER_MONTH


def parse_duration_days(text: str) -> float:
    """A time written as days ('730', '730d') or months ('24m', '24mo') -> days.

    Months use :data:`DAYS_PER_MONTH`, so '24m' is 730.5 days: the same time the survival
    page calls 24 months. Raises ValueError for anything else.
    """
    cleaned = str(text).strip().lower()
    factors = {"mo": DAYS_PER_MONTH, "m": DAYS_PER_MONTH, "d": 1.0}
    suffix = next((end for end in factors if cleaned.endswith(end)), "")
    number, factor = cleaned[: len(cleaned) - len(suffix)].strip(), factors.get(suffix, 1.0)
    try:
        return float(number) * factor
    except ValueError:
        raise ValueError(f"{text!r} is not a time: write days (730) or months (24m)") from None
