"""Offline speech input with Vosk: audio sources, the recognition engine, the listening pipeline.

* An :class:`AudioSource` gives 16 kHz mono int16 chunks: :class:`SoundDeviceSource` (the microphone)
  and :class:`ReplaySource` (a recording played back, in real time or as fast as possible).
* :class:`VoskEngine` owns the loaded model and the grammar built from the knowledge base; for each
  utterance it runs free recognition and grammar recognition side by side on the same audio and lets
  the matcher choose among all their alternatives (:mod:`kiosk.speech.hypotheses`).
* :class:`VoskRecognizer` is the kiosk's :class:`~kiosk.speech.Recognizer`: ``start`` returns at once,
  a worker thread reads the source, streams partial text, ends the utterance on trailing silence or at
  the maximum length, and delivers the final :class:`~kiosk.speech.Transcript`. ``cancel`` (a tap)
  stops it without a result. Callbacks run on the worker thread.
* :func:`make_recognizer` never raises: whatever is missing (library, model, microphone) gives a
  :class:`NullRecognizer` whose ``problem`` says so in Chinese, logged once.

vosk and sounddevice are imported only inside the functions that use them.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, Sequence

from . import OnError, OnFinal, OnPartial, Transcript, Unavailable, report_once
from .audio import RATE, SAMPLE_BYTES, resample, rms, seconds, to_pcm16
from .hypotheses import Hypothesis, Score, choose, hypotheses, join_words, match_score, ordered, phrase_score
from .models import ModelError, model_problem

log = logging.getLogger("kiosk.speech.vosk_input")

CHUNK_SECONDS = 0.1
PUSH_TO_TALK, CONTINUOUS = "push_to_talk", "continuous"
TOUCH_HINT = "请使用触摸屏查询。"


class AudioDeviceError(Exception):
    """No microphone, or it stopped working; Chinese message."""


# -- audio sources -------------------------------------------------------------------------------

class AudioSource(Protocol):
    """16 kHz mono int16 PCM in chunks. ``read`` returns b"" when nothing arrived within timeout,
    None when the source has ended, and raises AudioDeviceError when the device fails."""

    def start(self) -> None: ...

    def read(self, timeout: float) -> bytes | None: ...

    def stop(self) -> None: ...


def microphone_problem(device=None) -> str | None:
    """Why there is no usable microphone (Chinese), or None."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:
        return f"没有安装录音组件（sounddevice/PortAudio）：{exc}"
    try:
        if device is None:
            devices = [d for d in sd.query_devices() if d.get("max_input_channels", 0) > 0]
            return None if devices else "没有找到话筒"
        info = sd.query_devices(device, "input")
        return None if info.get("max_input_channels", 0) > 0 else f"设备 {device} 不是话筒"
    except (ValueError, sd.PortAudioError) as exc:
        return f"找不到配置的话筒 {device}（{exc}）"


class SoundDeviceSource:
    """The microphone through sounddevice (PortAudio). Opens at 16 kHz, or at the device's own rate
    with resampling when the device refuses 16 kHz."""

    STALL_SECONDS = 2.0  # no audio for this long from a running stream: the device is gone

    def __init__(self, device=None, chunk_seconds: float = CHUNK_SECONDS) -> None:
        self.device = device
        self.chunk_seconds = chunk_seconds
        self._q: queue.Queue[bytes] = queue.Queue(maxsize=200)
        self._stream = None
        self._rate = RATE
        self._last = 0.0
        self._failed: str | None = None
        self._stopping = False

    def _callback(self, indata, frames, time_info, status) -> None:  # PortAudio thread
        if status and status.input_overflow:
            log.debug("microphone overflow")
        try:
            self._q.put_nowait(bytes(indata))
        except queue.Full:
            pass

    def _finished(self) -> None:
        if self._stream is not None and not self._stopping:
            self._failed = "话筒断开了"

    def start(self) -> None:
        try:
            import sounddevice as sd
        except (ImportError, OSError) as exc:
            raise AudioDeviceError(f"没有安装录音组件（sounddevice/PortAudio）：{exc}") from exc
        problem = microphone_problem(self.device)
        if problem:
            raise AudioDeviceError(problem)
        rates = [RATE]
        try:
            default = int(sd.query_devices(self.device, "input")["default_samplerate"])
            if default != RATE:
                rates.append(default)
        except (ValueError, sd.PortAudioError, KeyError):
            pass
        last_exc: Exception | None = None
        for rate in rates:
            try:
                self._stream = sd.RawInputStream(samplerate=rate, channels=1, dtype="int16", device=self.device,
                                                 blocksize=int(rate * self.chunk_seconds), callback=self._callback,
                                                 finished_callback=self._finished)
                self._stream.start()
                self._rate = rate
                self._last = time.monotonic()
                return
            except (sd.PortAudioError, ValueError) as exc:
                last_exc = exc
                self._stream = None
        raise AudioDeviceError(f"话筒打不开（{last_exc}）")

    def read(self, timeout: float) -> bytes | None:
        if self._failed:
            raise AudioDeviceError(self._failed)
        try:
            data = self._q.get(timeout=timeout)
        except queue.Empty:
            stream = self._stream
            if stream is None or not stream.active or time.monotonic() - self._last > self.STALL_SECONDS:
                raise AudioDeviceError("话筒断开了") from None
            return b""
        self._last = time.monotonic()
        if self._rate != RATE:
            from array import array

            a = array("h")
            a.frombytes(data)
            data = to_pcm16(resample([float(v) for v in a], self._rate, RATE))
        return data

    def stop(self) -> None:
        self._stopping = True
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:  # the device may already be gone
                log.debug("closing the microphone failed", exc_info=True)


class ReplaySource:
    """A recording as an audio source: chunk by chunk, optionally at real-time pace, then
    ``tail_seconds`` of silence (``None``: silence for ever, like a quiet microphone), then the end."""

    def __init__(self, pcm: bytes, realtime: bool = True, tail_seconds: float | None = 0.0,
                 chunk_seconds: float = CHUNK_SECONDS) -> None:
        self.pcm = pcm
        self.realtime = realtime
        self.tail_seconds = tail_seconds
        self.chunk_bytes = int(RATE * chunk_seconds) * SAMPLE_BYTES
        self.pos = 0
        self.chunks_read = 0
        self.started = self.stopped = 0
        self.speech_end_time: float | None = None  # monotonic time the last recorded chunk was handed out
        self.last_read_time: float | None = None  # monotonic time of the latest chunk handed out
        self._next = 0.0
        self._tail_left = tail_seconds

    def start(self) -> None:
        self.started += 1
        self._next = time.monotonic()

    def _pace(self, chunk: bytes) -> None:
        if self.realtime:
            delay = self._next - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next = max(self._next, time.monotonic() - 0.5) + seconds(chunk)

    def read(self, timeout: float) -> bytes | None:
        chunk = self._read()
        if chunk is not None:
            self.last_read_time = time.monotonic()
        return chunk

    def _read(self) -> bytes | None:
        if self.pos < len(self.pcm):
            chunk = self.pcm[self.pos : self.pos + self.chunk_bytes]
            self.pos += len(chunk)
            self._pace(chunk)
            self.chunks_read += 1
            if self.pos >= len(self.pcm):
                self.speech_end_time = time.monotonic()
            return chunk
        if self._tail_left is None or self._tail_left > 1e-9:
            chunk = bytes(self.chunk_bytes)
            if self._tail_left is not None:
                self._tail_left -= seconds(chunk)
            self._pace(chunk)
            self.chunks_read += 1
            return chunk
        return None

    def stop(self) -> None:
        self.stopped += 1


# -- the engine ----------------------------------------------------------------------------------

def load_model(path: str | Path | None):
    """vosk.Model for a model folder. Always with a path: ``Model(lang=...)`` would download on its own."""
    problem = model_problem(path)
    if problem:
        raise ModelError(problem)
    import vosk

    vosk.SetLogLevel(-1)
    try:
        return vosk.Model(model_path=str(path))
    except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
        raise ModelError(f"语音识别模型无法加载：{path}（文件可能已损坏，请重新下载）") from exc


class Decoder:
    """One Kaldi recogniser over one utterance, keeping the segments Vosk closes at its own endpoints."""

    def __init__(self, model, grammar_json: str | None, alternatives: int) -> None:
        import vosk

        if grammar_json:
            self.rec = vosk.KaldiRecognizer(model, float(RATE), grammar_json)
        else:
            self.rec = vosk.KaldiRecognizer(model, float(RATE))
        self.rec.SetMaxAlternatives(alternatives)
        self.rec.SetWords(False)
        self.segments: list[list[str]] = []
        self.partial = ""

    @staticmethod
    def _texts(result: str) -> list[str]:
        data = json.loads(result)
        if "alternatives" in data:
            return [a.get("text", "") for a in data["alternatives"]]
        return [data.get("text", "")]

    def accept(self, pcm: bytes) -> str:
        """Feed audio; returns the text so far (raw recogniser words)."""
        if self.rec.AcceptWaveform(pcm):
            texts = self._texts(self.rec.Result())
            if any(t.strip() for t in texts):
                self.segments.append(texts)
            self.partial = ""
        else:
            self.partial = json.loads(self.rec.PartialResult()).get("partial", "")
        return " ".join([s[0] for s in self.segments] + [self.partial]).strip()

    def finish(self) -> list[str]:
        """The utterance's alternatives, best first; the decoder is ready for a new utterance."""
        last = self._texts(self.rec.FinalResult())
        prefix = " ".join(s[0] for s in self.segments)
        self.segments, self.partial = [], ""
        if not any(t.strip() for t in last):
            return [prefix] if prefix else []
        return [f"{prefix} {t}".strip() for t in last]


@dataclass(frozen=True)
class Heard:
    """One utterance's recognition: the transcript plus what each recogniser said."""

    transcript: Transcript
    free: tuple[str, ...]
    grammar: tuple[str, ...]
    chosen: Hypothesis | None


class VoskEngine:
    """A loaded model, the knowledge-base grammar, and the choice among alternatives."""

    def __init__(self, model, model_path: Path, grammar_json: str | None = None, alternatives: int = 5,
                 score: Score | None = None) -> None:
        self.model = model
        self.model_path = Path(model_path)
        self.grammar_json = grammar_json
        self.alternatives = max(1, int(alternatives))
        self.score = score

    @classmethod
    def load(cls, model_path: str | Path, *, kb=None, matcher=None, grammar: bool = True, alternatives: int = 5,
             phrases: Sequence[str] | None = None, score: Score | None = None) -> "VoskEngine":
        """Load the model; the grammar comes from phrases, or from kb's guides when grammar is on."""
        model = load_model(model_path)
        grammar_json = None
        if grammar and (phrases is not None or kb is not None):
            from .grammar import Source, build_grammar, guide_grammar, vocabulary

            vocab = vocabulary(model_path)
            g = (build_grammar([Source(p, "短语") for p in phrases], vocab) if phrases is not None
                 else guide_grammar(kb, vocab))
            grammar_json = g.vosk_json()
            if g.unknown:
                log.info("%d guide phrases have words the model does not know (kiosk validate --model)",
                         len(g.unknown))
        if score is None and matcher is not None:
            score = match_score(matcher)
        elif score is None and phrases is not None:
            score = phrase_score(phrases)
        return cls(model, Path(model_path), grammar_json, alternatives, score)

    def decoders(self) -> list[Decoder]:
        out = [Decoder(self.model, None, self.alternatives)]
        if self.grammar_json:
            out.append(Decoder(self.model, self.grammar_json, self.alternatives))
        return out

    def conclude(self, decoders: Sequence[Decoder]) -> Heard:
        free = tuple(decoders[0].finish())
        gram = tuple(decoders[1].finish()) if len(decoders) > 1 else ()
        hyps = hypotheses(free, gram)
        chosen = choose(hyps, self.score)
        text = chosen.text if chosen else ""
        return Heard(Transcript(text, ordered(chosen, hyps)), free, gram, chosen)

    def recognize(self, pcm: bytes, chunk_seconds: float = 0.2) -> Heard:
        """Recognise a whole recording (16 kHz mono int16)."""
        decs = self.decoders()
        step = int(RATE * chunk_seconds) * SAMPLE_BYTES
        for i in range(0, len(pcm), step):
            for d in decs:
                d.accept(pcm[i : i + step])
        return self.conclude(decs)


# -- the listening pipeline ----------------------------------------------------------------------

@dataclass(frozen=True)
class ListenSettings:
    mode: str = PUSH_TO_TALK
    max_seconds: float = 12.0  # longest utterance, and longest wait for speech in push-to-talk
    end_silence_seconds: float = 1.2
    min_level: float = 300.0  # RMS (int16 units) below which audio is never speech
    read_timeout: float = 0.2

    @classmethod
    def from_config(cls, config) -> "ListenSettings":
        mode = str(config.get("recognition.mode", PUSH_TO_TALK))
        return cls(
            mode=mode if mode in (PUSH_TO_TALK, CONTINUOUS) else PUSH_TO_TALK,
            max_seconds=float(config.get("recognition.max_seconds", 12)),
            end_silence_seconds=float(config.get("recognition.end_silence_seconds", 1.2)),
            min_level=float(config.get("recognition.min_level", 300)),
        )


class Endpointer:
    """Energy-based speech/silence decisions with an adaptive noise floor."""

    def __init__(self, min_level: float) -> None:
        self.min_level = min_level
        self.floor = min_level / 3

    def voiced(self, chunk: bytes) -> bool:
        level = rms(chunk)
        speech = level > max(self.min_level, 3 * self.floor)
        if not speech:
            self.floor = 0.9 * self.floor + 0.1 * level
        return speech


class NullRecognizer(Unavailable):
    """Speech input that is off; ``problem`` says why (Chinese)."""


class VoskRecognizer:
    """The kiosk's speech input: a worker thread per listening session."""

    available = True
    problem: str | None = None

    def __init__(self, engine: VoskEngine, source_factory: Callable[[], AudioSource],
                 settings: ListenSettings | None = None) -> None:
        self.engine = engine
        self.source_factory = source_factory
        self.settings = settings or ListenSettings()
        self._lock = threading.RLock()
        self._cancel: threading.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def is_listening(self) -> bool:
        with self._lock:
            return self._thread is not None and self._thread.is_alive() and not self._cancel.is_set()

    def start(self, on_partial: OnPartial, on_final: OnFinal, on_error: OnError) -> None:
        with self._lock:
            if self.is_listening:
                return
            cancel = threading.Event()
            self._cancel = cancel
            self._thread = threading.Thread(target=self._run, args=(cancel, on_partial, on_final, on_error),
                                            name="kiosk-listen", daemon=True)
            self._thread.start()

    def cancel(self) -> None:
        with self._lock:
            if self._cancel is not None:
                self._cancel.set()

    def close(self) -> None:
        self.cancel()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=5)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current session ends (for the CLI and tests); True when it has."""
        t = self._thread
        if t is None:
            return True
        t.join(timeout)
        return not t.is_alive()

    # -- worker ------------------------------------------------------------------------------------
    def _deliver(self, cancel: threading.Event, fn, *args) -> None:
        with self._lock:
            if cancel.is_set():
                return
        fn(*args)

    def _run(self, cancel: threading.Event, on_partial, on_final, on_error) -> None:
        source = None
        try:
            source = self.source_factory()
            source.start()
            while not cancel.is_set():
                heard = self._utterance(source, cancel, on_partial)
                if heard is None:
                    break
                self._deliver(cancel, on_final, heard.transcript)
                if self.settings.mode != CONTINUOUS:
                    break
        except AudioDeviceError as exc:
            message = f"语音识别暂不可用：{exc}。{TOUCH_HINT}"
            report_once(message, logger=log)
            self._deliver(cancel, on_error, message)
        except Exception:
            log.exception("speech recognition failed")
            self._deliver(cancel, on_error, f"语音识别出错了。{TOUCH_HINT}")
        finally:
            if source is not None:
                source.stop()
            with self._lock:
                cancel.set()

    def _utterance(self, source: AudioSource, cancel: threading.Event, on_partial) -> Heard | None:
        """Listen until the end of one utterance; None when cancelled or when the source ended silent."""
        st = self.settings
        decs = self.engine.decoders()
        endpointer = Endpointer(st.min_level)
        heard = False
        speech = silence = waited = 0.0
        shown = ""
        while True:
            if cancel.is_set():
                return None
            chunk = source.read(st.read_timeout)
            if chunk is None:
                break
            if not chunk:
                continue
            dur = seconds(chunk)
            voiced = endpointer.voiced(chunk)
            texts = [d.accept(chunk) for d in decs]
            partial = join_words(texts[0])
            if partial != shown:
                shown = partial
                self._deliver(cancel, on_partial, partial)
            if voiced:
                heard, silence = True, 0.0
            elif heard:
                silence += dur
            if heard:
                speech += dur
                if silence >= st.end_silence_seconds or speech >= st.max_seconds:
                    break
            else:
                waited += dur
                if st.mode == PUSH_TO_TALK and waited >= st.max_seconds:
                    break
                if st.mode == CONTINUOUS and waited >= st.max_seconds:
                    decs = self.engine.decoders()  # start afresh after a long quiet spell
                    waited = 0.0
        if cancel.is_set():
            return None
        if not heard and st.mode == CONTINUOUS:
            return None
        return self.engine.conclude(decs)


# -- the factory ---------------------------------------------------------------------------------

def _unavailable(reason: str) -> NullRecognizer:
    message = f"语音识别暂不可用：{reason.rstrip('。')}。{TOUCH_HINT}"
    report_once(message, logger=log)
    return NullRecognizer(message)


def make_recognizer(config, *, kb=None, matcher=None, model_path: str | Path | None = None,
                    source_factory: Callable[[], AudioSource] | None = None):
    """The kiosk's recogniser from config; never raises. Without a usable library, model or microphone
    the result has ``available=False`` and a Chinese ``problem``, logged once.

    Loading the model takes seconds: call this off the UI thread. kb and matcher (both optional) give
    the guide grammar and the choice among alternatives."""
    try:
        if not config.get("recognition.enabled", True):
            return NullRecognizer("语音识别已在配置中关闭。" + TOUCH_HINT)
        path = Path(model_path) if model_path else config.path("recognition.model")
        problem = model_problem(path)
        if problem:
            return _unavailable(problem)
        try:
            import vosk  # noqa: F401
        except (ImportError, OSError) as exc:
            return _unavailable(f"没有安装语音识别组件 vosk（{exc}）")
        device = config.get("recognition.device")
        if source_factory is None:
            problem = microphone_problem(device)
            if problem:
                return _unavailable(problem)
            source_factory = lambda: SoundDeviceSource(device)  # noqa: E731
        engine = VoskEngine.load(path, kb=kb, matcher=matcher, grammar=bool(config.get("recognition.grammar", True)),
                                 alternatives=int(config.get("recognition.alternatives", 5)))
        return VoskRecognizer(engine, source_factory, ListenSettings.from_config(config))
    except ModelError as exc:
        return _unavailable(str(exc).rstrip("。"))
    except Exception as exc:  # never let speech input take the kiosk down
        log.exception("speech recognition could not start")
        return _unavailable(f"初始化失败（{exc}）")
