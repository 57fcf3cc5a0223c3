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
        self._speaking = False
        self.closed = False

    def say(self, text: str) -> None:
        self.said.append(text)
        self._speaking = True

    def stop(self) -> None:
        self.stops += 1
        self._speaking = False

    def replay(self) -> None:
        if self.said:
            self.say(self.said[-1])

    def set_elder(self, on: bool) -> None:
        self.elder = on

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
            elif self.final is not None:
                on_final(self.final)

        if self.threaded:
            threading.Thread(target=play, daemon=True).start()
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
