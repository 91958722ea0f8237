"""Fixtures of the AppTest suites: ``signed_in`` (an app signed in as a user of a test
access file, over the three-site snapshot) from access_harness."""

from access_harness import signed_in  # noqa: F401
