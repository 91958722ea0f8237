"""Fixed colours and orders shared by every figure and table.

Dose groups take colours by their position in dose order (lowest dose first), so a group
keeps its colour on every page whatever the filter. Subtypes take fixed colours by name.
Palettes are colour-blind safe (Okabe-Ito) and dark enough to read on a projector.
"""

from __future__ import annotations

# Okabe-Ito blue and orange, then Tol's wine: three dose levels that stay apart even when
# lines are faded behind a median band, and for colour-blind viewers.
DOSE_PALETTE = ("#0072B2", "#E69F00", "#882255", "#009E73", "#CC79A7", "#56B4E9", "#000000")
SUBTYPE_ORDER = ("T-ALL", "T-LBL", "PTCL-NOS", "AITL", "ALCL")
SUBTYPE_COLOURS = {
    "T-ALL": "#1b9e77",
    "T-LBL": "#7570b3",
    "PTCL-NOS": "#d95f02",
    "AITL": "#e7298a",
    "ALCL": "#66a61e",
}
EXTRA_SUBTYPE_PALETTE = ("#a6761d", "#666666", "#e6ab02", "#1f78b4", "#b15928")
# Worst-grade colours: 1 pale to 5 black.
GRADE_COLOURS = {1: "#fde0c5", 2: "#facba6", 3: "#f0746e", 4: "#b0205a", 5: "#1a1a1a"}
RESPONSE_COLOURS = {"CR": "#1a9850", "CRi": "#66bd63", "PR": "#a6d96a", "SD": "#fee08b",
                    "NON-CR/NON-PD": "#fdae61", "PD": "#d73027", "NE": "#bdbdbd"}


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
