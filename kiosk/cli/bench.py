"""kiosk bench: print speed and memory figures against their targets."""
from __future__ import annotations

import argparse
import importlib

from .common import config_of, guides_dir
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    from ..benchmarks import BENCHMARKS

    p = sub.add_parser("bench", help="测量速度和内存 / print latency and memory benchmarks")
    p.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run ({', '.join(BENCHMARKS)}); default all")
    p.add_argument("--only", choices=BENCHMARKS, action="append", help="run only this benchmark (repeatable)")
    p.add_argument("--quick", action="store_true", help="fewer repetitions, for a smoke run")
    p.add_argument("--guides", metavar="DIR", help="guide folder (default: guides_dir in config)")
    p.add_argument("--sessions", type=int, metavar="N", help="serve: concurrent sessions (default 50)")
    p.add_argument("--questions", type=int, metavar="N", help="serve: questions in all (default 100000)")
    p.add_argument("--rate", type=float, metavar="Q", help="serve: questions a second offered (default 330)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    from pathlib import Path

    from ..benchmarks import BENCHMARKS, Context, rss_mb

    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        env.err(f"没有这项测量：{'、'.join(unknown)}（可选：{', '.join(BENCHMARKS)}）")
        return 2
    config = config_of(args, env)
    ctx = Context(Path(guides_dir(args, config)), config, quick=args.quick,
                  options={"sessions": args.sessions, "questions": args.questions, "rate": args.rate})
    for name in [*(args.only or []), *args.names] or BENCHMARKS:
        module = importlib.import_module(f"kiosk.benchmarks.{name}")
        env.out(f"{module.TITLE}")
        for row in module.run(ctx):
            env.out(row.render())
        env.stdout.flush()
    env.out(f"peak memory of this process: {rss_mb():.0f} MB")
    return 0
