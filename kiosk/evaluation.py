"""Measure the matcher on a labelled question file (query<TAB>expected[<TAB>section])."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .knowledge.model import KnowledgeBase
from .matching import ANSWER, CLARIFY, NONE, Matcher
from .matching.ranker import baseline_scores

NONE_LABEL = "NONE"


@dataclass(frozen=True)
class Row:
    query: str
    expected: str
    section: str | None
    line: int


@dataclass
class Report:
    rows: int = 0
    in_scope: int = 0
    top1: int = 0
    top3: int = 0
    answered_right: int = 0
    clarified: int = 0
    answered_wrong: int = 0
    false_reject: int = 0
    none_rows: int = 0
    none_rejected: int = 0
    section_rows: int = 0
    section_right: int = 0
    base_top1: int = 0
    base_top3: int = 0
    base_none_rejected: int = 0
    misses: list[str] = field(default_factory=list)

    @staticmethod
    def pct(a: int, b: int) -> str:
        return f"{100.0 * a / b:5.1f}%" if b else "   n/a"

    def lines(self) -> list[str]:
        p = self.pct
        return [
            f"rows: {self.rows} ({self.in_scope} in scope, {self.none_rows} NONE)",
            f"top-1 accuracy (in scope):        {p(self.top1, self.in_scope)}  ({self.top1}/{self.in_scope})",
            f"top-3 accuracy (in scope):        {p(self.top3, self.in_scope)}  ({self.top3}/{self.in_scope})",
            f"answered directly and right:      {p(self.answered_right, self.in_scope)}",
            f"asked to choose (clarify):        {p(self.clarified, self.in_scope)}",
            f"answered with a wrong guide:      {p(self.answered_wrong, self.in_scope)}  ({self.answered_wrong})",
            f"in scope wrongly rejected:        {p(self.false_reject, self.in_scope)}  ({self.false_reject})",
            f"NONE rows rejected:               {p(self.none_rejected, self.none_rows)}  "
            f"({self.none_rejected}/{self.none_rows})",
            f"section accuracy (labelled rows): {p(self.section_right, self.section_rows)}  "
            f"({self.section_right}/{self.section_rows})",
            f"baseline (rapidfuzz WRatio over titles+aliases): top-1 {p(self.base_top1, self.in_scope)}, "
            f"top-3 {p(self.base_top3, self.in_scope)}, NONE rejected {p(self.base_none_rejected, self.none_rows)}",
        ]


def read_rows(path: str | Path) -> list[Row]:
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        for n, parts in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not parts or not parts[0].strip() or parts[0].startswith("#"):
                continue
            if parts[0] == "query" and not rows:
                continue  # header
            expected = parts[1].strip() if len(parts) > 1 else NONE_LABEL
            section = parts[2].strip() if len(parts) > 2 and parts[2].strip() else None
            rows.append(Row(parts[0], expected or NONE_LABEL, section, n))
    return rows


def evaluate(rows: Sequence[Row], kb: KnowledgeBase, matcher: Matcher, baseline_reject: float = 60.0) -> Report:
    r = Report()
    names = [(g.id, (g.title, *g.aliases)) for g in kb.guides]
    for row in rows:
        r.rows += 1
        m = matcher.match(row.query, top=3)
        ids = [c.id for c in m.candidates]
        base = baseline_scores(row.query, names)[:3]
        if row.expected == NONE_LABEL:
            r.none_rows += 1
            if m.status == NONE:
                r.none_rejected += 1
            else:
                r.misses.append(f"{row.line}: {row.query}  expected NONE, got {m.status} {ids[:1]}")
            if not base or base[0][0] < baseline_reject:
                r.base_none_rejected += 1
            continue
        r.in_scope += 1
        rejected = m.status == NONE
        r.false_reject += rejected
        if not rejected and ids[:1] == [row.expected]:
            r.top1 += 1
            r.answered_right += m.status == ANSWER
        elif rejected:
            r.misses.append(f"{row.line}: {row.query}  expected {row.expected}, got none {ids[:1]}")
        else:
            r.answered_wrong += m.status == ANSWER
            r.misses.append(f"{row.line}: {row.query}  expected {row.expected}, got {m.status} {ids}")
        if not rejected and row.expected in ids[:3]:
            r.top3 += 1
        r.clarified += m.status == CLARIFY
        if base and base[0][1] == row.expected:
            r.base_top1 += 1
        if row.expected in [gid for _, gid in base]:
            r.base_top3 += 1
        if row.section is not None:
            r.section_rows += 1
            if m.section == row.section:
                r.section_right += 1
            else:
                r.misses.append(f"{row.line}: {row.query}  section {row.section}, got {m.section}")
    return r
