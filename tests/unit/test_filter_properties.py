"""Property: narrowing the filter never increases any count (hypothesis over random filters
on the default synthetic trial)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialdash.analysis.filters import Filter
from trialdash.analysis.response import OVERALL, orr_table
from trialdash.analysis.safety import teae_summary
from trialdash.analysis.survival import kaplan_meier

DOSES = ("0.25 x10^6 cells/kg", "0.5 x10^6 cells/kg", "1.0 x10^6 cells/kg")
SUBTYPES = ("T-ALL", "T-LBL", "PTCL-NOS", "AITL", "ALCL")
PATIENTS = tuple(f"NCT05290155-SYN-{i:03d}" for i in range(1, 18))

filters = st.builds(
    Filter.of,
    st.lists(st.sampled_from(DOSES), unique=True, max_size=3),
    st.lists(st.sampled_from(SUBTYPES), unique=True, max_size=5),
    st.lists(st.sampled_from(PATIENTS), unique=True, max_size=6),
)


def _counts(trial, flt: Filter) -> dict[str, int]:
    cohort = trial.cohort(flt)
    overall = orr_table(cohort, by=None).set_index("group").loc[OVERALL]
    teae = teae_summary(cohort, 28).as_dict().get(OVERALL, {"n": 0, "any_teae": 0})
    os_rows = cohort.time_to_event("OS")
    os_rows = os_rows[os_rows["USUBJID"].isin(cohort.infused["USUBJID"])]
    km = kaplan_meier(os_rows["aval_days"], os_rows["event"]) if len(os_rows) else None
    return {
        "kept": cohort.count.kept,
        "enrolled": int((cohort.subjects["enrolled"] == "Y").sum()),
        "evaluable": int(overall["n"]),
        "responders": int(overall["responders"]),
        "teae_n": int(teae["n"]),
        "any_teae": int(teae["any_teae"]),
        "os_events": km.events if km else 0,
    }


def _narrower(flt: Filter, extra: Filter) -> Filter:
    """``flt`` with ``extra``'s restrictions added on top (AND of both)."""
    def both(a, b):
        if not a:
            return b
        if not b:
            return a
        return tuple(x for x in a if x in b) or ("__none__",)

    return Filter(both(flt.dose_groups, extra.dose_groups), both(flt.subtypes, extra.subtypes),
                  both(flt.patients, extra.patients))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flt=filters, extra=filters)
def test_narrowing_a_filter_never_increases_counts(trial, flt, extra):
    wide, narrow = _counts(trial, flt), _counts(trial, _narrower(flt, extra))
    for key, value in narrow.items():
        assert value <= wide[key], key
    assert wide["kept"] <= 14
