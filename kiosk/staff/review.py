"""The order in which staff should review guides: unsourced first, then the longest unchecked, doubts counted."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from ..knowledge.model import Guide


@dataclass(frozen=True)
class ReviewRow:
    guide: Guide
    oldest: dt.date | None  # the oldest date any of its sources was checked; None: no source at all
    doubts: tuple[str, ...]


def review_rows(guides: Iterable[Guide]) -> list[ReviewRow]:
    rows = [ReviewRow(g, min((s.checked for s in g.sources), default=None), g.doubts) for g in guides]
    return sorted(rows, key=lambda r: (r.oldest is not None, r.oldest or dt.date.min, -len(r.doubts), r.guide.id))
