"""Is this kiosk healthy? A heartbeat the running app writes, and the check ``kiosk health`` makes.

The running app calls :meth:`Heartbeat.beat` often (every Kivy clock tick is fine); at most every
``interval`` seconds it replaces a small JSON file (written to a temporary file and renamed, so a
reader never sees half of it) with the time, the process id and what the app knows about itself:
guides in service, whether the last reload was rejected, whether the question log is writing. Under
systemd with ``WatchdogSec=`` it also sends ``WATCHDOG=1``, so a hung app is restarted.

:func:`check` looks at three things an operator cares about, each with its own exit code (see
:data:`EXIT_CODES`): the heartbeat is fresh (the app runs and its main loop turns), the guides load,
and the log folder is writable.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

log = logging.getLogger("kiosk.staff.health")

OK = 0
NOT_RUNNING = 1  # no heartbeat, or an old one: the app is stopped or hung
COMMAND_ERROR = 2
GUIDES_BROKEN = 3  # no guide loads: the kiosk cannot answer anything
LOG_UNWRITABLE = 4  # questions are not being recorded
SPEECH_OFF = 5  # answers are not spoken (shown on screen only)
EXIT_CODES = {
    OK: "一切正常 / healthy",
    NOT_RUNNING: "终端没有在运行或已卡住（心跳文件不存在或过期）/ not running or hung",
    COMMAND_ERROR: "命令或配置有误 / usage or config error",
    GUIDES_BROKEN: "指南无法加载，终端答不了任何问题 / no guide loads",
    LOG_UNWRITABLE: "日志文件夹不能写入（磁盘满或没有权限）/ log folder not writable",
    SPEECH_OFF: "语音播报不可用或出错，答案只显示在屏幕上 / speech output off or failing",
}


def sd_notify(message: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send a message to systemd (READY=1, WATCHDOG=1, STATUS=...) when started by it; else do nothing."""
    addr = (environ if environ is not None else os.environ).get("NOTIFY_SOCKET")
    if not addr:
        return False
    if addr.startswith("@"):
        addr = "\0" + addr[1:]  # abstract socket namespace
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(message.encode("utf-8"), addr)
        return True
    except OSError as exc:
        log.debug("sd_notify failed: %s", exc)
        return False


class Heartbeat:
    def __init__(self, path: str | os.PathLike, interval: float = 10.0, *,
                 clock: Callable[[], float] = time.monotonic, now: Callable[[], dt.datetime] = dt.datetime.now,
                 environ: Mapping[str, str] | None = None) -> None:
        self.path = Path(path)
        self.interval = interval
        self._clock = clock
        self._now = now
        self._environ = environ
        self._last: float | None = None
        self._failing = False
        self.started = now()

    @classmethod
    def from_config(cls, config, **kwargs) -> "Heartbeat":
        return cls(config.path("health.heartbeat_file"), float(config.get("health.heartbeat_seconds", 10)), **kwargs)

    def ready(self) -> None:
        """Tell systemd the kiosk is up (for Type=notify units) and write the first beat."""
        sd_notify("READY=1", self._environ)
        self.beat(force=True)

    def beat(self, status: Mapping[str, Any] | None = None, force: bool = False) -> bool:
        """Write the heartbeat if interval has passed since the last one. True when written."""
        t = self._clock()
        if not force and self._last is not None and t - self._last < self.interval:
            return False
        self._last = t
        sd_notify("WATCHDOG=1", self._environ)
        data = {"time": self._now().isoformat(timespec="seconds"), "pid": os.getpid(),
                "started": self.started.isoformat(timespec="seconds"), **(status or {})}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".heartbeat-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, ensure_ascii=False)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            if not self._failing:
                log.warning("心跳文件 %s 写不进去：%s", self.path, exc.strerror or exc)
            self._failing = True
            return False
        if self._failing:
            log.warning("心跳文件已恢复写入：%s", self.path)
        self._failing = False
        return True


def app_status(reloader=None, qlog=None) -> dict[str, Any]:
    """What the app puts in its heartbeat: guides in service and the state of reloads and the log."""
    out: dict[str, Any] = {}
    if reloader is not None:
        k = reloader.current
        out.update(guides=len(k.kb), generation=k.generation, reload=reloader.status.state,
                   reload_message=reloader.status.message)
    if qlog is not None:
        st = qlog.status()
        out.update(question_log="writing" if st.writing else "off", question_log_problem=st.problem)
    return out


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    code: int = OK
    warning: bool = False  # healthy, but staff should act (e.g. the default staff PIN is in use)


#: When several checks fail, the code of the cause comes first: a config error or broken guides also stop
#: the app (so its heartbeat is missing too), and the log folder matters only while it runs.
CAUSE_ORDER = (COMMAND_ERROR, GUIDES_BROKEN, LOG_UNWRITABLE, NOT_RUNNING, SPEECH_OFF)


@dataclass
class HealthReport:
    checks: list[Check] = field(default_factory=list)
    heartbeat: dict[str, Any] | None = None

    @property
    def code(self) -> int:
        failed = {c.code for c in self.checks if not c.ok}
        return next((code for code in CAUSE_ORDER if code in failed), OK)

    def lines(self) -> list[str]:
        return [f"{'异常' if not c.ok else '注意' if c.warning else '正常'}  {c.name}：{c.detail}" for c in self.checks]


def check_heartbeat(path: Path | None, stale_seconds: float, now: dt.datetime) -> tuple[Check, dict | None]:
    if path is None:
        return Check("心跳", False, "配置中 health.heartbeat_file（心跳文件）是空的", COMMAND_ERROR), None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        when = dt.datetime.fromisoformat(data["time"])
    except FileNotFoundError:
        return Check("心跳", False, f"没有心跳文件 {path}：终端没有运行，或从未启动成功", NOT_RUNNING), None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Check("心跳", False, f"心跳文件 {path} 读不懂：{exc}", NOT_RUNNING), None
    age = (now - when.replace(tzinfo=None)).total_seconds()
    extra = []
    if "guides" in data:
        extra.append(f"在用 {data['guides']} 个指南")
    if data.get("reload") == "rejected":
        extra.append("最近一次指南修改有错误未生效")
    if data.get("reload") == "missing":
        extra.append("指南文件夹不见了")
    if data.get("question_log") == "off":
        extra.append(f"问题记录暂停（{data.get('question_log_problem') or '原因不明'}）")
    tail = ("；" + "；".join(extra)) if extra else ""
    if data.get("guides") == 0:
        return Check("心跳", False, f"终端在运行，但没有在用的指南，答不了任何问题{tail}", GUIDES_BROKEN), data
    if age > stale_seconds:
        return Check("心跳", False, f"最后一次心跳在 {when:%Y-%m-%d %H:%M:%S}，已经 {age:.0f} 秒没有更新"
                                    f"（超过 {stale_seconds:.0f} 秒）：终端已停止或卡住{tail}", NOT_RUNNING), data
    return Check("心跳", True, f"{when:%Y-%m-%d %H:%M:%S}（{max(age, 0):.0f} 秒前），进程 {data.get('pid')}{tail}"), data


def check_guides(directory: str | os.PathLike | None, centre) -> Check:
    from ..knowledge import load_directory

    if not directory:
        return Check("指南", False, "配置中没有 guides_dir（指南文件夹）", COMMAND_ERROR)
    try:
        kb, problems = load_directory(directory, centre)
    except Exception as exc:  # a loader bug is still "the guides do not load", not "not running"
        log.exception("loading guides failed")
        return Check("指南", False, f"加载 {directory} 时出错：{exc}", GUIDES_BROKEN)
    errors = sum(p.is_error for p in problems)
    if len(kb) == 0:
        first = next((str(p) for p in problems if p.is_error), "")
        return Check("指南", False, f"{directory} 中没有能用的指南（{errors} 个错误）{first}", GUIDES_BROKEN)
    tail = f"，{errors} 个错误（运行 kiosk validate 查看）" if errors else ""
    return Check("指南", True, f"{len(kb)} 个指南可以加载{tail}")


def check_log_dir(directory: Path | None, need_bytes: int = 0) -> Check:
    if directory is None:
        return Check("日志", False, "配置中 log.dir（日志文件夹）是空的", COMMAND_ERROR)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".health-") as fh:
            fh.write(b"x")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        return Check("日志", False, f"{directory} 不能写入：{exc.strerror or exc}", LOG_UNWRITABLE)
    free = shutil.disk_usage(directory).free
    note = f"，剩余空间 {free / 1e6:.0f} MB"
    if need_bytes and free < need_bytes:
        note += f"（少于日志上限 {need_bytes / 1e6:.0f} MB，磁盘满时问题记录会暂停）"
    return Check("日志", True, f"{directory} 可以写入{note}")


def check_speech(config, heartbeat: dict | None) -> Check:
    """Speech output: as the running kiosk reports it in its heartbeat, else by rendering a test
    utterance here (kiosk.speech.tts.check_voice; silence counts as failure)."""
    if not config.get("speech.enabled", True):
        return Check("语音播报", True, "已在配置中关闭（speech.enabled）")
    if heartbeat and heartbeat.get("speech") in ("ok", "error", "off"):
        from ..speech.tts import describe_speech

        line = describe_speech(heartbeat).removeprefix("语音播报：")
        return Check("语音播报", heartbeat["speech"] == "ok", f"终端报告：{line}", SPEECH_OFF)
    from ..speech.tts import check_voice

    ok, detail = check_voice(config)
    return Check("语音播报", ok, f"本机试读：{detail}", SPEECH_OFF)


def check(config, *, now: dt.datetime | None = None, heartbeat: bool = True) -> HealthReport:
    now = now or dt.datetime.now()
    report = HealthReport()
    if heartbeat:
        c, data = check_heartbeat(config.path("health.heartbeat_file"),
                                  float(config.get("health.stale_seconds", 60)), now)
        report.checks.append(c)
        report.heartbeat = data
    report.checks.append(check_guides(config.path("guides_dir"), config.centre))
    cap = int(config.get("log.max_bytes", 0)) * (int(config.get("log.backups", 0)) + 1)
    report.checks.append(check_log_dir(config.path("log.dir"), cap))
    report.checks.append(check_speech(config, report.heartbeat))
    report.checks.append(check_staff_pin(config))
    return report


def check_staff_pin(config) -> Check:
    from ..staff.pin import DEFAULT_PIN, PinError, staff_pin

    try:
        pin = staff_pin(config)
    except PinError as exc:
        return Check("管理密码", False, str(exc), COMMAND_ERROR)
    if pin == DEFAULT_PIN:
        return Check("管理密码", True, f"仍在使用默认密码 {DEFAULT_PIN}，请在部署配置的 ui.staff_pin 中改成自己的 4–8 位数字",
                     warning=True)
    return Check("管理密码", True, "已设置")
