"""kiosk run: start the kiosk screen (full screen and locked unless --windowed)."""
from __future__ import annotations

import argparse

from .common import add_guides_option
from .env import Environment
from .shots import PROFILE_NAMES


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="启动终端界面 / start the kiosk screen",
                       description="Start the touch and voice kiosk. Full screen and locked (no Esc, no window "
                                   "decorations) unless --windowed; staff leave with five taps in the top-left "
                                   "corner and the PIN from config.")
    p.add_argument("--windowed", action="store_true", help="a normal window, Esc closes it (development)")
    p.add_argument("--profile", choices=PROFILE_NAMES, help="device profile (default: ui.profile in config)")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    import logging

    from ..app import run as run_app
    from .common import config_of, guides_dir

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = config_of(args, env)
    return run_app(config, guides_dir=guides_dir(args, config), windowed=args.windowed, profile=args.profile)
