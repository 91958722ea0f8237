"""Build the meeting pack for a view: harvest every page, add the title page, render as HTML
or PDF, and write the file atomically (a failed build leaves nothing behind)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trialdash import access
from trialdash.access import Grant
from trialdash.analysis.filters import Filter
from trialdash.history import Cut, list_cuts
from trialdash.report import harvest as harvesting
from trialdash.report import html as html_pack
from trialdash.report.redact import Pseudonymiser
from trialdash.trial import Trial

FORMATS = ("html", "pdf")
APP_DIR = Path(__file__).resolve().parents[2]  # where app.py and access.toml live
# URL parameters the dashboard's shared filters read (trialdash.ui).
FILTER_PARAMS = ("dose", "subtype", "patient", "present")


@dataclass(frozen=True)
class PackRequest:
    """The view a pack shows.

    ``params`` are further URL query parameters passed to the app unchanged (name ->
    values), for features that read their own parameters (e.g. a site or a data cut).
    ``widgets`` are values of page widgets by key (the settings of the page a user is on).
    """

    dose_groups: tuple[str, ...] = ()
    subtypes: tuple[str, ...] = ()
    patients: tuple[str, ...] = ()
    present: bool = False
    params: Mapping[str, Sequence[str]] = field(default_factory=dict)
    snapshot: Path | None = None
    paper: str = "a4"
    widgets: Mapping[str, Any] = field(default_factory=dict)
    user: str | None = None  # signed-in user whose access applies (see harvest)

    def query_params(self) -> dict[str, list[str]]:
        """The URL query parameters of this view, as the dashboard reads them."""
        query = {name: list(values) for name, values in self.params.items()}
        for name, values in (("dose", self.dose_groups), ("subtype", self.subtypes),
                             ("patient", self.patients)):
            if values:
                query[name] = list(values)
        if self.present:
            query["present"] = ["1"]
        return query


def user_grant(user: str | None) -> Grant | None:
    """The access of ``user`` from the access file ($TRIALDASH_ACCESS, else access.toml
    beside app.py); None without a user. Raises ValueError when the user has no access
    (unknown, malformed entry, or no usable access file)."""
    if not user:
        return None
    grant = access.load_access(access.default_access_path(APP_DIR)).grant_for(user)
    if grant is None:
        raise ValueError(f"{user}: {access.NO_ACCESS}")
    return grant


def restricted(trial: Trial, grant: Grant | None) -> Trial:
    """The trial as ``grant`` may see it, for what the pack states outside the pages (title
    page, filter checks); the whole trial without a grant."""
    if grant is None:
        return trial
    everyone = trial.run("subjects", dose_groups=None, subtypes=None, subjects=None)
    allowed = access.allowed_subjects(everyone, grant)
    return Trial(access.restrict_runner(trial.run, allowed), trial.meta)


def shown_cut(request: PackRequest) -> Cut | None:
    """The kept data cut the view asks for (URL parameter ``cut``: a cut-off date or a kept
    file's name, as the dashboard reads it), or None for the current snapshot.

    Raises ValueError for a cut that is not kept beside the snapshot.
    """
    asked = request.query_params().get("cut")
    if not asked:
        return None
    cuts = list_cuts(request.snapshot)
    for cut in cuts:
        if asked[0] in (cut.cut_id, str(cut.cutoff)):
            return cut
    raise ValueError(f"unknown data cut {asked[0]!r} (kept: "
                     f"{', '.join(str(c.cutoff) for c in cuts) or 'none'})")


def unknown_filter_values(trial: Trial, request: PackRequest) -> list[str]:
    """Filter values the snapshot does not have (the dashboard would silently drop them)."""
    pseudonyms = trial.pseudonyms()
    known = {"dose group": set(trial.dose_groups), "subtype": set(trial.subtypes),
             "patient": set(pseudonyms) | set(pseudonyms.values()),
             "site": set(trial.site_labels())}
    asked = {"dose group": request.dose_groups, "subtype": request.subtypes,
             "patient": request.patients, "site": tuple(request.query_params().get("site", ()))}
    return [f"{kind} {value!r} (known: {', '.join(sorted(known[kind]))})"
            for kind, values in asked.items() for value in values
            if value not in known[kind]]


def title_page(trial: Trial, harvest: harvesting.Harvest, request: PackRequest,
               generated: datetime) -> html_pack.TitlePage:
    """The title page's facts for the view the app actually applied."""
    meta = trial.meta
    flt = Filter.of(harvest.dose_groups, harvest.subtypes, harvest.patients,
                    request.query_params().get("site"))
    labels = trial.pseudonyms() if harvest.present else {}
    others = tuple(f"{name} = {', '.join(values)}" for name, values in request.params.items()
                   if name not in FILTER_PARAMS)
    return html_pack.TitlePage(
        study_title=str(meta["title"]), registry_id=str(meta.get("registry_id") or ""),
        study_id=str(meta["study_id"]), cutoff=str(meta["cutoff_date"]),
        source=str(meta["source"]), synthetic=trial.is_synthetic,
        filters=flt.describe(lambda p: labels.get(p, p)),
        patients=str(trial.cohort(flt).count), present=harvest.present,
        other_params=others, generated=generated.strftime("%Y-%m-%d %H:%M UTC"),
    )


def pseudonymiser(trial: Trial) -> Pseudonymiser:
    """USUBJID and SUBJID of every patient in the snapshot -> pseudonym."""
    subjects = trial.cohort().subjects
    pseudonyms = trial.pseudonyms()
    by_subjid = {}
    if "SUBJID" in subjects.columns:
        known = subjects.assign(label=subjects["USUBJID"].map(pseudonyms)).dropna(
            subset=["SUBJID", "label"])
        by_subjid = dict(zip(known["SUBJID"].astype(str), known["label"], strict=True))
    return Pseudonymiser(pseudonyms, by_subjid)


def build_html(request: PackRequest) -> tuple[str, harvesting.Harvest]:
    """The pack as an HTML document, and what was harvested from the pages."""
    from plotly.offline import get_plotlyjs

    grant = user_grant(request.user)
    trial = restricted(Trial.open(request.snapshot), grant)
    cut = shown_cut(request)
    # The title page describes the cut shown; pseudonyms come from the live snapshot, which
    # holds every patient of every earlier cut (the key is the same for all cuts).
    shown = restricted(Trial.open(Path(cut.path)), grant) if cut else trial
    unknown = unknown_filter_values(shown, request)
    if unknown:
        raise ValueError("unknown filter value: " + "; ".join(unknown))
    harvest = harvesting.harvest(request.query_params(), request.snapshot,
                                 widgets=request.widgets, grant=grant)
    title = title_page(shown, harvest, request, datetime.now(UTC))
    if harvest.present:
        harvest = pseudonymiser(trial).harvest(harvest)
    return html_pack.render(harvest, title, get_plotlyjs(), request.paper), harvest


def write_pack(request: PackRequest, out: Path, fmt: str = "html") -> harvesting.Harvest:
    """Write the pack to ``out`` in ``fmt`` (html or pdf) through a temporary file renamed
    into place; return the harvest (for its list of unrendered elements)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    document, harvest = build_html(request)
    if fmt == "pdf":
        from trialdash.report.pdf import html_to_pdf

        payload = html_to_pdf(document, request.paper)
    else:
        payload = document.encode("utf-8")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return harvest
