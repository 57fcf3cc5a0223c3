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
    return 1 if errors else 0


def _model_problems(kb, model: str) -> list:
    from ..speech.grammar import VocabularyError, unknown_word_problems, vocabulary
    from .common import CommandError

    try:
        return unknown_word_problems(kb, vocabulary(model))
    except VocabularyError as exc:
        raise CommandError(f"无法读取语音模型的词表：{exc}") from exc
