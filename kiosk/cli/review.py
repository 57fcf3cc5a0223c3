"""kiosk review: which guides staff should check first (oldest source check, open doubts, no source)."""
from __future__ import annotations

import argparse

from .common import add_guides_option, config_of, guides_dir
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="列出需要核对的指南 / guides to check first",
                       description="List guides for staff review: those with no source first, then by the oldest "
                                   "date a source was checked; with --doubts, only guides with open doubts, "
                                   "each doubt on its own line.")
    p.add_argument("--doubts", action="store_true", help="only guides with open doubts, listing them")
    p.add_argument("--limit", type=int, default=0, metavar="N", help="at most N guides (default: all)")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    from ..knowledge import load_directory
    from ..staff.review import review_rows

    config = config_of(args, env)
    directory = guides_dir(args, config)
    kb, problems = load_directory(directory, config.centre)
    rows = review_rows(kb.guides)
    if args.doubts:
        rows = [r for r in rows if r.doubts]
    if args.limit > 0:
        rows = rows[: args.limit]
    for r in rows:
        checked = r.oldest.isoformat() if r.oldest else "无来源"
        env.out(f"{r.guide.id}\t{checked}\t{len(r.guide.sources)} 个来源\t{len(r.doubts)} 个疑点\t{r.guide.title}")
        if args.doubts:
            for d in r.doubts:
                env.out(f"    · {d}")
    errors = sum(p.is_error for p in problems)
    env.err(f"共 {len(rows)} 个指南；{sum(1 for r in rows if r.oldest is None)} 个没有来源，"
            f"{sum(1 for r in rows if r.doubts)} 个有待核实的疑点" + (f"；另有 {errors} 处加载错误" if errors else "") + "。")
    return 0
