"""The regression file: reviewed questions and the guide each must reach, run in the tests.

``tests/data/regression.tsv`` has rows ``query<TAB>expected<TAB>section`` (expected: a guide id, or
NONE when the kiosk must not answer; section optional). A row passes when the matcher answers that
guide directly (or answers nothing, for NONE) and, when a section is given, detects that section.

The file grows from the question log: ``kiosk report --export-review`` writes candidates, staff fill
in the expected guide, and ``kiosk regression add`` appends the rows the matcher already gets right;
the others are listed with what the matcher did, so staff know which alias to add before adding them.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..evaluation import NONE_LABEL, Row, read_rows
from ..knowledge.model import SECTIONS, KnowledgeBase
from ..matching import ANSWER, NONE, Matcher

HEADER = "query\texpected\tsection\n"


@dataclass(frozen=True)
class Outcome:
    row: Row
    ok: bool
    got: str  # what the matcher did, for staff: "answer assistance-01 (91)", "clarify a/b", "none"

    def describe(self) -> str:
        want = self.row.expected + (f" [{self.row.section}]" if self.row.section else "")
        return f"第 {self.row.line} 行  {self.row.query}  应为 {want}，实际 {self.got}"


def check_row(row: Row, matcher: Matcher) -> Outcome:
    m = matcher.match(row.query)
    best = m.best
    if m.status == ANSWER and best:
        got = f"answer {best.id}（{best.score:.0f}分）"
    elif m.status == NONE:
        got = "none" + (f"（最接近 {best.id} {best.score:.0f}分）" if best else "")
    else:
        got = "clarify " + "/".join(c.id for c in m.candidates[:3])
    if m.section:
        got += f" [{m.section}]"
    if row.expected == NONE_LABEL:
        ok = m.status == NONE
    else:
        ok = m.status == ANSWER and best is not None and best.id == row.expected
        ok = ok and (row.section is None or m.section == row.section)
    return Outcome(row, ok, got)


def checkable(row: Row, kb: KnowledgeBase) -> bool:
    """Rows for guides that are not in this knowledge base cannot be checked against it."""
    return row.expected == NONE_LABEL or kb.get(row.expected) is not None


def run_file(path: str | Path, kb: KnowledgeBase, matcher: Matcher) -> tuple[list[Outcome], int]:
    """Outcomes of the checkable rows, and how many rows were left out (guide not loaded)."""
    rows = read_rows(path)
    todo = [r for r in rows if checkable(r, kb)]
    return [check_row(r, matcher) for r in todo], len(rows) - len(todo)


@dataclass
class AddResult:
    added: list[Row]
    failing: list[Outcome]  # reviewed rows the matcher gets wrong now: add an alias first
    unreviewed: int  # rows still marked ? or empty
    invalid: list[str]  # rows naming an unknown guide or section
    duplicates: int


def add_reviewed(review: str | Path, target: str | Path, kb: KnowledgeBase, matcher: Matcher) -> AddResult:
    existing = {r.query for r in read_rows(target)} if Path(target).exists() else set()
    result = AddResult([], [], 0, [], 0)
    for row in _review_rows(review):
        if not row.expected or row.expected.startswith("?"):
            result.unreviewed += 1
            continue
        if row.expected != NONE_LABEL and kb.get(row.expected) is None:
            result.invalid.append(f"第 {row.line} 行：没有编号为 {row.expected} 的指南")
            continue
        if row.section is not None and row.section not in SECTIONS:
            result.invalid.append(f"第 {row.line} 行：section 应为 {'、'.join(SECTIONS)} 之一，现在是 {row.section}")
            continue
        if row.query in existing:
            result.duplicates += 1
            continue
        outcome = check_row(row, matcher)
        if outcome.ok:
            result.added.append(row)
            existing.add(row.query)
        else:
            result.failing.append(outcome)
    if result.added:
        _append(target, result.added)
    return result


def _review_rows(path: str | Path) -> list[Row]:
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for n, parts in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not parts or not parts[0].strip() or parts[0].startswith("#") or (parts[0] == "query" and n <= 8):
                continue
            expected = parts[1].strip() if len(parts) > 1 else ""
            section = parts[2].strip() if len(parts) > 2 and parts[2].strip() else None
            rows.append(Row(" ".join(parts[0].split()), expected, section, n))
    return rows


def _append(target: str | Path, rows: Sequence[Row]) -> None:
    path = Path(target)
    new = not path.exists() or path.stat().st_size == 0
    text = path.read_text(encoding="utf-8") if not new else ""
    with open(path, "a", encoding="utf-8", newline="") as fh:
        if new:
            fh.write(HEADER)
        elif not text.endswith("\n"):
            fh.write("\n")
        for r in rows:
            fh.write(f"{r.query}\t{r.expected}\t{r.section or ''}\n")
