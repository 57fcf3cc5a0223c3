"""The screens: Home, categories, one category, pinyin search, choices, guide, not found.

Each screen builds its widgets in Python for the current device profile and forwards taps to the
controller; the dialogue decides what is shown and said.
"""
from __future__ import annotations

import re
from typing import Sequence

from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from ..knowledge.model import SECTION_NAMES, Guide
from ..search import clean_query
from ..share import DISCLAIMER, guide_card
from .theme import THEME
from .widgets import CheckItem, EvenGrid, KScroll, Panel, KButton, Keypad, KLabel, MicButton, QRCode, clear_and_add, follow

#: The guide's tabs: label and the sections each shows, in order.
TABS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("条件", ("conditions",)),
    ("待遇", ("benefits",)),  # shown only for guides that state their benefits
    ("材料", ("materials",)),
    ("流程", ("steps",)),
    ("时限与收费", ("time_limit", "fees")),
    ("地点与时间", ("location", "hours")),
    ("咨询电话", ("contact",)),
    ("依据", ("basis",)),
)
QR_CAPTION = "手机扫一扫，带走材料清单、\n地点和电话（不需要上网）"
ORDINAL_LABELS = ("第一个", "第二个", "第三个", "第四个", "第五个")
VOICE_CHOICE_HINT = "请点一下，或者说“第一个”“第二个”。"
TOUCH_CHOICE_HINT = "请点一下您要办的事项。"


def tab_of(section: str | None) -> int:
    for i, (_, sections) in enumerate(TABS):
        if section in sections:
            return i
    return 0


def short_title(title: str) -> str:
    """The title without its bracketed part, when that still says enough (for small buttons)."""
    outer = re.sub(r"[（(][^）)]*[）)]", "", title).strip()
    return outer if len(outer) >= 4 else title


def vbox(**kw) -> BoxLayout:
    kw.setdefault("spacing", THEME.gap)
    box = BoxLayout(orientation="vertical", size_hint_y=None, **kw)
    box.bind(minimum_height=box.setter("height"))
    return box


def grid(cols: int, **kw) -> GridLayout:
    g = EvenGrid(cols=cols, size_hint_y=None, spacing=THEME.gap, **kw)
    g.bind(minimum_height=g.setter("height"))
    return g


def scroller(content: Widget, **kw) -> ScrollView:
    sv = KScroll(**kw)
    sv.add_widget(content)
    return sv


def title_label(text: str, **kw) -> KLabel:
    return KLabel(text=text, role="title", **kw)


class KioskScreen(Screen):
    controller = ObjectProperty(None)

    def __init__(self, controller, **kw):
        super().__init__(**kw)
        self.controller = controller
        self.view = controller.view

    @property
    def services(self):
        return self.controller.services

    @property
    def profile(self):
        return THEME.profile

    def reset(self) -> None:
        """Forget everything of the last resident."""


# -- Home -------------------------------------------------------------------------------------------
class MicPanel(BoxLayout):
    """The big microphone with its prompt and the live transcript."""

    def __init__(self, controller, size_px: int, **kw):
        super().__init__(orientation="vertical", spacing=THEME.gap, size_hint_y=None, **kw)
        self.controller = controller
        holder = AnchorLayout(size_hint_y=None, height=size_px * 1.12)
        self.mic = MicButton(size_hint=(None, None), size=(size_px, size_px), action=controller.mic_pressed)
        holder.add_widget(self.mic)
        self.prompt = KLabel(role="title", halign="center", balance=True)
        self.heard = KLabel(role="body", halign="center", tone="primary")
        for w in (holder, self.prompt, self.heard):
            self.add_widget(w)
        self.bind(minimum_height=self.setter("height"), width=self._fit_prompt)
        controller.bind(mic_state=self._sync, prompt=self._sync, heard=self._sync)
        self._sync()

    def _sync(self, *_):
        c = self.controller
        self.mic.state_name = c.mic_state
        self.prompt.text = c.prompt
        self._fit_prompt()
        self.heard.text = f"“{c.heard}”" if c.heard and c.mic_state in ("listening", "thinking", "speaking") \
            else c.heard


    def _fit_prompt(self, *_):
        """The largest text size at which the prompt fits on one line."""
        n = max(1, len(self.prompt.text))
        for role in ("title", "body", "small"):
            if getattr(THEME, f"font_{role}") * n <= self.width * 0.96:
                break
        self.prompt.role = role


class HomeScreen(KioskScreen):
    def __init__(self, controller, **kw):
        super().__init__(controller, name="home", **kw)
        p = self.profile
        s = self.services
        self.mic_panel = MicPanel(controller, size_px=int(p.body * (5.6 if p.portrait else 5.0)))
        popular = grid(2)
        self.popular_buttons = []
        for g in s.popular()[: p.popular]:
            b = KButton(text=short_title(g.title), style="soft", action=lambda gid=g.id: controller.tapped_guide(gid))
            b.guide_id = g.id
            self.popular_buttons.append(b)
            popular.add_widget(b)
        tiles = grid(p.columns)
        self.category_tiles = {}
        for cat in sorted(s.kb.categories, key=lambda c: c.order):
            t = KButton(text=cat.name, style="plain", icon=cat.icon, action=lambda cid=cat.id: self.view.open_category(cid))
            self.category_tiles[cat.id] = t
            tiles.add_widget(t)
        self.search_button = KButton(text="按拼音首字母查找（例：居住证 JZZ）" if p.portrait else "按拼音首字母查找",
                                     style="primary",
                                     action=lambda: self.view.go("search"))
        pad = THEME.pad
        if p.portrait:
            body = vbox(padding=(pad, pad))
            body.add_widget(self.mic_panel)
            body.add_widget(self.search_button)
            body.add_widget(title_label("常办事项"))
            body.add_widget(popular)
            body.add_widget(title_label("按类别查找"))
            body.add_widget(tiles)
            self.add_widget(scroller(body))
        else:
            row = BoxLayout(orientation="horizontal", spacing=pad * 2, padding=(pad, pad))
            left = vbox()
            left.add_widget(self.mic_panel)
            left.add_widget(self.search_button)
            right = vbox()
            right.add_widget(title_label("按类别查找"))
            right.add_widget(tiles)
            left.add_widget(title_label("常办事项"))
            left.add_widget(popular)
            row.add_widget(scroller(left, size_hint_x=0.42))
            row.add_widget(scroller(right, size_hint_x=0.58))
            self.add_widget(row)


# -- Categories (the tree's root) and one category -------------------------------------------------
class CategoriesScreen(KioskScreen):
    def __init__(self, controller, **kw):
        super().__init__(controller, name="categories", **kw)
        box = vbox(padding=(THEME.pad, THEME.pad))
        box.add_widget(title_label("请选择类别"))
        tiles = grid(self.profile.columns)
        self.tiles = {}
        for cat in sorted(self.services.kb.categories, key=lambda c: c.order):
            n = len(self.services.kb.by_category(cat.id))
            t = KButton(text=f"{cat.name}\n[size={THEME.font_small}]{n} 项[/size]", style="plain", icon=cat.icon,
                        action=lambda cid=cat.id: self.view.open_category(cid))
            self.tiles[cat.id] = t
            tiles.add_widget(t)
        box.add_widget(tiles)
        self.add_widget(scroller(box))


class CategoryScreen(KioskScreen):
    """One category's guides. Each category's page is made once and kept; after start-up the pages
    are made ahead in idle frames (:meth:`prebuild_one`), so the first tap on a category is quick too."""

    category_id = StringProperty("")

    def __init__(self, controller, **kw):
        super().__init__(controller, name="category", **kw)
        self.buttons: dict[str, KButton] = {}
        self.heading: KLabel | None = None
        self._pages: dict[str, tuple[ScrollView, KLabel, dict[str, KButton]]] = {}

    def _page(self, category_id: str):
        if category_id in self._pages:
            return self._pages[category_id]
        kb, p = self.services.kb, self.profile
        cat = next((c for c in kb.categories if c.id == category_id), None)
        guides = kb.by_category(category_id)
        cols = 1 if p.portrait else 2
        inner = p.width - 2 * THEME.pad  # made at their final width: the text is drawn once
        cell = (inner - (cols - 1) * THEME.gap) / cols
        box = vbox(padding=(THEME.pad, THEME.pad), width=p.width)
        heading = title_label(f"{cat.name if cat else ''}（{len(guides)} 项）", width=inner)
        listing = grid(cols, width=inner)
        buttons = {g.id: KButton(text=g.title, style="plain", halign="left", width=cell,
                                 action=lambda gid=g.id: self.controller.tapped_guide(gid)) for g in guides}
        box.add_widget(heading)
        box.add_widget(listing)
        clear_and_add(listing, buttons.values() if guides else
                      [KLabel(text="这个类别暂时没有指南，请到人工窗口咨询。", width=inner)])
        page = scroller(box, size=(p.width, p.height))
        self._pages[category_id] = (page, heading, buttons)
        return self._pages[category_id]

    def prebuild_one(self) -> bool:
        """Make one more category page ahead of time; False when all are made."""
        for cat in sorted(self.services.kb.categories, key=lambda c: c.order):
            if cat.id not in self._pages:
                self._page(cat.id)
                return True
        return False

    def show(self, category_id: str) -> None:
        page, heading, buttons = self._page(category_id)
        self.category_id = category_id
        self.heading, self.buttons = heading, buttons
        if page.parent is not self:
            self.clear_widgets()
            self.add_widget(page)
        page.scroll_y = 1


# -- Pinyin-initial search ----------------------------------------------------------------------------
class SearchScreen(KioskScreen):
    query = StringProperty("")
    MAX_RESULTS = 30

    def __init__(self, controller, **kw):
        super().__init__(controller, name="search", **kw)
        p = self.profile
        pad = THEME.pad
        self.query_label = KLabel(role="huge", size_hint_x=0.6)
        self.hint = KLabel(role="small", tone="muted")
        self.categories_button = KButton(text="按类别查找", style="soft", size_hint_x=0.4,
                                         action=lambda: self.view.go("categories"))
        head = BoxLayout(size_hint_y=None, spacing=THEME.gap)
        head.add_widget(self.query_label)
        head.add_widget(self.categories_button)
        head.bind(minimum_height=head.setter("height"))
        self.query_label.bind(height=lambda *_: setattr(head, "height", max(self.query_label.height,
                                                                             self.categories_button.height)))
        head.height = THEME.button_h
        self.results = vbox()
        self._popular: list | None = None
        self.result_buttons: list[KButton] = []
        self.keypad = Keypad(self.add_letter, self.delete_letter, self.clear, cols=7 if p.portrait else 6)
        if p.portrait:
            top = BoxLayout(orientation="vertical", spacing=THEME.gap, padding=(pad, pad))
            top.add_widget(head)
            top.add_widget(self.hint)
            top.add_widget(scroller(self.results))
            top.add_widget(self.keypad)
            self.add_widget(top)
        else:
            row = BoxLayout(spacing=pad * 2, padding=(pad, pad))
            left = BoxLayout(orientation="vertical", spacing=THEME.gap, size_hint_x=0.55)
            left.add_widget(head)
            left.add_widget(self.hint)
            left.add_widget(scroller(self.results))
            right = BoxLayout(orientation="vertical", size_hint_x=0.45)
            right.add_widget(self.keypad)
            right.add_widget(Widget())
            row.add_widget(left)
            row.add_widget(right)
            self.add_widget(row)
        if not p.portrait:
            for key in self.keypad.keys.values():
                key.min_height = THEME.button_h * 0.95
        self.refresh()

    def add_letter(self, letter: str) -> None:
        self.query = clean_query(self.query + letter)
        self.refresh()

    def delete_letter(self) -> None:
        self.query = self.query[:-1]
        self.refresh()

    def clear(self) -> None:
        self.query = ""
        self.refresh()

    def reset(self) -> None:
        self.clear()

    def refresh(self) -> None:
        index = self.services.index
        q = self.query
        self.query_label.text = " ".join(q) if q else "请点字母"
        self.keypad.allowed = sorted(index.next_letters(q))
        self.total = 0
        if not q:
            self.hint.text = "按拼音的第一个字母查找。例如：居住证点 JZZ，低保点 DB，敬老卡点 JLK。"
            self.result_buttons = []
            if self._popular is None:  # made once: reset after each resident must stay quick
                self._popular = [KLabel(text="常办事项", role="body", tone="muted")] + [
                    KButton(text=g.title, style="plain", halign="left",
                            action=lambda gid=g.id: self.controller.tapped_guide(gid))
                    for g in self.services.popular()]
            if list(reversed(self.results.children)) != self._popular:
                clear_and_add(self.results, self._popular)
            return
        everything = index.search(q)
        hits, total = everything[: self.MAX_RESULTS], len(everything)
        self.total = total
        self.hint.text = f"找到 {total} 项" + ("，请再点字母缩小范围" if total > len(hits) else "，请点要办的事项") \
            if hits else "没有找到，请点“删除”换一个字母，或按类别查找。"
        self.result_buttons = []
        for h in hits:
            text = h.guide.title if not h.via_alias else \
                f"{h.guide.title}\n[size={THEME.font_small}]（{h.name}）[/size]"
            b = KButton(text=text, style="plain", halign="left",
                        action=lambda gid=h.guide.id: self.controller.tapped_guide(gid))
            b.guide_id = h.guide.id
            self.result_buttons.append(b)
        clear_and_add(self.results, self.result_buttons)


# -- Clarification ---------------------------------------------------------------------------------------
class ChoicesScreen(KioskScreen):
    def __init__(self, controller, **kw):
        super().__init__(controller, name="choices", **kw)
        self.box = vbox(padding=(THEME.pad, THEME.pad))
        self.prompt = title_label("您要办理的是哪一项？")
        self.hint = KLabel(text=VOICE_CHOICE_HINT, tone="muted")
        self.list = vbox()
        self.none_button = KButton(text="都不是", style="soft", action=controller.none_of_these)
        for w in (self.prompt, self.hint, self.list, self.none_button):
            self.box.add_widget(w)
        self.add_widget(scroller(self.box))
        self.buttons: list[KButton] = []

    def show(self, choices: Sequence[Guide], prompt: str) -> None:
        self.prompt.text = prompt
        self.hint.text = TOUCH_CHOICE_HINT if self.controller.mic_state == "off" else VOICE_CHOICE_HINT
        self.buttons = []
        for i, g in enumerate(choices):
            label = ORDINAL_LABELS[i] if i < len(ORDINAL_LABELS) else f"第{i + 1}个"
            text = f"[b]{label}[/b]  {g.title}\n[size={THEME.font_small}]{g.summary}[/size]"
            self.buttons.append(KButton(text=text, style="plain", halign="left",
                                        action=lambda i=i: self.controller.tapped_choice(i)))
        clear_and_add(self.list, self.buttons)


# -- Guide detail -----------------------------------------------------------------------------------------
class GuideScreen(KioskScreen):
    """Title, replay, tabs, the section text in a scroll area, the QR code, the disclaimer and date.

    Laid out again when elder mode changes: with bigger text the QR code moves behind a "扫码带走" button
    (a pop-up) and the disclaimer goes to the end of the text, so the section text keeps its room."""

    guide = ObjectProperty(None, allownone=True)

    def __init__(self, controller, **kw):
        super().__init__(controller, name="guide", **kw)
        self.tab_index = 0
        self.title = title_label("")
        self.summary = KLabel(role="body", tone="ink_soft")
        self.replay_button = KButton(text="再听一遍", style="primary", action=controller.replay)
        self.tabs = [KButton(text=label, style="tab", action=lambda i=i: self.tap_tab(i))
                     for i, (label, _) in enumerate(TABS)]
        self.tab_box: Widget | None = None
        self.content = vbox(padding=(0, 0, THEME.pad * 0.5, 0))
        self.content_scroll = scroller(self.content)
        self.qr = QRCode(size_hint=(None, None))
        self.qr_caption = KLabel(role="small", text=QR_CAPTION)
        self.footer = KLabel(role="small", tone="muted")
        self.qr_button = KButton(text="扫码带走", style="soft", action=self.open_qr)
        self.checks: list[CheckItem] = []
        self.summary_in_content = True
        self.footer_in_content = False
        self.qr_view = None
        self._laid_out_for: bool | None = None
        self.layout()
        controller.bind(elder=lambda *_: self.layout())

    def tab(self, label: str) -> KButton:
        return self.tabs[[name for name, _ in TABS].index(label)]

    def visible_tabs(self) -> list[int]:
        """The tabs this guide has something for (待遇 only when it states its benefits)."""
        g = self.guide
        return [i for i, (label, sections) in enumerate(TABS)
                if g is None or any(section != "benefits" or g.benefits for section in sections)]

    def layout(self) -> None:
        elder = THEME.elder
        if self._laid_out_for == elder:
            return
        self._laid_out_for = elder
        for w in (self.title, self.replay_button, self.content_scroll, self.qr, self.qr_caption, self.footer,
                  self.qr_button, *self.tabs):
            if w.parent is not None:
                w.parent.remove_widget(w)
        self.clear_widgets()
        p = self.profile
        if p.portrait:
            self._layout_portrait(qr_inline=not elder)
        else:
            self._layout_wide(qr_inline=p.name != "robot" and not elder)
        self._fill_tabs()
        if self.guide is not None:
            self.select_tab(self.tab_index)

    def _fill_tabs(self) -> None:
        if self.tab_box is not None:
            clear_and_add(self.tab_box, [self.tabs[i] for i in self.visible_tabs()])

    def _layout_portrait(self, qr_inline: bool):
        pad = THEME.pad
        root = BoxLayout(orientation="vertical", spacing=THEME.gap, padding=(pad, pad * 0.6))
        top = BoxLayout(spacing=THEME.gap, size_hint_y=None)
        self.replay_button.size_hint_x = self.qr_button.size_hint_x = None
        widgets: list[Widget] = [top]
        if qr_inline:
            top.add_widget(self.title)
            top.add_widget(self.replay_button)
            buttons = (self.replay_button,)
        else:
            # Elder: the title has the whole width; 再听一遍 and 扫码带走 (the QR code in a pop-up) below it.
            top.add_widget(self.replay_button)
            top.add_widget(self.qr_button)
            top.add_widget(Widget())
            widgets.insert(0, self.title)
            buttons = (self.replay_button, self.qr_button)

        def size_top(*_):
            for b in buttons:
                b.width = THEME.font_body * 5.4
            top.height = max(self.title.height if qr_inline else 0, self.replay_button.height)
        size_top()
        self.title.bind(height=size_top)
        self.replay_button.bind(height=size_top)
        self.tab_box = tabs = grid(4)
        for t in self.tabs:
            # Elder: tab names one size down, so that 时限与收费 stays on one line and the text keeps its room.
            t.role = "body" if qr_inline else "small"
            t.min_height = THEME.button_h * (0.8 if qr_inline else 0.7)
        widgets += [tabs, self.content_scroll]
        self.footer_in_content = not qr_inline
        if qr_inline:
            bottom = BoxLayout(spacing=THEME.gap * 2, size_hint_y=None)
            side = self.profile.body * 5.2
            self.qr.size = (side, side)
            right = BoxLayout(orientation="vertical", spacing=THEME.gap)

            def size_bottom(*_):
                bottom.height = max(side, self.qr_caption.height + self.footer.height + THEME.gap * 2)
            self.qr_caption.bind(height=size_bottom)
            self.footer.bind(height=size_bottom)
            size_bottom()
            right.add_widget(self.qr_caption)
            right.add_widget(self.footer)
            right.add_widget(Widget())
            qr_holder = AnchorLayout(anchor_y="top", size_hint_x=None, width=side)
            qr_holder.add_widget(self.qr)
            bottom.add_widget(qr_holder)
            bottom.add_widget(right)
            widgets.append(bottom)
        for w in widgets:
            root.add_widget(w)
        self.add_widget(root)

    def _layout_wide(self, qr_inline: bool):
        pad = THEME.pad
        row = BoxLayout(spacing=pad * 1.5, padding=(pad, pad * 0.6))
        left = vbox()
        left.add_widget(self.title)
        left.add_widget(self.replay_button)
        self.replay_button.size_hint_x = 1
        self.qr_button.size_hint_x = 1
        if qr_inline:
            side = self.profile.body * 6.5
            self.qr.size = (side, side)
            qr_row = AnchorLayout(anchor_x="left", size_hint_y=None, height=side)
            qr_row.add_widget(self.qr)
            left.add_widget(qr_row)
            left.add_widget(self.qr_caption)
            left.add_widget(self.footer)
        else:
            left.add_widget(self.qr_button)
        self.footer_in_content = not qr_inline
        self.tab_box = tabs = vbox(spacing=THEME.gap * 0.6)
        for t in self.tabs:  # robot and elder: all tabs in view
            t.role = "small" if THEME.elder else "body"
            t.min_height = THEME.button_h * (0.8 if qr_inline else 0.6)
        tab_holder = scroller(tabs, size_hint_x=None)
        tab_holder.width = THEME.font_body * 5.6 + tab_holder.bar_width + tab_holder.bar_margin + 4
        row.add_widget(scroller(left, size_hint_x=0.36))
        row.add_widget(tab_holder)
        self.content_scroll.size_hint_x = 0.64
        row.add_widget(self.content_scroll)
        self.add_widget(row)

    def open_qr(self):
        """The QR code large, in a pop-up (used where there is no room for it beside the text)."""
        f = THEME.font_body
        w, h = min(f * 24, THEME.profile.width * 0.94), min(f * 13, THEME.profile.height * 0.8)
        view = ModalView(size_hint=(None, None), size=(w, h), auto_dismiss=True, background_color=(0, 0, 0, 0.5))
        box = Panel(spacing=THEME.gap * 2, padding=THEME.pad)
        side_len = min(h - THEME.pad * 2, w * 0.5)
        qr = QRCode(size_hint=(None, 1), width=side_len, text=self.qr.text)
        side = BoxLayout(orientation="vertical", spacing=THEME.gap)
        side.add_widget(KLabel(text=QR_CAPTION.replace("\n", "")))
        side.add_widget(Widget())
        side.add_widget(KButton(text="关闭", style="primary", action=view.dismiss))
        box.add_widget(qr)
        box.add_widget(side)
        view.add_widget(box)
        view.open(animation=False)
        self.qr_view = view
        return view

    # -- showing ---------------------------------------------------------------------------------
    def show(self, guide: Guide, section: str | None) -> None:
        centre = self.services.kb.centre
        if guide is not self.guide:
            self.guide = guide
            self.title.text = guide.title
            self.summary.text = guide.summary
            self.qr.text = guide_card(guide, centre)
            self.footer.text = f"{DISCLAIMER}。本指南更新于 {guide.updated.isoformat()}。"
            self.checks = [CheckItem(text=m.describe()) for m in guide.materials]
            self.tab_index = -1
            self._fill_tabs()
        self.select_tab(tab_of(section) if section else (self.tab_index if self.tab_index >= 0 else 0))

    def tap_tab(self, index: int) -> None:
        self.select_tab(index)
        self.controller.tapped_tab(TABS[index][1])

    def select_tab(self, index: int) -> None:
        if index not in self.visible_tabs():
            index = 0
        self.tab_index = index
        for i, t in enumerate(self.tabs):
            t.selected = i == index
        guide, centre = self.guide, self.services.kb.centre
        label, sections = TABS[index]
        widgets: list[Widget] = []
        for w in (self.summary, self.footer, *self.checks):
            if w.parent is not None and w.parent is self.content:
                self.content.remove_widget(w)
        if self.summary_in_content and (index == 0 or not THEME.elder):
            widgets.append(self.summary)  # elder mode: on the first tab only, the other tabs need the room
        for section in sections:
            if len(sections) > 1:
                widgets.append(KLabel(text=SECTION_NAMES[section], role="title", tone="primary"))
            if section == "materials":
                widgets.append(KLabel(text="准备好一项，点一下打勾：", role="small", tone="muted"))
                widgets.extend(self.checks)
                continue
            lines = guide.section_lines(section, centre)
            numbered = section in ("conditions", "steps", "basis", "benefits") and len(lines) > 1
            for i, line in enumerate(lines, 1):
                line = " ".join(line.split())  # guide text may carry YAML line breaks
                widgets.append(KLabel(text=f"{i}、{line}" if numbered else line))  # no space: wrap as CJK
        if index == 0 and guide.notes:
            widgets.append(KLabel(text="温馨提示", role="title", tone="primary"))
            widgets.extend(KLabel(text="·" + " ".join(n.split())) for n in guide.notes)
        if self.footer_in_content:
            widgets.append(self.footer)
        clear_and_add(self.content, widgets)
        self.content_scroll.scroll_y = 1

    def reset(self) -> None:
        self.guide = None
        self.checks = []
        self.content.clear_widgets()


# -- Not found ---------------------------------------------------------------------------------------------
class NotFoundScreen(KioskScreen):
    def __init__(self, controller, **kw):
        super().__init__(controller, name="notfound", **kw)
        p = self.profile
        centre = self.services.kb.centre
        box = vbox(padding=(THEME.pad, THEME.pad))
        self.heading = title_label("抱歉，没有找到您要办的事")
        self.query = KLabel(tone="primary")
        self.message = KLabel()
        self.retry_button = KButton(text="再说一次", style="primary", action=controller.mic_pressed)
        self.search_button = KButton(text="拼音首字母查找", style="soft", action=lambda: self.view.go("search"))
        self.home_button = KButton(text="回到首页", style="primary", action=controller.go_home)
        self.actions = actions = grid(2)
        clear_and_add(actions, [self.retry_button, self.search_button])
        self.window = KButton(text=f"[b]人工窗口[/b]\n[size={THEME.font_small}]{centre.address}"
                                   f"　咨询电话 {centre.phone}[/size]", style="notice", halign="left")
        tiles = grid(p.columns)
        self.tiles = {}
        for cat in sorted(self.services.kb.categories, key=lambda c: c.order):
            t = KButton(text=cat.name, style="plain", icon=cat.icon, min_height=THEME.button_h * 0.8,
                        action=lambda cid=cat.id: self.view.open_category(cid))
            self.tiles[cat.id] = t
            tiles.add_widget(t)
        for w in (self.heading, self.query, self.message, actions, self.window,
                  KLabel(text="也可以按类别找找看：", tone="muted"), tiles):
            box.add_widget(w)
        self.add_widget(scroller(box))

    def show(self, text: str, query: str, elsewhere: bool = False) -> None:
        # a referral (护照, 诊断证明) is an answer: where to go instead, not "nothing found"
        self.heading.text = "这件事不在本中心办理" if elsewhere else "抱歉，没有找到您要办的事"
        self.query.text = f"您说的是：“{query}”" if query else ""
        self.message.text = text
        # "再说一次" only when the microphone works; otherwise the way home.
        first = self.home_button if self.controller.mic_state == "off" else self.retry_button
        clear_and_add(self.actions, [first, self.search_button])
