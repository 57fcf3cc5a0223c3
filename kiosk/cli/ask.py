"""kiosk ask: answer questions in the terminal, one per argument or one per line of stdin."""
from __future__ import annotations

import argparse
import json
from typing import Iterator

from .common import add_guides_option, knowledge, matcher_settings, report_load_problems
from .env import Environment

MAX_LINE = 10_000


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="在终端提问 / ask questions in the terminal",
                       description="Answer each QUESTION, or each line of standard input when none is given.")
    p.add_argument("questions", nargs="*", metavar="QUESTION")
    p.add_argument("--json", action="store_true", help="one JSON object per question per line")
    p.add_argument("--top", type=int, default=3, metavar="N", help="how many ranked guides to list (default 3)")
    p.add_argument("--say", action="store_true", help="speak each reply as the kiosk would")
    p.add_argument("--wav", metavar="FILE", help="with --say: write the spoken replies to this WAV file")
    add_guides_option(p)
    p.set_defaults(func=run)


def _questions(args: argparse.Namespace, env: Environment) -> Iterator[str]:
    if args.questions:
        yield from args.questions
        return
    for line in env.stdin:
        yield line.rstrip("\r\n")[:MAX_LINE]


def result_object(query: str, match, reply) -> dict:
    from ..session import answer_object

    return answer_object(query, match, reply)


def run(args: argparse.Namespace, env: Environment) -> int:
    from ..answer import compose
    from ..matching import Matcher

    config, kb, problems = knowledge(args, env)
    report_load_problems(problems, env)
    matcher = Matcher.for_knowledge(kb, matcher_settings(config))
    top = max(args.top, 1)
    voice = None
    if args.say or args.wav:
        from .say import open_voice

        voice = open_voice(args, config, env)
    for query in _questions(args, env):
        match = matcher.match(query, top=top)
        reply = compose(match, kb)
        if args.json:
            env.out(json.dumps(result_object(query, match, reply), ensure_ascii=False))
        else:
            _print_plain(query, match, reply, kb, env)
        env.stdout.flush()
        if voice:
            voice.speak(reply.text)
    return voice.finish() if voice else 0


def _print_plain(query, match, reply, kb, env: Environment) -> None:
    from ..knowledge.model import SECTION_NAMES

    env.out(f"问：{query}")
    env.out(f"答：{reply.text}")
    if reply.shown:
        env.out(f"  【屏幕】{reply.shown}")
    if reply.guide is not None and reply.section:
        env.out(f"  【{SECTION_NAMES[reply.section]}】")
        for line in reply.guide.section_lines(reply.section, kb.centre):
            env.out(f"  · {line}")
    for i, c in enumerate(match.candidates, 1):
        env.out(f"  {i}. {c.title}（{c.id}，{c.score:.0f}分）")
    env.out()
