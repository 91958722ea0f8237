"""Which patients a patient picker lists, and which patient a typed value names.

Streamlit-free: the sidebar's Patients filter and the pages' patient select boxes
(``trialdash.ui``) take their options from here. A trial of up to :data:`MANY_PATIENTS`
patients lists every patient, as it always did. A larger one lists at most
:data:`LISTED_PATIENTS` (the patients already chosen, then the first of the other filters, or
the neighbours of the patient shown) and lets the user type any patient ID or pseudonym, so
the browser never receives thousands of options on every interaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

#: Above this many patients the user may see, a picker lists a bounded number of them.
MANY_PATIENTS = 500
#: How many patients a bounded picker lists (besides those already chosen).
LISTED_PATIENTS = 100


def lists_everyone(count: int, threshold: int | None = None) -> bool:
    """Whether a picker over ``count`` patients lists them all (a trial of up to
    ``threshold`` patients, default :data:`MANY_PATIENTS`) rather than a bounded number
    plus typing."""
    return count <= (MANY_PATIENTS if threshold is None else threshold)


def filter_options(chosen: Sequence[str], candidates: Iterable[str],
                   limit: int | None = None) -> list[str]:
    """Options of a bounded patient filter: the chosen patients, in their order, then the
    first ``limit`` other candidates (in the candidates' order).

    Parameters
    ----------
    chosen
        USUBJIDs already in the filter; they stay options whatever the candidates, so the
        widget can show them.
    candidates
        USUBJIDs the other filters leave, in display order (assumed free of repeats).
    limit
        How many candidates besides the chosen ones (default :data:`LISTED_PATIENTS`).
    """
    limit = LISTED_PATIENTS if limit is None else limit
    taken = set(chosen)
    listed = list(dict.fromkeys(chosen))
    for usubjid in candidates:
        if len(listed) - len(taken) >= limit:
            break
        if usubjid not in taken:
            listed.append(usubjid)
    return listed


def window(ids: Sequence[str], current: str | None, size: int | None = None) -> list[str]:
    """``size`` consecutive ``ids`` around ``current`` (centred, shifted inwards at either end,
    so the patients before and after it are a click away); the first ``size`` when
    ``current`` is not among them. All of ``ids`` when there are at most ``size`` (default
    :data:`LISTED_PATIENTS`)."""
    size = LISTED_PATIENTS if size is None else size
    ids = list(ids)
    if len(ids) <= size:
        return ids
    try:
        at = ids.index(current)
    except ValueError:
        return ids[:size]
    start = min(max(at - size // 2, 0), len(ids) - size)
    return ids[start:start + size]


@dataclass(frozen=True)
class NamedPatients:
    """What a list of typed or linked values names: the patients (USUBJIDs, in the order
    given, without repeats) and the values that name no patient the user may see."""

    usubjids: list[str]
    unknown: list[str]


def name_patients(values: Iterable[str], pseudonyms: Mapping[str, str],
                  pseudonymised: bool, listed: Mapping[str, str] | None = None
                  ) -> NamedPatients:
    """The patients that typed, linked or chosen ``values`` name.

    A value names a patient by the text of a listed option, by USUBJID or by pseudonym,
    exactly or ignoring case and surrounding spaces (a typed 'p-7k3q ' is P-7K3Q). A
    pseudonymised grant (sponsor) names patients by pseudonym only.

    Parameters
    ----------
    values
        Untrusted text: URL parameter values or what was typed into a picker.
    pseudonyms
        USUBJID -> pseudonym of exactly the patients the user may see: no other patient
        can be named, whatever the value.
    pseudonymised
        Whether the user may see pseudonyms only (USUBJIDs then name nobody).
    listed
        Text -> USUBJID of the options the picker showed (chosen as shown, never typed).
    """
    listed = listed or {}
    names = {} if pseudonymised else {p: p for p in pseudonyms}
    names.update({pseudonym: p for p, pseudonym in pseudonyms.items()})
    folded: dict[str, str | None] = {}
    for name, usubjid in names.items():
        key = name.strip().casefold()
        folded[key] = usubjid if folded.get(key, usubjid) == usubjid else None  # ambiguous
    found: list[str] = []
    unknown: list[str] = []
    for value in values:
        usubjid = None
        if isinstance(value, str):
            usubjid = (listed.get(value) or names.get(value)
                       or folded.get(value.strip().casefold()))
        if usubjid is None:
            unknown.append(value)
        elif usubjid not in found:
            found.append(usubjid)
    return NamedPatients(found, unknown)
