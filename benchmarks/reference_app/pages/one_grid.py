"""The blank page with one data grid of three rows (``st.dataframe``)."""

import pandas as pd
import streamlit as st

st.title("One data grid")
choice = st.sidebar.multiselect("Dose groups", ["A", "B", "C"], key="flt_dose")
st.query_params["dose"] = choice
st.dataframe(pd.DataFrame({"Group": ["A", "B", "C"], "Patients": [3, 3, 8]}), hide_index=True)
