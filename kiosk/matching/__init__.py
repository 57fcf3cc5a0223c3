"""Matching residents' questions to guides: normalisation, pinyin, scoring, ranking.

This package is the only user of rapidfuzz.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import yaml

from ..knowledge.model import Guide, KnowledgeBase
from .ranker import ANSWER, CLARIFY, NONE, Candidate, Entry, Match, Ranker, Settings, make_phrases
from .grouping import group_similar
from .sections import detect_section
from .text import normalize

OUT_OF_SCOPE_FILE = Path(__file__).resolve().parent.parent / "data" / "out_of_scope.yaml"

__all__ = ["ANSWER", "CLARIFY", "NONE", "Candidate", "Match", "Matcher", "Settings", "detect_section",
           "normalize", "guide_entry", "group_similar"]


def _title_parts(title: str) -> list[str]:
    """The title, the title without its bracketed part, and the bracketed part."""
    parts = [title]
    inner = re.findall(r"[（(]([^）)]*)[）)]", title)
    outer = re.sub(r"[（(][^）)]*[）)]", "", title)
    if outer and outer != title:
        parts.append(outer)
    parts += [p for p in inner if len(p) >= 3]
    return parts


def guide_entry(g: Guide) -> Entry:
    phrases = (
        make_phrases(_title_parts(g.title), "title")
        + make_phrases(g.aliases, "alias")
        + make_phrases(list(g.questions) + [f.q for f in g.faq], "question")
    )
    return Entry(g.id, g.title, tuple(phrases))


def load_topics(path: Path = OUT_OF_SCOPE_FILE) -> list[Entry]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        Entry(t["id"], t["title"], tuple(make_phrases(t["aliases"], "topic")), referral=t["referral"])
        for t in data
    ]


class Matcher:
    """Ranks the guides of one knowledge base. Immutable once built; build a new one on reload."""

    def __init__(self, guides: Iterable[Guide], settings: Settings | None = None,
                 topics: Iterable[Entry] | None = None) -> None:
        entries = [guide_entry(g) for g in guides]
        entries += list(load_topics() if topics is None else topics)
        self.ranker = Ranker(entries, settings or Settings())

    @classmethod
    def for_knowledge(cls, kb: KnowledgeBase, settings: Settings | None = None) -> "Matcher":
        return cls(kb.guides, settings)

    def match(self, query: str, top: int = 3) -> Match:
        return self.ranker.match(query, top=top)

    def pick(self, query: str, ids: list[str]) -> str | None:
        """Which of the guides ids the query names, when it clearly names one (used while clarifying)."""
        return self.ranker.pick(query, ids)
