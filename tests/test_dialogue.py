"""The dialogue state machine, driven with a fake clock (plain numbers)."""
from __future__ import annotations

import pytest

from kiosk.answer import answer_guide, section_fact, spoken_name
from kiosk.dialogue import (CHOICES, Back, GUIDE, HOME, NOT_FOUND_MODE, Dialogue, GoHome, Heard, Replay, Reset, Say,
                            SetElder, SetElderMode, ShowChoices, ShowGuide, ShowNotFound, StopSpeaking,
                            TappedChoice, TappedGuide, TappedSection, Tick, Touched, ordinal_choice)

TITLE = "城乡居民最低生活保障申请"


@pytest.fixture
def d(kb, matcher):
    return Dialogue(kb, matcher, idle_seconds=60)


def kinds(actions):
    return [type(a).__name__ for a in actions]


def said(actions):
    return [a.text for a in actions if isinstance(a, Say)]


def test_question_shows_guide_and_says_summary(d):
    acts = d.handle(Heard(TITLE), now=0)
    assert kinds(acts) == ["StopSpeaking", "ShowGuide", "Say"]
    assert acts[1].guide.id == "assistance-01" and acts[1].section is None
    text = said(acts)[0]
    guide = acts[1].guide
    assert guide.short_name in text and text.index(guide.short_name) < 4  # the guide's name first
    assert text.endswith("还想知道什么，可以接着问。")  # the first answer invites follow-up questions
    assert d.state.mode == GUIDE


def test_follow_ups_refer_to_the_guide_on_screen(d):
    d.handle(Heard(TITLE), now=0)
    # 低保 costs nothing and pays out money: 多少钱 asks for the benefit, 要交钱吗 for the fee
    for text, section in [("要带什么材料", "materials"), ("在哪里办", "location"), ("多少钱", "benefits"),
                          ("要交钱吗", "fees"), ("要多久", "time_limit"), ("电话是多少", "contact")]:
        acts = d.handle(Heard(text), now=1)
        show = [a for a in acts if isinstance(a, ShowGuide)]
        assert show and show[0].guide.id == "assistance-01" and show[0].section == section, text


def test_hours_and_address_asked_with_no_service_named(d):
    # at home they are the centre's own (the guide the centre keeps for its hours and address) ...
    for text, section in [("你们几点下班", "hours"), ("地址在哪里", "location")]:
        acts = d.handle(Heard(text), now=0)
        show = [a for a in acts if isinstance(a, ShowGuide)]
        assert show and show[0].guide.id == "general-07" and show[0].section == section, (text, said(acts))
        d.handle(GoHome(), now=0)
    acts = d.handle(Heard("星期天上不上班"), now=0)  # not clearly that guide: the centre's hours, said
    assert d.kb.centre.hours in said(acts)[0]
    d.handle(GoHome(), now=0)
    # ... with a guide on screen, that guide's
    d.handle(Heard(TITLE), now=1)
    acts = d.handle(Heard("你们几点下班"), now=2)
    show = [a for a in acts if isinstance(a, ShowGuide)]
    assert show and show[0].guide.id == "assistance-01" and show[0].section == "hours"


def test_follow_up_naming_another_service_switches(d, kb):
    d.handle(Heard(TITLE), now=0)
    other = kb.get("elderly-01") or kb.get("residence-03")
    if other is None:
        pytest.fail("the knowledge base lacks elderly-01 and residence-03")
    acts = d.handle(Heard(other.title + "要带什么材料"), now=1)
    show = [a for a in acts if isinstance(a, ShowGuide)][0]
    assert show.guide.id == other.id and show.section == "materials"


def test_tapping_sections_and_guides(d):
    acts = d.handle(TappedGuide("assistance-01"), now=0)
    assert kinds(acts) == ["StopSpeaking", "ShowGuide", "Say"]
    acts = d.handle(TappedSection("steps"), now=1)
    assert acts[1] == ShowGuide(d.kb.get("assistance-01"), "steps")
    assert d.handle(TappedGuide("no-such-guide"), now=2) == [StopSpeaking()]
    assert d.handle(TappedSection("nonsense"), now=2) == [StopSpeaking()]


def _to_choices(d):
    acts = d.handle(Heard("失业登记"), now=0)
    assert d.state.mode == CHOICES, said(acts)
    choices = [a for a in acts if isinstance(a, ShowChoices)][0].choices
    assert 2 <= len(choices) <= 3
    return choices


def test_clarify_then_answer_by_ordinal(d):
    choices = _to_choices(d)
    acts = d.handle(Heard("第二个"), now=1)
    assert [a for a in acts if isinstance(a, ShowGuide)][0].guide == choices[1]


def test_clarify_then_answer_by_tap(d):
    choices = _to_choices(d)
    acts = d.handle(TappedChoice(0), now=1)
    assert acts[1].guide == choices[0]
    assert d.handle(TappedChoice(7), now=2) == [StopSpeaking()]


def test_clarify_then_answer_by_part_of_title(d):
    choices = _to_choices(d)
    target = choices[-1]
    acts = d.handle(Heard(target.title), now=1)
    assert [a for a in acts if isinstance(a, ShowGuide)][0].guide == target


def test_none_of_them_and_not_found(d):
    _to_choices(d)
    acts = d.handle(Heard("都不是"), now=1)
    assert isinstance(acts[1], ShowNotFound) and d.state.mode == NOT_FOUND_MODE
    acts = d.handle(Heard("这周末会下雨吗"), now=2)
    assert isinstance(acts[1], ShowNotFound)


@pytest.mark.parametrize("said", ["都不是的", "全都不对", "都不对啊"])
def test_none_of_them_however_it_ends(d, said):
    # 都不是的 had been matched as a question while choosing, and answered 婚姻登记预约
    _to_choices(d)
    acts = d.handle(Heard(said), now=1)
    assert isinstance(acts[1], ShowNotFound) and d.state.mode == NOT_FOUND_MODE


def test_a_referral_is_shown_as_handled_elsewhere_and_plain_not_found_is_not(d):
    shown = [a for a in d.handle(Heard("办护照要去哪里"), now=0) if isinstance(a, ShowNotFound)]
    assert shown and shown[0].elsewhere and "出入境" in shown[0].text
    shown = [a for a in d.handle(Heard("这周末会下雨吗"), now=1) if isinstance(a, ShowNotFound)]
    assert shown and not shown[0].elsewhere


def test_a_long_referral_is_shown_whole_and_said_in_part(d):
    acts = d.handle(Heard("应届生落户去哪里办"), now=0)
    shown = [a for a in acts if isinstance(a, ShowNotFound)][0]
    said = [a for a in acts if isinstance(a, Say)][0]
    assert "派出所" in shown.text and "学生事务中心" in shown.text  # every office the referral names
    assert "学生事务中心" in said.text and "派出所" not in said.text and said.text.endswith("其余的请看屏幕。")


def test_empty_speech_asks_again_without_changing_screen(d):
    d.handle(Heard(TITLE), now=0)
    acts = d.handle(Heard("   ", ("",)), now=1)
    assert kinds(acts) == ["StopSpeaking", "Say"] and d.state.mode == GUIDE


def test_alternatives_are_used_when_the_first_guess_is_poor(d):
    acts = d.handle(Heard("嗯嗯嗯", ("今天天气", TITLE)), now=0)
    assert [a for a in acts if isinstance(a, ShowGuide)][0].guide.id == "assistance-01"


def test_idle_reset_clears_everything_with_a_fake_clock(d):
    d.handle(SetElderMode(True), now=0)
    d.handle(Heard(TITLE), now=1)
    assert d.handle(Tick(), now=60) == []
    acts = d.handle(Tick(), now=61)
    assert acts == [StopSpeaking(), Reset(), SetElder(False)]
    assert d.state.mode == HOME and d.state.guide is None and d.state.history == () and not d.state.elder
    assert d.handle(Tick(), now=500) == []  # nothing more to reset


def test_activity_postpones_the_reset(d):
    d.handle(Heard(TITLE), now=0)
    d.handle(Touched(), now=50)
    assert d.handle(Tick(), now=100) == []
    assert Reset() in d.handle(Tick(), now=111)


def test_replay_and_go_home(d):
    assert d.handle(Replay(), now=0) == []
    acts = d.handle(Heard(TITLE), now=0)
    assert d.handle(Replay(), now=1) == [StopSpeaking(), Say(said(acts)[0])]
    d.handle(SetElderMode(True), now=2)
    assert d.handle(Replay(), now=3)[1].slow is True
    assert d.handle(GoHome(), now=4) == [StopSpeaking(), Reset(), SetElder(True)]
    assert d.state.mode == HOME


@pytest.mark.parametrize("text,count,expected", [
    ("第一个", 3, 0), ("第二个", 3, 1), ("第3个", 3, 2), ("第三项", 2, None), ("头一个", 2, 0),
    ("最后一个", 3, 2), ("我选第二个吧", 3, 1), ("二", 3, 1), ("第二个居住证", 3, None), ("", 3, None),
])
def test_ordinal_choice(text, count, expected):
    assert ordinal_choice(text, count) == expected


# -- tabs that hold two sections, and the back button (used by the touch UI) ----------------------
@pytest.fixture
def twins(kb):
    """Two guides that share a name, so that the name alone needs a choice."""
    import dataclasses

    from kiosk.knowledge.model import KnowledgeBase
    from kiosk.matching import Matcher

    base = kb.get("assistance-01")
    a = dataclasses.replace(base, id="twin-01", title="困难家庭临时补助申请", aliases=("双胞补助",), questions=())
    b = dataclasses.replace(base, id="twin-02", title="困难家庭临时补助证明开具", aliases=("双胞补助",), questions=())
    small = KnowledgeBase((base, a, b), kb.categories, kb.centre)
    return Dialogue(small, Matcher.for_knowledge(small), idle_seconds=60)


def test_a_tab_with_two_sections_speaks_both(d):
    d.handle(TappedGuide("assistance-01"), now=0)
    acts = d.handle(TappedSection("time_limit", also=("fees",)), now=1)
    assert acts[1] == ShowGuide(d.kb.get("assistance-01"), "time_limit")
    text = said(acts)[0]
    guide = d.kb.get("assistance-01")
    time_limit = answer_guide(guide, d.kb, "time_limit").text
    fees = section_fact(guide, "fees", d.kb)
    assert text.startswith(time_limit.rstrip("。")) and text.endswith(fees + "。")  # both facts, in the tab's order
    assert text.count(spoken_name(guide) or "\0") <= 1  # the guide's name once
    assert text.count("还想知道什么") == 0


def test_back_from_a_guide_picked_among_choices_offers_them_again(twins):
    acts = twins.handle(Heard("双胞补助"), now=0)
    choices = [a for a in acts if isinstance(a, ShowChoices)][0].choices
    assert {"twin-01", "twin-02"} <= {g.id for g in choices}
    twins.handle(TappedChoice(1), now=1)
    twins.handle(TappedSection("materials"), now=2)  # still the same guide: the choices are kept
    acts = twins.handle(Back(), now=3)
    assert kinds(acts) == ["StopSpeaking", "ShowChoices"] and acts[1].choices == choices
    assert twins.state.mode == CHOICES
    acts = twins.handle(Heard("第一个"), now=4)
    assert [a for a in acts if isinstance(a, ShowGuide)][0].guide == choices[0]


def test_back_from_a_guide_reached_otherwise_is_browsing(d):
    d.handle(TappedGuide("assistance-01"), now=0)
    assert d.handle(Back(), now=1) == [StopSpeaking()]
    assert d.state.mode == HOME and d.state.guide is None
    assert d.state.history == ("assistance-01",)  # still this resident's session until reset
    # A part-only question no longer refers to the guide that left the screen.
    acts = d.handle(Heard("要带什么材料"), now=2)
    assert not [a for a in acts if isinstance(a, ShowGuide)]


def test_a_doubtful_list_says_on_screen_that_it_may_be_handled_elsewhere(kb, matcher):
    import dataclasses

    from kiosk.dialogue import CHOOSE_PROMPT, DOUBTFUL_PROMPT, ShowChoices

    class Doubtful:
        """The real matcher, with its choice lists marked as for a question that looks out of scope."""

        def match(self, query, top=3):
            m = matcher.match(query, top)
            return dataclasses.replace(m, doubtful=m.status == "clarify")

        def __getattr__(self, name):
            return getattr(matcher, name)

    shown = [a for a in Dialogue(kb, Doubtful(), idle_seconds=60).handle(Heard("失业登记"), 0.0)
             if isinstance(a, ShowChoices)]
    assert shown and shown[0].prompt == DOUBTFUL_PROMPT
    plain = [a for a in Dialogue(kb, matcher, idle_seconds=60).handle(Heard("失业登记"), 0.0)
             if isinstance(a, ShowChoices)]
    assert plain and plain[0].prompt == CHOOSE_PROMPT


def test_a_money_question_behind_a_choice_list_gets_the_benefit_of_the_guide_picked(d, kb):
    # no word for paying: 每个月多少钱 of guides that cost nothing and pay out money asks what is received
    acts = d.handle(Heard("计划生育的钱每个月多少钱"), now=0)
    assert d.state.mode == CHOICES and not d.state.paying, said(acts)
    choices = [a for a in acts if isinstance(a, ShowChoices)][0].choices
    free = [i for i, g in enumerate(choices) if g.benefits and g.fees == "不收费"]
    assert free, [g.id for g in choices]
    acts = d.handle(Heard(f"第{'一二三'[free[0]]}个"), now=1)
    show = [a for a in acts if isinstance(a, ShowGuide)][0]
    assert show.guide == choices[free[0]] and show.section == "benefits"
    assert "不收费" not in said(acts)[0]


def _follow(d, guide_id, *texts):
    """The guide tapped, then each text heard: the last ShowGuide and what was said last."""
    d.handle(TappedGuide(guide_id), now=0)
    for n, text in enumerate(texts, 1):
        acts = d.handle(Heard(text), now=n)
    show = [a for a in acts if isinstance(a, ShowGuide)]
    return (show[0] if show else None), said(acts)[-1]


@pytest.mark.parametrize("guide_id,text,section", [
    ("pension-17", "谁可以去领", "conditions"),  # 领 alone sounds most like 领结婚证
    ("housing-01", "要等多久", "time_limit"),
    ("housing-11", "政府补贴多少", "benefits"),  # 补贴 alone sounds most like 培训补贴
])
def test_a_short_follow_up_stays_with_the_guide_on_screen(d, guide_id, text, section):
    show, _ = _follow(d, guide_id, text)
    assert show.guide.id == guide_id and show.section == section


def test_a_word_of_another_guides_title_leaves_for_it(d):
    """退休了还有伐 of 独生子女费: 退休 is a word of 退休独生子女奖励's title, not of the guide on screen."""
    d.handle(TappedGuide("family-04"), now=0)
    acts = d.handle(Heard("退休了还有伐"), now=1)
    listed = [a for a in acts if isinstance(a, ShowChoices)]
    shown = [a for a in acts if isinstance(a, ShowGuide)]
    first = listed[0].choices[0].id if listed else shown[0].guide.id
    assert first == "family-05"


@pytest.mark.parametrize("guide_id,text,other", [
    ("elderly-01", "那失业金呢", "employment-05"),  # a name of another service heard whole
    ("assistance-01", "我儿子失业了要去登记", "employment-01"),  # every word of 失业登记, said apart
])
def test_a_follow_up_naming_another_service_leaves(d, guide_id, text, other):
    show, _ = _follow(d, guide_id, text)
    assert show.guide.id == other


def test_a_follow_up_about_a_thing_is_answered_from_the_guides_own_line(d):
    show, text = _follow(d, "veterans-07", "要照片伐")
    assert show.guide.id == "veterans-07" and "照片" in text
    show, text = _follow(d, "disability-01", "要去医院伐")
    assert show.guide.id == "disability-01" and "医院" in text


def test_a_verb_the_guide_on_screen_does_not_do_is_asked_of_its_sibling(d):
    """补办要钱伐 of 社保卡挂失: the fee of 社保卡补领、换领, named first since the screen changes."""
    show, text = _follow(d, "sscard-03", "补办要钱伐")
    assert show.guide.id == "sscard-02" and show.section == "fees" and text.startswith("社保卡补领换领，")


def test_an_age_given_before_is_kept_for_the_benefit_asked_after(d):
    d.handle(Heard("老头子七十五岁了，想办张敬老卡"), now=0)
    assert d.state.guide.id == "elderly-01"
    acts = d.handle(Heard("一个月好拿几钿"), now=1)
    assert "150元" in said(acts)[0]


def test_who_may_claim_is_answered_with_the_condition_on_who_claims(d):
    """谁可以去领 of 丧葬补助金: the claimant's condition (配偶、子女…), not the first (about the deceased)."""
    _, text = _follow(d, "pension-17", "谁可以去领")
    assert "配偶" in text and "其中" in text


def test_a_line_found_keeps_the_clause_it_leans_on(d):
    """要几户人家同意 of 加装电梯: 参与表决的业主中，…四分之三以上同意, not the share alone."""
    _, text = _follow(d, "housing-11", "要几户人家同意")
    assert "参与表决的业主中" in text and "四分之三" in text
