"""Soak: many question/answer cycles through the real session core with silent speech stand-ins, the
question log and the heartbeat; prints how much Python memory the cycles after a warm-up kept.

Memory is a figure to watch, not a test: it depends on the interpreter, caches and the allocator. The test
(tests/test_soak.py) checks only what cannot be noise: the session's own structures stay bounded and its
threads end.
"""
from __future__ import annotations

import gc
import tempfile
import tracemalloc
from pathlib import Path

from . import Context, Row, rss_mb

TITLE = "soak (session core, question log, heartbeat)"
QUESTIONS = ["低保怎么申请", "要带什么材料", "在哪里办", "第一个", "都不是", "明天会不会下雨", "敬老卡怎么办",
             "居住证要多久", "嗯那个", "", "x" * 500]


class _Handle:
    cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class _Scheduler:
    """Runs the session's timed calls when the bench moves time on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.calls: list = []

    def call_later(self, seconds: float, fn):
        handle = _Handle()
        self.calls.append((self.now + seconds, len(self.calls), fn, handle))
        return handle

    def advance(self, seconds: float) -> None:
        self.now += seconds
        while True:
            due = [c for c in self.calls if c[0] <= self.now and not c[3].cancelled]
            self.calls = [c for c in self.calls if c not in due and not c[3].cancelled]
            if not due:
                return
            for c in sorted(due, key=lambda c: c[:2]):
                c[2]()


class _Recognizer:
    """Hears the next question at once."""

    available, problem, is_listening = True, None, False

    def __init__(self) -> None:
        self.text = ""

    def start(self, on_partial, on_final, on_error) -> None:
        from ..speech import Transcript

        on_partial(self.text[:2])
        on_final(Transcript(self.text))

    def cancel(self) -> None:
        pass

    def close(self) -> None:
        pass


def _silent_speaker():
    """A speaker that is there (the session speaks every answer) but makes no sound."""
    from ..speech import Unavailable

    speaker = Unavailable("")
    speaker.available, speaker.problem = True, None
    return speaker


class _View:
    def show(self, action) -> None:
        pass

    def reset(self) -> None:
        pass

    def rebuild(self) -> None:
        pass

    def status(self, session) -> None:
        pass


def run(ctx: Context) -> list[Row]:
    from ..session import Services, Session
    from ..staff.health import Heartbeat
    from ..staff.operations import Operations
    from ..staff.qlog import QuestionLog
    from ..staff.reload import KnowledgeReloader

    cycles, warm_up = (2_000, 200) if ctx.quick else (10_000, 1_000)
    with tempfile.TemporaryDirectory() as tmp:
        now = [0.0]
        reloader = KnowledgeReloader(ctx.guides_dir, ctx.config.centre, interval=3600)
        qlog = QuestionLog(Path(tmp) / "log", max_bytes=64_000, backups=2)
        heartbeat = Heartbeat(Path(tmp) / "heartbeat.json", interval=50, clock=lambda: now[0], environ={})
        ops = Operations(reloader, qlog, heartbeat)
        rec, scheduler = _Recognizer(), _Scheduler()
        services = Services(ctx.config, ops.knowledge.kb, ops.knowledge.matcher, speaker=_silent_speaker(),
                            recognizer=rec, clock=lambda: now[0], ops=ops)
        session = Session(services, _View(), scheduler, source="voice", drive=True)
        session.start()

        def cycle(i: int) -> None:
            now[0] += 3.0 + (61.0 if i % 13 == 0 else 0.0)
            rec.text = QUESTIONS[i % len(QUESTIONS)]
            session.mic_pressed()
            scheduler.advance(0.3)
            if i % 7 == 0:
                session.tapped_choice(i % 4)
            if i % 11 == 0:
                session.go_home()
            scheduler.advance(1.0)

        for i in range(warm_up):
            cycle(i)
        gc.collect()
        rss_before = rss_mb()
        tracemalloc.start()
        try:
            before = tracemalloc.take_snapshot()
            for i in range(warm_up, cycles):
                cycle(i)
            gc.collect()
            after = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        session.stop()
        services.close()
        ops.stop()
        logged = qlog.status().written
    kept = sum(s.size_diff for s in after.compare_to(before, "filename")) / 1024
    n = cycles - warm_up
    return [Row(f"Python memory kept by {n:,} cycles after {warm_up:,}", f"{kept:.0f} KB", "< 512 KB", kept < 512),
            Row("peak resident memory before / after", f"{rss_before:.0f} / {rss_mb():.0f} MB"),
            Row("questions logged (the cycles really ran)", f"{logged:,}")]
