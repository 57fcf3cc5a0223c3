"""The second stage (kiosk/matching/rerank.py): its features, the hook in the ranker, the fit, training."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kiosk.matching import Matcher, Settings
from kiosk.matching.rerank import (FEATURES, RerankWeights, _project_simplex, actions_of, best_sentence, fit,
                                   load_weights, probe, top1, train)


def guide(kb, gid, title, aliases, questions=(), situations=(), summary=None):
    g = kb.get("assistance-01")
    return dataclasses.replace(g, id=gid, title=title, aliases=tuple(aliases), questions=tuple(questions),
                               situations=tuple(situations), faq=(), summary=summary or g.summary)


@pytest.fixture(scope="module")
def small(kb):
    return [
        guide(kb, "t-01", "居住证挂失", ["居住证遗失先报挂失"], situations=["证件被偷了"]),
        guide(kb, "t-02", "居住证补领", ["居住证补办"], ["居住证丢了怎么补"], situations=["卡片坏了看不清"]),
        guide(kb, "t-03", "残疾人交通补贴办理", ["残疾人车贴"], situations=["腿脚不便出门坐车"]),
        guide(kb, "t-04", "敬老卡申领", ["老人卡", "老年卡"], situations=["满六十五岁的老人"]),
    ]


def _features(m, core, k=4):
    rk = m.ranker
    first = rk.ranked(core, rk._guides, k, rk.scores(core))
    return [rk.entries[i].id for _, i in first], rk.reranker.features(core, first), first


def test_features_by_field_group(small):
    m = Matcher(small, topics=[], rerank=probe(4))
    ids, x, first = _features(m, "敬老卡申领")
    assert x.shape == (len(ids), len(FEATURES)) and ((x >= 0) & (x <= 1)).all()
    row = ids.index("t-04")
    assert x[row, 0] == pytest.approx(first[row][0] / 100)
    names = x[:, FEATURES.index("names")]
    assert names[row] == names.max() > 0.5 and sorted(names)[-2] < 0.2  # BM25 saturation: a share below 1
    assert x[row, FEATURES.index("situations")] < 0.2  # its situation does not say 敬老卡
    ids, x, _ = _features(m, "腿脚不便出门坐车")
    situations = x[:, FEATURES.index("situations")]
    assert ids[int(np.argmax(situations))] == "t-03" and situations.max() > 0.4 > 0.1 > sorted(situations)[-2]
    assert x[:, FEATURES.index("names")].max() < 0.2


def test_misheard_names_count_by_sound(small):
    m = Matcher(small, topics=[], rerank=probe(4))
    ids, x, _ = _features(m, "精老卡")  # 精 for 敬
    assert ids[int(np.argmax(x[:, FEATURES.index("names")]))] == "t-04"


def test_hook_reorders_only_the_best_k_and_keeps_the_first_stage_level(small):
    alone = Matcher(small, topics=[], rerank=False)
    same = Matcher(small, topics=[], rerank=probe(2))
    wide = Settings(rerank_window=100.0)  # every candidate counts as close: the second stage orders them all
    situations = Matcher(small, wide, topics=[], rerank=RerankWeights((0.0, 0.0, 1.0, 0.0, 0.0, 0.0), k=4))
    assert alone.ranker.reranker is None
    for q in ("居住证丢了", "老人卡怎么办", "出门坐车"):
        a = alone.match(q, top=4)
        assert [(c.id, c.score) for c in same.match(q, top=4).candidates] == [(c.id, c.score) for c in a.candidates]
    q = "证件被偷了怎么办居住证补领"  # the title of t-02, the situation of t-01
    a, s = alone.match(q, top=4), situations.match(q, top=4)
    assert a.candidates[0].id == "t-02" and s.candidates[0].id == "t-01"
    assert s.candidates[0].score == a.candidates[0].score  # the order is the second stage's, the level the first's
    assert [c.score for c in s.candidates] == sorted((c.score for c in s.candidates), reverse=True)
    names = Matcher(small, wide, topics=[], rerank=RerankWeights((0.5, 0.5, 0.0, 0.0, 0.0, 0.0), k=4))
    for q in ("居住证丢了", "老人卡怎么办", "残疾人出门坐车", "居住证补领"):
        first = {c.id: c.score for c in alone.match(q, top=4).candidates}
        got = names.match(q, top=4).candidates
        assert got[0].score == max(first.values())
        assert all(c.score <= first[c.id] for c in got[1:])  # a rival never rises


def test_a_clear_first_stage_lead_is_not_reordered(small):
    # The second stage reorders only candidates within the clarify margin of the best (the close calls);
    # a guide the first stage puts further ahead keeps its place.
    q = "证件被偷了怎么办居住证补领"  # the title of t-02, the situation of t-01
    first = {c.id: c.score for c in Matcher(small, topics=[], rerank=False).match(q, top=4).candidates}
    assert first["t-02"] - first["t-01"] > Settings().clarify_margin
    weights = RerankWeights((0.0, 0.0, 1.0, 0.0, 0.0, 0.0), k=4)
    assert Matcher(small, topics=[], rerank=weights).match(q, top=4).candidates[0].id == "t-02"
    lead = first["t-02"] - first["t-01"]
    assert Matcher(small, Settings(rerank_window=lead + 1), topics=[], rerank=weights).match(q, top=4).candidates[0].id == "t-01"


def test_weights_file_format(tmp_path):
    w = RerankWeights((0.5, 0.25, 0.1, 0.1, 0.05, 0.0), k=6, note="x")
    assert RerankWeights.from_json(w.to_json()) == w
    assert load_weights(tmp_path / "none.json") is None
    (tmp_path / "w.json").write_text(w.to_json(), encoding="utf-8")
    assert load_weights(tmp_path / "w.json") == w
    for broken in ("{", '{"features": ["first", "names", "situations"], "weights": [1, 0]}', "[]"):
        (tmp_path / "bad.json").write_text(broken, encoding="utf-8")
        assert load_weights(tmp_path / "bad.json") is None  # logged; the first stage decides alone
    for bad in ((0.5, 0.6, -0.1, 0.0, 0.0, 0.0), (0.5, 0.5), (0.2, 0.2, 0.2, 0.2, 0.2), (0.2, 0.2, 0.2, 0.2, 0.1, 0.2)):
        with pytest.raises(ValueError):
            RerankWeights(bad)
    with pytest.raises(ValueError):
        RerankWeights.from_json('{"features": ["first", "names"], "weights": [1, 0]}')


def test_project_simplex():
    for v in (np.array([0.2, 0.3, 0.5]), np.array([3.0, -1.0, 0.5]), np.array([-2.0, -2.0, -1.0])):
        a = _project_simplex(v)
        assert (a >= 0).all() and a.sum() == pytest.approx(1.0)
    assert _project_simplex(np.array([0.2, 0.3, 0.5])) == pytest.approx([0.2, 0.3, 0.5])
    assert _project_simplex(np.array([3.0, -1.0, 0.5])) == pytest.approx([1.0, 0.0, 0.0])


def test_fit_finds_the_feature_that_ranks():
    rng = np.random.default_rng(0)
    lists = []
    for _ in range(300):
        x = rng.random((6, 3))
        lists.append((x, int(np.argmax(0.3 * x[:, 0] + 0.7 * x[:, 2]))))
    train_, held = lists[:200], lists[200:]
    a = fit(train_)
    assert a.sum() == pytest.approx(1.0) and (a >= 0).all() and a[2] > 0.5 and a[1] < 0.1
    assert top1(held, a) > top1(held, np.eye(3)[0]) + 20
    assert fit(train_, l2=5.0)[0] > a[0]  # pulled towards the first stage alone
    x = rng.random((4, 3))
    assert list(fit([(x, -1), (x, 7)])) == [1.0, 0.0, 0.0]  # no evidence: the first stage alone


def test_training_on_a_small_knowledge_base_beats_the_first_stage_on_its_held_out_questions(kb):
    tiny = dataclasses.replace(kb, guides=tuple(kb.guides[50:100]))
    weights, model, report = train(tiny, folds=5, l2s=(0.0, 0.1))
    assert report.questions > 200
    # each fold's questions ranked with weights fitted on the other folds, against the first stage alone
    assert report.cv_top1[report.l2] > report.first_top1 + 0.01 * report.questions
    assert report.cv_without[report.l2_without] > report.first_top1 + 0.01 * report.questions
    assert weights.weights[0] < 0.9 and sum(weights.weights) == pytest.approx(1.0)
    assert weights.fallback[FEATURES.index("model")] == 0.0 and sum(weights.fallback) == pytest.approx(1.0)
    assert model.applies(g.id for g in tiny.guides) and not model.applies(g.id for g in kb.guides)
    # without scikit-learn's model the weights are learned for the features the kiosk has
    alone, none, _ = train(tiny, folds=5, l2s=(0.0,), model=False)
    assert none is None and alone.weights[FEATURES.index("model")] == 0.0


def test_a_question_that_is_exactly_a_name_keeps_the_first_stage_order(small):
    alone = Matcher(small, topics=[], rerank=False)
    situations = Matcher(small, Settings(rerank_window=100.0), topics=[], rerank=RerankWeights((0.0, 0.0, 1.0, 0.0, 0.0, 0.0), k=4))
    for q in ("居住证补领", "老人卡"):
        assert [(c.id, c.score) for c in situations.match(q, top=4).candidates] == \
            [(c.id, c.score) for c in alone.match(q, top=4).candidates]
    # one more word and the second stage reorders (no situation says 补领 or 老人卡: ties, lower position first)
    assert situations.match("居住证补领一下", top=4).candidates[0].id == "t-01"


@pytest.mark.parametrize("text, actions", [
    ("城乡居民养老保险一年交多少钱", {"pay"}),
    ("残疾人交通补贴", set()),  # 交通 is not paying, 补贴 not reissuing
    ("老人免费体检", set()),  # 体检 is no lookup
    ("查一下缴费记录", {"lookup", "pay"}),
    ("社保卡补办", {"reissue"}),
    ("医疗卡挂失及撤销", {"loss", "cancel"}),
    ("居住证换领", {"replace", "receive"}),
])
def test_actions_a_text_states(text, actions):
    assert actions_of(text) == actions


def test_the_action_tells_a_family_of_guides_on_one_thing_apart(kb):
    family = [
        guide(kb, "t-11", "居保参保登记", ["居保怎么参加"]),
        guide(kb, "t-12", "居保缴费", ["居保费用"]),
        guide(kb, "t-13", "居保缴费情况查询", ["居保记录"]),
    ]
    m = Matcher(family, topics=[], rerank=probe(3))
    ids, x, _ = _features(m, "居保怎么交", k=3)
    action = dict(zip(ids, x[:, FEATURES.index("action")]))
    assert action == {"t-11": 0.0, "t-12": 1.0, "t-13": 0.5}  # Jaccard of {pay} with each title's actions
    ids, x, _ = _features(m, "居保", k=3)
    assert not x[:, FEATURES.index("action")].any()  # no action stated: no say
    by_action = Matcher(family, topics=[], rerank=RerankWeights((0.0, 0.0, 0.0, 1.0, 0.0, 0.0), k=3))
    assert by_action.match("居保怎么交").candidates[0].id == "t-12"
    assert by_action.match("查一查居保交了几年").candidates[0].id == "t-13"


def test_best_sentence_compares_the_question_with_each_sentence_whole():
    sentences = "居住证补领\n居住证丢了怎么补\n卡片坏了看不清"
    assert best_sentence("居住证丢了怎么补", sentences) == 1.0
    near = best_sentence("居住证丢了要怎么补", sentences)
    assert 0.8 < near < 1.0
    # the same characters in a bag score less than in the sentence's order
    assert best_sentence("怎么补丢了居住证", sentences) < near
    assert best_sentence("几点开门", sentences) == 0.0  # no character in common
    assert best_sentence("", sentences) == best_sentence("居住证", "") == 0.0


def test_the_sentence_feature_prefers_the_guide_whose_one_sentence_reads_like_the_question(kb):
    pair = [
        guide(kb, "t-21", "居住证签注", ["居住证续签"], ["居住证到期了去哪里续"], situations=["证快到期了"]),
        guide(kb, "t-22", "居住证积分申请", ["积分办理"], ["居住证积分到期了怎么续"], situations=["孩子要在上海中考"]),
    ]
    m = Matcher(pair, Settings(rerank_window=100.0), topics=[], rerank=probe(2))
    ids, x, _ = _features(m, "居住证到期了去哪里续", k=2)
    sentence = dict(zip(ids, x[:, FEATURES.index("sentence")]))
    assert sentence["t-21"] == 1.0 > sentence["t-22"]
    by_sentence = Matcher(pair, Settings(rerank_window=100.0), topics=[],
                          rerank=RerankWeights((0.0, 0.0, 0.0, 0.0, 1.0, 0.0), k=2))
    assert by_sentence.match("居住证积分到期了怎么续").candidates[0].id == "t-22"
    assert by_sentence.match("居住证到期了去哪里续啊").candidates[0].id == "t-21"
