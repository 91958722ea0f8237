"""Property-based checks of the Kaplan-Meier layer (hypothesis).

Source of truth for each property: the definition of the Kaplan-Meier estimator
(product-limit, Kaplan & Meier 1958) and of a confidence interval; the product-limit is
recomputed independently in the test.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdash.analysis.survival import at_risk_table, kaplan_meier, landmarks

# Small integer times on purpose: ties between events and censorings are frequent.
patients = st.lists(
    st.tuples(st.integers(min_value=0, max_value=30), st.booleans()),
    min_size=1,
    max_size=40,
)
SETTINGS = settings(max_examples=60, deadline=None)
EPS = 1e-12


def _fit(data):
    t = [d for d, _ in data]
    e = [int(ev) for _, ev in data]
    return t, e, kaplan_meier(t, e, "G")


@SETTINGS
@given(patients)
def test_survival_in_unit_interval_and_non_increasing(data):
    """Source: definition: S is a product of factors (1 - d/n) in [0, 1]."""
    _, _, km = _fit(data)
    s = km.curve["survival"].to_numpy()
    assert s[0] == 1.0
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(np.diff(s) <= EPS)


@SETTINGS
@given(patients)
def test_matches_independent_product_limit(data):
    """Source: Kaplan & Meier (1958) product-limit, events before censorings at ties,
    recomputed here: S(t) = prod_{t_i <= t} (1 - d_i / n_i), n_i = #{duration >= t_i}."""
    t, e, km = _fit(data)
    t_arr, e_arr = np.array(t, float), np.array(e)
    for time in np.unique(t_arr):
        s = 1.0
        for ti in np.unique(t_arr[(e_arr == 1) & (t_arr <= time)]):
            n_i = np.sum(t_arr >= ti)
            d_i = np.sum((t_arr == ti) & (e_arr == 1))
            s *= 1 - d_i / n_i
        assert math.isclose(km.survival_at(time), s, abs_tol=1e-12)


@SETTINGS
@given(patients, st.lists(st.floats(min_value=0, max_value=35, allow_nan=False), max_size=8))
def test_at_risk_non_increasing_and_counted(data, ticks):
    """Source: definition: at risk at tick = #{duration >= tick}, which cannot grow."""
    t, _, km = _fit(data)
    ticks = sorted(set(ticks) | {0.0})
    row = at_risk_table([km], ticks).loc["G"].to_numpy()
    assert row[0] == len(t)
    assert np.all(np.diff(row) <= 0)
    for tick, count in zip(ticks, row, strict=True):
        assert count == sum(d >= tick for d in t)
    for lm, tick in zip(landmarks(km, ticks), ticks, strict=True):
        assert lm.at_risk == sum(d >= tick for d in t)


@SETTINGS
@given(patients)
def test_pointwise_ci_contains_estimate(data):
    """Source: definition of a (log-log) confidence interval: lower <= S <= upper, within
    [0, 1], wherever it is defined (it is undefined, NaN, where S = 0)."""
    _, _, km = _fit(data)
    c = km.curve
    defined = c["lower"].notna()
    assert (c.loc[~defined, "survival"] == 0).all()
    d = c[defined]
    assert (d["lower"] <= d["survival"] + EPS).all()
    assert (d["survival"] <= d["upper"] + EPS).all()
    assert ((d["lower"] >= 0) & (d["upper"] <= 1 + EPS)).all()


@SETTINGS
@given(patients)
def test_median_ci_contains_median(data):
    """Source: the lower band lies below S and the upper band above it, so the band
    crossings of 0.5 bracket the median (when they exist)."""
    _, _, km = _fit(data)
    if km.median is None:
        return
    if km.median_lower is not None:
        assert km.median_lower <= km.median + EPS
    if km.median_upper is not None:
        assert km.median <= km.median_upper + EPS
    # At the median the curve has reached 0.5 (it is the midpoint of a flat at 0.5, or a drop).
    assert km.survival_at(km.median) <= 0.5 + 1e-8


@SETTINGS
@given(patients)
def test_counts_add_up(data):
    """Source: every patient either had the event or was censored."""
    t, e, km = _fit(data)
    assert km.n == len(t) == km.events + km.censored
    assert km.events == sum(e)
    assert len(km.censor_times) == km.censored
    assert km.curve["events"].sum() == km.events
    assert km.curve["censored"].sum() == km.censored
    heights = [km.survival_at(x) for x in km.censor_times]
    assert all(0 <= h <= 1 for h in heights)
