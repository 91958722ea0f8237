"""First blank page: a title, a filter (mirrored in the URL) and a line of text."""

import streamlit as st

st.title("First")
choice = st.sidebar.multiselect("Dose groups", ["A", "B", "C"], key="flt_dose")
# Mirrored in the URL as the dashboard's filters are (the benchmark sees a run too short for
# its "running" state to be drawn by the URL it changes).
st.query_params["dose"] = choice
st.write(f"{len(choice)} selected")
