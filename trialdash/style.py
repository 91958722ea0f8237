"""Fixed colours, marker symbols and orders shared by every figure and table.

Dose groups take colours by their position in dose order (lowest dose first), so a group
keeps its colour on every page whatever the filter. Subtypes take fixed colours by name.

Palettes are colour-blind safe: categorical colours come from Okabe & Ito (2008, "Color
Universal Design"), with Tol's wine, olive and friends where more are needed; grades are a
light-to-dark sequence, so they differ in lightness, which every colour-vision deficiency
keeps. tests/unit/test_palettes.py checks that every pair of colours of a palette stays
apart (CIELAB distance) under simulated protanopia, deuteranopia and tritanopia (Machado,
Oliveira & Fernandes 2009), and tests/browser checks the charts under Chromium's emulated
vision deficiencies.
"""

from __future__ import annotations

# Okabe-Ito blue and orange, then Tol's dark brown: three dose levels that stay apart even
# when faded (translucent lanes, lines behind a median band), for colour-blind viewers too
# (Tol's wine turned as blue as the faded Okabe-Ito blue under protanopia).
DOSE_PALETTE = ("#0072B2", "#E69F00", "#661100", "#009E73", "#CC79A7", "#56B4E9", "#000000")
SUBTYPE_ORDER = ("T-ALL", "T-LBL", "PTCL-NOS", "AITL", "ALCL")
# Okabe-Ito colours not used by the first three dose levels, so a subtype never takes a
# dose group's colour.
SUBTYPE_COLOURS = {
    "T-ALL": "#009E73",  # bluish green
    "T-LBL": "#56B4E9",  # sky blue
    "PTCL-NOS": "#D55E00",  # vermillion
    "AITL": "#CC79A7",  # reddish purple
    "ALCL": "#000000",  # black
}
# Tol's muted palette: subtypes outside the canonical five.
EXTRA_SUBTYPE_PALETTE = ("#999933", "#44AA99", "#332288", "#DDCC77", "#AA4499")
# Worst-grade colours: a light-to-dark sequence, pale yellow (1) to near black (5).
GRADE_COLOURS = {1: "#FFF1A8", 2: "#F5B841", 3: "#D9622B", 4: "#8E1B3F", 5: "#1a1a1a"}
# Responses: Okabe-Ito, no red-green pair; blues for complete responses (CR dark, CRi
# light), bluish green for PR, yellow SD, vermillion PD, light grey NE.
RESPONSE_COLOURS = {"CR": "#0072B2", "CRi": "#56B4E9", "PR": "#009E73", "SD": "#F0E442",
                    "NON-CR/NON-PD": "#E69F00", "PD": "#D55E00", "NE": "#CCCCCC"}
# Plotly marker symbols per response, so CR and CRi differ in shape as well as colour.
RESPONSE_SYMBOLS = {"CR": "star", "CRi": "diamond", "PR": "triangle-up", "SD": "square",
                    "NON-CR/NON-PD": "square-open", "PD": "x", "NE": "circle-open"}
# Marker outline that reads on every response colour.
RESPONSE_OUTLINE = "#1a1a1a"


def dose_colour(order: int) -> str:
    """Colour of the dose group at 1-based position ``order`` in dose order."""
    return DOSE_PALETTE[(int(order) - 1) % len(DOSE_PALETTE)]


def dose_colour_map(dose_groups_in_order: list[str]) -> dict[str, str]:
    """Label -> colour for dose groups listed in dose order."""
    return {group: dose_colour(i + 1) for i, group in enumerate(dose_groups_in_order)}


def subtype_sort_key(subtype: str) -> tuple[int, str]:
    """Canonical subtypes first in clinical order, others alphabetically after them."""
    if subtype in SUBTYPE_ORDER:
        return (SUBTYPE_ORDER.index(subtype), subtype)
    return (len(SUBTYPE_ORDER), subtype)


def subtype_colour_map(subtypes: list[str]) -> dict[str, str]:
    """Label -> colour; unknown subtypes get the extra palette in sorted order."""
    colours = {}
    extras = iter(EXTRA_SUBTYPE_PALETTE * 4)
    for subtype in sorted(subtypes, key=subtype_sort_key):
        colours[subtype] = SUBTYPE_COLOURS.get(subtype) or next(extras)
    return colours


def rgba(hex_colour: str, alpha: float) -> str:
    """'#0072B2', 0.5 -> 'rgba(0,114,178,0.5)': a fixed colour made translucent."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
