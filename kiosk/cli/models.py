"""kiosk models: download and list Vosk speech recognition models."""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from .common import CommandError, config_of, display_path
from .env import Environment


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="下载和查看语音识别模型 / download and list speech models",
                       description="Manage the offline Vosk models in the models folder.")
    p.add_argument("--dir", metavar="DIR", help="models folder (default: recognition.models_dir in config)")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    d = actions.add_parser("download", help="下载模型 / download a model (default vosk-model-small-cn-0.22)")
    d.add_argument("name", nargs="?", metavar="NAME", help="model name on the Vosk model site")
    d.add_argument("--url", help="download from this address instead (a mirror)")
    d.add_argument("--sha256", help="expected SHA-256 of the zip archive")
    d.add_argument("--force", action="store_true", help="replace an installed model of the same name")
    d.set_defaults(func=run_download)
    ls = actions.add_parser("list", help="列出已安装的模型 / list installed models")
    ls.set_defaults(func=run_list)


def _models_dir(args: argparse.Namespace, env: Environment) -> Path:
    if args.dir:
        return Path(args.dir)
    return config_of(args, env).path("recognition.models_dir") or Path("models")


class ProgressBar:
    """A one-line progress bar on stderr, redrawn at most a few times a second."""

    WIDTH = 30

    def __init__(self, env: Environment, label: str) -> None:
        self.env = env
        self.label = label
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and done != total:
            return
        self.last = now
        mb = done / 1e6
        if total:
            filled = int(self.WIDTH * done / total)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            line = f"\r{self.label} [{bar}] {100 * done / total:5.1f}%  {mb:.1f}/{total / 1e6:.1f} MB"
        else:
            line = f"\r{self.label} {mb:.1f} MB"
        self.env.stderr.write(line)
        self.env.stderr.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            self.env.stderr.write("\n")
            self.env.stderr.flush()


def run_download(args: argparse.Namespace, env: Environment) -> int:
    from ..speech.models import DEFAULT_MODEL, ModelError, download_model

    name = args.name or DEFAULT_MODEL
    folder = _models_dir(args, env)
    bar = ProgressBar(env, f"下载 {name}")
    try:
        path = download_model(name, folder, url=args.url, sha256=args.sha256, force=args.force, progress=bar)
    except ModelError as exc:
        bar.end()
        raise CommandError(f"模型 {name} 没有安装：{exc}") from exc
    except KeyboardInterrupt:
        bar.end()
        env.err(f"已中断，{display_path(folder)} 中没有留下未完成的模型。")
        return 130
    bar.end()
    env.out(f"已安装：{display_path(path)}")
    return 0


def run_list(args: argparse.Namespace, env: Environment) -> int:
    from ..speech.models import KNOWN_MODELS, installed_models

    config = config_of(args, env)
    folder = _models_dir(args, env)
    configured = config.path("recognition.model")
    models = installed_models(folder)
    if not models:
        env.out(f"{display_path(folder)} 中没有模型。运行 kiosk models download 下载 {next(iter(KNOWN_MODELS))}。")
    for m in models:
        state = "可用" if m.problem is None else f"损坏：{m.problem}"
        mark = "  ← 当前配置" if configured is not None and m.path.resolve() == configured.resolve() else ""
        env.out(f"{m.name}  {m.size_bytes / 1e6:.0f} MB  {state}{mark}")
    if configured is not None and not any(m.path.resolve() == configured.resolve() for m in models):
        from ..speech.models import model_problem

        problem = model_problem(configured)
        env.out(f"配置的模型：{display_path(configured)}  {'可用' if problem is None else problem}")
    return 0
