"""Matching residents' questions to guides: normalisation, pinyin, a BM25F index, ranking, decision.

This package is the only user of rapidfuzz (grouping) and numpy (the index).
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Sequence

import yaml

from ..knowledge.events import Event, load_events
from ..knowledge.model import Guide, KnowledgeBase
from .ranker import ANSWER, CLARIFY, NONE, Candidate, Entry, Match, Phrase, Ranker, Settings, make_phrases
from .grouping import group_similar
from .sections import detect_section
from .text import normalize

OUT_OF_SCOPE_FILE = Path(__file__).resolve().parent.parent / "data" / "out_of_scope.yaml"

__all__ = ["ANSWER", "CLARIFY", "NONE", "Candidate", "Match", "Matcher", "Settings", "detect_section",
           "normalize", "guide_entry", "event_entry", "group_similar"]


def _title_parts(title: str) -> list[str]:
    """The title, the title without its bracketed part, and the bracketed part."""
    parts = [title]
    inner = re.findall(r"[（(]([^）)]*)[）)]", title)
    outer = re.sub(r"[（(][^）)]*[）)]", "", title)
    if outer and outer != title:
        parts.append(outer)
    parts += [p for p in inner if len(p) >= 3]
    return parts


def guide_entry(g: Guide, cache: dict[str, str] | None = None) -> Entry:
    c = cache
    phrases = (
        make_phrases(_title_parts(g.title), "title", c)
        + make_phrases(g.aliases, "alias", c)
        + make_phrases([g.spoken_name] if g.spoken_name else [], "spoken", c)
        + make_phrases(g.questions, "question", c)
        + make_phrases(g.situations, "situation", c)
        + make_phrases([g.summary], "summary", c)
        + make_phrases([f.q for f in g.faq], "faq", c)
        + make_phrases(g.conditions, "condition", c)
        + make_phrases(g.benefits, "benefit", c)
    )
    return Entry(g.id, g.title, tuple(phrases))


def event_entry(e: Event) -> Entry:
    """A life event as something to match: its title and the situations residents describe."""
    phrases = make_phrases([e.title], "title") + make_phrases(e.situations, "event")
    return Entry(f"event:{e.id}", e.title, tuple(phrases), guides=e.guides)


def load_topics(path: Path = OUT_OF_SCOPE_FILE) -> list[Entry]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        Entry(t["id"], t["title"], tuple(make_phrases(t["aliases"], "topic")), referral=t["referral"])
        for t in data
    ]


def guides_directory(kb: KnowledgeBase) -> Path | None:
    """The folder the knowledge base was loaded from (guides live in <folder>/<category>/<id>.yaml)."""
    for g in kb.guides:
        if g.path:
            return Path(g.path).parent.parent
    return None


def events_for(kb: KnowledgeBase) -> list[Event]:
    """The life events of the knowledge base's folder, limited to the guides it has."""
    folder = guides_directory(kb)
    if folder is None:
        return []
    events, _ = load_events(folder, [g.id for g in kb.guides])
    return events


class Matcher:
    """Ranks the guides of one knowledge base. Immutable once built; build a new one on reload."""

    def __init__(self, guides: Iterable[Guide], settings: Settings | None = None,
                 topics: Iterable[Entry] | None = None, events: Sequence[Event] = ()) -> None:
        cache: dict[str, str] = {}
        entries = [guide_entry(g, cache) for g in guides]
        del cache
        entries += list(load_topics() if topics is None else topics)
        entries += [event_entry(e) for e in events]
        self.ranker = Ranker(entries, settings or Settings())

    @classmethod
    def for_knowledge(cls, kb: KnowledgeBase, settings: Settings | None = None,
                      events: Sequence[Event] | None = None) -> "Matcher":
        return cls(kb.guides, settings, events=events_for(kb) if events is None else events)

    def match(self, query: str, top: int = 3) -> Match:
        return self.ranker.match(query, top=top)

    def pick(self, query: str, ids: list[str]) -> str | None:
        """Which of the guides ids the query names, when it clearly names one (used while clarifying)."""
        return self.ranker.pick(query, ids)
