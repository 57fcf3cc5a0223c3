"""Speech at the edge: small interfaces the rest of the kiosk talks to.

Real implementations (pyttsx3 output, Vosk input) live in submodules and import their libraries
lazily; ``tests/fakes.py`` has fakes with the same shape. Callbacks from a recogniser run on its
worker thread: the UI must hand them to its own thread (Kivy: ``Clock.schedule_once``).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Callable, Protocol, runtime_checkable


@dataclass(frozen=True)
class Transcript:
    """What the recogniser heard: the best text and its alternatives (best first, text included)."""

    text: str
    alternatives: tuple[str, ...] = field(default_factory=tuple)


@runtime_checkable
class Speaker(Protocol):
    """Speech output. ``say`` returns at once; speech runs on the speaker's own worker thread."""

    available: bool
    problem: str | None  # why speech is off, in Chinese, for the screen and the log

    def say(self, text: str) -> None:
        """Stop whatever is being said and say text."""

    def stop(self) -> None:
        """Stop speaking now (within one sentence at worst) and drop anything queued."""

    def replay(self) -> None:
        """Say the last text again (the replay button); nothing if nothing was said yet."""

    def set_elder(self, on: bool) -> None:
        """Elder mode: speak slower from the next sentence on."""

    def set_volume(self, share: float) -> None:
        """Speak at this share (0-1) of the configured volume from the next sentence on."""

    @property
    def is_speaking(self) -> bool: ...

    def close(self) -> None: ...


OnPartial = Callable[[str], None]
OnFinal = Callable[[Transcript], None]
OnError = Callable[[str], None]


@runtime_checkable
class Recognizer(Protocol):
    """Speech input. ``start`` returns at once; results arrive through the callbacks."""

    available: bool
    problem: str | None

    def start(self, on_partial: OnPartial, on_final: OnFinal, on_error: OnError) -> None:
        """Listen for one utterance (push-to-talk) or continuously (robot mode)."""

    def cancel(self) -> None:
        """Stop listening now; no final result is delivered."""

    @property
    def is_listening(self) -> bool: ...

    def close(self) -> None: ...


class Unavailable:
    """Speech output or input that cannot work here (or is switched off): says why, does nothing.

    One null object for both protocols, so a missing speaker and a missing microphone behave alike:
    ``problem`` is the Chinese reason for the screen; ``start`` reports it through ``on_error``."""

    available = False

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.last_error: str | None = problem
        self.last_text = ""

    # Speaker
    def say(self, text: str) -> None:
        self.last_text = text

    def stop(self) -> None:
        pass

    def replay(self) -> None:
        pass

    def set_elder(self, on: bool) -> None:
        pass

    def set_volume(self, share: float) -> None:
        pass

    @property
    def is_speaking(self) -> bool:
        return False

    def wait(self, timeout: float | None = None) -> bool:
        return True

    # Recognizer
    def start(self, on_partial: OnPartial, on_final: OnFinal, on_error: OnError) -> None:
        on_error(self.problem)

    def cancel(self) -> None:
        pass

    @property
    def is_listening(self) -> bool:
        return False

    def close(self) -> None:
        pass


_reported: set[str] = set()
_reported_lock = threading.Lock()


def report_once(message: str, detail: str = "", level: int = logging.WARNING,
                logger: logging.Logger | None = None) -> None:
    """Log a speech problem (no microphone, no voice...) the first time it happens in this process."""
    with _reported_lock:
        if message in _reported:
            return
        _reported.add(message)
    (logger or logging.getLogger("kiosk.speech")).log(level, "%s%s", message, f" ({detail})" if detail else "")
