"""kiosk eval: accuracy of the matcher on a labelled question file."""
from __future__ import annotations

import argparse

from .common import CommandError, add_guides_option, knowledge, matcher_settings
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="测量匹配准确率 / measure matching accuracy",
                       description="Read query<TAB>expected[<TAB>section] rows (expected: guide id or NONE) and "
                                   "print top-1/top-3 accuracy, rejection rates, section accuracy and the misses, "
                                   "next to a plain rapidfuzz baseline.")
    p.add_argument("file", metavar="FILE.tsv")
    p.add_argument("--misses", type=int, default=50, metavar="N", help="list at most N misses (default 50)")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    from ..evaluation import evaluate, read_rows
    from ..matching import Matcher

    try:
        rows = read_rows(args.file)
    except OSError as exc:
        raise CommandError(f"无法读取 {args.file}：{exc.strerror or exc}") from exc
    config, kb, _ = knowledge(args, env)
    report = evaluate(rows, kb, Matcher.for_knowledge(kb, matcher_settings(config)))
    for line in report.lines():
        env.out(line)
    if report.misses and args.misses:
        env.out(f"misses ({len(report.misses)}):")
        for line in report.misses[: args.misses]:
            env.out(f"  {line}")
    return 0
