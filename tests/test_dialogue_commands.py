"""Spoken commands to the kiosk (再说一遍, 说慢一点, 返回, 首页): acted on, never matched against the guides."""
from __future__ import annotations

import pytest

from fakes import FakeSpeaker, kb_with_twins
from kiosk.config import load_config
from kiosk.dialogue import (CHOICES, GUIDE, HOME, SLOWER_NOW, WHAT_TO_DO, Dialogue, Heard, Reset, Say, SetElder,
                            ShowChoices, ShowGuide, TappedChoice, TappedGuide)
from kiosk.matching import Matcher
from kiosk.matching.commands import BACK, HOME as GO_HOME, NORMAL, REPEAT, SLOWER, command, command_words
from kiosk.session import Services, Session

TITLE = "城乡居民最低生活保障申请"


@pytest.mark.parametrize("text,expected", [
    ("再说一遍", REPEAT), ("请你再说一遍好吗", REPEAT), ("没听清楚", REPEAT), ("刚才说什么", REPEAT),
    ("再讲一遍", REPEAT), ("重复一下", REPEAT),
    ("说慢一点", SLOWER), ("你说慢点好伐", SLOWER), ("声音大一点", SLOWER), ("听不清", SLOWER),
    ("字太小了", SLOWER), ("看不清楚", SLOWER), ("长者模式", SLOWER),
    ("说快一点", NORMAL), ("退出长者模式", NORMAL),
    ("返回", BACK), ("上一步", BACK),
    ("回首页", GO_HOME), ("返回首页", GO_HOME), ("重新开始", GO_HOME), ("算了", GO_HOME), ("不问了", GO_HOME),
    # questions that contain such words are still questions
    ("我耳朵听不清，能办残疾人证吗", None), ("知青返城", None), ("再说一遍低保要带什么", None), ("低保", None),
    ("", None), ("。。。", None), ("好的", None),
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
