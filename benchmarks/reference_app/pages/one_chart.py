"""The blank page with one Plotly chart of three bars (``st.plotly_chart``)."""

import plotly.graph_objects as go
import streamlit as st

st.title("One chart")
choice = st.sidebar.multiselect("Dose groups", ["A", "B", "C"], key="flt_dose")
st.query_params["dose"] = choice
st.plotly_chart(go.Figure(go.Bar(x=["A", "B", "C"], y=[3, 3, 8])))
