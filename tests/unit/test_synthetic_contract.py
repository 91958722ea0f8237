"""The synthetic trial's disease-history, death and site-response variables.

Expected shapes come from ``/work/shared/clinical-profile.md`` (named in each docstring):
5 relapsed after allo-HSCT and 9 primary refractory; bone-marrow CR 100 %; extramedullary
ORR 78.5 %; a third to two thirds of relapses CD7-negative. Rules are checked for several
seeds and for the default (14) and a larger (300) cohort.
"""

from __future__ import annotations

import functools

import pandas as pd
import pytest

from trialdash import synthetic

SEEDS = (synthetic.DEFAULT_SEED, 7, 2024)
CASES = [(seed, n) for seed in SEEDS for n in (None, 300)]
CASE_IDS = [f"seed{seed}-n{n or 14}" for seed, n in CASES]
RANK = {"CR": 0, "CRi": 1, "PR": 2, "SD": 3, "PD": 4, "NE": 5}
FLAGS = ("BRIDGFL", "PRIREFFL", "EMDBLFL", "CNSBLFL")


@functools.cache
def data(seed: int, patients: int | None) -> dict[str, pd.DataFrame]:
    return synthetic.generate(seed, patients).datasets


def infused(adsl: pd.DataFrame) -> pd.DataFrame:
    return adsl[adsl["SAFFL"] == "Y"]


def best(rs: pd.DataFrame, paramcd: str) -> pd.Series:
    """Best response of one PARAMCD per patient within 3 months (ADY <= 101)."""
    rows = rs[(rs["PARAMCD"] == paramcd) & (rs["ADY"] <= 101)]
    return rows.assign(rank=rows["AVALC"].map(RANK)).groupby("USUBJID")["rank"].min()


@pytest.mark.parametrize(("seed", "n"), CASES, ids=CASE_IDS)
def test_adsl_history_flags_and_death_causes(seed, n):
    """Y/N flags are Y or N; PRIREFFL is the complement of prior allo-HSCT (profile:
    5 relapsed after allo-HSCT, 9 primary refractory); DTHCAUS exactly for the dead,
    DISEASE PROGRESSION exactly when the death followed a progression."""
    adsl = data(seed, n)["adsl"]
    for flag in FLAGS:
        assert set(adsl[flag]) <= {"Y", "N"}, flag
    assert ((adsl["PRIREFFL"] == "Y") == (adsl["PRHSCTFL"] == "N")).all()
    dead = adsl["DTHFL"] == "Y"
    assert adsl.loc[dead, "DTHCAUS"].notna().all() and adsl.loc[~dead, "DTHCAUS"].isna().all()
    after_pd = dead & adsl["PDDT"].notna() & (adsl["PDDT"] <= adsl["DTHDT"])
    assert (adsl.loc[after_pd, "DTHCAUS"] == "DISEASE PROGRESSION").all()
    nrm = adsl.loc[dead & ~after_pd]
    assert set(nrm["DTHCAUS"]) <= {"INFECTION", "GVHD"}
    assert nrm["HSCTDT"].notna().all()  # non-relapse deaths follow an allo-HSCT


def test_default_cohort_history_counts():
    """clinical-profile.md: 9 of 14 primary refractory, 5 relapsed after allo-HSCT."""
    adsl = infused(data(synthetic.DEFAULT_SEED, None)["adsl"])
    assert (adsl["PRIREFFL"] == "Y").sum() == 9
    assert (adsl["PRIREFFL"] == "N").sum() == 5


@pytest.mark.parametrize(("seed", "n"), CASES, ids=CASE_IDS)
def test_relapse_cd7_status(seed, n):
    """RELCD7 is set exactly for relapses (progression after a response); clinical-profile.md:
    a third to two thirds of relapses are CD7-negative."""
    d = data(seed, n)
    adsl, rs = d["adsl"], d["adrs"]
    responders = set(rs.loc[(rs["PARAMCD"] == "BOR") & rs["AVALC"].isin(["CR", "CRi", "PR"]),
                            "USUBJID"])
    relapsed = adsl["USUBJID"].isin(responders) & adsl["PDDT"].notna()
    assert adsl.loc[relapsed, "RELCD7"].isin(["NEGATIVE", "POSITIVE"]).all()
    assert adsl.loc[~relapsed, "RELCD7"].isna().all()
    if relapsed.sum() >= 3:
        share = (adsl.loc[relapsed, "RELCD7"] == "NEGATIVE").mean()
        assert 1 / 3 <= share <= 2 / 3


@pytest.mark.parametrize(("seed", "n"), CASES, ids=CASE_IDS)
def test_site_responses_follow_the_overall_response(seed, n):
    """BMRESP only for patients with marrow disease (BMBLAST > 0), EMRESP only for patients
    with extramedullary disease (EMDBLFL Y); both at OVR visits, same day."""
    d = data(seed, n)
    adsl, rs = d["adsl"].set_index("USUBJID"), d["adrs"]
    ovr = rs[rs["PARAMCD"] == "OVR"].set_index(["USUBJID", "ADT"])["AVALC"]
    bm, em = rs[rs["PARAMCD"] == "BMRESP"], rs[rs["PARAMCD"] == "EMRESP"]
    assert (adsl.loc[bm["USUBJID"], "BMBLAST"] > 0).all()
    assert (adsl.loc[em["USUBJID"], "EMDBLFL"] == "Y").all()
    marrow = adsl.index[(adsl["BMBLAST"] > 0) & (adsl["SAFFL"] == "Y")]
    with_ovr = set(rs.loc[rs["PARAMCD"] == "OVR", "USUBJID"])
    assert set(bm["USUBJID"]) == set(marrow) & with_ovr
    assert set(bm["AVALC"]) <= {"CR", "CRi", "PD"} and set(em["AVALC"]) <= set(RANK) - {"CRi"}
    for site in (bm, em):
        keys = pd.MultiIndex.from_frame(site[["USUBJID", "ADT"]])
        assert keys.isin(ovr.index).all()
    # Extramedullary response is the overall response, CRi counting as CR.
    em_ovr = ovr.reindex(pd.MultiIndex.from_frame(em[["USUBJID", "ADT"]])).replace("CRi", "CR")
    assert (em_ovr.to_numpy() == em["AVALC"].to_numpy()).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_default_site_responses_match_the_profile(seed):
    """clinical-profile.md: bone-marrow CR 100 % (every patient with marrow disease who
    responds clears the marrow); extramedullary ORR 78.5 % (11/14): the overall response
    quotas fix it within two patients of that (9-13 of 14)."""
    d = data(seed, None)
    adsl, rs = infused(d["adsl"]), d["adrs"]
    bor = rs[rs["PARAMCD"] == "BOR"].set_index("USUBJID")["AVALC"]
    responders = set(bor.index[bor.isin(["CR", "CRi", "PR"])])
    marrow_best = best(rs, "BMRESP")
    assert (marrow_best[marrow_best.index.isin(responders)] <= RANK["CRi"]).all()
    em_best = best(rs, "EMRESP")
    n_emd = int((adsl["EMDBLFL"] == "Y").sum())
    em_orr = int((em_best <= RANK["PR"]).sum()) / n_emd
    assert 9 / 14 - 1e-9 <= em_orr <= 13 / 14 + 1e-9


def test_default_cohort_has_lymphodepletion_period_events():
    """Lymphodepletion-period events (onset before infusion, TRTEMFL N) for round(5 n / 14)
    infused patients: 5 of 14 by default (a choice of this generator, so that the safety
    page's lymphodepletion period has data; the profile gives days -5 to -3 for LD)."""
    d = data(synthetic.DEFAULT_SEED, None)
    ae = d["adae"].merge(d["adsl"][["USUBJID", "TRTSDT"]], on="USUBJID")
    before = ae[ae["ASTDT"] < ae["TRTSDT"]]
    assert before["USUBJID"].nunique() == 5
    assert (before["TRTEMFL"] == "N").all() and (before["AEREL"] == "NOT RELATED").all()
