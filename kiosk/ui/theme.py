"""Device profiles, sizes and colours. One Theme object that every widget binds to (kv: ``theme``).

Sizes are in pixels of the target screen: the kiosk runs full screen on a known device, so a
profile says how big things are on it. Elder mode scales text up and switches to a high-contrast
palette; widgets follow through property bindings.
"""
from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.utils import get_color_from_hex as hexc

from .profiles import PROFILES, Profile


ELDER_SCALE = 1.25

PALETTES = {
    # Normal: dark text on warm white, a calm blue for actions (contrast ≥ 7:1 for text).
    False: dict(bg="#F3F1EC", surface="#FFFFFF", text="#161616", muted="#3D3D3D", line="#B9B4A9",
                primary="#0A4F9C", ink_primary="#FFFFFF", soft="#DCE8F5", ink_soft="#0A3D78",
                listening="#C62828", thinking="#B26A00", speaking="#1B6E3A", off="#6B6B6B",
                checked="#1B6E3A", notice="#FFF4D6"),
    # Elder mode: white and yellow on black, thick outlines.
    True: dict(bg="#000000", surface="#141414", text="#FFFFFF", muted="#F0F0F0", line="#FFFFFF",
               primary="#FFD400", ink_primary="#000000", soft="#262626", ink_soft="#FFD400",
               listening="#FF5A4E", thinking="#FFB000", speaking="#4CD964", off="#9A9A9A",
               checked="#4CD964", notice="#332B00"),
}


class Theme(EventDispatcher):
    profile_name = StringProperty("portrait")
    elder = BooleanProperty(False)

    font_small = NumericProperty(34)
    font_body = NumericProperty(44)
    font_title = NumericProperty(60)
    font_huge = NumericProperty(80)
    button_h = NumericProperty(120)
    pad = NumericProperty(24)
    gap = NumericProperty(16)
    radius = NumericProperty(22)
    border = NumericProperty(2)

    bg = ColorProperty()
    surface = ColorProperty()
    text = ColorProperty()
    muted = ColorProperty()
    line = ColorProperty()
    primary = ColorProperty()
    ink_primary = ColorProperty()
    soft = ColorProperty()
    ink_soft = ColorProperty()
    listening = ColorProperty()
    thinking = ColorProperty()
    speaking = ColorProperty()
    off = ColorProperty()
    checked = ColorProperty()
    notice = ColorProperty()

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.apply()

    @property
    def profile(self) -> Profile:
        return PROFILES[self.profile_name]

    def on_profile_name(self, *_):
        self.apply()

    def on_elder(self, *_):
        self.apply()

    def apply(self) -> None:
        p = self.profile
        k = ELDER_SCALE if self.elder else 1.0
        body = p.body * k
        self.font_small = round(max(p.body * 0.78, 22) * k)
        self.font_body = round(body)
        self.font_title = round(body * 1.35)
        self.font_huge = round(body * 1.8)
        self.button_h = round(p.body * 2.6 * (1 + (k - 1) * 0.6))
        self.pad = round(p.body * 0.55)
        self.gap = round(p.body * 0.36)
        self.radius = round(p.body * 0.5)
        self.border = 4 if self.elder else 2
        for key, value in PALETTES[self.elder].items():
            setattr(self, key, hexc(value))


THEME = Theme()
