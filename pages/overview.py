"""Overview and enrollment: key figures, enrollment, patient flow, baseline, 3+3 ledger."""

import streamlit as st

from trialdash import ui
from trialdash.analysis import enrollment, overview
from trialdash.analysis.stats import format_proportion_ci
from trialdash.figures import enrollment as enrollment_figures

view = ui.current_view()
ui.page_header(view, "Overview and enrollment")
cohort, trial = view.cohort, view.trial
doses = trial.dose_groups

if cohort.subjects.empty:
    st.info("No patients match the current filters. Clear a filter in the sidebar.")
    st.stop()

figures = overview.key_figures(cohort)
tiles = st.columns(6)
tiles[0].metric("Enrolled", figures.enrolled)
tiles[1].metric("Infused", figures.infused)
tiles[2].metric(
    "Median follow-up",
    "–" if figures.median_followup_days is None
    else f"{figures.median_followup_days / 30.4375:.1f} mo",
    help="Reverse Kaplan-Meier median of overall survival follow-up, months.",
)
tiles[3].metric("ORR", "–" if figures.orr is None else format_proportion_ci(figures.orr, 0),
                help="Objective response rate among efficacy-evaluable patients, exact 95% CI. "
                     "T-ALL: CR + CRi; lymphomas and T-LBL: CR + PR.")
tiles[4].metric("CR rate", "–" if figures.complete_response is None
                else format_proportion_ci(figures.complete_response, 0))
tiles[5].metric("Deaths", f"{figures.deaths.k}/{figures.deaths.n}")

left, right = st.columns(2)
with left:
    ui.chart(enrollment_figures.enrollment_by_dose(
        enrollment.enrollment_by_dose_subtype(cohort), doses, view.font_size), key="by_dose")
with right:
    ui.chart(enrollment_figures.cumulative_enrollment(
        enrollment.cumulative_enrollment(cohort), doses, view.font_size, view.labels),
        key="cumulative")

st.subheader("Patient flow")
flow = enrollment.disposition(cohort)
left, right = st.columns([3, 2])
with left:
    ui.chart(enrollment_figures.patient_flow(flow.flow, doses, view.font_size), key="flow")
with right:
    ui.table(view, flow.flow.rename(columns={"step": "Step"}), "patient flow")
    if not flow.not_infused.empty:
        ui.table(view, flow.not_infused.rename(columns={
            "dose_group": "Dose group", "reason": "Reason not infused", "n": "Patients"}),
            "reasons not infused")

st.subheader("Baseline characteristics (infused patients)")
ui.table(view, enrollment.baseline_characteristics(cohort), "baseline characteristics")

st.subheader("Dose escalation (3+3)")
ledger, mtd = overview.escalation(cohort)
ui.table(view, ledger.drop(columns="is_mtd").rename(columns={
    "dose": "Dose level", "treated": "Treated", "expansion": "Of whom expansion",
    "evaluable": "DLT-evaluable (escalation)", "dlts": "DLTs", "decision": "3+3 decision",
    "rule": "Rule applied"}), "dose escalation")
st.markdown(f"**MTD:** {mtd}" if mtd else
            "**MTD:** not exceeded at the doses tested" if not ledger.empty
            and ledger["decision"].iloc[-1] != "Exceeds MTD" else "**MTD:** not determined")
if not cohort.filter.is_everyone:
    st.caption("The ledger counts only the patients the filters keep; the protocol's decisions "
               "were made on all patients.")
