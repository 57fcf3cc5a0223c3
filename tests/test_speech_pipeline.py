"""The listening pipeline on the real recogniser, fed by a fake microphone that replays espeak-ng WAV
chunks: worker thread, streamed partials, end-pointing, maximum length, cancel, unplug, continuous mode.

The microphone is not paced by the clock (realtime=False): end-pointing and the maximum length count audio,
not wall time, so chunk counts are exact whatever the load on the machine; cancelling happens from inside
the recogniser's own callback, so what it measures does not depend on when the test thread gets to run."""
from __future__ import annotations

import logging
import threading

import pytest

from fakes import FakeMicrophone
from kiosk.speech import Transcript
from kiosk.speech.audio import RATE, read_wav
from kiosk.speech.vosk_input import CONTINUOUS, ListenSettings, VoskRecognizer

pytestmark = [pytest.mark.vosk, pytest.mark.audio, pytest.mark.slow]

CHUNKS_PER_SECOND = 10  # the fake microphone gives 0.1 s chunks, like the real one


class Events:
    def __init__(self) -> None:
        self.partials: list[str] = []
        self.finals: list[Transcript] = []
        self.errors: list[str] = []
        self.threads: set[str] = set()
        self.final_seen = threading.Event()
        self.first_partial = threading.Event()

    def on_partial(self, text: str) -> None:
        self.threads.add(threading.current_thread().name)
        self.partials.append(text)
        if text:
            self.first_partial.set()

    def on_final(self, t: Transcript) -> None:
        self.threads.add(threading.current_thread().name)
        self.finals.append(t)
        self.final_seen.set()

    def on_error(self, message: str) -> None:
        self.errors.append(message)
        self.final_seen.set()

    def start(self, rec) -> None:
        rec.start(self.on_partial, self.on_final, self.on_error)


@pytest.fixture(scope="module")
def speech(espeak):
    return read_wav(espeak("인감 증명서 발급"))[1]


def _rec(engine, mic, **settings) -> VoskRecognizer:
    base = dict(end_silence_seconds=0.6, max_seconds=10.0)
    base.update(settings)
    return VoskRecognizer(engine, lambda: mic, ListenSettings(**base))


def test_partials_stream_from_the_worker_and_silence_ends_the_utterance(korean_engine, speech):
    mic = FakeMicrophone(speech, tail_seconds=None, realtime=False)  # after the words, a quiet room for ever
    rec = _rec(korean_engine, mic)
    ev = Events()
    ev.start(rec)
    assert rec.is_listening
    assert rec.wait(60)
    assert not rec.is_listening
    # words appeared while the resident spoke, on the recogniser's worker thread
    assert len([p for p in ev.partials if p]) >= 2
    assert ev.threads == {"kiosk-listen"} and "kiosk-listen" in mic.threads
    assert threading.current_thread().name not in ev.threads
    assert [t.text for t in ev.finals] == ["인감 증명서 발급"]
    assert ev.errors == []
    # it ended because of the trailing silence: about 0.6 s after the recording, never near the maximum
    extra = mic.chunks_read - mic.speech_chunks
    assert 1 <= extra <= 0.6 * CHUNKS_PER_SECOND + 2, extra
    assert mic.started == mic.stopped == 1


def test_a_longer_silence_setting_listens_longer(korean_engine, speech):
    counts = []
    for silence in (0.5, 1.5):
        mic = FakeMicrophone(speech, tail_seconds=None, realtime=False)
        rec = _rec(korean_engine, mic, end_silence_seconds=silence)
        ev = Events()
        ev.start(rec)
        assert rec.wait(60)
        counts.append(mic.chunks_read - mic.speech_chunks)
        assert len(ev.finals) == 1
    assert 9 <= counts[1] - counts[0] <= 11  # one more second of silence is ten more 0.1 s chunks


def test_maximum_length_ends_an_endless_utterance(korean_engine, speech):
    mic = FakeMicrophone(speech, loop=True, realtime=False)  # a resident who never stops talking
    rec = _rec(korean_engine, mic, end_silence_seconds=2.0, max_seconds=3.0)
    ev = Events()
    ev.start(rec)
    assert rec.wait(60)
    assert len(ev.finals) == 1 and ev.finals[0].text
    assert mic.chunks_read <= 3.0 * CHUNKS_PER_SECOND + 6  # stopped at the limit, not at the end of the loop
    assert mic.chunks_read < mic.speech_chunks


def test_push_to_talk_gives_up_when_nobody_speaks(korean_engine):
    mic = FakeMicrophone(bytes(RATE * 2 // 10), tail_seconds=None, realtime=False)
    rec = _rec(korean_engine, mic, max_seconds=1.5)
    ev = Events()
    ev.start(rec)
    assert rec.wait(60)
    assert [t.text for t in ev.finals] == [""]
    assert 15 <= mic.chunks_read <= 16  # 1.5 s of waiting, counted in 0.1 s chunks


def test_cancel_on_tap_stops_without_a_result(korean_engine, speech):
    mic = FakeMicrophone(speech, tail_seconds=None, realtime=False)
    rec = _rec(korean_engine, mic)
    ev = Events()
    at_cancel = []

    def on_partial(text):
        ev.on_partial(text)
        if text and not at_cancel:  # the tap comes while words are showing
            at_cancel.append(mic.chunks_read)
            rec.cancel()

    rec.start(on_partial, ev.on_final, ev.on_error)
    assert rec.wait(60)
    assert not rec.is_listening
    assert at_cancel and at_cancel[0] < mic.speech_chunks
    assert ev.finals == [] and ev.errors == []
    assert mic.stopped == 1
    assert mic.chunks_read == at_cancel[0]  # not one chunk more was read after the tap


def test_start_while_listening_does_not_open_the_microphone_twice(korean_engine, speech):
    mic = FakeMicrophone(speech, tail_seconds=None, realtime=False)
    rec = _rec(korean_engine, mic)
    ev = Events()
    ev.start(rec)
    ev.start(rec)
    assert rec.wait(60)
    assert mic.started == 1 and len(ev.finals) == 1


def test_unplugged_mid_sentence_reports_once_and_recovers(korean_engine, speech, caplog):
    caplog.set_level(logging.WARNING, logger="kiosk")
    ev = Events()
    for _ in range(2):
        mic = FakeMicrophone(speech, unplug_after=8, realtime=False)
        rec = _rec(korean_engine, mic)
        ev.start(rec)
        assert rec.wait(30)
        assert mic.stopped == 1
    assert ev.finals == []
    assert len(ev.errors) == 2 and all("话筒断开了" in e and "触摸屏" in e for e in ev.errors)
    assert sum("话筒断开了" in r.getMessage() for r in caplog.records) == 1  # logged once, not per attempt
    # plugged back in: the same recogniser listens again
    mic = FakeMicrophone(speech, tail_seconds=None, realtime=False)
    rec.source_factory = lambda: mic
    ev2 = Events()
    ev2.start(rec)
    assert rec.wait(60)
    assert [t.text for t in ev2.finals] == ["인감 증명서 발급"]


def test_no_microphone_at_start_is_an_error_not_a_crash(korean_engine, speech):
    mic = FakeMicrophone(speech, fail_on_start=True, realtime=False)
    rec = _rec(korean_engine, mic)
    ev = Events()
    ev.start(rec)
    assert rec.wait(10)
    assert ev.finals == [] and len(ev.errors) == 1 and "没有找到话筒" in ev.errors[0]


def test_continuous_mode_delivers_each_utterance_until_cancelled(korean_engine, espeak):
    first = read_wav(espeak("운전면허 갱신"))[1]
    second = read_wav(espeak("인감 증명서 발급"))[1]
    pcm = first + bytes(RATE * 2 * 2) + second  # two questions, two seconds apart
    mic = FakeMicrophone(pcm, tail_seconds=None, realtime=False)
    rec = _rec(korean_engine, mic, mode=CONTINUOUS)
    ev = Events()
    ev.start(rec)
    for _ in range(100):
        if len(ev.finals) >= 2 or ev.errors:
            break
        ev.final_seen.wait(1)
        ev.final_seen.clear()
    assert rec.is_listening  # a robot keeps listening after an answer
    rec.cancel()
    assert rec.wait(10)
    assert [t.text for t in ev.finals] == ["운전면허 갱신", "인감 증명서 발급"]
    assert ev.errors == [] and mic.stopped == 1


def test_a_failing_callback_is_reported_not_raised(korean_engine, speech):
    mic = FakeMicrophone(speech, tail_seconds=None, realtime=False)
    rec = _rec(korean_engine, mic)
    errors = []

    def bad_final(t):
        raise RuntimeError("UI bug")

    rec.start(lambda p: None, bad_final, errors.append)
    assert rec.wait(30)
    assert len(errors) == 1 and "出错" in errors[0]
    assert mic.stopped == 1
