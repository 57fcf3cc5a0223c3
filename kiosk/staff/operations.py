"""Everything staff-side the running app needs, wired once: reloader, question log, heartbeat.

``kiosk.session.Services`` does::

    ops = Operations.from_config(config)          # loads the guides (on the calling thread)
    ops.attach(dialogue, source="kiosk")          # each session's questions go to the log
    ops.start()                                   # reloader thread; tells systemd READY=1
    swapped = ops.tick()                          # about once a second, from one thread
    ...
    ops.stop()

``tick`` hands over a reloaded knowledge base on the thread that calls it (Services puts it in service;
each session's dialogue follows on its own thread) and writes the heartbeat (which also pings the
systemd watchdog).
"""
from __future__ import annotations

import logging
from typing import Any

from .health import Heartbeat, app_status
from .qlog import QuestionLog
from .reload import Knowledge, KnowledgeReloader

log = logging.getLogger("kiosk.staff.operations")


class Operations:
    def __init__(self, reloader: KnowledgeReloader, qlog: QuestionLog | None, heartbeat: Heartbeat | None) -> None:
        self.reloader = reloader
        self.qlog = qlog
        self.heartbeat = heartbeat
        self._pending: Knowledge | None = None
        self.extra_status: Any = None  # () -> dict merged into the heartbeat (the app adds speech output)
        reloader.on_swap = self._swapped

    @classmethod
    def from_config(cls, config, **heartbeat_kwargs: Any) -> "Operations":
        return cls(KnowledgeReloader.from_config(config), QuestionLog.from_config(config),
                   Heartbeat.from_config(config, **heartbeat_kwargs))

    @property
    def knowledge(self) -> Knowledge:
        return self.reloader.current

    def attach(self, dialogue, source: str = "") -> None:
        """Log every question the dialogue hears (personal data removed)."""
        if self.qlog is not None:
            qlog = self.qlog
            dialogue.on_asked = lambda asked: qlog.record_asked(asked, source)

    def start(self) -> None:
        self.reloader.start()
        if self.heartbeat is not None:
            self.heartbeat.ready()

    def stop(self) -> None:
        self.reloader.stop()

    def _swapped(self, knowledge: Knowledge) -> None:  # on the reloader thread
        self._pending = knowledge

    def tick(self) -> Knowledge | None:
        """Call often from one thread. Returns the knowledge reloaded since the last call, if any."""
        pending, self._pending = self._pending, None
        if pending is not None:
            log.info("guide generation %d ready (%d guides)", pending.generation, len(pending.kb))
        if self.heartbeat is not None:
            extra = self.extra_status() if callable(self.extra_status) else {}
            self.heartbeat.beat({**app_status(self.reloader, self.qlog), **extra})
        return pending

    def staff_lines(self) -> list[str]:
        """For the staff screen: reload state with path:line problems, then the question log's state."""
        lines = self.reloader.status.lines()
        shown = set(lines)
        # Guides left out of the knowledge base in service, with their path:line reasons.
        lines += [text for text in (str(p) for p in self.knowledge.problems if p.is_error) if text not in shown]
        if self.qlog is not None:
            st = self.qlog.status()
            lines.append(st.problem or f"问题记录正常（已记录 {st.written} 条）")
        return lines
