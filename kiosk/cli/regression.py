"""kiosk regression: run the reviewed-question file, or add newly reviewed questions to it."""
from __future__ import annotations

import argparse

from .common import CommandError, add_guides_option, knowledge, matcher_settings
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("regression", help="已审核问题回归检查 / reviewed questions that must keep working",
                       description="check: run every row of the regression file (exit 1 if any fails). "
                                   "add FILE: append the reviewed rows of FILE (from kiosk report --export-review) "
                                   "that the matcher gets right; list the others with what the matcher did.")
    p.add_argument("action", choices=("check", "add"))
    p.add_argument("review", nargs="?", metavar="FILE", help="reviewed rows to add (for add)")
    p.add_argument("--file", metavar="TSV", help="regression file (default: report.regression_file in config)")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    from ..matching import Matcher
    from ..staff.regression import add_reviewed, run_file

    config, kb, _ = knowledge(args, env)
    target = args.file or config.path("report.regression_file")
    matcher = Matcher.for_knowledge(kb, matcher_settings(config))
    try:
        if args.action == "check":
            outcomes, left_out = run_file(target, kb, matcher)
            failed = [o for o in outcomes if not o.ok]
            for o in failed:
                env.out(o.describe())
            tail = f"；{left_out} 行的指南未加载，未检查" if left_out else ""
            env.err(f"{len(outcomes) - len(failed)}/{len(outcomes)} 行通过{tail}。")
            return 1 if failed else 0
        if not args.review:
            raise CommandError("kiosk regression add 需要一个已审核的文件")
        res = add_reviewed(args.review, target, kb, matcher)
    except FileNotFoundError as exc:
        raise CommandError(f"找不到文件 {exc.filename}") from exc
    for line in res.invalid:
        env.out(line)
    if res.failing:
        env.out("以下问题目前答得不对，请先给正确的指南补充别名或问法，再运行一次：")
        for o in res.failing:
            env.out("  " + o.describe())
    env.err(f"已加入 {len(res.added)} 行到 {target}；{len(res.failing)} 行答得不对，{len(res.invalid)} 行有误，"
            f"{res.unreviewed} 行未审核，{res.duplicates} 行已存在。")
    return 1 if res.failing or res.invalid else 0
