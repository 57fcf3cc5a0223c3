"""Rank guides for a question and decide: answer, clarify or none.

Two signals, both on pronunciation codes (see :mod:`kiosk.matching.text`) so homophone errors from the
recogniser do not matter:

* phrase alignment: how well the guide's best title/alias/question lines up with the question
  (rapidfuzz ``partial_ratio``), weighted by how much of each covers the other;
* vocabulary coverage: how much of the question's information (IDF-weighted syllable unigrams and
  bigrams) the guide's whole vocabulary explains.

Out-of-scope topics (身份证, 护照, weather, ...) are ranked like guides; when one wins, the answer is
``none`` with a referral to the right office.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from rapidfuzz import fuzz, process

from .sections import detect_section, strip_section_words
from .text import clean, code, has_chinese, normalize

ANSWER, CLARIFY, NONE = "answer", "clarify", "none"

# How phrase kinds count: aliases and titles are names, questions are whole sentences.
KIND_WEIGHT = {"title": 1.0, "alias": 1.0, "question": 0.92, "topic": 1.0}


@dataclass(frozen=True)
class Phrase:
    text: str
    code: str
    kind: str


@dataclass(frozen=True)
class Entry:
    """Something the matcher can land on: a guide, or an out-of-scope topic (``referral`` set)."""

    id: str
    title: str
    phrases: tuple[Phrase, ...]
    referral: str | None = None


@dataclass(frozen=True)
class Candidate:
    id: str
    title: str
    score: float


@dataclass(frozen=True)
class Match:
    query: str
    normalized: str
    status: str
    candidates: tuple[Candidate, ...]
    section: str | None
    referral: str | None = None  # where to go, when the question is about a service handled elsewhere
    topic: str | None = None  # the out-of-scope topic's title

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class Settings:
    answer_score: float = 60.0
    clarify_margin: float = 8.0
    max_choices: int = 3
    shortlist: int = 40
    phrase_weight: float = 0.3
    align_weight: float = 0.3


def _grams(c: str) -> set[str]:
    return set(c) | {c[i : i + 2] for i in range(len(c) - 1)}


def make_phrases(texts: Iterable[str], kind: str) -> list[Phrase]:
    out = []
    for t in texts:
        n = normalize(t)
        if n:
            out.append(Phrase(n, code(n), kind))
    return out


@dataclass
class Ranker:
    entries: Sequence[Entry]
    settings: Settings = field(default_factory=Settings)

    def __post_init__(self) -> None:
        self._grams: list[set[str]] = []
        postings: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            grams: set[str] = set()
            for p in e.phrases:
                grams |= _grams(p.code)
            self._grams.append(grams)
            for g in grams:
                postings.setdefault(g, []).append(i)
        n = max(len(self.entries), 1)
        self._idf = {g: math.log((n + 1) / (len(ix) + 0.5)) for g, ix in postings.items()}
        self._unknown_idf = math.log((n + 1) / 0.5)
        # Phrases: (entry index, phrase, its grams, their total weight), with postings gram -> phrase ids.
        self._phrases: list[tuple[int, Phrase, frozenset[str], float]] = []
        self._phrase_postings: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            for p in e.phrases:
                grams = frozenset(_grams(p.code))
                k = len(self._phrases)
                self._phrases.append((i, p, grams, sum(self._idf[g] for g in grams)))
                for g in grams:
                    self._phrase_postings.setdefault(g, []).append(k)
        # Very common grams add nearly the same to everyone: left out of the shortlist pass.
        limit = max(50, n // 4)
        self._postings = {g: ix for g, ix in postings.items() if len(ix) <= limit}
        self._topics = [i for i, e in enumerate(self.entries) if e.referral is not None]
        plimit = max(200, len(self._phrases) // 8)
        self._phrase_postings = {g: ix for g, ix in self._phrase_postings.items() if len(ix) <= plimit}

    def idf(self, gram: str) -> float:
        return self._idf.get(gram, self._unknown_idf)

    # -- scoring ----------------------------------------------------------------------------------
    def _coverage(self, qgrams: set[str], total: float, i: int) -> float:
        if total <= 0:
            return 0.0
        mine = self._grams[i]
        return sum(self.idf(g) for g in qgrams if g in mine) / total

    def _shortlist(self, qgrams: set[str]) -> list[int]:
        acc: dict[int, float] = {}
        for g in qgrams:
            ix = self._postings.get(g)
            if ix is None:
                continue
            w = self._idf[g]
            for i in ix:
                acc[i] = acc.get(i, 0.0) + w
        ranked = sorted(acc, key=acc.__getitem__, reverse=True)
        return ranked[: self.settings.shortlist]

    def _phrase_recall(self, qgrams: set[str], allowed: set[int] | None) -> dict[int, float]:
        """Best IDF-weighted recall of one phrase's sounds in the question, per entry (order-free)."""
        acc: dict[int, float] = {}
        for g in qgrams:
            ix = self._phrase_postings.get(g)
            if ix is None:
                continue
            w = self._idf[g]
            for k in ix:
                acc[k] = acc.get(k, 0.0) + w
        best: dict[int, float] = {}
        for k, got in acc.items():
            i, p, _, total = self._phrases[k]
            if allowed is not None and i not in allowed:
                continue
            value = (got / total) * KIND_WEIGHT[p.kind] if total > 0 else 0.0
            if value > best.get(i, 0.0):
                best[i] = value
        return best

    def score_all(self, core: str, only: Sequence[int] | None = None) -> list[tuple[float, int]]:
        """(score 0-100, entry index) for the shortlisted entries (or just ``only``), best first."""
        qc = code(core)
        if not qc:
            return []
        qgrams = _grams(qc)
        total = sum(self.idf(g) for g in qgrams)
        short = list(only) if only is not None else self._shortlist(qgrams)
        if not short:
            return []
        recall = self._phrase_recall(qgrams, set(short))
        codes: list[str] = []
        owners: list[tuple[int, Phrase]] = []
        for i in short:
            for p in self.entries[i].phrases:
                codes.append(p.code)
                owners.append((i, p))
        hits = process.extract(qc, codes, scorer=fuzz.partial_ratio, limit=None)
        align: dict[int, float] = {}
        lq = len(qc)
        for _, s, k in hits:
            i, p = owners[k]
            lp = len(p.code)
            fit = min(lp, lq) / max(lp, lq)
            value = (s / 100.0) * (0.55 + 0.45 * fit) * KIND_WEIGHT[p.kind]
            if value > align.get(i, 0.0):
                align[i] = value
        st = self.settings
        scored = [
            (100.0 * (st.phrase_weight * recall.get(i, 0.0) + st.align_weight * align.get(i, 0.0)
                      + (1 - st.phrase_weight - st.align_weight) * self._coverage(qgrams, total, i)), i)
            for i in short
        ]
        scored.sort(key=lambda t: (-t[0], t[1]))
        return scored

    def index_of(self, entry_id: str) -> int | None:
        if not hasattr(self, "_index"):
            self._index = {e.id: i for i, e in enumerate(self.entries)}
        return self._index.get(entry_id)

    def pick(self, query: str, ids: Sequence[str], min_score: float = 45.0, margin: float = 10.0) -> str | None:
        """Which of ids the query names (e.g. part of a title while choosing), or None if unclear."""
        norm = normalize(query if isinstance(query, str) else "")
        if not norm:
            return None
        only = [i for i in (self.index_of(x) for x in ids) if i is not None]
        scored = self.score_all(strip_section_words(norm) or norm, only)
        if not scored or scored[0][0] < min_score:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < margin:
            return None
        return self.entries[scored[0][1]].id

    # -- decision ---------------------------------------------------------------------------------
    def match(self, query: str, top: int = 3) -> Match:
        text = query if isinstance(query, str) else ""
        norm = normalize(text)
        if not norm or not has_chinese(norm):
            return Match(text, norm, NONE, (), None)
        section = detect_section(norm)
        core = strip_section_words(norm)
        if not core:  # only a part was asked for (要带什么材料?): no service named
            return Match(text, norm, NONE, (), section)
        scored = self.score_all(core)
        if core != norm and self._topics:
            # Out-of-scope topics see the whole question: 现在几点了 must not lose its 几点.
            best = {i: sc for sc, i in scored}
            for sc, i in self.score_all(norm, self._topics):
                best[i] = max(sc, best.get(i, 0.0))
            scored = sorted(((sc, i) for i, sc in best.items()), key=lambda t: (-t[0], t[1]))
        guides = [(s, i) for s, i in scored if self.entries[i].referral is None]
        cands = tuple(
            Candidate(self.entries[i].id, self.entries[i].title, round(s, 1)) for s, i in guides[: max(top, 1)]
        )
        st = self.settings
        if scored and self.entries[scored[0][1]].referral is not None and scored[0][0] >= st.answer_score:
            e = self.entries[scored[0][1]]
            return Match(text, norm, NONE, cands, section, referral=e.referral, topic=e.title)
        if not cands or cands[0].score < st.answer_score:
            return Match(text, norm, NONE, cands, section)
        close = [c for c in cands[: st.max_choices] if c.score >= cands[0].score - st.clarify_margin]
        if len(close) >= 2:
            return Match(text, norm, CLARIFY, cands, section)
        return Match(text, norm, ANSWER, cands, section)


def baseline_scores(query: str, names: Sequence[tuple[str, Sequence[str]]]) -> list[tuple[float, str]]:
    """The simplest matcher, for comparison: rapidfuzz WRatio over titles and aliases, best per guide."""
    q = clean(query)
    out = []
    for gid, texts in names:
        best = max((fuzz.WRatio(q, clean(t)) for t in texts), default=0.0)
        out.append((best, gid))
    out.sort(key=lambda t: (-t[0], t[1]))
    return out
