"""Results dashboard for NCT05290155 (anti-CD7 CAR-T, phase 1 dose escalation).

Data flows one way: snapshot build (:mod:`trialdash.build`) -> DuckDB file ->
``queries/*.sql`` (:mod:`trialdash.queries`) -> analysis (:mod:`trialdash.analysis`) ->
figures (:mod:`trialdash.figures`) -> Streamlit pages (layout only).
"""
