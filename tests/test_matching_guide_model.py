"""The guide model (kiosk/matching/guide_model.py): its terms, fitting, storage, and when the matcher uses it."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kiosk.matching import Matcher
from kiosk.matching.guide_model import MODEL_FILE, GuideModel, fingerprint, fit_model, grams, load_model
from kiosk.matching.text import code, normalize


def guide(kb, gid, title, aliases, questions=(), situations=()):
    g = kb.get("assistance-01")
    return dataclasses.replace(g, id=gid, title=title, aliases=tuple(aliases), questions=tuple(questions),
                               situations=tuple(situations), faq=(), summary=title)


@pytest.fixture(scope="module")
def family(kb):
    # three disability guides that share 残疾 and 补贴: what tells them apart is one word each
    return [
        guide(kb, "t-01", "残疾人辅助器具适配", ["申请轮椅", "助听器"], ["残疾人想要一部轮椅"], ["腿不好走不动"]),
        guide(kb, "t-02", "残疾人交通补贴", ["残疾人车贴", "坐车补贴"], ["乘车的钱能报销一点吗"], ["出门坐车费钱"]),
        guide(kb, "t-03", "助力车燃油补贴", ["燃油补贴", "助力车油费"], ["残疾人助力车加油有补贴吗"],
              ["开残疾人助力车"]),
        guide(kb, "t-04", "残疾人证新办", ["办残疾证", "评残"], ["第一次办残疾证"], ["耳朵聋了没办过证"]),
    ]


@pytest.fixture(scope="module")
def model(family):
    return fit_model(family)


def test_terms_are_characters_pairs_and_sound_pairs():
    norm = normalize("轮椅")
    assert grams(norm) == sorted({"c轮", "c椅", "b轮椅", "p" + code(norm)})
    assert grams(normalize("轮椅")) == grams(normalize("轮椅"))  # sorted: the same in every process


def test_the_model_learns_the_word_that_tells_guides_apart(model, family):
    assert model.ids == tuple(g.id for g in family)
    p = model.proba(normalize("我想弄部轮椅"))
    assert p.sum() == pytest.approx(1.0) and int(np.argmax(p)) == 0
    assert int(np.argmax(model.proba(normalize("燃油怎么补贴")))) == 2
    assert int(np.argmax(model.proba(normalize("坐车能补贴多少")))) == 1
    # misheard: 论椅 sounds like 轮椅
    assert int(np.argmax(model.proba(normalize("论椅")))) == 0
    # nothing it knows: no guide preferred over another by the words
    flat = model.proba("ⅹ")
    assert flat.max() - flat.min() < 0.5


def test_storage_keeps_the_ranking(model, tmp_path):
    path = tmp_path / "m.npz"
    model.save(path)
    back = GuideModel.load(path)
    assert back.ids == model.ids and back.terms.tolist() == model.terms.tolist() and back.fitted_on == model.fitted_on
    for q in ("我想弄部轮椅", "残疾证第一次办", "助力车加油"):
        a, b = model.proba(normalize(q)), back.proba(normalize(q))
        assert np.argsort(-a)[:2].tolist() == np.argsort(-b)[:2].tolist() and np.abs(a - b).max() < 0.02
    (tmp_path / "bad.npz").write_bytes(b"not a model")
    assert load_model(tmp_path / "bad.npz") is None and load_model(tmp_path / "none.npz") is None


def test_applies_only_to_the_guides_it_was_fitted_on(model, family):
    assert model.applies([g.id for g in reversed(family)])
    assert not model.applies([g.id for g in family[:3]])
    assert not model.applies([g.id for g in family] + ["t-99"])
    assert model.columns(["t-03", "t-01"]).tolist() == [2, 0]


def test_the_matcher_uses_the_model_only_for_its_own_guides(kb, model, family):
    assert Matcher(family, topics=[], model=model).ranker.reranker.model is model
    assert Matcher(family[:3], topics=[], model=model).ranker.reranker.model is None  # another set of guides
    assert Matcher(family, topics=[], model=False).ranker.reranker.model is None
    # the stored one is fitted on the shipped guides, and the kiosk ranks with it
    assert Matcher(kb.guides, topics=[]).ranker.reranker.model is load_model()
    assert Matcher(kb.guides[1:], topics=[]).ranker.reranker.model is None


def test_the_model_feature_reorders_close_candidates(kb, model, family):
    from kiosk.matching import Settings
    from kiosk.matching.rerank import FEATURES, RerankWeights

    only_model = RerankWeights(tuple(float(f == "model") for f in FEATURES), k=4)
    m = Matcher(family, Settings(rerank_window=100.0), topics=[], rerank=only_model, model=model)
    assert m.match("残疾人想弄部轮椅").candidates[0].id == "t-01"
    assert m.match("残疾人助力车加油").candidates[0].id == "t-03"
    # without the model the same weights fall back to the first stage
    without = Matcher(family, Settings(rerank_window=100.0), topics=[], rerank=only_model, model=False)
    assert without.ranker.reranker.vector[FEATURES.index("model")] == 0.0


def test_the_stored_model_was_fitted_on_the_shipped_guides(kb):
    stored = load_model(MODEL_FILE)
    assert stored is not None, "kiosk train-rerank writes kiosk/data/guide_model.npz"
    assert stored.fitted_on == fingerprint(kb.guides), (
        "guides changed since the guide model was fitted: run `kiosk train-rerank` (needs scikit-learn)")


def test_validate_tells_staff_when_the_guide_model_needs_refitting(kb):
    from kiosk.cli.validate import guide_model_note

    assert guide_model_note(kb) == ""
    fewer = dataclasses.replace(kb, guides=kb.guides[1:])
    assert "排序暂不使用学习到的指南模型" in guide_model_note(fewer)
    g = kb.guides[0]
    edited = dataclasses.replace(kb, guides=(dataclasses.replace(g, aliases=g.aliases + ("新的叫法",)),) + kb.guides[1:])
    assert "改过" in guide_model_note(edited) and "kiosk train-rerank" in guide_model_note(edited)
    assert guide_model_note(dataclasses.replace(kb, guides=kb.guides[:3])) == ""  # another folder altogether
