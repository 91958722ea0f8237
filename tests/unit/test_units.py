"""Times written as days or months (trialdash/units.py): one month length everywhere."""

import pytest

from trialdash.units import DAYS_PER_MONTH, parse_duration_days


def test_months_use_the_julian_month():
    """365.25 / 12 = 30.4375 days (units.py), so 24 months = 730.5 days, as on the page."""
    assert DAYS_PER_MONTH == 30.4375
    assert parse_duration_days("24m") == 730.5
    assert parse_duration_days("6mo") == 182.625
    assert parse_duration_days("730") == 730.0
    assert parse_duration_days(" 90d ") == 90.0


def test_a_word_is_not_a_time():
    with pytest.raises(ValueError, match="soon"):
        parse_duration_days("soon")
