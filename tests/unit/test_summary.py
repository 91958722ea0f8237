"""`python -m trialdash summary --json`: the documented keys, numbers that agree with an
independent computation on the snapshot, and filters."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pytest

from trialdash.analysis.stats import clopper_pearson
from trialdash.cli import main

DOSES = ["0.25 x10^6 cells/kg", "0.5 x10^6 cells/kg", "1.0 x10^6 cells/kg"]


def summary(snapshot, capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(["summary", "--snapshot", str(snapshot), "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_document_has_exactly_the_documented_keys(synthetic_snapshot, capsys):
    """Keys required by the issue (more are allowed): snapshot, patients, survival,
    response and safety with their inner shapes."""
    doc = summary(synthetic_snapshot, capsys)
    assert {"snapshot", "patients", "survival", "response", "safety"} <= set(doc)
    assert {"study", "cutoff", "source"} <= set(doc["snapshot"])
    assert doc["snapshot"]["cutoff"] == "2025-05-15"
    assert doc["patients"]["total"] == 14
    assert doc["patients"]["by_group"] == dict(zip(DOSES, [3, 3, 8], strict=True))
    surv = doc["survival"]
    assert surv["endpoint"] == "OS" and surv["unit"] == "days" and surv["by"] == "TRT01A"
    assert [s["group"] for s in surv["strata"]] == DOSES
    for stratum in surv["strata"]:
        assert {"group", "n", "events", "median", "median_ci", "landmarks"} <= set(stratum)
        for mark in stratum["landmarks"]:
            assert {"time", "survival", "ci", "at_risk"} <= set(mark)
    assert set(surv["logrank"]) == {"chisq", "df", "p"} and surv["logrank"]["df"] == 2
    for row in doc["response"]["by_group"]:
        assert {"group", "n", "responders", "orr", "ci"} <= set(row)
    for row in doc["safety"]["by_group"]:
        assert {"group", "n", "any_teae", "grade3plus"} <= set(row)


def _events(snapshot, paramcd):
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(
            "SELECT aval_days, event FROM adtte WHERE PARAMCD = $p ORDER BY aval_days",
            {"p": paramcd}).fetchall()


def test_overall_km_landmark_matches_a_product_limit_by_hand(synthetic_snapshot, capsys):
    """With --by none the 180-day OS estimate equals the product-limit estimate computed
    here directly from the ADTTE rows (events before censorings at tied times)."""
    doc = summary(synthetic_snapshot, capsys, "--by", "none", "--landmarks", "180")
    rows = _events(synthetic_snapshot, "OS")
    times = np.array([t for t, _ in rows])
    events = np.array([e for _, e in rows])
    survival = 1.0
    for t in np.unique(times[(events == 1) & (times <= 180)]):
        at_risk = (times >= t).sum()
        deaths = ((times == t) & (events == 1)).sum()
        survival *= 1 - deaths / at_risk
    stratum = doc["survival"]["strata"][0]
    assert stratum["group"] == "All" and stratum["n"] == len(rows)
    assert stratum["events"] == int(events.sum())
    assert stratum["landmarks"][0]["survival"] == pytest.approx(survival)
    assert stratum["landmarks"][0]["at_risk"] == int((times >= 180).sum())
    assert doc["survival"]["logrank"] is None


def test_response_interval_is_clopper_pearson_of_the_counts(synthetic_snapshot, capsys):
    """Each group's CI is the exact interval of its own responders/n (R binom.test values
    for these counts are checked in test_stats.py)."""
    doc = summary(synthetic_snapshot, capsys)
    for row in doc["response"]["by_group"]:
        lower, upper = clopper_pearson(row["responders"], row["n"])
        assert row["ci"] == [pytest.approx(lower), pytest.approx(upper)]
        assert row["orr"] == pytest.approx(row["responders"] / row["n"])


def test_safety_counts_match_a_direct_query(synthetic_snapshot, capsys):
    """Patients with any TEAE / grade >=3 within 28 days, counted here with one SQL query."""
    doc = summary(synthetic_snapshot, capsys)
    with duckdb.connect(str(synthetic_snapshot), read_only=True) as con:
        counted = dict(con.execute(
            "SELECT dose_group, count(DISTINCT USUBJID) FILTER (WHERE grade >= 3) FROM adae "
            "WHERE start_day <= 28 GROUP BY dose_group").fetchall())
    for row in doc["safety"]["by_group"]:
        assert row["grade3plus"] == counted[row["group"]]
        assert row["any_teae"] <= row["n"]


def test_filters_and_grouping(synthetic_snapshot, capsys):
    """--dose keeps one group; --by DISTYPE groups by subtype in clinical order."""
    one = summary(synthetic_snapshot, capsys, "--dose", DOSES[2])
    assert one["patients"]["total"] == 8
    assert list(one["patients"]["by_group"]) == [DOSES[2]]
    by_subtype = summary(synthetic_snapshot, capsys, "--by", "DISTYPE", "--endpoint", "PFS")
    assert list(by_subtype["patients"]["by_group"]) == ["T-ALL", "T-LBL", "PTCL-NOS", "AITL",
                                                         "ALCL"]
    assert by_subtype["survival"]["endpoint"] == "PFS"


def test_unknown_endpoint_is_a_clear_error(synthetic_snapshot, capsys):
    capsys.readouterr()
    assert main(["summary", "--snapshot", str(synthetic_snapshot), "--json",
                 "--endpoint", "EFS"]) == 2
    assert "EFS" in capsys.readouterr().err


def test_default_landmarks_are_the_survival_pages_months(synthetic_snapshot, capsys):
    """One month length everywhere (trialdash/units.py, 365.25/12 days): the JSON's default
    landmarks are the page's 6, 12 and 24 months, '24m' is the same time as the page's
    24-month row, and the 24-month at-risk count is the hand count of OS times >= 730.5."""
    from trialdash.analysis.endpoints import DEFAULT_LANDMARK_DAYS

    doc = summary(synthetic_snapshot, capsys, "--by", "none")
    marks = doc["survival"]["strata"][0]["landmarks"]
    assert [m["time"] for m in marks] == list(DEFAULT_LANDMARK_DAYS)
    assert [m["label"] for m in marks] == ["6 months", "12 months", "24 months"]
    in_months = summary(synthetic_snapshot, capsys, "--by", "none", "--landmarks", "24m")
    assert in_months["survival"]["strata"][0]["landmarks"] == marks[2:]
    times = np.array([t for t, _ in _events(synthetic_snapshot, "OS")])
    assert marks[2]["at_risk"] == int((times >= 730.5).sum())


def test_landmarks_that_are_not_times_are_refused(synthetic_snapshot, capsys):
    """'--landmarks soon' is an error (exit 2) naming the value, not a traceback."""
    assert main(["summary", "--snapshot", str(synthetic_snapshot), "--json",
                 "--landmarks", "soon"]) == 2
    assert "soon" in capsys.readouterr().err
