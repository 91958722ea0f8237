"""Entry point: ``streamlit run app.py``. Page set-up and navigation over the seven pages."""

import streamlit as st

from trialdash import idle_gc, run_timing, ui_access

present = st.query_params.get("present") in ("1", "true", "yes")
signed_out = ui_access.auth_configured() and not st.user.get("is_logged_in")
st.set_page_config(
    page_title=ui_access.APP_NAME if signed_out else "NCT05290155 results",
    page_icon=":material/biotech:",
    layout="wide",
    initial_sidebar_state="collapsed" if present else "expanded",
)

# Nothing of the trial (not even the page list) before sign-in, when sign-in is configured.
ui_access.gate()

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
page = st.navigation(pages)
st.session_state[ui_access.PAGE_KEY] = page.title
# Opt-in timing log of each run (TRIALDASH_RUN_LOG); written however the page ends.
try:
    with run_timing.script_run(page.title):
        page.run()
finally:
    idle_gc.collect_soon()  # instead of Streamlit's collection before the run's end is sent
