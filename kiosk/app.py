"""Wiring: config + knowledge base + matcher + speech + staff side, handed to an edge — the Kivy UI
(``kiosk run``) or the local API (``kiosk serve``). Both run sessions of :mod:`kiosk.session`.

This is the only module that imports the edges, and only inside :func:`run` and :func:`serve`; the
edges (``kiosk.ui``, ``kiosk.server``) never import it back. Speech components are parameters (objects
or factories). By default they come from ``kiosk.speech.tts.make_speaker`` and
``kiosk.speech.vosk_input.make_recognizer``; when those cannot be imported or fail, an
:class:`Unavailable` stands in and its ``problem`` says why voice is off.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Callable

from .config import Config
from .knowledge import KnowledgeBase, load_directory
from .matching import Matcher, Settings
from .session import NO_RECOGNIZER, NO_SPEAKER, Services, Unavailable, _is_factory, speak  # noqa: F401  (re-exported)

log = logging.getLogger("kiosk.app")


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


def _speech_status(speaker: Any) -> dict:
    """Speech output's state for the heartbeat (kiosk health shows it)."""
    try:
        from .speech.tts import speech_status
    except ImportError:
        return {}
    return speech_status(None if _is_factory(speaker, "say") else speaker)


def build_services(config: Config, guides_dir: str | None = None, *, speaker: Any = None, recognizer: Any = None,
                   clock: Callable[[], float] = time.monotonic, operations: bool = False) -> Services:
    """Load the guides and build the matcher. With operations, the running kiosk's staff side comes too:
    the guide folder is watched and reloaded, questions are logged (scrubbed) and a heartbeat is written.
    speaker/recognizer None: the kiosk's own (made on first use, see Services.ensure_speech)."""
    directory = guides_dir or str(config.path("guides_dir"))
    if operations:
        from .staff.health import Heartbeat
        from .staff.operations import Operations
        from .staff.qlog import QuestionLog
        from .staff.reload import KnowledgeReloader

        reloader = KnowledgeReloader(directory, config.centre, settings=Settings.from_config(config),
                                     settle_seconds=float(config.get("reload.settle_seconds", 2)),
                                     interval=float(config.get("reload.interval_seconds", 5)))
        ops = Operations(reloader, QuestionLog.from_config(config), Heartbeat.from_config(config))
        for line in ops.staff_lines()[:1]:
            log.info("%s", line)
        k = ops.knowledge
        services = Services(config, k.kb, k.matcher, speaker=speaker, recognizer=recognizer, clock=clock, ops=ops)
        ops.extra_status = lambda: _speech_status(services.speaker)
    else:
        kb, problems = load_directory(directory, config.centre)
        errors = [p for p in problems if p.is_error]
        if errors:
            log.warning("%d guide problems; those guides are left out (kiosk validate lists them)", len(errors))
        matcher = Matcher.for_knowledge(kb, Settings.from_config(config))
        services = Services(config, kb, matcher, speaker=speaker, recognizer=recognizer, clock=clock,
                            problems=tuple(problems))
    if speaker is None:
        services.speaker = lambda: default_speaker(config)
    if recognizer is None:
        services.recognizer = lambda: default_recognizer(config, services.kb, services.matcher)
    return services


def run(config: Config, *, guides_dir: str | None = None, windowed: bool = False, profile: str | None = None,
        speaker: Any = None, recognizer: Any = None) -> int:
    """Start the kiosk window and block until staff exit."""
    from .ui import run_kiosk

    services = build_services(config, guides_dir, speaker=speaker, recognizer=recognizer, operations=True)
    try:
        return run_kiosk(services, windowed=windowed, profile=profile)
    finally:
        services.close()


def server_parts(config: Config, services: Services, guides_dir: str | None = None) -> dict:
    """What the local API needs besides the services: speech for clients, and the health check (of the
    guide folder actually served)."""
    from .speech.stream import StreamListener, WavSpeech
    from .staff.health import check

    checked = config.with_overrides({"guides_dir": str(Path(guides_dir).resolve())}) if guides_dir else config
    return {"speech": WavSpeech(config), "listener": StreamListener(config, lambda: services.knowledge),
            "health": lambda: check(checked, heartbeat=services.ops is not None)}


def make_server_app(config: Config, services: Services, guides_dir: str | None = None, **options: Any):
    """The ASGI app of ``kiosk serve`` on these services (tests and the bench call this too)."""
    from .server import create_app

    return create_app(services, **server_parts(config, services, guides_dir), **options)


def serve(config: Config, *, host: str = "127.0.0.1", port: int = 8765, guides_dir: str | None = None,
          token: str | None = None, on_ready: Callable[[int], None] | None = None) -> int:
    """Run the local API until interrupted (Ctrl+C, SIGTERM)."""
    from .server import run_server

    services = build_services(config, guides_dir, speaker=Unavailable(NO_SPEAKER),
                              recognizer=Unavailable(NO_RECOGNIZER), operations=True)
    try:
        app = make_server_app(config, services, guides_dir, token=token, host=host)
        return run_server(app, host, port, on_ready=on_ready)
    finally:
        services.close()
