"""Shared fixtures: paths, a loaded knowledge base, a CLI runner with a replaceable environment."""
from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ROOT / "guides"
SHARED = ROOT.parent / "shared"


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*argv: str, stdin: str = "") -> Run:
    from kiosk.cli import main
    from kiosk.cli.env import Environment

    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(stdin), stdout=out, stderr=err, environ={})
    code = main(list(argv), env)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session")
def centre():
    from kiosk.config import load_config

    return load_config(env={}).centre


@pytest.fixture(scope="session")
def kb(centre):
    from kiosk.knowledge import load_directory

    kb, _ = load_directory(GUIDES, centre)
    return kb


@pytest.fixture(scope="session")
def matcher(kb):
    from kiosk.matching import Matcher

    return Matcher.for_knowledge(kb)


@pytest.fixture
def guide_dir(tmp_path):
    """A small guide folder: categories and one good guide, no catalogue."""
    d = tmp_path / "guides"
    (d / "assistance").mkdir(parents=True)
    shutil.copy(GUIDES / "categories.yaml", d / "categories.yaml")
    shutil.copy(GUIDES / "assistance" / "assistance-01.yaml", d / "assistance" / "assistance-01.yaml")
    return d
