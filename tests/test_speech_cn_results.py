"""From a Chinese recogniser result to the right guide, in CI, without the Chinese model.

tests/data/vosk_cn_results.json holds what Vosk's Chinese model returns for spoken questions: JSON results
with several alternatives, words separated by spaces, some homophones misheard. A stand-in for
``vosk.KaldiRecognizer`` replays them, so everything after the model is the real code: the Decoder's result
handling (segments, FinalResult, alternatives), the engine's joining and choice among free and grammar
alternatives (kiosk.speech.hypotheses with the real matcher), and the dialogue that answers.
"""
from __future__ import annotations

import json
import sys
import types

import pytest
from conftest import ROOT

from kiosk.evaluation import NONE_LABEL

RESULTS = ROOT / "tests" / "data" / "vosk_cn_results.json"
UTTERANCES = json.loads(RESULTS.read_text(encoding="utf-8"))["utterances"]
CHUNK = 3200  # 0.1 s of 16 kHz 16-bit audio


class ReplayRecognizer:
    """Replays recorded results like vosk.KaldiRecognizer: one closed segment per AcceptWaveform that returns
    True, partial text in between, and the last result from FinalResult()."""

    def __init__(self, results: list[dict]) -> None:
        self.closed = [json.dumps(r, ensure_ascii=False) for r in results[:-1]]
        self.final = json.dumps(results[-1], ensure_ascii=False)
        self.calls = 0
        self.max_alternatives = None

    def SetMaxAlternatives(self, n: int) -> None:  # noqa: N802 (vosk's names)
        self.max_alternatives = n

    def SetWords(self, on: bool) -> None:  # noqa: N802
        pass

    def AcceptWaveform(self, pcm: bytes) -> bool:  # noqa: N802
        self.calls += 1
        return self.calls % 2 == 0 and bool(self.closed)  # every other chunk closes a segment, while any remain

    def Result(self) -> str:  # noqa: N802
        return self.closed.pop(0)

    def PartialResult(self) -> str:  # noqa: N802
        return json.dumps({"partial": "我 想"}, ensure_ascii=False)

    def FinalResult(self) -> str:  # noqa: N802
        return self.final


@pytest.fixture
def replay_vosk(monkeypatch):
    """vosk replaced by a module whose KaldiRecognizer replays the utterance given as the 'model'."""
    made = []

    def kaldi(model, rate, grammar=None):
        rec = ReplayRecognizer(model["grammar"] if grammar else model["free"])
        made.append(rec)
        return rec

    monkeypatch.setitem(sys.modules, "vosk", types.SimpleNamespace(KaldiRecognizer=kaldi))
    return made


def hear(utterance: dict, matcher):
    from kiosk.speech.hypotheses import match_score
    from kiosk.speech.vosk_input import VoskEngine

    grammar_json = '["低保", "[unk]"]' if "grammar" in utterance else None
    engine = VoskEngine(utterance, ROOT, grammar_json, alternatives=5, score=match_score(matcher))
    segments = len(utterance["free"])
    return engine.recognize(b"\0" * CHUNK * (2 * segments + 2), chunk_seconds=0.1)


def test_the_file_is_as_vosk_writes_it():
    assert len(UTTERANCES) >= 30
    for u in UTTERANCES:
        for result in u["free"] + u.get("grammar", []):
            alts = result["alternatives"]
            assert len(alts) >= 2
            assert all(set(a) == {"text", "confidence"} for a in alts)
            assert [a["confidence"] for a in alts] == sorted((a["confidence"] for a in alts), reverse=True)
    texts = [a["text"] for u in UTTERANCES for r in u["free"] for a in r["alternatives"]]
    assert sum(" " in t for t in texts) == len(texts)  # words are space-separated, as the model writes them
    assert sum("grammar" in u for u in UTTERANCES) >= 5 and sum(len(u["free"]) > 1 for u in UTTERANCES) >= 1


def test_the_utterances_are_not_from_the_dev_sets():
    from test_eval_data import SHARED, too_close
    from kiosk.evaluation import read_rows

    dev = [r.query for name in ("dev_queries.tsv", "dev2_queries.tsv") for r in read_rows(SHARED / "eval" / name)]
    spoken = {"".join(a["text"].split()) for u in UTTERANCES for r in u["free"] for a in r["alternatives"]}
    assert too_close(sorted(spoken), dev) == []


@pytest.mark.parametrize("utterance", UTTERANCES, ids=[f"{i:02d}-{u['expect']}" for i, u in enumerate(UTTERANCES)])
def test_a_recognised_question_reaches_its_guide(utterance, replay_vosk, kb, matcher):
    from kiosk.dialogue import Dialogue, Heard, ShowChoices, ShowGuide, ShowNotFound

    heard = hear(utterance, matcher)
    assert [rec.max_alternatives for rec in replay_vosk] == [5] * len(replay_vosk)
    text = heard.transcript.text
    assert text and " " not in text  # Chinese words joined
    alternatives = heard.transcript.alternatives
    assert alternatives[0] == text and len(alternatives) >= 2
    actions = Dialogue(kb, matcher).handle(Heard(text, alternatives), now=0.0)
    shown = [a for a in actions if isinstance(a, (ShowGuide, ShowChoices, ShowNotFound))]
    assert len(shown) == 1
    what = shown[0]
    if utterance["expect"] == NONE_LABEL:
        assert isinstance(what, ShowNotFound), (text, what)
    elif isinstance(what, ShowGuide):
        assert what.guide.id == utterance["expect"], (text, what.guide.id)
    else:
        assert isinstance(what, ShowChoices), (text, what)
        assert utterance["expect"] in [g.id for g in what.choices], (text, [g.id for g in what.choices])


def test_segments_closed_at_vosk_endpoints_are_kept_in_order(replay_vosk, matcher):
    (split,) = [u for u in UTTERANCES if len(u["free"]) > 1][:1]
    heard = hear(split, matcher)
    first = "".join(split["free"][0]["alternatives"][0]["text"].split())
    assert all(f.replace(" ", "").startswith(first) for f in heard.free)
    assert heard.transcript.text.startswith(first)


def test_the_grammar_result_wins_when_free_recognition_misses(replay_vosk, matcher):
    from kiosk.speech.hypotheses import GRAMMAR

    (u,) = [u for u in UTTERANCES if u.get("note", "").startswith("free recognition hears nonsense")]
    heard = hear(u, matcher)
    # Either grammar reading (吃 heard, or left as [unk]) names the service; the nonsense free result must lose.
    assert heard.chosen.source == GRAMMAR and heard.transcript.text in ("我想吃低保", "我想低保")
    assert matcher.match(heard.transcript.text).best.id == u["expect"]
    (noise,) = [u for u in UTTERANCES if "forced guess" in u.get("note", "")]
    assert hear(noise, matcher).chosen.source != GRAMMAR


def test_the_listening_pipeline_delivers_the_chosen_text_and_its_alternatives(replay_vosk, matcher):
    """The same results through the real worker thread: voice, then silence ends the utterance."""
    import math
    import struct

    from kiosk.speech.audio import RATE
    from kiosk.speech.hypotheses import match_score
    from kiosk.speech.vosk_input import ListenSettings, ReplaySource, VoskEngine, VoskRecognizer

    tone = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / RATE))) for i in range(RATE))
    (u,) = [u for u in UTTERANCES if u.get("note", "").startswith("滴保")]
    engine = VoskEngine(u, ROOT, '["低保", "[unk]"]', alternatives=5, score=match_score(matcher))
    rec = VoskRecognizer(engine, lambda: ReplaySource(tone, realtime=False, tail_seconds=None),
                         ListenSettings(end_silence_seconds=0.5, max_seconds=10.0))
    finals, errors = [], []
    rec.start(lambda text: None, finals.append, errors.append)
    assert rec.wait(30)
    assert errors == [] and len(finals) == 1
    said = [finals[0].text, *finals[0].alternatives]
    assert "我想申请滴保" in said and "我想申请低保" in said  # the free results travel with the chosen text
    assert matcher.match(finals[0].text).best.id == u["expect"]
