"""Which patients a picker lists and which patient a typed value names (trialdash.patient_pick),
against hand-made lists: the expected options and patients below are counted by hand."""

from __future__ import annotations

from trialdash import patient_pick

IDS = [f"S-{n:03d}" for n in range(1, 11)]  # S-001 .. S-010, in display order
PSEUDONYMS = {"S-001": "P-AAAA", "S-002": "P-BBBB", "S-003": "P-CCCC"}


def test_a_trial_up_to_the_threshold_lists_everyone():
    assert patient_pick.lists_everyone(14)
    assert patient_pick.lists_everyone(patient_pick.MANY_PATIENTS)
    assert not patient_pick.lists_everyone(patient_pick.MANY_PATIENTS + 1)
    assert not patient_pick.lists_everyone(14, threshold=10)


def test_filter_options_keep_the_chosen_then_the_first_others():
    assert patient_pick.filter_options([], IDS, limit=3) == ["S-001", "S-002", "S-003"]
    # Chosen first, in their order, even outside the candidates (another dose group), then
    # three candidates that are not chosen.
    assert patient_pick.filter_options(["S-009", "X-1"], IDS, limit=3) == [
        "S-009", "X-1", "S-001", "S-002", "S-003"]
    assert patient_pick.filter_options(["S-002"], IDS, limit=3) == [
        "S-002", "S-001", "S-003", "S-004"]
    assert patient_pick.filter_options(["S-002"], ["S-001", "S-002"], limit=3) == [
        "S-002", "S-001"]
    assert patient_pick.filter_options(["S-002", "S-002"], [], limit=3) == ["S-002"]


def test_window_centres_the_current_patient_and_stays_inside_the_list():
    assert patient_pick.window(IDS, "S-006", size=4) == ["S-004", "S-005", "S-006", "S-007"]
    assert patient_pick.window(IDS, "S-001", size=4) == IDS[:4]
    assert patient_pick.window(IDS, "S-010", size=4) == IDS[-4:]
    assert patient_pick.window(IDS, "S-009", size=4) == IDS[-4:]
    assert patient_pick.window(IDS, "nobody", size=4) == IDS[:4]
    assert patient_pick.window(IDS, None, size=4) == IDS[:4]
    assert patient_pick.window(IDS[:3], "S-002", size=4) == IDS[:3]
    assert patient_pick.window([], None, size=4) == []


def test_values_name_patients_by_id_or_pseudonym_ignoring_case_and_spaces():
    named = patient_pick.name_patients(
        ["S-002", "p-aaaa", " s-003 ", "P-BBBB", "S-009", "", "P-"], PSEUDONYMS,
        pseudonymised=False)
    assert named.usubjids == ["S-002", "S-001", "S-003"]  # S-002 twice (ID, pseudonym): once
    assert named.unknown == ["S-009", "", "P-"]  # S-009 is not a patient the user may see


def test_a_pseudonymised_grant_names_patients_by_pseudonym_only():
    named = patient_pick.name_patients(["S-001", "s-002", "P-CCCC", "p-bbbb"], PSEUDONYMS,
                                       pseudonymised=True)
    assert named.usubjids == ["S-003", "S-002"]
    assert named.unknown == ["S-001", "s-002"]


def test_a_value_matching_two_patients_ignoring_case_names_neither():
    # Exact spellings still name their patient; the folded spelling is ambiguous.
    pseudonyms = {"ab-1": "P-1111", "AB-1": "P-2222"}
    named = patient_pick.name_patients(["ab-1", "AB-1", "Ab-1"], pseudonyms,
                                       pseudonymised=False)
    assert named.usubjids == ["ab-1", "AB-1"]
    assert named.unknown == ["Ab-1"]


def test_non_text_values_name_nobody():
    named = patient_pick.name_patients([None, 3], PSEUDONYMS, pseudonymised=False)
    assert named.usubjids == [] and named.unknown == [None, 3]


def test_listed_option_texts_name_their_patient_first():
    """An option shown (here a profile text, or a subject absent from ADSL with no
    pseudonym) names its patient; typed text still goes through IDs and pseudonyms."""
    listed = {"P-AAAA · T-ALL": "S-001", "X-77": "X-77"}
    named = patient_pick.name_patients(["P-AAAA · T-ALL", "X-77", "p-bbbb", "S-003"],
                                       PSEUDONYMS, pseudonymised=True, listed=listed)
    assert named.usubjids == ["S-001", "X-77", "S-002"]
    assert named.unknown == ["S-003"]
