"""kiosk health and the heartbeat the running app writes: exit codes a watchdog can act on."""
from __future__ import annotations

import datetime as dt
import json
import socket

import pytest

from kiosk.config import load_config
from kiosk.staff.health import (COMMAND_ERROR, GUIDES_BROKEN, LOG_UNWRITABLE, NOT_RUNNING, OK, SPEECH_OFF, Heartbeat,
                                app_status, check, sd_notify)

T0 = dt.datetime(2026, 3, 2, 9, 0, 0)


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

    def now(self) -> dt.datetime:
        return T0 + dt.timedelta(seconds=self.t)


def _config(tmp_path, guide_dir, speech=False, **health):
    """speech: whether speech output is on (off here unless a test is about it: it is tried for real)."""
    return load_config(env={}).with_overrides({
        "guides_dir": str(guide_dir), "log": {"dir": str(tmp_path / "log")}, "speech": {"enabled": speech},
        "health": {"heartbeat_file": str(tmp_path / "run" / "heartbeat.json"), "stale_seconds": 60, **health}})


def test_heartbeat_is_rate_limited_and_replaced_whole(tmp_path):
    clock = Clock()
    hb = Heartbeat(tmp_path / "run" / "hb.json", interval=10, clock=clock, now=clock.now, environ={})
    assert hb.beat({"guides": 195}) is True
    clock.t = 5
    assert hb.beat({"guides": 196}) is False
    clock.t = 10
    assert hb.beat({"guides": 197}) is True
    data = json.loads(hb.path.read_text(encoding="utf-8"))
    assert data["time"] == "2026-03-02T09:00:10" and data["guides"] == 197 and isinstance(data["pid"], int)
    assert sorted(p.name for p in hb.path.parent.iterdir()) == ["hb.json"]  # no temporary files left


def test_heartbeat_survives_an_unwritable_folder(tmp_path, caplog):
    blocker = tmp_path / "run"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    clock = Clock()
    hb = Heartbeat(blocker / "hb.json", interval=1, clock=clock, now=clock.now, environ={})
    assert hb.beat() is False
    clock.t = 2
    assert hb.beat() is False
    assert len([r for r in caplog.records if "写不进去" in r.getMessage()]) == 1
    blocker.unlink()
    clock.t = 4
    assert hb.beat() is True and "已恢复" in caplog.records[-1].getMessage()


def test_sd_notify_talks_to_the_systemd_socket(tmp_path):
    path = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(path)
        server.settimeout(5)
        hb = Heartbeat(tmp_path / "hb.json", environ={"NOTIFY_SOCKET": path})
        hb.ready()
        assert server.recv(100) == b"READY=1"
        assert server.recv(100) == b"WATCHDOG=1"
    assert sd_notify("WATCHDOG=1", {}) is False  # not under systemd: nothing to do


def test_healthy_kiosk(tmp_path, guide_dir):
    config = _config(tmp_path, guide_dir)
    clock = Clock()
    hb = Heartbeat.from_config(config, clock=clock, now=clock.now, environ={})
    hb.beat({"guides": 1, "reload": "ok", "question_log": "writing"})
    report = check(config, now=T0 + dt.timedelta(seconds=30))
    assert report.code == OK
    assert [c.name for c in report.checks] == ["心跳", "指南", "日志", "语音播报", "管理密码"]
    assert all(c.ok for c in report.checks) and "已在配置中关闭" in report.checks[3].detail
    assert report.checks[4].warning and "默认密码" in report.lines()[4] and report.lines()[4].startswith("注意")
    assert "30 秒前" in report.checks[0].detail and "在用 1 个指南" in report.checks[0].detail


def test_stale_or_missing_heartbeat_means_not_running(tmp_path, guide_dir):
    config = _config(tmp_path, guide_dir)
    missing = check(config, now=T0)
    assert missing.code == NOT_RUNNING and "没有心跳文件" in missing.checks[0].detail
    clock = Clock()
    Heartbeat.from_config(config, clock=clock, now=clock.now, environ={}).beat(
        {"question_log": "off", "question_log_problem": "问题记录已暂停：磁盘已满", "reload": "rejected"})
    stale = check(config, now=T0 + dt.timedelta(seconds=61))
    assert stale.code == NOT_RUNNING
    detail = stale.checks[0].detail
    assert "已经 61 秒没有更新" in detail and "磁盘已满" in detail and "有错误未生效" in detail
    assert check(config, now=T0 + dt.timedelta(seconds=61), heartbeat=False).code == OK


def test_no_guide_loads(tmp_path, guide_dir):
    empty = tmp_path / "empty"
    empty.mkdir()
    report = check(_config(tmp_path, empty), heartbeat=False)
    assert report.code == GUIDES_BROKEN and "没有能用的指南" in report.checks[0].detail


def test_log_folder_not_writable(tmp_path, guide_dir):
    (tmp_path / "log").write_text("a file where the log folder should be", encoding="utf-8")
    report = check(_config(tmp_path, guide_dir), heartbeat=False)
    assert report.code == LOG_UNWRITABLE and "不能写入" in report.checks[1].detail


def test_the_cause_wins_over_its_effects(tmp_path):
    # Broken guides keep the app from starting, so the heartbeat is missing too: the guides are the cause.
    (tmp_path / "log").write_text("x", encoding="utf-8")
    report = check(_config(tmp_path, tmp_path / "nowhere"), now=T0)
    assert [c.ok for c in report.checks] == [False, False, False, True, True]
    assert report.code == GUIDES_BROKEN
    (tmp_path / "log").unlink()
    assert check(_config(tmp_path, tmp_path / "nowhere"), now=T0).code == GUIDES_BROKEN


def test_a_heartbeat_with_no_guides_is_not_healthy(tmp_path, guide_dir):
    config = _config(tmp_path, guide_dir)
    clock = Clock()
    Heartbeat.from_config(config, clock=clock, now=clock.now, environ={}).beat({"guides": 0, "reload": "ok"})
    report = check(config, now=T0)
    assert report.code == GUIDES_BROKEN and "没有在用的指南" in report.checks[0].detail


def test_empty_paths_in_the_config_are_config_errors(tmp_path, guide_dir):
    config = _config(tmp_path, guide_dir).with_overrides({"log": {"dir": ""}, "health": {"heartbeat_file": ""}})
    report = check(config, now=T0)
    assert report.code == COMMAND_ERROR
    assert "log.dir" in report.checks[2].detail and "heartbeat_file" in report.checks[0].detail


def test_app_status_from_the_reloader_and_log(tmp_path, guide_dir, centre):
    from kiosk.staff.qlog import QuestionLog
    from kiosk.staff.reload import KnowledgeReloader

    status = app_status(KnowledgeReloader(guide_dir, centre), QuestionLog(tmp_path / "log"))
    assert status["guides"] == 1 and status["reload"] == "ok" and status["question_log"] == "writing"


@pytest.mark.parametrize("beat,code", [(True, 0), (False, 1)])
def test_health_cli_exit_codes(tmp_path, guide_dir, beat, code):
    from conftest import run_cli

    config = _config(tmp_path, guide_dir)
    cfg_file = tmp_path / "kiosk.yaml"
    cfg_file.write_text(json.dumps(dict(config.data), ensure_ascii=False), encoding="utf-8")
    if beat:
        Heartbeat.from_config(config, environ={}).beat({"guides": 1})
    res = run_cli("--config", str(cfg_file), "health")
    assert res.code == code
    assert res.out.splitlines()[-1].startswith(f"结果：{code}，")
    as_json = json.loads(run_cli("--config", str(cfg_file), "health", "--json").out)
    assert as_json["code"] == code and len(as_json["checks"]) == 5


def test_speech_state_from_the_heartbeat(tmp_path, guide_dir):
    config = _config(tmp_path, guide_dir, speech=True)
    clock = Clock()
    hb = Heartbeat.from_config(config, clock=clock, now=clock.now, environ={})
    hb.beat({"guides": 1, "speech": "ok", "speech_voice": "sit/cmn-latn-pinyin", "speech_errors": 0}, force=True)
    ok = check(config, now=T0)
    assert ok.code == OK and "终端报告：正常（语音 sit/cmn-latn-pinyin）" in ok.checks[3].detail
    hb.beat({"guides": 1, "speech": "error", "speech_voice": "sit/cmn-latn-pinyin", "speech_errors": 2,
             "speech_problem": "语音合成没有在规定时间内完成。", "speech_problem_at": "2026-01-05 09:00:00"}, force=True)
    failing = check(config, now=T0)
    assert failing.code == SPEECH_OFF and not failing.checks[3].ok
    detail = failing.checks[3].detail
    assert "出错" in detail and "2 次" in detail and "2026-01-05 09:00:00" in detail and "规定时间内" in detail
    hb.beat({"guides": 1, "speech": "off", "speech_problem": "没有找到普通话语音"}, force=True)
    assert check(config, now=T0).code == SPEECH_OFF
    # a failing voice matters less than the causes that stop the kiosk: those codes come first
    hb.beat({"guides": 0, "speech": "off", "speech_problem": "没有找到普通话语音"}, force=True)
    assert check(config, now=T0).code == GUIDES_BROKEN


@pytest.mark.audio
def test_speech_is_tried_here_without_a_heartbeat(tmp_path, guide_dir):
    config = _config(tmp_path, guide_dir, speech=True)
    report = check(config, heartbeat=False)
    (speech,) = [c for c in report.checks if c.name == "语音播报"]
    assert report.code == OK and speech.ok and "本机试读" in speech.detail
