"""Streamlit's own first data grid and first chart: the blank app's page beside a page that
shows only one small data grid and one that shows only one small Plotly chart. The browser
benchmark switches to each once per fresh session, so each is the session's first of its
kind and the browser loads Streamlit's code for it (the DataFrame and PlotlyChart parts of
its frontend) then, as it does for the dashboard's first grid and first chart. The report
uses these times to say how much of a dashboard page's time is that loading."""

import streamlit as st

st.set_page_config(page_title="Reference", layout="wide")
st.navigation([
    st.Page("pages/blank.py", title="Blank", default=True),
    st.Page("pages/one_grid.py", title="One data grid"),
    st.Page("pages/one_chart.py", title="One chart"),
]).run()
