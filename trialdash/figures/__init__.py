"""Plotly figure builders: pure functions from analysis results to ``go.Figure``.

No Streamlit here. Every builder takes ``font_size`` (larger in presentation mode) and a
``labels`` mapping USUBJID -> shown label where patients appear (pseudonyms in
presentation mode), and returns a titled figure with axis titles that carry units.
"""
