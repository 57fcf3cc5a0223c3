"""kiosk listen: recognise a recording (or the microphone) and print the transcript and the answer."""
from __future__ import annotations

import argparse
import json
import threading

from .common import CommandError, add_guides_option, knowledge, matcher_settings, report_load_problems
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("listen", help="语音提问 / recognise speech and answer it",
                       description="Recognise each --wav recording (any rate, mono or stereo), or one "
                                   "utterance from the microphone when no --wav is given, then answer it "
                                   "like kiosk ask.")
    p.add_argument("--wav", action="append", metavar="FILE", help="a WAV recording (repeatable)")
    p.add_argument("--model", metavar="PATH", help="Vosk model folder (default: recognition.model in config)")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per recording: kiosk ask's fields plus transcript and alternatives")
    p.add_argument("--no-grammar", action="store_true", help="free recognition only")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    from ..answer import compose
    from ..matching import Matcher
    from ..speech.models import ModelError
    from ..speech.vosk_input import VoskEngine

    config, kb, problems = knowledge(args, env)
    report_load_problems(problems, env)
    matcher = Matcher.for_knowledge(kb, matcher_settings(config))
    source_factory = None if args.wav else microphone_source(config)  # no microphone: say so before loading
    model_path = args.model or config.path("recognition.model")
    grammar = bool(config.get("recognition.grammar", True)) and not args.no_grammar
    try:
        engine = VoskEngine.load(model_path, kb=kb, matcher=matcher, grammar=grammar,
                                 alternatives=int(config.get("recognition.alternatives", 5)))
    except ModelError as exc:
        raise CommandError(str(exc)) from exc
    except ImportError as exc:
        raise CommandError(f"没有安装语音识别组件 vosk（{exc}）") from exc

    def answer(transcript) -> None:
        match = matcher.match(transcript.text)
        reply = compose(match, kb)
        if args.json:
            from .ask import result_object

            obj = result_object(transcript.text, match, reply)
            obj["transcript"] = transcript.text
            obj["alternatives"] = list(transcript.alternatives)
            env.out(json.dumps(obj, ensure_ascii=False))
        else:
            env.out(f"听到：{transcript.text or '（没有听清）'}")
            for alt in transcript.alternatives[1:]:
                env.out(f"  或：{alt}")
            env.out(f"答：{reply.text}")
            for i, c in enumerate(match.candidates, 1):
                env.out(f"  {i}. {c.title}（{c.id}，{c.score:.0f}分）")
            env.out()
        env.stdout.flush()

    if args.wav:
        return _files(args.wav, engine, answer, env)
    return _microphone(config, engine, source_factory, answer, env)


def _files(paths, engine, answer, env: Environment) -> int:
    from ..speech.audio import AudioError, read_wav

    code = 0
    for path in paths:
        try:
            _, pcm = read_wav(path)
        except AudioError as exc:
            env.err(str(exc))
            code = 1
            continue
        answer(engine.recognize(pcm).transcript)
    return code


def microphone_source(config):
    """A factory for the configured microphone; CommandError when there is none."""
    from ..speech.vosk_input import SoundDeviceSource, microphone_problem

    device = config.get("recognition.device")
    problem = microphone_problem(device)
    if problem:
        raise CommandError(f"语音识别暂不可用：{problem}。可以用 --wav 识别录音文件。")
    return lambda: SoundDeviceSource(device)


def _microphone(config, engine, source_factory, answer, env: Environment) -> int:
    from ..speech.vosk_input import ListenSettings, VoskRecognizer

    settings = ListenSettings.from_config(config)
    rec = VoskRecognizer(engine, source_factory, settings)
    done = threading.Event()
    result: dict = {}

    def on_partial(text: str) -> None:
        env.stderr.write(f"\r… {text}")
        env.stderr.flush()

    def on_final(transcript) -> None:
        result["final"] = transcript
        done.set()

    def on_error(message: str) -> None:
        result["error"] = message
        done.set()

    env.err("请说话……（Ctrl-C 结束）")
    rec.start(on_partial, on_final, on_error)
    try:
        done.wait()
    finally:
        rec.close()
    env.stderr.write("\n")
    if "error" in result:
        env.err(result["error"])
        return 1
    answer(result["final"])
    return 0
