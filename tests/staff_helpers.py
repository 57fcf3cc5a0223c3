"""Test helpers for the staff tests: a second guide made from assistance-01."""
from __future__ import annotations

from pathlib import Path


# A second guide made from assistance-01 by changing its id, title and aliases (for reload/dialogue tests).
SECOND_GUIDE_EDITS = {
    "id: assistance-01": "id: assistance-03",
    "title: 城乡居民最低生活保障申请": "title: 低收入困难家庭认定申请",
    "aliases:\n  - 低保\n  - 申请低保\n  - 吃低保\n  - 低保户\n  - 最低生活保障\n  - 办低保\n  - 低保金\n"
    "  - 生活困难补助\n  - 最低生活费\n":
        "aliases:\n  - 低收入家庭\n  - 低收入认定\n  - 低边\n  - 低保边缘\n  - 低收入户\n  - 收入困难认定\n",
}


def add_second_guide(guide_dir: Path, extra: dict[str, str] | None = None) -> Path:
    """Write assistance-03 (低收入困难家庭认定申请) next to assistance-01 in a guide_dir copy."""
    text = (guide_dir / "assistance" / "assistance-01.yaml").read_text(encoding="utf-8")
    for old, new in {**SECOND_GUIDE_EDITS, **(extra or {})}.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = guide_dir / "assistance" / "assistance-03.yaml"
    path.write_text(text, encoding="utf-8")
    return path
