"""Safety: treatment-emergent AEs by dose group and period, AE heatmaps, CRS and ICANS as the
FDA CAR-T labels give them, cytopenias and HLH/MAS markers, DLTs, deaths."""

import streamlit as st

from trialdash import ui, ui_cuts, ui_paging, ui_sections
from trialdash.analysis import cart_safety, paging, safety
from trialdash.figures import safety as figures

WINDOWS = {"First 28 days": safety.DLT_WINDOW_DAYS, "All follow-up": None}
ANY_GRADE = "Any grade"

view = ui.current_view()
ui.page_header(view, "Safety")
if not ui.require(view, "adae"):
    st.stop()
cohort, groups, font = view.cohort, view.trial.dose_groups, view.font_size
if cohort.count.kept == 0:
    st.info(view.say("No infused patients under the current filters, so there are no "
                     "treatment-emergent adverse events to show. Clear a filter in the sidebar."))
    st.stop()

window_choice = st.segmented_control(
    "Adverse events starting", list(WINDOWS), default="First 28 days", required=True,
    key="safety_window", help="Days since infusion (day 0). The DLT window is 28 days. "
                              "Applies to every tab but the DLT listing and deaths.")
window_days = WINDOWS[window_choice or "First 28 days"]
summary = safety.teae_summary(cohort, window_days)


def paged_patient_chart(rows, build, pager_key: str, pager_label: str, noun: str) -> None:
    """A chart with a row per patient (``rows``, in dose order) showing one page of patients,
    its pager (only when they do not fit on one) and the "50 of 1,400 patients shown" line;
    ``build`` makes the figure from the page's rows."""
    page = ui_paging.patient_pager(paging.in_dose_order(rows), pager_key, pager_label,
                                   persist_state=ui_sections.KEEP)
    ui.chart(ui.figure(build, paging.rows_of(rows, page), view.labels, font, window_days,
                       page.shown_note), key=pager_key + "_chart")
    ui_paging.shown_caption(page, noun)


def adverse_events() -> None:
    st.header("Treatment-emergent adverse events")
    ui.table(view, summary.table, "TEAE summary", caption=summary.note)
    ui_cuts.safety_count_change(view, summary.counts,
                                lambda before: safety.teae_summary(before, window_days).counts)
    ui.table(view, safety.period_table(cohort), "adverse events by period",
             caption="Patients with an adverse event by period of onset, whole follow-up. "
                     "Lymphodepletion (fludarabine + cyclophosphamide, from LDSTDT to the day "
                     f"before infusion) is a period of its own, whatever TRTEMFL; from day 0: "
                     f"{summary.rule}. Infections: system organ class 'Infections and "
                     "infestations'.")
    ui_cuts.count_change_since_previous(view, safety.period_counts(cohort), safety.period_counts,
                                        "Adverse events by period", "Period (onset)", "column")


def by_preferred_term() -> None:
    st.header("Adverse events by preferred term")
    threshold = safety.grade_threshold_label(summary.grade_scale)
    grade_choice = st.segmented_control(
        "Patients counted in the heatmap by dose group", [ANY_GRADE, threshold],
        default=ANY_GRADE, required=True, key="safety_grade", persist_state=ui_sections.KEEP,
        help="Patients whose worst grade of the term is at least this.")
    min_grade = 3 if grade_choice == threshold else 1
    incidence = safety.ae_incidence_by_term(cohort, window_days, min_grade)
    ui.chart(ui.figure(figures.ae_heatmap_by_dose,
        incidence, groups, safety.incidence_label(min_grade, summary.grade_scale), font,
        window_days), key="safety_dose_heatmap")
    paged_patient_chart(safety.worst_grade_by_patient_term(cohort, window_days),
                        figures.patient_term_heatmap, "safety_heatmap_page",
                        "Patients in the heatmap", "patients with an adverse event")
    st.caption(f"Worst grade per patient and term; grades: {summary.grade_scale}. "
               "Terms grouped by system organ class (bold), most frequent first. ICANS has no "
               "CTCAE grade ('?'); its ASTCT grade is shown under CRS and ICANS.")


def crs_and_icans() -> None:
    st.header("CRS and ICANS")
    by_grade = safety.crs_icans_by_grade(cohort, window_days)
    ui.chart(ui.figure(figures.crs_icans_bars, by_grade, groups, font, window_days),
             key="safety_crs_bars")
    grades_table = safety.crs_icans_table(by_grade)
    scales = "; ".join(f"{s}: {scale}" for s, scale in
                       grades_table.drop_duplicates("Syndrome")[["Syndrome", "Grading scale"]]
                       .itertuples(index=False))
    ui.table(view, grades_table.drop(columns="Grading scale"), "CRS and ICANS by grade",
             caption="Patients by worst grade per syndrome. ICANS on the ASTCT scale only (CTCAE "
                     "has no ICANS term); CRS on ASTCT (Lee 2019), its "
                     f"{summary.grade_scale} grade standing in only where no ASTCT grade was "
                     f"recorded. {scales}. None = infused patients without the syndrome.")
    ui_cuts.count_change_since_previous(
        view, safety.crs_icans_counts(by_grade),
        lambda before: safety.crs_icans_counts(safety.crs_icans_by_grade(before, window_days)),
        "CRS and ICANS by grade", "Syndrome, grade")
    ui.table(view, cart_safety.syndrome_management(cohort, window_days),
             "CRS and ICANS management",
             caption="As the FDA CAR-T labels report them, median (range): onset = day of the "
                     "first episode per patient; duration = days of each resolved episode, onset "
                     "to end inclusive (ongoing episodes counted apart); "
                     "tocilizumab and corticosteroids = patients given them for CRS or ICANS. "
                     "n/N of infused patients.")


def crs_icans_episodes() -> None:
    st.header("CRS and ICANS episodes")
    episodes = safety.crs_icans_episodes(cohort, window_days)
    paged_patient_chart(episodes, figures.crs_icans_timeline, "safety_timeline_page",
                        "Patients in the timeline", "patients with CRS or ICANS")
    with st.expander("Episodes (table)"):
        marked = ui_cuts.mark_new(episodes, "adae", ui_cuts.EPISODE_KEYS)
        ui.table(view, safety.episodes_display(marked, view.labels), "CRS and ICANS episodes",
                 caption="One row per event. Days since infusion; an event without an end date "
                         "runs to the last contact (Ongoing). ASTCT = ASTCT consensus grade (Lee "
                         f"2019); CTCAE = {summary.grade_scale} grade (none for ICANS).")


def cytopenias_and_hlh() -> None:
    st.header("Cytopenias and HLH/MAS markers")
    if view.trial.has("adlb"):
        cytopenias, skipped = cart_safety.prolonged_cytopenias(cohort)
        ui.table(view, cytopenias, "prolonged cytopenias",
                 caption="Patients with a CTCAE v5.0 grade ≥3 value at day 28 and day 90 (the "
                         "sample nearest the day within ±7 days; N = patients with such a sample)."
                         + (f" Not graded (unit unknown or no samples): {', '.join(skipped)}."
                            if skipped else ""))
        ui.table(view, cart_safety.hlh_markers(cohort), "HLH/MAS markers",
                 caption="Peak value per patient from day 0 to day 28. Ferritin > 10,000 ng/mL: "
                         "carHLH threshold (Neelapu et al. 2018).")
    else:
        st.info("No laboratory data (ADLB) in this snapshot.")


def dlts_and_deaths() -> None:
    st.header("Dose-limiting toxicities")
    ui.table(view, ui_cuts.mark_new_dlts(view, cart_safety.dlt_listing(cohort, view.labels)),
             "DLT listing",
             caption="Every event flagged AEDLTFL 'Y', and patients with DLTFL 'Y' but no "
                     f"flagged event; {summary.grade_scale} and ASTCT grades, onset in days since "
                     "infusion, "
                     "dose in CAR-T cells/kg. DLT-evaluable: as defined under the TEAE summary "
                     "(Adverse events tab).")

    st.header("Deaths")
    deaths = cart_safety.deaths(cohort)
    st.markdown("  \n".join(deaths.lines()))
    if deaths.deaths:
        ui.table(view, ui_cuts.mark_new_patients(
            view, cart_safety.deaths_display(deaths, view.labels), ("new_deaths",)), "deaths",
                 caption="Cause from DTHCAUS, else the term of a grade 5 adverse event (source). "
                         "NRM = non-relapse death: no relapse or progression before death. Days "
                         "since infusion; dose in CAR-T cells/kg.")


ui_sections.show("safety_section", {
    "Adverse events": adverse_events,
    "DLTs and deaths": dlts_and_deaths,
    "CRS and ICANS": crs_and_icans,
    "CRS and ICANS episodes": crs_icans_episodes,
    "By preferred term": by_preferred_term,
    "Cytopenias and HLH": cytopenias_and_hlh,
})
