"""The pack as one self-contained HTML file: plotly.js inlined once, interactive charts, no
request to any network when opened offline, print CSS for A4/Letter with a page break
before every section and the page number and data cut-off in every page footer."""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from numbers import Number

import pandas as pd

from trialdash.report import markdown
from trialdash.report.harvest import Block, Harvest, Section

PAPER_SIZES = {"a4": "A4", "letter": "Letter"}
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
MAX_PRINT_HEIGHT_PX = 1250


@dataclass(frozen=True)
class TitlePage:
    """What the title page states about the study, the data and the view."""

    study_title: str
    registry_id: str
    study_id: str
    cutoff: str
    source: str
    synthetic: bool
    filters: str
    patients: str
    present: bool
    other_params: tuple[str, ...]
    generated: str


def format_value(value) -> str:
    """A table cell as text: blanks for missing, integers without decimals, other numbers
    with two decimals (three significant digits below 1)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, bool) or not isinstance(value, Number):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.2f}" if abs(value) >= 1 else f"{value:.3g}"


def _cell(value, tag: str) -> str:
    return f"<{tag}>{html.escape(format_value(value))}</{tag}>"


def table_html(frame: pd.DataFrame, show_index: bool) -> str:
    """A DataFrame as an HTML table (header repeated on each printed page)."""
    index_names = [n for n in frame.index.names] if show_index else []
    head = "".join(_cell("" if n is None else n, "th") for n in index_names)
    head += "".join(_cell(c, "th") for c in frame.columns)
    rows = []
    for key, values in zip(frame.index, frame.itertuples(index=False), strict=True):
        keys = (key if isinstance(key, tuple) else (key,)) if show_index else ()
        rows.append("<tr>" + "".join(_cell(k, "th") for k in keys)
                    + "".join(_cell(v, "td") for v in values) + "</tr>")
    return (f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


class _Renderer:
    """Renders blocks; collects the figures, drawn by one script at the end."""

    def __init__(self) -> None:
        self.figures: list[dict] = []

    def chart(self, figure: dict) -> str:
        layout = dict(figure.get("layout", {}))
        layout.pop("width", None)  # the chart takes its container's width (screen or paper)
        self.figures.append({"data": figure.get("data", []), "layout": layout})
        height = layout.get("height") or 450
        return (f'<div class="chart" id="chart-{len(self.figures) - 1}" '
                f'style="height:{int(height)}px"></div>')

    def blocks(self, blocks: list[Block]) -> str:
        return "\n".join(self.block(b) for b in blocks)

    def block(self, block: Block) -> str:  # noqa: PLR0911 - one branch per kind
        kind = block.kind
        if kind == "heading":
            level = block.level + 1  # h1 is the pack's own title
            return f"<h{level}>{markdown.inline(block.text)}</h{level}>"
        if kind == "markdown":
            return f'<div class="md">{markdown.to_html(block.text)}</div>'
        if kind == "caption":
            return f'<div class="caption">{markdown.to_html(block.text)}</div>'
        if kind == "metric":
            label, value, delta = block.data
            extra = f'<div class="delta">{html.escape(delta)}</div>' if delta else ""
            return (f'<div class="metric"><div class="label">{markdown.inline(label)}</div>'
                    f'<div class="value">{html.escape(value)}</div>{extra}</div>')
        if kind == "alert":
            return f'<div class="alert {block.variant}">{markdown.to_html(block.text)}</div>'
        if kind == "chart":
            return self.chart(block.data)
        if kind == "table":
            return table_html(block.data, block.show_index)
        if kind == "preformatted":
            return f"<pre>{html.escape(block.text)}</pre>"
        if kind == "setting":
            return f'<div class="setting">{html.escape(block.text)}</div>'
        if kind == "divider":
            return "<hr>"
        if kind == "row":
            has_chart = any(b.kind == "chart" for b in block.walk())
            cls = "row charts" if has_chart else "row"
            return f'<div class="{cls}">{self.blocks(block.children)}</div>'
        if kind == "column":
            return f'<div class="col">{self.blocks(block.children)}</div>'
        if kind == "tabs":
            return f'<div class="tabs">{self.blocks(block.children)}</div>'
        if kind in ("tab", "expander"):
            first = block.children[0] if block.children else None
            # A tab whose first heading says what its label says shows it once.
            repeated = (kind == "tab" and first is not None and first.kind == "heading"
                        and first.text.strip().casefold() == block.text.strip().casefold())
            label = "" if repeated else f"<h4>{markdown.inline(block.text)}</h4>"
            return f'<div class="{kind}">{label}{self.blocks(block.children)}</div>'
        return (f'<div class="alert error">This pack cannot show a page element of kind '
                f'<code>{html.escape(block.text)}</code>.</div>')

    def section(self, number: int, section: Section) -> str:
        return (f'<section class="page" id="section-{number}" '
                f'data-page="{html.escape(section.title)}">\n'
                f"{self.blocks(section.blocks)}\n</section>")


def _title_page(title: TitlePage, sections: list[Section]) -> str:
    rows = [
        ("Study", f"{title.study_title}"),
        ("Registry id", title.registry_id or "–"),
        ("Study id", title.study_id),
        ("Data cut-off", title.cutoff),
        ("Data source", title.source),
        ("Active filters", title.filters),
        ("Patients", title.patients),
        ("Presentation mode", "on: pseudonyms and days since infusion" if title.present
         else "off"),
    ]
    rows += [("Other parameter", p) for p in title.other_params]
    rows.append(("Generated", title.generated))
    facts = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                    for k, v in rows)
    badge = '<p class="synthetic">SYNTHETIC DATA</p>' if title.synthetic else ""
    contents = "".join(f'<li><a href="#section-{i}">{html.escape(s.title)}</a></li>'
                       for i, s in enumerate(sections, start=1))
    return (f'<section class="title-page"><p class="kicker">Meeting pack</p>'
            f"<h1>{html.escape(title.study_title)}</h1>{badge}"
            f'<table class="facts">{facts}</table>'
            f'<h2>Contents</h2><ol class="contents">{contents}</ol></section>')


_CSS = """
:root { --ink: #1f2933; --muted: #5f6b76; --rule: #d9dee3; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1200px; padding: 24px; font-size: 14px; line-height: 1.45; }
h1 { font-size: 26px; margin: 0 0 12px; } h2 { font-size: 22px; margin: 0 0 8px; }
h3 { font-size: 18px; margin: 22px 0 6px; } h4 { font-size: 15px; margin: 16px 0 4px; }
section.page { border-top: 3px solid var(--ink); margin-top: 36px; padding-top: 12px; }
.caption { color: var(--muted); font-size: 12.5px; } .caption p, .md p { margin: 4px 0; }
.setting { color: var(--muted); font-size: 12.5px; font-style: italic; margin: 4px 0; }
.row { display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; }
.row > .col { flex: 1 1 0; min-width: 120px; }
.row.charts > .col { min-width: 420px; }
.metric { border: 1px solid var(--rule); border-radius: 6px; padding: 6px 10px; margin: 4px 0; }
.metric .label { color: var(--muted); font-size: 12.5px; }
.metric .value { font-size: 22px; font-weight: 600; }
.chart { width: 100%; margin: 8px 0; break-inside: avoid; page-break-inside: avoid; }
.table-wrap { overflow-x: auto; margin: 6px 0 12px; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border-bottom: 1px solid var(--rule); padding: 3px 8px; text-align: left;
         vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
thead { display: table-header-group; } tr { break-inside: avoid; }
.alert { border-left: 4px solid #3b82f6; background: #eff6ff; padding: 6px 10px; margin: 6px 0; }
.alert.warning { border-color: #d97706; background: #fffbeb; }
.alert.error { border-color: #dc2626; background: #fef2f2; }
.alert.success { border-color: #16a34a; background: #f0fdf4; }
pre { white-space: pre-wrap; font-size: 12px; background: #f6f8fa; padding: 6px 10px; }
.tab, .expander { border-left: 2px solid var(--rule); padding-left: 12px; margin: 8px 0; }
.md-red-background, .synthetic { background: #fde2e2; color: #9b1c1c; font-weight: 700;
         padding: 0 6px; border-radius: 4px; }
.synthetic { display: inline-block; font-size: 18px; padding: 4px 12px; }
.md-red { color: #b91c1c; } .md-green { color: #15803d; } .md-blue { color: #1d4ed8; }
.md-orange { color: #c2410c; } .md-gray, .md-grey { color: var(--muted); }
.kicker { text-transform: uppercase; letter-spacing: .1em; color: var(--muted); margin: 0; }
.title-page table.facts { font-size: 16px; margin: 16px 0; }
table.facts th { width: 11em; } .contents { font-size: 16px; }
@page { size: __PAPER__; margin: 14mm 12mm 16mm 12mm;
  @bottom-left { content: "__FOOTER__"; font-size: 11px; color: #5f6b76; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 11px;
                  color: #5f6b76; } }
@media print {
  body { max-width: none; padding: 0; font-size: 14px; }
  section.page { break-before: page; page-break-before: always; border-top: none;
                 margin-top: 0; padding-top: 0; }
  .row.charts { display: block; }
  .table-wrap { overflow: visible; }
  table { font-size: 12px; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

_SCRIPT = """
(function () {
  const figures = JSON.parse(document.getElementById("pack-figures").textContent);
  const config = __CONFIG__;
  // On paper a chart is at most about one printed page high (the PDF is scaled to ~0.7).
  const heights = figures.map((fig) => fig.layout.height || 450);  // Plotly edits layouts
  const printing = window.matchMedia("print").matches;
  const fit = (layout) => printing && (layout.height || 450) > __MAX_PRINT_HEIGHT__
    ? Object.assign({}, layout, {height: __MAX_PRINT_HEIGHT__}) : layout;
  const drawn = figures.map((fig, i) => {
    const el = document.getElementById("chart-" + i);
    const layout = fit(fig.layout);
    if (layout !== fig.layout) { el.style.height = layout.height + "px"; }
    return Plotly.newPlot(el, fig.data, layout, config);
  });
  Promise.all(drawn).then(() => { window.packReady = true; },
                          (err) => { window.packError = String(err); window.packReady = true; });
  // Printing from a browser: fit tall charts to a page and to the paper's width, and back.
  const charts = () => document.querySelectorAll("div.chart.js-plotly-plot");
  const heightOf = (el) => heights[Number(el.id.slice("chart-".length))];
  window.addEventListener("beforeprint", () => charts().forEach((el) => {
    const height = heightOf(el);
    if (height > __MAX_PRINT_HEIGHT__) {
      el.style.height = __MAX_PRINT_HEIGHT__ + "px";
      Plotly.relayout(el, {height: __MAX_PRINT_HEIGHT__});
    }
    Plotly.Plots.resize(el);
  }));
  window.addEventListener("afterprint", () => charts().forEach((el) => {
    const height = heightOf(el);
    el.style.height = height + "px";
    Plotly.relayout(el, {height: height});
  }));
})();
"""


def _css_string(text: str) -> str:
    """Text inside a CSS string literal (no quote, newline or tag can escape it)."""
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
            .replace("<", "\\3c "))


def _script_json(value) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value).replace("</", "<\\/")


def render(harvest: Harvest, title: TitlePage, plotly_js: str, paper: str = "a4") -> str:
    """The pack as one HTML document.

    Parameters
    ----------
    harvest
        The pages, in order, as :func:`trialdash.report.harvest.harvest` collected them.
    title
        The title page's facts.
    plotly_js
        The plotly.js bundle, inlined once (``plotly.offline.get_plotlyjs()``).
    paper
        ``"a4"`` or ``"letter"``: the printed page size.
    """
    renderer = _Renderer()
    sections = "\n".join(renderer.section(i, s)
                         for i, s in enumerate(harvest.sections, start=1))
    footer = _css_string(f"{title.registry_id or title.study_id} · data cut-off {title.cutoff}"
                         + (" · SYNTHETIC DATA" if title.synthetic else ""))
    css = _CSS.replace("__PAPER__", PAPER_SIZES[paper]).replace("__FOOTER__", footer)
    script = (_SCRIPT.replace("__CONFIG__", json.dumps(PLOT_CONFIG))
              .replace("__MAX_PRINT_HEIGHT__", str(MAX_PRINT_HEIGHT_PX)))
    page_title = html.escape(f"Meeting pack · {title.registry_id or title.study_id} · "
                             f"cut-off {title.cutoff}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{page_title}</title><style>{css}</style>"
        f"<script>{plotly_js}</script></head><body>\n"
        f"{_title_page(title, harvest.sections)}\n{sections}\n"
        f'<script type="application/json" id="pack-figures">{_script_json(renderer.figures)}'
        f"</script><script>{script}</script></body></html>\n"
    )
