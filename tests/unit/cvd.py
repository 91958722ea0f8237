"""Colour-vision-deficiency simulation for palette tests.

Source: Machado, Oliveira & Fernandes, "A physiologically-based model for simulation of
color vision deficiency", IEEE TVCG 15(6), 2009: the severity-1.0 matrices for protanopia,
deuteranopia and tritanopia, applied to linear sRGB (as the authors publish them). Colours
are compared in CIELAB (D65) by Euclidean distance (CIE 1976 Delta E).
"""

from __future__ import annotations

import numpy as np

MACHADO_2009 = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])
D65 = np.array([0.95047, 1.0, 1.08883])


def linear_rgb(colour: str | tuple[int, int, int]) -> np.ndarray:
    """'#RRGGBB' or an (r, g, b) 0-255 tuple -> linear sRGB in [0, 1]."""
    if isinstance(colour, str):
        h = colour.lstrip("#")
        colour = tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
    c = np.asarray(colour, dtype=float) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(linear: np.ndarray) -> np.ndarray:
    """Linear sRGB -> CIELAB (D65)."""
    xyz = SRGB_TO_XYZ @ np.clip(linear, 0.0, 1.0) / D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def simulated_lab(colour, deficiency: str | None) -> np.ndarray:
    """CIELAB of a colour as seen with ``deficiency`` (None = normal vision)."""
    rgb = linear_rgb(colour)
    return lab(rgb if deficiency is None else MACHADO_2009[deficiency] @ rgb)


def delta_e(a, b, deficiency: str | None = None) -> float:
    """CIE76 distance of two colours under a simulated deficiency."""
    return float(np.linalg.norm(simulated_lab(a, deficiency) - simulated_lab(b, deficiency)))
