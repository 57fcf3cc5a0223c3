"""Speech parts against the protocols the kiosk talks to (kiosk.speech.Speaker and Recognizer).

The same checks run on every implementation listed here: each protocol member exists, methods take the
protocol's parameters, and the null object ("speech cannot work here") behaves as the protocol says.
"""
from __future__ import annotations

import inspect
import logging

import pytest

from kiosk.speech import Recognizer, Speaker, Unavailable, report_once


def protocol_members(proto) -> dict[str, object]:
    """name -> the protocol's own definition (function, property, or None for a plain attribute)."""
    out: dict[str, object] = {name: None for name in getattr(proto, "__annotations__", {})}
    for name, value in vars(proto).items():
        if not name.startswith("_") and (callable(value) or isinstance(value, property)):
            out[name] = value
    return out


def conformance_problems(obj, proto) -> list[str]:
    problems = []
    for name, spec in protocol_members(proto).items():
        if not hasattr(obj, name):
            problems.append(f"missing {name}")
            continue
        if isinstance(spec, property):
            if callable(getattr(obj, name)):
                problems.append(f"{name} should be a value, not a method")
        elif callable(spec):
            impl = getattr(obj, name)
            if not callable(impl):
                problems.append(f"{name} is not callable")
                continue
            want = [p for p in inspect.signature(spec).parameters if p != "self"]
            have = inspect.signature(impl).parameters
            missing = [p for p in want if p not in have and not any(
                q.kind in (q.VAR_POSITIONAL, q.VAR_KEYWORD) for q in have.values())]
            if len(have) < len(want) or missing:
                problems.append(f"{name}{inspect.signature(impl)} does not take {want}")
    return problems


def test_the_check_sees_a_part_that_drifted():
    class Half:
        available = False
        problem = None

        def say(self):  # lost its text parameter
            pass

        is_speaking = False

    found = conformance_problems(Half(), Speaker)
    assert "missing stop" in found and "missing replay" in found
    assert any(p.startswith("say()") for p in found)


def _null_parts():
    from kiosk.speech.vosk_input import NullRecognizer

    return [Unavailable("语音暂不可用。"), NullRecognizer("语音识别暂不可用。")]


@pytest.mark.parametrize("part", _null_parts(), ids=lambda p: type(p).__name__)
@pytest.mark.parametrize("proto", [Speaker, Recognizer], ids=lambda p: p.__name__)
def test_null_speech_objects_satisfy_both_protocols(part, proto):
    assert conformance_problems(part, proto) == []
    assert isinstance(part, proto)


@pytest.mark.parametrize("part", _null_parts(), ids=lambda p: type(p).__name__)
def test_null_speech_objects_say_why_and_do_nothing(part):
    assert part.available is False and part.problem
    errors, finals, partials = [], [], []
    part.start(partials.append, finals.append, errors.append)
    assert errors == [part.problem] and finals == [] and partials == []
    part.say("低保怎么申请")
    part.replay()
    part.set_elder(True)
    part.stop()
    part.cancel()
    assert part.is_speaking is False and part.is_listening is False
    assert part.wait(0) is True and part.last_error == part.problem
    part.close()


def test_the_real_recogniser_satisfies_its_protocol(korean_engine):
    from kiosk.speech.vosk_input import ReplaySource, VoskRecognizer

    rec = VoskRecognizer(korean_engine, lambda: ReplaySource(b"", realtime=False))
    assert conformance_problems(rec, Recognizer) == []


def test_the_real_speaker_satisfies_its_protocol(tmp_path):
    from kiosk.config import load_config
    from kiosk.speech.playback import WavFileOutput
    from kiosk.speech.tts import Pyttsx3Speaker, make_speaker

    speaker = make_speaker(load_config(env={}), output=WavFileOutput(tmp_path / "out.wav"))
    try:
        assert isinstance(speaker, Pyttsx3Speaker), speaker.problem  # espeak-ng is part of the test setup
        assert conformance_problems(speaker, Speaker) == []
    finally:
        speaker.close()


def test_report_once_logs_a_problem_once(caplog):
    caplog.set_level(logging.INFO, logger="kiosk")
    message = "测试用的问题：话筒没插好（只记一次）"
    for _ in range(3):
        report_once(message, "detail", logging.WARNING)
    report_once(message + "2", logger=logging.getLogger("kiosk.speech.test"))
    mine = [r for r in caplog.records if message in r.getMessage()]
    assert [r.getMessage() for r in mine] == [f"{message} (detail)", f"{message}2"]
    assert mine[1].name == "kiosk.speech.test"


# -- behaviour every recogniser shares, run on the real one, the null one and the fake ---------------------
def _vosk_recognizer(monkeypatch):
    """The real VoskRecognizer (worker thread, end-pointing) over recorded Vosk results instead of a model."""
    import math
    import struct
    import sys
    import types

    from conftest import ROOT
    from test_speech_cn_results import UTTERANCES, ReplayRecognizer

    from kiosk.speech.audio import RATE
    from kiosk.speech.vosk_input import ListenSettings, ReplaySource, VoskEngine, VoskRecognizer

    monkeypatch.setitem(sys.modules, "vosk", types.SimpleNamespace(
        KaldiRecognizer=lambda model, rate, grammar=None: ReplayRecognizer(model["free"])))
    tone = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / RATE))) for i in range(RATE // 2))
    engine = VoskEngine(UTTERANCES[0], ROOT, None, alternatives=3)
    return VoskRecognizer(engine, lambda: ReplaySource(tone, realtime=False, tail_seconds=None),
                          ListenSettings(end_silence_seconds=0.3, max_seconds=5.0))


def _fake(**kw):
    from fakes import FakeRecognizer
    from kiosk.speech import Transcript

    return lambda monkeypatch: FakeRecognizer(partials=["我想"], **kw) if "final" in kw else FakeRecognizer(
        partials=["我想"], final=Transcript("我想申请低保"))


RECOGNIZERS = {
    "vosk": _vosk_recognizer,
    "null": lambda monkeypatch: Unavailable("语音识别暂不可用。"),
    "fake": _fake(),
    "fake-unscripted": _fake(final=None),  # as tests build it when they script no final
}


def _session(rec, on_partial=None):
    """Start one session, wait for it to end; (partials, endings) where endings are finals and errors."""
    partials, endings = [], []
    rec.start(on_partial or partials.append, lambda t: endings.append(("final", t)),
              lambda e: endings.append(("error", e)))
    wait = getattr(rec, "wait", None)
    if wait is not None:
        assert wait(30)
    assert not rec.is_listening
    return partials, endings


@pytest.mark.parametrize("name", RECOGNIZERS)
def test_a_recogniser_session_ends_with_exactly_one_result_or_error(name, monkeypatch):
    rec = RECOGNIZERS[name](monkeypatch)
    _, endings = _session(rec)
    assert len(endings) == 1, endings
    kind, value = endings[0]
    assert (kind == "final" and isinstance(value.text, str)) or (kind == "error" and value)


@pytest.mark.parametrize("name", RECOGNIZERS)
def test_start_while_listening_is_ignored(name, monkeypatch):
    rec = RECOGNIZERS[name](monkeypatch)
    again = []

    def on_partial(text):
        if rec.is_listening and not again:  # a second tap on the microphone button while words show
            again.append(text)
            rec.start(lambda p: None, lambda t: again.append(("final", t)), lambda e: again.append(("error", e)))

    _, endings = _session(rec, on_partial)
    assert len(endings) == 1 and again[1:] == [], (endings, again)


@pytest.mark.parametrize("name", RECOGNIZERS)
def test_cancel_while_listening_delivers_nothing(name, monkeypatch):
    rec = RECOGNIZERS[name](monkeypatch)
    partials, endings = [], []

    def on_partial(text):
        partials.append(text)
        rec.cancel()

    rec.start(on_partial, lambda t: endings.append(t), lambda e: endings.append(e))
    wait = getattr(rec, "wait", None)
    if wait is not None:
        assert wait(30)
    assert not rec.is_listening
    if partials:  # it was listening when cancelled
        assert endings == []
