"""kiosk scrub: show exactly what the question log would store for each line of standard input."""
from __future__ import annotations

import argparse

from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scrub", help="查看问题记录会怎样去掉个人信息 / show what the log would store",
                       description="Read questions, one per line on standard input, and print each as the "
                                   "question log would store it: ID, phone and bank card numbers, names, "
                                   "addresses and e-mails replaced by labels such as [身份证号].")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    from ..staff.scrub import scrub

    for line in env.stdin:
        env.out(scrub(line.rstrip("\r\n")))
    return 0
