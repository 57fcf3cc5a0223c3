"""Speech for clients that bring their own microphone and loudspeaker (robots, web terminals).

* :class:`StreamSource` is an :class:`~kiosk.speech.vosk_input.AudioSource` fed from outside (a WebSocket):
  the kiosk's own :class:`~kiosk.speech.vosk_input.VoskRecognizer` reads it with the same engine, grammar
  and end-pointing as the microphone.
* :class:`StreamListener` loads the model once and makes one recogniser per stream; the guide grammar
  follows the knowledge base in service.
* :class:`WavSpeech` renders text with the kiosk's Mandarin voice into WAV bytes.

vosk and pyttsx3 are imported only when first used.
"""
from __future__ import annotations

import io
import queue
import threading
import wave
from dataclasses import replace
from typing import Any, Callable

from .audio import RATE

#: Streamed audio is buffered up to this many seconds; beyond that the client is sending faster than
#: real time allows for and the stream is refused.
MAX_BUFFER_SECONDS = 30.0


class StreamOverflow(Exception):
    pass


class StreamSource:
    """16 kHz mono int16 PCM pushed in by another thread; ``end()`` finishes the stream."""

    def __init__(self, max_seconds: float = MAX_BUFFER_SECONDS) -> None:
        self._q: queue.Queue[bytes | None] = queue.Queue()
        self._max_bytes = int(max_seconds * RATE * 2)
        self._buffered = 0
        self._lock = threading.Lock()
        self._ended = False
        self._odd = b""

    def push(self, pcm: bytes) -> None:
        with self._lock:
            if self._ended:
                return
            pcm = self._odd + pcm
            cut = len(pcm) - len(pcm) % 2  # whole samples only
            pcm, self._odd = pcm[:cut], pcm[cut:]
            if self._buffered + len(pcm) > self._max_bytes:
                raise StreamOverflow("too much audio buffered")
            self._buffered += len(pcm)
        if pcm:
            self._q.put(pcm)

    def end(self) -> None:
        with self._lock:
            if self._ended:
                return
            self._ended = True
        self._q.put(None)

    # AudioSource
    def start(self) -> None:
        pass

    def read(self, timeout: float) -> bytes | None:
        try:
            chunk = self._q.get(timeout=timeout)
        except queue.Empty:
            return b""
        if chunk is None:
            self._q.put(None)  # stays ended for later reads
            return None
        with self._lock:
            self._buffered -= len(chunk)
        return chunk

    def stop(self) -> None:
        self.end()


class StreamListener:
    """Recognisers for streamed audio sharing one loaded model; ``problem`` says why there are none."""

    def __init__(self, config: Any, knowledge: Callable[[], Any]) -> None:
        self.config = config
        self.knowledge = knowledge  # () -> the Knowledge in service (kb, matcher)
        self.problem: str | None = None
        self._model = None
        self._engine: tuple[int, Any] | None = None
        self._lock = threading.Lock()

    def _load(self):
        from .models import ModelError, model_problem
        from .vosk_input import load_model

        if self._model is None and self.problem is None:
            if not self.config.get("recognition.enabled", True):
                self.problem = "语音识别已在配置中关闭。"
                return None
            path = self.config.path("recognition.model")
            self.problem = model_problem(path)
            if self.problem is None:
                try:
                    self._model = load_model(path)
                except (ModelError, ImportError, OSError) as exc:
                    self.problem = str(exc) or "语音识别模型无法加载"
        return self._model

    def engine(self):
        """The engine for the guides in service (the grammar is rebuilt after a reload); None if off."""
        from .hypotheses import match_score
        from .vosk_input import VoskEngine

        with self._lock:
            model = self._load()
            if model is None:
                return None
            k = self.knowledge()
            if self._engine is None or self._engine[0] != id(k):
                path = self.config.path("recognition.model")
                grammar_json = None
                if self.config.get("recognition.grammar", True):
                    from .grammar import guide_grammar, vocabulary

                    grammar_json = guide_grammar(k.kb, vocabulary(path)).vosk_json()
                engine = VoskEngine(model, path, grammar_json, int(self.config.get("recognition.alternatives", 5)),
                                    match_score(k.matcher))
                self._engine = (id(k), engine)
            return self._engine[1]

    def recognizer(self, source: StreamSource):
        """A recogniser reading source: one utterance after another (continuous), the kiosk's end-pointing."""
        from .vosk_input import CONTINUOUS, ListenSettings, VoskRecognizer

        engine = self.engine()
        if engine is None:
            return None
        settings = replace(ListenSettings.from_config(self.config), mode=CONTINUOUS)
        return VoskRecognizer(engine, lambda: source, settings)


class BufferOutput:
    """A speaker output that keeps the audio (the ``play`` interface of kiosk.speech.playback)."""

    def __init__(self) -> None:
        self.pieces: list = []
        self.name = "buffer"

    def play(self, audio, keep_going) -> bool:
        if not keep_going():
            return False
        self.pieces.append(audio)
        return True

    def close(self) -> None:
        pass


class WavSpeech:
    """Text → WAV bytes with the kiosk's voice, text preparation and rates; one text at a time."""

    def __init__(self, config: Any, timeout: float = 60.0) -> None:
        self.config = config
        self.timeout = timeout
        self._speaker = None
        self._output = BufferOutput()
        self._lock = threading.Lock()
        self.problem: str | None = None

    def _ensure(self):
        if self._speaker is None and self.problem is None:
            from .tts import make_speaker

            speaker = make_speaker(self.config, output=self._output)
            if not speaker.available:
                self.problem = speaker.problem
            else:
                self._speaker = speaker
        return self._speaker

    def wav(self, text: str, elder: bool = False) -> bytes | None:
        """The WAV, or None when speech is off (``problem`` says why) or rendering failed."""
        with self._lock:
            speaker = self._ensure()
            if speaker is None:
                return None
            self._output.pieces = []
            speaker.set_elder(elder)
            speaker.say(text)
            if not speaker.wait(self.timeout):
                speaker.stop()
                return None
            pieces, self._output.pieces = self._output.pieces, []
        buf = io.BytesIO()
        rate = pieces[0].rate if pieces else 22050
        with wave.open(buf, "wb") as w:
            w.setnchannels(pieces[0].channels if pieces else 1)
            w.setsampwidth(2)
            w.setframerate(rate)
            for p in pieces:
                w.writeframes(p.pcm)
        return buf.getvalue()

    def close(self) -> None:
        if self._speaker is not None:
            self._speaker.close()
