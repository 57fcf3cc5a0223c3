"""The real speaker: pyttsx3 driving espeak-ng's Mandarin voice, checked through the audio it makes."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT
from kiosk.config import load_config
from kiosk.speech import Speaker
from kiosk.speech.playback import Audio, ClockOutput, WavFileOutput
from kiosk.speech.textprep import prepare, to_pinyin
from kiosk.speech.tts import ESPEAK_MANDARIN, NullSpeaker, Pyttsx3Speaker, choose_voice, make_speaker, mandarin_voices

pytestmark = pytest.mark.audio

ANSWER = "为您找到城乡居民最低生活保障申请。咨询电话12345，办公时间8:30至17:00。"
LONG = "。".join(f"第{i}条，这是一段很长的回答，用来检查停止是否及时" for i in range(1, 13)) + "。"


def config(**speech):
    return load_config(env={}).with_overrides({"speech": speech})


def sox_stat(path: Path) -> dict[str, float]:
    res = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True)
    out = {}
    for line in res.stderr.splitlines():
        name, _, value = line.partition(":")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            pass
    return out


def soxi(path: Path, flag: str) -> str:
    return subprocess.run(["soxi", flag, str(path)], capture_output=True, text=True, check=True).stdout.strip()


def speak_to_wav(path: Path, text: str, **speech) -> Pyttsx3Speaker:
    speaker = make_speaker(config(**speech), output=WavFileOutput(path))
    assert speaker.available, speaker.problem
    speaker.say(text)
    assert speaker.wait(60)
    speaker.close()
    return speaker


# What a resident hears for ANSWER, counted by hand: 为您找到城乡居民最低生活保障申请 (16), 咨询电话幺二三四五 (9:
# the number digit by digit), 办公时间上午八点半到下午五点 (14: the times as words).
ANSWER_SYLLABLES = 16 + 9 + 14


def test_wav_of_an_answer_is_mandarin_length_speech_not_silence(tmp_path):
    wav = tmp_path / "answer.wav"
    speaker = speak_to_wav(wav, ANSWER)
    assert isinstance(speaker, Speaker)
    assert speaker.voice.id == ESPEAK_MANDARIN and speaker.voice.text_form == "pinyin"
    assert soxi(wav, "-r") == "22050" and soxi(wav, "-c") == "1" and soxi(wav, "-b") == "16"
    seconds = float(soxi(wav, "-D"))
    n = ANSWER_SYLLABLES
    assert 0.15 * n < seconds < 0.6 * n  # a syllable takes a fifth to a half second at 160 wpm
    stat = sox_stat(wav)
    assert stat["RMS     amplitude"] > 0.03  # speech, not silence or a click
    assert stat["Maximum amplitude"] > 0.3
    assert 200 < stat["Rough   frequency"] < 3000  # voice band
    assert speaker.stats.pieces_played == len(prepare(ANSWER)) == 2
    assert speaker.stats.audio_seconds == pytest.approx(seconds, abs=0.01)


def test_every_piece_is_spoken_with_a_pause_between(tmp_path):
    wav = tmp_path / "two.wav"
    speak_to_wav(wav, "办理居住证。需要身份证。")
    # sox splits the file at silences of 0.2 s or more: two pieces, two stretches of speech
    out = tmp_path / "part.wav"
    subprocess.run(["sox", str(wav), str(out), "silence", "1", "0.02", "1%", "1", "0.2", "1%", ":", "newfile",
                    ":", "restart"], check=True, capture_output=True)
    parts = sorted(p for p in tmp_path.glob("part*.wav") if float(soxi(p, "-D")) > 0.3)
    assert len(parts) == 2


def test_elder_mode_speaks_slower(tmp_path):
    normal = tmp_path / "normal.wav"
    slow = tmp_path / "slow.wav"
    speak_to_wav(normal, ANSWER, rate=160)
    speaker = make_speaker(config(rate=160, elder_rate=110), output=WavFileOutput(slow))
    speaker.set_elder(True)
    speaker.say(ANSWER)
    assert speaker.wait(60)
    speaker.close()
    durations = float(soxi(slow, "-D")), float(soxi(normal, "-D"))
    assert 1.2 < durations[0] / durations[1] < 1.7, durations  # 160/110 ≈ 1.45; pauses stretch less


def test_volume_from_config_scales_the_audio(tmp_path):
    loud, quiet = tmp_path / "loud.wav", tmp_path / "quiet.wav"
    speak_to_wav(loud, "办理居住证。", volume=1.0)
    speak_to_wav(quiet, "办理居住证。", volume=0.3)
    ratio = sox_stat(quiet)["RMS     amplitude"] / sox_stat(loud)["RMS     amplitude"]
    assert 0.15 < ratio < 0.5


def test_a_resident_asking_for_it_quieter_gets_a_share_of_the_configured_volume(tmp_path):
    loud, quiet = tmp_path / "loud.wav", tmp_path / "quiet.wav"
    speak_to_wav(loud, "办理居住证。", volume=1.0)
    speaker = make_speaker(config(volume=1.0), output=WavFileOutput(quiet))
    speaker.set_volume(0.35)  # the quietest of the dialogue's steps
    speaker.say("办理居住证。")
    assert speaker.wait(60)
    speaker.close()
    ratio = sox_stat(quiet)["RMS     amplitude"] / sox_stat(loud)["RMS     amplitude"]
    assert 0.15 < ratio < 0.6


def test_stop_cuts_a_long_answer_within_the_first_piece():
    out = ClockOutput()  # keeps real time like a sound card
    speaker = make_speaker(config(), output=out)
    pieces = len(prepare(LONG))
    assert pieces >= 10
    speaker.say(LONG)
    assert speaker.is_speaking
    assert out.started.wait(30)
    speaker.stop()
    assert not speaker.is_speaking
    assert speaker.wait(10)
    # The worker went idle while the first piece was still playing: nothing after it was played, and
    # at most the one piece rendered ahead was made.
    assert speaker.stats.pieces_cut == 1 and speaker.stats.pieces_played == 0
    assert speaker.stats.pieces_rendered <= 2
    heard, total = out.played[0][1], out.played[0][0]
    assert heard < total
    # it speaks again afterwards
    speaker.say("好的。")
    assert speaker.wait(30)
    assert speaker.stats.pieces_played == 1 and out.played[-1][0] == out.played[-1][1]
    speaker.close()


def test_a_new_answer_replaces_the_one_being_spoken():
    out = ClockOutput()
    speaker = make_speaker(config(), output=out)
    speaker.say(LONG)
    assert out.started.wait(30)
    speaker.say("好的。")
    assert speaker.wait(30)
    assert speaker.stats.pieces_cut == 1 and speaker.stats.pieces_played == 1
    assert speaker.last_text == "好的。"
    speaker.close()


def test_replay_speaks_the_last_answer_again(tmp_path):
    once, twice = tmp_path / "once.wav", tmp_path / "twice.wav"
    speak_to_wav(once, "办理居住证。")
    speaker = make_speaker(config(), output=WavFileOutput(twice))
    speaker.say("办理居住证。")
    assert speaker.wait(30)
    speaker.replay()
    assert speaker.wait(30)
    speaker.close()
    assert float(soxi(twice, "-D")) == pytest.approx(2 * float(soxi(once, "-D")), abs=0.05)


class HeldOutput(ClockOutput):
    """A sound card that holds each piece until the test lets it go: playing cannot finish on its own."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def play(self, audio: Audio, keep_going) -> bool:
        self.started.set()
        while not self.release.wait(0.01):
            if not keep_going():
                self.played.append((audio.seconds, 0.0))
                return False
        self.played.append((audio.seconds, audio.seconds))
        return True


def test_say_returns_at_once_while_the_worker_speaks():
    # Order of events, not wall-clock: the card holds the first piece, so had say() waited for playing it
    # would never return; after it returns the speaker is busy and the card is (or will be) playing.
    out = HeldOutput()
    speaker = make_speaker(config(), output=out)
    safety = threading.Timer(60, out.release.set)  # a say() that waited fails below instead of hanging
    safety.start()
    speaker.say(LONG)
    assert speaker.is_speaking and not speaker.wait(0) and out.played == []
    assert out.started.wait(30) and speaker.is_speaking
    out.release.set()
    safety.cancel()
    assert speaker.wait(60) and len(out.played) == len(prepare(LONG))
    speaker.close()  # close stops and joins
    assert not speaker.is_speaking and not speaker._worker.is_alive()


def test_the_pinyin_voice_reads_words_right_and_the_plain_voice_does_not():
    """Why the speaker gives espeak-ng pinyin: characters get wrong readings, sit/cmn English phonemes."""
    def phonemes(voice: str, text: str) -> str:
        return subprocess.run(["espeak-ng", "-q", "-x", "-v", voice, text], capture_output=True, text=True,
                              check=True).stdout

    assert "X'a35N" in phonemes(ESPEAK_MANDARIN, to_pinyin("银行"))  # hang2
    assert "X'a35N" not in phonemes(ESPEAK_MANDARIN, "银行")  # read xing2 from characters
    assert "(en)" in phonemes("sit/cmn", "居住证")  # English phonemes for Chinese characters


def test_choose_voice():
    class V:
        def __init__(self, id, name="", languages=()):
            self.id, self.name, self.languages = id, name, list(languages)

    espeak = [V("gmw/en"), V("sit/cmn", "Chinese_(Mandarin,_latin_as_English)"), V(ESPEAK_MANDARIN, "Chinese pinyin")]
    assert choose_voice("auto", espeak, "espeak").id == ESPEAK_MANDARIN
    assert choose_voice("auto", espeak[:2], "espeak") is None  # sit/cmn misreads: better silent
    assert choose_voice("sit/cmn", espeak, "espeak").text_form == "hanzi"
    assert choose_voice("nope", espeak, "espeak") is None
    windows = [V(r"HKEY\TTS_MS_EN-US_ZIRA_11.0", "Microsoft Zira"),
               V(r"HKEY\TTS_MS_ZH-HK_TRACY_11.0", "Microsoft Tracy"),
               V(r"HKEY\TTS_MS_ZH-CN_HUIHUI_11.0", "Microsoft Huihui")]
    assert choose_voice("auto", windows, "sapi5").name == "Microsoft Huihui"
    assert choose_voice("auto", windows[:1], "sapi5") is None
    mac = [V("com.apple.voice.compact.en-US.Samantha", "Samantha", ["en_US"]),
           V("com.apple.voice.compact.zh-CN.Tingting", "Tingting", ["zh_CN"])]
    assert choose_voice("auto", mac, "nsss").text_form == "hanzi"
    # voices to fall back on when the first gives only silence: Mandarin ones, never Cantonese or Hakka
    espeak += [V("sit/yue", "Chinese (Cantonese)"), V("sit/hak", "Hakka Chinese")]
    assert [v.id for v in mandarin_voices("auto", espeak, "espeak")] == [ESPEAK_MANDARIN, "sit/cmn"]
    assert [v.name for v in mandarin_voices("auto", windows, "sapi5")] == ["Microsoft Huihui"]  # Tracy: zh-HK


@pytest.mark.parametrize("speech,problem", [
    ({"enabled": False}, "已在配置中关闭"),
    ({"voice": "no/such-voice"}, "没有找到配置的语音“no/such-voice”"),
    ({"device": "no such speaker"}, "没有找到“no such speaker”扬声器"),
])
def test_make_speaker_returns_a_null_speaker_with_a_reason(speech, problem, caplog):
    speaker = make_speaker(config(**speech))
    assert isinstance(speaker, NullSpeaker) and isinstance(speaker, Speaker)
    assert not speaker.available and problem in speaker.problem
    speaker.say("你好")  # does nothing, raises nothing
    assert not speaker.is_speaking and speaker.wait(0)
    speaker.close()


def test_a_problem_is_logged_once(caplog):
    with caplog.at_level("INFO", logger="kiosk.speech.tts"):
        for _ in range(3):
            make_speaker(config(voice="another/missing-voice"))
    assert sum("another/missing-voice" in r.getMessage() for r in caplog.records) == 1


def _run_python(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_without_pyttsx3_the_kiosk_gets_a_null_speaker_and_a_log_line():
    code = """
import logging, sys
sys.modules["pyttsx3"] = None
logging.basicConfig(level=logging.WARNING, format="%(name)s %(message)s")
from kiosk.config import load_config
from kiosk.speech.tts import make_speaker
for _ in range(2):
    s = make_speaker(load_config(env={}))
print(type(s).__name__, s.available, s.problem)
"""
    res = _run_python(code)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "NullSpeaker False 没有安装语音合成组件 pyttsx3。"
    assert res.stderr.count("kiosk.speech.tts 没有安装语音合成组件 pyttsx3") == 1


def test_plays_on_a_sound_card(tmp_path):
    """The sound-card output end to end: ALSA's file plugin stands in for a card and keeps what it got."""
    captured = tmp_path / "card.wav"
    asoundrc = tmp_path / "asoundrc"
    asoundrc.write_text(f'pcm.!default {{ type file slave.pcm "null" file "{captured}" format "wav" }}\n')
    code = """
from kiosk.config import load_config
from kiosk.speech.tts import make_speaker
s = make_speaker(load_config(env={}))
print(s.available, s.problem, type(s.output).__name__)
s.say("办理居住证，咨询电话12345。")
s.wait(60)
print(round(s.stats.audio_seconds, 2), s.stats.pieces_played)
s.close()
"""
    res = _run_python(code, {"ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{asoundrc}"})
    assert res.returncode == 0, res.stderr
    first, second = res.stdout.strip().splitlines()
    assert first == "True None SoundDeviceOutput"
    seconds, pieces = second.split()
    assert pieces == "1"
    assert float(soxi(captured, "-D")) == pytest.approx(float(seconds), abs=0.05)
    assert soxi(captured, "-r") == "22050"
    assert sox_stat(captured)["RMS     amplitude"] > 0.03


def test_audio_from_wav_roundtrip(tmp_path):
    path = tmp_path / "a.wav"
    out = WavFileOutput(path)
    assert out.play(Audio(b"\x01\x00" * 2205, 22050), lambda: True)
    assert not out.play(Audio(b"\x01\x00" * 10, 22050), lambda: False)
    out.close()
    audio = Audio.from_wav(path)
    assert audio.frames == 2205 and audio.seconds == pytest.approx(0.1)


def test_empty_wav_when_nothing_was_said(tmp_path):
    path = tmp_path / "empty.wav"
    WavFileOutput(path).close()
    assert Audio.from_wav(path).frames == 0


def test_rate_is_honoured_from_the_first_utterance_of_a_process(tmp_path):
    """Each piece is rendered at the configured rate, as espeak-ng itself renders it, even the very
    first one of a fresh engine and when the rate changes back and forth (pyttsx3 queues property
    changes and can cancel them; the engine must not let that happen)."""
    text = "请带好身份证。"
    expected = {}
    for rate in (160, 110):
        wav = tmp_path / f"espeak{rate}.wav"
        subprocess.run(["espeak-ng", "-v", ESPEAK_MANDARIN, "-s", str(rate), "-w", str(wav), to_pinyin(text)],
                       check=True)
        expected[rate] = float(soxi(wav, "-D"))
    code = f"""
from kiosk.speech.tts import shared_engine, RenderSettings
from kiosk.speech.textprep import to_pinyin
engine = shared_engine()
for rate in (160, 160, 110, 160, 110, 110):
    audio, _ = engine.render(to_pinyin({text!r}), RenderSettings({ESPEAK_MANDARIN!r}, rate, 1.0)).result()
    print(rate, audio.seconds)
"""
    res = _run_python(code)
    assert res.returncode == 0, res.stderr
    for line in res.stdout.splitlines():
        rate, secs = line.split()
        assert float(secs) == pytest.approx(expected[int(rate)], abs=0.05), line


class _ScriptedEngine:
    """Stands in for the pyttsx3 engine: renders the next audio of a script (speech or silence)."""

    def __init__(self, *audios: Audio) -> None:
        self.audios = list(audios)

    def render(self, text, settings):
        from concurrent.futures import Future

        future: Future = Future()
        future.set_result((self.audios.pop(0), 0.001))
        return future


def test_a_runtime_failure_is_counted_shown_and_cleared_by_the_next_success():
    from kiosk.speech.tts import VoiceChoice, speech_line, speech_status

    speech = Audio(b"\x00\x40" * 2205, 22050)  # 0.1 s at half scale
    silence = Audio(b"\x00\x00" * 2205, 22050)
    speaker = Pyttsx3Speaker(_ScriptedEngine(silence, speech), VoiceChoice("test/voice", "test", "hanzi"),
                             ClockOutput())
    assert speech_status(speaker) == {"speech": "ok", "speech_errors": 0, "speech_voice": "test/voice"}
    speaker.say("你好")
    assert speaker.wait(5)
    assert speaker.errors == 1 and "只发出了静音" in speaker.problem
    status = speech_status(speaker)
    assert status["speech"] == "error" and status["speech_errors"] == 1 and "speech_problem_at" in status
    assert speech_line(speaker).startswith("语音播报：出错（语音 test/voice），共出错 1 次，最近一次")
    speaker.say("你好")
    assert speaker.wait(5)
    assert speaker.problem is None and speaker.errors == 1  # working again; the count stays for staff
    assert speech_status(speaker)["speech"] == "ok" and "共出错 1 次" in speech_line(speaker)
    speaker.close()


def test_status_of_a_speaker_that_is_off():
    from kiosk.speech.tts import speech_line, speech_status

    off = NullSpeaker("没有找到普通话语音")
    assert speech_status(off) == {"speech": "off", "speech_problem": "没有找到普通话语音"}
    assert speech_line(off) == "语音播报：不可用，没有找到普通话语音"
    assert speech_line(None) == "语音播报：正在启动"
