"""Safety figures: AE incidence heatmaps, CRS/ICANS grades and the CRS/ICANS timeline.

Inputs are the frames of :mod:`trialdash.analysis.safety`. Grades are CTCAE v5.0 (or the
severity scale on severity-only imports) for adverse events and ASTCT (Lee 2019) for CRS and
ICANS, as the analysis frames state; titles and legends repeat the scale.
"""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from trialdash.figures.base import FONT_FAMILY, empty, style
from trialdash.style import GRADE_COLOURS, dose_colour

OVERALL = "Overall"
GRADES = (1, 2, 3, 4, 5)
SEVERITY_NAMES = {1: "Mild", 2: "Moderate", 3: "Severe"}
INCIDENCE_COLOURSCALE = [[0.0, "#ffffff"], [0.01, "#fee5d9"], [0.5, "#fb6a4a"],
                         [1.0, "#99000d"]]
UNGRADED = "#bdbdbd"
SOC_BAND = "#ececec"
MARKER_LINE = "#444444"
TERM_WRAP = 40


# Total characters of patient labels that still fit under a heatmap without rotation.
MAX_HORIZONTAL_LABEL_CHARS = 40
#: Most patient columns whose cells print the grade number; wider pages (up to 50 patients)
#: leave too little room for it: colour and hover give the grade, "?" still marks no grade.
MAX_NUMBERED_COLUMNS = 25


def _label(labels: dict[str, str] | None, usubjid: str) -> str:
    return (labels or {}).get(usubjid, usubjid)


def _wrap(text: str, width: int = TERM_WRAP) -> str:
    """Wrap a long axis label onto lines joined by <br> (Plotly's line break)."""
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def _term_rows(frame: pd.DataFrame) -> list[tuple[str, str | None]]:
    """(SOC, term) rows in display order, a (SOC, None) header row before each SOC's terms.

    ``frame`` has AEBODSYS, AEDECOD and term_order (from the analysis layer).
    """
    terms = frame.drop_duplicates(["AEBODSYS", "AEDECOD"]).sort_values("term_order")
    rows: list[tuple[str, str | None]] = []
    for soc, part in terms.groupby("AEBODSYS", sort=False):
        rows.append((soc, None))
        rows += [(soc, term) for term in part["AEDECOD"]]
    return rows


def _row_ticks(rows: list[tuple[str, str | None]], font_size: int = 14) -> list[str]:
    """Tick labels: SOC headers in bold, terms below them; wrapped narrower for larger type
    so the cells keep their width."""
    width = max(20, TERM_WRAP * 14 // font_size)
    return [f"<b>{_wrap(soc, width + 4)}</b>" if term is None else _wrap(term, width)
            for soc, term in rows]


def _term_axis(fig: go.Figure, rows: list[tuple[str, str | None]], font_size: int) -> None:
    """Row ticks top to bottom, each SOC header row shaded as a band across the plot."""
    fig.update_yaxes(tickvals=list(range(len(rows))), ticktext=_row_ticks(rows, font_size),
                     autorange="reversed", showgrid=False, zeroline=False, automargin=True)
    for index, (_soc, term) in enumerate(rows):
        if term is None:
            fig.add_hrect(y0=index - 0.5, y1=index + 0.5, fillcolor=SOC_BAND, line_width=0,
                          layer="below")


def _title_at_top(fig: go.Figure, top_margin: int) -> None:
    """A top margin tall enough for title and top-side labels, the title pinned at its top."""
    height = fig.layout.height or 450
    fig.update_layout(margin={"t": top_margin},
                      title={"yref": "container", "y": 1 - 12 / height, "yanchor": "top"})


def _row_height(font_size: int) -> int:
    return int(font_size * 2.5)


def _window_text(window_days: int | None) -> str:
    return "whole follow-up" if window_days is None else f"first {window_days} days"


# --- AE incidence by dose group ------------------------------------------------------------


def ae_heatmap_by_dose(incidence: pd.DataFrame, dose_groups: list[str], grade_label: str,
                       font_size: int = 14, window_days: int | None = None) -> go.Figure:
    """Heatmap of preferred terms (rows, grouped under bold SOC headers) by dose group.

    Colour is the share of the group's infused patients with the term at ``grade_label``
    (e.g. 'any grade', 'grade ≥3'); every cell reads "n/N". Columns: dose groups in dose
    order, then Overall (separated by a line) when the frame has it.

    Parameters
    ----------
    incidence : DataFrame
        From ``ae_incidence_by_term``: AEBODSYS, AEDECOD, dose_group, n, N, pct,
        modal_grade, term_order, grade_scale.
    dose_groups : list of str
        All dose groups in dose order (fixes the column order).
    grade_label : str
        What is counted, for the title.
    window_days : int or None
        The window the events were taken from, for the title (None = whole follow-up).
    """
    window = _window_text(window_days)
    title = f"Treatment-emergent AEs by dose group: {grade_label}, {window}"
    if incidence.empty:
        return empty(title, f"No treatment-emergent AE ({grade_label}) under the current "
                     "filters", font_size)
    scale = str(incidence["grade_scale"].iloc[0])
    present = set(incidence["dose_group"])
    columns = [g for g in dose_groups if g in present]
    columns += [OVERALL] if OVERALL in present else []
    rows = _term_rows(incidence)
    cells = incidence.set_index(["AEBODSYS", "AEDECOD", "dose_group"])
    z, text, hover = [], [], []
    for soc, term in rows:
        if term is None:
            z.append([None] * len(columns))
            text.append([""] * len(columns))
            hover.append([soc] * len(columns))
            continue
        z_row, text_row, hover_row = [], [], []
        for group in columns:
            cell = cells.loc[(soc, term, group)]
            n, total = int(cell["n"]), int(cell["N"])
            z_row.append(None if total == 0 else float(cell["pct"]))
            text_row.append(f"{n}/{total}")
            worst = "" if pd.isna(cell["modal_grade"]) else (
                f"<br>most frequent worst grade: {int(cell['modal_grade'])}")
            pct = "NA" if total == 0 else f"{cell['pct']:.0f}%"
            hover_row.append(f"{term}<br>{group}: {n}/{total} patients ({pct}){worst}")
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    fig = go.Figure(go.Heatmap(
        z=z, x=[_wrap(c, 12) for c in columns], y=list(range(len(rows))), text=text,
        texttemplate="%{text}", textfont={"size": font_size}, hovertext=hover,
        hoverinfo="text", hoverongaps=False,
        colorscale=INCIDENCE_COLOURSCALE, zmin=0, zmax=100, xgap=2, ygap=2,
        colorbar={"title": {"text": "% of patients", "side": "right"}, "ticksuffix": "%",
                  "tickfont": {"size": font_size}},
    ))
    if OVERALL in columns and len(columns) > 1:
        fig.add_vline(x=len(columns) - 1.5, line={"color": MARKER_LINE, "width": 2})
    height = 160 + _row_height(font_size) * len(rows) + 40 * (font_size > 14)
    style(fig, title, f"Dose group (CAR-T cells/kg) · grades: {scale}", None, font_size,
          height=max(height, 360))
    _term_axis(fig, rows, font_size)
    fig.update_xaxes(side="top", showgrid=False, type="category", tickangle=0)
    _title_at_top(fig, 140 + (font_size - 14) * 8)
    return fig


# --- worst grade per patient and term ------------------------------------------------------


def _grade_names(scale: str) -> dict[int, str]:
    if scale.startswith("Severity"):
        return SEVERITY_NAMES
    return {g: f"Grade {g}" for g in GRADES}


def _discrete_grade_scale(grades: list[int]) -> list[list]:
    """A step colourscale for z = 1..len(grades) with one flat band per grade."""
    steps = []
    for i, grade in enumerate(grades):
        colour = GRADE_COLOURS[grade]
        steps += [[i / len(grades), colour], [(i + 1) / len(grades), colour]]
    return steps


def patient_term_heatmap(worst: pd.DataFrame, labels: dict[str, str] | None = None,
                         font_size: int = 14, window_days: int | None = None,
                         shown_note: str | None = None) -> go.Figure:
    """Worst grade of every preferred term (rows, grouped by SOC) for every patient (columns).

    Colours are the fixed grade colours (``style.GRADE_COLOURS``), one legend band per grade;
    the grade number is printed in the cell. Patients are in dose order, each dose group
    labelled above its columns; ``labels`` maps USUBJID to the label shown (pseudonyms in
    presentation mode), in ticks and hover alike.

    ``worst`` comes from ``worst_grade_by_patient_term`` (USUBJID, dose_group, dose_order,
    AEBODSYS, AEDECOD, max_grade, grade_scale, term_order). Terms with no graded event show
    an empty, uncoloured cell marked "?". ``shown_note`` goes under the title, e.g. "50 of
    1,380 patients shown (1–50)" when ``worst`` holds one page of a larger cohort
    (:mod:`trialdash.analysis.paging`); rows are then the terms of the patients shown.
    """
    title = f"Worst grade per patient and preferred term, {_window_text(window_days)}"
    if shown_note:
        title += f"<br><sup>{shown_note}</sup>"
    if worst.empty:
        return empty(title, "No treatment-emergent AE under the current filters", font_size)
    scale = str(worst["grade_scale"].iloc[0])
    names = _grade_names(scale)
    grades = list(names)
    patients = worst.drop_duplicates("USUBJID").sort_values(["dose_order", "USUBJID"])
    ids = list(patients["USUBJID"])
    shown = [_label(labels, p) for p in ids]
    rows = _term_rows(worst)
    cells = worst.set_index(["AEBODSYS", "AEDECOD", "USUBJID"])
    z, text, hover = [], [], []
    for soc, term in rows:
        z_row, text_row, hover_row = [], [], []
        for usubjid, label in zip(ids, shown, strict=True):
            key = (soc, term, usubjid)
            if term is None or key not in cells.index:
                z_row.append(None)
                text_row.append("")
                hover_row.append("")
                continue
            grade = cells.loc[key, "max_grade"]
            graded = pd.notna(grade)
            z_row.append(int(grade) if graded else None)
            text_row.append(str(int(grade)) if graded else "?")
            grade_text = f"{names.get(int(grade), grade)}" if graded else "not graded"
            hover_row.append(f"Patient {label}<br>{term}<br>Worst: {grade_text} ({scale})")
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    if len(ids) > MAX_NUMBERED_COLUMNS:
        text = [[t if t == "?" else "" for t in row] for row in text]
    fig = go.Figure(go.Heatmap(
        z=z, x=shown, y=list(range(len(rows))), text=text, texttemplate="%{text}",
        textfont={"size": max(font_size - 2, 10)}, hovertext=hover, hoverinfo="text",
        hoverongaps=False, colorscale=_discrete_grade_scale(grades), zmin=0.5,
        zmax=len(grades) + 0.5, xgap=2, ygap=2,
        colorbar={"title": {"text": "Worst grade"}, "tickvals": grades,
                  "ticktext": [names[g] for g in grades], "tickfont": {"size": font_size}},
    ))
    _mark_dose_groups(fig, patients, font_size)
    height = 190 + _row_height(font_size) * len(rows)
    style(fig, title, f"Patient · grades: {scale}", None, font_size, height=max(height, 380))
    _term_axis(fig, rows, font_size)
    # Horizontal labels only while they fit side by side (pseudonyms do; full IDs seldom).
    label_chars = max((len(str(x)) for x in shown), default=0) * len(shown)
    fig.update_xaxes(type="category", showgrid=False,
                     tickangle=0 if label_chars <= MAX_HORIZONTAL_LABEL_CHARS else -45)
    _title_at_top(fig, 140 + (font_size - 14) * 8)
    return fig


def _mark_dose_groups(fig: go.Figure, patients: pd.DataFrame, font_size: int) -> None:
    """Dose-group names (in the group's colour) above their patients' columns, lines between."""
    position = 0
    groups = patients.groupby(["dose_order", "dose_group"], sort=True).size()
    for index, ((order, group), count) in enumerate(groups.items()):
        if index > 0:
            fig.add_vline(x=position - 0.5, line={"color": MARKER_LINE, "width": 2})
        fig.add_annotation(x=position + (count - 1) / 2, y=1.0, xref="x", yref="paper",
                           yanchor="bottom", text=f"<b>{_wrap(group, 8)}</b>",
                           showarrow=False,
                           font={"color": dose_colour(order), "size": font_size - 2})
        position += count


# --- CRS and ICANS --------------------------------------------------------------------------


def crs_icans_bars(by_grade: pd.DataFrame, dose_groups: list[str], font_size: int = 14,
                   window_days: int | None = None) -> go.Figure:
    """Stacked bars of patients by worst ASTCT grade, per dose group, CRS and ICANS side by side.

    Bars stack grades 1-5 (fixed grade colours); "n/N" above each bar is patients with the
    syndrome out of infused patients of the group. Each panel's subtitle states its grading
    scale (ASTCT, Lee 2019; or the CTCAE fallback where an event had no ASTCT grade).

    ``by_grade`` comes from ``crs_icans_by_grade`` (dose_group, dose_order, syndrome, grade,
    n, N, scale); its Overall rows are not drawn.
    """
    title = f"CRS and ICANS by worst ASTCT grade and dose group, {_window_text(window_days)}"
    groups = [g for g in dose_groups if g in set(by_grade["dose_group"])]
    if by_grade.empty or not groups:
        return empty(title, "No infused patients under the current filters", font_size)
    syndromes = list(dict.fromkeys(by_grade["syndrome"]))
    scales = by_grade.drop_duplicates("syndrome").set_index("syndrome")["scale"]
    fig = make_subplots(
        rows=1, cols=len(syndromes), shared_yaxes=True, horizontal_spacing=0.06,
        subplot_titles=[f"<b>{s}</b><br><span style='font-size:{font_size - 2}px'>"
                        f"{_wrap(scales[s], 60)}</span>" for s in syndromes],
    )
    top = int(by_grade.loc[by_grade["grade"] > 0, "grade"].max())
    shown = [_wrap(g, 12) for g in groups]  # two-line tick labels stay horizontal
    max_total = int(by_grade.loc[by_grade["dose_group"].isin(groups), "N"].max())
    for col, syndrome in enumerate(syndromes, start=1):
        part = by_grade[(by_grade["syndrome"] == syndrome) & by_grade["dose_group"].isin(groups)]
        for grade in range(1, top + 1):
            rows = part[part["grade"] == grade].set_index("dose_group").reindex(groups)
            fig.add_bar(
                x=shown, y=rows["n"], name=f"Grade {grade}", legendgroup=f"grade{grade}",
                showlegend=col == 1, marker={"color": GRADE_COLOURS[grade],
                                             "line": {"color": MARKER_LINE, "width": 1}},
                text=[str(int(v)) if v else "" for v in rows["n"]], textposition="inside",
                textangle=0, insidetextanchor="middle",
                customdata=list(zip(groups, rows["N"], strict=True)),
                hovertemplate=(f"{syndrome} ASTCT grade {grade}<br>%{{customdata[0]}}: "
                               "%{y} of %{customdata[1]} patients<extra></extra>"),
                row=1, col=col,
            )
        with_event = part[part["grade"] > 0].groupby("dose_group")["n"].sum().reindex(groups)
        totals = part.drop_duplicates("dose_group").set_index("dose_group")["N"].reindex(groups)
        fig.add_scatter(
            x=shown, y=with_event, mode="text", showlegend=False, hoverinfo="skip",
            text=[f"{int(k)}/{int(n)}" for k, n in zip(with_event, totals, strict=True)],
            textposition="top center", textfont={"size": font_size}, row=1, col=col,
        )
    fig.update_layout(barmode="stack")
    style(fig, title, "Dose group (CAR-T cells/kg)", "Patients (n)", font_size,
          legend_title="Worst ASTCT grade", height=480 + (font_size - 14) * 22)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=shown, tickangle=0)
    fig.update_yaxes(range=[0, max_total * 1.2 + 0.5], dtick=1 if max_total <= 12 else None)
    for col in range(2, len(syndromes) + 1):
        fig.update_yaxes(title={"text": None}, row=1, col=col)
    fig.update_annotations(font={"size": font_size + 1, "family": FONT_FAMILY})
    _title_at_top(fig, 130 + (font_size - 14) * 6)
    return fig


def _episode_hover(part: pd.DataFrame, labels: dict[str, str] | None) -> list[str]:
    def grade(value) -> str:
        return "–" if pd.isna(value) else str(int(value))

    return [
        f"Patient {_label(labels, r.USUBJID)} · {r.dose_group}<br>{r.aesi}: ASTCT grade "
        f"{grade(r.astct_grade)}, CTCAE grade {grade(r.ctcae_grade)}<br>"
        f"Days {r.onset_day}–{r.end_day}{' (ongoing at last contact)' if r.ongoing else ''}"
        f", {r.duration_days} days<br>Tocilizumab: {r.TOCIFL} · Steroids: {r.STERFL}"
        for r in part.itertuples(index=False)
    ]


def crs_icans_timeline(episodes: pd.DataFrame, labels: dict[str, str] | None = None,
                       font_size: int = 14, window_days: int | None = None,
                       shown_note: str | None = None) -> go.Figure:
    """CRS and ICANS episodes per patient: bars from onset to end day, coloured by grade.

    One row per patient (dose order, dose group named at the right); a patient with both
    syndromes has CRS above ICANS (hatched). A bar runs from the onset day to the end day on
    the axis (an episode of days 6-12 ends at 12; a one-day episode is drawn half a day wide)
    and takes the fixed grade colours of the ASTCT grade (Lee 2019), or of the CTCAE grade
    where a CRS event has no ASTCT grade. Tocilizumab (diamond) and corticosteroids (square)
    are per-episode yes/no flags without a day, so they sit on the episode bar, at a third
    and two thirds of its length; an arrow after the bar = ongoing at last contact.
    x = days since infusion (day 0 = infusion).

    ``episodes`` comes from ``crs_icans_episodes``; ``labels`` maps USUBJID to the label shown;
    ``window_days`` is the onset window the episodes were selected with (for the title);
    ``shown_note`` goes under the title when ``episodes`` are one page of a larger cohort
    (:mod:`trialdash.analysis.paging`).
    """
    onset = "any onset" if window_days is None else f"onset by day {window_days}"
    title = f"CRS and ICANS episodes by patient (ASTCT grade), {onset}"
    if shown_note:
        title += f"<br><sup>{shown_note}</sup>"
    if episodes.empty:
        return empty(title, "No CRS or ICANS under the current filters", font_size)
    patients = episodes.drop_duplicates("USUBJID").sort_values(["dose_order", "USUBJID"])
    row_of = {p: i for i, p in enumerate(patients["USUBJID"])}
    both = episodes.groupby("USUBJID")["aesi"].nunique() > 1
    offset = {"CRS": -0.2, "ICANS": 0.2}
    frame = episodes.assign(
        y=[row_of[p] + (offset.get(s, 0.0) if both[p] else 0.0)
           for p, s in zip(episodes["USUBJID"], episodes["aesi"], strict=True)],
        hover=_episode_hover(episodes, labels),
    )
    last_day = float(frame["end_day"].max())
    step = max(1.0, 0.03 * (last_day - min(0.0, float(frame["onset_day"].min()))))
    fig = go.Figure()
    graded = frame["grade"].astype("Float64")
    for grade in (*GRADES, None):
        part = frame[graded.isna()] if grade is None else frame[graded.eq(grade).fillna(False)]
        if part.empty:
            continue
        fig.add_bar(
            x=_drawn_length(part), base=part["onset_day"], y=part["y"], orientation="h",
            width=0.36, name="Not graded" if grade is None else f"Grade {grade}",
            hovertext=part["hover"], hoverinfo="text",
            marker={"color": GRADE_COLOURS.get(grade, UNGRADED),
                    "line": {"color": MARKER_LINE, "width": 1},
                    "pattern": {"shape": ["/" if s == "ICANS" else "" for s in part["aesi"]],
                                "fgcolor": MARKER_LINE, "size": 6}},
        )
    fig.add_bar(x=[None], y=[None], orientation="h", name="ICANS (hatched)",
                marker={"color": "#ffffff", "line": {"color": MARKER_LINE, "width": 1},
                        "pattern": {"shape": "/", "fgcolor": MARKER_LINE}})
    length = _drawn_length(frame)
    markers = (
        ("Ongoing at last contact", frame["ongoing"].astype(bool), "arrow-right",
         frame["end_day"].astype(float) + step * 0.8, "#1a1a1a"),
        ("Tocilizumab given for the episode (day not recorded)", frame["TOCIFL"] == "Y",
         "diamond", frame["onset_day"].astype(float) + length / 3, "#ffffff"),
        ("Corticosteroids given for the episode (day not recorded)", frame["STERFL"] == "Y",
         "square", frame["onset_day"].astype(float) + 2 * length / 3, "#ffffff"),
    )
    for name, mask, symbol, x, fill in markers:
        part = frame[mask]
        if part.empty:
            continue
        fig.add_scatter(
            x=x[mask], y=part["y"], mode="markers",
            name=name, hovertext=part["hover"], hoverinfo="text",
            marker={"symbol": symbol, "size": font_size, "color": fill,
                    "line": {"color": "#1a1a1a", "width": 2}},
        )
    _mark_dose_rows(fig, patients, font_size)
    height = 170 + int(font_size * 3.2) * len(patients)
    style(fig, title, "Days since infusion (day 0 = infusion)", "Patient", font_size,
          legend_title="Grade / treatment", height=max(height, 360))
    fig.update_layout(barmode="overlay", margin={"r": 130 + (font_size - 14) * 6, "b": 150},
                      legend={"orientation": "h", "yref": "container", "yanchor": "bottom",
                              "y": 0, "xanchor": "left", "x": 0})
    fig.update_yaxes(tickvals=list(range(len(patients))), autorange="reversed",
                     ticktext=[_label(labels, p) for p in patients["USUBJID"]],
                     range=None, showgrid=False, zeroline=False)
    fig.update_xaxes(range=[min(-1.0, float(frame["onset_day"].min()) - 1),
                            last_day + step * 3.6], zeroline=False)
    return fig


def _drawn_length(episodes: pd.DataFrame) -> pd.Series:
    """Bar length on the day axis: end day - onset day, at least half a day so a one-day
    episode stays visible."""
    return (episodes["end_day"].astype(float) - episodes["onset_day"].astype(float)).clip(
        lower=0.5)


def _mark_dose_rows(fig: go.Figure, patients: pd.DataFrame, font_size: int) -> None:
    """Dose-group names (in the group's colour) right of their patients' rows, lines between."""
    position = 0
    groups = patients.groupby(["dose_order", "dose_group"], sort=True).size()
    for index, ((order, group), count) in enumerate(groups.items()):
        if index > 0:
            fig.add_hline(y=position - 0.5, line={"color": "#999999", "width": 1,
                                                  "dash": "dot"})
        fig.add_annotation(x=1.01, y=position + (count - 1) / 2, xref="paper", yref="y",
                           xanchor="left", text=f"<b>{_wrap(group, 12)}</b>", showarrow=False,
                           font={"color": dose_colour(order), "size": font_size - 1})
        position += count
