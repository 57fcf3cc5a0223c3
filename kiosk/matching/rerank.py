"""A learned second stage: the first stage's best K guides rescored by a small linear scorer.

The first stage (:class:`kiosk.matching.ranker.Ranker`) scores a guide on all its fields at once (one
BM25F); a question written by someone else is often told apart better by *which* fields explain it:
the guide's names (title, aliases, spoken name) and the situations it lists. The second stage scores
each of the first stage's best ``k`` guides as

    score = 100 * (a_first * first/100 + a_names * names + a_situations * situations + a_action * action
                   + a_sentence * sentence + a_model * model)

where ``names`` / ``situations`` are the share of the question's information (fused characters and
sounds, as the first stage computes it) that the guide's names / situations alone explain, each from a
small index of that field group, ``action`` how far the actions the question states (pay, look up,
reissue ..., :data:`ACTIONS`) are the ones the guide's title states, ``sentence`` how close the
question comes, taken whole, to the nearest one of the guide's names, questions and situations
(:func:`best_sentence`), and ``model`` the guide model's P(guide | whole question), square-rooted
(:mod:`kiosk.matching.guide_model`; without a model that applies, other weights learned without it). The
weights ``a`` are non-negative and add up to 1. The score orders the candidates within a window
(``Settings.rerank_window``, as wide as the clarify margin) of the first stage's best (the close calls; a
guide further behind stays behind); the scores the decision reads (answer / clarify
/ none, on 0-100) stay the first stage's (see :meth:`Reranker.rescore`). A question that is exactly a
name of the first stage's best guide is left in the first stage's order (``Ranker.ranked``). Ties go to
the lower guide position.

The weights are learned by ``kiosk train-rerank`` with a listwise logistic loss (softmax over the K
candidates) on the guides' own questions, each asked of a first stage built without it (leave-one-out
folds); the regularisation (pull towards the first stage alone) is chosen by cross-validation over the
folds. They are stored in ``kiosk/data/rerank.json``; without that file the first stage decides alone.
Pure Python + numpy; the study behind it is ``scripts/rerank_study.py``.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
from rapidfuzz import fuzz

from .index import FieldIndex, ForwardIndex, IndexSettings

WEIGHTS_FILE = Path(__file__).resolve().parent.parent / "data" / "rerank.json"

#: Field groups indexed on their own for the second stage (fields as in ranker.FIELD_WEIGHTS).
GROUPS: dict[str, tuple[str, ...]] = {"names": ("title", "alias", "spoken"), "situations": ("situation",)}
FEATURES = ("first", "names", "situations", "action", "sentence", "model")
MODEL = FEATURES.index("model")

#: What a service's name says is done (pay, look up, reissue ...). Within a family of guides about one
#: thing (城乡居保: 参保登记 / 缴费 / 待遇申领 / 缴费情况查询) the action is what tells them apart, and a
#: resident says it in few words (交几钿, 查一查, 补一张). Matched on normalised text (synonyms folded).
ACTIONS: dict[str, str] = {
    "pay": r"缴|(?<![提移递])交(?![通给到流])|续保",
    "lookup": r"(?<![检核审调])查|打印",
    "reissue": r"补(?![贴助充偿缴交])|重办",
    "replace": r"换",
    "loss": r"挂失",
    "cancel": r"撤销|解除|注销|取消|退出|终止",
    "receive": r"领|待遇|发放",
    "change": r"变更|修改|更正|改",
    "certify": r"证明|开具",
    "register": r"登记|参保|备案",
    "renew": r"续签|延期|续办|签注",
    "transfer": r"转移|转入|转出|迁",
    "book": r"预约|报名",
}
_ACTION_RES = [(name, re.compile(rx)) for name, rx in ACTIONS.items()]
ACTION_FIELDS = ("title",)
#: The texts compared one by one with the whole question (``sentence``): a resident's question often reads
#: like one of a guide's questions or situations as a whole, word order included, which a bag of terms misses.
SENTENCE_FIELDS = ("title", "alias", "question", "situation")


def actions_of(text: str) -> frozenset[str]:
    """The actions (keys of ACTIONS) a normalised text states."""
    return frozenset(name for name, rx in _ACTION_RES if rx.search(text))


@dataclass(frozen=True)
class RerankWeights:
    """Non-negative weights over FEATURES adding up to 1, and how many candidates are rescored.
    ``fallback``: the weights for ranking without the guide model (its weight 0), learned without it; by
    default ``weights`` with the model's share spread over the others."""

    weights: tuple[float, ...]
    k: int = 8
    note: str = ""
    fallback: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        for w in (self.weights, self.fallback):
            if w is None:
                continue
            w = np.asarray(w, dtype=np.float64)
            if len(w) != len(FEATURES) or (w < 0).any() or not np.isclose(w.sum(), 1.0, atol=1e-4) or self.k < 1:
                raise ValueError(f"rerank weights must be {len(FEATURES)} non-negative numbers adding up to 1, k ≥ 1")
        if self.fallback is not None and self.fallback[MODEL] > 0:
            raise ValueError("the fallback weights are for ranking without the guide model: its weight must be 0")

    @property
    def vector(self) -> np.ndarray:
        return np.asarray(self.weights, dtype=np.float64)

    @property
    def without_model(self) -> np.ndarray:
        if self.fallback is not None:
            return np.asarray(self.fallback, dtype=np.float64)
        w = self.vector.copy()
        w[MODEL] = 0.0
        return w / w.sum() if w.sum() > 0 else np.eye(len(FEATURES))[0]

    def to_json(self) -> str:
        d = {"features": list(FEATURES), "weights": [round(w, 6) for w in self.weights], "k": self.k,
             "note": self.note}
        if self.fallback is not None:
            d["fallback"] = [round(w, 6) for w in self.fallback]
        return json.dumps(d, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "RerankWeights":
        d = json.loads(text)
        if tuple(d.get("features", ())) != FEATURES:
            raise ValueError(f"rerank weights are for features {d.get('features')}, not {list(FEATURES)}")

        def simplex(values) -> tuple[float, ...]:
            w = [max(0.0, float(x)) for x in values]
            total = sum(w) or 1.0
            return tuple(x / total for x in w)

        fallback = simplex(d["fallback"]) if d.get("fallback") is not None else None
        return cls(simplex(d["weights"]), int(d.get("k", 8)), str(d.get("note", "")), fallback)


def load_weights(path: Path = WEIGHTS_FILE) -> RerankWeights | None:
    """The stored weights, or None without a usable file (the first stage then decides alone; a damaged
    file is logged, never a reason not to answer)."""
    try:
        return RerankWeights.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        logging.getLogger(__name__).warning("second-stage weights %s not used: %s", path, exc)
        return None


def group_texts(docs: Sequence[Sequence[tuple[str, str]]], guides: np.ndarray) -> list[list[tuple[str, str]]]:
    """The guides' (``guides``: their entry positions, ascending) texts of the fields the groups read,
    taken before the first stage's index consumes the documents."""
    fields = {f for group in GROUPS.values() for f in group} | set(ACTION_FIELDS) | set(SENTENCE_FIELDS)
    return [[(k, t) for k, t in docs[int(i)] if k in fields] for i in guides]


def guide_actions(texts: list[list[tuple[str, str]]]) -> list[frozenset[str]]:
    """Per guide (as in :func:`group_texts`): the actions its ACTION_FIELDS state (equal sets shared: there
    are few, and 20,000 guides' own sets would take megabytes)."""
    shared: dict[frozenset[str], frozenset[str]] = {}
    return [shared.setdefault(a, a) for a in (actions_of("\n".join(t for k, t in doc if k in ACTION_FIELDS))
                                              for doc in texts)]


def guide_sentences(texts: list[list[tuple[str, str]]]) -> list[str]:
    """Per guide (as in :func:`group_texts`): its SENTENCE_FIELDS texts, one per line."""
    return ["\n".join(t for k, t in doc if k in SENTENCE_FIELDS) for doc in texts]


def best_sentence(core: str, sentences: str) -> float:
    """How close (0-1, rapidfuzz's normalised Indel similarity) the question comes to the nearest one of
    a guide's sentences (:func:`guide_sentences`) taken whole."""
    if not core or not sentences:
        return 0.0
    return max(fuzz.ratio(core, s) for s in sentences.split("\n")) / 100.0


def group_indexes(texts: list[list[tuple[str, str]]], field_weights: dict[str, float],
                  settings: IndexSettings) -> list[ForwardIndex]:
    """One small index per field group over :func:`group_texts`, with the first stage's settings, kept
    per document (the second stage scores its few candidates, not every guide)."""
    return [ForwardIndex(FieldIndex(texts, {f: field_weights[f] for f in fields}, settings))
            for fields in GROUPS.values()]


class Reranker:
    def __init__(self, groups: Sequence[ForwardIndex], guides: np.ndarray, weights: RerankWeights,
                 actions: Sequence[frozenset[str]] = (), close: float = float("inf"),
                 sentences: Sequence[str] = (), model=None, model_columns: np.ndarray | None = None) -> None:
        """``groups`` from :func:`group_indexes` over the guides at entry positions ``guides``; ``actions``
        what each guide's name says is done (:func:`guide_actions`); ``close``: how far behind the best
        (first-stage points) a candidate may be and still be reordered; ``model``: the guide model
        (:mod:`kiosk.matching.guide_model`) with each guide's class in it (``model_columns``), or None."""
        self.groups = list(groups)
        self.actions = list(actions) or [frozenset()] * len(guides)
        self.sentences = list(sentences) or [""] * len(guides)
        self.close = close  # first-stage points behind the best within which candidates are reordered
        self.guides = np.asarray(guides, dtype=np.int64)
        self.weights = weights
        self.model = model if model is not None and model_columns is not None else None
        self.model_columns = model_columns
        self.vector = weights.vector if self.model is not None else weights.without_model

    @property
    def k(self) -> int:
        return self.weights.k

    def features(self, core: str, first: Sequence[tuple[float, int]], norm: str | None = None) -> np.ndarray:
        """One row of FEATURES (each 0-1) per candidate (first-stage score, entry), in the order given."""
        idx = np.array([i for _, i in first], dtype=np.int64)
        if not len(idx):
            return np.zeros((0, len(FEATURES)))
        cols = [np.array([s for s, _ in first], dtype=np.float64) / 100.0]
        at = np.searchsorted(self.guides, idx)  # the candidates' positions in the group indexes
        cols += [g.fused_at(core, at) if core else np.zeros(len(idx)) for g in self.groups]
        whole = norm if norm is not None else core
        cols.append(self._action_agreement(whole, at))
        cols.append(np.array([best_sentence(core, self.sentences[a]) for a in at], dtype=np.float64))
        if self.model is not None and core:
            # the whole question, section and question words included (CV 85.2% against 84.7% on the core)
            cols.append(np.sqrt(self.model.proba(whole)[self.model_columns[at]]))
        else:
            cols.append(np.zeros(len(idx)))
        return np.column_stack(cols)

    def _action_agreement(self, text: str, at: np.ndarray) -> np.ndarray:
        """Per candidate: how far the actions the question states are the ones its name states (Jaccard)."""
        q = actions_of(text)
        if not q:
            return np.zeros(len(at))
        return np.array([len(q & self.actions[a]) / len(q | self.actions[a]) for a in at], dtype=np.float64)

    def rescore(self, core: str, first: Sequence[tuple[float, int]], norm: str | None = None) -> list[tuple[float, int]]:
        """The candidates (first-stage score, entry; best first) rescored, best first, ties to the lower entry."""
        head = list(first[: self.k])
        if not head:
            return []
        # Only the candidates the decision treats as close to the best (within ``close``, Settings.rerank_window)
        # are reordered: a guide the first stage puts further ahead (低保 named whole) keeps its place.
        behind = [c for c in head if c[0] < head[0][0] - self.close]
        head = [c for c in head if c[0] >= head[0][0] - self.close]
        if len(head) < 2:
            return head + behind
        x = self.features(core, head, norm)
        scores = np.clip(100.0 * (x @ self.vector), 0.0, 100.0)
        # The order is the second stage's; the scores stay the first stage's, so the decision's thresholds keep
        # their meaning. When both stages put the same guide first, the others keep their own first-stage
        # scores (no more than the one before them): the decision is the first stage's. When the second stage
        # puts another guide first, the stages disagree: the best takes the first stage's best score and the
        # others the same share of it as in the second stage, so close rivals are offered together.
        if scores.max() > 0:
            scores = np.minimum(100.0, scores * (head[0][0] / scores.max()))
        ranked = sorted(((round(float(s), 6), i) for s, (_, i) in zip(scores, head)), key=lambda t: (-t[0], t[1]))
        if ranked[0][1] != head[0][1]:
            return ranked + [(min(s, ranked[-1][0]), i) for s, i in behind]
        own = {i: s for s, i in head}
        out = [head[0]]
        for _, i in ranked[1:]:
            out.append((min(own[i], out[-1][0]), i))
        return out + [(min(s, out[-1][0]), i) for s, i in behind]


# -- training ---------------------------------------------------------------------------------------
def _project_simplex(v: np.ndarray) -> np.ndarray:
    """The nearest point of {a ≥ 0, sum a = 1} to v (Euclidean)."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1.0
    rho = np.flatnonzero(u - css / np.arange(1, len(v) + 1) > 0)[-1]
    return np.maximum(v - css[rho] / (rho + 1.0), 0.0)


def fit(lists: Sequence[tuple[np.ndarray, int]], l2: float = 0.0, prior: int = 0, iters: int = 500,
        lr: float = 0.05) -> np.ndarray:
    """Weights on the simplex for a listwise logistic loss: per question (features of its candidates,
    K x F; the right candidate's row), P(right) = softmax(tau * X a). ``l2`` pulls ``a`` towards
    all weight on feature ``prior`` (the first stage alone). Questions whose right guide is not among
    the candidates teach nothing and are left out. Deterministic (plain projected gradient)."""
    used = [(x, y) for x, y in lists if 0 <= y < len(x) and len(x) >= 2]
    f = lists[0][0].shape[1] if lists else len(FEATURES)
    e = np.zeros(f)
    e[prior] = 1.0
    if not used:
        return e
    k = max(len(x) for x, _ in used)
    X = np.zeros((len(used), k, f))
    mask = np.zeros((len(used), k), dtype=bool)
    for n, (x, _) in enumerate(used):
        X[n, : len(x)] = x
        mask[n, : len(x)] = True
    right = X[np.arange(len(used)), [y for _, y in used]]  # n x f
    a, log_tau = e.copy(), np.log(20.0)
    for _ in range(iters):
        tau = np.exp(log_tau)
        z = np.where(mask, X @ a, -np.inf)
        p = np.exp(tau * (z - z.max(axis=1, keepdims=True)))
        p /= p.sum(axis=1, keepdims=True)
        d = right - np.einsum("nk,nkf->nf", p, X)  # d log P(right) / d (tau a)
        ga = -tau * d.mean(axis=0) + 2.0 * l2 * (a - e)
        gt = -tau * float((d @ a).mean())
        a = _project_simplex(a - lr * ga)
        log_tau = float(np.clip(log_tau - lr * 2.0 * gt, 0.0, 7.0))
    return a


# -- learning the weights from the guides ----------------------------------------------------------------
#: The first stage's order with the group indexes at hand: what training reads features from.
def probe(k: int = 8) -> RerankWeights:
    return RerankWeights((1.0,) + (0.0,) * (len(FEATURES) - 1), k)


def candidate_lists(matcher, rows, transform=None) -> list[tuple[np.ndarray, int]]:
    """Per labelled in-scope row: features of the first stage's best K guides (``matcher`` built with
    ``rerank=probe(K)``) and the right guide's place among them (-1 if absent)."""
    from .text import normalize

    rk = matcher.ranker
    rr = rk.reranker
    out = []
    for row in rows:
        norm = normalize(transform(row.query) if transform else row.query)
        found = rk.first_stage(norm, rr.k)
        if found is None:
            out.append((np.zeros((0, len(FEATURES))), -1))
            continue
        core, _, _, first = found
        ids = [rk.entries[i].id for _, i in first]
        out.append((rr.features(core, first, norm), ids.index(row.expected) if row.expected in ids else -1))
    return out


def top1(lists: Sequence[tuple[np.ndarray, int]], weights: np.ndarray) -> int:
    """How many lists put the right candidate first under ``weights`` (ties to the first listed)."""
    ok = 0
    for x, y in lists:
        if 0 <= y < len(x):
            s = np.round(100.0 * (x @ weights), 6)
            ok += int(np.flatnonzero(s == s.max())[0]) == y
    return ok


@dataclass(frozen=True)
class TrainReport:
    questions: int  # guide questions asked (leave-one-out)
    first_top1: int  # of them, right first under the first stage alone
    cv_top1: dict[float, int]  # per l2 tried: right first, weights fitted on the other folds
    l2: float  # the one chosen
    cv_without: dict[float, int] = field(default_factory=dict)  # the same without the guide model
    l2_without: float = 0.0

    def lines(self) -> list[str]:
        pct = lambda k: f"{100.0 * k / max(self.questions, 1):.1f}%"  # noqa: E731
        out = [f"first stage alone: top-1 {pct(self.first_top1)} of {self.questions} guide questions (leave-one-out)"]
        out += [f"l2 {l2:g}: top-1 {pct(k)} (cross-validated over the folds)" for l2, k in self.cv_top1.items()]
        out.append(f"chosen: l2 {self.l2:g}")
        if self.cv_without:
            out += [f"without the guide model, l2 {l2:g}: top-1 {pct(k)}" for l2, k in self.cv_without.items()]
            out.append(f"chosen without the guide model: l2 {self.l2_without:g}")
        return out


def _cross_validate(per_fold, l2s, cols) -> tuple[dict[float, int], float, np.ndarray]:
    """Top-1 per l2 (fit on the other folds, measured on each), the l2 chosen (ties to the smaller) and
    the weights over FEATURES fitted on all folds with it (0 outside ``cols``)."""
    def sub(lists):
        return [(x[:, cols], y) for x, y in lists]

    folds = [sub(f) for f in per_fold]
    cv = {l2: sum(top1(fold, fit([q for i, f in enumerate(folds) if i != j for q in f], l2=l2))
                  for j, fold in enumerate(folds)) for l2 in l2s}
    l2 = max(cv, key=lambda x: (cv[x], -x)) if cv else 0.0
    a = np.zeros(len(FEATURES))
    a[cols] = fit([q for f in folds for q in f], l2=l2)
    return cv, l2, a


def train(kb, settings=None, folds: int = 10, k: int = 8, l2s: Sequence[float] = (0.0, 0.1, 0.3, 1.0),
          model: bool = True):
    """Weights from the knowledge base's own questions, leave-one-out (kiosk.evaluation.loo_matchers, each
    fold with a guide model fitted without its questions): l2 chosen by cross-validation over the folds (fit
    on the others, top-1 on the fold; ties to the smaller l2), then the weights fitted on all folds; the
    same without the guide model for the fallback weights. Returns the weights, the guide model fitted on
    all the guides (None with ``model=False``) and a report."""
    from .. import evaluation
    from . import Matcher
    from .guide_model import fit_model

    events = evaluation._events(kb)

    def make(guides, guide_model=None):
        return Matcher(guides, settings, events=events, rerank=probe(k), model=guide_model or False)

    per_fold = [candidate_lists(m, rows) for m, _, rows in
                evaluation.loo_matchers(kb, settings, folds, make, model=model)]
    n = sum(len(f) for f in per_fold)
    first = sum(top1(f, np.eye(len(FEATURES))[0]) for f in per_fold)
    others = [i for i in range(len(FEATURES)) if i != MODEL]
    cv_wo, l2_wo, a_wo = _cross_validate(per_fold, l2s, others)
    if model:
        cv, l2, a = _cross_validate(per_fold, l2s, list(range(len(FEATURES))))
    else:
        cv, l2, a = cv_wo, l2_wo, a_wo
    report = TrainReport(n, first, cv, l2, cv_wo if model else {}, l2_wo)
    pct = lambda c: f"{100.0 * c / max(n, 1):.1f}%"  # noqa: E731
    note = (f"trained on {n} guide questions (leave-one-out, {folds} folds), l2 {l2:g}; cross-validated top-1 "
            f"{pct(cv.get(l2, 0))}" + (f" (without the guide model {pct(cv_wo.get(l2_wo, 0))})" if model else "")
            + f" vs first stage alone {pct(first)}")
    weights = RerankWeights(tuple(float(x) for x in a), k, note, tuple(float(x) for x in a_wo))
    return weights, (fit_model(kb.guides) if model else None), report
