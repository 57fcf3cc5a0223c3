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
ELSEWHERE_QUERY = "看病的诊断证明要去哪里开"  # a document the hospital issues, not this centre


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


Rect = tuple[float, float, float, float]  # x, y, right, top in window coordinates


def _rect(w) -> Rect:
    x, y = w.to_window(w.x, w.y)
    return x, y, x + w.width, y + w.height


def _meet(a: Rect, b: Rect) -> Rect:
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def _inside(a: Rect, b: Rect, slack: float = 1.5) -> bool:
    return a[0] >= b[0] - slack and a[1] >= b[1] - slack and a[2] <= b[2] + slack and a[3] <= b[3] + slack


def _empty(r: Rect, least: float = 1) -> bool:
    return r[2] - r[0] < least or r[3] - r[1] < least


def drawn_lines(label) -> list[str]:
    """The lines Kivy laid out for a label (after its own wrapping), as text."""
    return ["".join(word.text for word in line.words) for line in getattr(label._label, "_cached_lines", [])]


def layout_problems(widget, screen: str) -> list[str]:
    """Measure every label as a person would see it: text that does not fit its box; a box cut by its parent,
    the window, a pop-up or the edge of a scroll area (unless that area shows that more follows); text under
    a scroll bar; widgets drawn over each other; and line breaks that break the rules of Chinese
    typography (:func:`kiosk.ui.linebreak.line_problems`). One ``screen: problem`` string each."""
    from kivy.uix.label import Label
    from kivy.uix.modalview import ModalView
    from kivy.uix.scrollview import ScrollView

    from .linebreak import line_problems
    from .widgets import KButton, MicButton, QRCode

    out: list[str] = []
    window = widget.get_root_window() or widget
    win: Rect = (0, 0, window.width, window.height)
    leaves: list[tuple[Rect, str, object]] = []

    def say(problem: str, w) -> None:
        text = " ".join(str(getattr(w, "text", type(w).__name__)).split())
        out.append(f"{screen}: {problem}: {text[:28]!r}")

    def walk(w, clip: Rect, scroll) -> None:
        if getattr(w, "opacity", 1) == 0 or w.width < 1 or w.height < 1:
            return
        r = _rect(w)
        seen = _meet(r, clip)
        if _empty(seen):
            return  # scrolled out of sight
        if isinstance(w, Label) and w.text:
            tw, th = w.texture_size
            if th > w.height + 2 or (w.text_size[0] is not None and tw > w.width + 2):
                say(f"text does not fit ({int(tw)}x{int(th)} in {int(w.width)}x{int(w.height)})", w)
            if scroll is not None and _inside(r, (clip[0], -1e9, clip[2], 1e9)):
                # Inside a scroll area: cut at the top is scrolled past; cut at the bottom needs a sign
                # that more follows.
                if r[1] < clip[1] - 1.5 and not getattr(scroll, "shows_more", False):
                    say("cut by the bottom of a scroll area that does not show more follows", w)
            elif not _inside(r, win):
                say("outside the window", w)
            elif not _inside(r, clip):
                say("cut off by its container", w)
            parent = w.parent
            if parent is not None and not isinstance(parent, ScrollView) and parent is not window \
                    and not _inside(r, _rect(parent)):
                say("sticks out of its parent", w)
            if scroll is not None and scroll.bar_width and scroll.vbar[1] < 1 and \
                    r[2] > _rect(scroll)[2] - scroll.bar_width - scroll.bar_margin + 0.5:
                say("under the scroll bar", w)
            balanced = isinstance(w, KButton) and "\n" not in w.text
            for problem in line_problems(drawn_lines(w), balanced=balanced):
                say(problem, w)
        if isinstance(w, (Label, QRCode, MicButton)):
            leaves.append((seen, type(w).__name__, w))
            return
        inner_clip, inner_scroll = clip, scroll
        if isinstance(w, ScrollView):
            inner_clip, inner_scroll = _meet(clip, r), w
        for child in w.children:
            walk(child, inner_clip, inner_scroll)

    modals = [c for c in window.children if isinstance(c, ModalView)] if widget is window else []
    for top in (modals[:1] or ([widget] if widget is not window else list(window.children))):
        if isinstance(top, ModalView) and top.children:
            frame = top.children[0]
            walk(frame, _meet(win, _rect(frame)), None)
        else:
            walk(top, win, None)
    for i, (a, _, wa) in enumerate(leaves):
        for b, _, wb in leaves[i + 1:]:
            if not _empty(_meet(a, b), 3):
                say(f"drawn over {' '.join(str(getattr(wb, 'text', type(wb).__name__)).split())[:16]!r}", wa)
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


def render_profile(services: Any, profile_name: str, out_dir: Path, pump: Pump, check: bool = True) -> list[Path]:
    """Every main screen of one profile, first in normal then in elder mode, saved as
    ``<profile>-<nn>-<screen>.png``. With check, each screen is measured (:func:`layout_problems`) and the
    problems are left in ``render_profile.problems``."""
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
        path = out_dir / f"{profile_name}-{len(shots) + 1:02d}-{name}.png"
        if check:
            problems.extend(layout_problems(pump.window, path.stem))
        shots.append(pump.save(path))

    popular = services.popular() or list(services.kb.guides)
    cats = sorted(services.kb.categories, key=lambda x: x.order)
    query = _choices_query(root)
    for elder in (False, True):
        tag = "-elder" if elder else ""
        if elder:
            c.toggle_elder()
        c.go_home()
        save("home" + tag)
        if not elder:
            # The microphone while listening, with a partial transcript.
            c.mic_state = "listening"
            c.prompt = "正在听，请说……"
            c.heard = "敬老卡丢了怎么"
            save("home-listening")
            c._set_mic("ready" if c.voice_problem == "" else "off")
            c.heard = ""
        if cats:
            busiest = max(cats, key=lambda x: len(services.kb.by_category(x.id)))
            root.open_category(busiest.id)
            save("category" + tag)
        root.go("categories")
        save("categories" + tag)
        search = root.screens["search"]
        root.go("search")
        search.clear()
        save("search-empty" + tag)
        for letter in "JZZ":
            search.add_letter(letter)
        save("search-jzz" + tag)
        if query:
            c.send(_heard(query))
            save("choices" + tag)
            offered = c.session.dialogue.state.choices
            if offered:
                from ..dialogue import DOUBTFUL_PROMPT

                root.show_choices(offered, DOUBTFUL_PROMPT)  # a question that may be handled elsewhere
                save("choices-doubtful" + tag)
        if popular:
            guide_screen = root.screens["guide"]
            c.tapped_guide(popular[0].id)
            save("guide" + tag)
            guide_screen.tap_tab(guide_screen.tabs.index(guide_screen.tab("材料")))
            for item in guide_screen.checks[:2]:
                item.checked = True
            save("guide-materials" + tag)
            guide_screen.tap_tab(guide_screen.tabs.index(guide_screen.tab("地点与时间")))
            save("guide-place" + tag)
            rich = max(services.kb.guides, key=lambda g: len(g.benefits) if hasattr(g, "benefits") else 0)
            if getattr(rich, "benefits", None):
                c.tapped_guide(rich.id)
                guide_screen.tap_tab(guide_screen.tabs.index(guide_screen.tab("待遇")))
                save("guide-benefits" + tag)
            if guide_screen.qr_button is not None and guide_screen.qr_button.parent is not None:
                view = guide_screen.open_qr()
                save("guide-qr" + tag)
                view.dismiss(animation=False)
                pump.frames(2)
        c.send(_heard(NOT_FOUND_QUERY))
        save("not-found" + tag)
        c.send(_heard(ELSEWHERE_QUERY))  # handled elsewhere: where to go instead, on the same screen
        save("elsewhere" + tag)
    c.toggle_elder()
    c.go_home()
    pin = root.open_pin_pad()
    save("staff-pin")
    pin.dismiss(animation=False)
    pump.frames(2)
    panel = root.open_staff_panel()
    save("staff-panel")
    panel.dismiss(animation=False)
    pump.frames(2)
    c.stop()
    THEME.elder = False
    for p in problems:
        log.warning("%s", p)
    render_profile.problems = problems  # type: ignore[attr-defined]
    return shots


def render(services: Any, out_dir: Path, profile_name: str, scale: float = 1.0,
           check: bool = True) -> tuple[list[Path], list[str]]:
    """Render one profile's screens in this process (its window is made at the profile's size).
    Returns the files and, with check, the layout problems found on the way."""
    from .profiles import PROFILES

    prepare_kivy(PROFILES[profile_name].size, fullscreen=False, headless=True,
                 kivy_home=services.config.path("ui.kivy_home"))
    out_dir.mkdir(parents=True, exist_ok=True)
    shots = render_profile(services, profile_name, out_dir, Pump(scale), check)
    return shots, list(getattr(render_profile, "problems", []))
