"""Every query file against the tiny hand-written snapshot: header, grain, expected rows."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from tiny_trial import build_tiny

from trialdash import queries
from trialdash.schema import TABLES

ALL = ["S1", "S2", "S3", "S4"]

# Parameters to run each query with, and the columns that make its grain unique.
CASES = {
    "subjects": ({"dose_groups": None, "subtypes": None, "subjects": None}, ["USUBJID"]),
    "filter_options": ({}, ["USUBJID"]),
    "adverse_events": ({"subjects": ALL, "window_days": None}, ["USUBJID", "AESEQ"]),
    "ae_max_grade_by_subject_term": ({"subjects": ALL, "window_days": None},
                                     ["USUBJID", "AEDECOD"]),
    "response_assessments": ({"subjects": ALL}, ["USUBJID", "PARAMCD", "ADT"]),
    "time_to_event": ({"subjects": ALL, "paramcd": "OS"}, ["USUBJID"]),
    "endpoints": ({}, ["PARAMCD"]),
    "kinetics_samples": ({"subjects": ALL, "paramcd": "TRANSGEN"}, ["USUBJID", "day"]),
    "lab_samples": ({"subjects": ALL, "paramcds": None}, ["USUBJID", "PARAMCD", "day"]),
    "snapshot_meta": ({}, ["study_id"]),
    "findings": ({"subjects": None}, ["file", "row", "rule"]),
    "kinetics_parameters": ({}, ["PARAMCD"]),
    "teae_flag_values": ({}, ["USUBJID", "TRTEMFL"]),
    "lab_nearest_samples": ({"subjects": ALL, "paramcds": ["CD7LYMPH"], "landmarks": [0, 7],
                             "tolerance_days": 7},
                            ["USUBJID", "PARAMCD", "AVALU", "landmark"]),
    "lab_peaks": ({"subjects": ALL, "paramcds": ["CD7LYMPH"], "first_day": -7,
                   "last_day": 28}, ["USUBJID", "PARAMCD"]),
    "kinetic_profile": ({"subjects": ALL, "paramcd": "TRANSGEN"}, ["USUBJID", "day"]),
    "lab_values": ({"subjects": ALL, "paramcds": ["CD7LYMPH"]}, ["USUBJID", "PARAMCD", "day"]),
    "syndrome_worst_grades": ({"subjects": ALL}, ["USUBJID", "aesi"]),
    "safety_events": ({"subjects": ALL}, ["USUBJID", "AEDECOD", "start_day"]),
}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_tiny(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")
    with duckdb.connect(str(path), read_only=True) as connection:
        yield connection


def test_every_query_file_has_a_case():
    """Each file in queries/ is exercised below (a new query needs a case here)."""
    assert sorted(q.name for q in queries.all_queries()) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_query_grain_is_unique(con, name):
    """The grain stated in the header holds on the fixture: no duplicate key rows."""
    params, key = CASES[name]
    frame = queries.run(con, name, **params)
    assert not frame.empty
    assert not frame.duplicated(subset=key).any()
    assert set(key) <= set(frame.columns)


def test_subjects_filters_combine_with_and(con):
    """Hand count: dose 1.0 has S2 (AITL) and S3 (T-LBL); adding subtype AITL keeps S2 only."""
    dose = queries.run(con, "subjects", dose_groups=["1.0 x10^6 cells/kg"], subtypes=None,
                       subjects=None)
    assert list(dose["USUBJID"]) == ["S2", "S3"]
    both = queries.run(con, "subjects", dose_groups=["1.0 x10^6 cells/kg"], subtypes=["AITL"],
                       subjects=None)
    assert list(both["USUBJID"]) == ["S2"]
    none = queries.run(con, "subjects", dose_groups=None, subtypes=None, subjects=[])
    assert none.empty


def test_subjects_are_in_dose_order_with_screen_failures_last(con):
    """Fixture: S1 at 0.25, S2/S3 at 1.0, S4 a screen failure with no dose group."""
    frame = queries.run(con, "subjects", dose_groups=None, subtypes=None, subjects=None)
    assert list(frame["USUBJID"]) == ["S1", "S2", "S3", "S4"]
    assert list(frame["dose_order"].astype("object").where(frame["dose_order"].notna(), None)) \
        == [1, 2, 2, None]


def test_adverse_event_window(con):
    """Hand count: events starting by day 28 are S1 days 2, 3, 20 and S2 day 5 (not day 40)."""
    within = queries.run(con, "adverse_events", subjects=ALL, window_days=28)
    assert sorted(zip(within["USUBJID"], within["start_day"], strict=True)) == [
        ("S1", 2), ("S1", 3), ("S1", 20), ("S2", 5)]
    everything = queries.run(con, "adverse_events", subjects=ALL, window_days=None)
    assert len(everything) == 5


def test_worst_grade_per_subject_and_term(con):
    """S1 had CRS grade 2 then grade 1: one row, worst grade 2, two events."""
    frame = queries.run(con, "ae_max_grade_by_subject_term", subjects=["S1"], window_days=None)
    crs = frame[frame["AEDECOD"] == "Cytokine release syndrome"].iloc[0]
    assert (crs["max_grade"], crs["n_events"]) == (2, 2)


def test_time_to_event_and_endpoints(con):
    """Fixture ADTTE: OS and PFS, two subjects each; S2 died on day 61."""
    endpoints = queries.run(con, "endpoints")
    assert list(endpoints["PARAMCD"]) == ["OS", "PFS"]
    os_rows = queries.run(con, "time_to_event", subjects=["S2"], paramcd="OS")
    assert os_rows[["aval_days", "event"]].values.tolist() == [[61.0, 1]]


def test_query_columns_match_schema(con):
    """Row-level queries return every column of their table, in schema order."""
    for name, table in [("subjects", "adsl"), ("adverse_events", "adae"),
                        ("response_assessments", "adrs"), ("time_to_event", "adtte"),
                        ("kinetics_samples", "adpc"), ("lab_samples", "adlb")]:
        params, _ = CASES[name]
        frame = queries.run(con, name, **params)
        assert list(frame.columns) == TABLES[table].column_names, name


def test_undeclared_and_missing_parameters_are_refused(con):
    """aiosql-style check: a typo in a parameter name fails instead of filtering nothing."""
    with pytest.raises(queries.QueryError, match="undeclared parameters \\['subject'\\]"):
        queries.run(con, "response_assessments", subject=ALL)
    with pytest.raises(queries.QueryError, match="missing parameters \\['window_days'\\]"):
        queries.run(con, "adverse_events", subjects=ALL)


def test_header_must_match_body(tmp_path):
    """A header that declares a parameter the SQL does not use is rejected at parse time."""
    path = tmp_path / "bad_query.sql"
    path.write_text("-- bad_query: x\n-- grain: one row\n-- params: $a (integer)\nSELECT 1\n")
    with pytest.raises(queries.QueryError, match="declared \\['a'\\] but the SQL uses \\[\\]"):
        queries.parse(path)
    path.write_text("-- other_name: x\n-- grain: one row\n-- params: none\nSELECT 1\n")
    with pytest.raises(queries.QueryError, match="first line"):
        queries.parse(path)


def test_teae_flag_values_are_distinct_per_subject(con):
    """Fixture: all five ADAE rows (S1 x3, S2 x2) carry TRTEMFL 'Y' -> one row per subject."""
    frame = queries.run(con, "teae_flag_values")
    assert list(zip(frame["USUBJID"], frame["TRTEMFL"], strict=True)) == [("S1", "Y"),
                                                                          ("S2", "Y")]


def test_lab_nearest_samples_hand_count(con):
    """Fixture: S1 CD7+ lymphocytes 400 on day -5 and 3 on day 10 (TRTSDT 2023-01-10), no
    unit. Within 7 days: landmark 0 -> day -5 (5 days off; day 10 is 10 off), landmark 7 ->
    day 10 (3 off; day -5 is 12 off). Landmark 28: no sample within 7 days, so the unit's
    row has no landmark."""
    near = queries.run(con, "lab_nearest_samples", subjects=ALL, paramcds=["CD7LYMPH"],
                       landmarks=[0, 7], tolerance_days=7)
    assert list(zip(near["USUBJID"], near["landmark"], near["day"], near["AVAL"],
                    strict=True)) == [("S1", 0, -5, 400.0), ("S1", 7, 10, 3.0)]
    assert near["AVALU"].isna().all()
    none_near = queries.run(con, "lab_nearest_samples", subjects=ALL, paramcds=["CD7LYMPH"],
                            landmarks=[28], tolerance_days=7)
    assert list(none_near["USUBJID"]) == ["S1"]
    assert none_near[["landmark", "day", "AVAL"]].isna().all(axis=None)
    assert queries.run(con, "lab_nearest_samples", subjects=["S2"], paramcds=["CD7LYMPH"],
                       landmarks=[0], tolerance_days=7).empty


def test_lab_peaks_hand_count(con):
    """Fixture as above: days -7 to 28 hold both samples (peak 400, 2 samples); days 0 to 28
    only day 10 (peak 3, 1 sample)."""
    wide = queries.run(con, "lab_peaks", subjects=ALL, paramcds=["CD7LYMPH"], first_day=-7,
                       last_day=28)
    assert list(zip(wide["USUBJID"], wide["peak"], wide["n_samples"], strict=True)) == [
        ("S1", 400.0, 2)]
    after = queries.run(con, "lab_peaks", subjects=ALL, paramcds=["CD7LYMPH"], first_day=0,
                        last_day=28)
    assert list(zip(after["USUBJID"], after["peak"], after["n_samples"], strict=True)) == [
        ("S1", 3.0, 1)]


def test_syndrome_worst_grades_hand_count(con):
    """Fixture: S1 has CRS with ASTCT grades 2 and 1 -> 2; S2 ICANS ASTCT 1 -> 1 (the
    neutropenia and the lung infection are no syndrome)."""
    frame = queries.run(con, "syndrome_worst_grades", subjects=ALL)
    assert list(zip(frame["USUBJID"], frame["aesi"], frame["worst_grade"], strict=True)) == [
        ("S1", "CRS", 2), ("S2", "ICANS", 1)]
    assert queries.run(con, "syndrome_worst_grades", subjects=["S3"]).empty


def test_kinetic_profile_flags_blq_and_draws_it_at_the_lloq(con):
    """Fixture: S1 transgene day 0 flagged BLQ without value, day 13 10,000, day 28 200,
    LLOQ 50, no allo-HSCT: BLQ only on day 0, drawn at the LLOQ (50); the others at their
    value; the rows and values of kinetics_samples, same order."""
    profile = queries.run(con, "kinetic_profile", subjects=ALL, paramcd="TRANSGEN")
    assert list(profile["day"]) == [0, 13, 28]
    assert list(profile["blq"]) == [True, False, False]
    assert list(profile["plotted_value"]) == [50.0, 10000.0, 200.0]
    assert not profile["after_hsct"].any()
    wide = queries.run(con, "kinetics_samples", subjects=ALL, paramcd="TRANSGEN")
    shared = ["USUBJID", "dose_group", "dose_order", "subtype", "PARAMCD", "day",
              "nominal_day", "AVAL", "AVALU", "LLOQ"]
    pd.testing.assert_frame_equal(profile[shared], wide[shared])


def test_lab_values_keep_the_rows_and_values_of_lab_samples(con):
    """lab_values is lab_samples with fewer columns: the fixture's 2 CD7+ counts of S1 (400
    on day -5, 3 on day 10), same rows, same order, same values."""
    labs = queries.run(con, "lab_values", subjects=ALL, paramcds=["CD7LYMPH"])
    assert list(zip(labs["day"], labs["AVAL"], strict=True)) == [(-5, 400.0), (10, 3.0)]
    every = queries.run(con, "lab_samples", subjects=ALL, paramcds=["CD7LYMPH"])
    pd.testing.assert_frame_equal(labs, every[list(labs.columns)])


def test_safety_events_is_a_narrow_copy_of_adverse_events(con):
    """safety_events holds the rows of adverse_events (whole follow-up) in the same order:
    the fixture's 5 events (S1 AESEQ 1-3 with CTCAE grades 2, 4, 1; S2 AESEQ 1-2 with 1, 3)."""
    events = queries.run(con, "safety_events", subjects=ALL)
    assert list(zip(events["USUBJID"], events["AETOXGR"], strict=True)) == [
        ("S1", 2), ("S1", 4), ("S1", 1), ("S2", 1), ("S2", 3)]
    wide = queries.run(con, "adverse_events", subjects=ALL, window_days=None)
    pd.testing.assert_frame_equal(events, wide[list(events.columns)])


def test_repeated_text_shares_one_string_per_value(con):
    """Fixture: ADAE has 5 events of 2 subjects (S1 x3, S2 x2) in 2 dose groups. After a query
    each distinct USUBJID is one object; values, missing ones and dtypes are unchanged."""
    events = queries.run(con, "adverse_events", subjects=ALL, window_days=None)
    assert list(events["USUBJID"]) == ["S1", "S1", "S1", "S2", "S2"]
    assert len({id(value) for value in events["USUBJID"]}) == 2
    mixed = pd.DataFrame({"flag": ["Y", None, "Y", float("nan"), "N", "Y"],
                          "n": [1, 2, 3, 4, 5, 6], "lists": [[1], [2], [1], [3], [4], [5]]})
    shared = queries.share_repeated_text(mixed.copy())
    pd.testing.assert_frame_equal(shared, mixed)
    assert shared["flag"].iloc[0] is shared["flag"].iloc[2]
