"""Kivy start-up: environment and Config before the window exists, and the Chinese default font.

Nothing here imports Kivy at module level: Kivy reads its environment and config when it is first
imported, so :func:`prepare` must run before anything else of Kivy.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("kiosk.ui.boot")

FONT_PATH = Path(__file__).resolve().parent.parent / "data" / "fonts" / "NotoSansSC-Kiosk.otf"
KV_PATH = Path(__file__).resolve().parent / "style.kv"


def prepare(size: tuple[int, int], *, fullscreen: bool, kivy_home: str | os.PathLike | None = None,
            headless: bool = False) -> None:
    """Set Kivy's environment and Config for a kiosk window of this size."""
    os.environ["KIVY_NO_ARGS"] = "1"  # our own command line is parsed by kiosk.cli
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    if kivy_home:
        Path(kivy_home).mkdir(parents=True, exist_ok=True)
        os.environ["KIVY_HOME"] = str(kivy_home)
    if headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from kivy.config import Config

    w, h = size
    Config.set("graphics", "width", str(w))
    Config.set("graphics", "height", str(h))
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    Config.set("graphics", "maxfps", "30")
    Config.set("kivy", "exit_on_escape", "0" if fullscreen else "1")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("kivy", "log_enable", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")  # no red multitouch dots on right click
    if fullscreen:
        Config.set("kivy", "pause_on_minimize", "0")


def register_font() -> None:
    """Make the kiosk's Chinese font Kivy's default, so every Label draws Chinese."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    LabelBase.register(DEFAULT_FONT, str(FONT_PATH))
    LabelBase.register("KioskSans", str(FONT_PATH))


def load_kv() -> None:
    from kivy.lang import Builder

    if str(KV_PATH) not in Builder.files:
        Builder.load_file(str(KV_PATH))
