"""Entry point: ``streamlit run app.py``. Navigation, shared filters and presentation mode."""

import streamlit as st

from trialdash import ui

present = st.query_params.get("present") in ("1", "true", "yes")
st.set_page_config(
    page_title="NCT05290155 results",
    page_icon=":material/biotech:",
    layout="wide",
    initial_sidebar_state="collapsed" if present else "expanded",
)

trial = ui.trial()
view = ui.sidebar_filters(trial)
st.session_state["view"] = view
if view.present:
    # Larger type for a shared screen: text, tables and widgets.
    st.html("<style>html, .stMarkdown, .stDataFrame, p, li {font-size: 1.2rem !important;}</style>")

with st.sidebar:
    st.divider()
    st.caption(f"{trial.meta['title']}  \n{trial.meta['registry_id'] or trial.meta['study_id']}"
               f" · cut-off {trial.meta['cutoff_date']}  \nSource: {trial.meta['source']}")
    if trial.is_synthetic:
        st.markdown(f":red-background[**{ui.SYNTHETIC_LABEL}**]")

pages = [
    st.Page("pages/overview.py", title="Overview and enrollment", icon=":material/groups:",
            default=True),
    st.Page("pages/safety.py", title="Safety", icon=":material/health_and_safety:"),
    st.Page("pages/kinetics.py", title="Cellular kinetics", icon=":material/monitoring:"),
    st.Page("pages/response.py", title="Response", icon=":material/stacked_bar_chart:"),
    st.Page("pages/survival.py", title="Survival", icon=":material/timeline:"),
    st.Page("pages/patient.py", title="Patient profile", icon=":material/person:"),
]
st.navigation(pages).run()
