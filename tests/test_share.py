"""The take-away text behind the QR code."""
import dataclasses

from kiosk.knowledge.model import Material
from kiosk.share import DISCLAIMER, MAX_BYTES, guide_card


def test_card_carries_the_essentials(kb):
    g = kb.get("assistance-01")
    text = guide_card(g, kb.centre)
    assert text.splitlines()[0] == f"【{g.title}】"
    for m in g.materials:
        assert m.name in text
    assert g.resolved("location", kb.centre) in text
    assert kb.centre.hours in text  # 中心默认 resolved to the centre's hours
    assert f"咨询电话：{kb.centre.phone}" in text
    assert DISCLAIMER in text and g.updated.isoformat() in text
    assert len(text.encode("utf-8")) <= MAX_BYTES


def test_long_guides_drop_notes_then_count_the_materials_left_out(kb):
    g = kb.get("assistance-01")
    many = tuple(Material(f"第{i}种证明材料的很长很长的名称", "原件", 1, "这是一条很长的说明" * 3) for i in range(40))
    big = dataclasses.replace(g, materials=many)
    text = guide_card(big, kb.centre)
    assert len(text.encode("utf-8")) <= MAX_BYTES
    assert "这是一条很长的说明" not in text
    assert "1. 第0种证明材料" in text
    shown = sum(1 for line in text.splitlines() if "证明材料的很长" in line)
    assert f"另有{40 - shown}项" in text and 0 < shown < 40
    assert "咨询电话" in text and DISCLAIMER in text


def test_even_absurd_text_is_cut_to_the_budget(kb):
    g = dataclasses.replace(kb.get("assistance-01"), location="很远的地方" * 200)
    text = guide_card(g, kb.centre, max_bytes=300)
    assert len(text.encode("utf-8")) <= 300 and text.endswith("……")
