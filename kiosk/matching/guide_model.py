"""The guide model: which guide a question's words point to, learned from the guides' own texts.

BM25 weighs a term by how rare it is among all guides; it cannot learn that 轮椅 tells 辅助器具 from 车贴
while 残疾证 tells nothing apart among the disability guides. The guide model learns such weights: a
multinomial logistic regression (one class per guide) over the character 1- and 2-grams and the
pronunciation 2-grams (toneless pinyin, so misheard characters still count) of each guide's own title,
aliases, spoken name, questions, situations, FAQ questions and summary, every text one example, rows
scaled to unit length. P(guide | question) feeds the second stage (:mod:`kiosk.matching.rerank`) as the
feature ``model``.

It is fitted offline (``kiosk train-rerank``, with scikit-learn; the kiosk itself only reads the stored
weights, pure numpy) and stored in ``kiosk/data/guide_model.npz``. It is used only for the set of guides it
was fitted on; with another set (a guide added or removed) the second stage ranks without it, with its own
fallback weights. Texts edited since the fit still use it; ``kiosk validate`` says when to retrain.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from .text import code, normalize

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "guide_model.npz"
#: Inverse regularisation strength; chosen by cross-validation over the leave-one-out folds of the guides'
#: questions (top-1 of the second stage: C 3 83.8%, 10 84.3%, 30 84.7%, 100 84.8%; the more regularised of
#: the two best).
C = 30.0


def grams(norm: str) -> list[str]:
    """The model's terms of a normalised text, sorted: characters, character pairs and sound pairs."""
    sounds = code(norm)
    out = {"c" + ch for ch in norm}
    out.update("b" + norm[i: i + 2] for i in range(len(norm) - 1))
    out.update("p" + sounds[i: i + 2] for i in range(len(sounds) - 1))
    return sorted(out)


def training_texts(guide) -> list[str]:
    """A guide's texts the model learns from, normalised, empty ones left out."""
    texts = (guide.title, *guide.aliases, guide.spoken_name or "", *guide.questions, *guide.situations,
             *(f.q for f in guide.faq), guide.summary)
    return [n for n in (normalize(t) for t in texts) if n]


def fingerprint(guides: Iterable) -> str:
    """What a model was fitted on: the guides' ids and their training texts."""
    h = hashlib.sha256()
    for g in guides:
        h.update(g.id.encode())
        for t in training_texts(g):
            h.update(b"\x1f" + t.encode())
        h.update(b"\x1e")
    return h.hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class GuideModel:
    """The fitted weights, kept small: per term (sorted), the guides it has a weight for (int8, times the
    guide's scale); most terms matter for few guides, so about 1.5 MB for the shipped guides."""

    ids: tuple[str, ...]  # one class per guide, in this order
    terms: np.ndarray  # sorted terms (str)
    starts: np.ndarray  # len(terms) + 1: term t's weights are at starts[t]:starts[t + 1]
    guides: np.ndarray  # per weight: the guide's class (uint16)
    values: np.ndarray  # per weight: int8; the weight is values * scale[guide]
    scale: np.ndarray  # len(ids), float32
    bias: np.ndarray  # len(ids), float32
    fitted_on: str = ""  # fingerprint() of the guides

    def __post_init__(self) -> None:
        n, t = len(self.ids), len(self.terms)
        if self.starts.shape != (t + 1,) or self.guides.shape != self.values.shape or \
                self.values.dtype != np.int8 or self.bias.shape != (n,) or self.scale.shape != (n,) or \
                (len(self.guides) and int(self.guides.max()) >= n) or int(self.starts[-1]) != len(self.values):
            raise ValueError("guide model: its weights do not fit its terms and guides")

    def applies(self, ids: Iterable[str]) -> bool:
        """Whether this model was fitted on exactly these guides (in any order)."""
        ids = list(ids)
        return len(ids) == len(self.ids) and set(ids) == set(self.ids)

    def columns(self, ids: Sequence[str]) -> np.ndarray:
        """The model's class for each of ids (which it must apply to)."""
        at = {gid: j for j, gid in enumerate(self.ids)}
        return np.array([at[g] for g in ids], dtype=np.int64)

    def proba(self, norm: str) -> np.ndarray:
        """P(guide | question) for each of self.ids, from a normalised question (uniform when none of its
        terms is known)."""
        z = self.bias.astype(np.float64)
        asked = np.array(grams(norm)) if norm else np.array([], dtype=str)
        if len(asked) and len(self.terms):
            at = np.minimum(np.searchsorted(self.terms, asked), len(self.terms) - 1)
            rows = at[self.terms[at] == asked]
            if len(rows):
                lo, hi = self.starts[rows], self.starts[rows + 1]
                lengths = hi - lo
                # the positions lo..hi of every known term, in one array
                picks = np.repeat(lo - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
                sums = np.bincount(self.guides[picks], weights=self.values[picks], minlength=len(self.ids))
                z = z + sums * self.scale / np.sqrt(len(rows))
        z = np.exp(z - z.max())
        return z / z.sum()

    # -- building and storage ---------------------------------------------------------------------
    @classmethod
    def quantized(cls, ids, terms, weights: np.ndarray, bias: np.ndarray, fitted_on: str = "") -> "GuideModel":
        """A model from float weights (terms x guides, terms sorted): int8 per guide with a scale, the
        zeros left out."""
        scale = np.abs(weights).max(axis=0) / 127.0
        scale[scale == 0] = 1.0
        q = np.round(weights / scale).astype(np.int8)
        rows, cols = np.nonzero(q)
        starts = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(terms)), out=starts[1:])
        return cls(tuple(ids), np.array(list(terms), dtype=str), starts, cols.astype(np.uint16), q[rows, cols],
                   scale.astype(np.float32), np.asarray(bias, dtype=np.float32), fitted_on)

    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            np.savez_compressed(fh, ids=np.array(self.ids), terms=self.terms, starts=self.starts,
                                guides=self.guides, values=self.values, scale=self.scale, bias=self.bias,
                                fitted_on=np.array([self.fitted_on]))

    @classmethod
    def load(cls, path: Path) -> "GuideModel":
        with np.load(path, allow_pickle=False) as d:
            return cls(tuple(str(x) for x in d["ids"]), d["terms"], d["starts"].astype(np.int64),
                       d["guides"].astype(np.uint16), d["values"].astype(np.int8), d["scale"].astype(np.float32),
                       d["bias"].astype(np.float32), str(d["fitted_on"][0]))


_loaded: dict[tuple[str, float], GuideModel | None] = {}


def load_model(path: Path = MODEL_FILE) -> GuideModel | None:
    """The stored model (read once per file version), or None without a usable file (logged; the second
    stage then ranks without it)."""
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError:
        return None
    if key not in _loaded:
        try:
            _loaded[key] = GuideModel.load(path)
        except (OSError, ValueError, KeyError, IndexError, EOFError) as exc:
            logging.getLogger(__name__).warning("guide model %s not used: %s", path, exc)
            _loaded[key] = None
    return _loaded[key]


def fit_model(guides: Sequence, c: float = C) -> GuideModel:
    """Fit the model on the guides' own texts (needs scikit-learn: ``pip install .[train]``)."""
    try:
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("训练指南模型需要 scikit-learn：pip install '.[train]'") from exc
    guides = list(guides)
    examples = [(j, grams(t)) for j, g in enumerate(guides) for t in training_texts(g)]
    terms = sorted({t for _, gs in examples for t in gs})
    row_of = {t: i for i, t in enumerate(terms)}
    indptr, indices, labels = [0], [], []
    for j, gs in examples:
        indices.extend(row_of[t] for t in gs)
        indptr.append(len(indices))
        labels.append(j)
    lengths = np.diff(indptr)
    data = np.repeat(1.0 / np.sqrt(np.maximum(lengths, 1)), lengths)
    x = csr_matrix((data, np.array(indices), np.array(indptr)), shape=(len(examples), len(terms)))
    lr = LogisticRegression(C=c, max_iter=300)
    lr.fit(x, np.array(labels))
    coef = np.zeros((len(guides), len(terms)))
    bias = np.zeros(len(guides))
    coef[lr.classes_] = lr.coef_ if len(lr.classes_) > 2 else np.vstack([-lr.coef_, lr.coef_]) / 2
    bias[lr.classes_] = lr.intercept_ if len(lr.classes_) > 2 else np.array([-1, 1]) * lr.intercept_[0] / 2
    return GuideModel.quantized([g.id for g in guides], terms, coef.T, bias, fingerprint(guides))
