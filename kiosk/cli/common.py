"""Helpers shared by subcommands: config and knowledge base loading."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..config import Config, ConfigError, load_config
from ..knowledge import KnowledgeBase, Problem, load_directory
from .env import Environment


class CommandError(Exception):
    """A failure the user can act on; printed without a traceback."""


def config_of(args: argparse.Namespace, env: Environment) -> Config:
    try:
        return load_config(getattr(args, "config", None), env.environ)
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc


def display_path(path: Path) -> str:
    """A path as staff would type it: relative to the current folder when inside it."""
    import os

    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def guides_dir(args: argparse.Namespace, config: Config) -> str:
    given = getattr(args, "guides", None) or getattr(args, "directory", None)
    return given or display_path(config.path("guides_dir"))  # type: ignore[arg-type]


def knowledge(args: argparse.Namespace, env: Environment) -> tuple[Config, KnowledgeBase, list[Problem]]:
    config = config_of(args, env)
    directory = guides_dir(args, config)
    kb, problems = load_directory(directory, config.centre)
    if len(kb) == 0:
        first = next((str(p) for p in problems if p.is_error), "")
        raise CommandError(f"{directory} 中没有能用的指南，无法回答问题{('：' + first) if first else ''}"
                           f"（运行 kiosk validate {directory} 查看）")
    return config, kb, problems


def add_guides_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--guides", metavar="DIR", help="guide folder (default: guides_dir in config)")


def matcher_settings(config: Config):
    """The matcher's settings from config (kept for the subcommands; the core uses Settings.from_config)."""
    from ..matching import Settings

    return Settings.from_config(config)


def report_load_problems(problems: list[Problem], env: Environment) -> None:
    """At run time, broken guides are left out; say so once on stderr."""
    errors = [p for p in problems if p.is_error]
    if errors:
        env.err(f"注意：{len(errors)} 处指南错误，相关指南暂不使用（运行 kiosk validate 查看）。")
