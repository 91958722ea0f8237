"""Findings and provenance as the Data page shows them, over the tiny trial's four findings
(hand-written in tiny_trial.tiny_findings: S1, S2, S9 not in ADSL, one study-level)."""

from __future__ import annotations

import pandas as pd
import pytest
from tiny_trial import build_tiny

from trialdash.analysis import findings as data
from trialdash.analysis.filters import Filter
from trialdash.trial import Trial


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    return Trial.open(build_tiny(tmp_path_factory.mktemp("tiny") / "tiny.duckdb"))


def test_unfiltered_cohort_sees_every_finding(trial):
    """All 4 hand-written findings, the subject absent from ADSL (S9) included."""
    found = trial.cohort().findings()
    assert len(found) == 4
    assert set(found["usubjid"].dropna()) == {"S1", "S2", "S9"}


def test_filtered_cohort_sees_its_patients_and_study_level_findings(trial):
    """Dose 0.25 keeps S1 only: S1's finding plus the study-level one (hand count: 2)."""
    found = trial.cohort(Filter.of(["0.25 x10^6 cells/kg"])).findings()
    assert sorted(found["usubjid"].fillna("-")) == ["-", "S1"]


def test_filter_by_rule_dataset_and_patient(trial):
    found = trial.findings()
    assert list(data.filter_findings(found, rules=["date_before_1980"])["usubjid"]) == ["S1"]
    assert len(data.filter_findings(found, datasets=["adsl"])) == 2
    assert list(data.filter_findings(found, patients=["S2"])["rule"]) == [
        "alive_before_treatment"]
    assert len(data.filter_findings(found)) == 4


def test_patients_with_findings_only_those_with_a_profile_when_asked(trial):
    found = trial.findings()
    assert data.patients_with_findings(found) == ["S1", "S2", "S9"]
    assert data.patients_with_findings(found, ["S1", "S2", "S3", "S4"]) == ["S1", "S2"]


def test_presentation_display_hides_dates_and_unknown_ids(trial):
    """No calendar date and no identifier without a pseudonym in presentation mode."""
    shown = data.findings_display(trial.findings(), present=True, known_subjects=["S1", "S2"])
    text = shown.to_csv()
    assert "1977-03-01" not in text and "2023-02-25" not in text
    assert data.DATE_HIDDEN in text
    assert "S9" not in set(shown["USUBJID"])
    assert data.NOT_IN_ADSL in set(shown["USUBJID"])
    assert data.NO_SUBJECT in set(shown["USUBJID"])
    plain = data.findings_display(trial.findings())
    assert "1977-03-01" in plain.to_csv() and "S9" in set(plain["USUBJID"])


def test_subject_to_open_only_for_a_patient_with_a_profile(trial):
    found = trial.findings().reset_index(drop=True)
    known = ["S1", "S2", "S3", "S4"]
    positions = {s: i for i, s in enumerate(found["usubjid"]) if pd.notna(s)}
    assert data.subject_to_open(found, [positions["S1"]], known) == "S1"
    assert data.subject_to_open(found, [positions["S9"]], known) is None
    assert data.subject_to_open(found, [], known) is None


def test_count_by_rule(trial):
    counts = data.count_by_rule(trial.findings())
    assert counts["Findings"].sum() == 4
    assert set(counts.columns) == {"Rule", "Data set", "Findings", "Patients"}


def test_source_facts_and_counts_from_meta(trial):
    facts = dict(data.source_facts(trial.meta))
    assert facts["Dose variable"] == "TRT01A"
    assert facts["Subtype variable"] == "DISTYPE"
    assert facts["Data cut-off"] == "2024-01-31"
    counts = data.row_counts(trial.meta)
    assert dict(zip(counts["Table"], counts["Rows"], strict=True))["adsl"] == 4
    meta = {**trial.meta, "source_files": [
        {"dataset": "adsl", "file": "adsl.xpt", "sha256": "ab" * 32, "rows": 4}]}
    files = data.source_files(meta)
    assert list(files.columns) == ["Data set", "File", "SHA-256", "Rows read"]
    assert files.iloc[0]["Rows read"] == 4


def test_label_facts_say_what_is_not_stated():
    from trialdash.study_labels import CAR_T_PROFILE, StudyLabels

    imported = StudyLabels(None, "CR + PR", False, "CTCAE (version not stated)", "Sex", False)
    facts = dict(data.label_facts(imported))
    assert facts["Response criteria"] == "criteria not stated in the data"
    assert facts["Adverse-event grades"] == "CTCAE (version not stated)"
    assert facts["Day 0"].startswith("treatment start")
    assert dict(data.label_facts(CAR_T_PROFILE))["Day 0"].startswith("CAR-T infusion")


def test_compact_display_puts_file_row_and_variable_in_one_cell(trial):
    """Five columns; 'Where' reads file, row, variable (hand-written in tiny_findings), and
    the data set in capitals when the finding names no file."""
    plain = data.findings_display(trial.findings(), compact=True)
    assert list(plain.columns) == ["USUBJID", "Rule", "What was found", data.WHERE, "Value"]
    found = trial.findings().reset_index(drop=True)
    for position, finding in found.iterrows():
        where = plain.loc[position, data.WHERE]
        source = finding["file"] if pd.notna(finding["file"]) else finding["dataset"].upper()
        assert where.startswith(source)
        if pd.notna(finding["row"]):
            assert f" row {int(finding['row'])}" in where
        if pd.notna(finding["column"]):
            assert where.endswith(f", {finding['column']}")
    no_file = data.findings_display(found.assign(file=None), compact=True)
    assert no_file.loc[0, data.WHERE] == "ADAE row 2, ASTDT"  # tiny_findings' first row
