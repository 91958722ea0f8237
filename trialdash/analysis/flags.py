"""ADaM Y/N flags read as booleans, one rule for every analysis."""

from __future__ import annotations

import pandas as pd


def is_yes(values: pd.Series) -> pd.Series:
    """True where a flag is 'Y' (case and surrounding blanks ignored); missing is False."""
    return (values.astype("object").fillna("").astype(str).str.strip().str.upper()
            .eq("Y").astype(bool))
