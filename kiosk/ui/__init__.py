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


def run_kiosk(services: Any, *, windowed: bool = False, profile: str | None = None) -> int:
    prof = profile_of(services, profile)
    fullscreen = bool(services.config.get("ui.fullscreen", True)) and not windowed
    kivy_home = services.config.path("ui.kivy_home")
    prepare_kivy(prof.size, fullscreen=fullscreen, kivy_home=kivy_home)
    from .app import KioskApp

    app = KioskApp(services, prof.name, locked=fullscreen)
    app.run()
    return 0
