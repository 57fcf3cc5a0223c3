"""kiosk report: what residents asked that the kiosk could not answer, from the question log."""
from __future__ import annotations

import argparse
import datetime as dt

from .common import CommandError, add_guides_option, config_of, display_path, guides_dir
from .env import Environment


def _date(text: str) -> dt.datetime:
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="居民问题报告 / report on residents' questions",
                       description="Read the question log and print the questions that got none or clarify "
                                   "(grouped by similar wording and by the guide they nearly matched), the most "
                                   "asked guides and busy hours.")
    p.add_argument("--since", type=_date, metavar="DATE", help="only questions from this day on (YYYY-MM-DD)")
    p.add_argument("--until", type=_date, metavar="DATE", help="only questions before this day (YYYY-MM-DD)")
    p.add_argument("--log", metavar="FILE", help="question log (default: log.dir/log.questions in config)")
    p.add_argument("--csv", metavar="FILE", help="also write the report as CSV (UTF-8, opens in WPS/Excel)")
    p.add_argument("--html", metavar="FILE", help="also write the report as one HTML page")
    p.add_argument("--export-review", metavar="FILE",
                   help="write unanswered questions as rows for staff to review (then: kiosk regression add FILE)")
    p.add_argument("--limit", type=int, default=30, metavar="N", help="items per part in the printed report")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    from ..knowledge import load_directory
    from ..staff.qlog import DEFAULT_NAME, read_log
    from ..staff.report import build_report, render_text, write_csv, write_html, write_review

    config = config_of(args, env)
    path = args.log or (config.path("log.dir") / (config.get("log.questions") or DEFAULT_NAME))
    result = read_log(path, since=args.since, until=args.until)
    if not result.files:
        raise CommandError(f"找不到问题记录 {display_path(path) if not args.log else path}")
    kb, _ = load_directory(guides_dir(args, config), config.centre)
    rep = build_report(result.records, kb)
    rep.skipped_lines = result.skipped
    for line in render_text(rep, limit=max(args.limit, 1)):
        env.out(line)
    try:
        if args.csv:
            write_csv(rep, args.csv)
            env.err(f"已写入 {args.csv}")
        if args.html:
            write_html(rep, args.html)
            env.err(f"已写入 {args.html}")
        if args.export_review:
            n = write_review(rep, args.export_review)
            env.err(f"已写入 {args.export_review}（{n} 行待审核；填好后运行 kiosk regression add {args.export_review}）")
    except OSError as exc:
        raise CommandError(f"无法写入文件：{exc.strerror or exc}（{exc.filename}）") from exc
    return 0
