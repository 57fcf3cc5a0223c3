"""Study tooling for a learned second stage: features of the first stage's best K guides and a
listwise fit of a linear scorer over them. **Not wired into the matcher.**

Measured on 2026-12-02 (``scripts/rerank_study.py``): weights fitted on the guides' own questions,
each asked of an index built without it (leave-one-out folds), put all their weight on the first
stage's own score, whatever K (4, 8) or regularisation; fixed mixes with the features below trade
leave-one-out accuracy for a question or two on the held-out set. So the first stage decides alone;
this module keeps the features and the fit so the study can be re-run when guides or the first stage
change.

Features (per question and candidate guide, each 0-1):

- ``first``: the first stage's score (fused BM25F + name bonus) / 100;
- ``named``: the share of the question's sound taken by the longest name of the guide heard whole;
- ``short_char`` / ``short_pinyin``: the share of the question's character / pinyin information that
  the guide's names and question cores alone explain (BM25 saturation and length normalisation, with
  the IDF of the first stage's index); computed for the K candidates only, so no second index.

A scorer is ``100 * sum_j a_j * feature_j`` with ``a`` non-negative and adding up to 1, so its scores
stay on the 0-100 scale the decision reads.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .index import _code_points, is_char_key, term_keys
from .text import code

FEATURES = ("first", "named", "short_char", "short_pinyin")

#: BM25 saturation and length normalisation of the short features (names and questions).
SHORT_K1, SHORT_B = 1.2, 0.75
#: How many entries' name terms are kept between questions.
CACHE = 2048


class Reranker:
    """Features of the first stage's candidates, for one Ranker (its entries and index)."""

    def __init__(self) -> None:
        self._terms: dict[int, tuple[np.ndarray, np.ndarray, float]] = {}
        self._avg: float | None = None

    def _avg_length(self, ranker) -> float:
        if self._avg is None:
            lengths = [len(_name_text(e)) for e in ranker.entries if e.is_guide]
            self._avg = max(1.0, float(np.mean(lengths))) if lengths else 1.0
        return self._avg

    def _entry_terms(self, ranker, i: int) -> tuple[np.ndarray, np.ndarray, float]:
        """Sorted unique term keys of entry i's names and question cores, their counts, the text length."""
        got = self._terms.get(i)
        if got is None:
            text = _name_text(ranker.entries[i])
            keys = term_keys(_code_points(text + "\n")) if text else np.zeros(0, dtype=np.int64)
            uniq, counts = np.unique(keys, return_counts=True)
            if len(self._terms) >= CACHE:
                self._terms.clear()  # bounded: at 20,000 guides only recent candidates are kept
            got = self._terms[i] = (uniq, counts.astype(np.float64), float(len(text)))
        return got

    def features(self, ranker, core: str, first: Sequence[tuple[float, int]]) -> np.ndarray:
        """One row of FEATURES per candidate (first-stage score, entry), in the order given."""
        if not first:
            return np.zeros((0, len(FEATURES)))
        qc = code(core)
        keys = np.unique(term_keys(_code_points(core))) if core else np.zeros(0, dtype=np.int64)
        idf = ranker.index.idf(ranker.index.document_frequency(keys))
        is_char = is_char_key(keys)
        tot_c, tot_p = float(idf[is_char].sum()), float(idf[~is_char].sum())
        avg = self._avg_length(ranker)
        rows = []
        for s, i in first:
            uniq, counts, length = self._entry_terms(ranker, i)
            at = np.minimum(np.searchsorted(uniq, keys), max(len(uniq) - 1, 0))
            tf = np.where(uniq[at] == keys, counts[at], 0.0) if len(uniq) else np.zeros(len(keys))
            sat = tf / (tf + SHORT_K1 * (1.0 - SHORT_B + SHORT_B * length / avg))
            got = idf * sat
            rows.append((s / 100.0, ranker.named(i, qc) / len(qc) if qc else 0.0,
                         float(got[is_char].sum()) / tot_c if tot_c > 0 else 0.0,
                         float(got[~is_char].sum()) / tot_p if tot_p > 0 else 0.0))
        return np.array(rows, dtype=np.float64)

    def score(self, ranker, core: str, first: Sequence[tuple[float, int]], weights: np.ndarray
              ) -> list[tuple[float, int]]:
        """The candidates (first-stage score, entry) rescored as 100 * features @ weights, best first;
        ties go to the lower entry (guide position)."""
        x = self.features(ranker, core, first)
        scores = np.clip(100.0 * (x @ weights), 0.0, 100.0) if len(x) else []
        return sorted(((round(float(s), 6), i) for s, (_, i) in zip(scores, first)), key=lambda t: (-t[0], t[1]))


def _name_text(entry) -> str:
    """An entry's names and question cores, one a line (as the name bonus reads them)."""
    if entry.names:
        return entry.names
    from .ranker import NAME_KINDS, name_part

    return "\n".join(name_part(p.kind, p.text) for p in entry.phrases if p.kind in NAME_KINDS)


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
