"""kiosk lint: shared and confusable guide names, with --model words the recogniser cannot hear, and with
--issuers document materials whose issuer no guide gives."""
from __future__ import annotations

import argparse

from .common import add_guides_option, knowledge, matcher_settings
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lint", help="检查指南之间的问题 / check guides against each other",
                       description="Report names shared by several guides, titles/aliases the matcher answers "
                                   "with another guide or must clarify, and with --model words the speech model "
                                   "lacks. Exit 0: nothing found; 1: findings; 2: error (also when --model was "
                                   "given but the model check is unavailable).")
    p.add_argument("--model", metavar="PATH", help="Vosk model folder: also check words it cannot recognise")
    p.add_argument("--skip-confusable", action="store_true", help="only shared names (fast)")
    p.add_argument("--issuers", action="store_true",
                   help="also list document materials (…证明) whose issuer no guide gives (未写出具单位的证明材料)")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    from ..matching import Matcher
    from ..staff.lint import (ISSUER, KIND_NAMES, MODEL, ModelCheckUnavailable, confusable_names, model_words,
                              shared_names, unsaid_issuers)

    config, kb, problems = knowledge(args, env)
    errors = sum(p.is_error for p in problems)
    if errors:
        env.err(f"注意：{errors} 处指南错误，这些指南未参加检查（运行 kiosk validate 查看）。")
    findings = shared_names(kb)
    if not args.skip_confusable:
        findings += confusable_names(kb, Matcher.for_knowledge(kb, matcher_settings(config)))
    if args.issuers:
        findings += unsaid_issuers(kb)
    unavailable = None
    if args.model:
        try:
            findings += model_words(kb, args.model)
        except ModelCheckUnavailable as exc:
            unavailable = f"语音模型检查不可用（model check unavailable）：{exc}"
    for kind, title in KIND_NAMES.items():
        mine = sorted({f.problem for f in findings if f.kind == kind})
        if not mine:
            continue
        env.out(f"== {title}：{len(mine)} 处 ==")
        for p in mine:
            env.out(str(p))
    asked = {MODEL: bool(args.model), ISSUER: args.issuers}
    counts = "，".join(f"{KIND_NAMES[k].split('（')[0]} {sum(f.kind == k for f in findings)} 处" for k in KIND_NAMES
                      if asked.get(k, True))
    env.err(f"检查了 {len(kb)} 个指南：{counts}。")
    if unavailable:
        env.err(unavailable)
        return 2
    return 1 if findings else 0
