"""kiosk eval: accuracy of the matcher on labelled question files and on the guides' own questions."""
from __future__ import annotations

import argparse

from .common import CommandError, add_guides_option, knowledge, matcher_settings
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="测量匹配准确率 / measure matching accuracy",
                       description="Read query<TAB>expected[<TAB>section[<TAB>kind]] rows (expected: guide id or "
                                   "NONE) and print top-1/top-3 accuracy, how often the right guide was reached, "
                                   "wrong answers, rejections, section accuracy and the misses, next to a plain "
                                   "BM25 baseline over the same guides in the same run.")
    p.add_argument("files", metavar="FILE.tsv", nargs="*")
    p.add_argument("--loo", action="store_true",
                   help="also leave-one-out over the guides' own questions (each asked of an index without it)")
    p.add_argument("--folds", type=int, default=10, metavar="K", help="folds for --loo (default 10)")
    p.add_argument("--garble", type=float, default=0.0, metavar="RATE",
                   help="replace this share of characters by homophones (deterministic, see --seed)")
    p.add_argument("--seed", type=int, default=1, metavar="N", help="seed for --garble (default 1)")
    p.add_argument("--tune", action="store_true",
                   help="choose the decision thresholds by 5-fold cross-validation over all sets given "
                        "(with --loo: and the guides' questions; with --garble: each question as written and "
                        "misheard) and print each fold's held-out figure")
    p.add_argument("--misses", type=int, default=20, metavar="N", help="list at most N misses per set (default 20)")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    from functools import partial
    from pathlib import Path

    from ..evaluation import BaselineBM25, garble, loo_runs, read_rows, run_rows, summarize
    from ..matching import Matcher

    if not args.files and not args.loo:
        raise CommandError("请给出问题文件（.tsv），或者用 --loo")
    sets = []
    for name in args.files:
        try:
            sets.append((name, read_rows(name)))
        except OSError as exc:
            raise CommandError(f"无法读取 {name}：{exc.strerror or exc}") from exc
    config, kb, _ = knowledge(args, env)
    settings = matcher_settings(config)
    matcher = Matcher.for_knowledge(kb, settings)
    baseline = BaselineBM25(kb.guides)
    transform = partial(garble, rate=args.garble, seed=args.seed) if args.garble > 0 else None
    tag = f", garbled {args.garble:g} seed {args.seed}" if transform else ""
    results = []
    for name, rows in sets:
        results.append((Path(name).name + tag, run_rows(rows, matcher, baseline, transform)))
    if args.loo:
        results.append((f"LOO, {args.folds} folds{tag}", loo_runs(kb, settings, args.folds, transform=transform)))
    reports = []
    for name, outcomes in results:
        report = summarize(outcomes, name, settings.max_choices)
        reports.append(report)
        env.out(f"== {name}")
        for line in report.lines():
            env.out(line)
        if report.misses and args.misses:
            env.out(f"misses ({len(report.misses)}):")
            for line in report.misses[: args.misses]:
                env.out(f"  {line}")
        env.out("")
    env.out(f"{'set':<40} matcher top-1  BM25 top-1  reached  wrong  none  NONE rejected")
    for r in reports:
        rejected = f"{r.rate('none_rejected'):12.1f}%" if r.none_rows else f"{'n/a':>13}"
        if r.in_scope:
            env.out(f"{r.name[:40]:<40} {r.rate('top1'):12.1f}% {r.rate('base_top1'):10.1f}% {r.rate('reached'):7.1f}% "
                    f"{r.rate('answered_wrong'):5.1f}% {r.rate('false_reject'):4.1f}% {rejected}")
        else:  # only questions no guide serves
            env.out(f"{r.name[:40]:<40} {'n/a':>13} {'n/a':>11} {'n/a':>8} {'n/a':>6} {'n/a':>5} {rejected}")
    if args.tune:
        _tune(args, env, kb, settings, sets, transform)
    return 0


def _tune(args, env: Environment, kb, settings, sets, transform) -> None:
    from ..evaluation import cross_validate, features, loo_matchers
    from ..matching import Matcher

    def group(m, query: str, expected: str) -> list:
        out = [features(m, query, expected)]
        if transform:
            out.append(features(m, transform(query), expected))
        return out

    matcher = Matcher.for_knowledge(kb, settings)
    groups = [group(matcher, r.query, r.expected) for _, rows in sets for r in rows]
    if args.loo:
        for m, _, rows in loo_matchers(kb, settings, args.folds):
            groups += [group(m, r.query, r.expected) for r in rows]
    fs = [f for g in groups for f in g]
    chosen, folds = cross_validate(groups, settings)
    env.out("")
    env.out(f"5-fold cross-validation of the decision over {len(fs)} questions (utility per question):")
    for i, (st, train_u, held_u) in enumerate(folds, 1):
        env.out(f"  fold {i}: {_thresholds(st)}: train {train_u:.3f}, held out {held_u:.3f}")
    env.out(f"chosen on all: {_thresholds(chosen)}")


def _thresholds(st) -> str:
    return (f"answer_score {st.answer_score:g}, clarify_margin {st.clarify_margin:g}, none_score {st.none_score:g}, "
            f"event_margin {st.event_margin:g}, topic_margin {st.topic_margin:g}, "
            f"topic_named_margin {st.topic_named_margin:g}, foreign_share {st.foreign_share:g}")
