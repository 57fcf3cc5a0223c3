"""Wiring: config + knowledge base + matcher + dialogue + speech, handed to the Kivy UI.

No Kivy at import time: ``kiosk.ui`` is imported only by :func:`run` and by the shots/bench code.
Speech components are parameters (objects or factories). By default they come from
``kiosk.speech.tts.make_speaker`` and ``kiosk.speech.vosk_input.make_recognizer``; when those cannot
be imported or fail, an :class:`Unavailable` stands in and its ``problem`` says why voice is off.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from .config import Config
from .dialogue import Dialogue
from .knowledge import KnowledgeBase, load_directory
from .cli.common import matcher_settings
from .matching import Matcher
from .search import InitialsIndex

log = logging.getLogger("kiosk.app")

NO_RECOGNIZER = "语音识别暂时不能使用，请点屏幕查找。"
NO_SPEAKER = "语音播报暂时不能使用，请看屏幕上的文字。"


class Unavailable:
    """Stands in for a speaker or recogniser that cannot work here; says why, does nothing."""

    available = False

    def __init__(self, problem: str) -> None:
        self.problem = problem

    def say(self, text: str) -> None:
        pass

    def stop(self) -> None:
        pass

    def start(self, on_partial, on_final, on_error) -> None:
        on_error(self.problem)

    def cancel(self) -> None:
        pass

    @property
    def is_speaking(self) -> bool:
        return False

    @property
    def is_listening(self) -> bool:
        return False

    def close(self) -> None:
        pass


def default_speaker(config: Config) -> Any:
    try:
        from .speech.tts import make_speaker  # type: ignore[import-not-found]
    except ImportError as exc:
        log.warning("no speech output: %s", exc)
        return Unavailable(NO_SPEAKER)
    try:
        return make_speaker(config)
    except Exception:  # a broken speech engine must never stop the kiosk
        log.exception("speech output failed to start")
        return Unavailable(NO_SPEAKER)


def default_recognizer(config: Config, kb: KnowledgeBase | None = None, matcher: Matcher | None = None) -> Any:
    try:
        from .speech.vosk_input import make_recognizer
    except ImportError as exc:
        log.warning("no speech recognition: %s", exc)
        return Unavailable(NO_RECOGNIZER)
    try:
        return make_recognizer(config, kb=kb, matcher=matcher)
    except Exception:  # make_recognizer should never raise; a bug in it must not stop the kiosk
        log.exception("speech recognition failed to start")
        return Unavailable(NO_RECOGNIZER)


def speak(speaker: Any, text: str, slow: bool) -> None:
    """Say text; slow (elder mode) sets the speaker's elder rate first when it has one."""
    set_elder = getattr(speaker, "set_elder", None)
    if callable(set_elder):
        set_elder(slow)
    speaker.say(text)


def _speech_status(speaker: Any) -> dict:
    """Speech output's state for the heartbeat (kiosk health shows it)."""
    try:
        from .speech.tts import speech_status
    except ImportError:
        return {}
    return speech_status(None if _is_factory(speaker, "say") else speaker)


def _is_factory(part: Any, method: str) -> bool:
    """None (use the default), a class, or a function that makes the component."""
    return part is None or isinstance(part, type) or (callable(part) and not hasattr(part, method))


@dataclass
class Services:
    """Everything the UI talks to. Speech fields may hold objects or zero-argument factories."""

    config: Config
    kb: KnowledgeBase
    matcher: Matcher
    speaker: Any = None
    recognizer: Any = None
    clock: Callable[[], float] = time.monotonic
    ops: Any = None  # kiosk.staff.operations.Operations in the running kiosk: reload, question log, heartbeat
    index: InitialsIndex = field(init=False)

    def __post_init__(self) -> None:
        self.index = InitialsIndex(self.kb.guides, order=self.popular_ids())

    def use_knowledge(self, kb: KnowledgeBase, matcher: Matcher) -> None:
        """A reloaded knowledge base is now in service (the dialogue got it from Operations.tick)."""
        self.kb, self.matcher = kb, matcher
        self.index = InitialsIndex(kb.guides, order=self.popular_ids())

    def popular_ids(self) -> list[str]:
        return [str(i) for i in (self.config.get("ui.popular") or [])]

    def popular(self) -> list:
        return [g for g in (self.kb.get(i) for i in self.popular_ids()) if g is not None]

    def dialogue(self) -> Dialogue:
        return Dialogue(self.kb, self.matcher, float(self.config.get("dialogue.idle_seconds", 60)))

    def speech_ready(self) -> bool:
        """Both speech parts are components already (no factory left to run)."""
        return not (_is_factory(self.speaker, "say") or _is_factory(self.recognizer, "start"))

    def ensure_speech(self) -> None:
        """Turn factories into components (the UI runs this off its thread: model loading is slow)."""
        if self.speaker is None:
            self.speaker = default_speaker(self.config)
        elif _is_factory(self.speaker, "say"):
            self.speaker = self.speaker()
        if self.recognizer is None:
            self.recognizer = default_recognizer(self.config, self.kb, self.matcher)
        elif _is_factory(self.recognizer, "start"):
            self.recognizer = self.recognizer()

    def close(self) -> None:
        if self.ops is not None:
            self.ops.stop()
        for part in (self.speaker, self.recognizer):
            close = getattr(part, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:
                    log.exception("closing %r", part)


def build_services(config: Config, guides_dir: str | None = None, *, speaker: Any = None, recognizer: Any = None,
                   clock: Callable[[], float] = time.monotonic, operations: bool = False) -> Services:
    """Load the guides and build the matcher. With operations, the running kiosk's staff side comes too:
    the guide folder is watched and reloaded, questions are logged (scrubbed) and a heartbeat is written."""
    directory = guides_dir or str(config.path("guides_dir"))
    if operations:
        from .staff.health import Heartbeat
        from .staff.operations import Operations
        from .staff.qlog import QuestionLog
        from .staff.reload import KnowledgeReloader

        reloader = KnowledgeReloader(directory, config.centre, settings=matcher_settings(config),
                                     settle_seconds=float(config.get("reload.settle_seconds", 2)),
                                     interval=float(config.get("reload.interval_seconds", 5)))
        ops = Operations(reloader, QuestionLog.from_config(config), Heartbeat.from_config(config))
        for line in ops.staff_lines()[:1]:
            log.info("%s", line)
        k = ops.knowledge
        services = Services(config, k.kb, k.matcher, speaker=speaker, recognizer=recognizer, clock=clock, ops=ops)
        ops.extra_status = lambda: _speech_status(services.speaker)
        return services
    kb, problems = load_directory(directory, config.centre)
    errors = [p for p in problems if p.is_error]
    if errors:
        log.warning("%d guide problems; those guides are left out (kiosk validate lists them)", len(errors))
    matcher = Matcher.for_knowledge(kb, matcher_settings(config))
    return Services(config, kb, matcher, speaker=speaker, recognizer=recognizer, clock=clock)


def run(config: Config, *, guides_dir: str | None = None, windowed: bool = False, profile: str | None = None,
        speaker: Any = None, recognizer: Any = None) -> int:
    """Start the kiosk window and block until staff exit."""
    from .ui import run_kiosk

    services = build_services(config, guides_dir, speaker=speaker, recognizer=recognizer, operations=True)
    try:
        return run_kiosk(services, windowed=windowed, profile=profile)
    finally:
        services.close()
