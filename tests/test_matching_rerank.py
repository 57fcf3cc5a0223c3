"""The second-stage study tooling (kiosk/matching/rerank.py): its features and its listwise fit."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kiosk.matching import Matcher
from kiosk.matching.rerank import FEATURES, Reranker, _project_simplex, fit


def guide(kb, gid, title, aliases, questions=()):
    return dataclasses.replace(kb.get("assistance-01"), id=gid, title=title, aliases=tuple(aliases),
                               questions=tuple(questions), faq=())


@pytest.fixture(scope="module")
def small(kb):
    return Matcher([
        guide(kb, "t-01", "居住证挂失", ["居住证遗失先报挂失"]),
        guide(kb, "t-02", "居住证补领", ["居住证补办"], ["居住证丢了怎么补"]),
        guide(kb, "t-03", "残疾人交通补贴办理", ["残疾人车贴"]),
        guide(kb, "t-04", "敬老卡申领", ["老人卡", "老年卡"]),
    ], topics=[])


def _first(m, core, k=4):
    rk = m.ranker
    return rk.ranked(core, rk._guides, k, rk.scores(core))


def test_features_of_a_name_asked_whole(small):
    rk = small.ranker
    first = _first(small, "敬老卡申领")
    x = Reranker().features(rk, "敬老卡申领", first)
    assert x.shape == (len(first), len(FEATURES))
    row = [rk.entries[i].id for _, i in first].index("t-04")
    assert x[row, FEATURES.index("first")] == pytest.approx(first[row][0] / 100)
    assert x[row, FEATURES.index("named")] == pytest.approx(1.0)  # the whole question is its title
    for f in ("short_char", "short_pinyin"):
        col = x[:, FEATURES.index(f)]
        assert 0.0 < col[row] < 1.0 and col[row] == col.max()
        assert all(col[j] < col[row] for j in range(len(col)) if j != row)
    assert ((x >= 0) & (x <= 1)).all()


def test_short_features_read_names_and_questions_only(small):
    rk = small.ranker
    first = _first(small, "丢了怎么补")  # only t-02's question says this
    x = Reranker().features(rk, "丢了怎么补", first)
    ids = [rk.entries[i].id for _, i in first]
    col = x[:, FEATURES.index("short_char")]
    assert ids[int(np.argmax(col))] == "t-02"
    assert x[:, FEATURES.index("named")].max() == 0.0  # no title or alias heard whole


def test_misheard_name_still_shares_its_sound(small):
    rk = small.ranker
    first = _first(small, "精老卡")  # 精 for 敬
    x = Reranker().features(rk, "精老卡", first)
    row = [rk.entries[i].id for _, i in first].index("t-04")
    assert x[row, FEATURES.index("short_pinyin")] > x[row, FEATURES.index("short_char")] > 0


def test_score_with_all_weight_on_the_first_stage_keeps_its_order(small):
    rk = small.ranker
    first = _first(small, "居住证补办要什么")
    w = np.zeros(len(FEATURES))
    w[0] = 1.0
    assert [i for _, i in Reranker().score(rk, "居住证补办要什么", first, w)] == [i for _, i in first]
    # weight on a feature every candidate lacks: all tie, the lower guide position first
    w = np.zeros(len(FEATURES))
    w[FEATURES.index("named")] = 1.0
    assert [i for _, i in Reranker().score(rk, "要什么", first, w)] == sorted(i for _, i in first)


def test_project_simplex():
    for v in (np.array([0.2, 0.3, 0.5]), np.array([3.0, -1.0, 0.5]), np.array([-2.0, -2.0, -1.0])):
        a = _project_simplex(v)
        assert (a >= 0).all() and a.sum() == pytest.approx(1.0)
    assert _project_simplex(np.array([0.2, 0.3, 0.5])) == pytest.approx([0.2, 0.3, 0.5])
    assert _project_simplex(np.array([3.0, -1.0, 0.5])) == pytest.approx([1.0, 0.0, 0.0])


def test_fit_finds_the_feature_that_ranks_and_beats_the_first_alone():
    rng = np.random.default_rng(0)
    lists = []
    for _ in range(300):
        x = rng.random((6, 3))
        lists.append((x, int(np.argmax(0.3 * x[:, 0] + 0.7 * x[:, 2]))))
    train, held = lists[:200], lists[200:]
    a = fit(train)
    assert a.sum() == pytest.approx(1.0) and (a >= 0).all()
    assert a[2] > 0.5 and a[1] < 0.1
    right = sum(int(np.argmax(x @ a)) == y for x, y in held)
    first_alone = sum(int(np.argmax(x[:, 0])) == y for x, y in held)
    assert right > first_alone + 20
    # pulled towards the first stage alone
    assert fit(train, l2=5.0)[0] > a[0]


def test_fit_without_evidence_keeps_the_first_stage():
    x = np.random.default_rng(1).random((4, 3))
    assert list(fit([(x, -1), (x, 7)])) == [1.0, 0.0, 0.0]
