"""Speech output: how long every possible reply takes to say, time from say() to the first audio,
real-time factor, and how fast stop() silences.

Reply lengths: every reply the answer layer can build (``answer.every_reply``) is counted in spoken
syllables and pauses; seconds come from a model fitted to replies really synthesised here at the
configured rate (seconds ≈ a·syllables + b·pauses), and the fit's worst error is printed with them.
"""
from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path

from . import Context, Row, percentiles

TITLE = "speech output (pyttsx3 + espeak-ng)"
LENGTH_TARGETS = (10.0, 18.0, 25.0)  # seconds at the normal rate: median, p90, max, for every section
#: The first answer about a guide says its name, who it is for and what they get (spoken_summary, at most
#: 24 characters) and how to ask on: a longer median than a section's one fact. At 10 s it had said only
#: 找到了 and the name for 68 guides.
FIRST_ANSWER_TARGETS = (13.0, 18.0, 25.0)
TYPICAL = (20, 40)  # characters: a typical first answer, the short name, one clause, the closing words


def typical_answers(ctx: Context, n: int) -> list[str]:
    """The kiosk's first answer for each guide, those of typical length first."""
    from ..answer import answer_guide
    from ..knowledge import load_directory

    kb, _ = load_directory(ctx.guides_dir, ctx.config.centre)
    answers = [answer_guide(g, kb).text for g in kb.guides]
    typical = [a for a in answers if TYPICAL[0] <= len(a) <= TYPICAL[1]] or answers
    typical = typical or ["为您找到城乡居民最低生活保障申请。本市户籍家庭人均收入低于低保标准的，可以到户籍所在街道的中心申请。"]
    return [typical[i % len(typical)] for i in range(n)]


def _pauses(text: str) -> int:
    from ..speech.textprep import prepare

    pieces = prepare(text)
    return len(pieces) + sum(len(re.findall("[，、：；]", p)) for p in pieces)


def _fit(samples: list[tuple[int, int, float]]) -> tuple[float, float]:
    """Least squares seconds ≈ a·syllables + b·pauses."""
    sxx = sum(x * x for x, _, _ in samples)
    sxy = sum(x * y for x, y, _ in samples)
    syy = sum(y * y for _, y, _ in samples)
    sxt = sum(x * t for x, _, t in samples)
    syt = sum(y * t for _, y, t in samples)
    det = sxx * syy - sxy * sxy
    if not det:
        return sum(t for *_, t in samples) / max(1, sum(x for x, _, _ in samples)), 0.0
    return (sxt * syy - syt * sxy) / det, (syt * sxx - sxt * sxy) / det


def _quantile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def reply_lengths(ctx: Context, speaker, sample_size: int) -> list[Row]:
    """Syllables and seconds of every possible reply, by section, against LENGTH_TARGETS."""
    from ..answer import every_reply
    from ..knowledge import load_directory
    from ..speech.textprep import count_syllables

    kb, _ = load_directory(ctx.guides_dir, ctx.config.centre)
    replies = [(section, r.text, count_syllables(r.text), _pauses(r.text)) for section, r in every_reply(kb)]
    step = max(1, len(replies) // sample_size)
    samples = []
    for _, text, syllables, pauses in replies[::step][:sample_size]:
        before = speaker.stats.audio_seconds
        speaker.say(text)
        speaker.wait()
        samples.append((syllables, pauses, speaker.stats.audio_seconds - before))
    a, b = _fit(samples)
    error = max(abs(a * x + b * y - t) for x, y, t in samples)
    rate = int(ctx.config.get("speech.rate", 160))
    rows = [Row(f"reply seconds at rate {rate}: {len(samples)} said, fit", f"{a:.3f}/syll+{b:.2f}/pause"),
            Row("  worst error of the fit on the replies said", f"{error:.1f} s")]
    sections: dict[str, list[tuple[int, float]]] = {}
    for section, _, syllables, pauses in replies:
        sections.setdefault(section, []).append((syllables, a * syllables + b * pauses))
    # a referral is where to go instead, not one of the guides' answers: shown, with no target of its own
    untargeted = ("clarify", "none", "referral")
    everything = [v for section, values in sections.items() if section not in untargeted for v in values]
    for section, values in [("all answers", everything), *sections.items()]:
        med_t, p90_t, max_t = FIRST_ANSWER_TARGETS if section == "summary" else LENGTH_TARGETS
        secs = [t for _, t in values]
        syl = [s for s, _ in values]
        m, p, x = statistics.median(secs), _quantile(secs, 0.9), max(secs)
        rows.append(Row(f"  {section} ({len(values)}) syllables p50/p90/max",
                        f"{statistics.median(syl):.0f}/{_quantile(syl, 0.9):.0f}/{max(syl)}"))
        if section in untargeted:  # not a section's answer: which guide (names), not found, or where to go
            rows.append(Row(f"  {section} seconds p50/p90/max", f"{m:.1f}/{p:.1f}/{x:.1f}"))
            continue
        ok = m <= med_t and p <= p90_t and x <= max_t
        rows.append(Row(f"  {section} seconds p50/p90/max", f"{m:.1f}/{p:.1f}/{x:.1f}",
                        f"≤ {med_t:.0f}/{p90_t:.0f}/{max_t:.0f} s", ok))
    return rows


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
        rows += reply_lengths(ctx, speaker, 12 if ctx.quick else 30)
        speaker.stats = type(speaker.stats)()
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
