"""The kiosk's own Mandarin model, when one is at hand: KIOSK_VOSK_MODEL=/path/to/vosk-model-small-cn-0.22.

The model (42 MB) cannot be fetched in CI, so these run only when the variable points to it; the same code
paths run on the Korean model in test_speech_vosk.py and test_speech_pipeline.py, and recorded Chinese
results go from the decoder to the answer in test_speech_cn_results.py (always, in CI). Speech comes from
espeak-ng's Mandarin voice (sit/cmn-latn-pinyin reads characters with Mandarin phonemes).
"""
from __future__ import annotations

import json
import os
import re

import pytest

MODEL = os.environ.get("KIOSK_VOSK_MODEL", "")

pytestmark = [
    pytest.mark.vosk,
    pytest.mark.audio,
    pytest.mark.skipif(not MODEL, reason="KIOSK_VOSK_MODEL does not point to a Chinese Vosk model"),
]


@pytest.fixture(scope="module")
def cn_engine(kb, matcher):
    from kiosk.speech.vosk_input import VoskEngine

    return VoskEngine.load(MODEL, kb=kb, matcher=matcher)


def test_the_model_is_complete_and_has_a_chinese_vocabulary():
    from kiosk.speech.grammar import vocabulary
    from kiosk.speech.models import model_problem

    assert model_problem(MODEL) is None
    vocab = vocabulary(MODEL)
    assert {"申请", "材料", "低保"} & vocab


def test_guide_grammar_is_built_from_words_the_model_knows(kb):
    from kiosk.speech.grammar import guide_grammar, vocabulary

    g = guide_grammar(kb, vocabulary(MODEL))
    assert len(g.phrases) > 20
    assert g.unk == "[unk]"
    vocab = vocabulary(MODEL)
    assert all(w in vocab for p in g.phrases for w in p.split())


def test_mandarin_question_is_heard_and_answered(cli, espeak):
    wav = espeak("城乡居民最低生活保障申请", voice="cmn-latn-pinyin", rate=130)
    res = cli("listen", "--model", MODEL, "--json", "--wav", str(wav))
    assert res.code == 0, res.err
    obj = json.loads(res.out)
    assert " " not in obj["transcript"]  # Chinese words are joined
    assert obj["results"] and obj["results"][0]["id"] == "assistance-01", obj


def test_validate_with_the_chinese_model(cli):
    # The shipped guides have no errors, so the model check may only add warnings (exit 0), and each warning
    # must name a piece the model's vocabulary really lacks.
    from kiosk.speech.grammar import vocabulary

    vocab = vocabulary(MODEL)
    res = cli("validate", "--model", MODEL)
    assert res.code == 0, res.out
    assert res.err.endswith("0 个错误，" + f"{len(res.out.splitlines())} 个警告。\n")
    for line in res.out.splitlines():
        m = re.search(r"警告：语音模型不认识(?:标题|别名)“([^”]*)”(?:中的((?:“[^”]*”、?)+))?", line)
        assert m, line
        pieces = re.findall(r"“([^”]*)”", m.group(2)) if m.group(2) else [m.group(1)]
        assert all(p not in vocab for p in pieces), line


def test_pipeline_with_the_chinese_model(cn_engine, espeak):
    from fakes import FakeMicrophone
    from kiosk.speech.audio import read_wav
    from kiosk.speech.vosk_input import ListenSettings, VoskRecognizer

    mic = FakeMicrophone(read_wav(espeak("我想申请低保", voice="cmn-latn-pinyin", rate=130))[1], tail_seconds=None)
    rec = VoskRecognizer(cn_engine, lambda: mic, ListenSettings(end_silence_seconds=0.8))
    finals, partials = [], []
    rec.start(partials.append, finals.append, finals.append)
    assert rec.wait(60)
    assert len(finals) == 1 and isinstance(finals[0].text, str) and "低保" in finals[0].text
    assert any(partials)
