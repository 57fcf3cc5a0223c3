#!/usr/bin/env python3
"""Build the kiosk's Chinese font: Noto Sans SC cut down to what the kiosk can ever show.

The subset holds GB2312 (the 6,763 common simplified characters and its symbols), printable ASCII,
common CJK punctuation, and every character used in the guides and in the kiosk's own code and kv
files. It writes, next to each other in kiosk/data/fonts/:

  NotoSansSC-Kiosk.otf   the subset font
  OFL.txt                the font's licence (SIL Open Font License 1.1), as shipped with the source
  coverage.txt           the code points the font covers, one hex range per line (e.g. 4e00-4e01),
                         so `kiosk validate` and tests can check text without fonttools

Run it again after adding guides with characters outside GB2312 (tests/test_font.py fails then):

  .venv/bin/pip install -e '.[font]' && .venv/bin/python scripts/make_font.py [EXTRA_DIR ...]

EXTRA_DIR: more folders whose .yaml/.tsv/.py/.kv/.md text must be covered (e.g. another guides tree).
"""
from __future__ import annotations

import argparse
import importlib.metadata
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "kiosk" / "data" / "fonts"
FONT_NAME = "NotoSansSC-Kiosk.otf"
TEXT_SUFFIXES = {".yaml", ".yml", ".tsv", ".py", ".kv", ".md", ".txt"}
# Sources of characters the kiosk shows: the guides, the matcher's referrals, and the UI's strings.
SOURCES = ("guides", "kiosk")


def gb2312_chars() -> set[str]:
    """Every character encodable in GB2312 (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def text_chars(folders) -> set[str]:
    out = set()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in TEXT_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                out.update(path.read_text(encoding="utf-8", errors="ignore"))
    return out


def wanted_chars(extra_dirs) -> set[str]:
    chars = gb2312_chars()
    chars.update(chr(c) for c in range(0x20, 0x7F))
    chars.update(chr(c) for c in range(0x3000, 0x3020))  # CJK punctuation: 、。〈〉《》「」【】〔〕
    chars.update(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width forms: （）：；！？０-９Ａ-Ｚ
    chars.update(chr(c) for c in range(0x2010, 0x2028))  # general punctuation: ‐ – — ‘ ’ “ ” … ·
    chars.update("℃№√×÷①②③④⑤⑥⑦⑧⑨⑩")
    chars.update(text_chars([ROOT / s for s in SOURCES] + list(extra_dirs)))
    return {c for c in chars if c.isprintable() and c != "\x7f"}


def ranges(code_points) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for cp in sorted(code_points):
        if out and cp == out[-1][1] + 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


def source_font() -> Path:
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.__file__).resolve().parent / "NotoSansSC-Regular.otf"


def licence_text(font) -> str:
    copyright_line = font["name"].getDebugName(0) or ""
    meta = importlib.metadata.metadata("pylopdf-fonts-zh-cn")
    text = meta.get("License") or ""
    if "Open Font License" not in text:
        sys.exit("could not find the font's OFL licence text in the package metadata")
    head = ("NotoSansSC-Kiosk.otf is a subset of Noto Sans SC (Google / Adobe), made by scripts/make_font.py.\n"
            f"Copyright notice of the source font: {copyright_line}\nIts licence follows.\n\n")
    return head + text.strip() + "\n"


def main(argv=None) -> int:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("extra", nargs="*", type=Path, help="more folders whose characters must be covered")
    args = parser.parse_args(argv)

    src = source_font()
    cmap = TTFont(src)["cmap"].getBestCmap()
    wanted = {ord(c) for c in wanted_chars(args.extra)}
    missing = sorted(cp for cp in wanted if cp not in cmap and cp > 0x20)
    keep = sorted(cp for cp in wanted if cp in cmap)

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    font = TTFont(src)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=keep)
    sub.subset(font)
    OUT.mkdir(parents=True, exist_ok=True)
    font.save(OUT / FONT_NAME)

    covered = sorted(TTFont(OUT / FONT_NAME)["cmap"].getBestCmap())
    lines = [f"{a:04x}-{b:04x}" for a, b in ranges(covered)]
    (OUT / "coverage.txt").write_text(
        "# Code points covered by NotoSansSC-Kiosk.otf, one inclusive hex range per line.\n"
        "# Made by scripts/make_font.py; do not edit.\n" + "\n".join(lines) + "\n", encoding="utf-8")
    (OUT / "OFL.txt").write_text(licence_text(TTFont(src)), encoding="utf-8")
    size = (OUT / FONT_NAME).stat().st_size
    print(f"{FONT_NAME}: {len(covered)} code points in {len(lines)} ranges, {size / 1e6:.2f} MB")
    if missing:
        print("not in the source font: " + " ".join(f"U+{cp:04X}" for cp in missing), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
