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
    answer_score: float = 46.0
    clarify_margin: float = 6.0
    max_choices: int = 3
    shortlist: int = 24
    phrase_weight: float = 0.35
    align_weight: float = 0.35
    query_share: float = 0.2
    align_top: int = 12  # how many of the shortlist rapidfuzz aligns
    topic_margin: float = 12.0  # an out-of-scope topic must beat the best guide by this much

    @classmethod
    def from_config(cls, config) -> "Settings":
        """The ``matching`` part of the config (anything with ``get(dotted_key, default)``)."""
        return cls(
            answer_score=float(config.get("matching.answer_score", cls.answer_score)),
            clarify_margin=float(config.get("matching.clarify_margin", cls.clarify_margin)),
            max_choices=int(config.get("matching.max_choices", cls.max_choices)),
        )


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
        # Per entry, its phrases as (phrase, grams, weight of single sounds, weight of sound pairs).
        # Single sounds make recall order-free (补办社保卡 covers 社保卡补办); pairs keep one rare shared
        # sound from passing for the whole phrase (订 is not 定补).
        self._phrases: list[list[tuple[Phrase, frozenset[str], float, float]]] = []
        for e in self.entries:
            rows = []
            for p in e.phrases:
                grams = frozenset(_grams(p.code))
                uni = sum(self._idf[g] for g in grams if len(g) == 1)
                bi = sum(self._idf[g] for g in grams if len(g) == 2)
                rows.append((p, grams, uni, bi))
            self._phrases.append(rows)
        # Only selective grams drive the shortlist: common ones add nearly the same to everyone.
        limit = max(50, n // 50)
        self._postings = {g: ix for g, ix in postings.items() if len(ix) <= limit}
        self._topics = [i for i, e in enumerate(self.entries) if e.referral is not None]

    def idf(self, gram: str) -> float:
        return self._idf.get(gram, self._unknown_idf)

    # -- scoring ----------------------------------------------------------------------------------
    def _shortlist(self, qw: dict[str, float]) -> list[int]:
        acc: dict[int, float] = {}
        for g, w in qw.items():
            ix = self._postings.get(g)
            if ix is None:
                continue
            for i in ix:
                acc[i] = acc.get(i, 0.0) + w
        ranked = sorted(acc, key=acc.__getitem__, reverse=True)
        return ranked[: self.settings.shortlist]

    def _phrase_recall(self, qw: dict[str, float], qset: frozenset[str], i: int, qtotal: float) -> float:
        """The entry's best phrase: share of the phrase's sounds heard in the question (IDF-weighted;
        half single sounds, half sound pairs), scaled by how much of the question that phrase explains."""
        q_share = self.settings.query_share
        top = 0.0
        for p, grams, u_total, b_total in self._phrases[i]:
            shared = grams & qset
            if not shared or u_total <= 0:
                continue
            u = b = 0.0
            for g in shared:
                if len(g) == 1:
                    u += qw[g]
                else:
                    b += qw[g]
            recall = u / u_total
            if b_total > 0:
                recall = 0.5 * recall + 0.5 * b / b_total
            value = recall * ((1 - q_share) + q_share * u / qtotal) * KIND_WEIGHT[p.kind]
            if value > top:
                top = value
        return top

    def score_all(self, core: str, only: Sequence[int] | None = None) -> list[tuple[float, int]]:
        """(score 0-100, entry index) for the shortlisted entries (or just ``only``), best first.

        Two passes: recall and coverage rank the shortlist cheaply, then rapidfuzz aligns the phrases
        of the best few with the question."""
        qc = code(core)
        if not qc:
            return []
        idf = self.idf
        qw = {g: idf(g) for g in _grams(qc)}
        total = sum(qw.values())
        utotal = sum(w for g, w in qw.items() if len(g) == 1)
        short = list(only) if only is not None else self._shortlist(qw)
        if not short or total <= 0:
            return []
        st = self.settings
        cov_w = 1 - st.phrase_weight - st.align_weight
        first = []
        qset = frozenset(qw)
        for i in short:
            mine = self._grams[i]
            cov = sum(w for g, w in qw.items() if g in mine) / total
            first.append((st.phrase_weight * self._phrase_recall(qw, qset, i, utotal) + cov_w * cov, i))
        first.sort(key=lambda t: (-t[0], t[1]))
        keep = first[: st.align_top]
        codes: list[str] = []
        owners: list[tuple[int, Phrase]] = []
        for _, i in keep:
            for p in self.entries[i].phrases:
                codes.append(p.code)
                owners.append((i, p))
        align: dict[int, float] = {}
        lq = len(qc)
        for _, s, k in process.extract(qc, codes, scorer=fuzz.partial_ratio, limit=None):
            i, p = owners[k]
            lp = len(p.code)
            value = (s / 100.0) * (0.55 + 0.45 * min(lp, lq) / max(lp, lq)) * KIND_WEIGHT[p.kind]
            if value > align.get(i, 0.0):
                align[i] = value
        scored = [(100.0 * (base + st.align_weight * align.get(i, 0.0)), i) for base, i in keep]
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
        topic = next(((sc, i) for sc, i in scored if self.entries[i].referral is not None), None)
        if topic is not None and topic[0] >= st.answer_score:
            # A service handled elsewhere wins unless a guide comes close: 残疾人坐地铁补贴 is ours.
            best_guide = cands[0].score if cands else 0.0
            if best_guide < st.answer_score or topic[0] >= best_guide + st.topic_margin:
                e = self.entries[topic[1]]
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
