"""kiosk shots DIR: render every main screen for each device profile to PNG (offscreen, real GL)."""
from __future__ import annotations

import argparse

from .common import add_guides_option
from .env import Environment

PROFILE_NAMES = ("portrait", "landscape", "robot")  # kiosk.ui.theme.PROFILES, without importing Kivy


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("shots", help="把各个界面截图保存为 PNG / render every screen to PNG",
                       description="Render the main screens with the real guides, one set per device profile, "
                                   "offscreen (SDL_VIDEODRIVER=offscreen).")
    p.add_argument("out_dir", metavar="DIR", help="where the PNG files go")
    p.add_argument("--profile", choices=PROFILE_NAMES, action="append",
                   help="only this device profile (repeatable; default: all)")
    p.add_argument("--scale", type=float, default=1.0, help="shrink the pictures (e.g. 0.5 for the README)")
    p.add_argument("--check", action="store_true",
                   help="measure every label (clipped, overlapping, bad line breaks); print 'screen: problem' "
                        "lines and exit 1 if there are any")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    import os
    import subprocess
    import sys
    from pathlib import Path

    from .common import config_of, guides_dir

    profiles = args.profile or list(PROFILE_NAMES)
    out = Path(args.out_dir)
    if len(profiles) > 1:
        # A window keeps the size it was made with: each profile renders in its own process.
        code = 0
        for name in profiles:
            cmd = [sys.executable, "-m", "kiosk"] + (["--config", args.config] if args.config else [])
            cmd += ["shots", str(out), "--profile", name, "--scale", str(args.scale)]
            cmd += ["--check"] if args.check else []
            cmd += ["--guides", args.guides] if args.guides else []
            child_env = {**os.environ, **dict(env.environ)}
            child_env.setdefault("SDL_VIDEODRIVER", "offscreen")
            res = subprocess.run(cmd, env=child_env, capture_output=True, text=True)
            env.stdout.write(res.stdout)
            if res.returncode == 1:
                code = 1
            elif res.returncode:
                env.err(f"{name}: 截图失败（退出码 {res.returncode}）\n{res.stderr[-2000:]}")
                code = 1
        return code

    from ..app import build_services
    from ..ui.shots import render

    config = config_of(args, env)
    services = build_services(config, guides_dir(args, config))
    shots, problems = render(services, out, profiles[0], args.scale, check=args.check)
    for path in shots:
        env.out(str(path))
    for problem in problems:
        env.out(problem)
    return 1 if problems else 0
