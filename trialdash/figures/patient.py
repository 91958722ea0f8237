"""The patient timeline: one figure, rows sharing the x-axis of days since infusion.

Rows, top to bottom (a row whose data is absent is left out; :func:`timeline_panels`
says which and why):

1. events: milestones (lymphodepletion span, infusion, allo-HSCT, progression, death, last
   contact), response assessments (markers coloured by response) and adverse events
   (horizontal bars, one lane per preferred term, coloured by grade);
2. CAR transgene in blood (qPCR), copies/µg gDNA on a log axis; BLQ samples drawn at the
   LLOQ with open markers;
3. CD7+ lymphocytes in blood, cells/µL;
4. ANC (left axis) and platelets (right axis), 10⁹/L.

Adverse-event bars cover whole days, from the start day to the end day inclusive; an
ongoing event (no end date) runs to the last contact and is hatched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from trialdash.analysis.patient import PatientRecord
from trialdash.figures.base import empty, label_margin_px, style
from trialdash.style import GRADE_COLOURS, RESPONSE_COLOURS

X_TITLE = "Days since CAR-T infusion (day 0)"
TRANSGEN_COLOUR = "#0072B2"
CD7_COLOUR = "#009E73"
ANC_COLOUR = "#D55E00"
PLAT_COLOUR = "#CC79A7"
MISSING_GRADE_COLOUR = "#bdbdbd"
OTHER_RESPONSE_COLOUR = "#969696"
TERM_CHARS = 26
#: Right margin, px: room for half the last day's tick label.
RIGHT_MARGIN_PX = 40
LEGEND_GROUPS_PER_LINE = 3
DEFAULT_UNITS = {"TRANSGEN": "copies/µg gDNA", "CD7LYMPH": "cells/µL", "ANC": "10⁹/L",
                 "PLAT": "10⁹/L"}
WINDOWS: dict[str, int | None] = {
    "Days −7 to 28": 28,
    "Days −7 to 90": 90,
    "First year": 365,
    "All follow-up": None,
}
"""Time windows the page offers, label -> last day shown (None = whole follow-up)."""


@dataclass(frozen=True)
class Milestone:
    """How one milestone is drawn: marker symbol, colour and whether a guide line crosses
    every row."""

    symbol: str
    colour: str
    guide: bool


MILESTONE_STYLE = {
    "CAR-T infusion": Milestone("star", "#0072B2", True),
    "Allo-HSCT": Milestone("diamond", "#009E73", True),
    "Progression/relapse": Milestone("triangle-up", "#D55E00", True),
    "Death": Milestone("x", "#1a1a1a", True),
    "Last contact": Milestone("triangle-right", "#666666", False),
}
LYMPHODEPLETION_COLOUR = "#9e9e9e"


# --- which rows ---------------------------------------------------------------------------


def _has_samples(frame: pd.DataFrame, paramcds: tuple[str, ...]) -> bool:
    return bool(frame["parameter"].isin(paramcds).any()) if not frame.empty else False


def timeline_panels(record: PatientRecord) -> tuple[list[str], dict[str, str]]:
    """The rows the timeline draws and, for each row left out, why.

    Returns ``(shown, omitted)``: ``shown`` lists row keys among ``events``, ``transgene``,
    ``cd7``, ``counts``; ``omitted`` maps a left-out row's title to a reason.
    """
    if not record.infused:
        return [], {"Timeline": "the patient was not infused"}
    shown, omitted = ["events"], {}
    rows = (("transgene", "CAR transgene", "adpc", record.kinetics, ("TRANSGEN",)),
            ("cd7", "CD7+ lymphocytes", "adlb", record.labs, ("CD7LYMPH",)),
            ("counts", "ANC and platelets", "adlb", record.labs, ("ANC", "PLAT")))
    for key, title, dataset, frame, paramcds in rows:
        if not record.available.get(dataset, False):
            omitted[title] = f"{dataset.upper()} is not in this snapshot"
        elif not _has_samples(frame, paramcds):
            omitted[title] = f"no {'/'.join(paramcds)} samples for this patient"
        else:
            shown.append(key)
    return shown, omitted


# --- events row -----------------------------------------------------------------------------


def _short(text: str, limit: int = TERM_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flag_text(row: pd.Series) -> str:
    flags = [name for name, column in (("serious", "serious"), ("DLT", "dlt"),
                                         ("tocilizumab", "tocilizumab"),
                                         ("steroids", "steroids")) if bool(row[column])]
    return ", ".join(flags) if flags else "none"


def _ae_lanes(aes: pd.DataFrame) -> list[str]:
    """Preferred terms in order of first onset: one lane each."""
    return list(dict.fromkeys(aes.sort_values("start_day", kind="stable")["term"]))


def _ae_bars(aes: pd.DataFrame, last_day: int | None) -> pd.DataFrame:
    """AEs with a start day, with their drawn extent: ``bar_end`` inclusive, ``width``."""
    bars = aes.dropna(subset=["start_day"]).copy()
    bars["term"] = bars["term"].fillna(bars["reported_term"]).fillna("Term not coded")
    start = bars["start_day"].astype(float)
    fallback = start if last_day is None else pd.Series(float(last_day), index=bars.index)
    end = bars["end_day"].astype(float).fillna(fallback).clip(lower=start)
    bars["bar_end"] = end
    bars["width"] = end - start + 1
    return bars


def _add_adverse_events(fig: go.Figure, bars: pd.DataFrame, lane_of: dict[str, int],
                        scale: str, label: str, font_size: int) -> None:
    grades = sorted(bars["grade"].dropna().astype(int).unique())
    groups = [(g, bars[bars["grade"] == g]) for g in grades]
    if bars["grade"].isna().any():
        groups.append((None, bars[bars["grade"].isna()]))
    for grade, part in groups:
        colour = GRADE_COLOURS.get(grade, MISSING_GRADE_COLOUR) if grade else MISSING_GRADE_COLOUR
        dark = grade is not None and grade >= 4
        ongoing = part["ongoing"].astype(bool)
        text = [f"{_short(t)}{' (DLT)' if d else ''}"
                for t, d in zip(part["term"], part["dlt"], strict=True)]
        custom = list(zip(
            part["term"], part["start_day"].astype(int),
            [("ongoing" if o else f"{int(e)}")
             for o, e in zip(ongoing, part["bar_end"], strict=True)],
            part["astct_grade"].map(lambda v: "" if pd.isna(v) else f" · ASTCT grade {int(v)}"),
            part.apply(_flag_text, axis=1), part["soc"].fillna("SOC not coded"), strict=True,
        ))
        fig.add_bar(
            x=part["width"], base=part["start_day"].astype(float),
            y=[lane_of[t] for t in part["term"]], orientation="h", width=0.7,
            name=f"Grade {grade}" if grade else "Grade missing",
            legendgroup="grade", legendgrouptitle_text=f"AE grade, {scale}",
            marker={"color": colour, "line": {"color": "#555555", "width": 1},
                    "pattern": {"shape": ["/" if o else "" for o in ongoing],
                                "fgcolor": "#555555", "size": 6}},
            text=text, textposition="inside", insidetextanchor="start",
            textfont={"color": "#ffffff" if dark else "#1a1a1a", "size": font_size - 2},
            customdata=custom,
            hovertemplate=(f"{label} · %{{customdata[0]}}<br>%{{customdata[5]}}<br>"
                           f"{'Grade ' + str(grade) if grade else 'Grade missing'} ({scale})"
                           "%{customdata[3]}<br>Day %{customdata[1]} to %{customdata[2]}"
                           "<br>Flags: %{customdata[4]}<extra></extra>"),
            row=1, col=1,
        )


def _add_responses(fig: go.Figure, responses: pd.DataFrame, lane: int, label: str,
                   font_size: int) -> None:
    shown = responses.dropna(subset=["day", "response"])
    categories = [c for c in RESPONSE_COLOURS if c in set(shown["response"])]
    categories += sorted(set(shown["response"]) - set(categories))
    for category in categories:
        part = shown[shown["response"] == category]
        custom = list(zip(part["visit"].fillna(""), part["criteria"].fillna("criteria not given"),
                          part["mrd"].map(lambda v: "" if pd.isna(v) else f"<br>MRD {v}"),
                          strict=True))
        fig.add_scatter(
            x=part["day"].astype(float), y=[lane] * len(part), mode="markers", name=category,
            legendgroup="response", legendgrouptitle_text="Response",
            marker={"color": RESPONSE_COLOURS.get(category, OTHER_RESPONSE_COLOUR),
                    "size": font_size, "symbol": "circle",
                    "line": {"color": "#333333", "width": 1}},
            customdata=custom,
            hovertemplate=(f"{label} · {category}<br>Day %{{x}} %{{customdata[0]}}"
                           "<br>%{customdata[1]}%{customdata[2]}<extra></extra>"),
            row=1, col=1,
        )


def _add_milestones(fig: go.Figure, milestones: pd.DataFrame, lane: int, label: str,
                    font_size: int) -> None:
    dated = milestones.dropna(subset=["day"])
    for _, row in dated[dated["milestone"] == "Lymphodepletion"].iterrows():
        end = row["end_day"] if pd.notna(row["end_day"]) else row["day"]
        fig.add_bar(
            x=[float(end - row["day"] + 1)], base=[float(row["day"])], y=[lane],
            orientation="h", width=0.5, name="Lymphodepletion", legendgroup="milestone",
            legendgrouptitle_text="Milestones", marker_color=LYMPHODEPLETION_COLOUR,
            hovertemplate=(f"{label} · lymphodepletion<br>{row['detail'] or ''}<br>"
                           f"Day {int(row['day'])} to {int(end)}<extra></extra>"),
            row=1, col=1,
        )
    for name, look in MILESTONE_STYLE.items():
        part = dated[dated["milestone"] == name]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["day"].astype(float), y=[lane] * len(part), mode="markers", name=name,
            legendgroup="milestone", legendgrouptitle_text="Milestones",
            marker={"symbol": look.symbol, "color": look.colour, "size": font_size + 4,
                    "line": {"color": look.colour, "width": 2}},
            customdata=part["detail"].fillna(""),
            hovertemplate=f"{label} · {name}<br>Day %{{x}}<br>%{{customdata}}<extra></extra>",
            row=1, col=1,
        )


def _add_guides(fig: go.Figure, milestones: pd.DataFrame) -> None:
    """Dotted vertical lines through every row at infusion, allo-HSCT, progression, death."""
    for _, row in milestones.dropna(subset=["day"]).iterrows():
        look = MILESTONE_STYLE.get(row["milestone"])
        if look and look.guide:
            fig.add_vline(x=float(row["day"]), line={"color": look.colour, "width": 1.5,
                                                     "dash": "dot"}, row="all", col=1)


def _events_row(fig: go.Figure, record: PatientRecord, label: str, font_size: int) -> list[str]:
    """Draw row 1; return its lane labels, top to bottom."""
    lanes = ["Milestones"]
    has_responses = not record.responses.dropna(subset=["day", "response"]).empty
    if has_responses:
        lanes.append("Response")
    bars = _ae_bars(record.adverse_events, record.header.last_contact_day)
    terms = _ae_lanes(bars) if not bars.empty else []
    lane_of = {term: len(lanes) + i for i, term in enumerate(terms)}
    lanes += [_short(t) for t in terms]
    _add_milestones(fig, record.milestones, 0, label, font_size)
    if has_responses:
        _add_responses(fig, record.responses, 1, label, font_size)
    if not bars.empty:
        _add_adverse_events(fig, bars, lane_of, record.grade_scale or "scale not given",
                            label, font_size)
    fig.update_yaxes(tickvals=list(range(len(lanes))), ticktext=lanes, autorange="reversed",
                     showgrid=False, zeroline=False, row=1, col=1)
    return lanes


# --- sample rows ----------------------------------------------------------------------------


def _pretty_unit(unit: str) -> str:
    """'copies/ug gDNA' -> 'copies/µg gDNA', 'cells/uL' -> 'cells/µL', '10^9/L' -> '10⁹/L'."""
    unit = re.sub(r"(?<![A-Za-z])u(g|L)\b", r"µ\1", unit)
    return unit.replace("10^9", "10⁹").replace("10^6", "10⁶")


def _unit(frame: pd.DataFrame, paramcd: str) -> str:
    units = frame.loc[frame["parameter"] == paramcd, "unit"].dropna()
    return _pretty_unit(str(units.iloc[0])) if not units.empty else DEFAULT_UNITS[paramcd]


def _add_transgene(fig: go.Figure, kinetics: pd.DataFrame, row: int, label: str,
                   font_size: int, unit: str) -> None:
    samples = kinetics[kinetics["parameter"] == "TRANSGEN"].dropna(subset=["day"])
    samples = samples.sort_values("day").copy()
    blq = samples["blq"].astype(bool)
    samples["plotted"] = samples["value"].where(~blq, samples["lloq"].fillna(samples["value"]))
    samples = samples.dropna(subset=["plotted"])
    blq = samples["blq"].astype(bool)
    fig.add_scatter(x=samples["day"], y=samples["plotted"], mode="lines",
                    line={"color": TRANSGEN_COLOUR, "width": 2}, showlegend=False,
                    hoverinfo="skip", row=row, col=1)
    quantified, below = samples[~blq], samples[blq]
    fig.add_scatter(
        x=quantified["day"], y=quantified["plotted"], mode="markers", name="Transgene (qPCR)",
        legendgroup="samples", legendgrouptitle_text="Samples",
        marker={"color": TRANSGEN_COLOUR, "size": font_size - 4},
        hovertemplate=f"{label}<br>Day %{{x}}<br>%{{y:,.0f}} {unit}<extra></extra>",
        row=row, col=1,
    )
    if not below.empty:
        fig.add_scatter(
            x=below["day"], y=below["plotted"], mode="markers", name="BLQ (drawn at LLOQ)",
            legendgroup="samples", legendgrouptitle_text="Samples",
            marker={"color": TRANSGEN_COLOUR, "size": font_size - 4, "symbol": "circle-open",
                    "line": {"width": 2}},
            customdata=below["lloq"],
            hovertemplate=(f"{label}<br>Day %{{x}}<br>below LLOQ (%{{customdata:,.0f}} {unit})"
                           "<extra></extra>"),
            row=row, col=1,
        )
    lloq = samples["lloq"].dropna()
    if not lloq.empty:
        fig.add_scatter(
            x=[samples["day"].min(), samples["day"].max()], y=[lloq.iloc[0]] * 2, mode="lines",
            name=f"LLOQ ({lloq.iloc[0]:,.0f} {unit})", legendgroup="samples",
            line={"color": "#888888", "dash": "dash", "width": 1}, hoverinfo="skip",
            row=row, col=1,
        )
    fig.update_yaxes(type="log", exponentformat="power", dtick=1, row=row, col=1)


def _add_lab(fig: go.Figure, labs: pd.DataFrame, paramcd: str, name: str, colour: str,
             row: int, label: str, font_size: int, secondary: bool = False,
             dash: str = "solid") -> None:
    samples = labs[labs["parameter"] == paramcd].dropna(subset=["day", "value"]).sort_values("day")
    if samples.empty:
        return
    unit = _unit(labs, paramcd)
    fig.add_scatter(
        x=samples["day"].astype(float), y=samples["value"], mode="lines+markers", name=name,
        showlegend=False,  # the row title and the coloured axis titles name each line
        line={"color": colour, "width": 2, "dash": dash},
        marker={"color": colour, "size": font_size - 6},
        hovertemplate=f"{label}<br>Day %{{x}}<br>{name}: %{{y:,.2f}} {unit}<extra></extra>",
        row=row, col=1, secondary_y=secondary,
    )


# --- the figure -----------------------------------------------------------------------------


def _subplot_titles(record: PatientRecord, shown: list[str]) -> dict[str, str]:
    scale = record.grade_scale or "grade scale not given"
    return {
        "events": f"Events: milestones, response, adverse events (colour = grade, {scale})",
        "transgene": f"CAR transgene in blood (qPCR), {_unit(record.kinetics, 'TRANSGEN')}"
                     " — log scale" if "transgene" in shown else "",
        "cd7": f"CD7+ lymphocytes in blood, {_unit(record.labs, 'CD7LYMPH')}"
               if "cd7" in shown else "",
        "counts": "ANC (solid, left axis) and platelets (dashed, right axis), "
                  f"{_unit(record.labs, 'ANC')}" if "counts" in shown else "",
    }


def _x_range(record: PatientRecord, window_days: int | None) -> list[float]:
    days = [record.header.lymphodepletion_day or -7, -7]
    left = min(days) - 2
    if window_days is not None:
        return [left, window_days + 1]
    candidates = [record.header.last_contact_day or 0, 28]
    for frame, column in ((record.adverse_events, "end_day"), (record.adverse_events,
                                                               "start_day"),
                          (record.responses, "day"), (record.kinetics, "day"),
                          (record.labs, "day")):
        values = pd.to_numeric(frame[column], errors="coerce").dropna()
        if not values.empty:
            candidates.append(float(values.max()))
    right = max(candidates)
    return [left, right + max(5.0, 0.02 * (right - left))]


def patient_timeline(record: PatientRecord, label: str, font_size: int = 14,
                     window_days: int | None = None, x_title: str = X_TITLE) -> go.Figure:
    """The patient's events and samples on one shared axis of days since infusion.

    Parameters
    ----------
    record : PatientRecord
        From :func:`trialdash.analysis.patient.patient_record`.
    label : str
        How the patient is named in the title and hover text (a pseudonym in presentation
        mode).
    font_size : int
        Base font size (14 on screen, 20 in presentation mode).
    window_days : int, optional
        Show days from lymphodepletion to this day only (e.g. 28 for the DLT window); the
        whole follow-up when None.
    x_title : str
        Title of the day axis; "Days since treatment start (day 0)" for a study that is not
        a cell therapy.
    """
    header = record.header
    title = f"Patient timeline: {label}"
    facts = [_pretty_unit(v) for v in (header.subtype, header.dose_group) if v]
    if facts:
        title += f" ({', '.join(facts)})"
    shown, _ = timeline_panels(record)
    if not shown:
        return empty(title, f"{label} was not infused: there is no day 0 to draw a timeline on",
                     font_size)
    lane_count = 2 + record.adverse_events["term"].nunique()
    lane_px = 26 + (font_size - 14) * 2
    heights = {"events": max(lane_count, 4) * lane_px}
    heights.update({key: 150 + (font_size - 14) * 4 for key in shown[1:]})
    gap = 60 + (font_size - 14) * 3
    plot_px = sum(heights[k] for k in shown) + gap * (len(shown) - 1)
    titles = _subplot_titles(record, shown)
    fig = make_subplots(
        rows=len(shown), cols=1, shared_xaxes=True, vertical_spacing=gap / plot_px,
        row_heights=[heights[k] for k in shown], subplot_titles=[titles[k] for k in shown],
        specs=[[{"secondary_y": key == "counts"}] for key in shown],
    )
    lanes = _events_row(fig, record, label, font_size)
    row_of = {key: i + 1 for i, key in enumerate(shown)}
    if "transgene" in shown:
        unit = _unit(record.kinetics, "TRANSGEN")
        _add_transgene(fig, record.kinetics, row_of["transgene"], label, font_size, unit)
    if "cd7" in shown:
        _add_lab(fig, record.labs, "CD7LYMPH", "CD7+ lymphocytes", CD7_COLOUR, row_of["cd7"],
                 label, font_size)
    if "counts" in shown:
        _add_lab(fig, record.labs, "ANC", "ANC", ANC_COLOUR, row_of["counts"], label, font_size)
        _add_lab(fig, record.labs, "PLAT", "Platelets", PLAT_COLOUR, row_of["counts"], label,
                 font_size, secondary=True, dash="dash")
    _add_guides(fig, record.milestones)
    _lay_out(fig, title, font_size, plot_px)
    fig.update_layout(margin_l=label_margin_px(lanes, font_size))  # the lane labels' width
    fig.update_annotations(font={"size": font_size}, xanchor="left", x=0)
    fig.update_xaxes(range=_x_range(record, window_days), showticklabels=True,
                     zeroline=False)
    fig.update_xaxes(title={"text": x_title}, row=len(shown), col=1)
    _axis_titles(fig, record, row_of)
    return fig


def _legend_rows(fig: go.Figure, groups_per_line: int = LEGEND_GROUPS_PER_LINE) -> int:
    """Text rows the legend needs: its groups (title + entries) side by side, at most
    ``groups_per_line`` to a line (what fits beside the long AE lane labels at 1280 px)."""
    sizes: dict[str, int] = {}
    for trace in fig.data:
        if trace.showlegend is not False and trace.name:
            sizes[trace.legendgroup] = sizes.get(trace.legendgroup, 1) + 1
    counts = list(sizes.values())
    return sum(max(counts[i:i + groups_per_line])
               for i in range(0, len(counts), groups_per_line))


def _lay_out(fig: go.Figure, title: str, font_size: int, plot_px: int) -> None:
    """Title, fonts, overlaid bars and a legend under the x-axis title, in groups side by
    side. The height is the rows' own height plus margins that hold the legend, so the
    legend never squeezes the rows.

    The margins hold what Plotly draws in them (the legend below, the last day's tick label
    on the right; the lane labels on the left, :func:`patient_timeline`), so that Plotly's
    automargin has nothing to add: adding to a margin draws the whole figure again."""
    x_title_px = 60 + 3 * (font_size - 14)
    legend_px = int(_legend_rows(fig) * font_size * 1.6) + 20
    top = 80 + (font_size - 14) * 2
    bottom = x_title_px + legend_px
    style(fig, title, None, None, font_size, height=plot_px + top + bottom)
    fig.update_layout(barmode="overlay", uniformtext={"mode": "hide", "minsize": font_size - 4},
                      legend={"orientation": "h", "x": 0, "xanchor": "left",
                              "y": -x_title_px / plot_px, "yanchor": "top",
                              "tracegroupgap": 4, "groupclick": "toggleitem"},
                      margin={"t": top, "b": bottom, "r": RIGHT_MARGIN_PX})


def _axis_titles(fig: go.Figure, record: PatientRecord, row_of: dict[str, int]) -> None:
    if "transgene" in row_of:
        fig.update_yaxes(title={"text": _unit(record.kinetics, "TRANSGEN")},
                         row=row_of["transgene"], col=1)
    if "cd7" in row_of:
        fig.update_yaxes(title={"text": _unit(record.labs, "CD7LYMPH")}, rangemode="tozero",
                         row=row_of["cd7"], col=1)
    if "counts" in row_of:
        fig.update_yaxes(title={"text": f"ANC ({_unit(record.labs, 'ANC')})",
                                "font": {"color": ANC_COLOUR}}, rangemode="tozero",
                         row=row_of["counts"], col=1, secondary_y=False)
        fig.update_yaxes(title={"text": f"Platelets ({_unit(record.labs, 'PLAT')})",
                                "font": {"color": PLAT_COLOUR}}, rangemode="tozero",
                         showgrid=False, tickmode="auto", row=row_of["counts"], col=1,
                         secondary_y=True)
