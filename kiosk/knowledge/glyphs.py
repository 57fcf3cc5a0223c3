"""Which characters the kiosk's font can draw, read from kiosk/data/fonts/coverage.txt.

The UI font is a subset (scripts/make_font.py); a character outside it shows as an empty box on
the screen. This module lets `kiosk validate` and tests check guide text without fonttools.
"""
from __future__ import annotations

import bisect
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .model import Guide

COVERAGE_FILE = Path(__file__).resolve().parent.parent / "data" / "fonts" / "coverage.txt"


class Coverage:
    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        merged = sorted(ranges)
        self._starts = [a for a, _ in merged]
        self._ends = [b for _, b in merged]

    @classmethod
    def parse(cls, text: str) -> "Coverage":
        ranges = []
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                a, _, b = line.partition("-")
                ranges.append((int(a, 16), int(b or a, 16)))
        return cls(ranges)

    def __contains__(self, ch: str) -> bool:
        cp = ord(ch)
        i = bisect.bisect_right(self._starts, cp) - 1
        return i >= 0 and cp <= self._ends[i]

    def missing(self, text: str) -> list[str]:
        """Characters of text the font cannot draw (white space and controls aside), in order, once each."""
        out: list[str] = []
        for ch in text:
            if ch.isprintable() and not ch.isspace() and ch not in self and ch not in out:
                out.append(ch)
        return out


@lru_cache(maxsize=1)
def font_coverage(path: Path = COVERAGE_FILE) -> Coverage:
    return Coverage.parse(path.read_text(encoding="utf-8"))


def guide_text(guide: Guide) -> str:
    """Everything of a guide that the screen can show."""
    parts = [guide.title, guide.summary, guide.department, guide.time_limit, guide.fees, guide.scope,
             guide.location, guide.hours, guide.contact, *guide.aliases, *guide.conditions, *guide.steps,
             *guide.basis, *guide.notes, *guide.benefits, *(m.describe() for m in guide.materials),
             *(f.q + f.a for f in guide.faq)]
    return "\n".join(parts)
