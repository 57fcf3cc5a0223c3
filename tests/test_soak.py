"""Soak: 10,000 question/answer cycles through the speech fakes, the dialogue, the question log and the
heartbeat, as the app wires them. Memory must stay flat, and no thread or file handle may leak."""
from __future__ import annotations

import gc
import os
import threading
import tracemalloc

import pytest

from fakes import FakeRecognizer, FakeSpeaker
from kiosk.dialogue import Dialogue, GoHome, Heard, Say, StopSpeaking, TappedChoice, Tick
from kiosk.speech import Transcript
from kiosk.staff.health import Heartbeat, app_status
from kiosk.staff.qlog import QuestionLog, read_log

CYCLES = 10_000
WARM_UP = 1_000
QUESTIONS = [
    ("低保怎么申请", ("低保怎么申请", "低保怎么身请")),
    ("要带什么材料", ()),
    ("在哪里办", ()),
    ("我叫王建国手机13812345678想吃低保", ()),
    ("最低生活保障每个月多少钱", ("最低生活保障每个月多少钱",)),
    ("第一个", ()),
    ("都不是", ()),
    ("今天天气怎么样", ()),
    ("身份证丢了怎么补办", ()),
    ("敬老卡怎么办", ("敬老卡怎么办", "进老卡怎么办")),
    ("居住证要多久", ()),
    ("嗯那个", ()),
    ("", ()),
    ("低保户认定", ()),
    ("x" * 500, ()),
]


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


class App:
    """The wiring the app does: recogniser → dialogue → speaker, log and heartbeat on the side."""

    def __init__(self, kb, matcher, tmp_path) -> None:
        self.speaker = FakeSpeaker()
        self.dialogue = Dialogue(kb, matcher)
        self.qlog = QuestionLog(tmp_path / "log", max_bytes=64_000, backups=2)
        self.asked = 0
        self.dialogue.on_asked = self.ask
        self.heartbeat = Heartbeat(tmp_path / "run" / "heartbeat.json", interval=50, clock=self.clock, environ={})
        self.now = 0.0
        self.spoken = 0
        self.errors = 0

    def ask(self, asked) -> None:
        self.asked += 1
        self.qlog.record_asked(asked, source="voice")

    def clock(self) -> float:
        return self.now

    def act(self, actions) -> None:
        for a in actions:
            if isinstance(a, Say):
                self.speaker.say(a.text)
                self.spoken += 1
            elif isinstance(a, StopSpeaking):
                self.speaker.stop()
        self.speaker.said.clear()  # the fake keeps what it said; the real one does not

    def cycle(self, i: int) -> None:
        text, alts = QUESTIONS[i % len(QUESTIONS)]
        self.now += 3.0
        done = threading.Event()

        def on_final(t: Transcript) -> None:
            self.act(self.dialogue.handle(Heard(t.text, t.alternatives), self.now))
            done.set()

        def on_error(message: str) -> None:
            self.errors += 1
            done.set()

        rec = FakeRecognizer(partials=[text[:1], text[:3]], final=Transcript(text, alts),
                             error="麦克风没有声音" if i % 97 == 0 else None, threaded=i % 50 == 0)
        rec.start(lambda p: None, on_final, on_error)
        assert done.wait(10)
        rec.close()
        if i % 7 == 0:
            self.act(self.dialogue.handle(TappedChoice(i % 4), self.now))
        if i % 11 == 0:
            self.act(self.dialogue.handle(GoHome(), self.now))
        if i % 13 == 0:
            self.now += 61.0
            self.act(self.dialogue.handle(Tick(), self.now))
        self.heartbeat.beat({**app_status(qlog=self.qlog), "cycle": i})


@pytest.mark.slow
def test_ten_thousand_cycles_keep_memory_flat_and_leak_nothing(kb, matcher, tmp_path):
    app = App(kb, matcher, tmp_path)
    for i in range(WARM_UP):  # caches fill, log files appear and rotate
        app.cycle(i)
    gc.collect()
    threads, fds = threading.active_count(), _open_fds()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for i in range(WARM_UP, CYCLES):
            app.cycle(i)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    growth = sum(s.size_diff for s in after.compare_to(before, "filename"))
    assert growth < 512 * 1024, [str(s) for s in after.compare_to(before, "lineno")[:8]]
    for _ in range(100):  # the threaded fake's thread ends right after its callback
        if threading.active_count() == threads:
            break
        threading.Event().wait(0.05)
    assert threading.active_count() == threads
    assert _open_fds() == fds
    # it really ran: everything was logged (rotated, size-capped), spoken, and the heartbeat is current
    assert app.errors == len(range(0, CYCLES, 97))
    assert app.spoken >= CYCLES - app.errors  # every question heard got an answer spoken
    files = sorted(p.name for p in app.qlog.directory.iterdir())
    assert files == ["questions.jsonl", "questions.jsonl.1", "questions.jsonl.2"]
    assert sum(p.stat().st_size for p in app.qlog.directory.iterdir()) <= 3 * 64_000
    st = app.qlog.status()
    assert st.writing and st.dropped == 0 and st.written == app.asked > CYCLES * 0.8
    assert read_log(app.qlog.path).records[-1].time is not None
    assert "13812345678" not in "".join(p.read_text(encoding="utf-8") for p in app.qlog.directory.iterdir())
    assert '"cycle": ' in app.heartbeat.path.read_text(encoding="utf-8")
