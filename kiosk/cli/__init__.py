"""The ``kiosk`` command and its subcommands.

Each subcommand is a module here with ``add_parser(subparsers)``; importing it must stay cheap, so
heavy libraries (Kivy, Vosk, pyttsx3, sounddevice) are imported only inside its ``run``.
"""
from __future__ import annotations

import argparse
import importlib
from typing import Sequence

from .common import CommandError
from .env import Environment

# Subcommand modules, in the order ``kiosk --help`` lists them.
COMMANDS = ("run", "serve", "ask", "say", "listen", "validate", "eval", "train-rerank", "models", "new", "lint", "review", "report", "scrub", "regression",
            "health", "shots", "bench")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="长宁智能服务：社区事务受理服务中心办事指南查询终端 / offline service-guide kiosk",
    )
    parser.add_argument("--config", metavar="FILE", help="deployment config file (default: $KIOSK_CONFIG)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name.replace('-', '_')}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    env = env or Environment()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    try:
        return int(args.func(args, env) or 0)
    except CommandError as exc:
        env.err(str(exc))
        return 2
    except KeyboardInterrupt:
        env.err("已中断。")
        return 130
    except BrokenPipeError:
        return 0
