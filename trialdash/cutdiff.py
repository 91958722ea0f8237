"""What changed between two data cuts: new patients, events and responses, and every record
added, removed or modified, matched by its keys (never by row position).

Keys per data set: ADSL by USUBJID; ADAE by USUBJID + AESEQ (USUBJID + AEDECOD + ASTDT when
AESEQ is missing or repeated within a patient in either cut, or names another term in the
other cut, i.e. was numbered by position); ADRS by USUBJID + PARAMCD +
ADT, a parameter recorded once per patient in both cuts (BOR) by USUBJID + PARAMCD; ADTTE by
USUBJID + PARAMCD; ADPC and ADLB by USUBJID + PARAMCD + ADT. Records repeating a key within
one cut are told apart by their order of appearance. A record is *modified* when any of its
source (upper-case ADaM) variables differs, DCUTDT excepted (it changes with every cut).

The module reads both snapshots through their named queries, so the dashboard can pass its
cached :class:`~trialdash.trial.Trial` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from trialdash.analysis.flags import is_yes
from trialdash.analysis.response import best_response, normalise_response
from trialdash.trial import Trial

DATASETS = ("adsl", "adae", "adrs", "adtte", "adpc", "adlb")
KEYS = {
    "adsl": ["USUBJID"],
    "adae": ["USUBJID", "AESEQ"],
    "adrs": ["USUBJID", "PARAMCD", "ADT"],
    "adtte": ["USUBJID", "PARAMCD"],
    "adpc": ["USUBJID", "PARAMCD", "ADT"],
    "adlb": ["USUBJID", "PARAMCD", "ADT"],
}
AE_FALLBACK_KEY = ["USUBJID", "AEDECOD", "ASTDT"]
IGNORED = {"DCUTDT"}
_OCCURRENCE = "_occurrence"


def snapshot_records(trial: Trial) -> dict[str, pd.DataFrame]:
    """Every record of every data set of a snapshot, read through its named queries."""
    subjects = trial.run("subjects", dose_groups=None, subtypes=None, subjects=None)
    ids = list(subjects["USUBJID"])
    endpoints = trial.run("endpoints")["PARAMCD"]
    kinetics = trial.run("kinetics_parameters")["PARAMCD"]
    frames = {
        "adsl": subjects,
        "adae": trial.run("adverse_events", subjects=ids, window_days=None),
        "adrs": trial.run("response_assessments", subjects=ids),
        "adtte": _stack([trial.run("time_to_event", subjects=ids, paramcd=p) for p in endpoints]),
        "adpc": _stack([trial.run("kinetics_samples", subjects=ids, paramcd=p)
                        for p in kinetics]),
        "adlb": trial.run("lab_samples", subjects=ids, paramcds=None),
    }
    return frames


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["USUBJID"])


@dataclass
class DatasetChanges:
    """Records of one data set added, removed and modified between two cuts.

    ``added`` holds the new cut's rows, ``removed`` the old cut's rows (all their columns);
    ``modified`` one row per changed value: the key columns, ``column``, ``old``, ``new``
    (values as text, blank when missing).
    """

    dataset: str
    key: list[str]
    added: pd.DataFrame
    removed: pd.DataFrame
    modified: pd.DataFrame

    @property
    def counts(self) -> dict[str, int]:
        n_modified = (len(self.modified.drop_duplicates([*self.key, _OCCURRENCE]))
                      if not self.modified.empty else 0)
        return {"added": len(self.added), "removed": len(self.removed), "modified": n_modified}


@dataclass
class CutDiff:
    """What is new in the ``to`` cut compared with the ``from`` cut."""

    from_cut: dict
    to_cut: dict
    new_enrolled: list[str]
    new_infused: list[str]
    new_deaths: list[str]
    new_progressions: list[str]
    new_dlts: list[str]
    new_responses: list[dict]
    new_adverse_events: dict
    datasets: dict[str, DatasetChanges] = field(default_factory=dict)

    def added_keys(self, dataset: str) -> pd.DataFrame:
        """Key columns of the records new in the ``to`` cut (empty when none)."""
        changes = self.datasets.get(dataset)
        return changes.added[changes.key] if changes else pd.DataFrame()

    def patients_with_changes(self) -> set[str]:
        """Patients with any added, removed or modified record."""
        ids = set()
        for changes in self.datasets.values():
            for frame in (changes.added, changes.removed, changes.modified):
                if not frame.empty:
                    ids |= set(frame["USUBJID"])
        return ids

    def as_json(self) -> dict:
        """The diff as plain JSON-ready data (``snapshot diff --json``)."""
        return {
            "from": self.from_cut,
            "to": self.to_cut,
            "new_enrolled": self.new_enrolled,
            "new_infused": self.new_infused,
            "new_deaths": self.new_deaths,
            "new_progressions": self.new_progressions,
            "new_responses": self.new_responses,
            "new_adverse_events": self.new_adverse_events,
            "new_dlts": self.new_dlts,
            "changed_records": {name: c.counts for name, c in self.datasets.items()},
            "removed_records": [
                {"dataset": name, "key": _key_json(row, c.key)}
                for name, c in self.datasets.items() for _, row in c.removed.iterrows()],
            "modified_records": _modified_json(self.datasets),
        }


def as_text(values: pd.Series) -> pd.Series:
    """Values as comparable text: dates as YYYY-MM-DD, numbers without float noise, blank
    for missing."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").fillna("")
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64").round(9)
        return numbers.map(lambda x: "" if pd.isna(x) else f"{x:g}")
    return values.astype("object").where(values.notna(), "").astype(str).str.strip()


def _key_json(row: pd.Series, key: list[str]) -> dict:
    return {k: (v.date().isoformat() if isinstance(v, pd.Timestamp) else
                None if pd.isna(v) else v.item() if hasattr(v, "item") else v)
            for k, v in row[key].items()}


def _modified_json(datasets: dict[str, DatasetChanges]) -> list[dict]:
    out = []
    for name, changes in datasets.items():
        if changes.modified.empty:
            continue
        key = [*changes.key, _OCCURRENCE]
        for _, group in changes.modified.groupby(key, sort=True, dropna=False):
            first = group.iloc[0]
            out.append({"dataset": name, "key": _key_json(first, changes.key),
                        "changes": {r.column: {"from": r.old or None, "to": r.new or None}
                                    for r in group.itertuples()}})
    return out


def _key_for(dataset: str, old: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    key = KEYS[dataset]
    if dataset == "adae" and not _aeseq_is_stable(old, new):
        key = AE_FALLBACK_KEY
    return key


def _aeseq_is_stable(old: pd.DataFrame, new: pd.DataFrame) -> bool:
    """Whether USUBJID + AESEQ identifies the same event in both cuts.

    Not when AESEQ is missing or repeated within a patient, nor when one USUBJID + AESEQ
    names different preferred terms in the two cuts: then the numbers were assigned by
    position (the build numbers events in file order when the source has no AESEQ).
    """
    key = ["USUBJID", "AESEQ"]
    for frame in (old, new):
        if "AESEQ" not in frame.columns or frame["AESEQ"].isna().any() \
                or frame.duplicated(key).any():
            return False
    pairs = old[[*key, "AEDECOD"]].merge(new[[*key, "AEDECOD"]], on=key)
    return bool((as_text(pairs["AEDECOD_x"]) == as_text(pairs["AEDECOD_y"])).all())


def _once_per_patient(old: pd.DataFrame, new: pd.DataFrame) -> set[str]:
    """PARAMCDs recorded at most once per patient in both cuts (such as BOR)."""
    params = set(old.get("PARAMCD", [])) | set(new.get("PARAMCD", []))
    return {p for p in params
            if not any(f.loc[f["PARAMCD"] == p].duplicated("USUBJID").any() for f in (old, new))}


def _keyed(frame: pd.DataFrame, key: list[str], dateless: set[str]) -> pd.DataFrame:
    """The frame with its key as one text column ``_k`` and an occurrence number for keys
    repeated within the cut; ADT is left out of the key of the ``dateless`` PARAMCDs."""
    out = frame.reset_index(drop=True).copy()
    text = pd.DataFrame({k: as_text(out[k]) if k in out.columns else "" for k in key},
                        index=out.index)
    if dateless and "ADT" in key:
        text.loc[out["PARAMCD"].isin(dateless), "ADT"] = ""
    out["_k"] = text.astype(str).agg("\x1f".join, axis=1) if len(out) else ""
    out[_OCCURRENCE] = out.groupby("_k").cumcount()
    return out


def compare_records(dataset: str, old: pd.DataFrame, new: pd.DataFrame) -> DatasetChanges:
    """Added, removed and modified records of one data set, matched by key."""
    key = _key_for(dataset, old, new)
    dateless = _once_per_patient(old, new) if dataset == "adrs" else set()
    a, b = _keyed(old, key, dateless), _keyed(new, key, dateless)
    joined = a[["_k", _OCCURRENCE]].reset_index().merge(
        b[["_k", _OCCURRENCE]].reset_index(), on=["_k", _OCCURRENCE], how="outer",
        suffixes=("_old", "_new"), indicator=True)
    removed = old.reset_index(drop=True).loc[
        joined.loc[joined["_merge"] == "left_only", "index_old"].astype(int)]
    added = new.reset_index(drop=True).loc[
        joined.loc[joined["_merge"] == "right_only", "index_new"].astype(int)]
    both = joined[joined["_merge"] == "both"]
    # Numbers assigned by position say nothing about the event.
    ignored = IGNORED | ({"AESEQ"} if key == AE_FALLBACK_KEY else set())
    columns = [c for c in old.columns if c.isupper() and c in new.columns and c not in ignored]
    pieces = []
    if not both.empty:
        left = a.loc[both["index_old"].astype(int)].reset_index(drop=True)
        right = b.loc[both["index_new"].astype(int)].reset_index(drop=True)
        for column in columns:
            before, after = as_text(left[column]), as_text(right[column])
            differs = before != after
            if differs.any():
                piece = right.loc[differs, key].copy()
                piece[_OCCURRENCE] = right.loc[differs, _OCCURRENCE]
                piece["column"], piece["old"], piece["new"] = (
                    column, before[differs].to_numpy(), after[differs].to_numpy())
                pieces.append(piece)
    modified = (pd.concat(pieces, ignore_index=True) if pieces
                else pd.DataFrame(columns=[*key, _OCCURRENCE, "column", "old", "new"]))
    return DatasetChanges(dataset, key, added.reset_index(drop=True),
                          removed.reset_index(drop=True), modified)


def _ids(frame: pd.DataFrame, mask: pd.Series) -> set[str]:
    return set(frame.loc[mask, "USUBJID"])


def _newly(old: pd.DataFrame, new: pd.DataFrame, test) -> list[str]:
    """USUBJIDs for which ``test(adsl)`` holds in the new cut and not in the old one."""
    return sorted(_ids(new, test(new)) - _ids(old, test(old)))


def _new_responses(old_trial: Trial, new_trial: Trial, adrs: pd.DataFrame) -> list[dict]:
    """Patients whose best response in the new cut is a response (ORR definition of their
    subtype) and differs from their best response in the old cut."""
    before = best_response(old_trial.cohort()).set_index("USUBJID")["BOR"]
    now = best_response(new_trial.cohort())
    changed = now[now["responder"] & (now["USUBJID"].map(before) != now["BOR"])]
    out = []
    records = adrs.assign(response=adrs["AVALC"].map(normalise_response)) if not adrs.empty \
        else adrs
    for row in changed.itertuples():
        dates = records.loc[(records["USUBJID"] == row.USUBJID)
                            & (records["response"] == row.BOR), "ADT"] if not adrs.empty else []
        first = pd.to_datetime(pd.Series(dates)).min() if len(dates) else pd.NaT
        out.append({"usubjid": row.USUBJID, "response": row.BOR,
                    "date": None if pd.isna(first) else first.date().isoformat()})
    return out


def _grade3plus(added_ae: pd.DataFrame) -> list[dict]:
    if added_ae.empty:
        return []
    grade = pd.to_numeric(added_ae.get("grade"), errors="coerce")
    if "ASTCTGR" in added_ae.columns:
        grade = grade.fillna(pd.to_numeric(added_ae["ASTCTGR"], errors="coerce"))
    severe = added_ae[grade >= 3]
    return [{"usubjid": r.USUBJID, "term": r.AEDECOD, "grade": int(g)}
            for r, g in zip(severe.itertuples(), grade[grade >= 3], strict=True)]


def _cut_json(trial: Trial, path: Path | str | None) -> dict:
    cutoff = trial.meta["cutoff_date"]
    return {"cutoff": cutoff.isoformat() if cutoff else None,
            "path": str(path) if path is not None else None,
            "source": trial.meta.get("source")}


def diff_trials(old_trial: Trial, new_trial: Trial, old_path: Path | str | None = None,
                new_path: Path | str | None = None) -> CutDiff:
    """Compare two snapshots (see the module docstring for the keys and rules)."""
    old, new = snapshot_records(old_trial), snapshot_records(new_trial)
    datasets = {name: compare_records(name, old[name], new[name]) for name in DATASETS
                if not (old[name].empty and new[name].empty)}
    adsl_old, adsl_new = old["adsl"], new["adsl"]

    def flag(column: str):
        return lambda f: is_yes(f[column]) if column in f.columns else f["USUBJID"].isna()

    def dated(column: str):
        return lambda f: f[column].notna() if column in f.columns else f["USUBJID"].isna()

    added_ae = datasets["adae"].added if "adae" in datasets else pd.DataFrame()
    return CutDiff(
        from_cut=_cut_json(old_trial, old_path),
        to_cut=_cut_json(new_trial, new_path),
        new_enrolled=_newly(adsl_old, adsl_new, flag("enrolled")),
        new_infused=_newly(adsl_old, adsl_new, flag("infused")),
        new_deaths=_newly(adsl_old, adsl_new,
                          lambda f: flag("DTHFL")(f) | dated("DTHDT")(f)),
        new_progressions=_newly(adsl_old, adsl_new, dated("PDDT")),
        new_dlts=_newly(adsl_old, adsl_new, flag("DLTFL")),
        new_responses=_new_responses(old_trial, new_trial, new["adrs"]),
        new_adverse_events={"total": len(added_ae), "grade3plus": _grade3plus(added_ae)},
        datasets=datasets,
    )


def diff_snapshots(old_path: Path, new_path: Path) -> CutDiff:
    """Compare two snapshot files (``snapshot diff OLD NEW``)."""
    return diff_trials(Trial.open(old_path), Trial.open(new_path), old_path, new_path)


def text_report(diff: CutDiff) -> str:
    """The diff as a few lines of text (``snapshot diff`` without ``--json``)."""
    data = diff.as_json()
    lines = [f"From cut-off {data['from']['cutoff']} ({data['from']['path']})",
             f"  to cut-off {data['to']['cutoff']} ({data['to']['path']})"]
    for name in ("new_enrolled", "new_infused", "new_deaths", "new_progressions", "new_dlts"):
        ids = data[name]
        lines.append(f"{name.replace('_', ' ').capitalize()}: {len(ids)}"
                     + (f" ({', '.join(ids)})" if ids else ""))
    lines.append(f"New responses: {len(data['new_responses'])}" + "".join(
        f"\n  {r['usubjid']}: {r['response']} ({r['date']})" for r in data["new_responses"]))
    aes = data["new_adverse_events"]
    lines.append(f"New adverse events: {aes['total']}, grade >= 3: {len(aes['grade3plus'])}"
                 + "".join(f"\n  {a['usubjid']}: {a['term']} (grade {a['grade']})"
                           for a in aes["grade3plus"]))
    lines.append("Records (added / removed / modified):")
    lines += [f"  {name}: {c['added']} / {c['removed']} / {c['modified']}"
              for name, c in data["changed_records"].items()]
    for record in data["removed_records"]:
        lines.append(f"Removed {record['dataset']} record {record['key']}")
    for record in data["modified_records"]:
        changes = "; ".join(f"{col} {v['from']} -> {v['to']}"
                            for col, v in record["changes"].items())
        lines.append(f"Modified {record['dataset']} record {record['key']}: {changes}")
    return "\n".join(lines)
