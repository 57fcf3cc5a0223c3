"""Spoken answers with pyttsx3: one engine on its own thread, a speaker that never makes the UI wait.

- ``_Engine`` owns the process's single pyttsx3 engine and runs requests from a queue, one at a time,
  on its own thread (espeak-ng keeps global state: two threads on one engine mix their utterances).
- ``Pyttsx3Speaker`` cuts an answer into short pieces (``textprep``), has the engine render each piece
  to audio while the previous one plays, and plays them on an output (``audio``). ``say`` and ``stop``
  only change a generation number under a lock; the output checks it every 50 ms, so a tap silences
  the kiosk at once.
- ``make_speaker(config)`` never raises: without pyttsx3, espeak-ng, a Mandarin voice or a sound card
  it returns a ``NullSpeaker`` whose ``problem`` says why, in Chinese, logged once.

On Linux pyttsx3 drives espeak-ng; its ``sit/cmn-latn-pinyin`` voice reads pinyin with tone numbers
correctly, while characters given to it (or to ``zh``/``sit/cmn``) get wrong readings for many words,
so the speaker hands it ``textprep.to_pinyin`` output. Other platforms' Chinese voices get characters.
"""
from __future__ import annotations

import itertools
import logging
import os
import queue
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from . import Unavailable
from . import report_once as _report_once
from .playback import Audio, AudioUnavailable, SoundDeviceOutput
from .textprep import MAX_PIECE, prepare, to_pinyin

__all__ = ["Pyttsx3Speaker", "NullSpeaker", "make_speaker", "choose_voice", "mandarin_voices", "VoiceChoice",
           "SpeechUnavailable", "speech_status", "speech_line", "describe_speech", "check_voice"]

log = logging.getLogger("kiosk.speech.tts")

ESPEAK_MANDARIN = "sit/cmn-latn-pinyin"
RENDER_TIMEOUT = 20.0  # seconds for one piece; espeak-ng needs a few milliseconds
#: Audio whose loudest sample is below this fraction of full scale is silence, not speech (espeak-ng
#: without its cmn_dict still lists the Mandarin voices and renders all-zero audio). Speech peaks at 0.3-1.
SILENCE_PEAK = 0.02
_MAINLAND = ("zh-cn", "zh_cn", "zh-hans", "cmn", "chinese (simplified", "china", "huihui", "yaoyao", "kangkang",
             "xiaoxiao", "tingting")
_CHINESE = ("zh", "chinese", "中文", "普通话")
_NOT_MANDARIN = ("yue", "cantonese", "hak", "zh-hk", "zh_hk", "zh-tw-hk")

def report_once(problem: str, detail: str = "", level: int = logging.WARNING) -> None:
    """Log a speech-output problem the first time it happens in this process."""
    _report_once(problem, detail, level, logger=log)


class SpeechUnavailable(Exception):
    """Speech cannot work here; ``str(exc)`` is the Chinese reason for the screen."""


def _check_not_silent(audio: Audio, voice: str) -> None:
    if not audio.frames or audio.peak < SILENCE_PEAK:
        raise SpeechUnavailable(f"语音“{voice}”只发出了静音（可能缺少语音词典，例如 espeak-ng 的 cmn_dict），"
                                "答案只显示在屏幕上。")


# --- voices --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VoiceChoice:
    id: str
    name: str
    text_form: str  # "pinyin": give the voice textprep.to_pinyin; "hanzi": give it Chinese characters


def _describe(voice: Any) -> str:
    langs = " ".join(str(x) for x in (getattr(voice, "languages", None) or []))
    return f"{getattr(voice, 'id', '')} {getattr(voice, 'name', '')} {langs}".lower()


def choose_voice(wanted: str | None, voices: Sequence[Any], driver: str) -> VoiceChoice | None:
    """The voice to speak with: the configured one, or with ``auto`` a voice that reads Mandarin right."""
    def choice(v: Any) -> VoiceChoice:
        vid = str(v.id)
        return VoiceChoice(vid, str(getattr(v, "name", vid)), "pinyin" if "latn-pinyin" in vid.lower() else "hanzi")

    wanted = (wanted or "auto").strip()
    if wanted.lower() != "auto":
        for v in voices:
            if wanted.lower() in (str(v.id).lower(), str(getattr(v, "name", "")).lower()):
                return choice(v)
        return None
    if driver == "espeak":  # espeak-ng: only the pinyin voice reads Mandarin correctly
        return next((choice(v) for v in voices if str(v.id).lower() == ESPEAK_MANDARIN), None)
    ranked = sorted(
        (0 if any(k in _describe(v) for k in _MAINLAND) else 1, i)
        for i, v in enumerate(voices) if any(k in _describe(v) for k in _CHINESE + _MAINLAND)
    )
    return choice(voices[ranked[0][1]]) if ranked else None


def mandarin_voices(wanted: str | None, voices: Sequence[Any], driver: str) -> list[VoiceChoice]:
    """The voice to use first (``choose_voice``), then every other installed Mandarin voice to fall back on."""
    first = choose_voice(wanted, voices, driver)
    out = [first] if first else []
    for v in voices:
        described = _describe(v)
        mandarin = any(k in described for k in _MAINLAND) or (
            any(k in described for k in _CHINESE) and not any(k in described for k in _NOT_MANDARIN))
        if mandarin and all(str(v.id) != c.id for c in out):
            vid = str(v.id)
            form = "pinyin" if "latn-pinyin" in vid.lower() else "hanzi"
            out.append(VoiceChoice(vid, str(getattr(v, "name", vid)), form))
    return out


# --- the engine ----------------------------------------------------------------------------------

def _driver_print(*args: Any, **_: Any) -> None:
    log.debug("pyttsx3: %s", " ".join(map(str, args)))


@dataclass(frozen=True)
class RenderSettings:
    voice: str
    rate: int
    volume: float


class _Engine:
    """The one pyttsx3 engine of this process, used only on its own worker thread."""

    def __init__(self, driver: str | None = None) -> None:
        self._requests: queue.SimpleQueue[tuple[Callable[[Any], Any], Future]] = queue.SimpleQueue()
        self._finished = threading.Event()  # set by the driver when the utterance in hand is done
        self._completed = True
        self._names = itertools.count(1)
        self._tmp = tempfile.mkdtemp(prefix="kiosk-tts-")
        self._ready = threading.Event()
        self.error: BaseException | None = None
        self.driver = driver or ""
        self._thread = threading.Thread(target=self._run, args=(driver,), name="kiosk-tts-engine", daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self, driver: str | None) -> None:
        try:
            import pyttsx3

            engine = pyttsx3.init(driver) if driver else pyttsx3.init()
            engine.connect("finished-utterance", self._on_finished)
            # The espeak driver print()s "Audio saved to …" for every file, on stdout, which carries
            # JSON lines for kiosk ask --json: give the driver module a print that logs instead.
            driver_module = sys.modules.get(f"pyttsx3.drivers.{engine.driver_name}")
            if driver_module is not None:
                driver_module.print = _driver_print  # type: ignore[attr-defined]
            # One empty run: pyttsx3 queues property changes until its first loop, and that loop's
            # housekeeping could cancel them in espeak-ng; after it, changes are sent at once.
            engine.runAndWait()
            self.driver = str(getattr(engine, "driver_name", driver or ""))
        except BaseException as exc:  # ImportError, OSError (no libespeak-ng), RuntimeError from the driver
            self.error = exc
            self._ready.set()
            return
        self._ready.set()
        while True:
            fn, future = self._requests.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(engine))
            except BaseException as exc:
                future.set_exception(exc)

    def _on_finished(self, completed: bool = True, **_: Any) -> None:
        # The driver's utterance names are unreliable (it may report None), but requests run one at a
        # time on this thread, so whatever finished is the one being waited for.
        self._completed = bool(completed)
        self._finished.set()

    def submit(self, fn: Callable[[Any], Any]) -> Future:
        future: Future = Future()
        self._requests.put((fn, future))
        return future

    def call(self, fn: Callable[[Any], Any], timeout: float = RENDER_TIMEOUT) -> Any:
        return self.submit(fn).result(timeout)

    def voices(self) -> list[Any]:
        return list(self.call(lambda engine: engine.getProperty("voices")) or [])

    def render(self, text: str, settings: RenderSettings) -> Future:
        """Audio for text, made on the engine thread; the future's result is (Audio, seconds it took)."""
        def timed(engine: Any) -> tuple[Audio, float]:
            t0 = time.perf_counter()
            return self._render(engine, text, settings), time.perf_counter() - t0

        return self.submit(timed)

    def _settle(self, engine: Any) -> None:
        """Wait until the driver and espeak-ng are done with the previous utterance.

        pyttsx3 reports an utterance finished while espeak-ng's thread may still be winding down; a new
        runAndWait then sees espeak "playing" and cancels, cutting the new utterance short.
        """
        deadline = time.monotonic() + 2.0
        while engine.isBusy() and time.monotonic() < deadline:
            time.sleep(0.001)
        if self.driver == "espeak":
            from pyttsx3.drivers import _espeak

            _espeak.Synchronize()

    def _apply(self, engine: Any, settings: RenderSettings) -> None:
        """Voice, rate and volume, set for every piece (3 ms; the engine may be shared by speakers).

        espeak-ng queues rate and volume changes for its own thread, and pyttsx3's runAndWait cancels
        whatever is still queued; so wait (espeak_Synchronize) until the changes are taken.
        """
        engine.setProperty("voice", settings.voice)
        engine.setProperty("rate", int(settings.rate))
        engine.setProperty("volume", max(0.0, min(1.0, float(settings.volume))))
        self._settle(engine)

    def _render(self, engine: Any, text: str, settings: RenderSettings) -> Audio:
        for attempt in range(3):  # an utterance the driver cancelled by itself is rendered again
            audio = self._render_once(engine, text, settings)
            if audio is not None:
                return audio
            log.debug("pyttsx3 cut an utterance short; rendering it again (attempt %d)", attempt + 2)
        raise SpeechUnavailable("语音合成被中断，没有生成完整的声音。")

    def _render_once(self, engine: Any, text: str, settings: RenderSettings) -> Audio | None:
        self._settle(engine)
        self._apply(engine, settings)
        name = f"kiosk-{next(self._names)}"
        path = os.path.join(self._tmp, name + ".wav")
        self._finished.clear()
        self._completed = True
        engine.save_to_file(text, path, name)
        engine.runAndWait()
        # espeak-ng renders on its own thread and may finish after runAndWait returns: the driver
        # writes the file, then reports the utterance finished. Other drivers finish inside runAndWait.
        finished = self._finished.wait(RENDER_TIMEOUT) if self.driver == "espeak" else True
        try:
            if not finished:
                raise SpeechUnavailable("语音合成没有在规定时间内完成。")
            if not self._completed:
                return None
            return Audio.from_wav(path)
        except (OSError, EOFError, ValueError) as exc:
            raise SpeechUnavailable(f"语音合成没有生成可用的声音（{exc}）。") from exc
        finally:
            if os.path.exists(path):
                os.unlink(path)


_engine: _Engine | None = None
_engine_lock = threading.Lock()


def shared_engine(driver: str | None = None) -> _Engine:
    """The process's engine, started on first use; raises SpeechUnavailable if pyttsx3 cannot start."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = _Engine(driver)
        engine = _engine
    if engine.error is not None:
        exc = engine.error
        if isinstance(exc, ImportError):
            raise SpeechUnavailable("没有安装语音合成组件 pyttsx3。") from exc
        raise SpeechUnavailable(f"语音合成引擎无法启动（{exc}），请检查是否安装了 espeak-ng。") from exc
    return engine


# --- speakers ------------------------------------------------------------------------------------

@dataclass
class SpeakerStats:
    """What a speaker did, for tests and benchmarks."""

    utterances: int = 0
    pieces_rendered: int = 0
    pieces_played: int = 0  # played to the end
    pieces_cut: int = 0  # stopped while playing
    render_seconds: float = 0.0
    audio_seconds: float = 0.0
    first_audio_seconds: list[float] = field(default_factory=list)  # say() → first piece rendered


class Pyttsx3Speaker:
    """Speaks on its own worker thread; ``say``/``stop`` return at once (see module docstring).

    A runtime failure (an utterance that cannot be rendered, or renders as silence) is logged once,
    counted in ``errors`` and shown as ``problem`` until an utterance succeeds again."""

    available = True

    @property
    def problem(self) -> str | None:
        return self.last_error if self._failing else None

    def __init__(self, engine: _Engine, voice: VoiceChoice, output: Any, rate: int = 160, elder_rate: int = 120,
                 volume: float = 1.0, piece_chars: int = MAX_PIECE) -> None:
        self.voice = voice
        self.output = output
        self.stats = SpeakerStats()
        self.last_text = ""
        self.last_error: str | None = None  # the latest runtime error, in Chinese
        self.last_error_at: float | None = None  # time.time() of it
        self.errors = 0  # runtime errors since start
        self.fallback_note: str | None = None  # why this is not the first-choice voice
        self._failing = False  # the latest utterance failed
        self._engine = engine
        self._rates = (int(rate), int(elder_rate))
        self._volume = float(volume)
        self._share = 1.0  # of _volume, as the resident asked (set_volume)
        self._elder = False
        self._piece_chars = piece_chars
        self._lock = threading.Lock()
        self._generation = 0
        self._speaking = False
        self._said_at = 0.0
        self._idle = threading.Event()
        self._idle.set()
        self._jobs: queue.SimpleQueue[tuple[int, str] | None] = queue.SimpleQueue()
        self._closed = False
        self._worker = threading.Thread(target=self._run, name="kiosk-speaker", daemon=True)
        self._worker.start()

    # the interface

    def say(self, text: str) -> None:
        """Stop whatever is being said and say text."""
        text = text if isinstance(text, str) else ""
        with self._lock:
            if self._closed:
                return
            self._generation += 1
            self.last_text = text
            self._said_at = time.perf_counter()
            self._speaking = True
            self._idle.clear()
            self._jobs.put((self._generation, text))

    def stop(self) -> None:
        """Silence now: the piece playing is cut within 50 ms, queued pieces and answers are dropped."""
        with self._lock:
            self._generation += 1
            self._speaking = False

    def replay(self) -> None:
        """Say the last answer again (the replay button)."""
        if self.last_text:
            self.say(self.last_text)

    def set_elder(self, on: bool) -> None:
        """Elder mode speaks slower (``speech.elder_rate``), from the next piece on."""
        self._elder = bool(on)

    def set_volume(self, share: float) -> None:
        """Speak at this share of ``speech.volume`` (声音小一点), from the next piece on."""
        self._share = max(0.0, min(1.0, float(share)))

    @property
    def is_speaking(self) -> bool:
        return self._speaking

    def wait(self, timeout: float | None = None) -> bool:
        """Block until nothing is being said or queued; False on timeout."""
        return self._idle.wait(timeout)

    def close(self, close_output: bool = True) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._generation += 1
            self._speaking = False
            self._jobs.put(None)
        self._worker.join(timeout=5)
        if close_output:
            self.output.close()

    # the worker

    def _settings(self) -> RenderSettings:
        return RenderSettings(self.voice.id, self._rates[1] if self._elder else self._rates[0],
                              self._volume * self._share)

    def _engine_text(self, piece: str) -> str:
        return to_pinyin(piece) if self.voice.text_form == "pinyin" else piece

    def try_out(self) -> Audio:
        """Render a greeting now (on the engine thread, waiting for it): proves the voice gives audio,
        and loads pypinyin's dictionaries and the voice before the first answer."""
        audio, _ = self._engine.render(self._engine_text("您好。"), self._settings()).result(RENDER_TIMEOUT + 5)
        _check_not_silent(audio, self.voice.id)
        return audio

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                break
            generation, text = job
            try:
                if generation == self._generation:
                    self._speak(generation, text)
                    self._failing = False
            except Exception as exc:  # never let the worker die: log, tell the screen, go on
                self.last_error = str(exc) if isinstance(exc, (SpeechUnavailable, AudioUnavailable)) \
                    else f"语音播报出错（{type(exc).__name__}: {exc}）。"
                self.last_error_at = time.time()
                self.errors += 1
                self._failing = True
                report_once(self.last_error, repr(exc), logging.ERROR)
            with self._lock:
                if generation == self._generation:
                    self._speaking = False
                if self._jobs.empty():
                    self._idle.set()

    def _speak(self, generation: int, text: str) -> None:
        def keep_going() -> bool:
            return self._generation == generation

        pieces = [t for t in (self._engine_text(p) for p in prepare(text, self._piece_chars)) if t.strip()]
        if not pieces:
            return
        self.stats.utterances += 1
        pending = self._engine.render(pieces[0], self._settings())
        for i in range(len(pieces)):
            audio, took = pending.result(RENDER_TIMEOUT + 5)
            _check_not_silent(audio, self.voice.id)
            self.stats.pieces_rendered += 1
            self.stats.render_seconds += took
            if i == 0:
                self.stats.first_audio_seconds.append(time.perf_counter() - self._said_at)
            if not keep_going():
                return
            if i + 1 < len(pieces):  # render the next piece while this one plays
                pending = self._engine.render(pieces[i + 1], self._settings())
            self.stats.audio_seconds += audio.seconds
            if not self.output.play(audio, keep_going):
                self.stats.pieces_cut += 1
                return
            self.stats.pieces_played += 1


class NullSpeaker(Unavailable):
    """Speech is off; ``problem`` says why (in Chinese). The kiosk keeps working with text on screen."""


def make_speaker(config: Any, output: Any = None) -> Pyttsx3Speaker | NullSpeaker:
    """The kiosk's speaker from the ``speech`` config; ``output`` defaults to the sound card.

    Never raises: anything missing gives a NullSpeaker with the reason, logged once.
    """
    try:
        return _make_speaker(config, output)
    except (SpeechUnavailable, AudioUnavailable) as exc:
        problem = str(exc)
        enabled = bool(config.get("speech.enabled", True))
        report_once(problem, repr(exc.__cause__ or ""), logging.WARNING if enabled else logging.INFO)
        return NullSpeaker(problem)
    except Exception as exc:  # a library failing in a way nobody foresaw must not stop the kiosk
        problem = f"语音播报无法启动（{type(exc).__name__}: {exc}），答案只显示在屏幕上。"
        report_once(problem, repr(exc), logging.ERROR)
        return NullSpeaker(problem)


def _make_speaker(config: Any, output: Any) -> Pyttsx3Speaker:
    if not config.get("speech.enabled", True):
        raise SpeechUnavailable("语音播报已在配置中关闭（speech.enabled）。")
    engine = shared_engine(config.get("speech.driver") or None)
    wanted = str(config.get("speech.voice") or "auto")
    voices = engine.voices()
    candidates = mandarin_voices(wanted, voices, engine.driver)
    voice = candidates[0] if candidates and choose_voice(wanted, voices, engine.driver) else None
    if voice is None:
        if wanted.lower() != "auto":
            raise SpeechUnavailable(f"没有找到配置的语音“{wanted}”（speech.voice），答案只显示在屏幕上。")
        need = f"espeak-ng 的 {ESPEAK_MANDARIN} 语音" if engine.driver == "espeak" else "系统的中文语音"
        raise SpeechUnavailable(f"没有找到普通话语音（需要{need}），答案只显示在屏幕上。")
    if output is None:
        output = SoundDeviceOutput(config.get("speech.device"))
    first_problem: SpeechUnavailable | None = None
    for choice in candidates:  # the chosen voice, then other Mandarin voices if it gives no sound
        speaker = Pyttsx3Speaker(
            engine, choice, output,
            rate=int(config.get("speech.rate", 160)),
            elder_rate=int(config.get("speech.elder_rate", 120)),
            volume=float(config.get("speech.volume", 1.0)),
            piece_chars=int(config.get("speech.piece_chars", MAX_PIECE)),
        )
        try:
            speaker.try_out()
        except SpeechUnavailable as exc:
            speaker.close(close_output=False)
            first_problem = first_problem or exc
            continue
        except Exception:
            speaker.close()
            raise
        if first_problem is not None:
            speaker.fallback_note = f"{first_problem} 改用语音“{choice.id}”。"
            report_once(speaker.fallback_note, level=logging.WARNING)
        where = getattr(output, "name", type(output).__name__)
        log.info("speech output: voice %s (%s) on %s", choice.id, choice.text_form, where)
        return speaker
    output.close()
    raise first_problem or SpeechUnavailable("没有能发出声音的普通话语音，答案只显示在屏幕上。")


def speech_status(speaker: Any) -> dict[str, Any]:
    """What the staff panel, the heartbeat and ``kiosk health`` show about speech output."""
    if speaker is None or callable(speaker) and not hasattr(speaker, "say"):
        return {"speech": "starting"}
    if not getattr(speaker, "available", False):
        return {"speech": "off", "speech_problem": getattr(speaker, "problem", None) or "语音播报不可用"}
    out: dict[str, Any] = {"speech": "error" if getattr(speaker, "problem", None) else "ok",
                           "speech_errors": int(getattr(speaker, "errors", 0))}
    voice = getattr(speaker, "voice", None)
    if voice is not None:
        out["speech_voice"] = voice.id
    if getattr(speaker, "last_error", None):
        out["speech_problem"] = speaker.last_error
        at = getattr(speaker, "last_error_at", None)
        if at:
            out["speech_problem_at"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))
    return out


def speech_line(speaker: Any) -> str:
    """One line for the staff panel: 语音播报：正常（语音 …） or what went wrong, and when."""
    return describe_speech(speech_status(speaker))


def describe_speech(st: dict[str, Any]) -> str:
    """A ``speech_status`` (from the speaker, or read back from the heartbeat) in one Chinese line."""
    if st.get("speech", "starting") == "starting":
        return "语音播报：正在启动"
    if st["speech"] == "off":
        return f"语音播报：不可用，{st['speech_problem']}"
    voice = f"语音 {st['speech_voice']}" if st.get("speech_voice") else ""
    if st.get("speech_problem"):
        state = "出错" if st["speech"] == "error" else "正常"
        return (f"语音播报：{state}（{voice}），共出错 {st['speech_errors']} 次，最近一次"
                f"{st.get('speech_problem_at', '')}：{st['speech_problem']}")
    return f"语音播报：正常（{voice}）"


def check_voice(config: Any) -> tuple[bool, str]:
    """Can this machine speak? Renders a test utterance (no sound card needed) and rejects silence."""
    from .playback import ClockOutput

    class _Discard(ClockOutput):
        def play(self, audio: Audio, keep_going: Callable[[], bool]) -> bool:
            return True

    speaker = make_speaker(config, output=_Discard())
    try:
        if not speaker.available:
            return False, str(speaker.problem)
        return True, f"语音 {speaker.voice.id} 能正常发声"
    finally:
        speaker.close()
