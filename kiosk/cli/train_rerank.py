"""kiosk train-rerank: learn the second stage's weights from the guides' own questions."""
from __future__ import annotations

import argparse

from .common import add_guides_option, knowledge, matcher_settings
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-rerank", help="从指南自身的问题重新学习第二阶段排序权重 / retrain the second-stage weights",
                       description="Ask each guide question of a first stage built without it (leave-one-out), "
                                   "fit the second stage's weights (regularisation chosen by cross-validation over "
                                   "the folds) and write them (default kiosk/data/rerank.json), with the guide "
                                   "model fitted on the guides' own texts (kiosk/data/guide_model.npz; needs "
                                   "scikit-learn).")
    p.add_argument("--folds", type=int, default=10, metavar="K", help="leave-one-out folds (default 10)")
    p.add_argument("--k", type=int, default=8, metavar="N", help="candidates the second stage reorders (default 8)")
    p.add_argument("--out", metavar="FILE", help="where to write the weights (default: the file the matcher reads)")
    p.add_argument("--dry-run", action="store_true", help="print the result, write nothing")
    p.add_argument("--no-model", action="store_true",
                   help="learn the weights without the guide model (no scikit-learn needed); the stored model "
                        "is then not used")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    from pathlib import Path

    from ..matching.guide_model import MODEL_FILE
    from ..matching.rerank import FEATURES, WEIGHTS_FILE, train

    config, kb, _ = knowledge(args, env)
    try:
        weights, model, report = train(kb, matcher_settings(config), folds=args.folds, k=args.k,
                                       model=not args.no_model)
    except RuntimeError as exc:  # scikit-learn missing
        env.err(f"{exc}（或加 --no-model 只学习排序权重）")
        return 2
    for line in report.lines():
        env.out(line)
    env.out("weights: " + ", ".join(f"{f} {w:.3f}" for f, w in zip(FEATURES, weights.weights)))
    env.out("without the guide model: " + ", ".join(f"{f} {w:.3f}" for f, w in zip(FEATURES, weights.without_model)))
    if not args.dry_run:
        out = Path(args.out) if args.out else WEIGHTS_FILE
        out.write_text(weights.to_json(), encoding="utf-8")
        env.out(f"written: {out}")
        if model is not None:
            model_out = out.with_name(MODEL_FILE.name) if args.out else MODEL_FILE
            model.save(model_out)
            env.out(f"written: {model_out}")
    return 0
