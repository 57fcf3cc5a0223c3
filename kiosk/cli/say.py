"""kiosk say: speak text as the kiosk would, or write it to a WAV file; also speech for ``kiosk ask --say``."""
from __future__ import annotations

import argparse

from .common import config_of
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("say", help="朗读文字或写成 WAV 文件 / speak text, or write it to a WAV file",
                       description="Speak TEXT (or each line of standard input) with the kiosk's voice.")
    p.add_argument("text", nargs="*", metavar="TEXT")
    p.add_argument("--wav", metavar="FILE", help="write the speech to this WAV file instead of the speakers")
    p.add_argument("--elder", action="store_true", help="elder mode: speak at speech.elder_rate")
    p.add_argument("--voice", metavar="ID", help="voice id (default: speech.voice in config)")
    p.add_argument("--volume", metavar="SHARE", type=float, default=1.0,
                   help="share of speech.volume, 0-1, as a resident's 声音小一点 sets it (default 1)")
    p.add_argument("--show", action="store_true",
                   help="print the pieces as they will be said, and what the voice is given; speak nothing")
    p.add_argument("--voices", action="store_true", help="list the installed voices; * marks the one used")
    p.set_defaults(func=run)


class CliVoice:
    """A speaker for a command: each ``speak`` waits until the text has been said."""

    def __init__(self, config, env: Environment, wav: str | None = None, elder: bool = False,
                 volume: float = 1.0) -> None:
        import logging

        from ..speech.playback import WavFileOutput
        from ..speech.tts import make_speaker

        # A command reports speech problems itself, once, on env.err; without this, pyttsx3's
        # module-level logging calls would set up a root handler that prints the log line as well.
        if not logging.getLogger().handlers:
            logging.getLogger().addHandler(logging.NullHandler())
        self.env = env
        self.wav = wav
        self.output = WavFileOutput(wav) if wav else None
        self.speaker = make_speaker(config, output=self.output)
        self.failed = not self.speaker.available
        if self.failed:
            env.err(f"无法朗读：{self.speaker.problem}")
        elif getattr(self.speaker, "fallback_note", None):
            env.err(self.speaker.fallback_note)
        self.speaker.set_elder(elder)
        set_volume = getattr(self.speaker, "set_volume", None)
        if callable(set_volume):
            set_volume(volume)

    def speak(self, text: str) -> None:
        if self.failed:
            return
        self.speaker.say(text)
        self.speaker.wait()
        error = getattr(self.speaker, "last_error", None)
        if error:
            self.env.err(f"无法朗读：{error}")
            self.failed = True

    def finish(self) -> int:
        """Close the speaker; 0 if everything was said (or written), 1 otherwise."""
        from ..speech.tts import SILENCE_PEAK

        self.speaker.close()
        if self.output is not None and not self.failed and self.output.peak < SILENCE_PEAK:
            self.env.err(f"无法朗读：写入 {self.wav} 的只有静音（{self.output.seconds:.1f} 秒）。")
            self.failed = True
        if self.output is not None and not self.failed:
            self.env.err(f"已写入 {self.wav}（{self.output.seconds:.1f} 秒）")
        return 1 if self.failed else 0


def open_voice(args: argparse.Namespace, config, env: Environment) -> CliVoice:
    """The voice for ``--say``/``--wav`` options of any command."""
    overrides = {"voice": args.voice} if getattr(args, "voice", None) else {}
    if overrides:
        config = config.with_overrides({"speech": overrides})
    return CliVoice(config, env, wav=getattr(args, "wav", None), elder=getattr(args, "elder", False),
                    volume=getattr(args, "volume", 1.0))


def _texts(args: argparse.Namespace, env: Environment):
    if args.text:
        yield " ".join(args.text)
        return
    for line in env.stdin:
        line = line.strip()
        if line:
            yield line


def run(args: argparse.Namespace, env: Environment) -> int:
    from ..speech.textprep import prepare, to_pinyin

    if not 0.0 < args.volume <= 1.0:
        env.err(f"音量要在 0 到 1 之间（1 是配置里的 speech.volume）：{args.volume:g}")
        return 2
    config = config_of(args, env)
    if args.voices:
        return _list_voices(config, env)
    if args.show:
        for text in _texts(args, env):
            for i, piece in enumerate(prepare(text), 1):
                env.out(f"{i}. {piece}")
                env.out(f"   {to_pinyin(piece)}")
        return 0
    voice = open_voice(args, config, env)
    try:
        said = 0
        for text in _texts(args, env):
            if prepare(text):
                voice.speak(text)
                said += 1
        if not said and not voice.failed:
            env.err("没有可以朗读的文字。")
            voice.failed = True
    finally:
        code = voice.finish()
    return code


def _list_voices(config, env: Environment) -> int:
    from ..speech.tts import SpeechUnavailable, choose_voice, shared_engine

    try:
        engine = shared_engine(config.get("speech.driver") or None)
    except SpeechUnavailable as exc:
        env.err(f"无法列出语音：{exc}")
        return 1
    voices = engine.voices()
    chosen = choose_voice(str(config.get("speech.voice") or "auto"), voices, engine.driver)
    for v in voices:
        mark = "*" if chosen and v.id == chosen.id else " "
        langs = ",".join(str(x) for x in (getattr(v, "languages", None) or []))
        env.out(f"{mark} {v.id}  {getattr(v, 'name', '')}  {langs}".rstrip())
    if chosen is None:
        env.err("没有找到可用的普通话语音。")
        return 1
    return 0
