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
