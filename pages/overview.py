"""Overview and enrollment: key figures, enrollment, patient flow, baseline, 3+3 ledger."""

import streamlit as st

from trialdash import ui, ui_cuts, ui_sections
from trialdash.analysis import enrollment, overview, treatment_overview
from trialdash.analysis.response import BEST_RESPONSE_RULE, orr_definition
from trialdash.figures import enrollment as enrollment_figures
from trialdash.units import months

view = ui.current_view()
ui.page_header(view, "Overview and enrollment")
cohort, trial = view.cohort, view.trial
doses = trial.dose_groups
st.markdown(f"**{trial.meta['title']}** · {trial.meta['registry_id'] or trial.meta['study_id']}")

if cohort.subjects.empty:
    st.info("No patients match the current filters. Clear a filter in the sidebar.")
    st.stop()

figures = overview.key_figures(cohort)
tiles = st.columns(6)
tiles[0].metric("Enrolled", f"{figures.enrolled:,}")
tiles[1].metric("Infused" if trial.is_cell_therapy else "Treated", f"{figures.infused:,}")
tiles[2].metric(
    "Follow-up", "–" if figures.median_followup_days is None
    else f"{months(figures.median_followup_days):.1f} mo",
    help="Reverse Kaplan-Meier median of overall survival (deaths censored), months: the "
         "potential follow-up, carried by the patients still being followed.")
if figures.time_on_study_days is not None:
    tiles[2].caption("Reverse-KM median.  \n"
                     + overview.time_on_study_text(figures.time_on_study_days))
rates = ((tiles[3], "ORR", figures.orr), (tiles[4], "CR", figures.complete_response))
for tile, name, rate in rates:
    if rate is None or rate.n == 0:
        tile.metric(name, "–")
        continue
    tile.metric(f"{name} {rate.k:,}/{rate.n:,}", f"{100 * rate.estimate:.0f}%",
                help=f"Among efficacy-evaluable patients. {orr_definition(trial.labels)}. "
                     f"{BEST_RESPONSE_RULE}. Exact (Clopper-Pearson) 95% CI.")
    tile.caption(f"95% CI {100 * rate.lower:.0f}–{100 * rate.upper:.0f}%")
tiles[5].metric(f"Deaths {figures.deaths.k:,}/{figures.deaths.n:,}",
                f"{100 * figures.deaths.estimate:.0f}%" if figures.deaths.n else "–")
ledger, _ = overview.escalation(cohort)
st.markdown(view.say(overview.mtd_text(ledger)))  # the phase 1 conclusion, on every tab
if not cohort.filter.is_everyone:
    st.caption("The escalation counts only the patients the filters keep; the protocol's "
               "decisions were made on all patients.")
ui_cuts.since_previous_panel(view)


def enrollment_charts() -> None:
    left, right = st.columns(2)
    with left:
        ui.chart(ui.figure(enrollment_figures.enrollment_by_dose,
            enrollment.enrollment_by_dose_subtype(cohort), doses, view.font_size), key="by_dose")
    with right:
        ui.chart(ui.figure(enrollment_figures.cumulative_enrollment,
            enrollment.cumulative_enrollment(cohort), doses, view.font_size, view.labels,
            calendar=not view.present),
            key="cumulative")


def patient_flow() -> None:
    st.subheader("Patient flow")
    flow = enrollment.disposition(cohort)
    left, right = st.columns([3, 2])
    with left:
        ui.chart(ui.figure(enrollment_figures.patient_flow, flow.flow, doses, view.font_size),
                 key="flow")
    with right:
        if flow.not_infused.empty:
            st.caption(view.say("Every enrolled patient was infused."))
        else:
            not_infused = ui_cuts.mark_new_in_counts(
                view, flow.not_infused, lambda before: enrollment.disposition(before).not_infused,
                ["dose_group", "reason"])
            ui.table(view, not_infused.rename(columns={
                "dose_group": "Dose group", "reason": "Reason not infused", "n": "Patients"}),
                "reasons not infused", caption="Enrolled but not infused", fit_px=340)
    ui.table(view, flow.flow.rename(columns={"step": "Step"}), "patient flow")


def baseline() -> None:
    st.subheader(view.say("Baseline characteristics (infused patients)"))
    ui.table(view, enrollment.baseline_characteristics(cohort), "baseline characteristics")
    ui.table(view, treatment_overview.treatment_and_disease(cohort), "treatment and disease",
             caption="Dose actually infused, bridging therapy and disease at baseline. Flags: "
                     "patients with the flag / patients with it recorded.")


def dose_escalation() -> None:
    st.subheader("Dose escalation (3+3)")
    ui.table(view, ledger.drop(columns="is_mtd").rename(columns={
        "dose": "Dose level", "treated": "Treated", "expansion": "Of whom expansion",
        "evaluable": "DLT-evaluable (escalation)", "dlts": "DLTs", "decision": "3+3 decision",
        "rule": "Rule applied"}), "dose escalation",
        column_config={"Rule applied": st.column_config.TextColumn(width="large")})


ui_sections.show("overview_section", {
    "Enrollment": enrollment_charts,
    "Patient flow": patient_flow,
    "Baseline": baseline,
    "Dose escalation": dose_escalation,
})
