"""The study's own wording for text written in the house (CAR-T) wording.

Figures, captions and table headers are written for the built-in CAR-T trial ("Dose group
(CAR-T cells/kg)", "days since infusion", "infused patients", "Subtype"). For an imported
study that is not a cell therapy, or whose subtype variable is not a disease subtype, a
:class:`Wording` rewrites those phrases in the study's terms: "treatment start" for day 0,
"treated" for infused, and the subtype variable's own label (e.g. "Sex").

Assumptions
-----------
* Only the phrases listed here are rewritten; data values (dose-group names, subtype values,
  terms) are never touched, since they come from the data.
* A cell therapy with the disease-subtype variable (the synthetic trial) reads unchanged.
* Citations of a method's source (e.g. "as the FDA CAR-T labels report them") are kept:
  they name where the method comes from, not the study's treatment.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import plotly.graph_objects as go

from trialdash.study_labels import DISEASE_SUBTYPE

Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]


def _rule(pattern: str, replacement: str) -> Rule:
    """A case-insensitive rule whose replacement starts with a capital where the match starts
    a sentence-case word ('Infused') or the text ('CAR-T infusion' alone), not mid-sentence
    after an acronym ('since CAR-T infusion')."""
    def replace(match: re.Match[str]) -> str:
        text = match.expand(replacement)
        found = match.group(0)
        capital = found[:1].isupper() and (found[1:2].islower() or match.start() == 0)
        return text[:1].upper() + text[1:] if capital else text

    return re.compile(pattern, re.IGNORECASE), replace


#: House phrase -> phrase for a study that is not a cell therapy, most specific first.
NOT_CELL_THERAPY: tuple[Rule, ...] = (
    _rule(r"dose group \(CAR-T cells/kg\)", "dose group"),
    _rule(r"dose in CAR-T cells/kg", "dose as recorded"),
    _rule(r"CAR-T infusion", "treatment start"),
    _rule(r"response as CAR-T trials report it", "early response"),
    _rule(r"CAR-T expansion and persistence", "expansion and persistence"),
    _rule(r"beside CAR-T( expansion)?\b", "beside expansion"),
    _rule(r"\bpre-infusion\b", "pre-treatment"),
    _rule(r"\binfusion day\b", "treatment start day"),
    _rule(r"\binfusion\b", "treatment start"),
    _rule(r"\bactually infused\b", "actually given"),
    _rule(r"\binfused\b", "treated"),
)


@dataclass(frozen=True)
class Wording:
    """How a study words day 0, treated patients and its subtype variable.

    Parameters
    ----------
    cell_therapy : bool
        True keeps the CAR-T wording (infusion, infused, CAR-T cells/kg).
    subtype_label : str
        Label of the subtype variable ('Disease subtype' keeps 'Subtype' as it is).
    """

    cell_therapy: bool = True
    subtype_label: str = DISEASE_SUBTYPE

    @property
    def _rules(self) -> tuple[Rule, ...]:
        rules: tuple[Rule, ...] = () if self.cell_therapy else NOT_CELL_THERAPY
        if self.subtype_label != DISEASE_SUBTYPE:
            label = self.subtype_label
            rules += ((re.compile(r"\bDisease subtype\b"), label),
                      (re.compile(r"\bSubtype\b"), label),
                      (re.compile(r"\bsubtype\b"), label.lower()))
        return rules

    def __call__(self, text: str | None) -> str | None:
        """``text`` in the study's wording (None stays None)."""
        if not text:
            return text
        for pattern, replacement in self._rules:
            text = pattern.sub(replacement, text)
        return text

    @property
    def is_house(self) -> bool:
        """Whether the house wording is the study's (nothing to rewrite)."""
        return not self._rules

    def figure(self, fig: go.Figure) -> go.Figure:
        """The figure's title, axis titles, legend title, annotations and trace names
        (legend entries) in the study's wording; data values are left as they are."""
        if self.is_house:
            return fig
        layout = fig.layout
        if layout.title.text:
            layout.title.text = self(layout.title.text)
        if layout.legend.title.text:
            layout.legend.title.text = self(layout.legend.title.text)
        for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
            if axis.title.text:
                axis.title.text = self(axis.title.text)
        for note in layout.annotations:
            if note.text:
                note.text = self(note.text)
        for trace in fig.data:
            if getattr(trace, "name", None):
                trace.name = self(trace.name)
            group = getattr(trace, "legendgrouptitle", None)
            if group is not None and group.text:
                group.text = self(group.text)
        return fig

    def frame_headers(self, columns) -> dict[str, str]:
        """Column renames putting table headers in the study's wording (only changed ones)."""
        renamed = {c: self(c) for c in columns if isinstance(c, str)}
        return {c: new for c, new in renamed.items() if new != c}
