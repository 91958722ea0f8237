"""A blank two-page Streamlit app: the yardstick the dashboard's browser timings are
compared with (same machine, same Streamlit, same browser, same run)."""

import streamlit as st

st.set_page_config(page_title="Blank", layout="wide")
st.navigation([
    st.Page("pages/first.py", title="First", default=True),
    st.Page("pages/second.py", title="Second"),
]).run()
