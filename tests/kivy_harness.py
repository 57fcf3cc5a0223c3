"""Runs the real Kivy UI inside pytest: an offscreen SDL window with Mesa GL (never the mock GL
backend, which draws nothing), simulated touches, and pixel read-back to prove things were drawn.

Import this module before anything of Kivy: it sets the environment Kivy reads once.
"""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="kiosk-kivy-home-")  # no user config leaks in
if os.environ.get("KIVY_GL_BACKEND") == "mock":
    raise RuntimeError("UI tests need real GL rendering; unset KIVY_GL_BACKEND=mock")

from kiosk.ui import make_root, prepare_kivy  # noqa: E402
from kiosk.ui.profiles import PROFILES  # noqa: E402

PROFILE = "portrait"
prepare_kivy(PROFILES[PROFILE].size, fullscreen=False, headless=True)

from kivy.base import EventLoop  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402

EventLoop.ensure_window()
WINDOW = EventLoop.window


class FakeClock:
    """The dialogue's clock: time moves only when a test says so."""

    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def frames(n: int = 3) -> None:
    for _ in range(n):
        EventLoop.idle()


def wait_until(predicate, timeout: float = 5.0) -> bool:
    """Run frames (and so Kivy's clock) until predicate() is true; False after timeout seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        EventLoop.idle()
        if predicate():
            return True
    return predicate()


def window_rect(widget) -> tuple[int, int, int, int]:
    x, y = widget.to_window(widget.x, widget.y)
    return int(x), int(y), int(widget.width), int(widget.height)


def tap(widget, settle: int = 3) -> None:
    """A finger down and up at the widget's centre, in window coordinates."""
    scroll_into_view(widget)
    x, y, w, h = window_rect(widget)
    tap_at(x + w / 2, y + h / 2, settle)


def tap_at(x: float, y: float, settle: int = 3) -> None:
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()
    frames(settle)


def scroll_into_view(widget) -> None:
    from kivy.uix.scrollview import ScrollView

    parent = widget.parent
    while parent is not None and not isinstance(parent, ScrollView):
        parent = None if parent.parent is parent else parent.parent  # the Window is its own parent
    if parent is not None:
        parent.scroll_to(widget, padding=10, animate=False)
        frames(2)


def pixels(x: int, y: int, w: int, h: int) -> bytes:
    """RGBA bytes of a window region as drawn in the last frame."""
    frames(1)
    return bytes(glReadPixels(x, y, w, h, GL_RGBA, GL_UNSIGNED_BYTE))


def ink(widget, background) -> float:
    """Share of a widget's pixels that differ clearly from the background colour: 0 means blank."""
    x, y, w, h = window_rect(widget)
    data = pixels(x, y, w, h)
    bg = [round(c * 255) for c in background[:3]]
    total = len(data) // 4
    differ = sum(1 for i in range(0, len(data), 4)
                 if abs(data[i] - bg[0]) + abs(data[i + 1] - bg[1]) + abs(data[i + 2] - bg[2]) > 60)
    return differ / max(1, total)


def colour_at(x: int, y: int) -> tuple[int, int, int]:
    d = pixels(int(x), int(y), 1, 1)
    return d[0], d[1], d[2]


@dataclass
class Kiosk:
    root: object
    controller: object
    speaker: object
    recognizer: object
    clock: FakeClock
    exits: list = field(default_factory=list)

    @property
    def screen(self) -> str:
        return self.root.current

    def screen_widget(self, name=None):
        return self.root.screens[name or self.screen]


def open_kiosk(services, exits: list | None = None, now=None) -> Kiosk:
    exits = [] if exits is None else exits
    root = make_root(services, PROFILE, on_staff_exit=lambda: exits.append(True), now=now)
    for child in list(WINDOW.children):
        WINDOW.remove_widget(child)
    WINDOW.add_widget(root)
    root.controller.start()  # as the app does after its first frame: idle clock, speech poll, speech
    frames(4)
    return Kiosk(root, root.controller, services.speaker, services.recognizer, services.clock, exits)


def close_kiosk(k: Kiosk) -> None:
    k.controller.stop()
    from kivy.uix.modalview import ModalView

    for child in list(WINDOW.children):
        if isinstance(child, ModalView):
            child.dismiss(animation=False)
        WINDOW.remove_widget(child)
    from kiosk.ui.theme import THEME

    THEME.elder = False
    frames(2)


__all__ = ["Clock", "FakeClock", "Kiosk", "WINDOW", "close_kiosk", "colour_at", "frames", "ink", "open_kiosk",
           "pixels", "tap", "tap_at", "wait_until", "window_rect"]
