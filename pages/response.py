"""Response: ORR and CR rate with exact CIs, best responses and the swimmer plot."""

import streamlit as st

from trialdash import ui, ui_cuts, ui_paging, ui_sections
from trialdash.analysis import cart_response, paging, response
from trialdash.analysis.swimmer import SORT_OPTIONS, swimmer_lanes
from trialdash.figures import response as figures
from trialdash.style import dose_colour_map, subtype_colour_map

PATIENT_PAGE = "pages/patient.py"
UNITS = {"days": "Days", "months": "Months"}


def open_patient(usubjid: str) -> None:
    """Put the patient in the shared filter and go to their profile."""
    ui.select_patient(usubjid)
    st.switch_page(PATIENT_PAGE)


view = ui.current_view()
ui.page_header(view, "Response")
GROUPINGS = {"dose_group": "Dose group", "subtype": view.trial.subtype_label}
if not ui.require(view, "adrs"):
    st.stop()
cohort = view.cohort
if cohort.count.kept == 0:
    st.info(view.say("No infused patient matches the filters in the sidebar."))
    st.stop()

population = response.evaluable_population(cohort)
labels = view.trial.labels
st.caption(view.say(
    f"{response.responder_statement(labels)}. {response.CR_DEFINITION}. "
    f"{response.BEST_RESPONSE_RULE}. **Evaluable population**: "
    f"{population.describe()}. Exact (Clopper-Pearson) 95% confidence intervals."
))


def grouping_control(label: str, key: str) -> str:
    """Dose group or subtype, for one tab's chart."""
    return st.segmented_control(label, list(GROUPINGS), default="dose_group", required=True,
                                format_func=GROUPINGS.get, key=key,
                                persist_state=ui_sections.KEEP)


def response_rates() -> None:
    st.subheader("Objective response rate")
    orr = {grouping: response.orr_table(cohort, grouping) for grouping in GROUPINGS}
    by = grouping_control("Chart by", "rsp_chart_by")
    ui.chart(ui.figure(figures.orr_forest, orr[by], view.font_size, by,
                       response.orr_definition(labels)), key="orr_forest")
    for grouping, title in GROUPINGS.items():
        ui.table(view, response.orr_display_table(orr[grouping], title),
                 f"ORR by {title.lower()}", caption=f"By {title.lower()} (evaluable patients)")


def best_overall_response() -> None:
    st.subheader("Best overall response")
    by = grouping_control("Chart by", "rsp_bor_by")
    best = response.best_response(cohort)
    group_order = view.trial.dose_groups if by == "dose_group" else view.trial.subtypes
    ui.chart(ui.figure(figures.bor_by_group_bar, response.bor_counts(best, by), by,
                       view.font_size, group_order), key="bor_bar")
    with st.expander("Best overall response per patient"):
        ui.table(view, ui_cuts.mark_new_responses(view, best.drop(columns="dose_order")),
                 "Best overall response",
                 caption="One row per infused patient; first_response_day in days since "
                         "infusion.")


def cart_trial_response() -> None:
    st.subheader(view.say(
        f"Response as CAR-T trials report it (first {cart_response.WINDOW_MONTHS} months)"))
    car_t = cart_response.cart_response(cohort)
    ui.table(view, cart_response.cart_response_table(car_t), "CAR-T response",
             caption=cart_response.RULE)
    with st.expander("Response within the window per patient"):
        ui.table(view, ui_cuts.mark_new_responses(view, cart_response.patient_table(car_t)),
                 "CAR-T response per patient",
                 caption="Blank: no marrow / extramedullary assessment, no relapse CD7 status.")


def swimmer_plot() -> None:
    st.subheader("Swimmer plot")
    with st.container(horizontal=True, gap="medium"):  # wraps rather than cutting labels off
        colour_by = grouping_control("Colour lanes by", "rsp_colour_by")
        sort = st.segmented_control("Order lanes by", list(SORT_OPTIONS), default="duration",
                                    required=True, format_func=SORT_OPTIONS.get, key="rsp_sort",
                                    persist_state=ui_sections.KEEP)
        unit = st.segmented_control("Time unit", list(UNITS), default="days", required=True,
                                    format_func=UNITS.get, key="rsp_unit",
                                    persist_state=ui_sections.KEEP)
    lanes, events = swimmer_lanes(cohort, sort)
    lane_page = ui_paging.patient_pager(lanes["USUBJID"], "rsp_swimmer_page", "Lanes shown",
                                        persist_state=ui_sections.KEEP)
    shown_lanes = paging.rows_of(lanes, lane_page)
    colours = (dose_colour_map(view.trial.dose_groups) if colour_by == "dose_group"
               else subtype_colour_map(view.trial.subtypes))
    car_t = cart_response.cart_response(cohort)
    relapse_cd7 = car_t.patients.dropna(subset=["relapse_cd7"]).set_index("USUBJID")[
        "relapse_cd7"].to_dict()
    swimmer = ui.figure(figures.swimmer, shown_lanes, events, colour_by, colours, view.labels,
                        unit, view.font_size, relapse_cd7, lane_page.shown_note)
    event = ui.chart(ui_cuts.swimmer_previous_cutoff(swimmer, view, shown_lanes, unit),
                     key="swimmer", on_select="rerun", selection_mode="points")
    ui_paging.shown_caption(lane_page)
    st.caption(view.say("Lanes run from infusion (day 0) to last contact. In the dashboard, "
                        "clicking a lane (or choosing its patient below) opens that patient's "
                        "profile."))
    clicked = figures.selected_patient(event.selection.points, view.labels)
    if clicked:
        open_patient(clicked)

    pick_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    pick = ui.patient_selectbox(view, "Open patient profile", list(lanes["USUBJID"]),
                                "rsp_pick", listed=list(shown_lanes["USUBJID"]),
                                container=pick_col, persist_state=ui_sections.KEEP)
    if button_col.button("Open profile", key="rsp_open", icon=":material/person:"):
        open_patient(pick)


ui_sections.show("response_section", {
    "Response rates": response_rates,
    "Best overall response": best_overall_response,
    "Marrow, EMD and MRD": cart_trial_response,
    "Swimmer plot": swimmer_plot,
})
