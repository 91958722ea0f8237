"""Entry point: ``streamlit run app.py``. Page set-up and navigation over the seven pages."""

import streamlit as st

present = st.query_params.get("present") in ("1", "true", "yes")
st.set_page_config(
    page_title="NCT05290155 results",
    page_icon=":material/biotech:",
    layout="wide",
    initial_sidebar_state="collapsed" if present else "expanded",
)

# Each page starts with ui.current_view(), which draws the shared sidebar filters.
pages = [
    st.Page("pages/overview.py", title="Overview and enrollment", icon=":material/groups:",
            default=True),
    st.Page("pages/safety.py", title="Safety", icon=":material/health_and_safety:"),
    st.Page("pages/kinetics.py", title="Cellular kinetics", icon=":material/monitoring:"),
    st.Page("pages/response.py", title="Response", icon=":material/stacked_bar_chart:"),
    st.Page("pages/survival.py", title="Survival", icon=":material/timeline:"),
    st.Page("pages/patient.py", title="Patient profile", icon=":material/person:"),
    st.Page("pages/data.py", title="Data", icon=":material/dataset:"),
]
st.navigation(pages).run()
