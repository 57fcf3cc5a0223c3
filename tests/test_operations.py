"""Operations: what the app wires once; reloads are handed over on the thread that calls tick()."""
from __future__ import annotations

import json
import threading

from fakes import own_threads
from staff_helpers import add_second_guide
from kiosk.config import load_config
from kiosk.dialogue import Dialogue, Heard
from kiosk.staff.operations import Operations
from kiosk.staff.qlog import read_log


def test_the_app_wiring_end_to_end(tmp_path, guide_dir):
    config = load_config(env={}).with_overrides({
        "guides_dir": str(guide_dir), "log": {"dir": str(tmp_path / "log")},
        "reload": {"interval_seconds": 0.01, "settle_seconds": 0},
        "health": {"heartbeat_file": str(tmp_path / "hb.json"), "heartbeat_seconds": 0}})
    ops = Operations.from_config(config, environ={})
    dialogue = Dialogue(ops.knowledge.kb, ops.knowledge.matcher)
    ops.attach(dialogue, source="voice")
    before = set(threading.enumerate())
    ops.start()
    try:
        assert "kiosk-guide-reloader" in [t.name for t in threading.enumerate() if t not in before]
        dialogue.handle(Heard("我叫李梅，低保怎么申请"), now=1)
        rec = read_log(ops.qlog.path).records[0]
        assert rec.query == "我叫[姓名]，低保怎么申请" and rec.source == "voice"
        assert ops.tick() is None  # nothing reloaded yet
        add_second_guide(guide_dir)
        swapped = None
        for _ in range(600):  # the reloader thread notices within a few polls
            swapped = ops.tick()
            if swapped:
                break
            threading.Event().wait(0.01)
        assert swapped is not None and swapped is ops.knowledge and len(swapped.kb) == 2
        assert len(dialogue.kb) == 1  # the dialogue is the session's to swap (kiosk.session)
        beat = json.loads((tmp_path / "hb.json").read_text(encoding="utf-8"))
        assert beat["guides"] == 2 and beat["reload"] == "ok" and beat["question_log"] == "writing"
        ops.extra_status = lambda: {"speech": "error", "speech_problem": "语音合成被中断"}  # the app adds speech
        ops.tick()
        beat = json.loads((tmp_path / "hb.json").read_text(encoding="utf-8"))
        assert beat["speech"] == "error" and beat["speech_problem"] == "语音合成被中断" and beat["guides"] == 2
        assert ops.staff_lines()[0].startswith("已加载 2 个指南")
        assert ops.staff_lines()[-1] == "问题记录正常（已记录 1 条）"
    finally:
        ops.stop()
    assert own_threads(before, timeout=30) == []  # the reloader thread (kiosk-guide-reloader) ended


def test_staff_lines_show_a_rejected_edit_with_path_and_line(tmp_path, guide_dir):
    config = load_config(env={}).with_overrides({
        "guides_dir": str(guide_dir), "log": {"dir": str(tmp_path / "log"), "questions": ""},
        "reload": {"settle_seconds": 0}, "health": {"heartbeat_file": str(tmp_path / "hb.json")}})
    ops = Operations.from_config(config, environ={})
    assert ops.qlog is None
    path = guide_dir / "assistance" / "assistance-01.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("fees: 不收费", "fees: TODO"), encoding="utf-8")
    ops.reloader.poll()
    lines = ops.staff_lines()
    assert "这次修改未生效" in lines[0]
    assert lines[1].startswith(f"{path}:") and lines[1].endswith("fees 含有占位文字：TODO")
