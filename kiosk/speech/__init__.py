"""Speech at the edge: small interfaces the rest of the kiosk talks to.

Real implementations (pyttsx3 output, Vosk input) live in submodules and import their libraries
lazily; ``tests/fakes.py`` has fakes with the same shape. Callbacks from a recogniser run on its
worker thread: the UI must hand them to its own thread (Kivy: ``Clock.schedule_once``).
"""
from __future__ import annotations

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
