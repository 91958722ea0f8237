"""Palettes stay distinguishable for colour-blind viewers.

Simulation: Machado, Oliveira & Fernandes 2009 (severity 1.0), see tests/unit/cvd.py.
Threshold: CIE76 Delta E >= 15 between every two colours of a palette, under normal vision and
simulated protanopia, deuteranopia and tritanopia (Delta E about 10 is where neighbouring
swatches start to be confused on a projector; the old grade 1 and 2 colours were 9.8 apart
under protanopia, which the review found "nearly identical").
"""

from __future__ import annotations

import itertools

import pytest
from cvd import MACHADO_2009, delta_e

from trialdash import style

MIN_DELTA_E = 15.0
DEFICIENCIES = (None, *MACHADO_2009)
PALETTES = {
    "grades": list(style.GRADE_COLOURS.values()),
    "responses": list(style.RESPONSE_COLOURS.values()),
    "subtypes and doses": [*style.SUBTYPE_COLOURS.values(), *style.DOSE_PALETTE[:3]],
}


@pytest.mark.parametrize("deficiency", DEFICIENCIES, ids=lambda d: d or "normal")
@pytest.mark.parametrize("name", list(PALETTES))
def test_every_pair_stays_apart(name, deficiency):
    """Machado 2009 simulation: every pair of the palette at Delta E >= 15."""
    for a, b in itertools.combinations(PALETTES[name], 2):
        assert delta_e(a, b, deficiency) >= MIN_DELTA_E, (name, deficiency, a, b)


def test_old_grade_colours_fail_the_same_check():
    """The check can fail: the previous grade 1 and 2 colours (#fde0c5, #facba6) were under
    15 apart under protanopia (Machado 2009)."""
    assert delta_e("#fde0c5", "#facba6", "protanopia") < MIN_DELTA_E


def test_grades_darken_from_1_to_5():
    """A sequential grade scale: CIELAB lightness falls from grade 1 to grade 5 under every
    simulated deficiency (lightness is what colour-blind viewers keep)."""
    from cvd import simulated_lab

    for deficiency in DEFICIENCIES:
        lightness = [simulated_lab(c, deficiency)[0] for c in style.GRADE_COLOURS.values()]
        assert lightness == sorted(lightness, reverse=True), deficiency


def test_response_palette_is_not_red_green_and_cr_cri_differ_in_shape():
    """CR, CRi and PR are not three greens; PD is not red against a green CR (the review's
    red-green complaint); CR and CRi have different marker symbols."""
    colours = style.RESPONSE_COLOURS
    assert len({colours["CR"], colours["CRi"], colours["PR"]}) == 3
    assert delta_e(colours["CR"], colours["PD"], "deuteranopia") >= MIN_DELTA_E
    assert style.RESPONSE_SYMBOLS["CR"] != style.RESPONSE_SYMBOLS["CRi"]
    assert set(style.RESPONSE_SYMBOLS) == set(colours)


def _faded(colour: str, alpha: float = 0.55) -> tuple[int, int, int]:
    """A colour at ``alpha`` over white (how the swimmer lanes draw dose colours)."""
    h = colour.lstrip("#")
    return tuple(round(alpha * int(h[i:i + 2], 16) + (1 - alpha) * 255) for i in (0, 2, 4))


@pytest.mark.parametrize("deficiency", DEFICIENCIES, ids=lambda d: d or "normal")
def test_faded_dose_colours_stay_apart(deficiency):
    """Machado 2009: the three dose colours at 55 % opacity over white stay Delta E >= 15."""
    for a, b in itertools.combinations(style.DOSE_PALETTE[:3], 2):
        assert delta_e(_faded(a), _faded(b), deficiency) >= MIN_DELTA_E, (deficiency, a, b)


def test_subtypes_never_take_a_dose_colour():
    """Subtype colours are distinct from each other and from the dose-level colours."""
    subtypes = list(style.SUBTYPE_COLOURS.values()) + list(style.EXTRA_SUBTYPE_PALETTE)
    assert len(set(subtypes)) == len(subtypes)
    assert not set(subtypes) & set(style.DOSE_PALETTE[:3])
