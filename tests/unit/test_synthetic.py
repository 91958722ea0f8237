"""Tests of the synthetic trial generator (:mod:`trialdash.synthetic`).

Expected numbers come from ``/work/shared/clinical-profile.md`` (named in each docstring);
consistency rules are checked for several seeds and for the default (14) and a larger (300)
cohort.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd
import pytest

from trialdash import schema, synthetic

SEEDS = (synthetic.DEFAULT_SEED, 7, 2024)
CASES = [(seed, n) for seed in SEEDS for n in (None, 300)]
CASE_IDS = [f"seed{seed}-n{n or 14}" for seed, n in CASES]
DATASETS = ("adsl", "adae", "adrs", "adtte", "adpc", "adlb")
DOSES = {"0.25 x10^6 cells/kg": 0.25, "0.5 x10^6 cells/kg": 0.5, "1.0 x10^6 cells/kg": 1.0}
RESPONSES = {"CR", "CRi", "PR"}
CUTOFF = pd.Timestamp("2025-05-15")


@functools.cache
def trial(seed: int = synthetic.DEFAULT_SEED, patients: int | None = None):
    return synthetic.generate(seed, patients)


def data(seed: int, patients: int | None) -> dict[str, pd.DataFrame]:
    return trial(seed, patients).datasets


def with_subject(df: pd.DataFrame, adsl: pd.DataFrame,
                 cols: tuple[str, ...] = ("TRTSDT", "LDSTDT", "LSTALVDT", "DCUTDT")
                 ) -> pd.DataFrame:
    out = df.merge(adsl[["USUBJID", *cols]], on="USUBJID", how="left", validate="many_to_one")
    assert len(out) == len(df)
    return out


def adam_day(dates: pd.Series, origin: pd.Series) -> pd.Series:
    d = (dates - origin).dt.days
    return d.where(d < 0, d + 1)


def km(time: pd.Series, event: pd.Series, at: float) -> float:
    """Kaplan-Meier survival at ``at`` (crude, for landmark checks)."""
    t, e = time.to_numpy(float), event.to_numpy(bool)
    s = 1.0
    for x in np.unique(t[e & (t <= at)]):
        s *= 1 - (e & (t == x)).sum() / (t >= x).sum()
    return s


def infused(adsl: pd.DataFrame) -> pd.DataFrame:
    return adsl[adsl["SAFFL"] == "Y"]


# ---------------------------------------------------------------------------------------------
# Structure, types, determinism
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "n"), CASES, ids=CASE_IDS)
def test_columns_are_the_schema_source_columns_with_their_types(seed, n):
    d = data(seed, n)
    assert set(d) == set(DATASETS)
    for name, df in d.items():
        table = schema.TABLES[name]
        assert list(df.columns) == [c.name for c in table.source_columns], name
        assert not any(c.derived and c.name in df.columns for c in table.columns)
        assert len(df) > 0, name
        for col in table.source_columns:
            s = df[col.name]
            if col.type == schema.DATE:
                assert s.dtype == "datetime64[ns]", (name, col.name)
                assert (s.dropna() == s.dropna().dt.normalize()).all(), (name, col.name)
            elif col.type == schema.INT:
                assert s.dtype == "Int64", (name, col.name)
            elif col.type == schema.NUM:
                assert s.dtype == "float64", (name, col.name)
            else:
                assert s.dtype == object, (name, col.name)
                assert all(v is None or (isinstance(v, str) and v) for v in s), (name, col.name)


def test_trial_metadata():
    t = trial()
    assert t.registry_id == "NCT05290155"
    assert t.study_id.startswith("NCT05290155")
    assert t.cutoff == dt.date(2025, 5, 15)
    assert t.seed == synthetic.DEFAULT_SEED
    assert "CD7" in t.title
    assert (t.datasets["adsl"]["STUDYID"] == t.study_id).all()


@pytest.mark.parametrize("n", [None, 300])
def test_same_seed_gives_identical_frames(n):
    a = synthetic.generate(synthetic.DEFAULT_SEED, n).datasets
    b = synthetic.generate(synthetic.DEFAULT_SEED, n).datasets
    for name in DATASETS:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


def test_patients_14_is_the_default():
    a, b = synthetic.generate(5).datasets, synthetic.generate(5, 14).datasets
    for name in DATASETS:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_different_seeds_give_different_data_with_the_same_structure():
    a, b = data(SEEDS[0], None), data(SEEDS[1], None)
    for name in DATASETS:
        assert list(a[name].columns) == list(b[name].columns)
        assert (a[name].dtypes == b[name].dtypes).all()
    assert not a["adsl"].equals(b["adsl"])
    assert not a["adpc"].equals(b["adpc"])
    assert not a["adae"].equals(b["adae"])


def test_too_few_patients_is_an_error():
    with pytest.raises(ValueError):
        synthetic.generate(1, 2)


def test_three_patients_still_cover_every_dose():
    adsl = synthetic.generate(1, 3).datasets["adsl"]
    assert sorted(infused(adsl)["TRT01AN"]) == [0.25, 0.5, 1.0]


# ---------------------------------------------------------------------------------------------
# Default cohort composition
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_default_cohort_composition(seed):
    """clinical-profile.md, 'A synthetic cohort that matches': 3+3 escalation with 0.25 n=3
    (0 DLT), 0.5 n=3 (0 DLT), 1.0 n=8 (6 escalation with 1 DLT, 2 expansion); subtypes
    T-ALL 5, T-LBL 5, PTCL-NOS 2, AITL 1, ALCL 1; a few enrolled but not infused."""
    adsl = data(seed, None)["adsl"]
    inf = infused(adsl)
    assert len(inf) == 14
    assert inf["TRT01A"].value_counts().to_dict() == {
        "1.0 x10^6 cells/kg": 8, "0.25 x10^6 cells/kg": 3, "0.5 x10^6 cells/kg": 3}
    assert (inf["TRT01A"].map(DOSES) == inf["TRT01AN"]).all()
    assert (adsl["TRT01P"].map(DOSES) == adsl["TRT01PN"]).all()
    top = inf[inf["TRT01AN"] == 1.0]
    assert top["COHORT"].value_counts().to_dict() == {"Escalation": 6, "Expansion": 2}
    assert set(inf.loc[inf["TRT01AN"] < 1.0, "COHORT"]) == {"Escalation"}
    assert inf["DISTYPE"].value_counts().to_dict() == {
        "T-ALL": 5, "T-LBL": 5, "PTCL-NOS": 2, "AITL": 1, "ALCL": 1}
    dlt = inf.groupby("TRT01AN")["DLTFL"].apply(lambda s: int((s == "Y").sum())).to_dict()
    assert dlt == {0.25: 0, 0.5: 0, 1.0: 1}
    # 3+3: the DLT is among the first three at 1.0, which is why that level expanded to six.
    first_three = top[top["COHORT"] == "Escalation"].sort_values("TRTSDT").head(3)
    assert (first_three["DLTFL"] == "Y").sum() == 1
    assert (inf["DLTEVLFL"] == "Y").all()


@pytest.mark.parametrize("seed", SEEDS)
def test_not_infused_patients(seed):
    """clinical-profile.md: 'a few patients enrolled but not infused (progression before
    infusion, manufacturing failure)'; the brief fixes 3 of them for 14 infused."""
    adsl = data(seed, None)["adsl"]
    ni = adsl[adsl["SAFFL"] == "N"]
    assert len(ni) == 3
    assert ni["TRT01P"].notna().all() and ni["TRT01PN"].notna().all()
    assert ni["TRT01A"].isna().all() and ni["TRT01AN"].isna().all()
    assert ni["TRTSDT"].isna().all() and ni["CELLINF"].isna().all()
    assert ni["NINFRSN"].notna().all()
    assert adsl.loc[adsl["SAFFL"] == "Y", "NINFRSN"].isna().all()
    assert (ni["EOSSTT"] == "DISCONTINUED").all()
    for col in ("HSCTDT", "PDDT", "DTHDT"):
        assert ni[col].isna().all(), col
    assert (ni["DTHFL"] == "N").all()
    lymphodepleted = ni[ni["LDSTDT"].notna()]
    assert len(lymphodepleted) <= 1
    assert (lymphodepleted["NINFRSN"].str.contains("progression")).all()


def test_default_identifiers_and_baseline():
    """clinical-profile.md, published figures: median age 25 (15-52), 12 male / 2 female,
    5 relapsed after allo-HSCT; lymphoma subtypes older; ECOG 0-2; weight 45-85 kg."""
    adsl = data(synthetic.DEFAULT_SEED, None)["adsl"]
    assert list(adsl["SUBJID"]) == [f"{i:03d}" for i in range(1, len(adsl) + 1)]
    assert list(adsl["USUBJID"]) == [f"NCT05290155-SYN-{i:03d}" for i in range(1, len(adsl) + 1)]
    assert set(adsl["SITEID"]) == {"01"} and set(adsl["RACE"]) == {"ASIAN"}
    assert (adsl["DCUTDT"] == CUTOFF).all()
    inf = infused(adsl)
    assert inf["SEX"].value_counts().to_dict() == {"M": 12, "F": 2}
    assert (inf["PRHSCTFL"] == "Y").sum() == 5
    blasts = inf[inf["DISTYPE"].isin(["T-ALL", "T-LBL"])]
    assert blasts["AGE"].between(15, 52).all()
    assert 18 <= blasts["AGE"].median() <= 33
    assert inf.loc[~inf.index.isin(blasts.index), "AGE"].between(40, 70).all()
    assert adsl["ECOGBL"].isin([0, 1, 2]).all()
    assert adsl["PRIORLN"].between(1, 5).all()
    assert adsl["WEIGHTBL"].between(45, 85).all()
    assert np.allclose(inf["CELLINF"], (inf["TRT01AN"] * inf["WEIGHTBL"]).round(2))
    t_all = inf[inf["DISTYPE"] == "T-ALL"]["BMBLAST"]
    others = inf[inf["DISTYPE"] != "T-ALL"]["BMBLAST"]
    assert t_all.min() >= 20 and others.max() < 5


@pytest.mark.parametrize(("seed", "n"), CASES, ids=CASE_IDS)
def test_escalation_is_sequential_within_the_calendar(seed, n):
    """clinical-profile.md, conventions: 3+3 with a 28-day DLT window; started 2022-05."""
    adsl = data(seed, n)["adsl"]
    inf = infused(adsl)
    order = inf.assign(rank=inf["TRT01AN"].rank(method="dense")
                       + (inf["COHORT"] == "Expansion") * 10)
    spans = order.groupby("rank")["TRTSDT"].agg(["min", "max"]).sort_index()
    assert (spans["min"].iloc[1:].to_numpy() > spans["max"].iloc[:-1].to_numpy()).all()
    assert adsl["RFICDT"].min() >= pd.Timestamp("2022-05-01")
    assert inf["TRTSDT"].max() <= pd.Timestamp("2024-11-30")
    assert adsl["RFICDT"].is_monotonic_increasing  # SUBJID follows enrollment order
    assert adsl["USUBJID"].is_unique


# ---------------------------------------------------------------------------------------------
# Subject-level consistency
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "n"), CASES, ids=CASE_IDS)
def test_subject_dates_are_consistent(seed, n):
    d = data(seed, n)
    adsl = d["adsl"]
    inf = infused(adsl)
    ld = adsl[adsl["LDSTDT"].notna()]
    assert (ld["RFICDT"] <= ld["LDSTDT"]).all()
    assert (inf["LDSTDT"] < inf["TRTSDT"]).all()
    assert inf["LDSTDT"].notna().all()
    assert (adsl["LSTALVDT"] <= adsl["DCUTDT"]).all()
    assert (inf["TRTSDT"] <= inf["LSTALVDT"]).all()
    dead = adsl["DTHDT"].notna()
    assert ((adsl["DTHFL"] == "Y") == dead).all()
    assert (adsl.loc[dead, "DTHDT"] == adsl.loc[dead, "LSTALVDT"]).all()
    assert (adsl.loc[dead, "EOSSTT"] == "DISCONTINUED").all()
    assert (adsl.loc[dead, "DCSREAS"] == "DEATH").all()
    ongoing = adsl["EOSSTT"] == "ONGOING"
    assert (~dead[ongoing]).all() and adsl.loc[ongoing, "DCSREAS"].isna().all()
    assert adsl.loc[adsl["EOSSTT"] == "COMPLETED", "DCSREAS"].isna().all()
    assert adsl.loc[adsl["EOSSTT"] == "DISCONTINUED", "DCSREAS"].notna().all()
    pd_ = adsl[adsl["PDDT"].notna()]
    assert (pd_["PDDT"] > pd_["TRTSDT"]).all() and (pd_["PDDT"] <= pd_["LSTALVDT"]).all()
    hsct = adsl[adsl["HSCTDT"].notna()]
    assert (hsct["HSCTDT"] > hsct["TRTSDT"]).all()
    assert (hsct["HSCTDT"] <= hsct["LSTALVDT"]).all()
    assert not (hsct["PDDT"] <= hsct["HSCTDT"]).any()
    bor = d["adrs"].query("PARAMCD == 'BOR'").set_index("USUBJID")["AVALC"]
    assert bor.reindex(hsct["USUBJID"]).isin(RESPONSES).all()
    assert set(adsl["SAFFL"]) <= {"Y", "N"} and set(adsl["EFFFL"]) <= {"Y", "N"}
    assert (adsl.loc[adsl["SAFFL"] == "N", "EFFFL"] == "N").all()


@pytest.mark.parametrize(("seed", "n"), CASES, ids=CASE_IDS)
def test_only_infused_patients_have_records_and_every_infused_patient_has_them(seed, n):
    d = data(seed, n)
    inf_ids = set(infused(d["adsl"])["USUBJID"])
    for name in ("adae", "adrs", "adtte", "adpc", "adlb"):
        assert set(d[name]["USUBJID"]) <= inf_ids, name
    for name in ("adrs", "adtte", "adpc", "adlb"):
        assert set(d[name]["USUBJID"]) == inf_ids, name


# ---------------------------------------------------------------------------------------------
# ADAE
# ---------------------------------------------------------------------------------------------

# clinical-profile.md, adverse-event table (patients out of 14 within 28 days):
# group -> (preferred terms, any grade, grade >= 3)
AE_TABLE = {
    "CRS": ({"Cytokine release syndrome"}, 12, 1),
    "ICANS": ({"Immune effector cell-associated neurotoxicity syndrome"}, 2, 0),
    "Neutrophil count decreased": ({"Neutrophil count decreased"}, 14, 14),
    "Platelet count decreased": ({"Platelet count decreased"}, 14, 12),
    "Lymphocyte count decreased": ({"Lymphocyte count decreased"}, 14, 14),
    "Anemia": ({"Anemia"}, 14, 9),
    "Febrile neutropenia": ({"Febrile neutropenia"}, 6, 6),
    "Viral reactivation": ({"Cytomegalovirus infection reactivation",
                            "Epstein-Barr virus infection reactivation", "Herpes zoster",
                            "Parvovirus B19 infection"}, 6, 1),
    "Bacterial infection": ({"Lung infection", "Sepsis"}, 2, 1),
    "ALT / AST increased": ({"Alanine aminotransferase increased",
                             "Aspartate aminotransferase increased"}, 5, 1),
}


def first_28_days(d: dict[str, pd.DataFrame]) -> pd.DataFrame:
    ae = with_subject(d["adae"], d["adsl"])
    return ae[(ae["ASTDT"] - ae["TRTSDT"]).dt.days <= 28]


@pytest.mark.parametrize("seed", SEEDS)
def test_ae_patient_counts_match_the_profile_table(seed):
    """clinical-profile.md, adverse-event table: patients out of 14 with each event within
    28 days of infusion, any grade and grade >= 3."""
    ae = first_28_days(data(seed, None))
    for group, (terms, n_any, n_severe) in AE_TABLE.items():
        rows = ae[ae["AEDECOD"].isin(terms)]
        assert rows["USUBJID"].nunique() == n_any, group
        assert rows.loc[rows["AETOXGR"] >= 3, "USUBJID"].nunique() == n_severe, group


@pytest.mark.parametrize("seed", SEEDS)
def test_crs_and_icans_grades_match_the_profile(seed):
    """clinical-profile.md, adverse-event table: CRS 12/14 (G1 6, G2 5, G3 1) on both scales;
    ICANS 2/14 (ASTCT grade 1 and 2; CTCAE v5.0 has no ICANS term, so no CTCAE grade);
    neutropenia about 12 grade 4, thrombocytopenia about 8 grade 4."""
    ae = first_28_days(data(seed, None))
    worst = ae.groupby(["AEDECOD", "USUBJID"])["AETOXGR"].max()
    crs = worst["Cytokine release syndrome"].value_counts().to_dict()
    assert crs == {1: 6, 2: 5, 3: 1}
    astct = ae.groupby(["AEDECOD", "USUBJID"])["ASTCTGR"].max()
    assert astct["Cytokine release syndrome"].value_counts().to_dict() == {1: 6, 2: 5, 3: 1}
    icans = astct["Immune effector cell-associated neurotoxicity syndrome"]
    assert sorted(icans) == [1, 2]
    assert worst["Immune effector cell-associated neurotoxicity syndrome"].isna().all()
    assert (worst["Neutrophil count decreased"] == 4).sum() == 12
    assert (worst["Platelet count decreased"] == 4).sum() == 8
    astct = ae[ae["ASTCTGR"].notna()]
    assert set(astct["AEDECOD"]) == {"Cytokine release syndrome",
                                      "Immune effector cell-associated neurotoxicity syndrome"}


@pytest.mark.parametrize(("seed", "n"), CASES, ids=CASE_IDS)
def test_ae_rules(seed, n):
    """clinical-profile.md: CRS onset day 1-7 lasting 3-7 days, tocilizumab for grade >= 2,
    steroids for some; the DLT window is 28 days; CRS/ICANS carry an ASTCT grade."""
    d = data(seed, n)
    adsl = d["adsl"]
    ae = with_subject(d["adae"], adsl)
    start = (ae["ASTDT"] - ae["TRTSDT"]).dt.days
    # clinical-profile.md: lymphodepletion on days -5 to -3; events of that period start on
    # or after LDSTDT, before infusion, and are not treatment-emergent (ADaM IG: TRTEMFL N).
    assert (ae["ASTDT"] >= ae["LDSTDT"]).all()
    assert ((start < 0) == (ae["TRTEMFL"] == "N")).all()
    assert set(ae["TRTEMFL"]) <= {"Y", "N"}
    assert (ae.loc[start < 0, "AETOXGR"] <= 2).all()
    assert (ae["ASTDT"] <= ae[["LSTALVDT", "DCUTDT"]].min(axis=1)).all()
    ended = ae["AENDT"].notna()
    assert (ae.loc[ended, "AENDT"] >= ae.loc[ended, "ASTDT"]).all()
    assert (ae.loc[ended, "AENDT"] <= ae.loc[ended, "LSTALVDT"]).all()
    assert (ae["ASTDY"] == adam_day(ae["ASTDT"], ae["TRTSDT"])).all()
    assert (ae.loc[ended, "AENDY"] == adam_day(ae.loc[ended, "AENDT"],
                                               ae.loc[ended, "TRTSDT"])).all()
    assert ae.loc[~ended, "AENDY"].isna().all()
    seq = ae.groupby("USUBJID")["AESEQ"].apply(list)
    assert all(s == list(range(1, len(s) + 1)) for s in seq)
    assert ae["AESEV"].isna().all()
    is_icans = ae["AETERM"] == "ICANS"
    assert ae.loc[~is_icans, "AETOXGR"].between(1, 5).all()
    assert ae.loc[is_icans, "AETOXGR"].isna().all()  # CTCAE v5.0 has no ICANS term
    worse = ae[["AETOXGR", "ASTCTGR"]].max(axis=1)
    assert (worse[ae["AESER"] == "Y"] >= 3).all()
    assert set(ae["AEREL"]) <= {"RELATED", "NOT RELATED"}

    crs = ae[ae["AEDECOD"] == "Cytokine release syndrome"]
    crs_start = (crs["ASTDT"] - crs["TRTSDT"]).dt.days
    assert crs_start.between(1, 7).all()
    assert ((crs["AENDT"] - crs["ASTDT"]).dt.days.dropna().between(3, 7)).all()
    assert ((crs["TOCIFL"] == "Y") == (crs["ASTCTGR"] >= 2)).all()
    assert (crs.loc[crs["ASTCTGR"] >= 3, "STERFL"] == "Y").all()
    # CTCAE v5.0 and ASTCT (Lee 2019) part only over oxygen: one grade apart, 2 <-> 3.
    differ = crs[crs["ASTCTGR"] != crs["AETOXGR"]]
    assert set(zip(differ["ASTCTGR"], differ["AETOXGR"], strict=True)) <= {(2, 3), (3, 2)}
    assert (differ["ASTCTGR"] == 3).sum() == (differ["ASTCTGR"] == 2).sum()
    if (crs["ASTCTGR"] == 3).any():
        assert len(differ) > 0
    icans = ae[ae["AETERM"] == "ICANS"]
    assert (icans["AEBODSYS"] == "Nervous system disorders").all()
    assert icans["ASTCTGR"].between(1, 4).all()
    assert (icans.loc[icans["ASTCTGR"] >= 2, "STERFL"] == "Y").all()
    assert (ae.loc[ae["AEDECOD"] != "Cytokine release syndrome", "TOCIFL"] == "N").all()

    dlt = ae[ae["AEDLTFL"] == "Y"]
    assert ((dlt["ASTDT"] - dlt["TRTSDT"]).dt.days <= 28).all()
    assert set(dlt["USUBJID"]) == set(adsl.loc[adsl["DLTFL"] == "Y", "USUBJID"])
    late = ae[start > 28]
    assert len(late) < 0.25 * len(ae)  # later AEs are sparse


# ---------------------------------------------------------------------------------------------
# ADRS
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "n"), CASES, ids=CASE_IDS)
def test_response_records(seed, n):
    d = data(seed, n)
    adsl = d["adsl"]
    rs = with_subject(d["adrs"], adsl, ("TRTSDT", "LSTALVDT", "DCUTDT", "PDDT", "DISTYPE"))
    assert set(rs["PARAMCD"]) <= {"OVR", "BOR", "BMRESP", "EMRESP"}
    assert {"OVR", "BOR"} <= set(rs["PARAMCD"])
    assert set(rs["AVALC"]) <= {"CR", "CRi", "PR", "SD", "PD", "NE"}
    bor = rs[rs["PARAMCD"] == "BOR"]
    assert bor["USUBJID"].is_unique and len(bor) == len(infused(adsl))
    ovr = rs[rs["PARAMCD"] == "OVR"]
    assert (ovr["ADT"] > ovr["TRTSDT"]).all()
    assert (ovr["ADT"] <= ovr[["LSTALVDT", "DCUTDT"]].min(axis=1)).all()
    assert (ovr["ADY"] == adam_day(ovr["ADT"], ovr["TRTSDT"])).all()
    assert ovr.groupby("USUBJID")["ADT"].apply(lambda s: s.is_monotonic_increasing).all()
    assert ((rs["CRIT"] == "NCCN/ELN (T-ALL)") == (rs["DISTYPE"] == "T-ALL")).all()
    assert set(rs.loc[rs["DISTYPE"] != "T-ALL", "CRIT"]) <= {"Lugano 2014"}
    assert rs.loc[rs["DISTYPE"] != "T-ALL", "MRDSTAT"].isna().all()
    assert ovr.loc[ovr["DISTYPE"] == "T-ALL", "MRDSTAT"].notna().all()
    assert "PR" not in set(rs.loc[rs["DISTYPE"] == "T-ALL", "AVALC"])
    assert "CRi" not in set(rs.loc[rs["DISTYPE"] != "T-ALL", "AVALC"])

    # PDDT is the first OVR PD, and nothing is assessed after it.
    first_pd = ovr[ovr["AVALC"] == "PD"].groupby("USUBJID")["ADT"].min()
    pd_dt = adsl.set_index("USUBJID")["PDDT"].dropna()
    pd.testing.assert_series_equal(first_pd.sort_index(), pd_dt.sort_index(),
                                   check_names=False)
    after = ovr["PDDT"].notna() & (ovr["ADT"] > ovr["PDDT"])
    assert not after.any()

    # BOR = best OVR within the first 3 months (day <= 100).
    rank = {"CR": 0, "CRi": 1, "PR": 2, "SD": 3, "PD": 4, "NE": 5}
    early = ovr[(ovr["ADT"] - ovr["TRTSDT"]).dt.days <= 100]
    best = early.assign(r=early["AVALC"].map(rank)).groupby("USUBJID")["r"].min()
    got = bor.set_index("USUBJID")["AVALC"].map(rank)
    assert (got.reindex(best.index) == best).all()


def test_default_best_response_matches_the_profile():
    """clinical-profile.md, response: T-ALL/T-LBL about 80% respond (1-2 non-responders);
    PTCL-NOS/AITL/ALCL about half respond; 4-6 responders go on to allo-HSCT."""
    d = data(synthetic.DEFAULT_SEED, None)
    adsl = d["adsl"]
    bor = with_subject(d["adrs"].query("PARAMCD == 'BOR'"), adsl, ("DISTYPE", "HSCTDT"))
    resp = bor["AVALC"].isin(RESPONSES)
    by = resp.groupby(bor["DISTYPE"].where(bor["DISTYPE"].isin(["T-ALL", "T-LBL"]),
                                          "lymphoma")).sum().to_dict()
    assert by == {"T-ALL": 4, "T-LBL": 4, "lymphoma": 2}
    assert set(bor.loc[(bor["DISTYPE"] == "T-ALL") & resp, "AVALC"]) <= {"CR", "CRi"}
    assert 4 <= bor["HSCTDT"].notna().sum() <= 6


# ---------------------------------------------------------------------------------------------
# ADTTE
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "n"), CASES, ids=CASE_IDS)
def test_time_to_event_agrees_with_adsl_and_adrs(seed, n):
    d = data(seed, n)
    adsl = d["adsl"].set_index("USUBJID")
    tte = d["adtte"]
    assert (tte["AVALU"] == "DAYS").all()
    assert set(tte["CNSR"]) <= {0, 1}
    assert ((tte["CNSR"] == 0) == tte["EVNTDESC"].notna()).all()
    assert ((tte["CNSR"] == 1) == tte["CNSDTDSC"].notna()).all()
    assert (tte["AVAL"] == (tte["ADT"] - tte["STARTDT"]).dt.days).all()
    assert (tte["AVAL"] >= 0).all()
    assert not tte.duplicated(["USUBJID", "PARAMCD"]).any()

    os_ = tte[tte["PARAMCD"] == "OS"].set_index("USUBJID")
    a = adsl.loc[os_.index]
    assert (os_["STARTDT"] == a["TRTSDT"]).all()
    assert ((os_["CNSR"] == 0) == a["DTHDT"].notna()).all()
    assert (os_["ADT"] == a["DTHDT"].fillna(a["LSTALVDT"])).all()

    ovr = d["adrs"].query("PARAMCD == 'OVR'")
    adequate = ovr[ovr["AVALC"] != "PD"].groupby("USUBJID")["ADT"].max()
    pfs = tte[tte["PARAMCD"] == "PFS"].set_index("USUBJID")
    a = adsl.loc[pfs.index]
    event = a["PDDT"].notna() | a["DTHDT"].notna()
    assert ((pfs["CNSR"] == 0) == event).all()
    assert (pfs.loc[event, "ADT"] == a.loc[event, "PDDT"].fillna(a.loc[event, "DTHDT"])).all()
    assert (pfs.loc[~event, "ADT"] == adequate.reindex(pfs.index[~event])).all()
    assert (pfs["STARTDT"] == a["TRTSDT"]).all()

    bor = d["adrs"].query("PARAMCD == 'BOR'").set_index("USUBJID")["AVALC"]
    dor = tte[tte["PARAMCD"] == "DOR"].set_index("USUBJID")
    assert set(dor.index) == set(bor[bor.isin(RESPONSES)].index)
    first_resp = ovr[ovr["AVALC"].isin(RESPONSES)].groupby("USUBJID")["ADT"].min()
    assert (dor["STARTDT"] == first_resp.reindex(dor.index)).all()
    assert (dor["ADT"] == pfs.loc[dor.index, "ADT"]).all()
    assert (dor["CNSR"] == pfs.loc[dor.index, "CNSR"]).all()


def test_default_survival_is_near_the_profile():
    """clinical-profile.md, survival: OS about 70% at 6 months, 50% at 12, 40% at 24;
    PFS about 36% at 6 months, 28% at 12, 22% at 24 (default seed, within 0.1)."""
    tte = data(synthetic.DEFAULT_SEED, None)["adtte"]
    targets = {"OS": (0.70, 0.50, 0.40), "PFS": (0.36, 0.28, 0.22)}
    for code, expected in targets.items():
        x = tte[tte["PARAMCD"] == code]
        for months, target in zip((6, 12, 24), expected, strict=True):
            got = km(x["AVAL"], x["CNSR"] == 0, months * 30.4375)
            assert abs(got - target) <= 0.1, (code, months, got)


@pytest.mark.parametrize("seed", SEEDS)
def test_larger_cohort_survival_follows_the_profile(seed):
    """clinical-profile.md, survival (6- and 12-month landmarks) and 'patients consolidated
    with allo-HSCT did better (6-month OS 100% vs 60%)', checked on 300 patients."""
    d = data(seed, 300)
    tte = d["adtte"]
    os_, pfs = tte[tte["PARAMCD"] == "OS"], tte[tte["PARAMCD"] == "PFS"]
    assert 0.60 <= km(os_["AVAL"], os_["CNSR"] == 0, 182.6) <= 0.82
    assert 0.38 <= km(os_["AVAL"], os_["CNSR"] == 0, 365.25) <= 0.62
    assert 0.26 <= km(pfs["AVAL"], pfs["CNSR"] == 0, 182.6) <= 0.48
    assert 0.18 <= km(pfs["AVAL"], pfs["CNSR"] == 0, 365.25) <= 0.38
    hsct = os_["USUBJID"].isin(d["adsl"].loc[d["adsl"]["HSCTDT"].notna(), "USUBJID"])
    assert km(os_.loc[hsct, "AVAL"], os_.loc[hsct, "CNSR"] == 0, 182.6) > km(
        os_.loc[~hsct, "AVAL"], os_.loc[~hsct, "CNSR"] == 0, 182.6)


# ---------------------------------------------------------------------------------------------
# ADPC and ADLB
# ---------------------------------------------------------------------------------------------

PC_DAYS = {0, 1, 4, 7, 10, 14, 21, 28, 60, 90, 180, 270, 365, 545, 730}


@pytest.mark.parametrize(("seed", "n"), CASES, ids=CASE_IDS)
def test_kinetics_samples_and_blq(seed, n):
    """clinical-profile.md, cellular kinetics: sampling days; values below the LLOQ are kept
    as BLQ (flagged), not zero and not dropped; below the LLOQ after allo-HSCT."""
    d = data(seed, n)
    pc = with_subject(d["adpc"], d["adsl"], ("TRTSDT", "LSTALVDT", "DCUTDT", "HSCTDT"))
    assert set(pc["PARAMCD"]) == {"TRANSGEN", "CARPCT"}
    assert set(pc["NFRLT"]) <= PC_DAYS and (pc["RRLTU"] == "DAYS").all()
    assert (pc.loc[pc["NFRLT"] <= 7, "AFRLT"] == pc.loc[pc["NFRLT"] <= 7, "NFRLT"]).all()
    assert ((pc["AFRLT"] - pc["NFRLT"]).abs() <= 2).all()
    assert (pc["ADT"] == pc["TRTSDT"] + pd.to_timedelta(pc["AFRLT"], unit="D")).all()
    assert (pc["ADT"] <= pc[["LSTALVDT", "DCUTDT"]].min(axis=1)).all()
    blq = pc["BLQFL"] == "Y"
    assert set(pc["BLQFL"]) <= {"Y", "N"}
    assert (blq == pc["AVAL"].isna()).all()  # BLQ: AVAL blank
    assert (pc.loc[~blq, "AVAL"] >= pc.loc[~blq, "LLOQ"]).all()
    assert (pc["AVAL"] != 0).all()
    assert blq[pc["NFRLT"] == 0].all()
    tg = pc["PARAMCD"] == "TRANSGEN"
    assert (pc.loc[tg, "LLOQ"] == 50).all() and (pc.loc[~tg, "LLOQ"] == 0.1).all()
    assert (pc.loc[tg, "AVALU"] == "copies/ug gDNA").all() and (pc.loc[~tg, "AVALU"] == "%").all()
    after_hsct = pc["HSCTDT"].notna() & (pc["ADT"] >= pc["HSCTDT"] + pd.Timedelta(days=28))
    assert blq[after_hsct].all()
    assert pc.loc[pc["NFRLT"] == 0, "AVISIT"].eq("Day 0 (pre)").all()


def test_default_kinetics_shape():
    """clinical-profile.md, cellular kinetics: CAR-T expanded in 13/14 (one patient with no
    expansion); Tmax 10-21 days; Cmax range 3,176-326,483 (we allow up to 500,000)."""
    pc = data(synthetic.DEFAULT_SEED, None)["adpc"]
    tg = pc[pc["PARAMCD"] == "TRANSGEN"]
    cmax = tg.groupby("USUBJID")["AVAL"].max().fillna(0)
    assert (cmax < 4 * 50).sum() == 1
    expanded = cmax[cmax >= 4 * 50]
    assert len(expanded) == 13 and expanded.min() > 2_000 and expanded.max() < 500_000
    tmax = tg.loc[tg["AVAL"].fillna(-1).groupby(tg["USUBJID"]).idxmax(), ["USUBJID", "NFRLT"]]
    assert tmax.set_index("USUBJID").loc[expanded.index, "NFRLT"].between(10, 21).all()


def test_larger_cohort_kinetics_follow_the_profile():
    """clinical-profile.md, cellular kinetics: Cmax geometric mean about 30,000 / 50,000 /
    80,000 by dose; peak %CAR+ median about 50% (10-90%), under 5% by month 3."""
    d = data(synthetic.DEFAULT_SEED, 300)
    pc = with_subject(d["adpc"], d["adsl"], ("TRT01AN",))
    tg = pc[pc["PARAMCD"] == "TRANSGEN"]
    cmax = tg.groupby(["TRT01AN", "USUBJID"])["AVAL"].max().dropna()
    cmax = cmax[cmax > 1_000]
    gm = np.exp(np.log(cmax).groupby(level=0).mean())
    assert gm.is_monotonic_increasing
    for dose, target in {0.25: 30_000, 0.5: 50_000, 1.0: 80_000}.items():
        assert target / 1.6 <= gm[dose] <= target * 1.6, (dose, gm[dose])
    pct = pc[pc["PARAMCD"] == "CARPCT"]
    peak = pct.groupby("USUBJID")["AVAL"].max()
    assert 35 <= peak.median() <= 65
    assert pct.loc[pct["NFRLT"] == 90, "AVAL"].fillna(0).median() < 5


@pytest.mark.parametrize(("seed", "n"), CASES, ids=CASE_IDS)
def test_laboratory_samples(seed, n):
    d = data(seed, n)
    lb = with_subject(d["adlb"], d["adsl"])
    assert set(lb["PARAMCD"]) == {"CD7LYMPH", "ANC", "PLAT", "HGB", "LYMPH", "CRP",
                                  "FERRITIN", "IL6"}
    assert (lb["ADT"] >= lb["LDSTDT"]).all()
    pre = lb["ADT"] < lb["TRTSDT"]
    assert (lb.loc[pre, "ADT"] == lb.loc[pre, "LDSTDT"]).all()
    assert (lb["ADT"] <= lb[["LSTALVDT", "DCUTDT"]].min(axis=1)).all()
    assert (lb["ADY"] == adam_day(lb["ADT"], lb["TRTSDT"])).all()
    assert (lb["AVAL"] > 0).all() and lb["AVAL"].notna().all()
    assert not lb.duplicated(["USUBJID", "PARAMCD", "AVISIT"]).any()


def test_larger_cohort_laboratory_follows_the_profile():
    """clinical-profile.md: CD7+ lymphocytes several hundred at baseline, < 10 from day 7-14
    while CAR-T persists; neutropenia grade 3-4 in every patient; IL-6 peaks with CRS."""
    d = data(synthetic.DEFAULT_SEED, 300)
    lb = with_subject(d["adlb"], d["adsl"])
    day = (lb["ADT"] - lb["TRTSDT"]).dt.days
    cd7 = lb[lb["PARAMCD"] == "CD7LYMPH"]
    assert 200 <= cd7.loc[day[cd7.index] < 0, "AVAL"].median() <= 1000
    assert cd7.loc[cd7["AVISIT"] == "Day 14", "AVAL"].median() < 10
    anc = lb[(lb["PARAMCD"] == "ANC") & day.between(0, 14)]
    assert (anc.groupby("USUBJID")["AVAL"].min() < 1.0).mean() > 0.95
    # CD7+ cells return after allo-HSCT (donor cells) ...
    cd7 = with_subject(cd7.drop(columns=["TRTSDT", "LDSTDT", "LSTALVDT", "DCUTDT"]),
                       d["adsl"], ("TRTSDT", "HSCTDT"))
    post = cd7[cd7["HSCTDT"].notna() & (cd7["ADT"] >= cd7["HSCTDT"] + pd.Timedelta(days=90))]
    assert len(post) > 0 and post["AVAL"].median() > 100
    # ... and when CAR-T is lost without transplant (transgene BLQ from then on).
    pc = d["adpc"].query("PARAMCD == 'TRANSGEN'")
    lost_at = pc[pc["BLQFL"] == "N"].groupby("USUBJID")["ADT"].max()
    late = cd7[cd7["HSCTDT"].isna()].assign(lost=lambda x: x["USUBJID"].map(lost_at))
    late = late[late["ADT"] >= late["lost"] + pd.Timedelta(days=90)]
    assert len(late) > 0 and late["AVAL"].median() > 100
    il6 = lb[lb["PARAMCD"] == "IL6"].assign(day=day)
    crs = d["adae"].query("AEDECOD == 'Cytokine release syndrome'")
    grade = crs.groupby("USUBJID")["AETOXGR"].max().reindex(il6["USUBJID"].unique()).fillna(0)
    peak = il6.groupby("USUBJID")["AVAL"].max()
    assert peak[grade[grade >= 2].index].median() > peak[grade[grade == 0].index].median()


# ---------------------------------------------------------------------------------------------
# Scale
# ---------------------------------------------------------------------------------------------


def test_five_thousand_patients_keep_the_profile_proportions():
    """clinical-profile.md, synthetic cohort: dose groups 3/3/8 of 14, subtypes 5/5/2/1/1,
    about 3 not infused per 14 infused."""
    d = data(synthetic.DEFAULT_SEED, 5000)
    adsl = d["adsl"]
    inf = infused(adsl)
    assert len(inf) == 5000
    assert 1000 <= (adsl["SAFFL"] == "N").sum() <= 1150
    dose = inf["TRT01AN"].value_counts(normalize=True)
    assert set(dose.index) == {0.25, 0.5, 1.0}
    for level, share in {0.25: 3 / 14, 0.5: 3 / 14, 1.0: 8 / 14}.items():
        assert abs(dose[level] - share) < 0.01
    sub = inf["DISTYPE"].value_counts(normalize=True)
    assert set(sub.index) == {"T-ALL", "T-LBL", "PTCL-NOS", "AITL", "ALCL"}
    for name, k in {"T-ALL": 5, "T-LBL": 5, "PTCL-NOS": 2, "AITL": 1, "ALCL": 1}.items():
        assert abs(sub[name] - k / 14) < 0.01
    assert adsl["USUBJID"].is_unique
    assert (inf.loc[inf["TRT01AN"] < 1.0, "DLTFL"] == "N").all()
    for name in DATASETS:
        assert list(d[name].columns) == [c.name for c in schema.TABLES[name].source_columns]


def test_default_cohort_has_exactly_one_patient_without_expansion():
    """clinical-profile.md (conference abstract): CAR-T expanded in 13/14 patients, so exactly
    one infused patient has no quantifiable transgene sample after infusion."""
    adpc = synthetic.generate().datasets["adpc"]
    transgene = adpc[(adpc["PARAMCD"] == "TRANSGEN") & (adpc["AFRLT"] > 0)]
    quantifiable = transgene[transgene["BLQFL"] == "N"].groupby("USUBJID").size()
    infused = set(transgene["USUBJID"])
    assert len(infused) == 14
    assert len(infused - set(quantifiable.index)) == 1
