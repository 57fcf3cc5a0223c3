"""Search by pinyin initials, for a touch screen with no Chinese keyboard: 居住证 is J Z Z, 低保 is D B.

Pure logic (pypinyin, no Kivy): each guide's title and aliases become sequences of initial-letter
sets (a character with two readings, like 长 cháng/zhǎng, may be typed either way). A query of
letters matches a name when it is a run of those sequences; the list narrows with each letter and
:meth:`InitialsIndex.next_letters` says which keys can still lead somewhere.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Iterable, Sequence

from .knowledge.model import Guide

LETTERS = string.ascii_uppercase
EXACT, PREFIX, INSIDE = 0, 1, 2  # how a name matched, best first
_CJK = re.compile(r"[\u3400-\u9fff]")


#: Characters whose other reading residents commonly type too (银行 H, 长宁 C, 重新 C …); pypinyin's
#: full heteronym lists are too broad for this (精 would also be Q), so only these get a second letter.
POLYPHONES: dict[str, str] = {
    "长": "CZ", "行": "XH", "重": "ZC", "调": "TD", "参": "CS", "会": "HK", "单": "DS", "系": "XJ",
    "还": "HY", "曾": "CZ", "省": "SX", "乐": "LY", "朝": "CZ", "着": "ZZ", "藏": "CZ", "地": "DD",
}


def initials(text: str) -> tuple[frozenset[str], ...]:
    """One set of possible initial letters per Chinese character or Latin letter; the rest is skipped.

    Readings come from pypinyin with its phrase dictionary (so 银行 is Y H), plus the common other
    reading of a few polyphonic characters.
    """
    from pypinyin import Style, pinyin

    items = pinyin(text, style=Style.FIRST_LETTER, errors=lambda run: [[c] for c in run])
    if len(items) != len(text):  # never seen; keep characters and readings aligned regardless
        items = [pinyin(c, style=Style.FIRST_LETTER, errors=lambda run: [[run]])[0] for c in text]
    out = []
    for ch, item in zip(text, items):
        letter = item[0][:1] if item and item[0] else ""
        letters = set(POLYPHONES.get(ch, ""))
        if letter.isascii() and letter.isalpha() and (_CJK.match(ch) or ch.isalpha()):
            letters.add(letter.upper())
        if letters:
            out.append(frozenset(letters))
    return tuple(out)


def primary_initials(text: str) -> str:
    """The usual reading's initials as one string (居住证 → JZZ), for display."""
    from pypinyin import Style, lazy_pinyin

    out = []
    for ch in text:
        if _CJK.match(ch):
            out += [p[0].upper() for p in lazy_pinyin(ch, style=Style.FIRST_LETTER) if p and p[0].isalpha()]
        elif ch.isascii() and ch.isalpha():
            out.append(ch.upper())
    return "".join(out)


def clean_query(text: str) -> str:
    return "".join(c for c in text.upper() if c in LETTERS)


def _starts(n: int, seq: Sequence[frozenset[str]]) -> range:
    """Where in seq a query of n letters may begin."""
    return range(len(seq) - n + 1)


def _find(query: str, seq: Sequence[frozenset[str]]) -> int:
    """First position where query runs along seq, or -1."""
    n = len(query)
    for start in _starts(n, seq):
        if all(query[k] in seq[start + k] for k in range(n)):
            return start
    return -1


@dataclass(frozen=True)
class Name:
    text: str  # the title or alias as written
    seq: tuple[frozenset[str], ...]
    is_title: bool


@dataclass(frozen=True)
class Hit:
    guide: Guide
    name: str  # the name the letters matched (an alias like 低保, or the title)
    how: int  # EXACT, PREFIX or INSIDE

    @property
    def via_alias(self) -> bool:
        return self.name != self.guide.title


class InitialsIndex:
    """All guides' names as initial sequences. Build once per knowledge base."""

    def __init__(self, guides: Iterable[Guide], order: Sequence[str] = ()) -> None:
        self.guides = tuple(guides)
        rank = {gid: i for i, gid in enumerate(order)}
        self._rank = {g.id: (rank.get(g.id, len(rank)), i) for i, g in enumerate(self.guides)}
        self._names: list[tuple[Guide, tuple[Name, ...]]] = []
        for g in self.guides:
            names = [Name(g.title, initials(g.title), True)]
            seen = {g.title}
            for alias in g.aliases:
                if alias not in seen:
                    seen.add(alias)
                    names.append(Name(alias, initials(alias), False))
            self._names.append((g, tuple(n for n in names if n.seq)))

    def search(self, query: str, limit: int | None = None) -> list[Hit]:
        """Guides whose title or an alias has these initials, best first.

        A name spelled out whole (DB = 低保) beats one the letters start (JZZ… = 居住证积分), which
        beats one they occur inside; within that, a title beats an alias, then shorter names, then
        the order given (popular first) and the guides' own order.
        """
        q = clean_query(query)
        if not q:
            return []
        hits = []
        for guide, names in self._names:
            best: tuple | None = None
            for name in names:
                pos = _find(q, name.seq)
                if pos < 0:
                    continue
                how = EXACT if pos == 0 and len(name.seq) == len(q) else PREFIX if pos == 0 else INSIDE
                key = (how, not name.is_title, len(name.seq), name)
                if best is None or key[:3] < best[:3]:
                    best = key
            if best is not None:
                hits.append((best[0], best[1], best[2], self._rank[guide.id], Hit(guide, best[3].text, best[0])))
        hits.sort(key=lambda h: h[:4])
        out = [h[4] for h in hits]
        return out[:limit] if limit is not None else out

    def next_letters(self, query: str) -> frozenset[str]:
        """The letters that, typed next, still leave at least one guide."""
        q = clean_query(query)
        out: set[str] = set()
        for _, names in self._names:
            for name in names:
                seq = name.seq
                for start in _starts(len(q) + 1, seq):
                    if all(q[k] in seq[start + k] for k in range(len(q))):
                        out |= seq[start + len(q)]
            if len(out) == len(LETTERS):
                break
        return frozenset(out & set(LETTERS))
