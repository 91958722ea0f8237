"""The blank app's page: a title, a filter (mirrored in the URL) and a line of text."""

import streamlit as st

st.title("Blank")
choice = st.sidebar.multiselect("Dose groups", ["A", "B", "C"], key="flt_dose")
st.query_params["dose"] = choice
st.write(f"{len(choice)} selected")
