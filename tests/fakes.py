"""Fakes for the speech edge, with the same shape as the real components."""
from __future__ import annotations

import threading
from typing import Sequence

from kiosk.speech import Transcript


class FakeSpeaker:
    available = True
    problem = None

    def __init__(self) -> None:
        self.said: list[str] = []
        self.stops = 0
        self.elder = False
        self.volume = 1.0
        self.elder_calls: list[bool] = []
        self._speaking = False
        self.closed = False
        self.calls: list[tuple] = []  # every call in order: ("say", text), ("set_elder", on), ("stop",)

    def say(self, text: str) -> None:
        self.calls.append(("say", text))
        self.said.append(text)
        self._speaking = True

    def stop(self) -> None:
        self.calls.append(("stop",))
        self.stops += 1
        self._speaking = False

    def replay(self) -> None:
        if self.said:
            self.say(self.said[-1])

    def set_volume(self, share: float) -> None:
        self.calls.append(("set_volume", share))
        self.volume = share

    def set_elder(self, on: bool) -> None:
        self.calls.append(("set_elder", on))
        self.elder = on
        self.elder_calls.append(on)

    def finish(self) -> None:
        """Pretend the current utterance ended."""
        self._speaking = False

    @property
    def is_speaking(self) -> bool:
        return self._speaking

    def close(self) -> None:
        self.closed = True


class FakeRecognizer:
    """Replays scripted partials and a final transcript, synchronously or on a thread."""

    available = True
    problem = None

    def __init__(self, partials: Sequence[str] = (), final: Transcript | None = None, error: str | None = None,
                 threaded: bool = False) -> None:
        self.partials = list(partials)
        self.final = final
        self.error = error
        self.threaded = threaded
        self.started = 0
        self.cancelled = 0
        self._listening = False
        self.closed = False

    def start(self, on_partial, on_final, on_error) -> None:
        if self._listening:  # as the real recogniser: a second start while listening is ignored
            return
        self.started += 1
        self._listening = True

        def play() -> None:
            for p in self.partials:
                if not self._listening:
                    return
                on_partial(p)
            if not self._listening:
                return
            self._listening = False
            if self.error:
                on_error(self.error)
            else:  # as the real recogniser: every session ends with one result, empty when nothing was heard
                on_final(self.final if self.final is not None else Transcript(""))

        if self.threaded:
            threading.Thread(target=play, name="fake-recognizer", daemon=True).start()
        else:
            play()

    def cancel(self) -> None:
        self.cancelled += 1
        self._listening = False

    @property
    def is_listening(self) -> bool:
        return self._listening

    def close(self) -> None:
        self.closed = True


class SilentRecognizer(FakeRecognizer):
    """Starts listening and waits for speech that never comes."""

    def start(self, on_partial, on_final, on_error) -> None:
        self.started += 1
        self._listening = True


def kb_with_twins(kb):
    """The real guides plus two that share a name (双胞补助), so a question can need a choice."""
    import dataclasses

    from kiosk.knowledge.model import KnowledgeBase

    base = kb.get("assistance-01")
    twins = (dataclasses.replace(base, id="twin-01", title="困难家庭临时补助申请", aliases=("双胞补助",), questions=()),
             dataclasses.replace(base, id="twin-02", title="困难家庭临时补助证明开具", aliases=("双胞补助",), questions=()))
    return KnowledgeBase(kb.guides + twins, kb.categories, kb.centre)


class FakeMicrophone:
    """An audio source shaped like SoundDeviceSource that replays a recording in real time.

    After the recording it goes on giving silence like a quiet room (``tail_seconds=None``) or stops.
    ``unplug_after`` chunks makes it fail mid-sentence the way a pulled USB microphone does;
    ``fail_on_start`` makes opening it fail like a missing device.
    """

    def __init__(self, pcm: bytes, tail_seconds: float | None = None, realtime: bool = True,
                 unplug_after: int | None = None, fail_on_start: bool = False, loop: bool = False) -> None:
        from kiosk.speech.vosk_input import ReplaySource

        self._replay = ReplaySource(pcm * (50 if loop else 1), realtime=realtime, tail_seconds=tail_seconds)
        self.unplug_after = unplug_after
        self.fail_on_start = fail_on_start
        self.started = 0
        self.stopped = 0
        self.reads = 0
        self.threads: set[str] = set()

    @property
    def chunks_read(self) -> int:
        return self._replay.chunks_read

    @property
    def speech_chunks(self) -> int:
        """How many chunks the recording itself is."""
        r = self._replay
        return -(-len(r.pcm) // r.chunk_bytes)

    def start(self) -> None:
        from kiosk.speech.vosk_input import AudioDeviceError

        self.started += 1
        if self.fail_on_start:
            raise AudioDeviceError("没有找到话筒")
        self._replay.start()

    def read(self, timeout: float):
        from kiosk.speech.vosk_input import AudioDeviceError

        self.threads.add(threading.current_thread().name)
        self.reads += 1
        if self.unplug_after is not None and self._replay.chunks_read >= self.unplug_after:
            raise AudioDeviceError("话筒断开了")
        return self._replay.read(timeout)

    def stop(self) -> None:
        self.stopped += 1


class ManualScheduler:
    """The session's scheduler in tests: calls run only when the test says so, in time order.

    ``call_later`` may be called from any thread (as recogniser callbacks do); ``run_due`` runs, on the
    test's thread, everything due by the scheduler's own clock (which ``advance`` moves)."""

    class Handle:
        def __init__(self) -> None:
            self.cancelled = False

        def cancel(self) -> None:
            self.cancelled = True

    def __init__(self) -> None:
        self.now = 0.0
        self._calls: list = []
        self._seq = 0
        self._lock = threading.Lock()
        self.threads: set[str] = set()

    def call_later(self, seconds: float, fn):
        handle = self.Handle()
        with self._lock:
            self._seq += 1
            self._calls.append((self.now + seconds, self._seq, fn, handle))
        return handle

    def run_due(self, limit: int = 10_000) -> int:
        """Run everything due now (including calls made by those calls); returns how many ran."""
        ran = 0
        while ran < limit:
            with self._lock:
                due = sorted(c for c in self._calls if c[0] <= self.now and not c[3].cancelled)
                if not due:
                    self._calls = [c for c in self._calls if not c[3].cancelled]
                    return ran
                call = due[0]
                self._calls.remove(call)
            self.threads.add(threading.current_thread().name)
            call[2]()
            ran += 1
        raise AssertionError("scheduler keeps calling itself")

    def advance(self, seconds: float) -> None:
        """Move time on, running each call when it comes due (and what those calls schedule)."""
        end = self.now + seconds
        self.run_due()
        while True:
            with self._lock:
                times = [c[0] for c in self._calls if not c[3].cancelled and c[0] <= end]
            if not times:
                break
            self.now = max(self.now, min(times))
            self.run_due()
        self.now = end

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        """Run due calls until predicate() holds (worker threads may still be handing things over)."""
        import time

        stop = time.monotonic() + timeout
        while time.monotonic() < stop:
            self.run_due()
            if predicate():
                return True
            time.sleep(0.005)
        self.run_due()
        return predicate()

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(not c[3].cancelled for c in self._calls)


class RecordingView:
    """A session's view that writes down what it was asked to do."""

    def __init__(self) -> None:
        self.shown: list = []
        self.resets = 0
        self.rebuilds = 0
        self.states: list[str] = []
        self.heard: list[str] = []

    def show(self, action) -> None:
        self.shown.append(action)

    def reset(self) -> None:
        self.resets += 1

    def rebuild(self) -> None:
        self.rebuilds += 1

    def status(self, session) -> None:
        if not self.states or self.states[-1] != session.mic_state:
            self.states.append(session.mic_state)
        if session.heard and (not self.heard or self.heard[-1] != session.heard):
            self.heard.append(session.heard)


def own_threads(before: set, timeout: float = 30.0, prefixes: tuple[str, ...] = ("kiosk-", "fake-")) -> list[str]:
    """Names of the kiosk's and the fakes' threads started since `before` (a set of threading.enumerate())
    that are still alive after waiting up to timeout seconds for them to end; [] when all ended.

    Only threads named by the component count, so threads of pytest, Kivy or other tests cannot make this
    pass or fail."""
    import time

    end = time.monotonic() + timeout
    while True:
        alive = [t for t in threading.enumerate() if t not in before and t.name.startswith(prefixes)]
        if not alive or time.monotonic() > end:
            return [t.name for t in alive]
        alive[0].join(0.05)
