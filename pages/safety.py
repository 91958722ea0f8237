"""Safety: treatment-emergent AEs by dose group, AE heatmaps, CRS and ICANS."""

import streamlit as st

from trialdash import ui, ui_cuts
from trialdash.analysis import safety
from trialdash.figures import safety as figures

WINDOWS = {"First 28 days": safety.DLT_WINDOW_DAYS, "All follow-up": None}
ANY_GRADE = "Any grade"

view = ui.current_view()
ui.page_header(view, "Safety")
if not ui.require(view, "adae"):
    st.stop()
cohort, groups, font = view.cohort, view.trial.dose_groups, view.font_size
if cohort.count.kept == 0:
    st.info("No infused patients under the current filters, so there are no treatment-emergent "
            "adverse events to show. Clear a filter in the sidebar.")
    st.stop()

left, right = st.columns(2)
with left:
    window_choice = st.segmented_control(
        "Adverse events starting", list(WINDOWS), default="First 28 days", required=True,
        key="safety_window", help="Days since infusion (day 0). The DLT window is 28 days.")
window_days = WINDOWS[window_choice or "First 28 days"]
summary = safety.teae_summary(cohort, window_days)
threshold = safety.grade_threshold_label(summary.grade_scale)
with right:
    grade_choice = st.segmented_control(
        "Heatmap counts", [ANY_GRADE, threshold], default=ANY_GRADE, required=True,
        key="safety_grade", help="Patients whose worst grade of the term is at least this.")
min_grade = 3 if grade_choice == threshold else 1

st.header("Treatment-emergent adverse events")
ui.table(view, summary.table, "TEAE summary", caption=summary.note)
ui_cuts.safety_count_change(view, summary.counts,
                            lambda before: safety.teae_summary(before, window_days).counts)

st.header("Adverse events by preferred term")
incidence = safety.ae_incidence_by_term(cohort, window_days, min_grade)
ui.chart(figures.ae_heatmap_by_dose(
    incidence, groups, safety.incidence_label(min_grade, summary.grade_scale), font,
    window_days), key="safety_dose_heatmap")
worst = safety.worst_grade_by_patient_term(cohort, window_days)
ui.chart(figures.patient_term_heatmap(worst, view.labels, font, window_days),
         key="safety_patient_heatmap")
st.caption(f"Worst grade per patient and term; grades: {summary.grade_scale}. "
           "Terms grouped by system organ class (bold), most frequent first.")

st.header("CRS and ICANS")
by_grade = safety.crs_icans_by_grade(cohort, window_days)
ui.chart(figures.crs_icans_bars(by_grade, groups, font, window_days), key="safety_crs_bars")
ui.table(view, safety.crs_icans_table(by_grade), "CRS and ICANS by grade",
         caption="Patients by worst grade per syndrome: ASTCT consensus grade (Lee 2019), the "
                 "CTCAE v5.0 grade standing in where no ASTCT grade was recorded (see the "
                 "grading-scale column). None = infused patients without the syndrome.")
episodes = safety.crs_icans_episodes(cohort, window_days)
ui.chart(figures.crs_icans_timeline(episodes, view.labels, font, window_days),
         key="safety_timeline")
with st.expander("CRS and ICANS episodes (table)"):
    ui.table(view, ui_cuts.mark_new(episodes.drop(columns=["dose_order"]), "adae",
                                    ui_cuts.EPISODE_KEYS), "CRS and ICANS episodes",
             caption="One row per event. Days since infusion; an event without an end date "
                     "runs to the last contact (ongoing = True).")
