"""Reload the guides while the kiosk runs, without ever serving a half-loaded or worse knowledge base.

:class:`KnowledgeReloader` polls the guide folder (names, sizes and modification times: portable, no
inotify needed). When something changed and has stayed unchanged for ``settle_seconds`` (a file being
copied is not read half way), it loads the folder into a NEW knowledge base and matcher. The new pair
goes into service only if the load brought no new errors; otherwise the last good pair stays and the
problems (``path:line: message``) are kept for the log and the staff screen. A folder that vanishes
(unmounted, being replaced) keeps the last good pair too, and is reloaded when it comes back.

Consumers read :attr:`KnowledgeReloader.current`, one immutable :class:`Knowledge` holding the
knowledge base and its matcher together, so they can never see one without the other.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..knowledge import Centre, KnowledgeBase, Problem, files, load_directory
from ..matching import Matcher, Settings

log = logging.getLogger("kiosk.staff.reload")

OK, REJECTED, MISSING = "ok", "rejected", "missing"
Snapshot = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class Knowledge:
    """A knowledge base and the matcher built from it: swapped as one."""

    kb: KnowledgeBase
    matcher: Matcher
    problems: tuple[Problem, ...]  # everything the loader reported for this load (warnings too)
    loaded_at: dt.datetime
    generation: int

    def apply_to(self, dialogue) -> None:
        dialogue.replace_knowledge(self.kb, self.matcher)


@dataclass(frozen=True)
class ReloadStatus:
    """What staff see: whether the guides on disk are the ones in service, and if not, why."""

    state: str  # ok | rejected | missing
    message: str  # one line in Chinese
    problems: tuple[Problem, ...] = ()  # the errors that kept a reload out of service

    def lines(self) -> list[str]:
        return [self.message, *(str(p) for p in self.problems)]


def _error_key(p: Problem) -> tuple[str, str]:
    # Lines move when a file above is edited; the file and the message say which problem it is.
    return (p.path, p.message)


def snapshot(directory: Path) -> Snapshot | None:
    """(relative path, size, mtime_ns) of every file that affects loading; None if the folder is gone.

    The same rule as the loader's (kiosk.knowledge.files): hidden files and folders are not watched, and
    nothing is opened, so a pipe or device file never blocks the poll."""
    if not directory.is_dir():
        return None
    try:
        return tuple(sorted((e.relative, e.size, e.mtime_ns) for e in files.walk(directory, files.WATCHED_SUFFIXES)))
    except OSError:  # the folder went away while it was listed
        return None


class KnowledgeReloader:
    def __init__(self, directory: str | os.PathLike, centre: Centre, *, settings: Settings | None = None,
                 settle_seconds: float = 2.0, interval: float = 5.0,
                 clock: Callable[[], float] = time.monotonic, now: Callable[[], dt.datetime] = dt.datetime.now,
                 load: Callable[..., tuple[KnowledgeBase, list[Problem]]] = load_directory,
                 build: Callable[[KnowledgeBase], Matcher] | None = None,
                 on_swap: Callable[[Knowledge], None] | None = None) -> None:
        self.directory = Path(directory)
        self.display = os.fspath(directory)
        self.centre = centre
        self.settle_seconds = settle_seconds
        self.interval = interval
        self._clock = clock
        self._now = now
        self._load = load
        self._build = build or (lambda kb: Matcher.for_knowledge(kb, settings))
        self.on_swap = on_swap
        self._lock = threading.Lock()  # one poll at a time (thread and manual calls)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._generation = 0
        self._seen: Snapshot | None = None
        self._seen_at = 0.0
        self._loaded: Snapshot | None = None
        self._baseline: set[tuple[str, str]] = set()
        self.status = ReloadStatus(OK, "")
        self._before_missing = self.status
        self.current = self._initial()

    @classmethod
    def from_config(cls, config, **kwargs) -> "KnowledgeReloader":
        kwargs.setdefault("settle_seconds", float(config.get("reload.settle_seconds", 2)))
        kwargs.setdefault("interval", float(config.get("reload.interval_seconds", 5)))
        return cls(config.path("guides_dir"), config.centre, settings=Settings.from_config(config), **kwargs)

    # -- loading ----------------------------------------------------------------------------------
    def _initial(self) -> Knowledge:
        snap = snapshot(self.directory)
        self._seen = self._loaded = snap
        self._seen_at = self._clock()
        kb, problems = self._try_load()
        self._baseline = {_error_key(p) for p in problems if p.is_error}
        knowledge = self._make(kb, problems)
        if snap is None:
            self.status = ReloadStatus(MISSING, self._missing_message(knowledge))
            log.error("%s", self.status.message)
        else:
            self._ok(knowledge)
        return knowledge

    def _try_load(self) -> tuple[KnowledgeBase, list[Problem]]:
        try:
            kb, problems = self._load(self.directory, self.centre)
            return kb, list(problems)
        except Exception as exc:  # a loader bug must not take the kiosk down with it
            log.exception("loading guides from %s failed", self.display)
            return KnowledgeBase((), (), self.centre), [Problem(self.display, 0, f"加载指南时出错：{exc}")]

    def _make(self, kb: KnowledgeBase, problems: list[Problem]) -> Knowledge:
        self._generation += 1
        return Knowledge(kb, self._build(kb), tuple(problems), self._now(), self._generation)

    def _ok(self, knowledge: Knowledge) -> None:
        errors = sum(p.is_error for p in knowledge.problems)
        tail = f"；{errors} 处错误的指南未使用（运行 kiosk validate 查看）" if errors else ""
        self.status = ReloadStatus(OK, f"已加载 {len(knowledge.kb)} 个指南"
                                       f"（{knowledge.loaded_at:%Y-%m-%d %H:%M:%S}）{tail}")

    def _missing_message(self, knowledge: Knowledge) -> str:
        return (f"指南文件夹 {self.display} 不存在或无法访问，继续使用已加载的 {len(knowledge.kb)} 个指南；"
                f"文件夹恢复后会自动重新加载。")

    # -- polling ----------------------------------------------------------------------------------
    def poll(self) -> bool:
        """Check the folder once; reload when a change has settled. True when a new pair went into service."""
        with self._lock:
            snap = snapshot(self.directory)
            now = self._clock()
            if snap != self._seen:
                self._seen, self._seen_at = snap, now
                if snap is None:
                    self._before_missing = self.status
                    self.status = ReloadStatus(MISSING, self._missing_message(self.current))
                    log.error("%s", self.status.message)
                elif self.status.state == MISSING and snap == self._loaded:
                    self.status = self._before_missing  # back exactly as it was: nothing to load
                    log.warning("guide folder %s is back", self.display)
            if snap is None or snap == self._loaded or now - self._seen_at < self.settle_seconds:
                return False
            return self._reload(snap)

    def settled(self) -> bool:
        """Whether what is in service (or was rejected) is what the folder holds now, no load under way (it
        waits for one). A file is written in two steps, truncated and then filled: a poll between them
        loads again once it is whole."""
        with self._lock:
            return snapshot(self.directory) == self._loaded

    def reload(self) -> bool:
        """Load now, whether or not anything changed (a staff button)."""
        with self._lock:
            snap = snapshot(self.directory)
            self._seen, self._seen_at = snap, self._clock()
            if snap is None:
                self.status = ReloadStatus(MISSING, self._missing_message(self.current))
                return False
            return self._reload(snap)

    def _reload(self, snap: Snapshot) -> bool:
        kb, problems = self._try_load()
        self._loaded = snap
        new_errors = tuple(p for p in problems if p.is_error and _error_key(p) not in self._baseline)
        if new_errors:
            self.status = ReloadStatus(
                REJECTED,
                f"指南有 {len(new_errors)} 处新的错误，这次修改未生效，仍在使用之前的 {len(self.current.kb)} 个指南。"
                f"改正后保存即可自动重新加载：",
                new_errors)
            log.error("guide reload rejected, the last good knowledge base stays in service:\n%s",
                      "\n".join(str(p) for p in new_errors))
            return False
        try:
            knowledge = self._make(kb, problems)
        except Exception as exc:
            log.exception("building the matcher failed")
            self.status = ReloadStatus(REJECTED, f"建立匹配索引时出错，仍在使用之前的指南：{exc}")
            return False
        self.current = knowledge  # one reference assignment: readers see the old pair or the new one
        self._baseline = {_error_key(p) for p in problems if p.is_error}
        self._ok(knowledge)
        log.info("guides reloaded: %d guides, generation %d", len(kb), knowledge.generation)
        if self.on_swap is not None:
            try:
                self.on_swap(knowledge)
            except Exception:
                log.exception("on_swap callback failed")
        return True

    # -- background thread ------------------------------------------------------------------------
    def start(self) -> None:
        """Poll every ``interval`` seconds on a daemon thread; ``on_swap`` is called from that thread."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="kiosk-guide-reloader", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:  # keep watching whatever happens
                log.exception("guide folder poll failed")
