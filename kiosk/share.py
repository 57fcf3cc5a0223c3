"""The text a resident takes away on the phone: a guide's essentials, small enough for one QR code.

Pure text (no qrcode, no Kivy). A phone's camera shows the text as it is, with no network, so it is
written to be read as a note: title, materials, where, when, phone, and the reference disclaimer.
"""
from __future__ import annotations

from .knowledge.model import Centre, Guide

DISCLAIMER = "信息仅供参考，以窗口解释为准"
#: Bytes of UTF-8 that still make a QR code a phone reads easily from a screen (version ≤ 25 at level M).
MAX_BYTES = 900


def _material_line(i: int, m, with_note: bool) -> str:
    bits = [b for b in (m.form, f"{m.count}份" if m.count else None) if b]
    line = f"{i}. {m.name}" + (f"（{'，'.join(bits)}）" if bits else "")
    return line + (f"：{m.note}" if with_note and m.note else "")


def _compose(guide: Guide, centre: Centre, materials: list[str], more: int) -> str:
    lines = [f"【{guide.title}】", "需带材料："]
    lines += materials
    if more:
        lines.append(f"……另有{more}项，请看终端或问窗口")
    lines += [
        f"办理地点：{guide.scope}，{guide.resolved('location', centre)}",
        f"办理时间：{guide.resolved('hours', centre)}",
        f"咨询电话：{guide.resolved('contact', centre)}",
        f"{DISCLAIMER}（{guide.updated.isoformat()}更新）",
    ]
    return "\n".join(lines)


def guide_card(guide: Guide, centre: Centre, max_bytes: int = MAX_BYTES) -> str:
    """The guide's essentials as text of at most max_bytes UTF-8 bytes (notes dropped first, then
    the last materials, which the text then counts)."""
    ms = list(guide.materials)
    for with_note in (True, False):
        text = _compose(guide, centre, [_material_line(i, m, with_note) for i, m in enumerate(ms, 1)], 0)
        if len(text.encode("utf-8")) <= max_bytes:
            return text
    lines = [_material_line(i, m, False) for i, m in enumerate(ms, 1)]
    for keep in range(len(lines) - 1, -1, -1):
        text = _compose(guide, centre, lines[:keep], len(lines) - keep)
        if len(text.encode("utf-8")) <= max_bytes:
            return text
    # Still too long (huge place or hours text): cut the text itself at a character boundary.
    data = _compose(guide, centre, [], len(lines)).encode("utf-8")[: max_bytes - len("……".encode("utf-8"))]
    return data.decode("utf-8", errors="ignore") + "……"
