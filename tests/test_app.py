"""Wiring without Kivy: speech fall-backs, the slow-speech hand-over, services, CLI parsing."""
import sys

import pytest

from kiosk.app import NO_RECOGNIZER, NO_SPEAKER, Services, Unavailable, build_services, default_recognizer, \
    default_speaker, speak
from kiosk.config import load_config


def test_missing_speech_modules_give_unavailable_components_that_say_why(monkeypatch):
    monkeypatch.setitem(sys.modules, "kiosk.speech.tts", None)  # import fails as when not installed
    monkeypatch.setitem(sys.modules, "kiosk.speech.vosk_input", None)
    config = load_config(env={})
    speaker, rec = default_speaker(config), default_recognizer(config)
    assert isinstance(speaker, Unavailable) and speaker.problem == NO_SPEAKER and not speaker.available
    assert isinstance(rec, Unavailable) and rec.problem == NO_RECOGNIZER
    errors = []
    rec.start(lambda t: None, lambda t: None, errors.append)
    assert errors == [NO_RECOGNIZER]


def test_a_factory_that_raises_is_contained(monkeypatch):
    import types

    def broken(config, kb=None):
        raise OSError("no audio device")

    monkeypatch.setitem(sys.modules, "kiosk.speech.vosk_input", types.SimpleNamespace(make_recognizer=broken))
    rec = default_recognizer(load_config(env={}))
    assert isinstance(rec, Unavailable) and rec.problem == NO_RECOGNIZER


def test_speak_sets_the_elder_rate_and_the_volume_before_speaking():
    from fakes import FakeSpeaker

    sp = FakeSpeaker()
    speak(sp, "你好", True)
    speak(sp, "再见", False, 0.5)
    assert sp.calls == [("set_elder", True), ("set_volume", 1.0), ("say", "你好"),
                        ("set_elder", False), ("set_volume", 0.5), ("say", "再见")]


def test_speak_works_with_a_speaker_without_elder_mode():
    class Plain:
        def __init__(self):
            self.said = []

        def say(self, text):
            self.said.append(text)

    p = Plain()
    speak(p, "你好", True)
    assert p.said == ["你好"]


def test_services_build_the_search_index_and_popular_list(kb):
    from kiosk.matching import Matcher

    config = load_config(env={}).with_overrides({"ui": {"popular": ["sscard-02", "no-such-guide", "assistance-01"]}})
    services = Services(config, kb, Matcher.for_knowledge(kb))
    # the configured guides in the configured order; an id with no guide is left out, not shown blank
    assert [g.id for g in services.popular()] == ["sscard-02", "assistance-01"]
    assert services.index.search("DB")[0].guide.id == "assistance-01"
    assert services.dialogue().idle_seconds == 60


def test_factories_become_components(kb):
    from fakes import FakeRecognizer, FakeSpeaker

    services = build_services(load_config(env={}), speaker=FakeSpeaker, recognizer=FakeRecognizer)
    services.ensure_speech()
    assert isinstance(services.speaker, FakeSpeaker) and isinstance(services.recognizer, FakeRecognizer)
    services.close()
    assert services.speaker.closed and services.recognizer.closed


@pytest.mark.parametrize("argv", [["run", "--help"], ["shots", "--help"]])
def test_ui_commands_have_help_without_importing_kivy(cli, argv):
    import subprocess

    from conftest import ROOT

    code = ("import sys, kiosk.cli; kiosk.cli.main(%r); print('kivy' in sys.modules)" % argv)
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith("False")
    assert "--profile" in res.stdout
