"""Safety analysis against hand counts from a small hand-written snapshot.

The fixture is the tiny trial (tests/unit/tiny_trial.py) with one more infused patient and its
own adverse events, chosen so every row of every table can be counted by eye:

- S1: 0.25 dose, infused 2023-01-10. CRS CTCAE 2 / ASTCT 2 days 2-6 (tocilizumab);
  neutrophil count decreased G4 days 3-15; ALT increased G1 day 4; CRS G1 / ASTCT 1 days
  20-22; nausea G1 day -4 with TRTEMFL N (not treatment-emergent).
- S2: 1.0 dose, infused 2023-03-01, died 2023-05-01 (day 61). ICANS CTCAE 3 / ASTCT 3 from
  day 5, no end date (ongoing), steroids, DLT; neutrophil count decreased G3 days 2-10;
  lung infection G3 day 40, serious; sepsis G5 day 60, serious.
- S3: 1.0 dose, enrolled, not infused: a nausea G1 record that must never count.
- S4: screen failure.
- S5: 1.0 dose, infused 2023-06-01, alive 2023-12-31. CRS CTCAE 3 with no ASTCT grade days
  1-4 (tocilizumab and steroids); neutrophil count decreased G2 days 4-9; headache G1 day 2
  with TRTEMFL blank (not treatment-emergent: ADaM IG, only 'Y' is).
- S2 also has pyrexia G2 on day -2 flagged TRTEMFL Y: in the lymphodepletion period (LDSTDT
  day -5), so in no TEAE table (they start at day 0) but in the lymphodepletion period.

Denominators (infused): 0.25 N=1 (S1), 1.0 N=2 (S2, S5), overall N=3.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from tiny_trial import tiny_datasets

from trialdash.analysis import safety
from trialdash.analysis.filters import Filter
from trialdash.derive import derive_all
from trialdash.snapshot import SnapshotMeta, write_snapshot
from trialdash.trial import Trial

D = pd.Timestamp
LOW, HIGH, ALL = "0.25 x10^6 cells/kg", "1.0 x10^6 cells/kg", safety.OVERALL
CRS, ICANS = "Cytokine release syndrome", "Immune effector cell-associated neurotoxicity syndrome"
NEUT, ALT = "Neutrophil count decreased", "Alanine aminotransferase increased"


def _adsl() -> pd.DataFrame:
    adsl = tiny_datasets()["adsl"]
    s5 = {
        "STUDYID": "TINY", "USUBJID": "S5", "SUBJID": "5", "AGE": 33, "SEX": "M",
        "DISTYPE": "T-ALL", "TRT01P": HIGH, "TRT01PN": 1.0, "TRT01A": HIGH, "TRT01AN": 1.0,
        "RFICDT": D("2023-05-01"), "LDSTDT": D("2023-05-26"), "TRTSDT": D("2023-06-01"),
        "SAFFL": "Y", "EFFFL": "Y", "DLTEVLFL": "Y", "DLTFL": "N", "DTHFL": "N",
        "LSTALVDT": D("2023-12-31"), "DCUTDT": D("2024-01-31"),
    }
    adsl = pd.concat([adsl, pd.DataFrame([s5])], ignore_index=True)
    adsl.loc[adsl["USUBJID"] == "S2", "DLTFL"] = "Y"  # S2's ICANS is a DLT (AEDLTFL Y)
    return adsl


def _adae(severity_only: bool = False) -> pd.DataFrame:
    rows = [
        # USUBJID, AEDECOD, AEBODSYS, grade, ASTCT, start, end, TRTEMFL, AESER, DLT, TOCI, STER
        ("S1", CRS, "Immune system disorders", 2, 2, "2023-01-12", "2023-01-16", "Y", "N", "N",
         "Y", "N"),
        ("S1", NEUT, "Investigations", 4, None, "2023-01-13", "2023-01-25", "Y", "N", "N", "N",
         "N"),
        ("S1", ALT, "Investigations", 1, None, "2023-01-14", "2023-01-20", "Y", "N", "N", "N",
         "N"),
        ("S1", CRS, "Immune system disorders", 1, 1, "2023-01-30", "2023-02-01", "Y", "N", "N",
         "N", "N"),
        ("S1", "Nausea", "Gastrointestinal disorders", 1, None, "2023-01-06", "2023-01-07",
         "N", "N", "N", "N", "N"),
        ("S2", ICANS, "Nervous system disorders", 3, 3, "2023-03-06", None, "Y", "N", "Y", "N",
         "Y"),
        ("S2", NEUT, "Investigations", 3, None, "2023-03-03", "2023-03-11", "Y", "N", "N", "N",
         "N"),
        ("S2", "Lung infection", "Infections and infestations", 3, None, "2023-04-10", None,
         "Y", "Y", "N", "N", "N"),
        ("S2", "Sepsis", "Infections and infestations", 5, None, "2023-04-30", "2023-05-01",
         "Y", "Y", "N", "N", "N"),
        ("S3", "Nausea", "Gastrointestinal disorders", 1, None, "2023-03-01", "2023-03-02", "Y",
         "N", "N", "N", "N"),
        ("S5", CRS, "Immune system disorders", 3, None, "2023-06-02", "2023-06-05", "Y", "N",
         "N", "Y", "Y"),
        ("S5", "Headache", "Nervous system disorders", 1, None, "2023-06-03", "2023-06-04", None,
         "N", "N", "N", "N"),
        ("S2", "Pyrexia", "General disorders", 2, None, "2023-02-27", "2023-02-28", "Y", "N",
         "N", "N", "N"),
        ("S5", NEUT, "Investigations", 2, None, "2023-06-05", "2023-06-10", "Y", "N", "N", "N",
         "N"),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "AEDECOD", "AEBODSYS", "AETOXGR", "ASTCTGR",
                                        "ASTDT", "AENDT", "TRTEMFL", "AESER", "AEDLTFL",
                                        "TOCIFL", "STERFL"])
    frame["ASTDT"] = pd.to_datetime(frame["ASTDT"])
    frame["AENDT"] = pd.to_datetime(frame["AENDT"])
    frame["AESEQ"] = frame.groupby("USUBJID").cumcount() + 1
    if severity_only:
        frame["AESEV"] = frame["AETOXGR"].map({1: "MILD", 2: "MODERATE"}).fillna("SEVERE")
        frame = frame.drop(columns="AETOXGR")
    return frame


def _build(path, severity_only: bool = False, without_flag: bool = False) -> Trial:
    adae = _adae(severity_only)
    datasets = {"adsl": _adsl(),
                "adae": adae.drop(columns="TRTEMFL") if without_flag else adae}
    meta = SnapshotMeta("TINY", "Safety test trial", None, date(2024, 1, 31), "adam",
                        "hand-written fixture", [], None, "TRT01A", "DISTYPE")
    return Trial.open(write_snapshot(derive_all(datasets), meta, path))


@pytest.fixture(scope="module")
def trial(tmp_path_factory) -> Trial:
    return _build(tmp_path_factory.mktemp("safety") / "safety.duckdb")


@pytest.fixture(scope="module")
def severity_trial(tmp_path_factory) -> Trial:
    return _build(tmp_path_factory.mktemp("safety_sev") / "safety_sev.duckdb", True)


@pytest.fixture(scope="module")
def unflagged_trial(tmp_path_factory) -> Trial:
    return _build(tmp_path_factory.mktemp("safety_noflag") / "noflag.duckdb", without_flag=True)


def _counts(summary, category: str) -> dict[str, tuple[int, int]]:
    rows = summary.counts[summary.counts["category"] == category]
    return {r.dose_group: (r.n, r.N) for r in rows.itertuples()}


# --- TEAE summary --------------------------------------------------------------------------


def test_teae_summary_whole_follow_up_hand_counts(trial):
    """Hand count from the fixture (module docstring), whole follow-up."""
    summary = safety.teae_summary(trial.cohort(), window_days=None)
    assert summary.count.kept == 3
    expected = {
        "any_teae": {LOW: (1, 1), HIGH: (2, 2), ALL: (3, 3)},
        "grade3plus": {LOW: (1, 1), HIGH: (2, 2), ALL: (3, 3)},
        "serious": {LOW: (0, 1), HIGH: (1, 2), ALL: (1, 3)},
        "grade5": {LOW: (0, 1), HIGH: (1, 2), ALL: (1, 3)},
        "crs_any": {LOW: (1, 1), HIGH: (1, 2), ALL: (2, 3)},
        "crs_grade3plus": {LOW: (0, 1), HIGH: (1, 2), ALL: (1, 3)},
        "icans_any": {LOW: (0, 1), HIGH: (1, 2), ALL: (1, 3)},
        "icans_grade3plus": {LOW: (0, 1), HIGH: (1, 2), ALL: (1, 3)},
        "dlt": {LOW: (0, 1), HIGH: (1, 2), ALL: (1, 3)},
    }
    for category, cells in expected.items():
        assert _counts(summary, category) == cells, category


def test_teae_summary_28_day_window_drops_late_events(trial):
    """Hand count: in 28 days S2's serious lung infection (day 40) and fatal sepsis (day 60)
    fall outside the window, so serious and grade 5 are 0; S1's day-20 CRS stays inside."""
    summary = safety.teae_summary(trial.cohort(), window_days=28)
    assert _counts(summary, "serious")[ALL] == (0, 3)
    assert _counts(summary, "grade5")[ALL] == (0, 3)
    assert _counts(summary, "crs_any")[LOW] == (1, 1)
    assert _counts(summary, "any_teae")[ALL] == (3, 3)


def test_teae_summary_table_cells_and_column_order(trial):
    """The display table has dose groups in dose order then Overall, cells 'n/N (pct%)'."""
    summary = safety.teae_summary(trial.cohort(), window_days=None)
    table = summary.table
    assert list(table.columns) == ["Event", LOW, HIGH, ALL]
    assert list(table["Event"])[:4] == ["Any TEAE", "Grade ≥3 TEAE", "Serious TEAE",
                                         "Grade 5 (fatal) TEAE"]
    crs_any = table.set_index("Event").loc["CRS, any grade"]
    assert list(crs_any) == ["1/1 (100.0%)", "1/2 (50.0%)", "2/3 (66.7%)"]


def test_teae_summary_labels_astct_fallback_and_states_scales(trial):
    """S5's CRS has no ASTCT grade, so the CRS >=3 row names the CTCAE fallback; ICANS has
    ASTCT grades throughout and keeps the plain ASTCT label. The note names both scales."""
    summary = safety.teae_summary(trial.cohort(), window_days=None)
    labels = list(summary.table["Event"])
    assert "CRS, grade ≥3 (ASTCT, else CTCAE)" in labels
    assert "ICANS, ASTCT grade ≥3" in labels
    assert "CTCAE v5.0" in summary.note and "ASTCT (Lee 2019)" in summary.note
    assert "1 of 3 events without ASTCT grade" in summary.note


def test_teae_summary_as_dict_has_json_keys(trial):
    """Hand count: per group n = infused patients, any_teae and grade3plus as above."""
    data = safety.teae_summary(trial.cohort(), window_days=None).as_dict()
    assert data[HIGH]["n"] == 2 and data[HIGH]["any_teae"] == 2
    assert data[HIGH]["grade3plus"] == 2
    assert data[ALL] == {**data[ALL], "n": 3, "serious": 1}


def test_teae_summary_severity_only_says_severe(severity_trial):
    """With AESEV only, the >=3 row reads 'Severe' and there is no fatal row (hand check:
    G3-G5 events became SEVERE, so every patient still has a severe TEAE)."""
    summary = safety.teae_summary(severity_trial.cohort(), window_days=None)
    labels = list(summary.table["Event"])
    assert "Severe TEAE" in labels
    assert not any(label.startswith("Grade 5") for label in labels)
    assert summary.grade_scale.startswith("Severity")
    assert "Severity" in summary.note
    assert _counts(summary, "grade3plus")[ALL] == (3, 3)


def test_teae_summary_with_no_infused_patient(trial):
    """Only S3 (not infused) kept: zero denominators, '0/0 (NA)', no exception."""
    summary = safety.teae_summary(trial.cohort(Filter.of(patients=["S3"])), window_days=None)
    assert summary.count.kept == 0
    assert list(summary.table.columns) == ["Event", ALL]
    assert set(summary.table[ALL]) == {"0/0 (NA)"}


# --- incidence by term ----------------------------------------------------------------------


def _incidence_row(frame, term, group):
    row = frame[(frame["AEDECOD"] == term) & (frame["dose_group"] == group)]
    assert len(row) == 1
    return row.iloc[0]


def test_incidence_any_grade_counts_and_worst_grades(trial):
    """Hand count: neutrophil count decreased in S1 (G4), S2 (G3), S5 (G2): 3/3 overall with
    one patient at each of grades 2-4 (modal grade: tie goes to the higher, 4)."""
    inc = safety.ae_incidence_by_term(trial.cohort(), window_days=None, min_grade=1)
    overall = _incidence_row(inc, NEUT, ALL)
    assert (overall["n"], overall["N"]) == (3, 3)
    assert [overall[f"grade_{g}"] for g in range(1, 6)] == [0, 1, 1, 1, 0]
    assert overall["modal_grade"] == 4
    high = _incidence_row(inc, NEUT, HIGH)
    assert (high["n"], high["N"], high["pct"]) == (2, 2, 100.0)


def test_incidence_excludes_non_emergent_and_not_infused(trial):
    """Nausea is S1's non-emergent event and S3's (not infused): it must not appear."""
    inc = safety.ae_incidence_by_term(trial.cohort(), window_days=None, min_grade=1)
    assert "Nausea" not in set(inc["AEDECOD"])


def test_incidence_has_zero_cells_for_every_group(trial):
    """ICANS occurred only at 1.0: the 0.25 cell exists with n=0, N=1."""
    inc = safety.ae_incidence_by_term(trial.cohort(), window_days=None, min_grade=1)
    low = _incidence_row(inc, ICANS, LOW)
    assert (low["n"], low["N"], low["pct"]) == (0, 1, 0.0)
    assert len(inc) == inc["AEDECOD"].nunique() * 3


def test_incidence_order_soc_alphabetical_terms_by_frequency(trial):
    """SOCs alphabetically; within Investigations neutrophils (3/3) before ALT (1/3) despite
    the alphabet; Lung infection and Sepsis tie (1/3) and go alphabetically."""
    inc = safety.ae_incidence_by_term(trial.cohort(), window_days=None, min_grade=1)
    terms = list(inc.sort_values("term_order").drop_duplicates("AEDECOD")["AEDECOD"])
    assert terms == [CRS, "Lung infection", "Sepsis", NEUT, ALT, ICANS]


def test_incidence_grade3_keeps_only_high_grade_patients(trial):
    """Hand count, grade >=3 whole follow-up: CRS only S5 (G3) -> 1/2 at 1.0, 0/1 at 0.25;
    neutrophils S1 and S2 -> 2/3 overall; ALT (G1 only) drops out."""
    inc = safety.ae_incidence_by_term(trial.cohort(), window_days=None, min_grade=3)
    assert ALT not in set(inc["AEDECOD"])
    assert _incidence_row(inc, CRS, HIGH)[["n", "N"]].tolist() == [1, 2]
    assert _incidence_row(inc, CRS, LOW)["n"] == 0
    assert _incidence_row(inc, NEUT, ALL)["n"] == 2


def test_worst_grade_by_patient_term(trial):
    """S1 had CRS grades 2 and 1: one row, worst grade 2; S3 (not infused) is absent."""
    worst = safety.worst_grade_by_patient_term(trial.cohort(), window_days=None)
    s1_crs = worst[(worst["USUBJID"] == "S1") & (worst["AEDECOD"] == CRS)]
    assert s1_crs["max_grade"].tolist() == [2]
    assert "S3" not in set(worst["USUBJID"])
    assert not worst.duplicated(["USUBJID", "AEDECOD"]).any()


def test_incidence_empty_when_no_infused_patient(trial):
    """No infused patient kept: an empty frame with the documented columns."""
    inc = safety.ae_incidence_by_term(trial.cohort(Filter.of(patients=["S3"])), None, 1)
    assert inc.empty and {"AEDECOD", "n", "N", "term_order"} <= set(inc.columns)


# --- CRS and ICANS --------------------------------------------------------------------------


def _grade_counts(by_grade, syndrome, group):
    rows = by_grade[(by_grade["syndrome"] == syndrome) & (by_grade["dose_group"] == group)]
    return dict(zip(rows["grade"], rows["n"], strict=True))


def test_crs_icans_by_grade_hand_counts(trial):
    """Hand count: CRS worst ASTCT grade S1 2 (of 2 and 1), S5 3 (CTCAE fallback), S2 none;
    ICANS S2 3. Grade 0 = infused without the syndrome."""
    by_grade = safety.crs_icans_by_grade(trial.cohort(), window_days=None)
    assert _grade_counts(by_grade, "CRS", LOW) == {0: 0, 1: 0, 2: 1, 3: 0, 4: 0}
    assert _grade_counts(by_grade, "CRS", HIGH) == {0: 1, 1: 0, 2: 0, 3: 1, 4: 0}
    assert _grade_counts(by_grade, "CRS", ALL) == {0: 1, 1: 0, 2: 1, 3: 1, 4: 0}
    assert _grade_counts(by_grade, "ICANS", HIGH) == {0: 1, 1: 0, 2: 0, 3: 1, 4: 0}
    assert set(by_grade.loc[by_grade["dose_group"] == HIGH, "N"]) == {2}


def test_crs_icans_by_grade_scale_names_fallback(trial):
    """CRS mixes ASTCT and a CTCAE fallback (S5); ICANS is ASTCT only."""
    by_grade = safety.crs_icans_by_grade(trial.cohort(), window_days=None)
    scales = by_grade.drop_duplicates("syndrome").set_index("syndrome")["scale"]
    assert "CTCAE v5.0 for 1 of 3 events" in scales["CRS"]
    assert scales["ICANS"] == safety.ASTCT_SCALE


def test_crs_icans_table_cells(trial):
    """Display table: one row per syndrome x grade, cells 'n/N (pct%)', scale column."""
    table = safety.crs_icans_table(safety.crs_icans_by_grade(trial.cohort(), None))
    assert list(table.columns) == ["Syndrome", "ASTCT grade", LOW, HIGH, ALL, "Grading scale"]
    crs3 = table[(table["Syndrome"] == "CRS") & (table["ASTCT grade"] == "Grade 3")].iloc[0]
    assert (crs3[LOW], crs3[HIGH], crs3[ALL]) == ("0/1 (0.0%)", "1/2 (50.0%)", "1/3 (33.3%)")


def test_crs_icans_episodes_durations_and_ongoing(trial):
    """Hand count: S1 CRS days 2-6 (5 days) and 20-22 (3); S2 ICANS from day 5 with no end:
    ongoing to death on day 61 (57 days); S5 CRS days 1-4 (4), no ASTCT grade -> CTCAE 3."""
    episodes = safety.crs_icans_episodes(trial.cohort(), window_days=None)
    got = episodes[["USUBJID", "aesi", "onset_day", "end_day", "duration_days", "ongoing"]]
    assert got.values.tolist() == [
        ["S1", "CRS", 2, 6, 5, False],
        ["S1", "CRS", 20, 22, 3, False],
        ["S2", "ICANS", 5, 61, 57, True],
        ["S5", "CRS", 1, 4, 4, False],
    ]
    s5 = episodes.iloc[3]
    assert pd.isna(s5["astct_grade"]) and s5["ctcae_grade"] == 3 and s5["grade"] == 3
    assert s5["grade_source"] == "CTCAE v5.0"
    assert (s5["TOCIFL"], s5["STERFL"]) == ("Y", "Y")


def test_crs_icans_episodes_window(trial):
    """All four episodes start by day 20, so a 28-day window keeps them; a filter to S2 keeps
    only the ICANS episode."""
    assert len(safety.crs_icans_episodes(trial.cohort(), 28)) == 4
    only_s2 = safety.crs_icans_episodes(trial.cohort(Filter.of(patients=["S2"])), 28)
    assert only_s2["aesi"].tolist() == ["ICANS"]


def test_window_label():
    """The window wording used in titles and captions."""
    assert safety.window_label(28) == "within 28 days of infusion"
    assert safety.window_label(None) == "whole follow-up"


def test_worst_grade_term_order_follows_patient_counts(trial):
    """Neutrophils (3 patients) come before ALT (1) inside Investigations; CRS (Immune
    system disorders) is first overall, as SOCs sort alphabetically."""
    worst = safety.worst_grade_by_patient_term(trial.cohort(), window_days=None)
    order = worst.drop_duplicates("AEDECOD").set_index("AEDECOD")["term_order"]
    assert order[CRS] == 1
    assert order[NEUT] < order[ALT]


def test_grade_labels_follow_the_scale():
    """CTCAE reads 'Grade ≥3' / 'grade ≥3'; the severity scale reads 'Severe' / 'severe'."""
    severity = "Severity (mild/moderate/severe)"
    assert safety.grade_threshold_label("CTCAE v5.0") == "Grade ≥3"
    assert safety.grade_threshold_label(severity) == "Severe"
    assert safety.incidence_label(1, "CTCAE v5.0") == "any grade"
    assert safety.incidence_label(3, "CTCAE v5.0") == "grade ≥3"
    assert safety.incidence_label(3, severity) == "severe"


# --- treatment-emergence rule and periods ----------------------------------------------------


def test_blank_trtemfl_is_not_treatment_emergent(trial):
    """ADaM IG: only TRTEMFL 'Y' is treatment-emergent; a blank is not. Hand count: S5's
    headache (TRTEMFL blank) and S2's pyrexia on day -2 (flag Y, before infusion) are in no
    TEAE table; S1's nausea (flag N) neither."""
    inc = safety.ae_incidence_by_term(trial.cohort(), window_days=None)
    assert {"Headache", "Pyrexia", "Nausea"}.isdisjoint(set(inc["AEDECOD"]))
    summary = safety.teae_summary(trial.cohort(), window_days=None)
    assert summary.rule == safety.teae_rule(trial.cohort().adverse_events()).text
    assert "TRTEMFL 'Y'" in summary.rule and "ADaM IG" in summary.note
    assert "TRTEMFL 'Y'" in summary.note


def test_without_trtemfl_onset_on_or_after_infusion(unflagged_trial):
    """Without TRTEMFL the rule is onset on or after the infusion day. Hand count: S5's
    headache (day 2) now counts; S2's pyrexia (day -2) and S1's nausea (day -4) do not."""
    cohort = unflagged_trial.cohort()
    inc = safety.ae_incidence_by_term(cohort, window_days=None)
    terms = set(inc["AEDECOD"])
    assert "Headache" in terms and not {"Pyrexia", "Nausea"} & terms
    row = inc[(inc["AEDECOD"] == "Headache") & (inc["dose_group"] == ALL)].iloc[0]
    assert (row["n"], row["N"]) == (1, 3)
    summary = safety.teae_summary(cohort, window_days=28)
    assert "no TRTEMFL" in summary.rule and "no TRTEMFL" in summary.note


def test_events_by_period_hand_counts(trial):
    """Hand count (LDSTDT day -5 for S1 and S2). Lymphodepletion: S1 nausea G1 day -4 and S2
    pyrexia G2 day -2 (2 patients, none grade >=3, 2 events). Days 0-28 (treatment-emergent):
    S1 CRS, neutropenia G4, ALT, CRS; S2 ICANS G3, neutropenia G3; S5 CRS G3, neutropenia
    (headache is not TE): 3 patients, 3 with grade >=3, 8 events. Day 29 on: S2 lung infection
    G3 and sepsis G5: 1 patient, 1 grade >=3, 2 events. N = 3 infused."""
    periods = safety.events_by_period(trial.cohort())
    got = periods[["period", "n", "n_grade3", "events", "N"]].values.tolist()
    assert got == [[safety.PERIODS[0], 2, 0, 2, 3], [safety.PERIODS[1], 3, 3, 8, 3],
                   [safety.PERIODS[2], 1, 1, 2, 3]]


def test_infections_by_period_hand_counts(trial):
    """FDA CAR-T labels tabulate infections by period. Hand count: only S2's lung infection
    (day 40) and sepsis (day 60), both after day 28."""
    periods = safety.events_by_period(trial.cohort(), soc="Infections and infestations")
    assert periods["n"].tolist() == [0, 0, 1] and periods["events"].tolist() == [0, 0, 2]


def test_icans_is_graded_on_the_astct_scale_only(trial):
    """CTCAE v5.0 has no ICANS term (graded under encephalopathy and related terms); ASTCT 2019
    (Lee) grades it. S2's ICANS carries AETOXGR 3 in the fixture: the episode shows no CTCAE
    grade. An ICANS event without ASTCT grade stays ungraded; CRS falls back to CTCAE."""
    episodes = safety.crs_icans_episodes(trial.cohort(), window_days=None)
    icans = episodes[episodes["aesi"] == "ICANS"].iloc[0]
    assert pd.isna(icans["ctcae_grade"]) and icans["astct_grade"] == 3
    frame = pd.DataFrame({"aesi": ["ICANS", "CRS"], "ASTCTGR": [None, None], "grade": [2, 2]})
    grades = safety._syndrome_grade(frame)
    assert pd.isna(grades.iloc[0]) and grades.iloc[1] == 2


def test_grade3_row_counts_icans_by_its_astct_grade():
    """CTCAE v5.0 has no ICANS term: an ICANS event with ASTCT grade 3 and no CTCAE grade is a
    grade >=3 TEAE (by ASTCT 2019); a CRS event keeps its CTCAE grade in that row."""
    events = pd.DataFrame({"aesi": ["ICANS", "CRS"], "ASTCTGR": [3, 3], "grade": [None, 2],
                           "AESER": ["N", "N"], "AEDLTFL": ["N", "N"]})
    rows = {key: mask for key, _, mask in safety._summary_categories(events, "CTCAE v5.0")}
    assert rows["grade3plus"].tolist() == [True, False]
    assert rows["crs_grade3plus"].tolist() == [False, True]
