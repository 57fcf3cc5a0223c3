"""kiosk validate: check every guide file and report all problems at once."""
from __future__ import annotations

import argparse

from .common import config_of, guides_dir
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="检查指南文件 / check the guide files",
                       description="Load every guide and print each problem as path:line: message. "
                                   "Exit 0 when there are no errors, 1 otherwise.")
    p.add_argument("directory", nargs="?", help="guide folder (default: guides_dir in config)")
    p.add_argument("--quiet", "-q", action="store_true", help="errors only, no warnings")
    p.add_argument("--model", metavar="PATH",
                   help="also warn about guide words this Vosk model cannot hear (not in its vocabulary)")
    p.set_defaults(func=run)


def glyph_problems(kb) -> list:
    """A warning for each guide with characters the kiosk's font cannot draw (they would show as boxes)."""
    from ..knowledge.glyphs import font_coverage, guide_text
    from ..knowledge.problems import WARNING, Problem

    coverage = font_coverage()
    out = []
    for g in kb.guides:
        missing = coverage.missing(guide_text(g))
        if missing:
            out.append(Problem(g.path, 1, f"终端字体里没有“{''.join(missing)}”，屏幕上会显示成方框；"
                                          "请运行 scripts/make_font.py 重新生成字体", WARNING))
    return out


def run(args: argparse.Namespace, env: Environment) -> int:
    from ..knowledge import load_directory
    from ..knowledge.events import load_events

    config = config_of(args, env)
    directory = guides_dir(args, config)
    kb, problems = load_directory(directory, config.centre)
    problems = problems + glyph_problems(kb) + load_events(directory, [g.id for g in kb.guides])[1]
    if args.model:
        problems = problems + _model_problems(kb, args.model)
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    for p in errors + ([] if args.quiet else warnings):
        env.out(str(p))
    env.err(f"共 {len(kb)} 个指南可用；{len(errors)} 个错误，{len(warnings)} 个警告。")
    note = guide_model_note(kb)
    if note:
        env.err(note)
    return 1 if errors else 0


def guide_model_note(kb) -> str:
    """What staff should know about the stored guide model after editing these guides (kiosk/matching/
    guide_model.py), or "" when it is current or the guides are another set altogether (a test folder)."""
    from ..matching.guide_model import fingerprint, load_model

    model = load_model()
    if model is None:
        return ""
    ids = {g.id for g in kb.guides}
    if len(ids & set(model.ids)) < len(model.ids) / 2:
        return ""
    if not model.applies(ids):
        return ("提示：指南的增减和排序模型学习时不一致，排序暂不使用学习到的指南模型（准确率略降）；"
                "请开发人员运行 kiosk train-rerank 重新学习。")
    if model.fitted_on != fingerprint(kb.guides):
        return "提示：指南内容在排序模型学习之后改过，排序仍可正常使用；方便时请运行 kiosk train-rerank 重新学习。"
    return ""


def _model_problems(kb, model: str) -> list:
    from ..speech.grammar import VocabularyError, unknown_word_problems, vocabulary
    from .common import CommandError

    try:
        return unknown_word_problems(kb, vocabulary(model))
    except VocabularyError as exc:
        raise CommandError(f"无法读取语音模型的词表：{exc}") from exc
