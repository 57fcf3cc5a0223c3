"""Reusable touch widgets: labels and buttons that follow the theme, the microphone button, the
material checklist item, the pinyin keypad and the QR code. Their looks are in kiosk.kv."""
from __future__ import annotations

import logging
from typing import Callable, Iterable

from kivy.animation import Animation
from kivy.graphics.texture import Texture
from kivy.properties import (BooleanProperty, ListProperty, NumericProperty, ObjectProperty, OptionProperty,
                             StringProperty)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from .theme import THEME

log = logging.getLogger("kiosk.ui.widgets")

MIC_STATES = ("ready", "listening", "thinking", "speaking", "off")


class KLabel(Label):
    """Wrapped text whose height follows its content. role: small | body | title | huge."""

    role = OptionProperty("body", options=["small", "body", "title", "huge"])
    tone = OptionProperty("text", options=["text", "muted", "primary", "ink_primary", "ink_soft", "listening"])


class KButton(ButtonBehavior, Label):
    """A large rounded button. style: primary | soft | plain | tab | key."""

    style = OptionProperty("primary", options=["primary", "soft", "plain", "tab", "key", "notice"])
    role = OptionProperty("body", options=["small", "body", "title", "huge"])
    selected = BooleanProperty(False)
    min_height = NumericProperty(0)  # 0: the theme's button height
    row_height = NumericProperty(0)  # set by EvenGrid so that a row's buttons are equally tall
    action = ObjectProperty(None, allownone=True)  # called with no arguments on release

    def on_release(self):
        if self.action is not None and not self.disabled:
            self.action()


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
