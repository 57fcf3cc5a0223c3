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


NO_DISPLAY = ("没有可用的显示器（DISPLAY 和 WAYLAND_DISPLAY 都没有设置），终端界面无法显示。\n"
              "要查看各个界面：kiosk shots DIR（把每个界面保存成 PNG 图片，加 --check 检查排版）。\n"
              "没有桌面的一体机可以设置 SDL_VIDEODRIVER=kmsdrm 直接用显卡输出。")


def display_problem(environ, platform: str | None = None) -> str | None:
    """Why the kiosk screen could not be seen here, or None. A chosen SDL video driver is trusted
    (kmsdrm on a console kiosk, offscreen in tests)."""
    import sys

    if (platform or sys.platform) != "linux" or environ.get("SDL_VIDEODRIVER"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return NO_DISPLAY


def run(args: argparse.Namespace, env: Environment) -> int:
    import logging

    problem = display_problem(env.environ)
    if problem:
        env.err(problem)
        return 2
    from ..ui import stop_on_signals

    stop_on_signals()  # before the guides load: a stop request during start-up is honoured too

    from ..app import run as run_app
    from .common import config_of, guides_dir

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = config_of(args, env)
    code = run_app(config, guides_dir=guides_dir(args, config), windowed=args.windowed, profile=args.profile)
    # By now the window is closed and speech, microphone, reloader and question log are shut and written.
    # Python's own teardown of Kivy, SDL and Mesa then takes 2-5 s here, longer than a service manager
    # should wait after SIGTERM: flush what is left and leave at once.
    import os
    import sys

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr, env.stdout, env.stderr):
        stream.flush()
    os._exit(code)
