"""Cohort analyses whose results a front end may keep: the :func:`cohort_analysis` mark.

An analysis marked with :func:`cohort_analysis` takes a :class:`~trialdash.trial.Cohort` first
and is a pure function of the cohort's data (its snapshot, filter and the patients its user
may see) and of its other arguments. When the cohort's :class:`~trialdash.trial.Trial` carries
a ``memo`` (the dashboard gives one keyed by snapshot file, modification time, visible
patients and filter, see ``trialdash.ui``), the call goes through it; otherwise (tests, CLI,
reports) the function simply runs. The module itself keeps nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

Result = TypeVar("Result")

#: memo(function, cohort, args, kwargs) -> the function's result for those inputs.
Memo = Callable[[Callable[..., Any], Any, tuple, dict], Any]


def cohort_analysis(function: Callable[..., Result]) -> Callable[..., Result]:
    """Route calls of a cohort analysis through its trial's ``memo`` when it has one.

    The original function stays reachable as ``.uncached``.
    """

    @functools.wraps(function)
    def analysis(cohort, *args, **kwargs) -> Result:
        memo: Memo | None = getattr(cohort.trial, "memo", None)
        if memo is None:
            return function(cohort, *args, **kwargs)
        return memo(function, cohort, args, kwargs)

    analysis.uncached = function  # type: ignore[attr-defined]
    return analysis

