"""The layout checker behind `kiosk shots --check`, and the Chinese line breaking of the kiosk's labels, on
real Kivy labels drawn offscreen (SDL offscreen + Mesa GL)."""
from __future__ import annotations

import pytest

from kivy_harness import WINDOW, frames

pytestmark = pytest.mark.ui

AMOUNTS = "按年龄段每月领取：65至69周岁75元，80至89周岁180元。咨询电话962222，上午8:30开门。"


@pytest.fixture
def stage():
    """An empty window to plant widgets in."""
    for child in list(WINDOW.children):
        WINDOW.remove_widget(child)
    from kivy.uix.floatlayout import FloatLayout

    root = FloatLayout()
    WINDOW.add_widget(root)
    yield root
    WINDOW.remove_widget(root)


def _plant(stage, label, x=20, y=200):
    label.size_hint = (None, None)
    label.pos = (x, y)
    stage.add_widget(label)
    frames(3)
    return label


def _plain(text, width):
    from kivy.uix.label import Label

    label = Label(text=text, font_size=44, text_size=(width, None), width=width)
    label.bind(texture_size=lambda w, s: setattr(w, "height", s[1]))
    return label


def test_kivy_alone_breaks_amounts_and_the_checker_says_so_while_klabel_keeps_them(stage):
    from kiosk.ui.shots import drawn_lines, layout_problems
    from kiosk.ui.widgets import KLabel

    planted = None
    for width in range(240, 720, 20):  # find a width at which Kivy's own wrapping tears an amount apart
        label = _plant(stage, _plain(AMOUNTS, width))
        problems = layout_problems(label, "planted")
        if any("number split" in p or "line starts with" in p for p in problems):
            planted = (width, label, problems)
            break
        stage.remove_widget(label)
    assert planted, "Kivy's plain wrapping never broke a number or punctuation rule: the check proves nothing"
    width, label, problems = planted
    assert all(p.startswith("planted: ") for p in problems)
    stage.remove_widget(label)
    ours = _plant(stage, KLabel(text=AMOUNTS, width=width))
    lines = drawn_lines(ours)
    assert len(lines) > 1 and "".join(lines) == AMOUNTS
    assert layout_problems(ours, "ours") == []
    for piece in ("65至69周岁", "180元。", "962222", "8:30"):
        assert any(piece in line for line in lines), (piece, lines)


def test_every_width_gives_lines_that_keep_the_rules(stage):
    from kiosk.ui.linebreak import line_problems
    from kiosk.ui.shots import drawn_lines
    from kiosk.ui.widgets import KButton, KLabel

    for width in range(330, 900, 37):  # wider than the longest unbreakable piece
        label = _plant(stage, KLabel(text=AMOUNTS + "携带身份证（原件）、户口簿（原件）。", width=width))
        assert line_problems(drawn_lines(label)) == [], (width, drawn_lines(label))
        stage.remove_widget(label)
    for width in (190, 230, 270, 330):  # room for 3 characters and more
        tile = _plant(stage, KButton(text="退役军人与工会", width=width))
        lines = drawn_lines(tile)
        assert min(len(s) for s in lines) >= 2, lines  # balanced, never 退役军人与工/会
        stage.remove_widget(tile)


def test_the_checker_reports_clipped_labels(stage):
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.scrollview import ScrollView

    from kiosk.ui.shots import layout_problems
    from kiosk.ui.widgets import KLabel, KScroll

    # Held in a box too small for it.
    box = BoxLayout(orientation="vertical", size_hint=(None, None), size=(400, 60), pos=(20, 600))
    box.add_widget(KLabel(text="这段文字有好几行，放不进这么矮的一个框里面。"))
    stage.add_widget(box)
    # Half outside the window.
    _plant(stage, KLabel(text="一半在窗口外面", width=600), x=WINDOW.width - 200, y=100)
    frames(3)
    problems = layout_problems(WINDOW, "clipped")
    assert any("sticks out of its parent" in p and "这段文字" in p for p in problems), problems
    assert any("outside the window" in p and "一半在窗口外面" in p for p in problems), problems

    # A scroll area cut at the bottom: a problem unless it shows that more follows.
    def scroll_area(cls):
        for child in list(stage.children):
            stage.remove_widget(child)
        content = BoxLayout(orientation="vertical", size_hint_y=None, padding=(0, 0, 0, 0))
        content.bind(minimum_height=content.setter("height"))
        for i in range(20):
            content.add_widget(KLabel(text=f"第{i + 1}行，" * 3))
        sv = cls(size_hint=(None, None), size=(600, 450), pos=(20, 20), do_scroll_x=False)
        sv.add_widget(content)
        stage.add_widget(sv)
        frames(4)
        return layout_problems(WINDOW, "scroll")

    plain = scroll_area(ScrollView)
    assert any("does not show more follows" in p for p in plain), plain
    assert any("under the scroll bar" in p for p in plain), plain
    assert scroll_area(KScroll) == []


def test_overlapping_labels_are_reported(stage):
    from kiosk.ui.shots import layout_problems
    from kiosk.ui.widgets import KLabel

    _plant(stage, KLabel(text="第一行字", width=400), y=300)
    _plant(stage, KLabel(text="第二行字", width=400), y=310)
    problems = layout_problems(WINDOW, "overlap")
    assert any("drawn over" in p for p in problems), problems


def test_kiosk_shots_check_prints_screen_problem_lines_and_exits_1(tmp_path, stage, monkeypatch):
    """The command's side: a screen with a planted bad break and a clipped label is reported as
    `screen: problem` lines, exit 1; the same screens without them exit 0."""
    import io

    import kiosk.ui.shots as shots
    from kiosk.cli import main
    from kiosk.cli.env import Environment
    from kiosk.ui.widgets import KLabel

    def planted_render(services, out_dir, profile_name, scale=1.0, check=True):
        from kivy.uix.boxlayout import BoxLayout

        box = BoxLayout(orientation="vertical", size_hint=(None, None), size=(400, 60), pos=(20, 600))
        box.add_widget(KLabel(text="这段文字有好几行，放不进这么矮的一个框里面。"))
        stage.add_widget(box)
        stage.add_widget(_plain(AMOUNTS, 300))
        frames(3)
        found = shots.layout_problems(WINDOW, f"{profile_name}-01-planted") if check else []
        return [], found

    monkeypatch.setattr(shots, "render", planted_render)
    out = io.StringIO()
    code = main(["shots", str(tmp_path), "--profile", "portrait", "--check"],
                Environment(stdout=out, stderr=io.StringIO()))
    lines = out.getvalue().splitlines()
    assert code == 1
    assert lines and all(line.startswith("portrait-01-planted: ") for line in lines), lines
    assert any("sticks out of its parent" in line for line in lines)
    assert any("number split" in line or "line starts with" in line for line in lines), lines

    for child in list(stage.children):
        stage.remove_widget(child)
    monkeypatch.setattr(shots, "render", lambda *a, **k: ([], []))
    assert main(["shots", str(tmp_path), "--profile", "portrait", "--check"],
                Environment(stdout=io.StringIO(), stderr=io.StringIO())) == 0
