"""Run the dashboard's page scripts headlessly and collect what each page shows.

Every page registered by ``app.py``'s ``st.navigation`` is run in order with
``streamlit.testing.v1.AppTest`` (public Streamlit API) in one session, so the shared
filters set through the URL query parameters apply to all of them, exactly as in a browser.
The main area of each page is turned into a small tree of :class:`Block` objects: headings,
markdown, captions, metrics, alerts, Plotly figures (as figure JSON), tables (as
DataFrames), the settings of page widgets, columns, tabs and expanders.

Three Streamlit 1.67 internals are relied on, each checked by tests/app/test_meeting_pack.py
so that a Streamlit upgrade that changes them fails loudly: the Plotly chart element's
``spec`` field (the figure JSON), the dataframe element's ``columns`` field (column
configuration as JSON: hidden index, labels) and ``AppTest._registered_pages`` (the pages
that ``st.navigation`` registered, in order).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from trialdash import ui_access, ui_sections
from trialdash.access import Grant

APP_SCRIPT = Path(__file__).resolve().parents[2] / "app.py"
PAGE_TIMEOUT_S = 120

HEADINGS = {"title": 1, "header": 2, "subheader": 3}
TEXTS = ("markdown", "caption")
PREFORMATTED = ("code", "text", "json")
ALERTS = ("info", "warning", "error", "success")
SETTINGS = ("selectbox", "radio", "button_group", "toggle", "checkbox", "multiselect",
            "number_input", "slider")
# Controls with nothing to show in a document (their result is on the page already).
IGNORED = ("button", "download_button", "empty", "space", "page_link", "link_button")
_STYLE_ONLY = re.compile(r"^\s*(<style>.*?</style>\s*)+$", re.DOTALL)


class ReportError(RuntimeError):
    """A page could not be collected into the pack (the message names the page)."""


@dataclass
class Block:
    """One thing a page shows.

    ``kind`` is one of: heading (``level`` 1-3), markdown, caption, metric (``data`` =
    (label, value, delta)), chart (``data`` = Plotly figure dict), table (``data`` =
    DataFrame, ``show_index``), alert (``variant`` info/warning/error/success), setting
    (``text`` = "label: value"), preformatted (code, text, JSON), divider, row/column
    (st.columns), tabs/tab, expander, or
    unrendered (an element kind the pack does not know; ``text`` names it).
    """

    kind: str
    text: str = ""
    data: Any = None
    children: list[Block] = field(default_factory=list)
    level: int = 0
    variant: str = ""
    show_index: bool = False

    def walk(self) -> Iterator[Block]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Section:
    """One page: its navigation title, script path and what its main area shows."""

    title: str
    script: str
    blocks: list[Block]

    def walk(self) -> Iterator[Block]:
        for block in self.blocks:
            yield from block.walk()


@dataclass
class Harvest:
    """Every page in navigation order, and the shared filter state the app applied."""

    sections: list[Section]
    dose_groups: list[str]
    subtypes: list[str]
    patients: list[str]
    present: bool

    @property
    def unrendered(self) -> list[str]:
        """'<page>: <element kind>' for every element the pack could not render."""
        return [f"{s.title}: {b.text}" for s in self.sections for b in s.walk()
                if b.kind == "unrendered"]


@contextmanager
def _snapshot_env(snapshot: Path | None):
    """Point the app at ``snapshot`` (through TRIALDASH_SNAPSHOT) for the harvest only."""
    if snapshot is None:
        yield
        return
    before = os.environ.get("TRIALDASH_SNAPSHOT")
    os.environ["TRIALDASH_SNAPSHOT"] = str(Path(snapshot).resolve())
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TRIALDASH_SNAPSHOT", None)
        else:
            os.environ["TRIALDASH_SNAPSHOT"] = before


def navigation_pages(at) -> list[dict]:
    """The pages ``st.navigation`` registered in the last run, in navigation order.

    Each is Streamlit's page info (``page_name``, ``script_path``, ``url_pathname``).
    Streamlit 1.67 keeps them in ``AppTest._registered_pages``.
    """
    pages = getattr(at, "_registered_pages", None)
    if not isinstance(pages, Mapping) or not pages:
        raise ReportError("Streamlit's AppTest no longer exposes the pages registered by "
                          "st.navigation (_registered_pages); the pack cannot list the pages.")
    return list(pages.values())


def figure_of(node) -> dict:
    """The Plotly figure (dict with ``data`` and ``layout``) of a plotly_chart element.

    Streamlit 1.67 serialises the figure as JSON into the element proto's ``spec`` field.
    """
    spec = getattr(node.proto, "spec", None)
    try:
        figure = json.loads(spec) if spec else None
    except (TypeError, ValueError):
        figure = None
    if not isinstance(figure, dict) or "data" not in figure:
        raise ReportError("Streamlit's plotly_chart element no longer carries the figure JSON "
                          "in its 'spec' field; the pack cannot include charts.")
    return figure


def _dataframe_block(node) -> Block:
    """A st.dataframe as shown: its visible columns in order, with their labels."""
    frame = node.value
    config = json.loads(node.proto.columns or "{}")
    order = list(node.proto.column_order)
    if order:
        frame = frame[[c for c in order if c in frame.columns]]
    hidden = [c for c, cfg in config.items() if c in frame.columns and cfg.get("hidden")]
    frame = frame.drop(columns=hidden)
    renames = {c: cfg["label"] for c, cfg in config.items()
               if c in frame.columns and cfg.get("label")}
    show_index = not config.get("_index", {}).get("hidden", False)
    return Block("table", data=frame.rename(columns=renames), show_index=show_index)


def _table_block(node) -> Block:
    frame = node.value
    show_index = not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None)
    return Block("table", data=frame, show_index=show_index)


def _setting_value(node, kind: str) -> str:
    """A page widget's current value as the page shows it (formatted, e.g. a pseudonym)."""
    if kind in ("toggle", "checkbox"):
        return "on" if node.value else "off"
    if kind in ("number_input", "slider"):
        return str(node.value)
    if kind in ("selectbox", "radio"):
        index = node.index
        return "none" if index is None else str(node.options[index])
    return ", ".join(str(v) for v in node.formatted_values) or "none"


def _label(node) -> str:
    return str(getattr(node.proto, "label", "") or "")


def _blocks(node, page: str) -> list[Block]:
    """Blocks of the children of ``node`` in order."""
    out: list[Block] = []
    for child in node.children.values():
        out.extend(_block(child, page))
    return out


def _block(node, page: str) -> list[Block]:
    kind = getattr(node, "type", "")
    if kind == "exception":
        raise ReportError(f"{page}: the page raised {node.value}")
    if kind in HEADINGS:
        return [Block("heading", node.value, level=HEADINGS[kind])]
    if kind in TEXTS:
        return [Block(kind, node.value)]
    if kind in PREFORMATTED:
        return [Block("preformatted", node.value)]
    if kind == "metric":
        return [Block("metric", data=(node.label, node.value, node.delta))]
    if kind in ALERTS:
        return [Block("alert", node.value, variant=kind)]
    if kind == "plotly_chart":
        return [Block("chart", data=figure_of(node))]
    if kind == "table":
        return [_table_block(node)]
    if kind == "dataframe":
        return [_dataframe_block(node)]
    if kind in SETTINGS:
        return [Block("setting", f"{_label(node)}: {_setting_value(node, kind)}")]
    if kind == "html" and _STYLE_ONLY.match(node.value or ""):
        return []
    if kind == "divider":
        return [Block("divider")]
    if kind in IGNORED:
        return []
    if kind == "form":
        return _blocks(node, page)
    if kind == "flex_container":
        children = _blocks(node, page)
        if any(c.kind == "column" for c in children):
            return [Block("row", children=children)]
        return children  # a plain container: its content in place
    if kind == "column":
        return [Block("column", children=_blocks(node, page))]
    if kind == "tab_container":
        return [Block("tabs", children=_blocks(node, page))]
    if kind == "tab":
        return [Block("tab", node.label, children=_blocks(node, page))]
    if kind == "expander":
        return [Block("expander", node.label, children=_blocks(node, page))]
    return [Block("unrendered", kind or type(node).__name__)]


def _query(params: Mapping[str, Sequence[str]]) -> dict[str, list[str] | str]:
    return {k: list(v) if len(v) != 1 else v[0] for k, v in params.items() if v}


def _apply_widget_values(at, widgets: Mapping[str, Any]) -> bool:
    """Give the page's setting widgets (selectbox, toggle...) the values kept under their
    keys; True when one changed (the page must run again)."""
    changed = False
    for kind in SETTINGS:
        for widget in at.main.get(kind):
            key = getattr(widget, "key", None)
            if key in widgets and widget.value != widgets[key]:
                widget.set_value(widgets[key])
                changed = True
    return changed


def harvest(params: Mapping[str, Sequence[str]], snapshot: Path | None = None,
            app_script: Path = APP_SCRIPT,
            widgets: Mapping[str, Any] | None = None, grant: Grant | None = None) -> Harvest:
    """Run every page of the app with URL query ``params`` and collect what each shows.

    Parameters
    ----------
    params
        URL query parameters of the view, name -> values (``dose``, ``subtype``,
        ``patient``, ``present`` and any other the app reads).
    snapshot
        Snapshot file (default: the app's own default, ``$TRIALDASH_SNAPSHOT``).
    app_script
        The app's entry point; its ``st.navigation`` decides the pages and their order.
    widgets
        Values of page widgets by key (e.g. ``{"surv_endpoint": "PFS"}``), set on the page
        that shows the widget before it is collected; unknown keys are ignored.
    grant
        The access of the signed-in user the pack is for (the dashboard's button names the
        user): every page runs with it, so the pack holds exactly what their role may see (a
        monitor's sites, a sponsor's pseudonyms). None: the pages decide as in the dashboard.

    Raises
    ------
    ReportError
        When a page raises an exception or Streamlit internals the pack relies on changed.
    """
    from streamlit.testing.v1 import AppTest

    # Pages run outside a Streamlit server here, as intended: no "missing ScriptRunContext".
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR)
    with _snapshot_env(snapshot):
        at = AppTest.from_file(str(app_script), default_timeout=PAGE_TIMEOUT_S)
        at.query_params.update(_query(params))
        ui_access.run_pages_as(grant)
        try:
            # A document shows every tab of a page, not only the one a browser opens first.
            with ui_sections.drawing_every_section():
                return _harvest_pages(at, app_script, widgets)
        finally:
            ui_access.run_pages_as(None)


def _harvest_pages(at, app_script: Path, widgets: Mapping[str, Any] | None) -> Harvest:
    """Run the default page, then every page of the navigation, collecting each."""
    at.run()  # the default page, and the navigation's page list
    pages = navigation_pages(at)
    sections = []
    root = Path(app_script).resolve().parent
    for index, info in enumerate(pages):
        script = Path(info["script_path"]).resolve()
        relative = script.relative_to(root).as_posix()
        if index or info.get("url_pathname"):
            at.switch_page(relative).run()
        if _apply_widget_values(at, widgets or {}):
            at.run()
        if at.exception:
            raise ReportError(f"{info['page_name']}: the page raised "
                              f"{at.exception[0].value}")
        sections.append(Section(info["page_name"], relative,
                                _blocks(at.main, info["page_name"])))
    state = at.session_state
    return Harvest(sections, list(state["flt_dose"]), list(state["flt_subtype"]),
                   list(state["flt_patient"]), bool(state["flt_present"]))
