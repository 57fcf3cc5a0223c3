"""kiosk train-rerank: learn the second stage's weights from the guides' own questions."""
from __future__ import annotations

import argparse

from .common import add_guides_option, knowledge, matcher_settings
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-rerank", help="从指南自身的问题重新学习第二阶段排序权重 / retrain the second-stage weights",
                       description="Ask each guide question of a first stage built without it (leave-one-out), "
                                   "fit the second stage's weights (regularisation chosen by cross-validation over "
                                   "the folds) and write them (default kiosk/data/rerank.json).")
    p.add_argument("--folds", type=int, default=10, metavar="K", help="leave-one-out folds (default 10)")
    p.add_argument("--k", type=int, default=8, metavar="N", help="candidates the second stage reorders (default 8)")
    p.add_argument("--out", metavar="FILE", help="where to write the weights (default: the file the matcher reads)")
    p.add_argument("--dry-run", action="store_true", help="print the result, write nothing")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    from pathlib import Path

    from ..matching.rerank import FEATURES, WEIGHTS_FILE, train

    config, kb, _ = knowledge(args, env)
    weights, report = train(kb, matcher_settings(config), folds=args.folds, k=args.k)
    for line in report.lines():
        env.out(line)
    env.out("weights: " + ", ".join(f"{f} {w:.3f}" for f, w in zip(FEATURES, weights.weights)))
    if not args.dry_run:
        out = Path(args.out) if args.out else WEIGHTS_FILE
        out.write_text(weights.to_json(), encoding="utf-8")
        env.out(f"written: {out}")
    return 0
