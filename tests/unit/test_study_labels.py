"""Labels learnt from the data (never invented), and how an imported non-cell-therapy study
is shown: over the oncology-like fixture (pilot_like.write_oncology_like), whose every
number below is a hand count from its docstring."""

from __future__ import annotations

import pandas as pd
import pytest
from pilot_like import ONCOLOGY_STUDY, write_oncology_like

from trialdash import study_labels as sl
from trialdash.analysis import enrollment, overview, response
from trialdash.build import build_from_adam
from trialdash.study_labels import UserLabels
from trialdash.trial import Trial

ID = [f"{ONCOLOGY_STUDY}-{i:02d}" for i in range(17)]  # ID[1] = ONCO01-01


def _import(tmp_path, name: str, user: UserLabels | None = None, **fixture) -> Trial:
    folder = write_oncology_like(tmp_path / name, **fixture)
    return Trial.open(build_from_adam(folder, tmp_path / f"{name}.duckdb", subtype_var="SEX",
                                      user_labels=user))


@pytest.fixture(scope="module")
def recist(tmp_path_factory) -> Trial:
    return _import(tmp_path_factory.mktemp("onc"), "recist")


@pytest.fixture(scope="module")
def unstated(tmp_path_factory) -> Trial:
    return _import(tmp_path_factory.mktemp("onc"), "unstated", criteria_text="",
                   grade_label="Analysis Toxicity Grade")


@pytest.mark.parametrize(("text", "expected"), [
    ("Best Overall Response per RECIST 1.1", ["RECIST 1.1"]),
    ("Overall response (RECIST v1.1)", ["RECIST 1.1"]),
    ("iRECIST", ["iRECIST"]),
    ("Lugano Classification (2014)", ["Lugano 2014"]),
    ("NCCN/ELN (T-ALL)", ["NCCN/ELN"]),
    ("IMWG uniform response criteria", ["IMWG"]),
    ("iwCLL 2018", ["iwCLL 2018"]),
    ("Best Overall Response", []),
    (None, []),
])
def test_criteria_named_in_text(text, expected):
    assert sl.criteria_in_text(text) == expected


@pytest.mark.parametrize(("criteria", "responses", "expected"), [
    ("RECIST 1.1", ["CR", "PR"], sl.CR_PR),
    ("NCCN/ELN", ["CR"], sl.CR_CRI),
    ("ELN 2017", ["CR", "PR"], sl.CR_CRI),
    (None, ["CR", "CRi", "PD"], sl.CR_CRI),
    (None, ["CR", "PR"], sl.CR_PR),
])
def test_responder_definition_follows_the_criteria(criteria, responses, expected):
    """Issue rule: CR + CRi where CRi occurs (leukaemia criteria), otherwise CR + PR."""
    assert sl.responder_definition(criteria, responses) == expected


def test_clinical_profile_only_for_its_diseases():
    assert sl.profile_applies(pd.Series(["T-ALL", "AITL", None]))
    assert not sl.profile_applies(pd.Series(["F", "M"]))
    assert not sl.profile_applies(pd.Series([], dtype=object))


@pytest.mark.parametrize(("labels", "expected"), [
    ({"AETOXGR": "Standard Toxicity Grade (CTCAE v4.03)"}, "CTCAE v4.03"),
    ({"AETOXGRN": "Grade, CTCAE version 5.0"}, "CTCAE v5.0"),
    ({"AETOXGR": "Analysis Toxicity Grade"}, None),
    ({}, None),
])
def test_ctcae_version_from_variable_labels(labels, expected):
    assert sl.ctcae_from_labels(labels) == expected


def test_ctcae_scale_label():
    assert sl.ctcae_scale(None) == "CTCAE (version not stated)"
    assert sl.ctcae_scale("5.0") == sl.ctcae_scale("v5.0") == "CTCAE v5.0"
    assert sl.ctcae_scale("CTCAE v4.03") == "CTCAE v4.03"


def test_subtype_label_is_the_variables_own():
    assert sl.subtype_label("SEX", {"SEX": "Sex of participant"}) == "Sex of participant"
    assert sl.subtype_label("SEX", {}) == "Sex"  # CDISC ADaM IG label, for a .csv
    assert sl.subtype_label("DISTYPE", {}) == "Disease subtype"
    assert sl.subtype_label(None, {}) is None


def test_import_with_recist_in_adrs_shows_recist(recist):
    """PARAM names RECIST 1.1: the criteria and CR + PR come from the data, not Lugano."""
    labels = recist.labels
    assert labels.response_criteria == "RECIST 1.1"
    assert labels.responder_definition == sl.CR_PR
    assert not labels.clinical_profile
    best = response.best_response(recist.cohort())
    assert set(best["criteria"]) == {"RECIST 1.1"}
    table = response.orr_display_table(response.orr_table(recist.cohort(), None), "All")
    assert table.iloc[-1]["Criteria (CRIT)"] == "RECIST 1.1"
    assert "Lugano" not in table.to_csv()


def test_import_without_criteria_says_so(unstated):
    labels = unstated.labels
    assert labels.response_criteria is None
    best = response.best_response(unstated.cohort())
    assert set(best["criteria"]) == {sl.NOT_STATED}
    assert "criteria not stated in the data" in response.responder_statement(labels)
    assert "Lugano" not in response.orr_definition(labels)


def test_user_states_the_criteria(tmp_path):
    trial = _import(tmp_path, "told", UserLabels(response_criteria="RECIST 1.1"),
                    criteria_text="")
    assert set(response.best_response(trial.cohort())["criteria"]) == {"RECIST 1.1"}


def test_ctcae_version_stated_or_not(recist, unstated, tmp_path):
    """AETOXGR labelled 'CTCAE v4.03' vs unlabelled; the user's --ctcae-version wins."""
    assert set(recist.cohort().adverse_events()["grade_scale"]) == {"CTCAE v4.03"}
    assert set(unstated.cohort().adverse_events()["grade_scale"]) == {
        "CTCAE (version not stated)"}
    told = _import(tmp_path, "ctcae", UserLabels(ctcae_version="5.0"),
                   grade_label="Analysis Toxicity Grade")
    assert told.labels.grade_scale == "CTCAE v5.0"


def test_synthetic_trial_keeps_its_clinical_profile(trial):
    labels = trial.labels
    assert labels.clinical_profile and labels.cell_therapy
    assert labels.grade_scale == "CTCAE v5.0" and trial.subtype_label == "Disease subtype"
    assert trial.day_zero == "CAR-T infusion"


def test_screen_failure_is_no_dose_group(recist):
    """ADSL row 01 (ARM 'Screen Failure'): no dose group, not enrolled, not 'not infused'."""
    adsl = recist.cohort().subjects.set_index("USUBJID")
    assert pd.isna(adsl.loc[ID[1], "dose_group"]) and adsl.loc[ID[1], "enrolled"] == "N"
    assert recist.dose_groups == ["Placebo", "Drug 10 mg", "Drug 20 mg"]
    flow = enrollment.disposition(recist.cohort())
    assert flow.flow.set_index("step").loc["Enrolled", "Overall"] == 15
    assert flow.not_infused.empty


def test_placebo_arm_not_in_the_escalation_ledger(recist):
    ledger, _ = overview.escalation(recist.cohort())
    assert list(ledger["dose"]) == ["Drug 10 mg", "Drug 20 mg"]


def test_subtype_variable_label_in_tables(recist):
    """SEX as the subtype variable is called 'Sex' (its SAS label), not 'Disease subtype'."""
    assert recist.subtype_label == "Sex"
    rows = set(enrollment.baseline_characteristics(recist.cohort())["Characteristic"])
    assert {"Sex: F", "Sex: M"} <= rows
    assert not any(r.startswith("Disease subtype") for r in rows)


def test_treatment_start_wording_for_a_non_cell_therapy(recist, tmp_path):
    assert recist.day_zero == "treatment start"
    steps = list(enrollment.disposition(recist.cohort()).flow["step"])
    assert "Lymphodepleted" not in steps and "Treated" in steps and "Infused" not in steps
    told = _import(tmp_path, "cell", UserLabels(cell_therapy=True))
    assert told.day_zero == "CAR-T infusion"
    assert "Lymphodepleted" in list(enrollment.disposition(told.cohort()).flow["step"])


def test_recist_non_cr_non_pd_is_its_own_category(recist):
    """Patient 04's BOR NON-CR/NON-PD is kept, not turned into NE."""
    assert response.normalise_response("Non-CR/Non-PD") == response.NON_CR_NON_PD
    best = response.best_response(recist.cohort()).set_index("USUBJID")
    assert best.loc[ID[4], "BOR"] == response.NON_CR_NON_PD
    counts = response.bor_counts(best.reset_index(), "dose_group")
    assert counts.loc[counts["BOR"] == response.NON_CR_NON_PD, "n"].sum() == 1


def test_one_evaluable_population_for_orr_and_flow(recist, tmp_path):
    """EFFFL blank: 5 of 15 treated were assessed (02-06); ORR = CR 02 + PR 03 = 2/5, and
    patient flow says the same 5 are efficacy-evaluable. The 10 never assessed are not
    non-responders."""
    population = response.evaluable_population(recist.cohort())
    assert (population.count.kept, population.count.total) == (5, 15)
    overall = response.orr_table(recist.cohort(), None).iloc[-1]
    assert (overall["responders"], overall["n"]) == (2, 5)
    flow = enrollment.disposition(recist.cohort()).flow.set_index("step")
    assert flow.loc["Efficacy-evaluable", "Overall"] == 5
    # With EFFFL = Y for all 15 treated, the sponsor's population is used and the page says
    # how many of them were never assessed.
    sponsor = _import(tmp_path, "efffl", efffl=True)
    population = response.evaluable_population(sponsor.cohort())
    assert (population.count.kept, population.unassessed) == (15, 10)
    assert "10 without any response assessment" in population.describe()


def test_mapping_file_labels(tmp_path):
    """A mapping file's "_labels" object (ignored by the variable mapping) states labels;
    the command line wins over it."""
    path = tmp_path / "mapping.json"
    path.write_text('{"adsl": {"rename": {}}, "_labels": {"response_criteria": "IMWG", '
                    '"ctcae_version": "4.03", "cell_therapy": true}}', encoding="utf-8")
    given = sl.labels_from_mapping(path)
    assert given == UserLabels("IMWG", "4.03", True)
    assert UserLabels(response_criteria="RECIST 1.1").merged(given) == UserLabels(
        "RECIST 1.1", "4.03", True)
    assert sl.labels_from_mapping(None) == UserLabels()


def test_command_line_states_the_labels(tmp_path):
    """--response-criteria, --ctcae-version and --cell-therapy reach the snapshot's meta."""
    from trialdash.cli import main

    folder = write_oncology_like(tmp_path / "cli", criteria_text="",
                                 grade_label="Analysis Toxicity Grade")
    out = tmp_path / "cli.duckdb"
    assert main(["snapshot", "build", "--adam", str(folder), "--out", str(out),
                 "--subtype-var", "SEX", "--response-criteria", "iRECIST",
                 "--ctcae-version", "5.0", "--cell-therapy"]) == 0
    labels = Trial.open(out).labels
    assert (labels.response_criteria, labels.grade_scale, labels.cell_therapy) == (
        "iRECIST", "CTCAE v5.0", True)


def test_survival_strata_named_by_the_subtype_label(trial):
    """The synthetic trial's DISTYPE strata are 'Disease subtype' in the survival tables."""
    from trialdash.analysis.endpoints import survival_analysis

    assert survival_analysis(trial.cohort(), "OS", by="subtype").by_label == "Disease subtype"
