"""The session core without Kivy: microphone states, speech hand-over, idle reset, continuous listening,
reloaded guides and the view/scheduler interfaces, driven by a manual scheduler (fast, no GL)."""
from __future__ import annotations

import threading

import pytest

from fakes import FakeRecognizer, FakeSpeaker, ManualScheduler, RecordingView, SilentRecognizer, kb_with_twins
from kiosk.answer import answer_guide
from kiosk.config import load_config
from kiosk.dialogue import HOME_NOW, Heard, ShowChoices, ShowGuide, ShowNotFound
from kiosk.knowledge.model import KnowledgeBase
from kiosk.matching import Matcher
from kiosk.session import LOADING, NO_RECOGNIZER, Services, Session, Unavailable
from kiosk.speech import Transcript


class Clock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def small_kb(kb):
    return kb_with_twins(kb)


def make(kb, recognizer=None, speaker=None, config=None, **kw):
    services = Services(config or load_config(env={}), kb, Matcher.for_knowledge(kb),
                        speaker=speaker if speaker is not None else FakeSpeaker(),
                        recognizer=recognizer if recognizer is not None else FakeRecognizer(), clock=Clock())
    view, sched = RecordingView(), ManualScheduler()
    session = Session(services, view, sched, **kw)
    return services, session, view, sched


def test_speech_streams_partials_then_answers_and_speaks_on_the_sessions_thread(small_kb):
    rec = FakeRecognizer(partials=["城乡", "城乡居民", "城乡居民最低生活"], final=Transcript("城乡居民最低生活保障申请"),
                         threaded=True)
    services, s, view, sched = make(small_kb, recognizer=rec)
    s.start()
    s.mic_pressed()
    assert s.mic_state == "listening"
    assert sched.wait_for(lambda: s.mic_state == "speaking")
    assert view.states == ["listening", "thinking", "speaking"]
    assert view.heard[:3] == ["城乡", "城乡居民", "城乡居民最低生活"] and s.heard == "城乡居民最低生活保障申请"
    assert isinstance(view.shown[-1], ShowGuide) and view.shown[-1].guide.id == "assistance-01"
    assert services.speaker.said[-1:] == [answer_guide(small_kb.get("assistance-01"), small_kb).text]
    assert sched.threads == {threading.current_thread().name}  # worker callbacks were handed over
    services.speaker.finish()
    sched.advance(0.3)
    assert s.mic_state == "ready" and view.states[-1] == "ready"
    s.stop()
    assert sched.pending == 0


def test_tapping_the_mic_while_listening_cancels(small_kb):
    rec = SilentRecognizer()
    _, s, view, _ = make(small_kb, recognizer=rec)
    s.start()
    s.mic_pressed()
    assert s.mic_state == "listening"
    s.mic_pressed()
    assert s.mic_state == "ready" and rec.cancelled == 1 and view.states == ["listening", "ready"]


def test_without_a_recogniser_the_mic_explains_and_taps_still_answer(small_kb):
    _, s, view, _ = make(small_kb, recognizer=Unavailable("没有找到麦克风"))
    s.start()
    assert s.mic_state == "off" and s.prompt == NO_RECOGNIZER
    s.mic_pressed()
    assert s.heard == NO_RECOGNIZER
    s.tapped_guide("assistance-01")
    assert isinstance(view.shown[-1], ShowGuide)


def test_recogniser_errors_are_shown_and_the_mic_comes_back(small_kb):
    rec = FakeRecognizer(error="麦克风没有声音")
    _, s, view, sched = make(small_kb, recognizer=rec)
    s.start()
    s.mic_pressed()
    sched.run_due()
    assert s.heard == "麦克风没有声音" and s.mic_state == "ready"


def test_speech_factories_load_on_a_thread_and_the_session_works_meanwhile(small_kb):
    gate = threading.Event()

    def slow_recognizer():
        gate.wait(5)
        return FakeRecognizer()

    services, s, view, sched = make(small_kb)
    services.recognizer = slow_recognizer
    s.start()
    assert s.mic_state == "off" and s.voice_problem == LOADING and "正在启动" in s.prompt
    s.tapped_guide("assistance-01")  # touch works while voice starts
    assert isinstance(view.shown[-1], ShowGuide)
    gate.set()
    assert sched.wait_for(lambda: s.mic_state == "ready")
    assert isinstance(services.recognizer, FakeRecognizer) and s.voice_problem == ""


def test_a_factory_that_raises_gives_an_unavailable_part(small_kb):
    def broken():
        raise OSError("no device")

    services, s, _, sched = make(small_kb)
    services.recognizer = broken
    s.start()
    assert sched.wait_for(lambda: s.voice_problem == NO_RECOGNIZER)
    assert isinstance(services.recognizer, Unavailable) and s.mic_state == "off"


def test_idle_reset_clears_the_session_after_the_idle_time(small_kb):
    services, s, view, sched = make(small_kb)
    s.start()
    s.toggle_elder()
    s.send(Heard("城乡居民最低生活保障申请"))
    assert s.elder and s.dialogue.state.history == ("assistance-01",)
    services.clock.t += 30
    sched.advance(1.1)
    assert view.resets == 0 and s.elder
    services.clock.t += 31
    sched.advance(1.1)
    assert view.resets == 1 and not s.elder and s.heard == ""
    assert s.dialogue.state.history == () and s.dialogue.state.mode == "home"
    assert services.speaker.stops >= 1  # speech stopped with the reset


def test_elder_mode_reaches_the_speaker_as_a_slower_rate(small_kb):
    services, s, _, _ = make(small_kb)
    s.toggle_elder()
    s.tapped_guide("assistance-01")
    assert s.elder and services.speaker.elder_calls[-1] is True


def test_a_quieter_voice_reaches_the_speaker_with_each_answer(small_kb):
    from kiosk.dialogue import Heard

    services, s, _, _ = make(small_kb)
    s.tapped_guide("assistance-01")
    s.send(Heard("声音小一点"))
    volumes = [c[1] for c in services.speaker.calls if c[0] == "set_volume"]
    assert volumes[0] == 1.0 and volumes[-1] < 1.0
    assert services.speaker.calls[-1][0] == "say"  # set before the words, as the elder rate is


def test_clarification_choice_and_back_through_the_view(small_kb):
    _, s, view, _ = make(small_kb)
    s.send(Heard("双胞补助"))
    choices = [g.id for g in view.shown[-1].choices]
    assert isinstance(view.shown[-1], ShowChoices) and choices[:2] == ["twin-01", "twin-02"]
    s.tapped_choice(1)
    assert view.shown[-1].guide.id == "twin-02"
    s.back()
    assert isinstance(view.shown[-1], ShowChoices)
    s.none_of_these()
    assert isinstance(view.shown[-1], ShowNotFound)


def test_continuous_mode_listens_again_after_each_answer(small_kb):
    config = load_config(env={}).with_overrides({"recognition": {"mode": "continuous"}})
    rec = FakeRecognizer(final=Transcript("城乡居民最低生活保障申请"))
    services, s, view, sched = make(small_kb, recognizer=rec, config=config)
    s.start()
    sched.advance(0.4)
    assert rec.started == 1 and s.mic_state == "speaking"  # heard without any tap
    services.speaker.finish()
    sched.advance(0.7)
    assert rec.started == 2


def test_push_to_talk_does_not_listen_again_by_itself(small_kb):
    rec = FakeRecognizer(final=Transcript("城乡居民最低生活保障申请"))
    services, s, _, sched = make(small_kb, recognizer=rec)
    s.start()
    s.mic_pressed()
    sched.run_due()
    services.speaker.finish()
    sched.advance(2)
    assert rec.started == 1 and s.mic_state == "ready"


def test_stop_cancels_listening_and_every_scheduled_call(small_kb):
    rec = SilentRecognizer()
    _, s, _, sched = make(small_kb, recognizer=rec)
    s.start()
    s.mic_pressed()
    s.stop()
    assert rec.cancelled == 1 and sched.pending == 0


def _knowledge(kb, generation):
    import datetime as dt

    from kiosk.staff.reload import Knowledge

    return Knowledge(kb, Matcher.for_knowledge(kb), (), dt.datetime.now(), generation)


def test_reloaded_guides_reach_every_session_and_the_view_is_rebuilt_when_nobody_uses_it(small_kb, kb):
    services, s, view, sched = make(small_kb)
    other = Session(services, RecordingView(), ManualScheduler(), speech=False)
    s.start()
    s.send(Heard("城乡居民最低生活保障申请"))
    fewer = KnowledgeBase(tuple(g for g in kb.guides if g.id != "elderly-01"), kb.categories, kb.centre)
    services.use_knowledge(_knowledge(fewer, 7))
    assert services.kb is fewer and services.index.search("D") is not None
    sched.advance(1.1)
    assert s.dialogue.kb is fewer and view.rebuilds == 0  # a resident is using it: rebuilt at the next reset
    s.go_home()
    assert view.rebuilds == 1 and view.resets == 0
    other.send(Heard("敬老卡怎么办"))
    assert other.dialogue.kb is fewer and other.dialogue.matcher.matcher is services.matcher
    services.use_knowledge(_knowledge(small_kb, 8))
    sched.advance(1.1)
    assert view.rebuilds == 2  # at home: at once


def test_the_driving_session_ticks_the_staff_side_and_logs_questions(tmp_path, guide_dir):
    from kiosk.app import build_services
    from kiosk.staff.qlog import read_log
    from staff_helpers import add_second_guide

    config = load_config(env={}).with_overrides({
        "log": {"dir": str(tmp_path / "log")}, "health": {"heartbeat_file": str(tmp_path / "hb.json"),
                                                          "heartbeat_seconds": 0},
        "reload": {"settle_seconds": 0, "interval_seconds": 0.01}})
    services = build_services(config, str(guide_dir), speaker=FakeSpeaker(), recognizer=FakeRecognizer(),
                              operations=True)
    view, sched = RecordingView(), ManualScheduler()
    s = Session(services, view, sched, drive=True)
    try:
        s.start()
        s.send(Heard("我叫李梅，低保怎么申请"))
        assert read_log(services.ops.qlog.path).records[0].query == "我叫[姓名]，低保怎么申请"
        add_second_guide(guide_dir)
        assert sched.wait_for(lambda: (sched.advance(1.0), len(services.kb) == 2)[1], timeout=20)
        assert s.dialogue.kb is services.kb and services.ops.reloader.current is services.knowledge
        assert (tmp_path / "hb.json").is_file()
    finally:
        s.stop()
        services.close()


def test_sessions_share_nothing_but_the_services(small_kb):
    services, a, _, _ = make(small_kb, speech=False)
    b = Session(services, speech=False)
    a.send(Heard("双胞补助"))
    assert a.dialogue.state.mode == "choices" and b.dialogue.state.mode == "home"
    b.send(Heard("第二个"))
    assert b.dialogue.state.guide is None or b.dialogue.state.guide.id != "twin-02"  # a's choices are a's
    a.send(Heard("第二个"))
    assert a.dialogue.state.guide.id == "twin-02"


def test_ask_gives_the_kiosk_ask_object_and_sessions_share_one_match_cache(small_kb, monkeypatch):
    services = Services(load_config(env={}), small_kb, Matcher.for_knowledge(small_kb), clock=Clock())
    calls = []
    real = services.matcher.match

    def counting(q, top=3):
        calls.append(q)
        return real(q, top)

    monkeypatch.setattr(services.matcher, "match", counting)
    a, b = Session(services, speech=False), Session(services, speech=False)
    obj, actions = a.ask("城乡居民最低生活保障申请")
    assert list(obj) == ["query", "status", "results", "section", "reply"]
    assert obj["status"] == "answer" and obj["results"][0]["id"] == "assistance-01"
    assert any(isinstance(x, ShowGuide) for x in actions)
    assert b.ask("城乡居民最低生活保障申请")[0] == obj
    assert calls == ["城乡居民最低生活保障申请"]  # matched once for the object, the dialogue and session b
    services.use_knowledge(_knowledge(small_kb, 2))
    a.ask("城乡居民最低生活保障申请")
    assert a.dialogue.matcher.matcher is services.matcher  # a new knowledge base gets a new cache


def test_a_tap_before_speech_has_started_does_not_touch_the_factories(small_kb):
    # kiosk run hands Services factories and builds the speech parts on a thread; a resident may tap first.
    made = []

    def speaker_factory():
        made.append("speaker")
        return FakeSpeaker()

    def recognizer_factory():
        made.append("recognizer")
        return FakeRecognizer()

    services, s, view, sched = make(small_kb, recognizer=recognizer_factory, speaker=speaker_factory)
    s.go_home()  # StopSpeaking and Reset with no speech parts yet
    s.tapped_guide("assistance-01")
    assert isinstance(view.shown[-1], ShowGuide) and made == []


def test_spoken_commands_through_the_microphone_and_the_prompt_that_tells_of_them(small_kb):
    from kiosk.session import PROMPTS

    rec = FakeRecognizer(final=Transcript("城乡居民最低生活保障申请"))
    services, s, view, sched = make(small_kb, recognizer=rec)
    s.start()
    s.mic_pressed()
    sched.advance(0.1)  # the recogniser's hand-over, then the answer is said
    services.speaker.finish()
    sched.advance(0.3)
    answer = services.speaker.said[-1]
    assert s.mic_state == "ready" and s.prompt == PROMPTS["again"]  # an answer is on screen
    rec.final = Transcript("没听清楚，说慢一点")
    s.mic_pressed()
    sched.advance(0.1)
    assert services.speaker.said[-1].endswith(answer) and services.speaker.elder_calls[-1] is True
    assert s.elder and isinstance(view.shown[-1], ShowGuide)  # still the same screen
    services.speaker.finish()
    sched.advance(0.3)
    rec.final = Transcript("回首页")
    s.mic_pressed()
    sched.advance(0.1)
    assert view.resets >= 1 and s.dialogue.state.guide is None
    assert services.speaker.said[-1] == HOME_NOW  # said aloud, so it is answered aloud
    services.speaker.finish()
    sched.advance(0.3)
    assert s.prompt == PROMPTS["ready"]
    s.stop()


def test_a_robots_reply_is_what_the_session_says_for_a_follow_up(small_kb):
    services = Services(load_config(env={}), small_kb, Matcher.for_knowledge(small_kb), clock=Clock())
    s = Session(services, speech=False)
    s.ask("敬老卡怎么办")
    obj, actions = s.ask("可以叫儿子来办伐")  # of the guide on screen; matched alone it names no guide
    said = [a.text for a in actions if hasattr(a, "slow")]
    assert said and obj["reply"] == said[0] and "代办" in obj["reply"]
