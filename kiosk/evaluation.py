"""Measure the matcher on labelled questions (query<TAB>expected[<TAB>section[<TAB>kind]]).

Besides question files: leave-one-out over the guides' own questions (:func:`loo_runs`), deterministic
homophone garbling (:func:`garble`), a plain BM25 baseline over the same guides (:class:`BaselineBM25`),
and k-fold cross-validation of the decision thresholds (:func:`cross_validate`).
"""
from __future__ import annotations

import csv
import dataclasses
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .knowledge.model import Guide, KnowledgeBase
from .matching import ANSWER, CLARIFY, NONE, Matcher, Settings

NONE_LABEL = "NONE"


@dataclass(frozen=True)
class Row:
    query: str
    expected: str
    section: str | None
    line: int
    kind: str | None = None


def read_rows(path: str | Path) -> list[Row]:
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        for n, parts in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if not parts or not parts[0].strip() or parts[0].startswith("#"):
                continue
            if parts[0] == "query" and not rows:
                continue  # header
            expected = parts[1].strip() if len(parts) > 1 else NONE_LABEL
            section = parts[2].strip() if len(parts) > 2 and parts[2].strip() else None
            kind = parts[3].strip() if len(parts) > 3 and parts[3].strip() else None
            rows.append(Row(parts[0], expected or NONE_LABEL, section, n, kind))
    return rows


# -- the baseline -------------------------------------------------------------------------------------
class BaselineBM25:
    """A plain BM25 over character 1+2-grams of each guide's title, aliases and questions (one field,
    k1=1.2, b=0.75, no normalisation beyond width/case folding, no tuning): what a newcomer would try."""

    def __init__(self, guides: Sequence[Guide]) -> None:
        from .matching.index import FieldIndex, IndexSettings
        from .matching.text import clean

        self._clean = clean
        self.ids = [g.id for g in guides]
        docs = [[("all", clean(t)) for t in (g.title, *g.aliases, *g.questions)] for g in guides]
        self.index = FieldIndex(docs, {"all": 1.0}, IndexSettings(k1=1.2, b=0.75, char_weight=1.0))

    def rank(self, query: str, k: int = 3) -> list[str]:
        from .matching.index import top_k

        q = self._clean(query)
        if not q:
            return []
        scores = self.index.fused(q)
        return [self.ids[i] for i in top_k(scores, k) if scores[i] > 0]


# -- running ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    row: Row
    status: str
    ids: tuple[str, ...]
    section: str | None
    base_ids: tuple[str, ...]
    event: str | None = None


def run_rows(rows: Iterable[Row], matcher: Matcher, baseline: BaselineBM25 | None,
             transform: Callable[[str], str] | None = None) -> list[Outcome]:
    out = []
    for row in rows:
        q = transform(row.query) if transform else row.query
        m = matcher.match(q, top=3)
        base = tuple(baseline.rank(q, 3)) if baseline is not None else ()
        out.append(Outcome(row, m.status, tuple(c.id for c in m.candidates), m.section, base, m.event))
    return out


@dataclass
class Report:
    name: str = ""
    rows: int = 0
    in_scope: int = 0
    top1: int = 0  # not rejected and the first candidate right
    rank1: int = 0  # the first candidate right, whatever the decision
    top3: int = 0
    reached: int = 0  # answered right, or the right guide among the choices offered
    answered_right: int = 0
    clarified: int = 0
    answered_wrong: int = 0
    false_reject: int = 0
    none_rows: int = 0
    none_rejected: int = 0
    section_rows: int = 0
    section_right: int = 0
    base_top1: int = 0
    base_top3: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [rows, top1]
    misses: list[str] = field(default_factory=list)

    @staticmethod
    def pct(a: int, b: int) -> str:
        return f"{100.0 * a / b:5.1f}%" if b else "   n/a"

    def rate(self, name: str) -> float:
        denom = self.none_rows if name == "none_rejected" else self.in_scope
        return 100.0 * getattr(self, name) / denom if denom else float("nan")

    def lines(self) -> list[str]:
        p = self.pct
        out = [
            f"rows: {self.rows} ({self.in_scope} in scope, {self.none_rows} NONE)",
            f"top-1 accuracy (in scope):        {p(self.top1, self.in_scope)}  ({self.top1}/{self.in_scope})",
            f"top-1 ranking (decision ignored): {p(self.rank1, self.in_scope)}",
            f"top-3 accuracy (in scope):        {p(self.top3, self.in_scope)}  ({self.top3}/{self.in_scope})",
            f"reached the right guide:          {p(self.reached, self.in_scope)}  (answered, or in the choice list)",
            f"answered directly and right:      {p(self.answered_right, self.in_scope)}",
            f"asked to choose (clarify):        {p(self.clarified, self.in_scope)}",
            f"answered with a wrong guide:      {p(self.answered_wrong, self.in_scope)}  ({self.answered_wrong})",
            f"in scope wrongly rejected:        {p(self.false_reject, self.in_scope)}  ({self.false_reject})",
            f"NONE rows rejected:               {p(self.none_rejected, self.none_rows)}  "
            f"({self.none_rejected}/{self.none_rows})",
            f"section accuracy (labelled rows): {p(self.section_right, self.section_rows)}  "
            f"({self.section_right}/{self.section_rows})",
        ]
        for kind in sorted(self.by_kind):
            n, ok = self.by_kind[kind]
            out.append(f"top-1, kind {kind + ':':<22}{p(ok, n)}  ({ok}/{n})")
        out.append(f"baseline (plain BM25, char 1+2-grams of title+aliases+questions): top-1 "
                   f"{p(self.base_top1, self.in_scope)}, top-3 {p(self.base_top3, self.in_scope)}")
        return out


def summarize(outcomes: Sequence[Outcome], name: str = "", max_choices: int = 3) -> Report:
    r = Report(name)
    for o in outcomes:
        row, ids = o.row, list(o.ids)
        r.rows += 1
        if row.expected == NONE_LABEL:
            r.none_rows += 1
            if o.status == NONE:
                r.none_rejected += 1
            else:
                r.misses.append(f"{row.line}: {row.query}  expected NONE, got {o.status} {ids[:1]}")
            continue
        r.in_scope += 1
        rejected = o.status == NONE
        r.false_reject += rejected
        first = ids[:1] == [row.expected]
        r.rank1 += first
        if not rejected and first:
            r.top1 += 1
            r.answered_right += o.status == ANSWER
        elif rejected:
            r.misses.append(f"{row.line}: {row.query}  expected {row.expected}, got none {ids[:1]}")
        else:
            r.answered_wrong += o.status == ANSWER
            r.misses.append(f"{row.line}: {row.query}  expected {row.expected}, got {o.status} {ids}"
                            + (f" ({o.event})" if o.event else ""))
        if not rejected and row.expected in ids[:3]:
            r.top3 += 1
        if (o.status == ANSWER and first) or (o.status == CLARIFY and row.expected in ids[:max_choices]):
            r.reached += 1
        r.clarified += o.status == CLARIFY
        if row.kind:
            k = r.by_kind.setdefault(row.kind, [0, 0])
            k[0] += 1
            k[1] += (not rejected and first)
        r.base_top1 += o.base_ids[:1] == (row.expected,)
        r.base_top3 += row.expected in o.base_ids[:3]
        if row.section is not None and row.section != "section":
            r.section_rows += 1
            if o.section == row.section:
                r.section_right += 1
            else:
                r.misses.append(f"{row.line}: {row.query}  section {row.section}, got {o.section}")
    return r


def evaluate(rows: Sequence[Row], kb: KnowledgeBase, matcher: Matcher) -> Report:
    return summarize(run_rows(rows, matcher, BaselineBM25(kb.guides)), max_choices=matcher.ranker.settings.max_choices)


# -- leave-one-out over the guides' own questions -------------------------------------------------------
def loo_folds(kb: KnowledgeBase, folds: int = 10) -> list[list[tuple[str, int]]]:
    """(guide id, question index) pairs dealt round-robin into folds, in guide order (deterministic)."""
    pairs = [(g.id, j) for g in kb.guides for j in range(len(g.questions))]
    return [pairs[k::folds] for k in range(folds)]


def loo_matchers(kb: KnowledgeBase, settings: Settings | None = None, folds: int = 10,
                 matcher_factory: Callable[..., Matcher] | None = None, model: bool | None = None):
    """Per fold: a matcher built without the fold's guide questions, the guides it was built from, and
    the held-out questions as rows. ``model``: whether each fold's matcher gets a guide model fitted
    without the fold's questions (the stored one has seen them all); by default when the stored model
    applies to the knowledge base, as the kiosk would use it. ``matcher_factory(guides, guide_model)``."""
    from .matching.guide_model import load_model

    if model is None:
        stored = load_model()
        model = stored is not None and stored.applies(g.id for g in kb.guides)
    make = matcher_factory or (lambda guides, guide_model=None: Matcher(
        guides, settings, events=_events(kb), model=guide_model or False))
    for fold in loo_folds(kb, folds):
        held: dict[str, set[int]] = {}
        for gid, j in fold:
            held.setdefault(gid, set()).add(j)
        guides = [g if g.id not in held else dataclasses.replace(
            g, questions=tuple(q for j, q in enumerate(g.questions) if j not in held[g.id])) for g in kb.guides]
        rows = [Row(kb.get(gid).questions[j], gid, None, n, "loo") for n, (gid, j) in enumerate(fold, 1)]
        yield make(guides, fold_model(guides) if model else None), guides, rows


_fold_models: dict[str, object] = {}


def fold_model(guides: Sequence[Guide]):
    """A guide model fitted on these guides (kept for the process: the same folds come back for the
    written and the misheard questions and for --tune)."""
    from .matching.guide_model import fingerprint, fit_model

    key = fingerprint(guides)
    if key not in _fold_models:
        _fold_models[key] = fit_model(guides)
    return _fold_models[key]


def loo_runs(kb: KnowledgeBase, settings: Settings | None = None, folds: int = 10,
             matcher_factory: Callable[..., Matcher] | None = None,
             transform: Callable[[str], str] | None = None) -> list[Outcome]:
    """Each guide question is asked of a matcher (and a baseline) built without it."""
    out: list[Outcome] = []
    for matcher, guides, rows in loo_matchers(kb, settings, folds, matcher_factory):
        out += run_rows(rows, matcher, BaselineBM25(guides), transform)
    return out


def _events(kb: KnowledgeBase):
    from .matching import events_for

    return events_for(kb)


# -- homophone garbling --------------------------------------------------------------------------------
_homophones: dict[str, list[str]] | None = None


def _homophone_table() -> dict[str, list[str]]:
    global _homophones
    if _homophones is None:
        from .matching.text import PINYIN_TABLE

        by_reading: dict[str, list[str]] = {}
        chars = []
        for line in PINYIN_TABLE.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                ch, _, reading = line.partition("\t")
                by_reading.setdefault(reading, []).append(ch)
                chars.append((ch, reading))
        _homophones = {ch: [c for c in by_reading[r] if c != ch] for ch, r in chars}
    return _homophones


def garble(text: str, rate: float, seed: int) -> str:
    """Replace about ``rate`` of the Chinese characters by a homophone (same toneless reading), the same
    way in every process for the same text and seed."""
    table = _homophone_table()
    rng = random.Random(f"{seed}\t{text}")
    out = []
    for ch in text:
        options = table.get(ch)
        if options and rng.random() < rate:
            out.append(options[rng.randrange(len(options))])
        else:
            out.append(ch)
    return "".join(out)


# -- cross-validated decision thresholds -------------------------------------------------------------------
#: What a decision is worth to a resident: answered right 1, the right guide in a short list 0.5,
#: turned away while a guide fits -1, a wrong confident answer -2; out of scope: rejected 1, answered -1.
UTILITY = {"right": 1.0, "listed": 0.5, "none": -1.0, "wrong": -2.0, "oos_ok": 1.0, "oos_bad": -1.0}

GRID = {
    "answer_score": (20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 60.0),
    "clarify_margin": (2.0, 4.0, 6.0, 9.0, 12.0, 16.0, 20.0),
    "none_score": (4.0, 8.0, 12.0, 16.0, 20.0, 24.0, 28.0),
    "event_margin": (-10.0, -5.0, 0.0, 5.0),
    "topic_margin": (0.0, 5.0, 10.0, 20.0),
    "topic_named_margin": (-1000.0, 0.0, 5.0, 10.0, 20.0),
    "foreign_share": (0.0, 0.2, 0.35, 0.5),
}


@dataclass(frozen=True)
class Features:
    """What the decision needs of one question, computed once: the decision is then replayed cheaply."""

    expected: str
    scores: tuple[tuple[str, float], ...]  # guides, best first
    topic: tuple[float, bool, float] | None  # best topic: score, named whole, share of the name the best guide explains
    event: tuple[float, str, tuple[str, ...]] | None  # best event with 2+ guides: score, status, offered ids
    empty: bool
    scope_x: tuple[float, ...] | None = None  # the out-of-scope model's inputs (kiosk.matching.scope.FEATURES)
    scope: float | None = None  # its probability that no guide serves the question


def features(matcher: Matcher, query: str, expected: str) -> Features:
    """The inputs of :func:`kiosk.matching.ranker.decide` for one question (as Ranker.match computes them)."""
    from .matching.text import normalize

    rk = matcher.ranker
    norm = normalize(query)
    first = rk.first_stage(norm, max(3, rk.settings.max_choices))
    if first is None:
        return Features(expected, (), None, None, True)
    core, scores, tscores, guides = first
    event = None
    topic = rk.best_topic(norm, core, tscores, guides)[1]
    if len(rk._events):
        e = rk.ranked(core, rk._events, 1, scores)
        if e:
            offered = rk._event_choices(rk.entries[e[0][1]], scores, core, 3)
            if len(offered) >= 2:
                event = (e[0][0], rk.event_status(rk.entries[e[0][1]], offered), tuple(c.id for c in offered))
    from .matching.scope import scope_features

    x = scope_features(rk, core, guides)
    scope = rk.scope_probability(core, guides, x)
    return Features(expected, tuple((rk.entries[i].id, round(s, 1)) for s, i in guides[:3]), topic, event, False,
                    x, scope)


def decide(f: Features, st: Settings) -> tuple[str, tuple[str, ...]]:
    """The matcher's decision replayed from features: (status, the guide ids offered)."""
    from .matching.ranker import decide as rank_decide, offered_count

    if f.empty:
        return NONE, ()
    status, source = rank_decide(st, [s for _, s in f.scores], f.topic, f.event[:2] if f.event else None, f.scope)
    if source == "event":
        return status, f.event[2]
    if status == CLARIFY:
        return status, tuple(g for g, _ in f.scores[:offered_count(st, [s for _, s in f.scores])])
    return status, tuple(g for g, _ in f.scores)


def utility(fs: Sequence[Features], st: Settings) -> float:
    total = 0.0
    for f in fs:
        status, ids = decide(f, st)
        if f.expected == NONE_LABEL:
            total += UTILITY["oos_ok"] if status == NONE else UTILITY["oos_bad"]
        elif status == NONE:
            total += UTILITY["none"]
        elif status == ANSWER:
            total += UTILITY["right"] if ids[:1] == (f.expected,) else UTILITY["wrong"]
        else:
            total += UTILITY["listed"] if f.expected in ids[: st.max_choices] else UTILITY["wrong"] / 2
    return total / max(len(fs), 1)


def best_settings(fs: Sequence[Features], base: Settings, rounds: int = 2) -> Settings:
    """Coordinate search over GRID: each threshold in turn over its values, the others held, twice."""
    best, best_u = base, utility(fs, base)
    for _ in range(rounds):
        for name, values in GRID.items():
            for v in values:
                st = dataclasses.replace(best, **{name: v})
                if st.none_score > st.answer_score:
                    continue
                u = utility(fs, st)
                if u > best_u + 1e-12:
                    best, best_u = st, u
    return best


def cross_validate(groups: Sequence[Sequence[Features]], base: Settings, k: int = 5
                   ) -> tuple[Settings, list[tuple[Settings, float, float]]]:
    """k-fold CV of the thresholds over groups of features (one group per question: e.g. as written and
    misheard, so both copies are always on the same side); per fold (chosen on the rest, its utility
    there, its utility held out), and the thresholds chosen on everything (what to ship)."""
    folds = [[f for g in groups[i::k] for f in g] for i in range(k)]
    out = []
    for i in range(k):
        train = [f for j, fold in enumerate(folds) if j != i for f in fold]
        st = best_settings(train, base)
        out.append((st, utility(train, st), utility(folds[i], st)))
    return best_settings([f for g in groups for f in g], base), out
