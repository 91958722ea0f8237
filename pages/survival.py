"""Survival: Kaplan-Meier curves with numbers at risk, medians, landmark rates, log-rank."""

import streamlit as st

from trialdash import ui
from trialdash.analysis import endpoints
from trialdash.figures import survival as survival_figures

STRATIFY = {"None": None, "Dose group": "dose_group", "Subtype": "subtype"}

view = ui.current_view()
ui.page_header(view, "Survival")
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
left, middle, _ = st.columns([3, 3, 2])
censor = left.toggle(
    "Censor at consolidative allo-HSCT", key="surv_hsct", disabled=is_os,
    help="Events and censorings after a consolidative allo-HSCT become a censoring at the "
         "transplant. Never applied to overall survival (a death after transplant is a death).",
)
show_ci = middle.toggle("Show 95% confidence band", key="surv_ci")

analysis = endpoints.survival_analysis(view.cohort, endpoint, by=STRATIFY[stratify],
                                       censor_at_hsct=censor)
colours = survival_figures.group_colours(analysis, view.trial.dose_groups, view.trial.subtypes)
ui.chart(survival_figures.km_plot(analysis, colours, unit, show_ci, view.font_size, view.labels),
         key="surv_km")

notes = [f"{analysis.n_patients} infused patients with {endpoint} data; time from "
         f"{analysis.origin}; {survival_figures.CENSOR_NOTE}."]
if analysis.censoring_note:
    notes.append(analysis.censoring_note)
if analysis.n_excluded:
    notes.append(f"{analysis.n_excluded} {endpoint} record(s) left out: missing or negative "
                 "time.")
st.caption(" ".join(notes))

st.subheader("Medians and landmark rates")
ui.table(view, endpoints.survival_table(analysis, unit), f"{endpoint} survival summary",
         caption=endpoints.METHODS_NOTE + " Landmark cells: survival % (95% CI); patients "
         "still at risk.")
logrank = endpoints.logrank_text(analysis)
if logrank:
    st.markdown(logrank)
if analysis.caution:
    st.warning(analysis.caution, icon=":material/warning:")
st.markdown(endpoints.followup_text(analysis, unit))

with st.expander("Patient-level times"):
    ui.table(view, analysis.patients.rename(columns={
        "group": analysis.by_label if analysis.by else "Group", "time_days": "Days",
        "event": "Event (1) / censored (0)", "status": "Status"}),
        f"{endpoint} patient times")
