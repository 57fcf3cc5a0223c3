"""The Kivy App: builds the root, starts the controller after the first frame, locks the window."""
from __future__ import annotations

import logging
import time

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window

from . import make_root

log = logging.getLogger("kiosk.ui.app")


class KioskApp(App):
    title = "社区事务办事指南"
    use_kivy_settings = False

    def __init__(self, services, profile_name: str, locked: bool = True, **kw):
        super().__init__(**kw)
        self.services = services
        self.profile_name = profile_name
        self.locked = locked
        self.started_at = time.perf_counter()
        self.first_frame_at: float | None = None
        self._leaving = False
        self.kiosk = None

    def build(self):
        self.kiosk = make_root(self.services, self.profile_name, on_staff_exit=self.staff_exit)
        Window.bind(on_request_close=self._on_request_close)
        Window.bind(on_flip=self._first_flip)
        return self.kiosk

    def _first_flip(self, *_):
        if self.first_frame_at is None:
            self.first_frame_at = time.perf_counter()
            Window.unbind(on_flip=self._first_flip)
            log.info("first frame after %.2f s", self.first_frame_at - self.started_at)
            # Speech (model loading) starts only now, so the screen is up first.
            Clock.schedule_once(lambda dt: self.kiosk.controller.start(), 0)

    def _on_request_close(self, *_args, **_kw):
        """Locked: Alt+F4, Esc and the window manager cannot close the kiosk; staff exit can."""
        return self.locked and not self._leaving

    def open_settings(self, *args):
        """Kivy opens its settings panel on F1; a kiosk has none for residents."""
        return False

    def staff_exit(self):
        self.leave()

    def leave(self):
        """End the kiosk (staff exit, SIGTERM, SIGINT); the window may close now."""
        self._leaving = True
        self.stop()

    def on_stop(self):
        if self.kiosk is not None:
            self.kiosk.controller.stop()
