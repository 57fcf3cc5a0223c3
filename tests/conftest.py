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


# A second guide made from assistance-01 by changing its id, title and aliases (for reload/dialogue tests).
SECOND_GUIDE_EDITS = {
    "id: assistance-01": "id: assistance-03",
    "title: 城乡居民最低生活保障申请": "title: 低收入困难家庭认定申请",
    "aliases:\n  - 低保\n  - 申请低保\n  - 吃低保\n  - 低保户\n  - 最低生活保障\n  - 办低保\n  - 低保金\n"
    "  - 生活困难补助\n  - 最低生活费\n":
        "aliases:\n  - 低收入家庭\n  - 低收入认定\n  - 低边\n  - 低保边缘\n  - 低收入户\n  - 收入困难认定\n",
}


def add_second_guide(guide_dir: Path, extra: dict[str, str] | None = None) -> Path:
    """Write assistance-03 (低收入困难家庭认定申请) next to assistance-01 in a guide_dir copy."""
    text = (guide_dir / "assistance" / "assistance-01.yaml").read_text(encoding="utf-8")
    for old, new in {**SECOND_GUIDE_EDITS, **(extra or {})}.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = guide_dir / "assistance" / "assistance-03.yaml"
    path.write_text(text, encoding="utf-8")
    return path
