"""Is a question out of scope though no out-of-scope topic names it?

Listing topics (``kiosk/data/out_of_scope.yaml``) reaches the questions they were written for, not the next
ones. This module asks instead how a question stands to the guides as a whole, by sound (the pinyin view of
the index, so that a misheard character, a homophone of the right one, does not look foreign):

* ``best``: the best guide's score (0-1), and ``gap``: its lead over the second;
* ``miss``: the share of the question's information (IDF-weighted pinyin 2-grams) the best guide does not
  contain at all, and ``miss_rare``: the same with IDF squared (the rarest words weigh most). The fitted
  model weighs ``miss`` up and ``miss_rare`` down: what counts against a guide is missing the question's
  ordinary words of a thing (年检, 理发) while its rarest ones are a resident's own (芯片, 泡饭), which an
  in-scope description of a situation often has;
* ``unknown``: the share of the question's pinyin 1+2-gram information that no guide has at all;
* ``named``: how much of the question a title/alias of the best guide, heard whole, covers;
* ``information``: log(1 + the question's total pinyin information): a long description of a resident's
  situation explained by a low share is still mostly explained; a short question explained by the same
  low share is usually about something else.

A logistic model over these (:class:`ScopeModel`, fitted by ``scripts/fit_scope.py`` with
cross-validation, coefficients in ``kiosk/data/scope_model.json``) gives the probability that the question
is out of scope. :func:`kiosk.matching.ranker.decide` turns the guides' answer or choice list into none
when that probability reaches ``Settings.scope_reject`` and the best guide scores below
``Settings.scope_max_best`` (a short question on the centre itself, 礼拜六中心开门伐, has little
information but a guide that fits it well).
"""
from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from .index import _code_points, _positions, _term_parts
from .text import code

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "scope_model.json"
FEATURES = ("best", "gap", "miss", "miss_rare", "unknown", "named", "information")


def _postings(index, keys: np.ndarray, is_guide: np.ndarray, best: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per key: document frequency (all documents), how many guides have it, whether guide ``best`` has it."""
    found, df = index._lookup(keys)
    in_guides = np.zeros(len(keys), dtype=np.int64)
    present = np.zeros(len(keys), dtype=bool)
    for seg, hits, rows in found:
        is_dense, j = seg.dense_hits(rows)
        if len(j):  # common terms kept dense: a row of tf per document, 0 where absent
            has = seg.dense[j] > 0
            in_guides[hits[is_dense]] += has[:, is_guide[seg.start: seg.start + seg.size]].sum(axis=1)
            if seg.start <= best < seg.start + seg.size:
                present[hits[is_dense]] = has[:, best - seg.start]
        starts = seg.offsets[rows].astype(np.int64)
        lens = seg.offsets[rows + 1].astype(np.int64) - starts
        if not lens.sum():
            continue
        positions = _positions(starts, lens)
        docs = seg.docs[positions].astype(np.int64) + seg.start
        owner = np.repeat(hits, lens)
        in_guides += np.bincount(owner[is_guide[docs]], minlength=len(keys))
        present[owner[docs == best]] = True
    return df, in_guides, present


def scope_features(ranker, core: str, guides: Sequence[tuple[float, int]]) -> tuple[float, ...] | None:
    """The features (see FEATURES) of a question's core against its ranked guides ((score, entry), best
    first, as Ranker.ranked gives them); None when there is nothing to judge."""
    if not core or not guides:
        return None
    cps = _code_points(core)
    parts = _term_parts(cps)
    p1, p2 = np.unique(parts[2][1]()), np.unique(parts[3][1]())
    keys = np.concatenate([p1, p2])
    if not len(keys):
        return None
    best_score, best = guides[0]
    second = guides[1][0] if len(guides) > 1 else 0.0
    df, in_guides, present = _postings(ranker.index, keys, ranker.is_guide_mask(), best)
    idf = ranker.index.idf(df)
    total = float(idf.sum())
    unknown = float(idf[in_guides == 0].sum() / total) if total > 0 else 0.0
    bi = np.arange(len(p1), len(keys))
    w, w2 = idf[bi], idf[bi] ** 2
    missing = ~present[bi]
    miss = float(w[missing].sum() / w.sum()) if w.sum() > 0 else 0.0
    miss_rare = float(w2[missing].sum() / w2.sum()) if w2.sum() > 0 else 0.0
    qc = code(core)
    named = ranker.named(best, qc) / len(qc) if qc else 0.0
    return (best_score / 100.0, (best_score - second) / 100.0, miss, miss_rare, unknown, named,
            math.log1p(total))


@dataclass(frozen=True)
class ScopeModel:
    """Logistic regression on standardised features: P(out of scope) = sigmoid(bias + sum w * (x - mean) / scale)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    guides: int = 0  # how many guides the knowledge base it was fitted on had (0: not recorded)

    def applies(self, guides: int) -> bool:
        """IDF, and so the features, depend on the size of the knowledge base: the model is used only on
        one of about the size it was fitted on (half to twice); refit it (scripts/fit_scope.py) otherwise."""
        return not self.guides or self.guides / 2 <= guides <= self.guides * 2

    def probability(self, x: Sequence[float] | None) -> float | None:
        if x is None:
            return None
        z = self.bias + sum(w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def to_json(self, **extra) -> str:
        data = {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "bias": self.bias, "guides": self.guides, **extra}
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "ScopeModel":
        d = json.loads(text)
        if tuple(d["features"]) != FEATURES:
            raise ValueError(f"scope model features {d['features']} are not {list(FEATURES)}")
        return cls(tuple(d["features"]), tuple(map(float, d["mean"])), tuple(map(float, d["scale"])),
                   tuple(map(float, d["weights"])), float(d["bias"]), int(d.get("guides", 0)))


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> ScopeModel | None:
    """The shipped model, or None when the file is missing (then nothing is rejected this way). A damaged
    file is logged and left unused, as the second stage's weights are: never a reason not to answer."""
    try:
        return ScopeModel.from_json(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        logging.getLogger(__name__).warning("out-of-scope model %s not used: %s", path, exc)
        return None


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None, l2: float = 1e-2,
        iters: int = 100, guides: int = 0) -> ScopeModel:
    """Weighted, L2-regularised logistic regression by Newton's method (y: 1 = out of scope)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    w = np.ones(len(y)) if weight is None else np.asarray(weight, dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 1e-12, scale, 1.0)
    z = np.c_[np.ones(len(x)), (x - mean) / scale]
    reg = l2 * np.diag(np.r_[0.0, np.ones(z.shape[1] - 1)])
    beta = np.zeros(z.shape[1])
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(z @ beta)))
        grad = z.T @ (w * (p - y)) + reg @ beta
        hess = (z * (w * p * (1 - p))[:, None]).T @ z + reg
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return ScopeModel(FEATURES, tuple(mean.tolist()), tuple(scale.tolist()), tuple(beta[1:].tolist()), float(beta[0]),
                      guides)
