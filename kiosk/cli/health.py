"""kiosk health: is the kiosk running, do its guides load, can it write its log. Exit code for watchdogs."""
from __future__ import annotations

import argparse

from .common import config_of
from .env import Environment


def _epilog() -> str:
    from ..staff.health import EXIT_CODES

    return "exit codes: " + "; ".join(f"{code} = {text}" for code, text in EXIT_CODES.items())


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("health", help="检查终端是否正常 / is this kiosk healthy",
                       description="Check the heartbeat written by the running kiosk, that the guides load and "
                                   "that the log folder is writable. "
                                   "Exit 0 healthy; 1 not running or hung (no or old heartbeat); 2 usage or "
                                   "config error; 3 no guide loads; 4 log folder not writable; 5 speech output off "
                                   "or failing (as the heartbeat reports it, else tried here). When several "
                                   "fail, the cause is returned first: 2, then 3, then 4, then 1, then 5.")
    p.add_argument("--no-heartbeat", action="store_true",
                   help="skip the heartbeat (before the kiosk starts, e.g. in ExecStartPre)")
    p.add_argument("--json", action="store_true", help="print the checks and the last heartbeat as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    import json

    from ..staff.health import EXIT_CODES, check

    config = config_of(args, env)
    report = check(config, heartbeat=not args.no_heartbeat)
    if args.json:
        env.out(json.dumps({"code": report.code, "checks": [c.__dict__ for c in report.checks],
                            "heartbeat": report.heartbeat}, ensure_ascii=False))
    else:
        for line in report.lines():
            env.out(line)
        env.out(f"结果：{report.code}，{EXIT_CODES[report.code]}")
    return report.code
