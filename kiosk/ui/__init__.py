"""Everything Kivy: the kiosk's touch screen. Only this package imports Kivy.

Importing this package does not import Kivy; :func:`prepare_kivy` must run first (it sets the
window size, full screen and the environment Kivy reads once), then :func:`make_root`.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("kiosk.ui")


def profile_of(services: Any, name: str | None = None):
    from .profiles import PROFILES

    name = name or str(services.config.get("ui.profile", "portrait"))
    if name not in PROFILES:
        raise ValueError(f"未知的设备类型 {name}（可选：{'、'.join(PROFILES)}）")
    return PROFILES[name]


def prepare_kivy(size: tuple[int, int], *, fullscreen: bool, headless: bool = False,
                 kivy_home: str | Path | None = None) -> None:
    from . import boot

    boot.prepare(size, fullscreen=fullscreen, headless=headless, kivy_home=kivy_home)
    boot.register_font()
    boot.load_kv()


def make_root(services: Any, profile_name: str, *, on_staff_exit=None, now=None):
    """A KioskRoot for a profile, with a fresh controller (the theme is switched to the profile)."""
    from .controller import Controller
    from .root import KioskRoot
    from .theme import THEME

    THEME.elder = False
    THEME.profile_name = profile_name
    controller = Controller(services)
    kw = {"now": now} if now is not None else {}
    return KioskRoot(controller, on_staff_exit=on_staff_exit, **kw)


class StopOnSignal:
    """SIGTERM (systemctl stop) and SIGINT (Ctrl+C) end the kiosk the way the staff exit does: the app
    stops on its own thread at the next frame, then the caller closes speech, microphone and logs.

    SDL would otherwise turn both signals into a window-close request, which the locked full-screen
    kiosk refuses (and the windowed one may miss): its handlers are switched off before Kivy starts."""

    SIGNALS = ("SIGTERM", "SIGINT")

    def __init__(self) -> None:
        import os
        import signal

        os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"
        self.received: str | None = None
        self.app = None
        self._previous = {}
        for name in self.SIGNALS:
            num = getattr(signal, name)
            self._previous[num] = signal.signal(num, self._on_signal)

    def attach(self, app) -> None:
        self.app = app
        if self.received:  # arrived while the guides were loading: stop as soon as the loop runs
            self._stop_app()

    def _on_signal(self, signum, _frame) -> None:
        import signal

        first = self.received is None
        self.received = signal.Signals(signum).name
        # nothing is logged here: the handler runs between two bytecodes of the main thread, which may be
        # inside a log call itself (a speech warning at start-up), and the nested write was lost
        if first and self.app is not None:
            self._stop_app()

    def _stop_app(self) -> None:
        from kivy.clock import Clock

        def leave(_dt) -> None:
            log.info("%s received: stopping", self.received)
            self.app.leave()

        Clock.schedule_once(leave, 0)

    def restore(self) -> None:
        import signal

        for num, handler in self._previous.items():
            signal.signal(num, handler)


_stopper: StopOnSignal | None = None


def stop_on_signals() -> StopOnSignal:
    """Take SIGTERM and SIGINT from now on (call it first thing in `kiosk run`, so a signal that arrives
    while the guides load is not lost); :func:`run_kiosk` uses the same handler."""
    global _stopper
    if _stopper is None:
        _stopper = StopOnSignal()
    return _stopper


def run_kiosk(services: Any, *, windowed: bool = False, profile: str | None = None) -> int:
    global _stopper
    stopper = stop_on_signals()
    try:
        if stopper.received:
            log.info("%s received before the window opened: not starting", stopper.received)
            return 0
        prof = profile_of(services, profile)
        fullscreen = bool(services.config.get("ui.fullscreen", True)) and not windowed
        kivy_home = services.config.path("ui.kivy_home")
        prepare_kivy(prof.size, fullscreen=fullscreen, kivy_home=kivy_home)
        from .app import KioskApp

        app = KioskApp(services, prof.name, locked=fullscreen)
        stopper.attach(app)
        app.run()
        log.info("kiosk window closed%s", f" ({stopper.received})" if stopper.received else "")
        return 0
    finally:
        stopper.restore()
        _stopper = None
