"""The patient record: the tiny hand-written trial (``tiny_trial.py``), counted by eye, and
the default synthetic trial checked against direct DuckDB queries of the snapshot.

Tiny trial, day 0 = TRTSDT: S1 infused 2023-01-10 (LD 2023-01-05, consent 2022-12-20, last
known alive 2023-12-31), S2 infused 2023-03-01 (progression 2023-04-01, death 2023-05-01),
S3 enrolled but not infused (manufacturing failure), S4 a screen failure.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest
from tiny_trial import build_tiny

from trialdash.analysis import patient
from trialdash.analysis.filters import Filter
from trialdash.trial import Trial


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Trial:
    return Trial.open(build_tiny(tmp_path_factory.mktemp("pt") / "tiny.duckdb"))


@pytest.fixture(scope="module")
def tiny_without_samples(tmp_path_factory) -> Trial:
    path = tmp_path_factory.mktemp("pt") / "tiny_no_pc_lb.duckdb"
    return Trial.open(build_tiny(path, drop=("adpc", "adlb")))


def test_header_of_infused_patient(tiny):
    """Hand count from the fixture: S1 alive, LD day -5, last contact 2023-12-31 = day 355."""
    header = patient.patient_record(tiny, "S1").header
    assert header.pseudonym == tiny.pseudonyms()["S1"]
    assert header.subtype == "T-ALL"
    assert header.dose_group == "0.25 x10^6 cells/kg"
    assert (header.age, header.sex) == (20.0, "M")
    assert header.infusion_date == date(2023, 1, 10)
    assert header.status == "Alive in follow-up"
    assert (header.best_response, header.best_response_criteria) == ("CR", "NCCN/ELN (T-ALL)")
    assert header.lymphodepletion_day == -5
    assert header.last_contact_day == 355
    assert (header.hsct_day, header.progression_day, header.death_day) == (None, None, None)


def test_adverse_events_on_days_since_infusion(tiny):
    """Hand count from the fixture: S1 has 3 AEs starting on days 2, 3, 20 (CRS G2 with
    tocilizumab, neutropenia G4, CRS G1), none ongoing."""
    aes = patient.patient_record(tiny, "S1").adverse_events
    assert list(aes["start_day"]) == [2, 3, 20]
    assert list(aes["end_day"]) == [6, 15, 22]
    assert list(aes["grade"]) == [2, 4, 1]
    assert list(aes["astct_grade"].fillna(0)) == [2, 0, 1]
    assert list(aes["tocilizumab"]) == [True, False, False]
    assert not aes["ongoing"].any()
    assert set(aes["grade_scale"]) == {"CTCAE v5.0"}


def test_ongoing_event_and_death_milestones(tiny):
    """Hand count from the fixture: S2's lung infection (day 40) has no end date; progression
    on day 31 and death on day 61, so no separate 'Last contact' milestone."""
    record = patient.patient_record(tiny, "S2")
    infection = record.adverse_events.set_index("term").loc["Lung infection"]
    assert bool(infection["ongoing"]) and pd.isna(infection["end_day"])
    milestones = record.milestones.set_index("milestone")["day"]
    assert milestones.to_dict() == {"Informed consent": -19, "Lymphodepletion": -5,
                                    "CAR-T infusion": 0, "Progression/relapse": 31, "Death": 61}
    assert record.header.status == "Dead"


def test_milestones_of_alive_patient(tiny):
    """Hand count from the fixture: S1 consent day -21, LD days -5 to -3, infusion day 0,
    last contact day 355, in time order."""
    milestones = patient.patient_record(tiny, "S1").milestones
    assert list(milestones["milestone"]) == ["Informed consent", "Lymphodepletion",
                                             "CAR-T infusion", "Last contact"]
    assert list(milestones["day"]) == [-21, -5, 0, 355]
    lymphodepletion = milestones.set_index("milestone").loc["Lymphodepletion"]
    assert lymphodepletion["end_day"] == -3


def test_responses_kinetics_labs_and_time_to_event(tiny):
    """Hand count from the fixture: S1 one OVR (CR, day 28); 3 TRANSGEN samples, the day-0
    one BLQ with no value (not zero-filled); CD7+ on days -5 and 10; OS and PFS censored at
    355 days."""
    record = patient.patient_record(tiny, "S1")
    assert record.responses[["day", "response"]].values.tolist() == [[28, "CR"]]
    kinetics = record.kinetics
    assert list(kinetics["day"]) == [0.0, 13.0, 28.0]
    assert list(kinetics["blq"]) == [True, False, False]
    assert pd.isna(kinetics["value"].iloc[0])
    assert record.labs[["parameter", "day", "value"]].values.tolist() == [
        ["CD7LYMPH", -5, 400.0], ["CD7LYMPH", 10, 3.0]]
    tte = record.time_to_event.set_index("endpoint")
    assert tte["days"].to_dict() == {"OS": 355.0, "PFS": 355.0}
    assert not tte["event"].any()
    assert set(tte["outcome"]) == {"Censored"}


def test_not_infused_patient_has_header_and_dated_milestones_only(tiny):
    """Fixture: S3 enrolled, not infused (manufacturing failure): no day 0, so every
    day-based frame is empty and the note gives the reason."""
    record = patient.patient_record(tiny, "S3")
    assert not record.infused
    assert record.header.status == "Not infused"
    for frame in (record.adverse_events, record.responses, record.kinetics, record.labs,
                  record.time_to_event):
        assert frame.empty
    assert record.milestones["day"].isna().all()
    assert record.milestones["date"].iloc[0] == pd.Timestamp("2023-02-15")
    assert "Manufacturing failure" in record.notes[0]


def test_screen_failure_is_explained(tiny):
    """Fixture: S4 has no dose group (screen failure)."""
    record = patient.patient_record(tiny, "S4")
    assert "screen failure" in record.notes[0]


def test_unknown_patient_raises_clear_key_error(tiny):
    """An ID absent from ADSL names itself and says it is not in the snapshot."""
    with pytest.raises(KeyError, match="NOT-A-PATIENT is not in the snapshot"):
        patient.patient_record(tiny, "NOT-A-PATIENT")


def test_absent_data_sets_give_empty_frames_and_flags(tiny_without_samples):
    """Fixture without ADPC and ADLB: those frames are empty (with their columns), flagged
    unavailable and explained; the rest of S1's record is intact (3 AEs)."""
    record = patient.patient_record(tiny_without_samples, "S1")
    assert record.available == {"adae": True, "adrs": True, "adpc": False, "adlb": False,
                                "adtte": True}
    assert record.kinetics.empty and list(record.kinetics.columns) == patient.KINETIC_COLUMNS
    assert record.labs.empty and list(record.labs.columns) == patient.LAB_COLUMNS
    assert len(record.adverse_events) == 3
    assert any("ADPC" in note for note in record.notes)
    assert any("ADLB" in note for note in record.notes)


def test_display_tables_rename_columns_and_keep_dates_as_datetimes(tiny):
    """Tables for the page: readable headers; dates stay datetime64 so presentation mode
    (which drops datetime columns) can remove them."""
    tables = patient.patient_record(tiny, "S1").tables()
    assert list(tables) == ["Adverse events", "Response", "Kinetics", "Labs", "Time to event",
                            "Milestones"]
    aes = tables["Adverse events"]
    assert {"Term", "Grade", "Start day", "ASTCT grade"} <= set(aes.columns)
    assert pd.api.types.is_datetime64_any_dtype(aes["Start date"])


def test_patient_choices_ignore_a_single_patient_filter(tiny):
    """Fixture: dose 1.0 holds S2 and S3. A one-patient filter (arrival from a link) does not
    narrow the choices; a two-patient filter does."""
    dose = "1.0 x10^6 cells/kg"
    one = Filter.of([dose], None, ["S2"])
    assert list(patient.patient_choices(tiny, one)["USUBJID"]) == ["S2", "S3"]
    two = Filter.of(None, None, ["S1", "S2"])
    assert list(patient.patient_choices(tiny, two)["USUBJID"]) == ["S1", "S2"]


def test_shown_patient_prefers_the_filter_then_the_current_choice():
    """The single filtered patient wins; else the current pick if still offered; else the
    first choice; None without choices."""
    choices = pd.DataFrame({"USUBJID": ["A", "B", "C"]})
    assert patient.shown_patient(Filter.of(patients=["B"]), choices, "C") == "B"
    assert patient.shown_patient(Filter(), choices, "C") == "C"
    assert patient.shown_patient(Filter(), choices, "Z") == "A"
    assert patient.shown_patient(Filter.of(patients=["Z"]), choices, None) == "A"
    assert patient.shown_patient(Filter(), choices.iloc[:0], "A") is None


def test_choice_labels_use_the_given_label(tiny):
    """Presentation labels replace the USUBJID; not-infused patients are marked."""
    choices = patient.patient_choices(tiny, Filter())
    texts = patient.choice_labels(choices, {f"S{i}": f"P0{i}" for i in range(1, 5)}.get)
    assert texts["S1"] == "P01 · T-ALL · 0.25 x10^6 cells/kg"
    assert texts["S3"].startswith("P03") and texts["S3"].endswith("(not infused)")


def test_header_facts_in_presentation_mode(tiny):
    """Presentation mode shows 'Day 0' instead of the infusion date; key days are listed."""
    header = patient.patient_record(tiny, "S2").header
    facts = dict(patient.header_facts(header, calendar_dates=False))
    assert facts["Infusion"] == "Day 0"
    assert facts["Last contact"] == "Day 61"
    assert dict(patient.header_facts(header))["Infusion"] == "2023-03-01"
    assert patient.key_days(header) == ("Lymphodepletion day -5 · Progression/relapse day 31"
                                        " · Death day 61 · Last contact day 61")
    assert patient.header_details(header) == "Response criteria: Lugano 2014"


# --- the synthetic trial against direct queries of its snapshot ---------------------------


def _scalar(con, sql: str, usubjid: str):
    return con.execute(sql, [usubjid]).fetchone()[0]


def test_synthetic_records_match_snapshot_rows(trial, synthetic_snapshot):
    """Every synthetic patient's record against independent DuckDB counts of the snapshot:
    AEs, worst grade, per-visit responses, BOR, kinetic samples (and BLQ ones), lab samples,
    endpoints, allo-HSCT day (date_diff from ADSL dates)."""
    subjects = trial.cohort().subjects
    assert (subjects["infused"] == "Y").sum() == 14
    with duckdb.connect(str(synthetic_snapshot), read_only=True) as con:
        for usubjid, infused in zip(subjects["USUBJID"], subjects["infused"], strict=True):
            record = patient.patient_record(trial, usubjid)
            assert record.infused == (infused == "Y")
            bor = con.execute("SELECT AVALC FROM adrs WHERE USUBJID = ? AND PARAMCD = 'BOR'",
                              [usubjid]).fetchall()
            assert record.header.best_response == (bor[0][0] if bor else None)
            if not record.infused:
                continue
            assert len(record.adverse_events) == _scalar(
                con, "SELECT count(*) FROM adae WHERE USUBJID = ?", usubjid)
            worst = _scalar(con, "SELECT max(AETOXGR) FROM adae WHERE USUBJID = ?", usubjid)
            assert (record.adverse_events["grade"].max() if worst is not None else None) == worst
            assert len(record.responses) == _scalar(
                con, "SELECT count(*) FROM adrs WHERE USUBJID = ? AND PARAMCD = 'OVR'", usubjid)
            assert len(record.kinetics) == _scalar(
                con, "SELECT count(*) FROM adpc WHERE USUBJID = ? "
                     "AND PARAMCD IN ('TRANSGEN', 'CARPCT')", usubjid)
            assert int(record.kinetics["blq"].sum()) == _scalar(
                con, "SELECT count(*) FROM adpc WHERE USUBJID = ? AND "
                     "PARAMCD IN ('TRANSGEN', 'CARPCT') AND (BLQFL = 'Y' OR AVAL < LLOQ)",
                usubjid)
            assert len(record.labs) == _scalar(
                con, "SELECT count(*) FROM adlb WHERE USUBJID = ?", usubjid)
            assert sorted(record.time_to_event["endpoint"]) == sorted(
                r[0] for r in con.execute("SELECT PARAMCD FROM adtte WHERE USUBJID = ?",
                                          [usubjid]).fetchall())
            hsct = _scalar(con, "SELECT date_diff('day', TRTSDT, HSCTDT) FROM adsl "
                                "WHERE USUBJID = ?", usubjid)
            assert record.header.hsct_day == hsct
            assert (record.milestones["milestone"] == "Allo-HSCT").sum() == (hsct is not None)
