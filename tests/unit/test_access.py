"""The access file parser (every malformed case) and the cohort restriction of each role."""

from __future__ import annotations

import pandas as pd
import pytest
from multisite import site_subjects

from trialdash import access
from trialdash.access import AccessDenied, AccessFileError, Grant, parse_access
from trialdash.analysis.filters import Filter
from trialdash.trial import Trial

EXAMPLE = '''
[users."pi@hospital.example"]
role = "investigator"

[users."CRA@cro.example"]
role = "monitor"
sites = ["701", "703"]

[users."lead@sponsor.example"]
role = "sponsor"
'''


def test_example_file_parses_to_three_grants():
    """The format of the requirement: emails (matched case-insensitively) to roles."""
    parsed = parse_access(EXAMPLE)
    assert parsed.problems == ()
    assert parsed.grant_for("pi@hospital.example") == Grant("pi@hospital.example",
                                                             "investigator")
    monitor = parsed.grant_for(" cra@CRO.example ")
    assert monitor == Grant("cra@cro.example", "monitor", ("701", "703"))
    assert monitor.site_scoped and not monitor.pseudonymised
    assert monitor.describe() == "site 701, 703"
    sponsor = parsed.grant_for("lead@sponsor.example")
    assert sponsor.pseudonymised and not sponsor.site_scoped
    assert parsed.grant_for("someone@else.example") is None
    assert parsed.grant_for(None) is None and parsed.grant_for("") is None


def test_committed_example_file_is_valid():
    from pathlib import Path

    parsed = access.load_access(Path(__file__).resolve().parents[2] / "access.example.toml")
    assert parsed.problems == ()
    assert {g.role for g in parsed.grants.values()} == set(access.ROLES)


MALFORMED = {
    "not a table": ('"a@x.example" = "investigator"', "must be a table"),
    "role missing": ('[users."a@x.example"]\nsites = ["701"]', "role is missing"),
    "unknown role": ('[users."a@x.example"]\nrole = "admin"', "'admin' is not one of"),
    "role not text": ('[users."a@x.example"]\nrole = 1', "1 is not one of"),
    "role wrong case": ('[users."a@x.example"]\nrole = "Investigator"', "is not one of"),
    "unknown key": ('[users."a@x.example"]\nrole = "monitor"\nsite = ["701"]',
                    "unknown keys ['site']"),
    "monitor without sites": ('[users."a@x.example"]\nrole = "monitor"', "needs sites"),
    "sites not a list": ('[users."a@x.example"]\nrole = "monitor"\nsites = "701"',
                         "non-empty list"),
    "sites empty": ('[users."a@x.example"]\nrole = "monitor"\nsites = []', "non-empty list"),
    "site a number": ('[users."a@x.example"]\nrole = "monitor"\nsites = [701]',
                      "quoted string"),
    "site blank": ('[users."a@x.example"]\nrole = "monitor"\nsites = ["701", " "]',
                   "non-blank"),
    "sites for a sponsor": ('[users."a@x.example"]\nrole = "sponsor"\nsites = ["701"]',
                            "only for role"),
    "key not an email": ('[users."alice"]\nrole = "investigator"', "email address"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_entry_gives_no_grant_and_names_the_problem(case):
    """A malformed entry: that user has no access, the problem names file and entry, and a
    valid entry beside it still works."""
    body, expected = MALFORMED[case]
    if not body.startswith("["):
        body = "[users]\n" + body
    text = body + '\n\n[users."ok@x.example"]\nrole = "investigator"\n'
    parsed = parse_access(text, "access.toml")
    assert parsed.grant_for("a@x.example") is None and parsed.grant_for("alice") is None
    assert parsed.grant_for("ok@x.example") is not None
    assert len(parsed.problems) == 1
    assert parsed.problems[0].startswith("access.toml: [users.")
    assert expected in parsed.problems[0]


def test_emails_differing_only_in_case_are_both_refused():
    parsed = parse_access('[users."a@x.example"]\nrole = "investigator"\n'
                          '[users."A@X.example"]\nrole = "sponsor"\n')
    assert parsed.grant_for("a@x.example") is None
    assert "same email" in parsed.problems[0]


@pytest.mark.parametrize("text, expected", [
    ('[users."a@x.example"\nrole = "investigator"', "not valid TOML"),
    ('role = "investigator"', "unknown top-level keys ['role']"),
    ("", "no [users."),
    ('users = "everyone"', "no [users."),
])
def test_unusable_file_is_an_error(text, expected):
    """Not TOML, or no [users] table: the whole file is refused (nobody sees data)."""
    with pytest.raises(AccessFileError, match=expected.replace("[", r"\[")):
        parse_access(text)


def test_missing_or_unreadable_file_is_an_error(tmp_path):
    with pytest.raises(AccessFileError, match="cannot be read"):
        access.load_access(tmp_path / "absent.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(AccessFileError, match="cannot be read"):
        access.load_access(binary)


def test_access_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(access.ACCESS_ENV, raising=False)
    assert access.default_access_path(tmp_path) == tmp_path / "access.toml"
    monkeypatch.setenv(access.ACCESS_ENV, str(tmp_path / "elsewhere.toml"))
    assert access.default_access_path(tmp_path) == tmp_path / "elsewhere.toml"


# --- cohort restriction ------------------------------------------------------------------

ADSL = pd.DataFrame({"USUBJID": ["A", "B", "C", "D"], "SITEID": ["701", " 702", None, "703"]})


def test_allowed_subjects_by_role():
    """Hand count over ADSL above: sites 701 and 702 (trimmed) hold A and B."""
    assert access.allowed_subjects(ADSL, Grant("m@x", "monitor", ("701", "702"))) == {"A", "B"}
    assert access.allowed_subjects(ADSL, Grant("m@x", "monitor", ("999",))) == frozenset()
    assert access.allowed_subjects(ADSL.drop(columns="SITEID"),
                                   Grant("m@x", "monitor", ("701",))) == frozenset()
    assert access.allowed_subjects(ADSL, Grant("i@x", "investigator")) is None
    assert access.allowed_subjects(ADSL, Grant("s@x", "sponsor")) is None


def test_restrict_runner_filters_every_subject_column_and_refuses_unknown_queries():
    results = {
        "subjects": ADSL,
        "findings": pd.DataFrame({"usubjid": ["A", "C", None], "rule": ["r1", "r2", "r3"]}),
        "endpoints": pd.DataFrame({"PARAMCD": ["OS"], "n_subjects": [4]}),
        "mystery": pd.DataFrame({"n": [4]}),
    }
    run = access.restrict_runner(lambda name, **_: results[name], frozenset({"A"}))
    assert list(run("subjects")["USUBJID"]) == ["A"]
    assert list(run("findings")["rule"]) == ["r1"]  # blank subject dropped too
    endpoints = run("endpoints")
    assert list(endpoints["PARAMCD"]) == ["OS"] and endpoints["n_subjects"].isna().all()
    with pytest.raises(AccessDenied, match="mystery"):
        run("mystery")
    unrestricted = access.restrict_runner(lambda name, **_: results[name], None)
    assert unrestricted("mystery") is results["mystery"]


def test_monitor_trial_reads_only_their_sites(multisite_snapshot):
    """Every data set read through a monitor's trial holds only subjects of their sites,
    whatever the filter asks for; the counts are their sites' infused patients (counted
    directly in the snapshot with DuckDB)."""
    full = Trial.open(multisite_snapshot)
    grant = Grant("cra@cro.example", "monitor", ("701", "703"))
    everyone = full.run("subjects", dose_groups=None, subtypes=None, subjects=None)
    allowed = access.allowed_subjects(everyone, grant)
    mine = site_subjects(multisite_snapshot, ("701", "703"))
    assert allowed == mine and 0 < len(mine) < len(everyone)
    trial = Trial(access.restrict_runner(full.run, allowed), full.meta)
    others = sorted(set(everyone["USUBJID"]) - mine)
    asked = Filter.of(patients=[*others, sorted(mine)[0]])
    assert trial.cohort(asked).ids == [sorted(mine)[0]]
    cohort = trial.cohort()
    assert set(cohort.ids) == mine
    infused = everyone[everyone["USUBJID"].isin(mine) & (everyone["infused"] == "Y")]
    assert cohort.count.kept == cohort.count.total == len(infused)
    frames = [trial.options, cohort.adverse_events(), cohort.ae_worst_grades(),
              cohort.responses(), cohort.time_to_event("OS"), cohort.kinetics(),
              cohort.labs(),
              trial.run("adverse_events", subjects=others, window_days=None),
              trial.run("lab_samples", subjects=others, paramcds=None)]
    for frame in frames:
        assert set(frame["USUBJID"]) <= mine
    assert not set(trial.pseudonyms()) - mine
    assert set(trial.site_labels()) == {"701", "703"}


def test_site_filter_narrows_the_cohort(multisite_snapshot):
    trial = Trial.open(multisite_snapshot)
    cohort = trial.cohort(Filter.of(sites=["702"]))
    assert set(cohort.ids) == site_subjects(multisite_snapshot, ("702",))
    assert trial.site_labels() == {"701": "701", "702": "702", "703": "703"}
    assert "Sites: 702" in cohort.filter.describe()


def test_site_choices_use_site_names_when_present():
    adsl = pd.DataFrame({"SITEID": ["702", "701", "701", ""], "SITENAM": ["B", "A", "A", "Z"]})
    assert access.site_choices(adsl) == {"701": "701 A", "702": "702 B"}
    assert access.site_choices(adsl.drop(columns="SITEID")) == {}


def test_known_values_keeps_only_allowed_values_once():
    hostile = ["701", "701", "' OR 1=1 --", "x" * 10_000, None, "７０１"]
    assert access.known_values(hostile, ["701", "702"]) == ["701"]
