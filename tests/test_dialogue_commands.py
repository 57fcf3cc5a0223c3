"""Spoken commands to the kiosk (再说一遍, 说慢一点, 返回, 首页): acted on, never matched against the guides."""
from __future__ import annotations

import pytest

from fakes import FakeSpeaker, kb_with_twins
from kiosk.config import load_config
from kiosk.dialogue import (CHOICES, FAREWELL, GUIDE, HOME, HOME_NOW, LOUDEST, NO_LIST, NOT_FOUND_MODE, NOTED,
                            SAY_IT_OTHERWISE, SLOWER_NOW, THANKED,
                            WHAT_TO_DO, Dialogue, Heard, Reset, Say, SetElder, ShowChoices, ShowGuide, TappedChoice,
                            TappedGuide)
from kiosk.matching import Matcher
from kiosk.matching.commands import (BACK, HOME as GO_HOME, HUSH, LOUDER, MORE, NORMAL, NOT_IT, QUIETER, REPEAT, SLOWER,
                                     THANKS, command, command_words)
from kiosk.session import Services, Session

TITLE = "城乡居民最低生活保障申请"


@pytest.mark.parametrize("text,expected", [
    ("再说一遍", REPEAT), ("请你再说一遍好吗", REPEAT), ("没听清楚", REPEAT), ("刚才说什么", REPEAT),
    ("再讲一遍", REPEAT), ("重复一下", REPEAT),
    ("说慢一点", SLOWER), ("你说慢点好伐", SLOWER), ("声音大一点", LOUDER), ("听不清", SLOWER),
    ("字太小了", SLOWER), ("看不清楚", SLOWER), ("长者模式", SLOWER),
    # what the resident points at comes first: the screen, the voice, themselves
    ("你的声音太轻了，我听不到", SLOWER), ("上面的字我看不见", SLOWER), ("屏幕上的字看不清", SLOWER),
    ("我眼睛不好，字看不清", SLOWER), ("我耳朵不大好，声音大一点", LOUDER), ("我眼睛不好", None),
    ("我耳朵不好，能办残疾证吗", None),
    ("说快一点", NORMAL), ("退出长者模式", NORMAL), ("能快点吗", NORMAL), ("能不能快一点", NORMAL),
    ("讲大声点", LOUDER), ("恢复正常", NORMAL), ("正常速度", NORMAL),
    ("声音小一点", QUIETER), ("太响了", QUIETER), ("声音低一点", QUIETER), ("太大声了", QUIETER), ("讲得太响了", QUIETER),
    ("声音高一点", LOUDER), ("声音轻一点好伐", QUIETER), ("音量调小一点", QUIETER),
    ("别说了", HUSH), ("安静", HUSH), ("不要说了，谢谢", HUSH), ("停一下，再说一遍", REPEAT),
    ("还有呢", MORE), ("然后呢", MORE), ("还有吗", MORE), ("还有什么补贴", None),
    ("返回", BACK), ("上一步", BACK), ("都不是", NOT_IT), ("全都不是啊", NOT_IT), ("不对", NOT_IT),
    ("都不是的", NOT_IT), ("全都不对", NOT_IT),
    ("回首页", GO_HOME), ("返回首页", GO_HOME), ("重新开始", GO_HOME), ("算了", GO_HOME), ("不问了", GO_HOME),
    # questions that contain such words are still questions
    ("我耳朵听不清，能办残疾人证吗", None), ("停车费多少", None), ("小声音", None), ("我眼睛看不见", None), ("快点办低保", None), ("知青返城", None), ("再说一遍低保要带什么", None), ("低保", None),
    ("", None), ("。。。", None), ("嗯嗯嗯", None),
])
def test_which_utterances_are_commands(text, expected):
    assert command(text) == expected


def test_every_phrase_given_to_the_recogniser_is_a_command():
    words = command_words()
    assert {"再说一遍", "说慢一点", "说慢点", "回首页", "返回"} <= set(words)
    assert all(command(w) is not None for w in words)
    assert all("[" not in w and "?" not in w for w in words)


def test_grammar_sources_include_the_commands(kb):
    from kiosk.speech.grammar import knowledge_sources

    kinds = {s.text: s.kind for s in knowledge_sources(kb.guides[:1])}
    assert kinds.get("再说一遍") == "终端指令" and kinds.get("回首页") == "终端指令"


@pytest.fixture
def d(kb, matcher):
    return Dialogue(kb, matcher, idle_seconds=60)


def _said(actions):
    return [a for a in actions if isinstance(a, Say)]


def test_commands_were_matched_to_unrelated_guides_before(matcher):
    # Why the dialogue asks for commands first: the matcher alone answers these with a guide.
    assert matcher.match("返回").best.title.startswith("知青返城")


def test_say_it_again_repeats_the_last_reply_and_leaves_the_screen(d):
    first = _said(d.handle(Heard(TITLE), now=0))[0]
    acts = d.handle(Heard("没听清楚，再说一遍"), now=1)
    assert acts == [acts[0], Say(first.text, slow=False)]  # StopSpeaking, then the same words
    assert d.state.mode == GUIDE and d.state.guide.title == TITLE


def test_say_it_again_before_anything_was_said_asks_what_to_do(d):
    acts = d.handle(Heard("再说一遍"), now=0)
    assert _said(acts) == [Say(WHAT_TO_DO, slow=False)] and d.state.mode == HOME


def test_slower_turns_on_elder_mode_and_says_the_answer_again_slowly(d):
    first = _said(d.handle(Heard(TITLE), now=0))[0]
    acts = d.handle(Heard("说慢一点"), now=1)
    assert SetElder(True) in acts
    say = _said(acts)[0]
    assert say.slow and say.text == SLOWER_NOW + first.text
    assert d.state.elder and d.state.mode == GUIDE
    assert _said(d.handle(Heard("要带什么材料"), now=2))[0].slow  # and stays slow
    acts = d.handle(Heard("说快一点"), now=3)
    assert SetElder(False) in acts and not d.state.elder and not _said(acts)[0].slow


def test_quieter_steps_the_voice_down_louder_back_up_and_a_new_resident_starts_at_full_volume(d):
    from kiosk.dialogue import LOUDER_NOW, QUIETER_NOW, QUIETEST, VOLUME_STEPS, Tick

    first = _said(d.handle(Heard(TITLE), now=0))[0]
    assert first.volume == 1.0
    say = _said(d.handle(Heard("声音小一点"), now=1))[0]
    assert say.volume == VOLUME_STEPS[1] < 1.0 and say.text == QUIETER_NOW + first.text  # the answer again
    assert d.state.mode == GUIDE and not d.state.elder
    for t in range(2, len(VOLUME_STEPS)):
        d.handle(Heard("太响了"), now=t)
    say = _said(d.handle(Heard("声音再小一点"), now=10))[0]
    assert say.text == QUIETEST and say.volume == VOLUME_STEPS[-1]
    assert _said(d.handle(Heard("要带什么材料"), now=11))[0].volume == VOLUME_STEPS[-1]  # answers stay quiet
    say = _said(d.handle(Heard("声音大一点"), now=12))[0]
    assert say.volume == VOLUME_STEPS[-2] and say.text.startswith(LOUDER_NOW) and not d.state.elder
    d.handle(Heard("回首页"), now=13)
    assert _said(d.handle(Heard(TITLE), now=14))[0].volume == VOLUME_STEPS[-2]  # the same resident
    d.handle(Tick(), now=14 + 10 * d.idle_seconds)  # gone: the next resident may hear less well
    assert _said(d.handle(Heard(TITLE), now=15 + 10 * d.idle_seconds))[0].volume == 1.0


def test_louder_at_full_volume_is_elder_mode(d):
    first = _said(d.handle(Heard(TITLE), now=0))[0]
    acts = d.handle(Heard("讲大声点"), now=1)
    # the resident hears that louder is not possible, and what is done instead
    assert SetElder(True) in acts and d.state.elder
    assert _said(acts)[0].text == LOUDEST + SLOWER_NOW.removeprefix("好的，") + first.text
    assert _said(acts)[0].volume == 1.0
    again = d.handle(Heard("声音大一点"), now=2)  # elder mode already on: nothing more to change
    assert SetElder(True) not in again and _said(again)[0].text == LOUDEST + first.text


def test_home_said_aloud_is_answered_and_leaving_is_a_goodbye(d):
    d.handle(Heard(TITLE), now=0)
    acts = d.handle(Heard("回首页"), now=1)
    assert Reset() in acts and _said(acts)[0].text == HOME_NOW and d.state.mode != GUIDE
    d.handle(Heard(TITLE), now=2)
    acts = d.handle(Heard("好了不办了再见"), now=3)
    assert Reset() in acts and _said(acts)[0].text == FAREWELL


def test_none_of_them_with_a_guide_on_screen_is_not_it(d):
    # 都不是 had been matched as a question and answered 婚姻登记预约
    d.handle(Heard(TITLE), now=0)
    acts = d.handle(Heard("都不是"), now=1)
    assert not [a for a in acts if isinstance(a, ShowGuide)]
    assert [a for a in acts if isinstance(a, ShowChoices)] or _said(acts)[0].text == SAY_IT_OTHERWISE


def test_hush_stops_the_voice_and_keeps_the_screen(d):
    from kiosk.dialogue import StopSpeaking

    d.handle(Heard(TITLE), now=0)
    acts = d.handle(Heard("别说了"), now=1)
    assert acts == [StopSpeaking()] and d.state.mode == GUIDE and d.state.guide.title == TITLE  # nothing said


def test_back_returns_to_the_choices_a_guide_was_picked_from(kb):
    twins = kb_with_twins(kb)
    d = Dialogue(twins, Matcher.for_knowledge(twins))
    choices = [a for a in d.handle(Heard("双胞补助"), now=0) if isinstance(a, ShowChoices)][0].choices
    d.handle(TappedChoice(1), now=1)
    acts = d.handle(Heard("返回"), now=2)
    assert [a for a in acts if isinstance(a, ShowChoices)][0].choices == choices and d.state.mode == CHOICES
    # While choosing, 再说一遍 says the list again and the choice still works afterwards.
    assert _said(d.handle(Heard("再说一遍"), now=3))
    assert d.state.mode == CHOICES
    acts = d.handle(Heard("第一个"), now=4)
    assert [a for a in acts if isinstance(a, ShowGuide)][0].guide == choices[0]


def test_back_with_nothing_to_go_back_to_and_home_start_afresh(d):
    d.handle(TappedGuide("assistance-01"), now=0)
    acts = d.handle(Heard("返回"), now=1)
    assert Reset() in acts and d.state.mode == HOME and d.state.history == ()
    d.handle(Heard(TITLE), now=2)
    d.handle(Heard("说慢一点"), now=3)
    acts = d.handle(Heard("回首页"), now=4)
    assert Reset() in acts and SetElder(True) in acts  # like the 首页 button: elder mode stays
    assert d.state.mode == HOME and d.state.guide is None


def test_a_robot_asking_through_a_session_gets_the_command_and_what_is_said(kb):
    services = Services(load_config(env={}), kb, Matcher.for_knowledge(kb), speaker=FakeSpeaker())
    s = Session(services, speech=False)
    obj, _ = s.ask(TITLE)
    again, actions = s.ask("再说一遍")
    assert again["status"] == "command" and again["command"] == REPEAT and again["results"] == []
    assert again["reply"] == obj["reply"] and _said(actions)[0].text == obj["reply"]
    quieter, _ = s.ask("声音小一点")
    assert quieter["command"] == QUIETER and quieter["volume"] < 1.0 and quieter["slow"] is False


@pytest.mark.parametrize("text,expected", [
    ("好的", THANKS), ("谢谢你", THANKS), ("多谢侬", THANKS), ("好额，谢谢侬", THANKS), ("知道了", THANKS), ("不是这个", NOT_IT), ("不对", NOT_IT),
    ("谢谢你，再见", GO_HOME), ("好的，回首页", GO_HOME), ("不是本市户口能办吗", None), ("好的低保怎么办", None),
])
def test_acknowledgements_and_not_that_one(text, expected):
    assert command(text) == expected


def test_thanks_keeps_the_screen_and_answers_politely(d, matcher):
    assert matcher.match("好的").status != "none"  # why: matched as a question, 好的 found a guide
    d.handle(Heard(TITLE), now=0)
    assert _said(d.handle(Heard("好的，谢谢"), now=1)) == [Say(THANKED, slow=False)]
    assert _said(d.handle(Heard("知道了"), now=2)) == [Say(NOTED, slow=False)]
    assert d.state.mode == GUIDE and d.state.guide.title == TITLE


def test_not_this_one_offers_the_questions_runners_up(d, matcher):
    question = "医保卡丢了哪能办"
    match = matcher.match(question)
    assert match.status == "answer"
    d.handle(Heard(question), now=0)
    d.handle(Heard("要带什么材料"), now=0.5)  # a follow-up about the same guide keeps its runners-up
    acts = d.handle(Heard("不是这个"), now=1)
    shown = [a for a in acts if isinstance(a, ShowChoices)]
    assert shown and [g.id for g in shown[0].choices] == [c.id for c in match.candidates[1:3]]
    assert d.state.mode == CHOICES and _said(acts)
    # with nothing to offer: ask for other words, the screen stays
    d.handle(TappedGuide("assistance-01"), now=2)
    assert _said(d.handle(Heard("不对"), now=3)) == [Say(SAY_IT_OTHERWISE, slow=False)]
    assert d.state.mode == GUIDE


def test_not_this_one_after_a_pick_gives_the_list_again_said_aloud(kb):
    twins = kb_with_twins(kb)
    d = Dialogue(twins, Matcher.for_knowledge(twins))
    choices = [a for a in d.handle(Heard("双胞补助"), now=0) if isinstance(a, ShowChoices)][0].choices
    d.handle(Heard("第二个"), now=1)
    acts = d.handle(Heard("不是"), now=2)
    assert [a for a in acts if isinstance(a, ShowChoices)][0].choices == choices
    assert _said(acts) and "第一" in _said(acts)[0].text and d.state.mode == CHOICES
    # while choosing, 不是 is 都不是
    acts = d.handle(Heard("不是"), now=3)
    assert d.state.mode == NOT_FOUND_MODE


def test_an_ordinal_with_no_list_on_screen(kb, d):
    assert _said(d.handle(Heard("第一个"), now=0)) == [Say(NO_LIST, slow=False)] and d.state.mode == HOME
    twins = kb_with_twins(kb)
    d = Dialogue(twins, Matcher.for_knowledge(twins))
    choices = [a for a in d.handle(Heard("双胞补助"), now=0) if isinstance(a, ShowChoices)][0].choices
    d.handle(Heard("第一个"), now=1)
    acts = d.handle(Heard("第二个"), now=2)  # the guide on screen was picked from a list: the next of it
    assert [a for a in acts if isinstance(a, ShowGuide)][0].guide == choices[1]
    assert _said(d.handle(Heard("返回"), now=3))  # and 返回 still knows that list


def test_a_new_question_while_choosing_is_not_forced_onto_the_list(d, matcher):
    choices = [a for a in d.handle(Heard("我孙女刚生出来，要办啥"), now=0) if isinstance(a, ShowChoices)][0].choices
    question = "医保卡丢了哪能办"
    ids = [g.id for g in choices]
    fresh = matcher.match(question)
    assert matcher.pick(question, ids) in ids and fresh.best.id not in ids  # the list alone would take it
    acts = d.handle(Heard(question), now=1)
    assert [a for a in acts if isinstance(a, ShowGuide)][0].guide.id == fresh.best.id


def test_a_part_asked_while_choosing_keeps_the_list_and_answers_it_for_the_pick(kb):
    twins = kb_with_twins(kb)
    d = Dialogue(twins, Matcher.for_knowledge(twins))
    choices = [a for a in d.handle(Heard("双胞补助"), now=0) if isinstance(a, ShowChoices)][0].choices
    acts = d.handle(Heard("办好要多久"), now=1)  # alone, 办好 matched 业务审核办结情况查询 and a new list
    shown = [a for a in acts if isinstance(a, ShowChoices)]
    assert shown and shown[0].choices == choices and d.state.mode == CHOICES
    assert _said(acts)[0].text.startswith("请先选是哪一项，我再说办理时限：第一，")
    acts = d.handle(Heard("第二个"), now=2)
    assert [a for a in acts if isinstance(a, ShowGuide)][0] == ShowGuide(choices[1], "time_limit")


@pytest.mark.parametrize("text,who,rest", [
    ("要本人来伐", True, ""), ("可以叫儿子来办伐", True, ""), ("能代办吗", True, ""), ("我女儿能替我办吗", True, ""),
    ("一定要本人到场吗", True, ""), ("兵役档案查询要本人来吗", True, "兵役档案查询"), ("敬老卡能代领吗", True, "敬老卡"),
    ("居住证能让孩子在上海上学吗", False, None), ("我儿子失业了", False, None), ("本人身份证丢了", False, None),
    # done for the relative, not by them
    ("我想给孙子办张社保卡", False, None), ("帮我女儿办个低保要啥", False, None), ("为孩子办医保", False, None),
])
def test_who_must_come_questions(text, who, rest):
    from kiosk.matching.sections import asks_who_comes, who_comes_rest
    from kiosk.matching.text import clean

    assert asks_who_comes(clean(text)) is who
    if who:
        assert who_comes_rest(clean(text)) == rest


def test_who_must_come_is_answered_for_the_guide_on_screen_or_the_one_named(d, kb):
    from functools import partial

    from kiosk.answer import asked_reply

    proxy_reply = partial(asked_reply, kind="proxy")

    d.handle(Heard(TITLE), now=0)
    acts = d.handle(Heard("可以叫儿子来办伐"), now=1)
    expected = proxy_reply(kb.get("assistance-01"), kb)
    assert ShowGuide(kb.get("assistance-01"), expected.section) in acts and _said(acts)[0].text == expected.text
    acts = d.handle(Heard("兵役档案查询要本人来吗"), now=2)  # names another service: that one's rule
    named = kb.get("archives-11")
    assert ShowGuide(named, proxy_reply(named, kb).section) in acts
    assert _said(acts)[0].text == proxy_reply(named, kb).text and "本人" in _said(acts)[0].text


@pytest.mark.parametrize("text,online,rest", [
    ("手机上能查吗", True, ""), ("网上能办吗", True, ""), ("随申办可以申请伐", True, ""), ("要不要跑窗口", True, ""),
    ("在家能办吗", True, ""), ("居住证网上能办吗", True, "居住证"), ("手机上怎么查养老金", True, "养老金"),
    ("我手机丢了", False, None), ("一网通办自助终端怎么用", False, None),
])
def test_online_questions(text, online, rest):
    from kiosk.matching.sections import asks_online, online_rest
    from kiosk.matching.text import clean

    assert asks_online(clean(text)) is online
    if online:
        assert online_rest(clean(text)) == rest


def test_online_is_answered_from_the_guides_steps_or_honestly_not(kb):
    from kiosk.answer import ASKED, asked_reply

    said = asked_reply(kb.get("residence-04"), kb, "online")  # 居住证签注: its steps say 随申办
    assert said.section == "steps" and "随申办" in said.text
    labelled = asked_reply(kb.get("medical-15"), kb, "online")  # 手机查询：… is said with what follows the label
    assert labelled.text.startswith("手机查询：在随申办")
    for gid in ("elderly-01", "elderly-03"):  # neither says; 手机号 in a note is not a phone channel
        reply = asked_reply(kb.get(gid), kb, "online")
        assert ASKED["online"].unknown in reply.text and "962222" in reply.text and reply.section == "contact"


def test_a_question_asked_of_a_list_is_asked_of_each_guide_picked(d, kb):
    from kiosk.answer import asked_reply

    d.handle(Heard(TITLE), now=0)
    acts = d.handle(Heard("敬老卡网上能办吗"), now=1)  # three 敬老卡 guides: not the guide on screen
    choices = [a for a in acts if isinstance(a, ShowChoices)][0].choices
    assert len(choices) >= 2 and d.state.asked == "online"
    acts = d.handle(Heard("第一个"), now=2)
    assert _said(acts)[0].text == asked_reply(choices[0], kb, "online").text
    d.handle(Heard("返回"), now=3)
    acts = d.handle(TappedChoice(1), now=4)
    assert _said(acts)[0].text == asked_reply(choices[1], kb, "online").text
    acts = d.handle(Heard("要带什么"), now=5)  # an ordinary part afterwards
    assert [a for a in acts if isinstance(a, ShowGuide)][0].section == "materials"


def test_a_pick_that_asks_its_own_part_gets_that_part(kb):
    twins = kb_with_twins(kb)
    d = Dialogue(twins, Matcher.for_knowledge(twins))
    choices = [a for a in d.handle(Heard("双胞补助"), now=0) if isinstance(a, ShowChoices)][0].choices
    d.handle(Heard("要带什么材料"), now=1)  # the list is now for what to bring
    assert d.state.section == "materials"
    title = choices[1].title
    acts = d.handle(Heard(title + "在哪里办"), now=2)  # picks by name and asks where: where, not what to bring
    assert [a for a in acts if isinstance(a, ShowGuide)][0] == ShowGuide(choices[1], "location")


def test_hurry_alone_is_faster_speech_in_elder_mode_and_otherwise_how_long_it_takes(kb):
    d = Dialogue(kb, Matcher.for_knowledge(kb), idle_seconds=60)
    d.handle(TappedGuide("residence-03"), now=0)
    acts = d.handle(Heard("能不能快点"), now=1)  # at normal speed: about the service on screen
    assert [a for a in acts if isinstance(a, ShowGuide)] == [ShowGuide(kb.get("residence-03"), "time_limit")]
    assert not [a for a in acts if isinstance(a, SetElder)]
    d.handle(Heard("说慢一点"), now=2)
    acts = d.handle(Heard("能快点吗"), now=3)  # in elder mode: the voice
    assert SetElder(False) in acts and not [a for a in acts if isinstance(a, ShowGuide)]


def test_a_greeting_is_greeted_back_with_what_to_ask(d):
    from kiosk.dialogue import GREETED, NOTED

    for hello in ("你好", "侬好", "您好呀"):
        assert _said(d.handle(Heard(hello), now=0))[0].text == GREETED
    assert _said(d.handle(Heard("好的"), now=1))[0].text == NOTED
    assert [a for a in d.handle(Heard("你好，城乡居民最低生活保障申请"), now=2) if isinstance(a, ShowGuide)]


def test_more_tells_the_rest_of_the_part_on_screen_then_what_else_to_ask(d, kb):
    from kiosk.answer import MORE_PROMPT
    from kiosk.dialogue import TappedSection

    d.handle(TappedGuide("assistance-01"), now=0)
    d.handle(TappedSection("conditions"), now=1)
    rest = [a.text for a in d.handle(Heard("还有呢"), now=2) if isinstance(a, Say)][0]
    second = kb.get("assistance-01").conditions[1]
    assert rest.startswith("第二条，") and second[:8] in rest
    again = [a.text for a in d.handle(Heard("然后呢"), now=3) if isinstance(a, Say)][0]
    assert again == MORE_PROMPT and d.state.guide.id == "assistance-01"


def test_a_new_question_that_names_an_offered_service_but_ranks_another_first_is_not_a_pick(kb):
    # 残疾证坏掉了好换伐 while 办残疾证 is offered: it says 残疾证, but the matcher's own list puts 换领补领 first
    from dataclasses import replace

    from kiosk.dialogue import State

    d = Dialogue(kb, Matcher.for_knowledge(kb))
    offered = (kb.get("disability-12"), kb.get("disability-01"))
    d.state = replace(State(), mode=CHOICES, choices=offered)
    acts = d.handle(Heard("残疾证坏掉了好换伐"), now=1)
    assert not [a for a in acts if isinstance(a, ShowGuide) and a.guide.id == "disability-01"]
    lists = [a for a in acts if isinstance(a, ShowChoices)]
    assert lists and lists[0].choices[0].id == "disability-02"
