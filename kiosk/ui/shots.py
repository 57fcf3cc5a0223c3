"""Render every main screen, for each device profile, to PNG files (offscreen, real GL)."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from . import make_root, prepare_kivy

log = logging.getLogger("kiosk.ui.shots")

#: Questions tried in turn until one makes the dialogue offer choices.
CLARIFY_TRIES = ("补领", "证明", "居住证", "查询", "补贴", "申请", "卡")
NOT_FOUND_QUERY = "今天天气怎么样"


class Pump:
    """Drives Kivy's event loop by hand: frames, clock callbacks, touches."""

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale
        from kivy.base import EventLoop

        EventLoop.ensure_window()
        self.loop = EventLoop
        self.window = EventLoop.window

    def frames(self, n: int = 3) -> None:
        for _ in range(n):
            self.loop.idle()

    def show(self, root) -> None:
        for child in list(self.window.children):
            self.window.remove_widget(child)
        self.window.add_widget(root)
        self.frames(4)

    def save(self, path: Path) -> Path:
        self.frames(3)
        made = Path(self.window.screenshot(name=str(path)))  # Kivy inserts a counter before .png
        made.replace(path)
        if self.scale != 1.0:
            downscale(path, self.scale)
        return path


def downscale(path: Path, scale: float) -> None:
    """Rewrite a PNG at scale (smooth filtering), for small pictures in the README."""
    from kivy.core.image import Image as CoreImage
    from kivy.graphics import Color, Fbo, Rectangle

    tex = CoreImage(str(path)).texture
    tex.min_filter = "linear"
    tex.mag_filter = "linear"
    size = (max(1, int(tex.width * scale)), max(1, int(tex.height * scale)))
    fbo = Fbo(size=size)
    with fbo:
        Color(1, 1, 1, 1)
        Rectangle(texture=tex, size=size)
    fbo.draw()
    fbo.texture.save(str(path), flipped=True)


def layout_problems(widget, screen: str) -> list[str]:
    """Text that does not fit its box, or boxes that stick out of the window: what a person would see
    as cut-off or overlapping text."""
    from kivy.uix.label import Label
    from kivy.uix.scrollview import ScrollView

    out: list[str] = []
    win_w, win_h = widget.get_root_window().size if widget.get_root_window() else (0, 0)

    from kivy.uix.modalview import ModalView

    def walk(w, clipped: bool, frame=None):
        if getattr(w, "opacity", 1) == 0:
            return
        if isinstance(w, ModalView) and w.children:
            frame = w.children[0]
        if isinstance(w, Label) and w.text and w.width > 1:
            tw, th = w.texture_size
            if th > w.height + 2 or (w.text_size[0] is not None and tw > w.width + 2):
                out.append(f"{screen}: text does not fit ({int(tw)}x{int(th)} in {int(w.width)}x{int(w.height)}): "
                           f"{w.text[:24]!r}")
            if not clipped:
                x, y = w.to_window(w.x, w.y)
                if x < -1 or y < -1 or x + w.width > win_w + 1 or y + w.height > win_h + 1:
                    out.append(f"{screen}: outside the window at ({int(x)}, {int(y)}): {w.text[:24]!r}")
                if frame is not None:
                    fx, fy = frame.to_window(frame.x, frame.y)
                    if x < fx - 1 or y < fy - 1 or x + w.width > fx + frame.width + 1 or \
                            y + w.height > fy + frame.height + 1:
                        out.append(f"{screen}: sticks out of its pop-up: {w.text[:24]!r}")
        for child in w.children:
            walk(child, clipped or isinstance(w, ScrollView), frame)

    walk(widget, False)
    return out


def _choices_query(root) -> str | None:
    """A question that makes the dialogue offer choices with this knowledge base."""
    c = root.controller
    for q in CLARIFY_TRIES:
        probe = c.services.dialogue()
        if any(type(a).__name__ == "ShowChoices" for a in probe.handle(_heard(q), now=0.0)):
            return q
    return None


def _heard(text):
    from ..dialogue import Heard

    return Heard(text)


def render_profile(services: Any, profile_name: str, out_dir: Path, pump: Pump) -> list[Path]:
    from .theme import PROFILES, THEME

    prof = PROFILES[profile_name]
    if tuple(pump.window.size) != prof.size:
        # An offscreen GL surface keeps the size it was made with: one profile per process.
        raise RuntimeError(f"window is {tuple(pump.window.size)}, profile {profile_name} needs {prof.size}")
    root = make_root(services, profile_name)
    pump.show(root)
    c = root.controller
    c.attach_speech()
    shots: list[Path] = []
    problems: list[str] = []

    def save(name: str) -> None:
        pump.frames(2)
        problems.extend(layout_problems(pump.window, name))
        shots.append(pump.save(out_dir / f"{profile_name}-{len(shots) + 1:02d}-{name}.png"))

    save("home")
    popular = services.popular() or list(services.kb.guides)
    # The microphone while listening, with a partial transcript.
    c.mic_state = "listening"
    c.prompt = "正在听，请说……"
    c.heard = "敬老卡丢了怎么"
    save("home-listening")
    c._set_mic("ready" if c.voice_problem == "" else "off")
    c.heard = ""
    cats = sorted(services.kb.categories, key=lambda x: x.order)
    if cats:
        busiest = max(cats, key=lambda x: len(services.kb.by_category(x.id)))
        root.open_category(busiest.id)
        save("category")
    root.go("categories")
    save("categories")
    search = root.screens["search"]
    root.go("search")
    search.clear()
    save("search-empty")
    for letter in "JZZ":
        search.add_letter(letter)
    save("search-jzz")
    query = _choices_query(root)
    if query:
        c.send(_heard(query))
        save("choices")
    if popular:
        guide = popular[0]
        c.tapped_guide(guide.id)
        save("guide")
        root.screens["guide"].tap_tab(1)
        for item in root.screens["guide"].checks[:2]:
            item.checked = True
        save("guide-materials")
        root.screens["guide"].tap_tab(4)
        save("guide-place")
        if root.screens["guide"].qr_button is not None:
            view = root.screens["guide"].open_qr()
            save("guide-qr")
            view.dismiss()
            pump.frames(2)
    c.send(_heard(NOT_FOUND_QUERY))
    save("not-found")
    c.toggle_elder()
    c.go_home()
    save("home-elder")
    if popular:
        c.tapped_guide(popular[0].id)
        root.screens["guide"].tap_tab(1)
        save("guide-elder")
    c.toggle_elder()
    c.go_home()
    pin = root.open_pin_pad()
    save("staff-pin")
    pin.dismiss()
    pump.frames(2)
    c.stop()
    THEME.elder = False
    for p in problems:
        log.warning("%s %s", profile_name, p)
    render_profile.problems = problems  # type: ignore[attr-defined]
    return shots


def render(services: Any, out_dir: Path, profile_name: str, scale: float = 1.0) -> tuple[list[Path], list[str]]:
    """Render one profile's screens in this process (its window is made at the profile's size).
    Returns the files and the layout problems found on the way."""
    from .profiles import PROFILES

    prepare_kivy(PROFILES[profile_name].size, fullscreen=False, headless=True,
                 kivy_home=services.config.path("ui.kivy_home"))
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = render_profile(services, profile_name, out_dir, Pump(scale))
    return shots, list(getattr(render_profile, "problems", []))
