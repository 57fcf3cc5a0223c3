"""Study the second stage (kiosk/matching/rerank.py) and features it could use: features of the first
stage's best K guides on the LOO folds, dev, dev2 and held-out half a (never b), as written and garbled;
listwise fits (weights on the simplex) cross-validated over the LOO folds. Prints top-1 ranking of
guides (decision ignored) of the first stage alone and of each fit.

    PYTHONPATH=. .venv/bin/python scripts/rerank_study.py

Shipped features: first, names, situations. Studied besides: the first stage's char and pinyin views
apart (main_char, main_pinyin), its score without the name bonus (fused_core), a plain BM25 over titles,
aliases and questions (base_bm25, as kiosk eval's baseline), the questions and body field groups
(g_questions; g_body = summary, faq, conditions, benefits). Earlier (commit 64bc937): a name heard whole
and BM25 shares of the names + question cores got no weight on LOO.
"""
from __future__ import annotations

import itertools
import sys
from functools import partial

import numpy as np

from kiosk.config import load_config
from kiosk.evaluation import NONE_LABEL, BaselineBM25, garble, loo_matchers, read_rows
from kiosk.knowledge import load_directory
from kiosk.matching import Matcher, events_for, guide_documents
from kiosk.matching.index import FieldIndex, IndexSettings
from kiosk.matching.ranker import FIELD_WEIGHTS
from kiosk.matching.rerank import FEATURES, fit, probe
from kiosk.matching.text import clean, normalize

KMAX = 12
EXTRA = ("fused_core", "main_char", "main_pinyin", "base_bm25", "g_questions", "g_body")
NAMES = FEATURES + EXTRA
STUDY_GROUPS = (("question",), ("summary", "faq", "condition", "benefit"))


def study_groups(matcher, guides):
    st = matcher.ranker.settings
    docs = [list(d) for d in guide_documents(guides)[1]]
    ist = IndexSettings(k1=st.k1, b=st.b, char_weight=st.char_weight, stop_share=st.stop_share,
                        misheard_credit=st.misheard_credit)
    return [FieldIndex(docs, {f: FIELD_WEIGHTS[f] for f in g}, ist) for g in STUDY_GROUPS]


def question_lists(matcher, baseline, groups, rows, transform=None):
    rk = matcher.ranker
    pos = {gid: j for j, gid in enumerate(baseline.ids)}
    out = []
    for row in rows:
        if row.expected == NONE_LABEL:
            continue
        q = transform(row.query) if transform else row.query
        norm = normalize(q)
        found = rk.first_stage(norm, KMAX)
        if found is None:
            out.append((np.zeros((0, len(NAMES))), -1))
            continue
        core, scores, _, first = found
        idx = [i for _, i in first]
        mc, mp = rk.index.scores(core)
        cq = clean(q)
        b = baseline.index.fused(cq) if cq else np.zeros(baseline.index.n)
        at = np.searchsorted(rk._guides, idx)
        extra = np.column_stack([scores[idx] / 100, mc[idx], mp[idx], [b[pos[rk.entries[i].id]] for i in idx]]
                                + [g.fused(core)[at] for g in groups])
        ids = [rk.entries[i].id for i in idx]
        out.append((np.hstack([rk.reranker.features(core, first, norm), extra]),
                    ids.index(row.expected) if row.expected in ids else -1))
    return out


def top1(lists, w, k, cols):
    ok = 0
    for x, y in lists:
        if w is None:
            ok += y == 0
        elif 0 <= y < k:
            s = np.round(x[:k][:, cols] @ w * 100, 6)
            ok += int(np.flatnonzero(s == s.max())[0]) == y  # ties: first-stage order
    return 100.0 * ok / len(lists)


def main():
    config = load_config()
    kb, _ = load_directory(config.path("guides_dir"), config.centre)
    events = events_for(kb)
    g1 = partial(garble, rate=0.15, seed=1)
    def make(guides, guide_model=None):  # loo_matchers passes each fold's guide model
        return Matcher(guides, events=events, rerank=probe(KMAX), model=guide_model or False)
    loo, loo_g = [], []
    for m, guides, rows in loo_matchers(kb, matcher_factory=make):
        b, gi = BaselineBM25(guides), study_groups(m, guides)
        loo.append(question_lists(m, b, gi, rows))
        loo_g.append(question_lists(m, b, gi, rows, g1))
    full = make(kb.guides)
    base, gi = BaselineBM25(kb.guides), study_groups(full, kb.guides)
    sets = {}
    for name, path in (("dev", "../shared/eval/dev_queries.tsv"), ("dev2", "../shared/eval/dev2_queries.tsv"),
                       ("a", "tests/data/heldout-2026-12-02/inscope_a.tsv")):
        rows = read_rows(path)
        sets[name] = question_lists(full, base, gi, rows)
        sets[name + "_g1"] = question_lists(full, base, gi, rows, g1)
    if "--save" in sys.argv:
        np.save(sys.argv[sys.argv.index("--save") + 1], np.array([loo, loo_g, sets], dtype=object), allow_pickle=True)
    n = sum(len(f) for f in loo)
    all_loo, all_loo_g = [q for f in loo for q in f], [q for f in loo_g for q in f]
    print(f"{n} LOO questions. Fits: weights on the simplex, fitted on 9 LOO folds and measured on the 10th (LOO-CV, "
          "as written and garbled 0.15 seed 1); the other columns use the fit on all folds. Top-1 ranking of guides.")
    line = f"{'first stage alone':<62}: LOO-CV {top1(all_loo, None, 1, [0]):5.1f} g1 {top1(all_loo_g, None, 1, [0]):5.1f}"
    print(line + "".join(f" | {name} {top1(lists, None, 1, [0]):5.1f}" for name, lists in sets.items()))
    combos = [("first", "names", "situations"), ("first", "names"), ("first", "situations"),
              ("first", "names", "situations", "g_body"), ("first", "names", "situations", "g_questions"),
              ("first", "names", "situations", "base_bm25"), ("first", "names", "situations", "main_char", "main_pinyin"),
              ("first", "base_bm25"), ("first", "main_char")]
    for combo in combos:
        cols = [NAMES.index(c) for c in combo]
        for l2, k in itertools.product((0.0, 0.1, 0.3), (4, 8)):
            cv = cvg = 0.0
            for f in range(len(loo)):
                w = fit([(x[:k][:, cols], y) for g, fold in enumerate(loo) if g != f for x, y in fold], l2=l2)
                cv += top1(loo[f], w, k, cols) * len(loo[f])
                cvg += top1(loo_g[f], w, k, cols) * len(loo_g[f])
            w = fit([(x[:k][:, cols], y) for x, y in all_loo], l2=l2)
            line = f"{'+'.join(combo):48s} l2={l2:<4} k={k:<2}: LOO-CV {cv / n:5.1f} g1 {cvg / n:5.1f}"
            line += "".join(f" | {name} {top1(lists, w, k, cols):5.1f}" for name, lists in sets.items())
            print(line, " w=", np.round(w, 3), flush=True)


if __name__ == "__main__":
    sys.exit(main())
