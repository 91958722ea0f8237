"""AppTest of the patient pickers at every size: on a 600-patient synthetic snapshot
(``build_synthetic(patients=600)``, above ``patient_pick.MANY_PATIENTS``) the sidebar's Patients
filter and the profile's Patient box list a bounded number of patients and take a typed ID
(or, in presentation mode, a pseudonym); a typed value naming no patient the user may see is
refused. Over the three-site trial with the threshold lowered, a monitor cannot type another
site's patient and a sponsor can type pseudonyms only. On the 14-patient trial the pickers
list every patient, as before.

Expected lists are read from the snapshot directly with DuckDB (ADSL in display order: dose
order, then USUBJID), independently of the dashboard's code.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from access_harness import MONITOR_SITES, audit_lines, shown
from multisite import site_subjects
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Selectbox

from trialdash import patient_pick

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 180
PATIENTS = 600
REFUSED = "A patient you typed is not available for your access."


@pytest.fixture(scope="module")
def large_snapshot(tmp_path_factory) -> Path:
    from trialdash.build import build_synthetic

    return build_synthetic(tmp_path_factory.mktemp("pickers") / "large.duckdb",
                           patients=PATIENTS)


def adsl(path: Path, infused_only: bool = False, dose_group: str | None = None) -> list[tuple]:
    """(USUBJID, pseudonym, infused, SITEID) of ADSL rows in display order (infused ones
    only, of one dose group only)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT USUBJID, pseudonym, infused, SITEID FROM adsl "
            "WHERE (NOT $infused_only OR infused = 'Y') AND ($dose IS NULL OR dose_group = $dose) "
            "ORDER BY dose_order NULLS LAST, USUBJID",
            {"infused_only": infused_only, "dose": dose_group}).fetchall()
    finally:
        con.close()


def open_page(path: Path, page: str, monkeypatch, query: dict | None = None) -> AppTest:
    monkeypatch.setenv("TRIALDASH_SNAPSHOT", str(path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    at = at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def header(at: AppTest) -> str:
    return at.markdown[0].value


def url_patients(at: AppTest) -> list[str]:
    value = at.query_params.get("patient", [])
    return [value] if isinstance(value, str) else list(value)


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


@pytest.fixture
def typing(monkeypatch):
    """Let ``Selectbox.set_value`` send a text that is no option, as the browser sends what
    was typed into a select box with ``accept_new_options`` (AppTest's own select box sends
    option texts only)."""
    option_state = Selectbox._widget_state

    def widget_state(self):
        value = self._value
        if isinstance(value, str) and value not in self.options:
            state = WidgetState()
            state.id = self.id
            state.string_value = value
            return state
        return option_state.fget(self)

    monkeypatch.setattr(Selectbox, "_widget_state", property(widget_state))


# --- a large trial ----------------------------------------------------------------------


def test_patient_filter_lists_the_first_patients_of_the_other_filters(large_snapshot,
                                                                      monkeypatch):
    at = open_page(large_snapshot, "overview", monkeypatch)
    assert not [w for w in at.multiselect if w.key == "flt_patient"]
    patients = at.multiselect(key="flt_patient_text")
    assert patients.proto.accept_new_options
    everyone = [row[0] for row in adsl(large_snapshot)]
    assert patients.options == everyone[:patient_pick.LISTED_PATIENTS]
    top_dose = at.multiselect(key="flt_dose").options[-1]
    at.multiselect(key="flt_dose").set_value([top_dose]).run()
    in_dose = [row[0] for row in adsl(large_snapshot, dose_group=top_dose)]
    assert len(in_dose) > patient_pick.LISTED_PATIENTS
    assert at.multiselect(key="flt_patient_text").options == in_dose[:patient_pick.LISTED_PATIENTS]


def test_typing_a_patient_id_picks_that_patient(large_snapshot, monkeypatch):
    """An ID beyond the listed ones, typed in lower case with spaces, narrows every page to
    that patient and opens their profile."""
    at = open_page(large_snapshot, "overview", monkeypatch)
    listed = set(at.multiselect(key="flt_patient_text").options)
    wanted = next(row[0] for row in reversed(adsl(large_snapshot, infused_only=True)))
    assert wanted not in listed
    at.multiselect(key="flt_patient_text").set_value([f" {wanted.lower()} "]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"**1 of {PATIENTS} patients**" in header(at)
    assert url_patients(at) == [wanted]
    patients = at.multiselect(key="flt_patient_text")
    assert patients.value == [wanted] and patients.options[0] == wanted
    assert REFUSED not in warnings(at)
    at.switch_page("pages/patient.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="_text_pt_pick").value.startswith(f"{wanted} · ")


def test_typed_value_naming_no_patient_is_refused(large_snapshot, monkeypatch):
    at = open_page(large_snapshot, "overview", monkeypatch)
    at.multiselect(key="flt_patient_text").set_value(["NCT05290155-SYN-999"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert REFUSED in warnings(at)
    assert at.multiselect(key="flt_patient_text").value == []
    assert f"**{PATIENTS} of {PATIENTS} patients**" in header(at)
    assert url_patients(at) == []
    at.run()  # said once, for the interaction that was refused
    assert REFUSED not in warnings(at)


def test_presentation_mode_lists_and_takes_pseudonyms(large_snapshot, monkeypatch):
    at = open_page(large_snapshot, "overview", monkeypatch, {"present": "1"})
    rows = adsl(large_snapshot)
    patients = at.multiselect(key="flt_patient_text")
    assert patients.options == [row[1] for row in rows[:patient_pick.LISTED_PATIENTS]]
    usubjid, pseudonym, *_ = next(row for row in reversed(rows) if row[2] == "Y")
    patients.set_value([pseudonym.lower()]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="flt_patient_text").value == [pseudonym]
    assert url_patients(at) == [pseudonym]
    assert at.session_state["flt_patient"] == [usubjid]
    assert f"**1 of {PATIENTS} patients**" in header(at)


def test_profile_lists_the_neighbours_and_takes_a_typed_id(large_snapshot, monkeypatch,
                                                           typing):
    at = open_page(large_snapshot, "patient", monkeypatch)
    rows = adsl(large_snapshot)
    picker = at.selectbox(key="_text_pt_pick")
    assert len(picker.options) == patient_pick.LISTED_PATIENTS
    assert picker.value.startswith(f"{rows[0][0]} · ")  # the first patient, as before
    at_row = next(i for i in range(400, len(rows)) if rows[i][2] == "Y")
    wanted = rows[at_row][0]
    picker.set_value(wanted.lower()).run()
    assert not at.exception, [e.value for e in at.exception]
    picker = at.selectbox(key="_text_pt_pick")
    assert picker.value.startswith(f"{wanted} · ")
    ids = [option.split(" · ")[0] for option in picker.options]
    # The 100 around it, in display order.
    assert ids == [row[0] for row in rows[at_row - 50:at_row + 50]]
    assert url_patients(at) == [wanted]
    assert at.session_state["flt_patient"] == [wanted]
    assert f"**1 of {PATIENTS} patients**" in header(at)


def test_profile_refuses_a_typed_unknown_and_stays(large_snapshot, monkeypatch, typing):
    at = open_page(large_snapshot, "patient", monkeypatch)
    before = at.selectbox(key="_text_pt_pick").value
    at.selectbox(key="_text_pt_pick").set_value("nobody").run()
    assert not at.exception, [e.value for e in at.exception]
    assert REFUSED in warnings(at)
    assert at.selectbox(key="_text_pt_pick").value == before


# --- access, with the threshold lowered over the three-site trial ---------------------------


@pytest.fixture
def few_listed(monkeypatch):
    monkeypatch.setattr(patient_pick, "MANY_PATIENTS", 5)
    monkeypatch.setattr(patient_pick, "LISTED_PATIENTS", 3)


def test_monitor_cannot_type_another_sites_patient(signed_in, multisite_snapshot, few_listed,
                                                   typing):
    at = signed_in("cra@cro.example").switch_page("pages/overview.py").run()
    mine = site_subjects(multisite_snapshot, MONITOR_SITES)
    patients = at.multiselect(key="flt_patient_text")
    assert len(patients.options) == 3 and set(patients.options) <= mine
    other = sorted(site_subjects(multisite_snapshot, ("702",)))[0]
    patients.set_value([other]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert REFUSED in warnings(at)
    assert other not in shown(at)
    assert at.multiselect(key="flt_patient_text").value == []
    refused = [line["detail"] for line in audit_lines(signed_in.audit_file)
               if line["event"] == "refused"]
    assert refused == ["typed patient not available"]
    own = next(row[0] for row in reversed(adsl(multisite_snapshot, infused_only=True))
               if row[0] in mine)
    assert own not in patients.options
    at.multiselect(key="flt_patient_text").set_value([own]).run()
    assert at.multiselect(key="flt_patient_text").value == [own]
    assert "**1 of " in header(at)
    # The profile's box refuses another site's patient too.
    at.switch_page("pages/patient.py").run()
    at.selectbox(key="_text_pt_pick").set_value(other).run()
    assert not at.exception, [e.value for e in at.exception]
    assert REFUSED in warnings(at)
    assert other not in shown(at)
    assert at.selectbox(key="_text_pt_pick").value.startswith(f"{own} · ")


def test_sponsor_types_pseudonyms_only(signed_in, multisite_snapshot, few_listed):
    at = signed_in("lead@sponsor.example").switch_page("pages/overview.py").run()
    rows = adsl(multisite_snapshot, infused_only=True)
    usubjid, pseudonym, *_ = rows[-1]
    at.multiselect(key="flt_patient_text").set_value([usubjid]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert REFUSED in warnings(at)
    assert at.multiselect(key="flt_patient_text").value == []
    assert "**14 of 14 patients**" in header(at)
    at.multiselect(key="flt_patient_text").set_value([pseudonym]).run()
    assert at.multiselect(key="flt_patient_text").value == [pseudonym]
    assert "**1 of 14 patients**" in header(at)
    assert not [row[0] for row in adsl(multisite_snapshot) if row[0] in shown(at)]


def test_data_page_patient_pickers_take_typed_patients(tmp_path, monkeypatch):
    """The Data page's patient filter and profile picker over the two patients with
    findings (tests/app/test_data_page), with the threshold lowered to one patient."""
    from test_data_page import FIRST, OTHER, findings_frame

    from trialdash.derive import derive_all
    from trialdash.snapshot import SnapshotMeta, write_snapshot
    from trialdash.synthetic import DEFAULT_SEED, generate

    trial = generate()
    meta = SnapshotMeta(trial.study_id, trial.title, trial.registry_id, trial.cutoff,
                        "synthetic", f"synthetic, seed {DEFAULT_SEED}", [], DEFAULT_SEED,
                        "TRT01A", "DISTYPE")
    path = write_snapshot({**derive_all(trial.datasets), "findings": findings_frame()}, meta,
                          tmp_path / "findings.duckdb")
    monkeypatch.setattr(patient_pick, "MANY_PATIENTS", 1)
    monkeypatch.setattr(patient_pick, "LISTED_PATIENTS", 1)
    at = open_page(path, "data", monkeypatch)
    patients = at.multiselect(key="_text_data_patients")
    assert patients.options == [FIRST]
    patients.set_value([OTHER.lower()]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="_text_data_patients").value == [OTHER]
    findings = at.dataframe[-1].value.to_csv()
    assert OTHER in findings and FIRST not in findings
    assert at.selectbox(key="data_pick").options == [OTHER]  # one patient: listed whole
    at.multiselect(key="_text_data_patients").set_value([OTHER, "NCT05290155-SYN-999"]).run()
    assert REFUSED in warnings(at)
    assert at.multiselect(key="_text_data_patients").value == [OTHER]


# --- the 14-patient trial, as before ---------------------------------------------------------


def test_trial_of_14_lists_every_patient_as_before(synthetic_snapshot, monkeypatch, trial):
    from trialdash.analysis import patient
    from trialdash.analysis.filters import Filter

    at = open_page(synthetic_snapshot, "overview", monkeypatch)
    rows = adsl(synthetic_snapshot)
    patients = at.multiselect(key="flt_patient")
    assert patients.options == [row[0] for row in rows]
    assert not patients.proto.accept_new_options
    assert patients.placeholder == "All patients"
    assert not [w for w in at.multiselect if w.key == "flt_patient_text"]
    at.switch_page("pages/patient.py").run()
    picker = at.selectbox(key="pt_pick")
    texts = patient.choice_labels(patient.patient_choices(trial, Filter()))
    assert picker.options == [texts[row[0]] for row in rows]
    assert not picker.proto.accept_new_options
    at.switch_page("pages/response.py").run()
    picker = at.selectbox(key="rsp_pick")
    assert sorted(picker.options) == sorted(row[0] for row in rows if row[2] == "Y")
    assert not picker.proto.accept_new_options


def test_picker_texts_are_not_forwarded_to_the_meeting_pack():
    """What a large trial's patient box shows or was typed into it is no page setting: the
    pack takes the patient from the URL, and a stale text would be no option of its page."""
    from trialdash.report.button import page_widget_values

    state = {"pt_pick": "S-1", "_text_pt_pick": "S-1 · T-ALL", "_text_rsp_pick": "typed"}
    assert page_widget_values(state) == {"pt_pick": "S-1"}
