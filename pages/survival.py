"""Survival: Kaplan-Meier curves with numbers at risk, medians, landmark rates, log-rank."""

import streamlit as st

from trialdash import ui, ui_sections
from trialdash.analysis import endpoints, hsct_landmark
from trialdash.figures import survival as survival_figures

view = ui.current_view()
ui.page_header(view, "Survival")
STRATIFY = {"None": None, "Dose group": "dose_group", view.trial.subtype_label: "subtype"}
if not ui.require(view, "adtte"):
    st.stop()

choices = endpoints.endpoint_choices(view.cohort)
if choices.empty:
    st.info("ADTTE holds no time-to-event parameters.")
    st.stop()
params = dict(zip(choices["PARAMCD"], choices["PARAM"], strict=True))

left, middle, right = st.columns([3, 3, 2])
endpoint = left.selectbox("Endpoint", list(params), key="surv_endpoint",
                          format_func=lambda code: f"{params[code]} ({code})")
stratify = middle.segmented_control("Stratify by", list(STRATIFY), default="None",
                                    required=True, key="surv_by")
unit = right.segmented_control("Time unit", ["months", "days"], default="months",
                               required=True, key="surv_unit")
is_os = endpoint.upper() == endpoints.OVERALL_SURVIVAL
left, middle, right = st.columns([3, 3, 2])
censor = left.toggle(
    "Censor at consolidative allo-HSCT", key="surv_hsct", disabled=is_os,
    help="Events and censorings after a consolidative allo-HSCT become a censoring at the "
         "transplant. Never applied to overall survival (a death after transplant is a death).",
)
show_ci = middle.toggle("Show 95% confidence band", key="surv_ci")
show_logrank = right.toggle("Show log-rank p", key="surv_logrank",
                           help="Off by default: " + hsct_landmark.CAUTION)

analysis = endpoints.survival_analysis(view.cohort, endpoint, by=STRATIFY[stratify],
                                       censor_at_hsct=censor)


def kaplan_meier() -> None:
    colours = survival_figures.group_colours(analysis, view.trial.dose_groups, view.trial.subtypes)
    ui.chart(ui.figure(survival_figures.km_plot, analysis, colours, unit, show_ci, view.font_size,
                       view.labels, show_logrank=show_logrank), key="surv_km")

    notes = [f"{analysis.n_patients} infused patients with {endpoint} data; time from "
             f"{analysis.origin}; {survival_figures.CENSOR_NOTE}."]
    if analysis.censoring_note:
        notes.append(analysis.censoring_note)
    if analysis.n_excluded:
        notes.append(f"{analysis.n_excluded} {endpoint} record(s) left out: missing or negative "
                     "time.")
    st.caption(view.say(" ".join(notes)))

    st.subheader("Medians and landmark rates")
    ui.table(view, endpoints.survival_table(analysis, unit), f"{endpoint} survival summary",
             caption=endpoints.METHODS_NOTE + " Landmark cells: survival % (95% CI); patients "
             "still at risk.")
    logrank = endpoints.logrank_text(analysis)
    if logrank and show_logrank:
        st.markdown(logrank)
        st.caption(hsct_landmark.CAUTION)
    if analysis.caution:
        st.warning(analysis.caution, icon=":material/warning:")
    st.markdown(endpoints.followup_text(analysis, unit))


def hsct_landmark_analysis() -> None:
    st.subheader("By consolidative allo-HSCT (landmark analysis)")
    if endpoint.upper() not in ("OS", "PFS"):
        st.caption("The allo-HSCT comparison is made for OS and PFS; choose one above.")
    else:
        landmark_day = st.number_input(
            "Landmark (days since infusion)", min_value=7, max_value=365, step=7,
            value=hsct_landmark.DEFAULT_LANDMARK_DAY, key="surv_landmark",
            persist_state=ui_sections.KEEP,
            help="Patients alive and in response at this day are compared by whether they had "
                 "an allo-HSCT by then; time runs from the landmark.")
        landmark = hsct_landmark.hsct_landmark(view.cohort, endpoint, landmark_day)
        ui.chart(ui.figure(survival_figures.km_plot,
            landmark.analysis, survival_figures.group_colours(landmark.analysis, [], []), unit,
            show_ci, view.font_size, view.labels, show_logrank=show_logrank), key="surv_hsct_km")
        st.caption(f"{landmark.n_at_landmark} patients {landmark.population_rule}; "
                   f"{landmark.n_excluded} left out. Always by allo-HSCT and never censored "
                   "at the transplant, whatever the stratification and censoring chosen above. "
                   f"{survival_figures.CENSOR_NOTE}.")
        ui.table(view, endpoints.survival_table(landmark.analysis, unit),
                 f"{endpoint} by allo-HSCT from day {landmark_day}")
        st.warning(hsct_landmark.CAUTION, icon=":material/warning:")


def patient_times() -> None:
    st.subheader("Patient-level times")
    ui.table(view, analysis.patients.rename(columns={
        "group": analysis.by_label if analysis.by else "Group", "time_days": "Days",
        "event": "Event (1) / censored (0)", "status": "Status"}),
        f"{endpoint} patient times")


ui_sections.show("survival_section", {
    "Kaplan-Meier": kaplan_meier,
    "By allo-HSCT (landmark)": hsct_landmark_analysis,
    "Patient-level times": patient_times,
})
