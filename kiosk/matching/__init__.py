"""Matching residents' questions to guides: normalisation, pinyin, a BM25F index, ranking, decision.

This package is the only user of rapidfuzz (grouping) and numpy (the index).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import yaml

from ..knowledge.events import Event, load_events
from ..knowledge.model import Guide, KnowledgeBase, title_variants
from .ranker import (ANSWER, CLARIFY, NONE, NAME_KINDS, Candidate, Entry, Match, Ranker, Settings, Topic,
                     make_phrases, name_parts)
from .grouping import group_similar
from .sections import detect_section
from .text import normalize, normalize_many

OUT_OF_SCOPE_FILE = Path(__file__).resolve().parent.parent / "data" / "out_of_scope.yaml"

__all__ = ["ANSWER", "CLARIFY", "NONE", "Candidate", "Match", "Matcher", "Settings", "detect_section",
           "normalize", "guide_documents", "guide_entry", "event_entry", "group_similar"]


def guide_fields(g: Guide) -> list[tuple[str, Sequence[str]]]:
    """The texts of a guide the index reads, by field (phrase kind)."""
    return [
        ("title", title_variants(g.title)), ("alias", g.aliases),
        ("spoken", [g.spoken_name] if g.spoken_name else []), ("question", g.questions),
        ("situation", g.situations), ("summary", [g.summary]), ("faq", [f.q for f in g.faq]),
        ("condition", g.conditions), ("benefit", g.benefits),
    ]


class PackedDocument:
    """A guide's fields for the index in one string (fields split by \\x1f, texts by newlines): a few
    objects per guide instead of dozens, which matters at 20,000 guides."""

    __slots__ = ("kinds", "packed")

    def __init__(self, kinds: tuple[str, ...], texts: Sequence[str]) -> None:
        self.kinds = kinds
        self.packed = "\x1f".join(texts)

    def __iter__(self):
        return zip(self.kinds, self.packed.split("\x1f"))


def guide_documents(guides: Iterable[Guide], batch: int = 256) -> tuple[list[Entry], list[PackedDocument]]:
    """Per guide: an entry holding its names, and its document for the index (field, normalised texts
    joined by newlines). Texts are normalised in one pass per guide, repeated texts once; the section words
    of ``batch`` guides' questions are stripped in one pass."""
    cache: dict[str, str] = {}
    kinds_seen: dict[tuple[str, ...], tuple[str, ...]] = {}
    entries, docs = [], []
    pending: list[tuple[Guide, list[str], list[str]]] = []  # (guide, its names but questions, its questions)

    def flush() -> None:
        questions = [q for _, _, qs in pending for q in qs]
        parts = iter(name_parts("question", questions))
        for g, names, qs in pending:
            names += [next(parts) for _ in qs]
            entries.append(Entry(g.id, g.title, (), names="\n".join(names)))
        pending.clear()

    for g in guides:
        fields = guide_fields(g)
        todo = list(dict.fromkeys(t for _, texts in fields for t in texts if t not in cache))
        if todo:
            cache.update(zip(todo, normalize_many(todo)))
        names: list[str] = []
        questions: list[str] = []
        kinds: list[str] = []
        texts_out: list[str] = []
        for kind, texts in fields:
            norm = [n for n in (cache[t] for t in texts) if n]
            if not norm:
                continue
            kinds.append(kind)
            texts_out.append("\n".join(norm))
            if kind == "question":
                questions += norm
            elif kind in NAME_KINDS:
                names += norm
        key = tuple(kinds)
        pending.append((g, names, questions))
        docs.append(PackedDocument(kinds_seen.setdefault(key, key), texts_out))
        if len(pending) >= batch:
            flush()
    flush()
    return entries, docs


def guide_entry(g: Guide) -> Entry:
    """One guide with all its phrases by kind (for tools and tests; the matcher indexes guide_documents)."""
    return Entry(g.id, g.title, tuple(p for kind, texts in guide_fields(g) for p in make_phrases(texts, kind)))


def event_entry(e: Event) -> Entry:
    """A life event as something to match: its title and the situations residents describe."""
    phrases = make_phrases([e.title], "title") + make_phrases(e.situations, "event")
    return Entry(f"event:{e.id}", e.title, tuple(phrases), guides=e.guides)


def load_topics(path: Path = OUT_OF_SCOPE_FILE) -> list[Entry]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or []
    return [
        Topic(t["id"], t["title"], tuple(make_phrases(t.get("names", []), "owned") + make_phrases(t["aliases"], "topic")),
              referral=t["referral"], elsewhere=bool(t.get("elsewhere", True)), kind=t.get("kind", ""),
              pairs=tuple(tuple(normalize(h) for h in pair.split("…")) for pair in t.get("pairs", [])))
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
                 topics: Iterable[Entry] | None = None, events: Sequence[Event] = (), rerank=True,
                 model=True) -> None:
        """``rerank``: the second stage's weights (:class:`kiosk.matching.rerank.RerankWeights`), True for
        the stored ones, False for the first stage alone. ``model``: the guide model
        (:class:`kiosk.matching.guide_model.GuideModel`), True for the stored one when it was fitted on
        these guides, False for none."""
        entries, docs = guide_documents(guides)
        others = list(load_topics() if topics is None else topics) + [event_entry(e) for e in events]
        docs += [[(p.kind, p.text) for p in e.phrases] for e in others]  # type: ignore[misc]
        self.ranker = Ranker(entries + others, settings or Settings(), docs, rerank=rerank, model=model)

    @classmethod
    def for_knowledge(cls, kb: KnowledgeBase, settings: Settings | None = None,
                      events: Sequence[Event] | None = None) -> "Matcher":
        return cls(kb.guides, settings, events=events_for(kb) if events is None else events)

    def match(self, query: str, top: int = 3) -> Match:
        return self.ranker.match(query, top=top)

    def standing(self, query: str, guide_ids: tuple[str, ...]) -> tuple[tuple[float, int], ...]:
        """How a question stands to each of some guides: its score (0-100, as the candidates' are) and how many
        sounds of the guide's longest title or alias are heard whole in it (0: none). Used to keep a follow-up
        on the guide on screen unless it names another service."""
        return self.ranker.standing(query, guide_ids)

    def pick(self, query: str, ids: list[str]) -> str | None:
        """Which of the guides ids the query names, when it clearly names one (used while clarifying)."""
        return self.ranker.pick(query, ids)
