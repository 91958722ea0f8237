"""Fixtures of the AppTest suites: ``signed_in`` (an app signed in as a user of a test
access file, over the three-site snapshot) from access_harness.

AppTest cannot click a tab, so these suites draw every tab of a page, as the meeting pack
does (``ui_sections.drawing_every_section``); ``lazy_sections`` gives a test the dashboard's
own behaviour, where only the open tab's content runs (tests/app/test_sections.py)."""

import pytest
from access_harness import signed_in  # noqa: F401

from trialdash import ui_sections


@pytest.fixture(autouse=True)
def every_section_drawn():
    with ui_sections.drawing_every_section():
        yield


@pytest.fixture
def lazy_sections(every_section_drawn):
    with ui_sections.drawing_every_section(False):
        yield

