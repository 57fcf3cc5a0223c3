"""Speech output: time from say() to the first audio, real-time factor, and how fast stop() silences."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from . import Context, Row, percentiles

TITLE = "speech output (pyttsx3 + espeak-ng)"
TYPICAL = (50, 70)  # characters: a typical first answer, 为您找到…。 plus the summary


def typical_answers(ctx: Context, n: int) -> list[str]:
    """The kiosk's first answer for each guide, those of typical length first."""
    from ..answer import answer_guide
    from ..knowledge import load_directory

    kb, _ = load_directory(ctx.guides_dir, ctx.config.centre)
    answers = [answer_guide(g, kb).text for g in kb.guides]
    typical = [a for a in answers if TYPICAL[0] <= len(a) <= TYPICAL[1]] or answers
    typical = typical or ["为您找到城乡居民最低生活保障申请。本市户籍家庭人均收入低于低保标准的，可以到户籍所在街道的中心申请。"]
    return [typical[i % len(typical)] for i in range(n)]


def run(ctx: Context) -> list[Row]:
    from ..speech.playback import ClockOutput, WavFileOutput
    from ..speech.tts import make_speaker

    answers = typical_answers(ctx, 10 if ctx.quick else 40)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        out = WavFileOutput(Path(tmp) / "bench.wav")
        t0 = time.perf_counter()
        speaker = make_speaker(ctx.config, output=out)
        start_ms = (time.perf_counter() - t0) * 1000
        if not speaker.available:
            return [Row("speech output", "unavailable", ok=False), Row(f"  {speaker.problem}", "")]
        rows.append(Row("engine start, voice check, first render", f"{start_ms:.0f} ms"))
        for text in answers:
            speaker.say(text)
            speaker.wait()
        stats = speaker.stats
        cold, warm = stats.first_audio_seconds[0] * 1000, [s * 1000 for s in stats.first_audio_seconds[1:]]
        speaker.close()
    rows.append(Row("first answer right after start → first audio", f"{cold:.0f} ms"))
    p50, p95, _ = percentiles(warm)
    mean_len = sum(map(len, answers)) / len(answers)
    rows.append(Row(f"say() → first audio, {mean_len:.0f}-char answer p50/p95", f"{p50:.0f}/{p95:.0f} ms",
                    "p95 ≤ 300 ms", p95 <= 300))
    rtf = stats.render_seconds / stats.audio_seconds
    rows.append(Row("real-time factor (synthesis / audio time)", f"{rtf:.4f}", "≤ 0.1", rtf <= 0.1))
    rows.append(Row("audio per answer, pieces per answer",
                    f"{stats.audio_seconds / len(answers):.1f} s, {stats.pieces_rendered / len(answers):.1f}"))
    rows.append(_stop_row(ctx, 3 if ctx.quick else 10, ClockOutput, make_speaker))
    return rows


def _stop_row(ctx: Context, n: int, clock_output, make_speaker) -> Row:
    """stop() while a piece plays → the output goes quiet (simulated card that keeps real time)."""
    samples = []
    text = "为您找到城乡居民最低生活保障申请，家里人均收入低于本市低保标准的本市户籍家庭，可以申请低保。"
    for _ in range(n):
        out = clock_output()
        speaker = make_speaker(ctx.config, output=out)
        speaker.say(text)
        out.started.wait(10)
        time.sleep(0.2)
        t = time.perf_counter()
        speaker.stop()
        speaker.wait(10)
        samples.append(((out.cut_at or time.perf_counter()) - t) * 1000)
        speaker.close()
    p50, p95, _ = percentiles(samples)
    return Row("stop() → silent, p50/p95 (plus ≤ 50 ms card chunk)", f"{p50:.0f}/{p95:.0f} ms", "p95 ≤ 100 ms",
               p95 <= 100)
