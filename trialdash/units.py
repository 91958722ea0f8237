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
