"""Reusable touch widgets: labels and buttons that follow the theme, the microphone button, the
material checklist item, the pinyin keypad and the QR code. Their looks are in kiosk.kv."""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from kivy.animation import Animation
from kivy.graphics.texture import Texture
from kivy.properties import (BooleanProperty, ListProperty, NumericProperty, ObjectProperty, OptionProperty,
                             StringProperty)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget
from kivy.utils import get_hex_from_color

from .linebreak import wrap
from .theme import THEME

log = logging.getLogger("kiosk.ui.widgets")

MIC_STATES = ("ready", "listening", "thinking", "speaking", "off")


MARKUP_TAG = re.compile(r"\[/?(?:b|i|u|s|sub|sup|size|color|font|font_name|font_family|ref|anchor)(?:=[^\]]*)?\]")
MARKUP_ENTITY = re.compile(r"&(?:bl|br|amp);")


def plain_positions(markup: str) -> tuple[str, list[int]]:
    """The text Kivy shows for a markup string, and for each of its characters the index in the markup."""
    plain, where, i = [], [], 0
    while i < len(markup):
        m = MARKUP_TAG.match(markup, i) if markup[i] == "[" else MARKUP_ENTITY.match(markup, i) \
            if markup[i] == "&" else None
        if m is not None and m.group(0).startswith("["):
            i = m.end()
            continue
        plain.append({"&bl;": "[", "&br;": "]", "&amp;": "&"}[m.group(0)] if m else markup[i])
        where.append(i)
        i = m.end() if m else i + 1
    return "".join(plain), where


@lru_cache(maxsize=64)
def _measurer(font_name: str, size: float, bold: bool) -> Callable[[str], float]:
    from kivy.core.text import Label as CoreLabel

    core = CoreLabel(font_name=font_name, font_size=size, bold=bold)
    core.resolve_font_name()
    return lambda text: core.get_extents(text)[0]


@lru_cache(maxsize=4096)
def _wrapped(text: str, width: float, font_name: str, size: float, bold: bool, balance: bool) -> str:
    return wrap(text, width, _measurer(font_name, size, bold), balance)


class BreaksLines:
    """Chinese line breaking for a Label: the lines are chosen by :func:`kiosk.ui.linebreak.wrap` (UAX #14 with
    the CJK rules, numbers kept with their units) and drawn with explicit line ends; ``text`` keeps the words
    as given. balance: about equal lines (short button and tile labels)."""

    balance = BooleanProperty(False)

    def on_balance(self, *_):
        self._trigger_texture()

    def broken_text(self) -> str:
        text, width = self.text, self.text_size[0]
        if not text or not width or self.shorten or self.max_lines:
            return text
        width = width - self.padding[0] - self.padding[2] - 2  # slack: Kivy wraps again what measures wider
        font_name = self._label.options.get("font_name_r") or self.font_name
        if not self.markup:
            return _wrapped(text, width, font_name, self.font_size, self.bold, self.balance)
        out = []
        for para in text.split("\n"):
            plain, where = plain_positions(para)
            sizes = re.findall(r"\[size=(\d+(?:\.\d+)?)\]", para)
            size = float(sizes[0]) if sizes and para.lstrip().startswith("[size=") else self.font_size
            lines = _wrapped(plain, width, font_name, size, self.bold or "[b]" in para, self.balance).split("\n")
            cuts, n = [], 0
            for line in lines[:-1]:
                n += len(line)
                while n < len(plain) and plain[n] == " ":
                    n += 1  # the spaces wrap() dropped at the line end
                cuts.append(where[n])
            for cut in reversed(cuts):
                para = para[:cut].rstrip(" ") + "\n" + para[cut:]
            out.append(para)
        return "\n".join(out)

    def texture_update(self, *largs):
        """Label.texture_update, drawing :meth:`broken_text` instead of the raw text."""
        core = self._label
        self.texture = None
        shown = self.broken_text()
        if not shown or (self.halign == "justify" or self.strip) and not shown.strip():
            self.texture_size = (0, 0)
            self.is_shortened = False
            if self.markup:
                self.refs, core._refs = {}, {}
                self.anchors, core._anchors = {}, {}
            return
        if self.markup:
            colour = get_hex_from_color(self.disabled_color if self.disabled else self.color)
            core.text = f"[color={colour}]{shown}[/color]"
            core.refresh()
            if core.texture:
                core.texture.bind()
            self.refs, self.anchors = core.refs, core.anchors
        else:
            core.text = shown
            core.refresh()
        if core.texture is not None:
            self.texture = core.texture
            self.texture_size = list(self.texture.size)
        self.is_shortened = core.is_shortened


class KLabel(BreaksLines, Label):
    """Wrapped text whose height follows its content. role: small | body | title | huge."""

    role = OptionProperty("body", options=["small", "body", "title", "huge"])
    tone = OptionProperty("text", options=["text", "muted", "primary", "ink_primary", "ink_soft", "listening"])


class KButton(BreaksLines, ButtonBehavior, Label):
    """A large rounded button. style: primary | soft | plain | tab | key."""

    style = OptionProperty("primary", options=["primary", "soft", "plain", "tab", "key", "notice"])
    role = OptionProperty("body", options=["small", "body", "title", "huge"])
    selected = BooleanProperty(False)
    min_height = NumericProperty(0)  # 0: the theme's button height
    row_height = NumericProperty(0)  # set by EvenGrid so that a row's buttons are equally tall
    action = ObjectProperty(None, allownone=True)  # called with no arguments on release
    balance = BooleanProperty(True)
    icon = StringProperty("")  # a category icon (kiosk/ui/icons/<name>.png) drawn above the text
    icon_texture = ObjectProperty(None, allownone=True)

    def on_icon(self, *_):
        self.icon_texture = icon_texture(self.icon) if self.icon else None

    def on_release(self):
        if self.action is not None and not self.disabled:
            self.action()


ICONS_DIR = Path(__file__).resolve().parent / "icons"


@lru_cache(maxsize=None)
def icon_texture(name: str):
    """The texture of a shipped category icon (white on transparent: the canvas tints it), or None."""
    path = ICONS_DIR / f"{name}.png"
    if not path.is_file():
        log.warning("no icon %s", path)
        return None
    from kivy.core.image import Image as CoreImage

    tex = CoreImage(str(path), mipmap=True).texture
    tex.min_filter = "linear_mipmap_linear"
    return tex


class EvenGrid(GridLayout):
    """A grid whose buttons in one row are equally tall (the tallest text decides)."""

    def add_widget(self, widget, *args, **kw):
        widget.bind(texture_size=self._trigger_layout) if hasattr(widget, "texture_size") else None
        return super().add_widget(widget, *args, **kw)

    def do_layout(self, *args):
        kids = list(reversed(self.children))
        cols = max(1, self.cols or 1)
        for r in range(0, len(kids), cols):
            row = kids[r:r + cols]
            tallest = max((natural_height(k) for k in row), default=0)
            for k in row:
                if hasattr(k, "row_height") and k.row_height != tallest:
                    k.row_height = tallest
        super().do_layout(*args)


def natural_height(button) -> float:
    if not hasattr(button, "row_height"):
        return button.height
    return max(button.min_height or THEME.button_h, button.texture_size[1] + THEME.pad * 1.2)


def follow(fn: Callable[..., None]) -> None:
    """Call fn now and whenever the theme's sizes change (elder mode, profile)."""
    fn()
    THEME.bind(font_body=lambda *_: fn(), button_h=lambda *_: fn())


MORE_HINT = "向下滑动查看更多"


class KScroll(ScrollView):
    """A vertical scroll area that shows when more follows below: the bottom edge fades out and a small
    "向下滑动查看更多" tab sits on it (drawn on the canvas, over the content, until the end is reached).
    Its content keeps clear of the scroll bar."""

    shows_more = BooleanProperty(False)
    hint_texture = ObjectProperty(None, allownone=True)

    def __init__(self, **kw):
        kw.setdefault("do_scroll_x", False)
        kw.setdefault("bar_width", max(8, round(THEME.gap * 0.75)))
        kw.setdefault("scroll_type", ["bars", "content"])
        super().__init__(**kw)
        self.bind(scroll_y=self._update, size=self._update, pos=self._update)
        from kivy.core.window import Window

        # Kivy draws a scroll view's canvas.after above an open pop-up: no hint while one is open.
        self._window = Window
        Window.bind(children=self._update)
        THEME.bind(font_small=self._make_hint)
        self._make_hint()

    def add_widget(self, widget, *args, **kw):
        padding = getattr(widget, "padding", None)
        if padding is not None and len(padding) == 4:
            room = self.bar_width + self.bar_margin + 4
            widget.padding = [padding[0], padding[1], max(padding[2], room), padding[3]]
        widget.bind(height=self._update)
        super().add_widget(widget, *args, **kw)
        self._update()

    def _make_hint(self, *_):
        from kivy.core.text import Label as CoreLabel

        core = CoreLabel(text=f"{MORE_HINT} ↓", font_size=round(THEME.font_small * 0.8), color=(1, 1, 1, 1))
        core.refresh()
        self.hint_texture = core.texture

    def _update(self, *_):
        content = self.children[0] if self.children else None
        popup = any(isinstance(w, ModalView) for w in self._window.children)
        self.shows_more = bool(content is not None and content.height > self.height + 2 and self.scroll_y > 0.005
                               and not popup)


class Panel(BoxLayout):
    """A box drawn as a light card with a border (used inside pop-ups)."""


class CheckItem(ButtonBehavior, BoxLayout):
    """One line of the materials checklist: tap to tick it off."""

    text = StringProperty("")
    checked = BooleanProperty(False)

    def on_release(self):
        self.checked = not self.checked


class MicButton(ButtonBehavior, Widget):
    """The round microphone button. Its colour and ring show the state; listening pulses."""

    state_name = OptionProperty("ready", options=list(MIC_STATES))
    ring = NumericProperty(0.0)  # 0..1, animated while listening
    action = ObjectProperty(None, allownone=True)

    def __init__(self, **kw):
        super().__init__(**kw)
        self._anim: Animation | None = None

    def on_release(self):
        if self.action is not None:
            self.action()

    def on_state_name(self, *_):
        if self._anim is not None:
            self._anim.cancel(self)
            self._anim = None
        self.ring = 0.0
        if self.state_name in ("listening", "thinking"):
            self._anim = Animation(ring=1.0, duration=0.7) + Animation(ring=0.0, duration=0.7)
            self._anim.repeat = True
            self._anim.start(self)

    def colour(self, state: str, theme=THEME) -> list:
        return {"ready": theme.primary, "listening": theme.listening, "thinking": theme.thinking,
                "speaking": theme.speaking, "off": theme.off}[state]


class Keypad(GridLayout):
    """A–Z keys for pinyin initials plus 删除 and 清空. Letters that lead nowhere are disabled."""

    allowed = ListProperty(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))

    def __init__(self, on_letter: Callable[[str], None], on_delete: Callable[[], None],
                 on_clear: Callable[[], None], **kw):
        super().__init__(**kw)
        self.keys: dict[str, KButton] = {}
        for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            key = KButton(text=letter, style="key", role="title", action=lambda c=letter: on_letter(c))
            self.keys[letter] = key
            self.add_widget(key)
        self.keys["删除"] = KButton(text="删除", style="soft", action=on_delete)
        self.keys["清空"] = KButton(text="清空", style="soft", action=on_clear)
        self.add_widget(self.keys["删除"])
        self.add_widget(self.keys["清空"])
        self.on_allowed()

    def on_allowed(self, *_):
        if not hasattr(self, "keys"):
            return
        allowed = set(self.allowed)
        for letter, key in self.keys.items():
            if len(letter) == 1:
                key.disabled = letter not in allowed


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code modules for text (UTF-8, error correction M), quiet zone included."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


class QRCode(Widget):
    """Draws a QR code from a module matrix as a nearest-filtered texture (no Pillow needed)."""

    text = StringProperty("")
    texture = ObjectProperty(None, allownone=True)
    modules = NumericProperty(0)

    def on_text(self, *_):
        if not self.text:
            self.texture = None
            self.modules = 0
            return
        matrix = qr_matrix(self.text)
        n = len(matrix)
        buf = bytearray()
        for row in reversed(matrix):  # textures start at the bottom row
            for dark in row:
                buf.extend(b"\x00\x00\x00\xff" if dark else b"\xff\xff\xff\xff")
        tex = Texture.create(size=(n, n), colorfmt="rgba")
        tex.mag_filter = "nearest"
        tex.min_filter = "nearest"
        tex.blit_buffer(bytes(buf), colorfmt="rgba", bufferfmt="ubyte")
        self.modules = n
        self.texture = tex


def clear_and_add(layout, widgets: Iterable[Widget]) -> None:
    layout.clear_widgets()
    for w in widgets:
        layout.add_widget(w)
