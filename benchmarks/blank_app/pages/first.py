"""First blank page: a title, a filter and a line of text."""

import streamlit as st

st.title("First")
choice = st.sidebar.multiselect("Dose groups", ["A", "B", "C"], key="flt_dose")
st.write(f"{len(choice)} selected")
