"""Tables show dates without a time of day as dates (trialdash.ui._calendar_dates), hand-made
frames: a column of midnights becomes dates (a missing one stays empty), a column with a time
of day and other columns stay as they are."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from trialdash.ui import _calendar_dates


def test_midnights_become_dates_and_times_of_day_stay():
    frame = pd.DataFrame({
        "Date": pd.to_datetime(["2022-05-16", None]),
        "Sampled at": pd.to_datetime(["2022-05-16 08:30", "2022-05-17 00:00"]),
        "Detail": ["Escalation", "Not infused"],
    })
    shown = _calendar_dates(frame)
    assert shown["Date"].tolist() == [dt.date(2022, 5, 16), None]
    pd.testing.assert_series_equal(shown["Sampled at"], frame["Sampled at"])
    assert shown["Detail"].tolist() == ["Escalation", "Not infused"]
    assert pd.api.types.is_datetime64_any_dtype(frame["Date"])  # the input is left alone
