"""Soak: 10,000 question/answer cycles through the real session core (kiosk.session) as the kiosk runs
it: speech fakes, the dialogue, the question log and the heartbeat (driven by the session's ticks).
The session's own structures must stay bounded, and no thread or file handle may leak. How much memory
the cycles keep is a figure printed by `kiosk bench soak`, not asserted here (it depends on the allocator)."""
from __future__ import annotations

import gc
import os
import threading

import pytest

from conftest import GUIDES
from fakes import FakeRecognizer, FakeSpeaker, ManualScheduler, own_threads
from kiosk.config import load_config
from kiosk.dialogue import ShowGuide
from kiosk.session import Services, Session
from kiosk.speech import Transcript
from kiosk.staff.health import Heartbeat
from kiosk.staff.operations import Operations
from kiosk.staff.qlog import QuestionLog, read_log
from kiosk.staff.reload import KnowledgeReloader

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
    ("明天会不会下雨", ()),
    ("身份证遗失了到哪补", ()),
    ("敬老卡怎么办", ("敬老卡怎么办", "进老卡怎么办")),
    ("居住证要多久", ()),
    ("嗯那个", ()),
    ("", ()),
    ("低保户认定", ()),
    ("x" * 500, ()),
]


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


class CountingView:
    """The session's view; counts, keeps nothing (a real screen keeps nothing of past answers either)."""

    def __init__(self) -> None:
        self.guides = self.resets = self.statuses = 0

    def show(self, action) -> None:
        self.guides += isinstance(action, ShowGuide)

    def reset(self) -> None:
        self.resets += 1

    def rebuild(self) -> None:
        pass

    def status(self, session) -> None:
        self.statuses += 1


class App:
    """The kiosk's one session on the real session core, with the staff side the app wires."""

    def __init__(self, tmp_path) -> None:
        self.now = 0.0
        reloader = KnowledgeReloader(GUIDES, load_config(env={}).centre, interval=3600)
        qlog = QuestionLog(tmp_path / "log", max_bytes=64_000, backups=2)
        heartbeat = Heartbeat(tmp_path / "run" / "heartbeat.json", interval=50, clock=self.clock, environ={})
        self.ops = Operations(reloader, qlog, heartbeat)
        self.qlog, self.heartbeat = qlog, heartbeat
        self.speaker = FakeSpeaker()
        k = self.ops.knowledge
        self.services = Services(load_config(env={}), k.kb, k.matcher, speaker=self.speaker,
                                 recognizer=FakeRecognizer(), clock=self.clock, ops=self.ops)
        self.scheduler = ManualScheduler()
        self.view = CountingView()
        self.session = Session(self.services, self.view, self.scheduler, source="voice", drive=True)
        self.spoken = 0
        self.errors = 0
        self.sizes: list[dict[str, int]] = []  # the session's own structures, after each cycle

    def structure_sizes(self) -> dict[str, int]:
        s = self.session
        return {"scheduled calls": sum(1 for c in self.scheduler._calls if not c[3].cancelled),
                "repeating timers": len(s._repeats), "log queue": len(self.qlog._queue),
                "history": len(s.dialogue.state.history), "choices": len(s.dialogue.state.choices),
                "offered": len(s.dialogue.state.offered)}

    def clock(self) -> float:
        return self.now

    def settle(self) -> None:
        """Let the session finish speaking; count what it said (the fake keeps it, the real one does not)."""
        self.spoken += len(self.speaker.said)
        self.speaker.said.clear()
        self.speaker.finish()
        self.scheduler.advance(0.3)

    def cycle(self, i: int) -> None:
        text, alts = QUESTIONS[i % len(QUESTIONS)]
        self.now += 3.0
        error = "麦克风没有声音" if i % 97 == 0 else None
        self.services.recognizer = rec = FakeRecognizer(partials=[text[:1], text[:3]], final=Transcript(text, alts),
                                                        error=error, threaded=i % 50 == 0)
        s = self.session
        s.mic_pressed()
        assert self.scheduler.wait_for(lambda: s.mic_state not in ("listening", "thinking"), timeout=10)
        if error is not None:
            assert s.heard == error
            self.errors += 1
        rec.close()
        self.settle()
        if i % 7 == 0:
            s.tapped_choice(i % 4)
        if i % 11 == 0:
            s.go_home()
        if i % 13 == 0:
            self.now += 61.0  # the next tick resets the session
        self.settle()
        self.scheduler.advance(1.0)  # ticks: idle clock, heartbeat
        self.sizes.append(self.structure_sizes())


@pytest.mark.slow
def test_ten_thousand_cycles_keep_the_sessions_structures_bounded_and_leak_nothing(tmp_path):
    before = set(threading.enumerate())
    app = App(tmp_path)
    app.session.start()
    for i in range(WARM_UP):  # caches fill, log files appear and rotate
        app.cycle(i)
    gc.collect()
    fds = _open_fds()
    for i in range(WARM_UP, CYCLES):
        app.cycle(i)
    # No structure of the session grows with use: the largest size seen in the last thousand cycles is no
    # larger than in the first thousand (a list that kept every answer would be ten times larger).
    first, last = app.sizes[:WARM_UP], app.sizes[-1_000:]
    for name in first[0]:
        assert max(s[name] for s in last) <= max(max(s[name] for s in first), 1), name
    gc.collect()
    assert _open_fds() == fds
    # it really ran: everything was logged (rotated, size-capped), spoken, and the heartbeat is current
    assert app.errors == len(range(0, CYCLES, 97))
    assert app.spoken >= CYCLES - app.errors  # every question heard got an answer spoken
    files = sorted(p.name for p in app.qlog.directory.iterdir())
    assert files == ["questions.jsonl", "questions.jsonl.1", "questions.jsonl.2"]
    assert sum(p.stat().st_size for p in app.qlog.directory.iterdir()) <= 3 * 64_000
    st = app.qlog.status()
    assert st.writing and st.dropped == 0 and st.written > CYCLES * 0.8
    assert read_log(app.qlog.path).records[-1].time is not None
    assert app.view.guides > CYCLES // 4 and app.view.resets >= len(range(0, CYCLES, 13))
    assert "13812345678" not in "".join(p.read_text(encoding="utf-8") for p in app.qlog.directory.iterdir())
    assert '"guides": %d' % len(app.services.kb) in app.heartbeat.path.read_text(encoding="utf-8")
    app.session.stop()
    app.services.close()
    app.ops.stop()
    # the threads this soak started (the session's and the fakes', by name) are all gone
    assert own_threads(before, timeout=30) == []
