"""ADaM Y/N flags read as booleans, one rule for every analysis."""

from __future__ import annotations

import numpy as np
import pandas as pd


def is_yes(values: pd.Series) -> pd.Series:
    """True where a flag is 'Y' (case and surrounding blanks ignored); missing is False.

    Each distinct value is read once, so long columns of few flag values stay cheap.
    """
    raw = values.astype("object")
    present = raw.notna().to_numpy()
    out = np.zeros(len(raw), dtype=bool)
    kept = raw[present]
    yes = {value: str(value).strip().upper() == "Y" for value in pd.unique(kept)}
    out[present] = kept.map(yes).to_numpy(dtype=bool)
    return pd.Series(out, index=values.index, name=values.name)
