#!/usr/bin/env python3
"""Rebuild the category icons in kiosk/ui/icons from the SVG sources beside them.

The sources are Tabler Icons (outline set, MIT licence, kiosk/ui/icons/LICENSE-tabler-icons.txt), copied
from the npm package @tabler/icons into kiosk/ui/icons/svg/ under the name categories.yaml uses
(``icon:``). Each becomes a white-on-transparent PNG that the kiosk tints with the theme's colour, so one
file serves normal and elder mode. Nothing is fetched when the kiosk runs.

Needs cairosvg (``pip install cairosvg``; not a dependency of the kiosk):

    python scripts/make_icons.py [--size 128]
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "kiosk" / "ui" / "icons"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128)
    args = parser.parse_args()
    import cairosvg

    for svg in sorted((ICONS / "svg").glob("*.svg")):
        text = svg.read_text(encoding="utf-8").replace("currentColor", "#FFFFFF")
        text = re.sub(r'stroke-width="2"', 'stroke-width="1.75"', text, count=1)
        out = ICONS / f"{svg.stem}.png"
        cairosvg.svg2png(bytestring=text.encode(), write_to=str(out), output_width=args.size,
                         output_height=args.size)
        print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
