"""Hostile query parameters (tests/app/hostile_urls.py, 34 of them): every page renders
with the values ignored, no error, and no effect on what the role may see."""

from __future__ import annotations

import pytest
from access_harness import Downloads, dates_shown, open_page, shown, shown_tokens
from hostile_urls import HOSTILE, MONITOR, NEVER_ECHOED, SPONSOR
from multisite import site_subjects

from trialdash.trial import Trial


@pytest.fixture(scope="module")
def everyone(multisite_snapshot):
    return Trial.open(multisite_snapshot).run("subjects", dose_groups=None, subtypes=None,
                                              subjects=None)


def test_corpus_is_large_enough():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("email, page, query", HOSTILE,
                         ids=[f"{i:02d}-{p}" for i, (_, p, _) in enumerate(HOSTILE)])
def test_hostile_url_is_ignored(signed_in, multisite_snapshot, everyone, monkeypatch, email,
                                page, query):
    downloads = Downloads(monkeypatch)
    at = open_page(signed_in(email, query), page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    header = at.markdown[0].value
    text = shown(at, downloads)
    if email == MONITOR:
        mine = site_subjects(multisite_snapshot, ("701", "703"))
        infused = everyone[everyone["USUBJID"].isin(mine) & (everyone["infused"] == "Y")]
        assert f"of {len(infused)} patients" in header and "site 701, 703" in header
        assert not [u for u in set(everyone["USUBJID"]) - mine if u in text]
    else:
        assert "of 14 patients" in header
    if email == SPONSOR:
        toggle = next(t for t in at.sidebar.toggle if t.label == "Presentation mode")
        assert toggle.value is True
        assert not [u for u in everyone["USUBJID"] if u in text]
        assert not shown_tokens(at, downloads) & set(everyone["SUBJID"])
        assert not dates_shown(text, {header.split("data cut-off ")[1][:10]})
    # The URL keeps only values the filters accept, so no hostile value is echoed at all.
    assert not [v for v in NEVER_ECHOED if v in text]
