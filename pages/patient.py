"""Patient profile: one patient's header, timeline and records, for the study monitor."""

import functools

import streamlit as st

from trialdash import ui, ui_cuts, ui_sections
from trialdash.analysis import findings, patient
from trialdash.figures import patient as figures

view = ui.current_view()
ui.page_header(view, "Patient profile")
flt = view.cohort.filter

choices = patient.patient_choices(view.trial, flt)
if choices.empty:
    st.info("No patient matches the dose-group and subtype filters in the sidebar. "
            "Widen them to choose a patient.")
    st.stop()
if len(flt.patients) == 1 and flt.patients[0] not in set(choices["USUBJID"]):
    st.warning(f"{view.label(flt.patients[0])} is outside the dose-group and subtype filters; "
               "choose another patient or widen the filters.")

ids = list(choices["USUBJID"])
st.session_state.pt_pick = patient.shown_patient(flt, choices, st.session_state.get("pt_pick"))


def _on_pick() -> None:
    ui.select_patient(st.session_state.pt_pick)


usubjid = ui.patient_selectbox(
    view, "Patient", ids, "pt_pick", on_pick=_on_pick,
    describe=lambda shown: patient.choice_labels(choices[choices["USUBJID"].isin(shown)],
                                                 view.label),
    help="Choosing a patient puts them in the shared patient filter and the URL, so a copied "
         "link opens this profile.")
label = view.label(usubjid)
ui.record_patient_view(view, usubjid)
record = patient.patient_record(view.trial, usubjid)
header = record.header

facts = patient.header_facts(header, calendar_dates=not view.present)
# Values such as "Alive in follow-up" or a dose label are long: a smaller value font, and
# columns as wide as their values, keep them from being cut off.
metric_font = f"font-size: {2 if view.present else 1.6}rem !important;"
st.html(f"<style>[data-testid='stMetricValue'], [data-testid='stMetricValue'] p "
        f"{{{metric_font}}}</style>")
for row in (facts[:4], facts[4:]):
    widths = [min(max(len(value), 0.6 * len(name), 9), 16) for name, value in row]
    for column, (name, value) in zip(st.columns(widths), row, strict=True):
        column.metric(name, value)
if details := patient.header_details(header):
    st.caption(details)
if record.infused:
    st.caption(f"Days since {view.trial.day_zero} (day 0): " + patient.key_days(header))
for note in record.notes:
    (st.caption if record.infused else st.info)(note)
ui_cuts.patient_news(usubjid)

own_findings = findings.filter_findings(view.trial.findings(), patients=[usubjid])
if not own_findings.empty:
    with st.expander(f"Data findings for {label}: {len(own_findings)}", expanded=False,
                     icon=":material/report:"):
        ui.table(view, findings.findings_display(own_findings, view.present, view.labels.keys()),
                 f"{label} data findings", caption="Implausible but possible source values "
                 "about this patient, recorded by the build (all findings: Data page).")

if not record.infused:
    ui.table(view, record.tables()["Milestones"][["Milestone", "Date", "Detail"]],
             f"{label} milestones",
             caption="Dated milestones (days since infusion are undefined without an infusion).")
    st.stop()

st.subheader("Timeline")
window = st.segmented_control("Days shown", list(figures.WINDOWS), default="All follow-up",
                              required=True, key="pt_window",
                              help="Drag across the chart to zoom into any other range.")
ui.chart(ui.figure(figures.patient_timeline, record, label, view.font_size, figures.WINDOWS[window],
                                  x_title=f"Days since {view.trial.day_zero} (day 0)"),
         key="pt_timeline")
_, omitted = figures.timeline_panels(record)
st.caption(
    "Bars: adverse events from start to end day, coloured by grade "
    f"({record.grade_scale or 'scale not given'}); hatched = ongoing at last contact. "
    + view.say("Dotted lines: infusion, allo-HSCT, progression/relapse, death. ")
    + "Open markers: transgene below the LLOQ, drawn at the LLOQ."
    + "".join(f" Not drawn: {title} ({why})." for title, why in omitted.items())
)

st.subheader("Records")
sections = (
    ("Adverse events", "adae", "adverse events",
     f"Grades: {record.grade_scale}; ASTCT grade = consensus grade (Lee 2019) for CRS and "
     "ICANS. Days since infusion."),
    ("Response", "adrs", "response assessments",
     f"Per-visit overall response. Best overall response: {header.best_response or 'none'}."),
    ("Kinetics", "adpc", "kinetics",
     "Transgene copies (qPCR) and % CAR+ of CD3+ T cells (flow). BLQ samples are kept and "
     "flagged, with the value as reported (blank when none)."),
    ("Labs", "adlb", "labs", "Laboratory results, days since infusion."),
    ("Time to event", "adtte", "time to event",
     "Days from infusion (OS, PFS) or first response (DOR); also when censored at "
     "consolidative allo-HSCT."),
    ("Milestones", None, "milestones", "Key dates; lymphodepletion as a span."),
)
tables = record.tables()
if "Milestone" in tables["Milestones"].columns:  # 'CAR-T infusion' as the study words day 0
    tables["Milestones"] = tables["Milestones"].assign(
        Milestone=tables["Milestones"]["Milestone"].map(view.say))


def records(title: str, dataset: str | None, name: str, caption: str) -> None:
    """One tab of the patient's records: the rows of ``title``, or why there are none."""
    if dataset and not ui.require(view, dataset):
        return
    if tables[title].empty:
        st.caption(f"No {name} recorded for {label}.")
        return
    ui.table(view, ui_cuts.mark_new_in_profile(title, tables[title], usubjid),
             f"{label} {name}", caption=caption)


ui_sections.show("pt_records", {
    title: functools.partial(records, title, dataset, name, caption)
    for title, dataset, name, caption in sections})
