"""Rank guides for a question and decide: answer, clarify or none.

First stage: a field-weighted BM25 (:class:`kiosk.matching.index.FieldIndex`) over characters and over
folded pinyin syllables, fused; the score of a guide is the share of the question's information
(IDF-weighted 1+2-grams, per view) that the guide's fields explain, on a 0-100 scale. Optionally a
*name bonus*: a title or alias heard whole inside the question (by sound) lifts its guide.

Out-of-scope topics (身份证, 护照, weather, ...) and life events (一件事, see
:mod:`kiosk.knowledge.events`) are documents of the same index. A winning topic makes the answer
``none`` with a referral; a winning life event with several guides behind it is offered as a choice
list of those guides, best first.

The thresholds (answer / clarify / none) were chosen by k-fold cross-validation over the dev sets and
the guides' own questions (``kiosk eval --tune``), not on one set.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .index import FieldIndex, ForwardIndex, IndexSettings, top_k
from .guide_model import load_model as load_guide_model
from .rerank import (GROUPS, Reranker, RerankWeights, group_indexes, group_texts, guide_actions, guide_sentences,
                     load_weights)
from .scope import ScopeModel, load_model, scope_features
from .sections import detect_section, names_nothing, strip_section_words
from .text import code, code_lines, has_chinese, normalize

ANSWER, CLARIFY, NONE = "answer", "clarify", "none"

#: Phrase kinds and the BM25F weight of each field.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 3.0, "alias": 3.0, "spoken": 3.0, "question": 2.0, "situation": 2.0, "event": 2.0,
    "topic": 3.0, "owned": 3.0, "faq": 1.5, "summary": 1.0, "benefit": 0.8, "condition": 0.6,
}
#: An owned name heard in an answered question is what it asks about when it is this share of the core.
FOREIGN_SHARE = 0.4
#: Phrases whose words heard whole in a question lift their guide (a stored question counts by the
#: words that name the service, as the question's own core is compared).
NAME_KINDS = ("title", "alias", "spoken", "topic", "owned", "question")
#: Topic phrases: "owned" names a thing only that other office issues (护照, 驾驶证); "topic" any other way
#: residents name the topic (天气, 银行), words that may also come up in a question about our own guides.
TOPIC_KINDS = ("owned", "topic")


def name_part(kind: str, text: str) -> str:
    """The part of a normalised phrase compared whole with a question's core."""
    return (strip_section_words(text) or text) if kind == "question" else text


def name_parts(kind: str, texts: list[str]) -> list[str]:
    """name_part of each of several phrases of one kind, their section words stripped in one pass."""
    if kind != "question" or not texts:
        return texts
    return [part or text for part, text in zip(strip_section_words("\n".join(texts)).split("\n"), texts)]


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str  # normalised
    kind: str

    @property
    def code(self) -> str:
        return code(self.text)


@dataclass(frozen=True)
class Entry:
    """Something the matcher can land on: a guide, an out-of-scope topic (``referral`` set) or a life
    event (``guides`` set: the guides it bundles, best first)."""

    id: str
    title: str
    phrases: tuple[Phrase, ...]
    referral: str | None = None
    guides: tuple[str, ...] = ()
    names: str = ""  # normalised titles/aliases/spoken name, one a line, when phrases are not kept
    elsewhere: bool = True  # a topic: its referral sends the resident to another office (not so: chat, the hall)

    @property
    def is_guide(self) -> bool:
        return self.referral is None and not self.guides


@dataclass(frozen=True)
class Topic(Entry):
    """An out-of-scope topic that names what its names are instances of (工商银行, 建设银行: 银行; see
    Ranker._a_detail_of). Its own class, so the twenty thousand guide entries of a large knowledge base do not
    each carry the field (one more attribute on every Entry cost 7 MB there)."""

    kind: str = ""
    #: (thing, act) pairs, each heard when both are said in either order a few characters apart (户口…迁 in
    #: 户口从外地迁到上海): a thing our guides speak of (户口) and an act on it only the topic's office does
    pairs: tuple[tuple[str, str], ...] = ()


#: How many characters may stand between the two halves of a topic's pair (户口 从外地 迁).
PAIR_GAP = 6
#: A pair counts only when its topic scores at least this share of the best guide: the act is then the point of
#: the question, not its background (刚把户口迁来上海，…没交过职工医保 asks about medical insurance).
PAIR_SHARE = 0.5


def pair_heard(pair: tuple[str, str], norm: str) -> bool:
    """Both halves of a pair in the question, in either order, at most PAIR_GAP characters apart."""
    a, b = (re.escape(x) for x in pair)
    return re.search(f"{a}.{{0,{PAIR_GAP}}}{b}|{b}.{{0,{PAIR_GAP}}}{a}", norm) is not None


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
    elsewhere: bool = False  # the referral sends the resident to another office (护照: the exit-entry office)
    event: str | None = None  # the life event (一件事) whose guides are offered, e.g. 出生一件事
    out_of_scope: float | None = None  # how likely (0-1) no guide serves the question (see kiosk.matching.scope)
    doubtful: bool = False  # a choice list offered though the question looks like one no guide serves
    foreign: str = ""  # answered, though the question names a thing another office owns (工商银行, 身份证)
    topic_named: bool = False  # the topic won with one of its names heard whole (护照), not on its words alone

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class Settings:
    # Decision (scores 0-100). Chosen by cross-validation; see README "matcher".
    answer_score: float = 20.0  # the best guide must reach this to be answered outright
    clarify_margin: float = 9.0  # candidates within this many points of the best are offered together
    none_score: float = 4.0  # below this nothing fits: none
    max_choices: int = 3
    offer_share: float = 0.5  # a third choice is offered only when it scores at least this share of the best
    topic_margin: float = 0.0  # an out-of-scope topic must beat the best guide by this much
    topic_named_margin: float = 5.0  # ... or be named whole and come within this much of it
    foreign_share: float = 0.2  # ... or a thing it owns be named whole while the best guide explains less than
    #                              this share of its name (护照 named, and the best guide never speaks of passports)
    event_margin: float = 0.0  # a life event must beat the best guide by this much to be offered
    scope_reject: float = 0.93  # none when the scope model finds the question this likely out of scope (>1: off)
    scope_max_best: float = 30.0  # ... and the best guide scores below this
    scope_list_floor: float = 20.0  # ... but from this score on, a choice list that says it may not be ours
    scope_sure: float = 0.98  # ... unless the model is this sure (你今年几岁了 half fits a guide by its words)
    # First stage.
    k1: float = 2.0
    b: float = 0.5
    char_weight: float = 0.7  # fusion: share of the character view (the rest is pinyin)
    stop_share: float = 1.0  # terms in more than this share of documents: counted, postings not walked
    misheard_credit: float = 0.5  # a character term no guide has but whose sound one has counts half (see index)
    core_weight: float = 0.75  # guides are scored on this share of the core (section and question words
    #                            removed) + the rest on the whole question (交多少钱 still says 缴费)
    name_bonus: float = 0.2  # added (×100) for a title/alias heard whole, scaled by its share of the question
    rerank_window: float = 9.0  # the second stage reorders the candidates within this many points of the best
    strip_question_words: bool = True

    @classmethod
    def from_config(cls, config) -> "Settings":
        """The ``matching`` part of the config (anything with ``get(dotted_key, default)``)."""
        return cls(
            answer_score=float(config.get("matching.answer_score", cls.answer_score)),
            clarify_margin=float(config.get("matching.clarify_margin", cls.clarify_margin)),
            none_score=float(config.get("matching.none_score", cls.none_score)),
            max_choices=int(config.get("matching.max_choices", cls.max_choices)),
        )


#: Parts of a question that, asked with no service named, are the centre's own (its hours, its address). Not the
#: telephone: 电话多少 matched whole lands on the guide about the 12345 hotline; the answer layer gives the
#: centre's own number instead.
CENTRE_SECTIONS = ("hours", "location")

#: How many of the best raw scores get the name bonus: wide enough that a guide named whole in the question
#: is among them even when other words of the question (1个月) are common in many guides.
SHORTLIST = 32


def offered_count(st: Settings, scores: Sequence[float]) -> int:
    """How many of the best guides (scores, best first) a choice list offers: the first two, and a third only
    when it scores at least ``offer_share`` of the best (生育保险待遇 after two 老年津贴 guides is no likely
    choice; over the eval sets every right guide offered second or third scored at least 0.6 of the best)."""
    keep = min(2, len(scores))
    while keep < len(scores) and scores[keep] >= st.offer_share * scores[0]:
        keep += 1
    return keep


def decide(st: Settings, guide_scores: Sequence[float], topic: tuple[float, bool, float] | None,
           event: tuple[float, str] | None, scope: float | None = None) -> tuple[str, str]:
    """answer / clarify / none, and what decided it ("topic", "event", "scope" or "guides").

    guide_scores: the best guides' scores, best first. topic: the best out-of-scope topic's score,
    whether a name of it is heard whole (Ranker._heard), and, when the name is a thing only that office
    issues, the share (0-1) of it the best guide explains (Ranker.mention; else 1). event: the best life
    event's score and its status when it wins (Ranker.event_status), if it has two or more guides to
    offer. scope: the probability that no guide serves the question (Ranker.scope_probability), or None.
    """
    best = guide_scores[0] if guide_scores else 0.0
    if topic is not None:
        score, named, mention = topic
        if (named and (score + st.topic_named_margin >= best or mention < st.foreign_share)) or \
                (score >= st.none_score and score >= best + st.topic_margin):
            return NONE, "topic"
    if event is not None:
        score, status = event
        if score >= st.none_score and score >= best + st.event_margin:
            return status, "event"
    if not guide_scores or best < st.none_score:
        return NONE, "guides"
    if scope is not None and scope >= st.scope_reject and best < st.scope_max_best:
        # a guide that fits passably is still offered (with a word that this may be handled elsewhere):
        # turning away a resident whose question a guide serves is worse than a list they can refuse
        listed = best >= st.scope_list_floor and scope < st.scope_sure and len(guide_scores) >= 2
        return (CLARIFY if listed else NONE), "scope"
    close = [x for x in guide_scores[: st.max_choices] if x >= best - st.clarify_margin]
    if len(close) >= 2 or best < st.answer_score:
        return CLARIFY, "guides"
    return ANSWER, "guides"


def make_phrases(texts: Iterable[str], kind: str) -> list[Phrase]:
    out = []
    for t in texts:
        n = normalize(t)
        if n:
            out.append(Phrase(n, kind))
    return out


class Ranker:
    def __init__(self, entries: Sequence[Entry], settings: Settings | None = None,
                 docs: Sequence[Sequence[tuple[str, str]]] | None = None,
                 scope_model: ScopeModel | None | str = "default", rerank: RerankWeights | bool = True,
                 model=True) -> None:
        """``docs[i]``: what the index reads for entries[i], (field, normalised text) pairs; by default the
        entry's phrases. A docs list given is emptied as it is indexed. Afterwards only the entries' names
        are read (name bonus, topics named whole). ``scope_model``: the out-of-scope model (by default the
        shipped one; None: none). ``rerank``: the second stage's weights, True for the stored ones
        (:mod:`kiosk.matching.rerank`; none stored: first stage alone), False for none. ``model``: the guide
        model for the second stage (:mod:`kiosk.matching.guide_model`), True for the stored one; used only
        when it was fitted on exactly these guides."""
        self.entries = list(entries)
        self.settings = st = settings or Settings()
        consume = docs is not None and isinstance(docs, list)
        if docs is None:
            docs = [[(p.kind, p.text) for p in e.phrases] for e in self.entries]
        kinds = np.array([0 if e.is_guide else 1 if e.referral is not None else 2 for e in self.entries],
                         dtype=np.int8)
        self._guides = np.flatnonzero(kinds == 0)
        index_settings = IndexSettings(k1=st.k1, b=st.b, char_weight=st.char_weight, stop_share=st.stop_share,
                                       misheard_credit=st.misheard_credit)
        weights = load_weights() if rerank is True else rerank or None
        texts = group_texts(docs, self._guides) if weights is not None else None
        # The second stage's field groups come from the first stage's pass when the guides lead the entries
        # (as the Matcher puts them), else from indexes of their own.
        in_pass = texts is not None and np.array_equal(self._guides, np.arange(len(self._guides)))
        actions = guide_actions(texts) if texts is not None else []
        sentences = guide_sentences(texts) if texts is not None else []
        if in_pass:
            texts = None  # not needed while the index is built
        self.index = FieldIndex(docs, FIELD_WEIGHTS, index_settings, consume=consume,
                                views=list(GROUPS.values()) if in_pass else (), view_docs=len(self._guides))
        self.reranker = None
        if weights is not None:
            groups = ([ForwardIndex(view) for view in self.index.views] if in_pass
                      else group_indexes(texts, FIELD_WEIGHTS, index_settings))
            self.index.views = []
            del texts
            guide_model = load_guide_model() if model is True else model or None
            ids = [self.entries[i].id for i in self._guides]
            if guide_model is not None and not guide_model.applies(ids):
                guide_model = None
            self.reranker = Reranker(
                groups, self._guides, weights, actions,
                close=st.rerank_window, sentences=sentences, model=guide_model,
                model_columns=guide_model.columns(ids) if guide_model is not None else None)
        del actions, sentences
        self._topics = np.flatnonzero(kinds == 1)
        self._events = np.flatnonzero(kinds == 2)
        self._is_guide = kinds == 0
        self.scope_model = load_model() if isinstance(scope_model, str) else scope_model
        self._by_id = {e.id: i for i, e in enumerate(self.entries)}
        # names heard whole: (entry, pinyin code of the name), only for the bonus
        self._names: dict[int, tuple[str, ...]] = {}

    def is_guide_mask(self) -> np.ndarray:
        """Per entry, whether it is a guide."""
        return self._is_guide

    def scope_probability(self, core: str, guides: list[tuple[float, int]], x: np.ndarray | None = None
                          ) -> float | None:
        """How likely (0-1) the question (its core, its ranked guides; or its features x) is one no guide
        serves; None without a model that applies to this knowledge base."""
        if self.scope_model is None or not self.scope_model.applies(len(self._guides)):
            return None
        return self.scope_model.probability(scope_features(self, core, guides) if x is None else x)

    def index_of(self, entry_id: str) -> int | None:
        return self._by_id.get(entry_id)

    def _name_codes(self, i: int) -> tuple[str, ...]:
        names = self._names.get(i)
        if names is None:
            e = self.entries[i]
            texts = e.names if e.names else "\n".join(name_part(p.kind, p.text) for p in e.phrases
                                                       if p.kind in NAME_KINDS)
            names = tuple(sorted({c for c in code_lines(texts) if len(c) >= 2}, key=lambda c: (-len(c), c)))
            self._names[i] = names
        return names

    # -- scoring ----------------------------------------------------------------------------------
    def scores(self, core: str, first: int = 0) -> np.ndarray:
        """0-100 per entry (entries before ``first`` left at 0): fused BM25F share of the question explained."""
        return 100.0 * self.index.fused(core, first)

    def scores_with_topics(self, core: str, norm: str) -> tuple[np.ndarray, np.ndarray]:
        """Scores of the core (all entries) and, for the topics, of the whole question too (the larger)."""
        w = self.settings.core_weight
        if core == norm or (w >= 1.0 and not len(self._topics)):
            s = self.scores(core)
            return s, s
        first = int(self._topics[0]) if len(self._topics) else self.index.n
        # one pass for the guides' mix, and the whole question for the topics (the last entries)
        mixed, whole = self.index.fused_mixes([core, norm], [({0: w, 1: 1.0 - w} if w < 1.0 else {0: 1.0}, 0),
                                                             ({1: 1.0}, first)])
        mixed, whole = 100.0 * mixed, 100.0 * whole
        return mixed, np.maximum(mixed, whole)

    def named(self, i: int, qc: str) -> int:
        """How long the longest title/alias of entry i heard whole in the question (pinyin code qc) is."""
        return next((len(c) for c in self._name_codes(i) if c in qc), 0)

    def _with_bonus(self, scores: np.ndarray, core: str, among: list[int]) -> dict[int, float]:
        bonus = self.settings.name_bonus
        if bonus <= 0 or not core:
            return {i: float(scores[i]) for i in among}
        # (fused + bonus * share of the question the name covers) / (1 + bonus): still 0-100
        qc = code(core)
        out = {}
        for i in among:
            out[i] = (float(scores[i]) + 100.0 * bonus * self.named(i, qc) / len(qc)) / (1.0 + bonus)
        return out

    def ranked(self, core: str, among: np.ndarray, k: int, scores: np.ndarray | None = None,
               norm: str | None = None) -> list[tuple[float, int]]:
        """(score, entry) for the best k of ``among``, best first; ties to the lower entry index. Guides
        (``among`` is the ranker's own guide list) go through the second stage when there is one."""
        scores = self.scores(core) if scores is None else scores
        rr = self.reranker if among is self._guides else None
        n = max(k, rr.k) if rr is not None else k
        short = top_k(scores, max(n, SHORTLIST), among)
        boosted = self._with_bonus(scores, core, short)
        out = sorted(((round(s, 6), i) for i, s in boosted.items()), key=lambda t: (-t[0], t[1]))
        # The second stage reorders, unless the question is exactly a name of the first stage's best (低保).
        qc = code(core) if core else ""
        if rr is not None and out and not (qc and self.named(out[0][1], qc) >= len(qc)):
            head = rr.rescore(core, out[: rr.k], norm)
            out = head + [(min(s, head[-1][0]), i) for s, i in out[rr.k: n]]
        return out[:k]

    def pick(self, query: str, ids: Sequence[str], min_score: float = 30.0, margin: float = 10.0) -> str | None:
        """Which of ids the query names (e.g. part of a title while choosing), or None if unclear."""
        norm = normalize(query if isinstance(query, str) else "")
        if not norm:
            return None
        only = np.array(sorted(i for i in (self.index_of(x) for x in ids) if i is not None), dtype=np.int64)
        scored = self.ranked(strip_section_words(norm) or norm, only, len(only))
        if not scored or scored[0][0] < min_score:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < margin:
            return None
        return self.entries[scored[0][1]].id

    def standing(self, query: str, entry_ids: Sequence[str]) -> tuple[tuple[float, int], ...]:
        """Per entry: its score on the question and the longest name of it heard whole (see Matcher.standing),
        from one scoring pass."""
        norm = normalize(query) if isinstance(query, str) else ""
        core = self.service_core(norm) if norm else ""
        scores = self.scores_with_topics(core, norm)[0] if core else None
        qc = code(norm)
        out = []
        for entry_id in entry_ids:
            i = self.index_of(entry_id)
            out.append((0.0, 0) if i is None or scores is None else (round(float(scores[i]), 1), self.named(i, qc)))
        return tuple(out)

    def core_of(self, norm: str) -> str:
        return strip_section_words(norm) if self.settings.strip_question_words else norm

    def first_stage(self, norm: str, k: int
                    ) -> tuple[str, np.ndarray, np.ndarray, list[tuple[float, int]]] | None:
        """What every caller of the ranking starts from, for a normalised question: its service core, the
        scores of the entries (guides; topics also on the whole question, see scores_with_topics) and the
        best k guides (second stage applied); None when the question names no service."""
        core = self.service_core(norm)
        if not core:
            return None
        scores, tscores = self.scores_with_topics(core, norm)
        return core, scores, tscores, self.ranked(core, self._guides, k, scores, norm)

    def service_core(self, norm: str) -> str:
        """The words of a normalised question that name the service, or "" when it names none (no Chinese,
        only a part asked for: 要带什么材料?, or one sound). A question for the hours or the address that
        names no service asks for the centre's own (你们几点下班? 礼拜六开门伐?): it is matched whole, so the
        guide the centre keeps for them can answer it, with its screen of hours, address and telephone."""
        core = self.core_of(norm) if norm and has_chinese(norm) else ""
        if not names_nothing(core):
            return core
        return norm if core != norm and detect_section(norm) in CENTRE_SECTIONS else ""

    # -- decision ---------------------------------------------------------------------------------
    def match(self, query: str, top: int = 3) -> Match:
        text = query if isinstance(query, str) else ""
        norm = normalize(text)
        if not norm or not has_chinese(norm):
            return Match(text, norm, NONE, (), None)
        section = detect_section(norm)
        st = self.settings
        first = self.first_stage(norm, max(top, st.max_choices, 1))
        if first is None:
            return Match(text, norm, NONE, (), section)
        core, scores, tscores, guides = first
        cands = tuple(Candidate(self.entries[i].id, self.entries[i].title, round(s, 1)) for s, i in guides[: max(top, 1)])
        topic, topic_seen, heard = self.best_topic(norm, core, tscores, guides)
        event = event_seen = None
        offered: tuple[Candidate, ...] = ()
        if len(self._events):
            e = self.ranked(core, self._events, 1, scores)
            if e:
                event = self.entries[e[0][1]]
                offered = self._event_choices(event, scores, core, top)
                if len(offered) >= 2:
                    event_seen = (e[0][0], self.event_status(event, offered))
        # the centre's hours or address (a question naming no service, matched whole: see service_core) are
        # ours whatever the scope model, fitted on service words, makes of section words
        centre = core == norm and names_nothing(self.core_of(norm))
        scope = None if centre else self.scope_probability(core, guides)
        status, source = decide(st, [c.score for c in cands], topic_seen, event_seen, scope)
        if centre and status != ANSWER:
            # the centre's hours or address, and its own guide is not clearly it: the answer layer gives
            # the centre's facts rather than a list of guides the question never named
            return Match(text, norm, NONE, (), section)
        if status == CLARIFY and source == "guides" and event is not None and self.bundle_covers(event, cands):
            status = ANSWER  # 身后一件事 first, its own member services close behind: the bundle does them all
        if source == "topic":
            e = self.entries[topic]
            return Match(text, norm, NONE, cands, section, referral=e.referral, topic=e.title, out_of_scope=scope,
                         elsewhere=e.elsewhere, topic_named=bool(heard))
        if source == "event":
            return Match(text, norm, status, offered, section, event=event.title, out_of_scope=scope)
        foreign = ""
        if status == ANSWER and topic is not None:
            # 银行卡密码忘了 answered with 社保卡密码重置: when the other office's thing is much of what the question
            # says, the answer layer says what the guide says of it first (see kiosk.answer.foreign_line); a
            # thing named in passing (知青子女…把户口迁到外婆家，现在要查当初怎么批的) is not what it asks
            foreign = next((p.text for p in heard if p.kind == "owned" and len(p.text) >= FOREIGN_SHARE * len(core)), "")
        if status == CLARIFY:
            cands = cands[:offered_count(st, [c.score for c in cands])]
        return Match(text, norm, status, cands, section, out_of_scope=scope, doubtful=source == "scope",
                     foreign=foreign)

    def _heard(self, i: int, norm: str, guides: list[tuple[float, int]]) -> list[Phrase]:
        """Names of topic i heard whole in the question, longest first, that no candidate guide is heard by
        a longer name (身份证过期了 is the police's; 残疾人交通补贴要带身份证吗 is ours). A thing another
        office issues, named as fully as any guide is (工商银行 beside 密码忘了), still counts."""
        entry = self.entries[i]
        heard = [p for p in entry.phrases if p.kind in TOPIC_KINDS and len(p.text) >= 2 and p.text in norm]
        heard += [Phrase("…".join(pair), "pair") for pair in getattr(entry, "pairs", ()) if pair_heard(pair, norm)]
        if not heard:
            return []
        qc = code(norm)
        longest = max((self.named(g, qc) for _, g in guides), default=0)
        return sorted((p for p in heard if p.kind == "pair" or len(p.text) > longest or
                       (p.kind == "owned" and len(p.text) == longest)),
                      key=lambda p: (p.kind == "pair", -len(p.text), p.kind != "owned", p.text))

    def mention(self, name: str, guide: int) -> float:
        """The share (0-1) of a name's information (chars and sounds) that a guide's text explains:
        near 0 when the guide never speaks of the thing named."""
        return float(self.index.fused(name)[guide]) if name else 1.0

    def topic_features(self, topic: tuple[float, int], norm: str, guides: list[tuple[float, int]], core: str = "",
                       heard: list[Phrase] | None = None) -> tuple[float, bool, float]:
        """(score, named whole, the least share of a thing the topic's office owns, named in the question,
        that the best guide explains; 1 if none is named) of the best topic. A question whose service words
        (``core``) are nothing but such a thing (电梯在哪里, 身份证怎么办) asks about that thing itself, however
        much a guide speaks of it (加装电梯, every guide's 带身份证): its share counts as 0. ``heard``: the
        topic's names heard (``_heard``), when already found."""
        heard = self._heard(topic[1], norm, guides) if heard is None else heard
        owned = [p.text for p in heard if p.kind == "owned"] if guides else []
        if core and core in owned:
            return topic[0], True, 0.0
        shares = [self.mention(t, guides[0][1]) for t in owned]
        # a pair: the guide must speak of the act as well as the thing (居住证 speaks of 户口, never of moving it)
        shares += [min(self.mention(half, guides[0][1]) for half in p.text.split("…"))
                   for p in heard if p.kind == "pair" and guides]
        return topic[0], bool(heard), min(shares, default=1.0)

    def best_topic(self, norm: str, core: str, tscores: np.ndarray, guides: list[tuple[float, int]]
                   ) -> tuple[int | None, tuple[float, bool, float] | None, list[Phrase]]:
        """The best out-of-scope topic for a question, what the decision needs of it (topic_features) and its
        names heard, or (None, None, []). Topics see the whole question: 现在几点了 must not lose its 几点."""
        t = self.ranked(norm, self._topics, 1, tscores) if len(self._topics) else []
        if not t:
            return None, None, []
        heard = self._heard(t[0][1], norm, guides)
        if guides and t[0][0] < PAIR_SHARE * guides[0][0]:
            heard = [p for p in heard if p.kind != "pair"]
        if guides and self._asks_for_certificate(norm, heard, guides[0][1]):
            return None, None, []  # 考公务员政审要开户籍证明: the other office's business is what it is for
        if guides and self._a_detail_of(norm, t[0][1], heard, guides[0][1]):
            return None, None, []  # 敬老卡换到建设银行: a bank named in changing the card's bank
        return t[0][1], self.topic_features(t[0], norm, guides, core, heard), heard

    def _a_detail_of(self, norm: str, topic: int, heard: list[Phrase], best: int) -> bool:
        """The topic's names heard are all instances of its kind (工商银行, 建设银行: 银行), the best guide's title
        speaks of that kind (敬老卡卡面信息变更/变更发卡银行) and the question names the guide's own thing too
        (three characters of its title, not of the kind: 敬老卡): the bank is a detail of that service."""
        kind, title = getattr(self.entries[topic], "kind", ""), self.entries[best].title
        if not (heard and kind and kind in title and all(p.text.endswith(kind) for p in heard)):
            return False
        pieces = {title[i:i + 3] for i in range(len(title) - 2)}
        return any(p in norm for p in pieces if not (set(p) & set(kind)) and not (set(p) & set("/（）()、")))

    def _asks_for_certificate(self, norm: str, heard: list[Phrase], best: int) -> bool:
        """The question asks for a certificate (证明) of the kind the best guide issues, and no other office's
        thing it names is itself a certificate or card (出生证明 is the hospital's, 身份证 the police's)."""
        return "证明" in self.entries[best].title and "证明" in norm and not any("证" in p.text for p in heard)

    def bundle_covers(self, event: Entry, cands: Sequence[Candidate]) -> bool:
        """The best guide is the event's own bundle (一件事) and every guide close to it belongs to that bundle."""
        if not cands or event.title not in cands[0].title or cands[0].score < self.settings.answer_score:
            return False
        close = [c for c in cands[1: self.settings.max_choices]
                 if c.score >= cands[0].score - self.settings.clarify_margin]
        return all(c.id in event.guides for c in close)

    @staticmethod
    def event_status(event: Entry, offered: Sequence[Candidate]) -> str:
        """A bundle that is itself a guide (身后一件事 is one service doing them all) is answered with it
        when it comes first; otherwise the event's guides are offered to choose from."""
        return ANSWER if event.title in offered[0].title else CLARIFY

    def _event_choices(self, event: Entry, scores: np.ndarray, core: str, top: int) -> tuple[Candidate, ...]:
        """The event's guides to offer, best first."""
        members = [(pos, i) for pos, i in enumerate(self.index_of(g) for g in event.guides)
                   if i is not None and self.entries[i].is_guide]
        if not members:
            return ()
        boosted = self._with_bonus(scores, core, [i for _, i in members])
        # The bundle's own guide (出生一件事 does the birth paperwork in one go) leads; then the others,
        # the ones the question itself points at first, then in the event's order.
        ordered = sorted(members, key=lambda t: (event.title not in self.entries[t[1]].title,
                                                 -round(boosted[t[1]], 6), t[0]))
        n = max(top, self.settings.max_choices)
        return tuple(Candidate(self.entries[i].id, self.entries[i].title, round(boosted[i], 1)) for _, i in ordered[:n])
