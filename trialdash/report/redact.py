"""Presentation-mode safety net for the pack: patient identifiers left in what the pages
showed (e.g. a chart's ``customdata`` kept for click-through) become pseudonyms.

The pages already show pseudonyms in presentation mode; this pass covers what a page hands
to the browser without showing it, because a pack is a file that leaves the meeting.
USUBJIDs are replaced wherever they occur inside a string; SUBJIDs (short, e.g. "004") only
where a whole value equals one, so numbers are never altered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from trialdash.report.harvest import Block, Harvest


class Pseudonymiser:
    """Replace USUBJIDs (anywhere in a string) and SUBJIDs (whole values) by pseudonyms."""

    def __init__(self, by_usubjid: Mapping[str, str], by_subjid: Mapping[str, str]):
        self.by_usubjid = dict(by_usubjid)
        self.by_subjid = dict(by_subjid)
        names = sorted(self.by_usubjid, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, names))) if names else None

    def text(self, value: str) -> str:
        if value in self.by_subjid:
            return self.by_subjid[value]
        if self._pattern is None:
            return value
        return self._pattern.sub(lambda m: self.by_usubjid[m[0]], value)

    def value(self, value):
        """Any JSON-like value (figure dicts and lists) with identifiers replaced."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        def cell(v):
            return self.text(v) if isinstance(v, str) else v

        out = frame.map(cell)
        out.columns = [cell(c) for c in frame.columns]
        out.index = frame.index.map(cell)
        return out

    def block(self, block: Block) -> Block:
        data = block.data
        if isinstance(data, pd.DataFrame):
            data = self.frame(data)
        elif isinstance(data, (dict, list, tuple)):
            data = type(data)(self.value(list(data))) if isinstance(data, tuple) \
                else self.value(data)
        return Block(block.kind, self.text(block.text), data,
                     [self.block(c) for c in block.children], block.level, block.variant,
                     block.show_index)

    def harvest(self, harvest: Harvest) -> Harvest:
        sections = [type(s)(s.title, s.script, [self.block(b) for b in s.blocks])
                    for s in harvest.sections]
        return Harvest(sections, harvest.dose_groups, harvest.subtypes,
                       harvest.patients, harvest.present)
