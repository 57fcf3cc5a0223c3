"""The question log: scrubbed JSON lines, size-capped rotation, and a full disk that turns it off and on."""
from __future__ import annotations

import datetime as dt
import errno
import json
import logging

from kiosk.staff.qlog import QuestionLog, Record, read_log, rotated_path


class Clock:
    def __init__(self) -> None:
        self.t = 0.0
        self.day = dt.datetime(2026, 3, 2, 9, 0, 0)

    def __call__(self) -> float:
        return self.t

    def now(self) -> dt.datetime:
        return self.day + dt.timedelta(seconds=self.t)


def _log(tmp_path, clock=None, **kw) -> QuestionLog:
    clock = clock or Clock()
    return QuestionLog(tmp_path / "log", clock=clock, now=clock.now, **kw)


def test_question_is_scrubbed_before_it_reaches_the_file(tmp_path):
    qlog = _log(tmp_path)
    assert qlog.record("我叫张建国，手机13812345678，低保怎么申请", "answer", "assistance-01", 91.234, "materials",
                       [("assistance-01", 91.234), ("assistance-02", 70.0)], source="voice")
    raw = qlog.path.read_text(encoding="utf-8")
    assert "张建国" not in raw and "13812345678" not in raw
    obj = json.loads(raw)
    assert obj == {"t": "2026-03-02T09:00:00", "q": "我叫[姓名]，手机[手机号]，低保怎么申请", "status": "answer",
                   "guide": "assistance-01", "score": 91.2, "section": "materials",
                   "cands": [["assistance-01", 91.2], ["assistance-02", 70.0]], "src": "voice"}
    assert Record.from_json(raw).nearest == "assistance-01"


def test_record_match_keeps_the_nearly_matched_guide_for_none(tmp_path, matcher):
    qlog = _log(tmp_path)
    match = matcher.match("最低生活费能领多少钱")
    qlog.record_match(match, source="touch")
    rec = read_log(qlog.path).records[0]
    assert rec.status == match.status
    assert rec.nearest == match.best.id == "assistance-01"


def test_rotation_caps_the_size_and_keeps_the_newest(tmp_path):
    clock = Clock()
    qlog = _log(tmp_path, clock, max_bytes=2048, backups=2)
    for i in range(200):
        clock.t = i
        qlog.record(f"第{i}个问题低保怎么办", "none")
    files = sorted(p.name for p in qlog.directory.iterdir())
    assert files == ["questions.jsonl", "questions.jsonl.1", "questions.jsonl.2"]
    assert all(p.stat().st_size <= 2048 for p in qlog.directory.iterdir())
    records = read_log(qlog.path).records
    assert records[-1].query == "第199个问题低保怎么办"
    kept = [int(r.query[1:r.query.index("个")]) for r in records]
    assert kept == list(range(kept[0], 200))  # a contiguous newest stretch, oldest rotated away
    assert kept[0] > 0


def test_no_backups_means_the_file_starts_again(tmp_path):
    qlog = _log(tmp_path, max_bytes=1024, backups=0)
    for i in range(100):
        qlog.record(f"问题{i}", "none")
    assert [p.name for p in qlog.directory.iterdir()] == ["questions.jsonl"]
    assert qlog.path.stat().st_size <= 1024


class FullDisk:
    """open() replacement: writes fail with ENOSPC while full is set, after writing part of the data."""

    def __init__(self) -> None:
        self.full = False
        self.errno = errno.ENOSPC

    def __call__(self, path, mode="r", *args, **kwargs):
        fh = open(path, mode, *args, **kwargs)
        if not self.full:
            return fh
        outer = self

        class Broken:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                fh.close()

            def write(self, data):
                fh.write(data[: len(data) // 2])  # the disk fills up half way through the line
                raise OSError(outer.errno, "No space left on device")

            def flush(self):
                fh.flush()

        return Broken()


def test_full_disk_turns_logging_off_with_one_message_and_recovers(tmp_path, caplog):
    clock, disk = Clock(), FullDisk()
    qlog = _log(tmp_path, clock, open_file=disk, retry_seconds=30)
    assert qlog.record("低保怎么申请", "answer", "assistance-01", 90)
    disk.full = True
    with caplog.at_level(logging.WARNING, logger="kiosk.staff.qlog"):
        for i in range(5):
            clock.t += 1
            assert qlog.record(f"满了{i}", "none") is False
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "磁盘已满" in warnings[0]
    st = qlog.status()
    assert not st.writing and "磁盘已满" in st.problem and st.queued == 5
    disk.full = False
    clock.t += 10  # not yet time to retry: still queued, no file access
    assert qlog.record("还没到重试时间", "none") is False
    clock.t += 30
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kiosk.staff.qlog"):
        assert qlog.record("恢复了", "none")
    assert "已恢复" in caplog.records[0].getMessage()
    st = qlog.status()
    assert st.writing and st.problem is None and st.queued == 0 and st.dropped == 0
    result = read_log(qlog.path)
    # the half-written lines were cut back: every record once, nothing lost
    assert [r.query for r in result.records] == ["低保怎么申请", "满了0", "满了1", "满了2", "满了3", "满了4",
                                                 "还没到重试时间", "恢复了"]
    assert result.skipped == 0


def test_queue_is_bounded_while_the_disk_stays_full(tmp_path):
    clock, disk = Clock(), FullDisk()
    disk.full = True
    qlog = _log(tmp_path, clock, open_file=disk, queue_limit=10, retry_seconds=5)
    for i in range(50):
        clock.t += 1
        qlog.record(f"q{i}", "none")
    st = qlog.status()
    assert st.queued == 10 and st.dropped == 40
    disk.full = False
    clock.t += 5
    qlog.record("q50", "none")
    assert [r.query for r in read_log(qlog.path).records] == [f"q{i}" for i in range(40, 51)]


def test_permission_error_is_reported_as_such(tmp_path):
    clock, disk = Clock(), FullDisk()
    disk.full, disk.errno = True, errno.EACCES
    qlog = _log(tmp_path, clock, open_file=disk)
    qlog.record("低保", "none")
    assert "没有写入权限" in qlog.status().problem


def test_log_folder_removed_while_running_is_made_again(tmp_path):
    import shutil

    qlog = _log(tmp_path)
    qlog.record("一", "none")
    shutil.rmtree(qlog.directory)
    assert qlog.record("二", "none")
    assert [r.query for r in read_log(qlog.path).records] == ["二"]


def test_read_log_filters_by_time_and_survives_junk(tmp_path):
    clock = Clock()
    qlog = _log(tmp_path, clock)
    for day in range(3):
        clock.t = day * 86400
        qlog.record(f"第{day}天", "none")
    with open(qlog.path, "a", encoding="utf-8") as fh:
        fh.write("not json\n{\"q\": 1}\n\n")
    result = read_log(qlog.path, since=dt.datetime(2026, 3, 3))
    assert [r.query for r in result.records] == ["第1天", "第2天"]
    assert result.skipped == 2


def test_from_config_uses_the_log_section(tmp_path):
    from kiosk.config import load_config

    config = load_config(env={}).with_overrides({"log": {"dir": str(tmp_path / "x"), "max_bytes": 4096,
                                                         "backups": 3}})
    qlog = QuestionLog.from_config(config)
    assert qlog.path == tmp_path / "x" / "questions.jsonl"
    assert (qlog.max_bytes, qlog.backups) == (4096, 3)
    assert QuestionLog.from_config(config.with_overrides({"log": {"questions": ""}})) is None


def test_rotated_path_names():
    from pathlib import Path

    assert rotated_path(Path("/a/q.jsonl"), 2) == Path("/a/q.jsonl.2")


def test_a_line_cut_short_that_cannot_be_removed_does_not_swallow_the_next(tmp_path, monkeypatch):
    import kiosk.staff.qlog as qlog_module

    clock, disk = Clock(), FullDisk()
    qlog = _log(tmp_path, clock, open_file=disk, retry_seconds=1)
    qlog.record("第一句", "none")
    disk.full = True

    def cannot_truncate(path, size):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(qlog_module.os, "truncate", cannot_truncate)
    qlog.record("写了一半", "none")
    disk.full = False
    clock.t += 2
    assert qlog.record("第三句", "none")
    result = read_log(qlog.path)
    assert [r.query for r in result.records] == ["第一句", "写了一半", "第三句"]
    assert result.skipped == 1  # the half line, on a line of its own
