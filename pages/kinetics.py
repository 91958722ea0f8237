"""Cellular kinetics: CAR-T expansion and persistence, NCA, and CD7+ lymphocytes beside CAR-T."""

import streamlit as st

from trialdash import ui, ui_sections
from trialdash.analysis import kinetics, kinetics_groups
from trialdash.figures import kinetics as figures

view = ui.current_view()
ui.page_header(view, "Cellular kinetics")
cohort, groups, font = view.cohort, view.trial.dose_groups, view.font_size
has_adpc, has_adlb = view.trial.has("adpc"), view.trial.has("adlb")

left, right = st.columns([2, 1])
with left:
    window = st.segmented_control(
        "Days shown", list(figures.X_WINDOWS), default="Days 0–90", required=True,
        key="kin_window", help="For the curves over time (transgene, CAR+ cells, CD7+). "
                               "Expansion happens in the first 28 days; follow-up runs to "
                               "2 years. Zoom in the chart to see any other range.")
# Above this many patients a spaghetti plot is unreadable: medians and IQR bands first.
summarised = cohort.count.kept > figures.INDIVIDUAL_CURVES_MAX
with right:
    if summarised:
        show_band = True
        show_curves = st.toggle("Individual curves", key="kin_curves",
                                help="Every patient's line, faded, behind the median and IQR "
                                     "bands (one WebGL trace per dose group).")
    else:
        show_band = st.toggle("Median + IQR band", key="kin_band",
                              help="On the curves over time: median and interquartile range "
                                   "per dose group and nominal visit; BLQ samples count at the "
                                   "LLOQ.")
        show_curves = True
x_range = figures.X_WINDOWS[window]


def expansion() -> None:
    st.header("Transgene copies (qPCR)")
    if not ui.require(view, "adpc"):
        return
    transgene = kinetics.transgene_profiles(cohort)
    band = kinetics.median_band_by_dose(transgene) if show_band else None
    ui.chart(ui.figure(figures.expansion_curves, transgene.samples, groups, view.labels,
                       show_band, band, font, x_range, show_curves), key="kin_transgene")
    st.caption(view.say(
        "qPCR in peripheral blood. Open markers: below the lower limit of "
        "quantification (BLQ), drawn at the LLOQ, not at zero. "
        + (kinetics.BAND_RULE if show_band else "")
        + (f" More than {figures.INDIVIDUAL_CURVES_MAX} patients: medians and IQR "
           "bands per dose group; switch on *Individual curves* to see every patient."
           if summarised else "")))
    if transgene.not_sampled:
        ui.patient_list(view, list(transgene.not_sampled), "No transgene sample",
                        "patients without transgene sample")


def car_positive_cells() -> None:
    st.header("CAR+ T cells (flow cytometry)")
    if not ui.require(view, "adpc"):
        return
    carpct = kinetics.transgene_profiles(cohort, kinetics.CAR_PERCENT)
    carpct_band = kinetics.median_band_by_dose(carpct) if show_band else None
    ui.chart(ui.figure(figures.carpct_curves, carpct.samples, groups, view.labels, show_band,
                       carpct_band, font, x_range, show_curves), key="kin_carpct")


def non_compartmental_analysis() -> None:
    st.header("Non-compartmental analysis")
    if not ui.require(view, "adpc"):
        return
    patient_nca = kinetics.nca_by_patient(cohort)
    ui.table(view, kinetics.nca_by_dose(cohort, patient_nca).display(), "NCA by dose group",
             caption=kinetics.SUMMARY_RULES)
    ui.table(view, patient_nca.display(), "NCA by patient", caption=kinetics.NCA_RULES
             + " Samples after allo-HSCT are counted in the last column and marked in the "
               "hover text of the transgene chart.")
    st.subheader("Cmax and AUC by response and by CRS grade")
    left, right = st.columns(2)
    with left:
        ui.table(view, kinetics_groups.nca_by_group(
            patient_nca, kinetics_groups.responder_groups(cohort),
            [kinetics_groups.RESPONDER, kinetics_groups.NON_RESPONDER,
             kinetics_groups.NOT_EVALUABLE], "Response"), "Cmax and AUC by response",
            fit_px=420)
    with right:
        ui.table(view, kinetics_groups.nca_by_group(
            patient_nca, kinetics_groups.crs_groups(cohort), kinetics_groups.CRS_LEVELS,
            "CRS (worst ASTCT grade)"), "Cmax and AUC by CRS grade", fit_px=420)
    st.caption(view.say(kinetics_groups.RULE))


def persistence() -> None:
    st.header("Persistence")
    if not ui.require(view, "adpc"):
        return
    by_visit = kinetics.persistence_by_visit(cohort)
    ui.chart(ui.figure(figures.persistence_chart, by_visit.table, groups, font),
             key="kin_persistence")
    ui.table(view, by_visit.display(), "Transgene persistence by visit",
             caption=kinetics.PERSISTENCE_RULE + " Cells: detectable/sampled (%).")


def cd7_beside_cart() -> None:
    st.header(view.say("CD7+ lymphocytes beside CAR-T"))
    ui.require(view, "adlb")
    if not (has_adpc or has_adlb):
        return
    cd7_log = st.toggle("Log scale for CD7+ lymphocytes", key="kin_cd7_log",
                        disabled=not has_adlb, persist_state=ui_sections.KEEP)
    paired = kinetics.cd7_with_cart(cohort)
    ui.chart(ui.figure(figures.cd7_vs_cart, paired.frame, groups, view.labels, font, x_range,
                       cd7_log, kinetics.cd7_cart_band_by_dose(paired) if show_band else None,
                       show_curves), key="kin_cd7")
    if view.trial.is_cell_therapy:  # the anti-CD7 CAR-T mechanism, not another study's
        st.caption("CD7+ T and NK cells are depleted while anti-CD7 CAR-T cells persist "
                   "(fratricide) and return when CAR-T is lost or after allo-HSCT.")


ui_sections.show("kinetics_section", {
    "Transgene (qPCR)": expansion,
    "CAR+ T cells (flow)": car_positive_cells,
    "Non-compartmental analysis": non_compartmental_analysis,
    "Persistence": persistence,
    view.say("CD7+ beside CAR-T"): cd7_beside_cart,
})
