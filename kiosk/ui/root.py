"""The kiosk's window content: header, the screens, the voice bar, navigation, staff exit."""
from __future__ import annotations

import logging
import time
from typing import Callable

from kivy.core.window import Window
from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

from ..staff.pin import DEFAULT_PIN, PinGuard, staff_pin
from .controller import Controller
from .screens import (CategoriesScreen, CategoryScreen, ChoicesScreen, GuideScreen, HomeScreen, NotFoundScreen,
                      SearchScreen, grid)
from .theme import THEME
from .widgets import KButton, KLabel, MicButton, Panel, follow

log = logging.getLogger("kiosk.ui.root")

SCREENS = (HomeScreen, CategoriesScreen, CategoryScreen, SearchScreen, ChoicesScreen, GuideScreen, NotFoundScreen)
STAFF_TAPS = 5
STAFF_WINDOW_S = 3.0
APP_TITLE = "社区事务办事指南"
SHORT_TITLE = "办事指南"


class PinPad(ModalView):
    """Staff exit: the PIN from config, typed on a number pad."""

    def __init__(self, guard: PinGuard, on_ok: Callable[[], None], **kw):
        super().__init__(size_hint=(None, None), auto_dismiss=False, background_color=(0, 0, 0, 0), **kw)
        self.guard, self.on_ok = guard, on_ok
        self.typed = ""
        key = THEME.font_body * 3.4
        box = Panel(orientation="vertical", spacing=THEME.gap, padding=THEME.pad)
        self.display = KLabel(text="工作人员：请输入密码", halign="center")
        box.add_widget(self.display)
        keys = grid(3)
        self.keys = {}
        for label in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "取消", "0", "确定"):
            b = KButton(text=label, style="key" if label.isdigit() else "soft", role="title" if label.isdigit() else "body",
                        action=lambda c=label: self.press(c))
            self.keys[label] = b
            keys.add_widget(b)
        box.add_widget(keys)
        self.add_widget(box)
        self.size = (key * 3 + THEME.gap * 2 + THEME.pad * 2, THEME.button_h * 4 + THEME.gap * 5 + THEME.pad * 2
                     + THEME.font_body * 3)

    def press(self, key: str) -> None:
        if key == "取消":
            self.dismiss()
        elif key == "确定":
            attempt = self.guard.attempt(self.typed)
            self.typed = ""
            if attempt.ok:
                self.dismiss()
                self.on_ok()
            else:
                self.display.text = PinGuard.message(attempt)
        else:
            self.typed = (self.typed + key)[:12]
            self.display.text = "●" * len(self.typed)


class StaffPanel(ModalView):
    """Staff screen: the state of the guides in service and of the question log; exit or go back."""

    MAX_LINES = 12

    def __init__(self, lines: list[str], on_exit: Callable[[], None], **kw):
        super().__init__(size_hint=(0.9, None), auto_dismiss=False, background_color=(0, 0, 0, 0.4), **kw)
        box = Panel(orientation="vertical", spacing=THEME.gap, padding=THEME.pad)
        box.add_widget(KLabel(text="工作人员", role="title"))
        shown = lines[: self.MAX_LINES]
        if len(lines) > self.MAX_LINES:
            shown.append(f"另有 {len(lines) - self.MAX_LINES} 行，请运行 kiosk validate 查看。")
        self.text = KLabel(text="\n".join(shown), role="small", halign="left", valign="top")
        box.add_widget(self.text)
        row = grid(2)
        self.back_button = KButton(text="返回", style="soft", action=lambda: self.dismiss(animation=False))
        self.exit_button = KButton(text="退出终端", style="primary",
                                   action=lambda: (self.dismiss(animation=False), on_exit()))
        row.add_widget(self.back_button)
        row.add_widget(self.exit_button)
        box.add_widget(row)
        self.add_widget(box)
        # As tall as its content (title, lines, buttons), so nothing is squeezed against the border.
        box.bind(minimum_height=lambda *_: setattr(self, "height", min(box.minimum_height, Window.height * 0.94)))
        self.height = THEME.button_h * 3 + THEME.font_small * 1.6 * (len(shown) + 1) + THEME.pad * 2 + THEME.gap * 3


class Header(BoxLayout):
    def __init__(self, root: "KioskRoot", **kw):
        super().__init__(size_hint_y=None, spacing=THEME.gap, padding=(THEME.pad, THEME.pad * 0.5), **kw)
        self.at_home = None
        # Two titles swapped by adding and removing widgets, never by re-rendering text: a screen change
        # must not wait for text to be drawn again.
        self.title = KLabel(text=APP_TITLE, role="title", tone="ink_primary")
        self.short_title = KLabel(text=SHORT_TITLE, role="title", tone="ink_primary")
        for t in (self.title, self.short_title):
            t.size_hint_y = 1
            t.line_height = 1.0
        self.back_button = KButton(text="返回", style="soft", size_hint_x=None, action=root.back)
        self.home_button = KButton(text="首页", style="soft", size_hint_x=None, action=root.controller.go_home)
        self.elder_button = KButton(text="长者模式", style="soft", size_hint_x=None,
                                    action=root.controller.toggle_elder)
        follow(self._size)
        self.add_widget(self.title)
        self.add_widget(self.elder_button)
        with self.canvas.before:
            self._bg_colour = Color(*THEME.primary)
            self._bg = Rectangle()
        THEME.bind(primary=lambda *_: setattr(self._bg_colour, "rgba", THEME.primary))
        self.bind(pos=self._redraw, size=self._redraw)
        root.controller.bind(elder=self._elder)
        self._elder()

    def _redraw(self, *_):
        self._bg.pos, self._bg.size = self.pos, self.size

    def _size(self) -> None:
        self.height = THEME.button_h * 0.9 + THEME.pad
        for b in (self.back_button, self.home_button, self.elder_button):
            b.min_height = THEME.button_h * 0.9
            b.width = THEME.font_body * (len(b.text) + 1.2)

    def _elder(self, *_):
        self.elder_button.selected = THEME.elder
        self.elder_button.text = "长者模式"  # on: drawn filled (selected)
        self._size()

    def set_nav(self, at_home: bool) -> None:
        if at_home == self.at_home and self.children:
            return
        self.at_home = at_home
        self.clear_widgets()
        wanted = [self.title, self.elder_button] if at_home else \
            [self.short_title, self.back_button, self.home_button, self.elder_button]
        for w in wanted:
            self.add_widget(w)


class VoiceBar(BoxLayout):
    """On every screen but Home: a microphone, its prompt and what was heard."""

    def __init__(self, controller: Controller, **kw):
        super().__init__(size_hint_y=None, spacing=THEME.gap * 1.5, padding=(THEME.pad, THEME.pad * 0.5), **kw)
        self.controller = controller
        self.mic = MicButton(size_hint=(None, None), action=controller.mic_pressed)
        text = BoxLayout(orientation="vertical")
        self.prompt = KLabel(role="body", shorten=True, shorten_from="right", max_lines=1)
        self.heard = KLabel(role="body", tone="primary", shorten=True, shorten_from="left", max_lines=1)
        text.add_widget(Widget())
        text.add_widget(self.prompt)
        text.add_widget(self.heard)
        text.add_widget(Widget())
        self.add_widget(self.mic)
        self.add_widget(text)
        with self.canvas.before:
            self._colour = Color(*THEME.soft)
            self._bg = Rectangle()
        THEME.bind(soft=lambda *_: setattr(self._colour, "rgba", THEME.soft))
        self.bind(pos=self._redraw, size=self._redraw)
        controller.bind(mic_state=self._sync, prompt=self._sync, heard=self._sync)
        self._sync()
        follow(self._size)

    def _size(self) -> None:
        side = THEME.button_h * (1.1 if THEME.profile.portrait else 0.85)
        self.mic.size = (side, side)
        self.height = side + THEME.pad

    def _redraw(self, *_):
        self._bg.pos, self._bg.size = self.pos, self.size

    def _sync(self, *_):
        c = self.controller
        self.mic.state_name = c.mic_state
        self.prompt.text = c.prompt
        self.prompt.role = "small" if c.mic_state == "off" else "body"
        self.heard.text = f"“{c.heard}”" if c.heard and c.mic_state != "off" else c.heard


class KioskRoot(BoxLayout):
    def __init__(self, controller: Controller, on_staff_exit: Callable[[], None] | None = None,
                 now: Callable[[], float] = time.monotonic, **kw):
        super().__init__(orientation="vertical", **kw)
        self.controller = controller
        controller.view = self
        self.on_staff_exit = on_staff_exit
        self._now = now
        self._corner_taps: list[float] = []
        self.pin_pad: PinPad | None = None
        self.pin_guard: PinGuard | None = None  # kept across pad openings, so closing it does not reset a lockout
        with self.canvas.before:
            self._bg_colour = Color(*THEME.bg)
            self._bg = Rectangle()
        THEME.bind(bg=lambda *_: setattr(self._bg_colour, "rgba", THEME.bg))
        self.bind(pos=self._redraw, size=self._redraw)

        self.header = Header(self)
        self.sm = ScreenManager(transition=NoTransition())
        self.voice_bar = VoiceBar(controller)
        self.screens = {}
        self._make_screens()
        self.add_widget(self.header)
        self.add_widget(self.sm)
        self.stack: list[str] = ["home"]
        self._show("home")

    def _make_screens(self) -> None:
        for screen in list(self.screens.values()):
            self.sm.remove_widget(screen)
        self.screens = {}
        for cls in SCREENS:
            screen = cls(self.controller)
            self.screens[screen.name] = screen
            self.sm.add_widget(screen)

    def rebuild(self) -> None:
        """Staff changed the guides: make every screen again from the new knowledge base, go home."""
        self._make_screens()
        if self.pin_pad is not None:
            self.pin_pad.dismiss()
            self.pin_pad = None
        self.stack = ["home"]
        self._show("home")

    def _redraw(self, *_):
        self._bg.pos, self._bg.size = self.pos, self.size

    # -- navigation ------------------------------------------------------------------------------
    @property
    def current(self) -> str:
        return self.sm.current

    def _show(self, name: str) -> None:
        if self.sm.current != name:
            self.controller.screen_changed()
        self.sm.current = name
        at_home = name == "home"
        self.header.set_nav(at_home)
        # Home has its own big microphone; elsewhere the voice bar sits at the bottom. Added and removed,
        # not disabled: a disabled label draws its text again, and that costs a frame.
        if at_home and self.voice_bar.parent is self:
            self.remove_widget(self.voice_bar)
        elif not at_home and self.voice_bar.parent is None:
            self.add_widget(self.voice_bar)

    def go(self, name: str) -> None:
        if self.stack[-1] != name:
            self.stack.append(name)
        self._show(name)

    def back(self) -> None:
        actions = self.controller.back()
        if self.current == "choices" or any(type(a).__name__ == "ShowChoices" for a in actions):
            return  # the dialogue put the choices back on screen
        if len(self.stack) > 1:
            self.stack.pop()
        self._show(self.stack[-1])

    def open_category(self, category_id: str) -> None:
        self.screens["category"].show(category_id)
        self.go("category")

    # -- dialogue actions --------------------------------------------------------------------------
    def show_guide(self, guide, section) -> None:
        self.screens["guide"].show(guide, section)
        self.go("guide")

    def show_choices(self, choices, prompt) -> None:
        self.screens["choices"].show(choices, prompt)
        if self.stack[-1] == "guide" and "choices" in self.stack:
            del self.stack[self.stack.index("choices") + 1:]
        self.go("choices")

    def show_not_found(self, text, query, elsewhere: bool = False) -> None:
        self.screens["notfound"].show(text, query, elsewhere)
        self.go("notfound")

    def reset(self) -> None:
        for screen in self.screens.values():
            screen.reset()
        if self.pin_pad is not None:
            self.pin_pad.dismiss()
            self.pin_pad = None
        self.stack = ["home"]
        self._show("home")

    # -- touches --------------------------------------------------------------------------------------
    def on_touch_down(self, touch):
        self.controller.touched()
        if self._in_staff_corner(touch.pos):
            t = self._now()
            self._corner_taps = [x for x in self._corner_taps if t - x <= STAFF_WINDOW_S] + [t]
            if len(self._corner_taps) >= STAFF_TAPS:
                self._corner_taps = []
                self.open_pin_pad()
                return True
        return super().on_touch_down(touch)

    def _in_staff_corner(self, pos) -> bool:
        side = THEME.button_h * 0.9
        return pos[0] <= self.x + side and pos[1] >= self.top - side

    def open_pin_pad(self) -> PinPad:
        if self.pin_guard is None:
            self.pin_guard = PinGuard(staff_pin(self.controller.services.config))
        self.pin_pad = PinPad(self.pin_guard, self.open_staff_panel)
        self.pin_pad.open(animation=False)
        return self.pin_pad

    def open_staff_panel(self) -> "StaffPanel":
        """After the PIN: what staff need to know (guide reloads with their path:line errors, the question
        log), and the way out."""
        services = self.controller.services
        ops = services.ops
        lines = ops.staff_lines() if ops is not None else ["本机未开启指南热更新和问题记录。"]
        from ..speech.tts import speech_line

        problem = getattr(services.recognizer, "problem", None)
        if not problem:
            lines.append("语音识别：正常")
        else:  # the recogniser's own message names it already ("语音识别暂不可用：…"): not twice
            lines.append(problem if problem.startswith("语音识别") else f"语音识别：{problem}")
        lines.append(speech_line(services.speaker))
        if staff_pin(services.config) == DEFAULT_PIN:
            lines.insert(0, f"注意：仍在使用默认管理密码 {DEFAULT_PIN}，请在部署配置 ui.staff_pin 中修改。")
        self.staff_panel = StaffPanel(lines, on_exit=self._staff_exit)
        self.staff_panel.open(animation=False)
        return self.staff_panel

    def _staff_exit(self) -> None:
        log.info("staff exit")
        if self.on_staff_exit is not None:
            self.on_staff_exit()
