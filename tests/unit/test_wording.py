"""The study's own wording for house (CAR-T) phrases (trialdash.wording)."""

import plotly.graph_objects as go

from trialdash.study_labels import DISEASE_SUBTYPE
from trialdash.wording import Wording

NOT_CELL_THERAPY = Wording(cell_therapy=False, subtype_label="Sex")


def test_the_car_t_trial_reads_unchanged():
    house = Wording(cell_therapy=True, subtype_label=DISEASE_SUBTYPE)
    text = "Dose group (CAR-T cells/kg) · Subtype · Days since infusion · infused patients"
    assert house.is_house and house(text) == text


def test_a_study_that_is_not_a_cell_therapy_says_treatment_start_and_treated():
    say = NOT_CELL_THERAPY
    assert say("Dose group (CAR-T cells/kg)") == "Dose group"
    assert say("Days since infusion") == "Days since treatment start"
    assert say("Nominal visit (days since infusion)") == (
        "Nominal visit (days since treatment start)")
    assert say("Infused patients by dose group and subtype") == (
        "Treated patients by dose group and sex")
    assert say("One row per infused patient") == "One row per treated patient"
    assert say("Days since CAR-T infusion (day 0)") == "Days since treatment start (day 0)"
    assert say("Disease subtype") == "Sex" and say("Subtype") == "Sex"
    assert say("As the FDA CAR-T labels report them") == "As the FDA CAR-T labels report them"


def test_a_cell_therapy_with_another_subtype_variable_keeps_infusion():
    say = Wording(cell_therapy=True, subtype_label="Sex")
    assert say("Infused patients by dose group and subtype") == (
        "Infused patients by dose group and sex")


def test_figure_labels_rewritten_data_values_kept():
    """Titles, axis and legend titles, legend entries change; hover text (data) does not."""
    fig = go.Figure(go.Bar(x=["infused"], y=[1], name="CAR-T infusion",
                           hovertemplate="infused %{y}"))
    fig.update_layout(title_text="Infused patients by dose group and subtype",
                      legend_title_text="Subtype", xaxis_title_text="Dose group (CAR-T cells/kg)",
                      yaxis_title_text="Days since infusion")
    NOT_CELL_THERAPY.figure(fig)
    assert fig.layout.title.text == "Treated patients by dose group and sex"
    assert fig.layout.legend.title.text == "Sex"
    assert fig.layout.xaxis.title.text == "Dose group"
    assert fig.layout.yaxis.title.text == "Days since treatment start"
    assert fig.data[0].name == "Treatment start"
    assert list(fig.data[0].x) == ["infused"] and fig.data[0].hovertemplate == "infused %{y}"


def test_table_headers():
    assert NOT_CELL_THERAPY.frame_headers(["USUBJID", "Subtype", "Infused", 3]) == {
        "Subtype": "Sex", "Infused": "Treated"}
