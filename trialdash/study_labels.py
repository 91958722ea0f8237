"""Labels the dashboard shows about a study, learnt from the data or told by the user.

Nothing here is invented: a label comes from the source files (values, variable labels),
from the command line or the mapping file, or from the built-in clinical profile where that
profile applies; otherwise the label says that the data do not state it.

Assumptions
-----------
* **Response criteria** are named in ADRS by CRIT, CRITy, PARCATy or PARAM text that
  mentions a known set of criteria (:data:`CRITERIA_PATTERNS`: RECIST, iRECIST, mRECIST,
  Lugano, Cheson/IWG, iwCLL, NCCN, ELN, IMWG, RANO, PCWG, GCIG...). The name is kept with
  the version found beside it ("RECIST 1.1", "Lugano 2014").
* **Responder definition** follows the criteria: CR + CRi for leukaemia criteria (NCCN,
  ELN, IWG for AML) or wherever CRi occurs among the responses; otherwise CR + PR.
* The **built-in clinical profile** (T-ALL: NCCN/ELN, CR + CRi; lymphomas and T-LBL: Lugano
  2014, CR + PR) applies only to the synthetic trial and to imports whose subtype values are
  all among those diseases (:data:`PROFILE_SUBTYPES`).
* **CTCAE version** comes from the user, or from the SAS label of an ADAE grade variable
  (AETOXGR, AETOXGRN, ATOXGR, ATOXGRN) or of any ADAE variable naming CTCAE with a version.
* **Subtype label**: the SAS label of the subtype variable, else the CDISC label of a
  standard ADSL variable (SEX -> "Sex"), else the variable name; DISTYPE is "Disease subtype".
* **Cell therapy**: only the synthetic trial, or an import the user declares one; for any
  other study time is counted from "treatment start".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

NOT_STATED = "criteria not stated in the data"
CTCAE_NOT_STATED = "CTCAE (version not stated)"
CR_CRI, CR_PR = "CR + CRi", "CR + PR"
PROFILE_SUBTYPES = frozenset({"T-ALL", "T-LBL", "PTCL-NOS", "AITL", "ALCL"})
DISEASE_SUBTYPE = "Disease subtype"
#: Labels of standard ADSL variables (CDISC ADaM IG), for files that carry no labels (CSV).
CDISC_LABELS = {
    "DISTYPE": DISEASE_SUBTYPE, "SEX": "Sex", "RACE": "Race", "ETHNIC": "Ethnicity",
    "AGEGR1": "Pooled Age Group 1", "COUNTRY": "Country", "SITEID": "Study Site Identifier",
    "REGION1": "Geographic Region 1", "ARM": "Description of Planned Arm",
}
#: Canonical name -> regular expression finding it in free text (case-insensitive); an
#: optional version after the name is kept.
CRITERIA_PATTERNS = {
    "iRECIST": r"\biRECIST\b",
    "mRECIST": r"\bmRECIST\b",
    "RECIST": r"\bRECIST\b(?:\s*(?:v|version)?\s*(\d(?:\.\d+)?))?",
    "Lugano": r"\bLugano\b(?:\s*(?:classification|criteria)?\s*\(?(\d{4})\)?)?",
    "Cheson": r"\bCheson\b(?:\s*\(?(\d{4})\)?)?",
    "iwCLL": r"\biwCLL\b(?:\s*\(?(\d{4})\)?)?",
    "NCCN/ELN": r"\bNCCN\s*/\s*ELN\b",
    "NCCN": r"\bNCCN\b",
    "ELN": r"\bELN\b(?:\s*\(?(\d{4})\)?)?",
    "IMWG": r"\bIMWG\b",
    "IWG": r"\bIWG\b(?:\s*\(?(\d{4})\)?)?",
    "RANO": r"\bRANO\b",
    "PCWG3": r"\bPCWG\s*-?\s*3\b",
    "GCIG": r"\bGCIG\b",
}
LEUKAEMIA_CRITERIA = ("NCCN", "ELN", "IWG")
_GRADE_VARIABLES = ("AETOXGR", "AETOXGRN", "ATOXGR", "ATOXGRN")
_CTCAE_VERSION = re.compile(r"CTCAE\s*(?:v(?:ersion)?\.?)?\s*(\d+(?:\.\d+)*)", re.IGNORECASE)
_VERSION_ONLY = re.compile(r"^\s*v?(\d+(?:\.\d+)*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class StudyLabels:
    """What the build learnt about how to label a study (stored in the snapshot's meta)."""

    response_criteria: str | None  # None: not stated (nor implied by the clinical profile)
    responder_definition: str | None  # CR + CRi / CR + PR; None: by subtype (clinical profile)
    clinical_profile: bool
    grade_scale: str  # "CTCAE v5.0", "CTCAE (version not stated)"
    subtype_label: str | None
    cell_therapy: bool


#: The synthetic CAR-T trial: the built-in clinical profile, CTCAE v5.0, a cell therapy. Also
#: the default of hand-built snapshots (tests) that state no labels.
CAR_T_PROFILE = StudyLabels(
    response_criteria="NCCN/ELN (T-ALL); Lugano 2014 (lymphomas, T-LBL)",
    responder_definition=None, clinical_profile=True, grade_scale="CTCAE v5.0",
    subtype_label=DISEASE_SUBTYPE, cell_therapy=True,
)


@dataclass(frozen=True)
class UserLabels:
    """Labels the user gave on the command line or in the mapping file (None = not given)."""

    response_criteria: str | None = None
    ctcae_version: str | None = None
    cell_therapy: bool | None = None

    def merged(self, other: UserLabels) -> UserLabels:
        """These labels, with ``other``'s filling the gaps."""
        return UserLabels(self.response_criteria or other.response_criteria,
                          self.ctcae_version or other.ctcae_version,
                          self.cell_therapy if self.cell_therapy is not None
                          else other.cell_therapy)


def criteria_in_text(text: object) -> list[str]:
    """Canonical criteria names (with version when given) mentioned in ``text``.

    'RECIST 1.1' -> ['RECIST 1.1']; 'Lugano Classification (2014)' -> ['Lugano 2014'];
    'NCCN/ELN (T-ALL)' -> ['NCCN/ELN']. Longer names win over the names inside them.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)) or text is pd.NA:
        return []
    found, taken = [], []
    for name, pattern in CRITERIA_PATTERNS.items():
        for match in re.finditer(pattern, str(text), flags=re.IGNORECASE):
            if any(s <= match.start() < e for s, e in taken):
                continue
            taken.append(match.span())
            version = next((g for g in match.groups() if g), None) if match.groups() else None
            found.append(f"{name} {version}" if version else name)
    return list(dict.fromkeys(found))


def _criteria_columns(adrs: pd.DataFrame) -> list[str]:
    pattern = re.compile(r"^(CRIT\d*|PARCAT\d*|PARAM)$")
    return [c for c in adrs.columns if pattern.match(str(c))]


def row_criteria(adrs: pd.DataFrame) -> pd.Series:
    """Per ADRS row, the criteria its CRIT/CRITy/PARCATy/PARAM text names ('; '-joined);
    None where no such text names any."""
    columns = _criteria_columns(adrs)
    if adrs.empty or not columns:
        return pd.Series(None, index=adrs.index, dtype="object")
    texts = pd.Series(None, index=adrs.index, dtype="object")
    for column in columns:  # the row's texts joined by ' | ', missing values left out
        values = adrs[column].astype("object")
        present = values.notna()
        value_text = values[present].map(str)
        joined = texts[present]
        texts[present] = joined.where(joined.isna(), joined + " | ").fillna("") + value_text
    distinct = pd.unique(texts[texts.notna()])
    names = texts.map({t: "; ".join(criteria_in_text(t)) or None for t in distinct})
    return names.where(texts.notna(), None).astype("object")


def responder_definition(criteria: str | None, responses: Iterable[object]) -> str:
    """CR + CRi for leukaemia criteria or when CRi occurs among the responses, else CR + PR."""
    named = criteria_in_text(criteria) if criteria else []
    if any(n.split()[0] in LEUKAEMIA_CRITERIA or n == "NCCN/ELN" for n in named):
        return CR_CRI
    cri = {str(r).strip().upper() for r in responses if r is not None and not pd.isna(r)}
    return CR_CRI if "CRI" in cri else CR_PR


def profile_applies(subtypes: pd.Series) -> bool:
    """Whether the built-in clinical profile fits: every subtype value is a profile disease."""
    values = {str(v).strip().upper() for v in subtypes.dropna()}
    return bool(values) and values <= PROFILE_SUBTYPES


def ctcae_from_labels(labels: dict[str, str]) -> str | None:
    """'CTCAE v<version>' from an ADAE grade variable's label (or any label naming CTCAE)."""
    ordered = [labels[v] for v in _GRADE_VARIABLES if v in labels]
    ordered += [text for name, text in labels.items() if name not in _GRADE_VARIABLES]
    for text in ordered:
        match = _CTCAE_VERSION.search(str(text or ""))
        if match:
            return f"CTCAE v{match.group(1)}"
    return None


def ctcae_scale(version: str | None) -> str:
    """The grade-scale label: 'CTCAE v5.0' for '5.0', 'v5.0' or 'CTCAE v5.0'; else not stated."""
    if not version:
        return CTCAE_NOT_STATED
    text = str(version).strip()
    match = _VERSION_ONLY.match(text) or _CTCAE_VERSION.search(text)
    return f"CTCAE v{match.group(1)}" if match else text


def subtype_label(subtype_var: str | None, labels: dict[str, str]) -> str | None:
    """The subtype variable's own label (see the module docstring); None without a variable."""
    if not subtype_var:
        return None
    if subtype_var == "DISTYPE":
        return DISEASE_SUBTYPE
    own = str(labels.get(subtype_var) or "").strip()
    return own or CDISC_LABELS.get(subtype_var, subtype_var)


def variable_labels(path: Path) -> dict[str, str]:
    """Variable name (upper case) -> SAS label of an .xpt or .sas7bdat file; {} for other
    formats or when the file carries no labels."""
    import pyreadstat

    suffix = Path(path).suffix.lower()
    readers = {".xpt": pyreadstat.read_xport, ".sas7bdat": pyreadstat.read_sas7bdat}
    if suffix not in readers:
        return {}
    try:
        _, meta = readers[suffix](str(path), metadataonly=True)
    except Exception:  # noqa: BLE001 - the import's reader reports unreadable files
        return {}
    return {str(k).upper(): str(v) for k, v in (meta.column_names_to_labels or {}).items() if v}


def labels_from_mapping(path: Path | None) -> UserLabels:
    """The ``"_labels"`` object of a mapping file: response_criteria, ctcae_version,
    cell_therapy (keys starting with '_' are ignored by the variable mapping)."""
    if path is None:
        return UserLabels()
    raw = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    given = raw.get("_labels") if isinstance(raw, dict) else None
    if not isinstance(given, dict):
        return UserLabels()
    cell = given.get("cell_therapy")
    return UserLabels(given.get("response_criteria") or None,
                      str(given["ctcae_version"]) if given.get("ctcae_version") else None,
                      bool(cell) if cell is not None else None)


def learn_labels(
    adsl: pd.DataFrame,
    adrs: pd.DataFrame | None,
    subtype_var: str | None,
    adsl_labels: dict[str, str],
    adae_labels: dict[str, str],
    user: UserLabels,
) -> StudyLabels:
    """Every label of an imported study, from the user first, then the data, then the
    clinical profile where it applies; otherwise marked as not stated."""
    subtypes = adsl[subtype_var] if subtype_var and subtype_var in adsl.columns else (
        pd.Series(dtype="object"))
    profile = profile_applies(subtypes)
    criteria = user.response_criteria
    responses: pd.Series = pd.Series(dtype="object")
    if adrs is not None and not adrs.empty:
        found = row_criteria(adrs).dropna()
        named = sorted({n for text in found for n in text.split("; ")})
        criteria = criteria or ("; ".join(named) or None)
        responses = adrs["AVALC"] if "AVALC" in adrs.columns else responses
    definition = None if profile else responder_definition(criteria, responses)
    scale = ctcae_scale(user.ctcae_version or ctcae_from_labels(adae_labels))
    return StudyLabels(
        response_criteria=criteria,
        responder_definition=definition,
        clinical_profile=profile,
        grade_scale=scale,
        subtype_label=subtype_label(subtype_var, adsl_labels),
        cell_therapy=bool(user.cell_therapy),
    )
