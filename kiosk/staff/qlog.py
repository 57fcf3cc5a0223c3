"""The question log: what residents asked and what the kiosk did, as JSON lines. Never audio.

Each question is scrubbed of personal data (:func:`kiosk.staff.scrub.scrub`) before it is written.
The file is rotated by size (``questions.jsonl`` → ``.1`` → ``.2`` …) with a fixed number of backups,
so the log never grows past ``max_bytes × (backups + 1)``.

The kiosk runs unattended for months, so writing must never stop it: a full disk or a folder it may
not write to turns the log off with one clear message (:attr:`QuestionLog.problem`, and one warning in
the system log), records are held in a small bounded queue, and every ``retry_seconds`` the log tries
again; when writing works again the queue is written out and one message says so.
"""
from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .scrub import scrub

log = logging.getLogger("kiosk.staff.qlog")

DEFAULT_NAME = "questions.jsonl"
#: Statuses a record can have: the matcher's three, plus questions answered from the guide on screen
#: (followup: 要带什么材料?) and choices made while clarifying (choice: 第二个).
STATUSES = ("answer", "clarify", "none", "followup", "choice", "command")  # command: 再说一遍, 说慢一点 ...
MAX_QUERY_CHARS = 200


MAX_RECORD_CHARS = 20_000  # a record holds one scrubbed question of at most MAX_QUERY_CHARS and a few ids


@dataclass(frozen=True)
class Record:
    time: dt.datetime
    query: str
    status: str
    guide: str | None = None
    score: float | None = None
    section: str | None = None
    candidates: tuple[tuple[str, float], ...] = ()
    source: str = ""

    def to_json(self) -> str:
        obj: dict[str, Any] = {"t": self.time.isoformat(timespec="seconds"), "q": self.query, "status": self.status}
        if self.guide:
            obj["guide"] = self.guide
        if self.score is not None:
            obj["score"] = round(float(self.score), 1)
        if self.section:
            obj["section"] = self.section
        if self.candidates:
            obj["cands"] = [[gid, round(float(s), 1)] for gid, s in self.candidates]
        if self.source:
            obj["src"] = self.source
        return json.dumps(obj, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> "Record":
        """Parse one line; raises ValueError (or KeyError/TypeError) for a line that is not a record."""
        if len(line) > MAX_RECORD_CHARS:
            raise ValueError("line too long for a question record")
        try:
            obj = json.loads(line)
        except RecursionError as exc:  # deeply nested brackets
            raise ValueError("nested too deeply") from exc
        if not isinstance(obj, dict) or obj.get("status") not in STATUSES or not isinstance(obj.get("q"), str):
            raise ValueError("not a question record")
        for key in ("guide", "section", "src", "t"):
            if obj.get(key) is not None and not isinstance(obj[key], str):
                raise ValueError(f"{key} is not text")
        raw = obj.get("cands") or []
        if not isinstance(raw, list) or not all(isinstance(c, list) and len(c) == 2 and isinstance(c[0], str)
                                                and isinstance(c[1], (int, float)) for c in raw):
            raise ValueError("cands is not a list of [guide, score]")
        cands = tuple((c[0], float(c[1])) for c in raw)
        score = obj.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
            raise ValueError("score is not a number")
        when = dt.datetime.fromisoformat(obj["t"]).replace(tzinfo=None)
        return cls(when, obj["q"], obj["status"], obj.get("guide") or None,
                   float(score) if score is not None else None, obj.get("section") or None, cands,
                   str(obj.get("src") or ""))

    @property
    def nearest(self) -> str | None:
        """The guide the question came closest to: the chosen one, or the best candidate."""
        if self.guide:
            return self.guide
        return self.candidates[0][0] if self.candidates else None


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "磁盘已满"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "没有写入权限"
    if exc.errno == errno.EROFS:
        return "磁盘是只读的"
    return exc.strerror or str(exc)


@dataclass
class LogStatus:
    """For the staff screen and ``kiosk health``."""

    writing: bool
    problem: str | None
    written: int
    queued: int
    dropped: int


class QuestionLog:
    def __init__(self, directory: str | os.PathLike, *, name: str = DEFAULT_NAME, max_bytes: int = 5_000_000,
                 backups: int = 5, retry_seconds: float = 60.0, queue_limit: int = 1000,
                 clock: Callable[[], float] = time.monotonic, now: Callable[[], dt.datetime] = dt.datetime.now,
                 open_file: Callable[..., Any] = open) -> None:
        self.directory = Path(directory)
        self.path = self.directory / name
        self.max_bytes = max(int(max_bytes), 1024)
        self.backups = max(int(backups), 0)
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._now = now
        self._open = open_file
        self._lock = threading.Lock()
        self._queue: deque[str] = deque()
        self._queue_limit = queue_limit
        self._retry_at: float | None = None
        self._maybe_partial = False
        self.problem: str | None = None
        self.written = 0
        self.dropped = 0

    @classmethod
    def from_config(cls, config, **kwargs) -> "QuestionLog | None":
        """The log the config asks for, or None when ``log.questions`` is empty (logging off)."""
        name = config.get("log.questions", DEFAULT_NAME)
        if not name:
            return None
        if config.path("log.dir") is None:
            log.warning("log.dir is empty in the config: questions are not recorded")
            return None
        return cls(config.path("log.dir"), name=str(name), max_bytes=int(config.get("log.max_bytes", 5_000_000)),
                   backups=int(config.get("log.backups", 5)),
                   retry_seconds=float(config.get("log.retry_seconds", 60)), **kwargs)

    # -- recording --------------------------------------------------------------------------------
    def record(self, query: str, status: str, guide: str | None = None, score: float | None = None,
               section: str | None = None, candidates: Iterable[tuple[str, float]] = (), source: str = "") -> bool:
        """Scrub and append one question. Returns whether it is on disk now (False: queued or dropped)."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        text = scrub(query if isinstance(query, str) else "")[:MAX_QUERY_CHARS]
        rec = Record(self._now(), text, status, guide, score, section, tuple(candidates)[:3], source)
        return self.append(rec.to_json())

    def record_match(self, match, source: str = "") -> bool:
        """Record a :class:`kiosk.matching.Match` as the matcher decided it."""
        best = match.best
        return self.record(match.query, match.status, best.id if best and match.status == "answer" else None,
                           best.score if best else None, match.section,
                           [(c.id, c.score) for c in match.candidates], source)

    def record_asked(self, asked, source: str = "") -> bool:
        """Record a :class:`kiosk.dialogue.Asked`; the app sets ``Dialogue.on_asked`` to this."""
        return self.record(asked.text, asked.status, asked.guide_id, asked.score, asked.section,
                           [(c.id, c.score) for c in asked.candidates], source)

    def append(self, line: str) -> bool:
        with self._lock:
            if self.problem is not None and self._clock() < (self._retry_at or 0.0):
                self._enqueue(line)
                return False
            lines = [*self._queue, line]
            try:
                self._write(lines)
            except OSError as exc:
                self._queue.clear()
                for item in lines:
                    self._enqueue(item)
                self._failed(exc)
                return False
            self._queue.clear()
            self.written += len(lines)
            if self.problem is not None:
                log.warning("问题记录已恢复写入（补写 %d 条，丢失 %d 条）", len(lines) - 1, self.dropped)
                self.problem = None
                self._retry_at = None
            return True

    def status(self) -> LogStatus:
        with self._lock:
            return LogStatus(self.problem is None, self.problem, self.written, len(self._queue), self.dropped)

    # -- internals --------------------------------------------------------------------------------
    def _enqueue(self, line: str) -> None:
        if len(self._queue) >= self._queue_limit:
            self._queue.popleft()
            self.dropped += 1
        self._queue.append(line)

    def _failed(self, exc: OSError) -> None:
        self._retry_at = self._clock() + self.retry_seconds
        if self.problem is None:
            self.problem = f"问题记录已暂停：{_reason(exc)}（{self.path}）。腾出空间或修好权限后会自动恢复。"
            log.warning("%s [%s]", self.problem, exc)

    def _write(self, lines: list[str]) -> None:
        data = "".join(item + "\n" for item in lines).encode("utf-8")
        self.directory.mkdir(parents=True, exist_ok=True)
        size = self._size()
        if size and size + len(data) > self.max_bytes:
            self._rotate()
            size = 0
        prefix = b""
        if self._maybe_partial and size:
            prefix = b"" if self._ends_with_newline() else b"\n"  # a line cut short by a full disk
        try:
            with self._open(self.path, "ab") as fh:
                fh.write(prefix + data)
                fh.flush()
        except OSError:
            self._cut_back(size)
            raise
        self._maybe_partial = False

    def _cut_back(self, size: int) -> None:
        """Remove what a failed write left (part of a line), so a retry writes each line once."""
        try:
            if self.path.exists():
                os.truncate(self.path, size)
                self._maybe_partial = False
                return
        except OSError:
            pass
        self._maybe_partial = True

    def _size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def _rotate(self) -> None:
        if self.backups == 0:
            self.path.unlink(missing_ok=True)
            return
        for i in range(self.backups - 1, 0, -1):
            src = rotated_path(self.path, i)
            if src.exists():
                os.replace(src, rotated_path(self.path, i + 1))
        os.replace(self.path, rotated_path(self.path, 1))


def rotated_path(path: Path, i: int) -> Path:
    return path.with_name(f"{path.name}.{i}")


def log_files(path: Path) -> list[Path]:
    """The log and its rotated backups, oldest first."""
    backups = []
    for p in path.parent.glob(path.name + ".*"):
        suffix = p.name[len(path.name) + 1:]
        if suffix.isdigit():
            backups.append((int(suffix), p))
    files = [p for _, p in sorted(backups, reverse=True)]
    return files + ([path] if path.exists() else [])


@dataclass
class ReadResult:
    records: list[Record] = field(default_factory=list)
    skipped: int = 0  # lines that are not records (cut short by a full disk, edited by hand)
    files: list[Path] = field(default_factory=list)


def read_log(path: str | os.PathLike, since: dt.datetime | None = None,
             until: dt.datetime | None = None) -> ReadResult:
    """Every record in the log and its backups, oldest first; unreadable lines are counted, not raised."""
    out = ReadResult()
    for file in log_files(Path(path)):
        out.files.append(file)
        for rec in _records(file, out):
            if (since is None or rec.time >= since) and (until is None or rec.time < until):
                out.records.append(rec)
    out.records.sort(key=lambda r: r.time)
    return out


def _records(file: Path, out: ReadResult) -> Iterator[Record]:
    try:
        fh = open(file, "rb")
    except OSError:
        out.skipped += 1
        return
    with fh:
        for raw in fh:
            line = raw.decode("utf-8", errors="replace").strip()
            if not line:
                continue
            try:
                yield Record.from_json(line)
            except (ValueError, KeyError, TypeError, IndexError):
                out.skipped += 1
