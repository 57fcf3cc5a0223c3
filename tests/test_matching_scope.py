"""The out-of-scope model (kiosk.matching.scope): questions no guide serves and no listed topic names."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kiosk.matching import ANSWER, NONE, Matcher, Settings
from kiosk.matching.ranker import decide
from kiosk.matching.scope import FEATURES, MODEL_FILE, ScopeModel, fit, load_model

# Written for these tests: things no guide here serves and no out-of-scope topic lists.
FOREIGN = ["手机屏幕碎了去哪修", "楼下超市几点关门", "健身房年卡怎么退"]


@pytest.fixture(scope="module")
def matcher(kb):
    return Matcher.for_knowledge(kb)


@pytest.fixture(scope="module")
def without_model(kb):
    return Matcher.for_knowledge(kb, Settings(scope_reject=2.0))


def test_the_shipped_model_loads_and_fits_this_knowledge_base(kb):
    model = load_model()
    assert model is not None and model.features == FEATURES
    assert model.applies(len(kb.guides))


@pytest.mark.parametrize("question", FOREIGN)
def test_a_question_about_something_no_guide_speaks_of_is_turned_away(matcher, without_model, question):
    m = matcher.match(question)
    assert m.status == NONE and m.topic is None and m.referral is None
    assert m.out_of_scope is not None and m.out_of_scope >= matcher.ranker.settings.scope_reject
    # the topics and the none threshold alone would still offer guides: the model is what decides
    assert without_model.match(question).status != NONE


@pytest.mark.parametrize("question,guide", [("低保怎么申请", "assistance-01"), ("敬老卡掉了要去补一张", "elderly-02")])
def test_a_question_a_guide_serves_is_not_doubted(matcher, question, guide):
    m = matcher.match(question)
    assert m.status == ANSWER and m.best.id == guide and m.out_of_scope < 0.5


def test_a_short_question_a_guide_fits_well_is_kept_however_little_it_says(matcher):
    # Little information makes the model doubt (补卡 is two characters), but a guide fits it well:
    # scope_max_best keeps it.
    st = matcher.ranker.settings
    m = matcher.match("补卡")
    assert m.out_of_scope is not None and m.out_of_scope >= st.scope_reject
    assert m.status != NONE and m.best.score >= st.scope_max_best


def test_the_centres_hours_asked_with_no_service_named_are_not_doubted(matcher):
    # matched whole (section words and all), what the scope model, fitted on service words, makes of it
    # does not count: 周六你们上班吗 is the centre's own
    m = matcher.match("周六你们上班吗")
    assert m.status == ANSWER and m.best.id == "general-07" and m.out_of_scope is None


def test_decide_turns_away_only_a_likely_foreign_question_with_a_weak_best_guide():
    st = Settings()
    assert decide(st, [18.0, 10.0], None, None, 0.95) == (NONE, "scope")
    assert decide(st, [22.0, 10.0], None, None, 0.95) == ("clarify", "scope")  # passable: a doubtful list
    assert decide(st, [22.0, 10.0], None, None, 0.99) == (NONE, "scope")  # ... unless the model is sure
    assert decide(st, [22.0, 10.0], None, None, 0.5) == (ANSWER, "guides")
    assert decide(st, [22.0, 10.0], None, None, None) == (ANSWER, "guides")
    assert decide(st, [35.0, 10.0], None, None, 0.99) == (ANSWER, "guides")  # a guide fits well
    assert decide(dataclasses.replace(st, scope_reject=2.0), [22.0, 10.0], None, None, 0.99) == (ANSWER, "guides")
    # a life event on offer still wins
    assert decide(st, [22.0, 10.0], None, (30.0, "clarify"), 0.99) == ("clarify", "event")


def test_the_replayed_decision_sees_the_same_probability(matcher):
    from kiosk.evaluation import decide as replay, features

    for q in FOREIGN + ["低保怎么申请", "家里老人中风了"]:
        f = features(matcher, q, "x")
        m = matcher.match(q)
        assert f.scope == m.out_of_scope and len(f.scope_x) == len(FEATURES)
        assert replay(f, matcher.ranker.settings)[0] == m.status


def test_a_knowledge_base_of_another_size_is_not_judged(kb):
    small = Matcher(kb.guides[:20])
    m = small.match(FOREIGN[0])
    assert m.out_of_scope is None


def test_the_model_round_trips_and_refuses_other_features():
    model = ScopeModel(FEATURES, (0.0,) * 7, (1.0,) * 7, (1.0,) + (0.0,) * 6, -1.0, guides=100)
    again = ScopeModel.from_json(model.to_json(note="x"))
    assert again == model
    assert again.probability((1.0,) + (0.0,) * 6) == pytest.approx(0.5)
    assert again.probability(None) is None
    assert model.applies(50) and model.applies(200) and not model.applies(49) and not model.applies(201)
    with pytest.raises(ValueError):
        ScopeModel.from_json(model.to_json().replace('"best"', '"other"'))


def test_a_missing_model_file_means_no_model(tmp_path):
    assert load_model(tmp_path / "absent.json") is None
    assert MODEL_FILE.is_file()


def test_fit_learns_which_side_is_out_of_scope():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(FEATURES)))
    y = (x[:, 0] - x[:, 6] + 0.3 * rng.normal(size=400) > 0).astype(float)
    model = fit(x, y)
    assert model.weights[0] > 1.0 and model.weights[6] < -1.0
    hi, lo = np.zeros(len(FEATURES)), np.zeros(len(FEATURES))
    hi[0], lo[0] = 2.0, -2.0
    assert model.probability(hi) > 0.9 and model.probability(lo) < 0.1


def test_a_doubtful_question_with_a_passable_guide_gets_a_list_that_says_so():
    from kiosk.matching.ranker import CLARIFY, NONE, Settings, decide

    st = Settings()
    # the model is sure no guide serves it, but the best guide fits passably: offered, marked doubtful
    assert decide(st, [24.0, 21.0, 9.0], None, None, 0.95) == (CLARIFY, "scope")
    # ... and with nothing passable, or only one guide, or the model sure (P >= scope_sure), turned away
    assert decide(st, [14.0, 12.0, 9.0], None, None, 0.95) == (NONE, "scope")
    assert decide(st, [24.0], None, None, 0.95) == (NONE, "scope")
    assert decide(st, [24.0, 21.0, 9.0], None, None, st.scope_sure) == (NONE, "scope")
    assert decide(dataclasses.replace(st, scope_sure=2.0), [24.0, 21.0, 9.0], None, None, 0.999) == (CLARIFY, "scope")
    # the model unsure: the guides decide as usual
    assert decide(st, [24.0, 21.0, 9.0], None, None, 0.5) == (CLARIFY, "guides")


def test_a_doubtful_list_tells_the_resident_it_may_be_handled_elsewhere(kb):
    from kiosk.answer import clarify

    choices = (kb.get("elderly-01"), kb.get("residence-03"))
    assert clarify(choices, doubtful=True).text.startswith("这件事可能不在本中心办理。是不是下面这几项？")
    assert clarify(choices).text.startswith("您问的是哪一项？")


def test_a_damaged_model_file_is_left_unused(tmp_path, caplog):
    bad = tmp_path / "scope_model.json"
    bad.write_text("{not json", encoding="utf-8")
    assert load_model(bad) is None
    assert "not used" in caplog.text
