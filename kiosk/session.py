"""The resident's session without Kivy: the kiosk's brain that the touch screen and the local API share.

* :class:`Services` holds what every session shares: config, the guides in service (their one owner:
  :attr:`Services.knowledge`), speech parts and the staff side (reload, question log, heartbeat).
* :class:`Session` is one resident (or one robot or wall terminal): the dialogue, the microphone state
  machine (ready → listening → thinking → speaking), continuous re-listening, the hand-over to speech and
  the idle clock. It talks to two small interfaces: a :class:`View` (show / reset / rebuild / status) and
  a :class:`Scheduler` (call later, from any thread). ``kiosk/ui/controller.py`` adapts it to Kivy, the
  server in ``kiosk/server`` to HTTP; tests drive it with a manual scheduler.

Nothing here imports Kivy, the server, the CLI or ``kiosk.app``; speech parts come in as objects or
zero-argument factories (``kiosk.app`` supplies the real ones).
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
import time
from typing import Any, Callable, Protocol

from .answer import Reply
from .config import Config
from .dialogue import (VOLUME_STEPS, Action, Back, Dialogue, GoHome, Heard, Replay, Reset, Say, SetElder, SetElderMode, ShowChoices,
                       ShowGuide, ShowNotFound, StopSpeaking, TappedChoice, TappedGuide, TappedSection, Tick, Touched)
from .knowledge import KnowledgeBase
from .matching import Match, Matcher
from .matching import commands as spoken
from .search import InitialsIndex
from .speech import Unavailable, report_once  # the one null object for a missing speaker or recogniser
from .staff.reload import Knowledge

log = logging.getLogger("kiosk.session")

NO_RECOGNIZER = "语音识别暂时不能使用，请点屏幕查找。"
NO_SPEAKER = "语音播报暂时不能使用，请看屏幕上的文字。"
LOADING = "语音功能正在启动，请稍候；现在可以点屏幕查找。"
PROMPTS = {
    "ready": "点一下话筒，说出您要办的事",
    "again": "点话筒接着问，或说“再说一遍”",  # ready, with an answer on screen (kiosk.matching.commands)
    "listening": "正在听，请说……",
    "thinking": "正在查找……",
    "speaking": "正在播报，点话筒可以打断",
}
MIC_STATES = ("ready", "listening", "thinking", "speaking", "off")
TICK_SECONDS = 1.0
SPEECH_POLL_SECONDS = 0.25
LISTEN_AGAIN_SECONDS = 0.3


def speak(speaker: Any, text: str, slow: bool, volume: float = 1.0) -> None:
    """Say text; slow (elder mode) sets the speaker's elder rate first, and volume (a share of the configured
    one) its volume, when it has them."""
    set_elder = getattr(speaker, "set_elder", None)
    if callable(set_elder):
        set_elder(slow)
    set_volume = getattr(speaker, "set_volume", None)
    if callable(set_volume):
        set_volume(volume)
    speaker.say(text)


def _is_factory(part: Any, method: str) -> bool:
    """A class, or a function that makes the component (rather than the component itself)."""
    return isinstance(part, type) or (callable(part) and not hasattr(part, method))


def answer_object(query: str, match: Match, reply: Reply) -> dict:
    """What ``kiosk ask --json`` prints for one question (and ``POST /v1/ask`` returns)."""
    return {
        "query": query,
        "status": reply.status,
        "results": [{"id": c.id, "title": c.title, "score": c.score} for c in match.candidates],
        "section": reply.section,
        "reply": reply.text,
        **({"shown": reply.shown} if reply.shown else {}),  # a long referral: said in part, shown whole
    }


class Services:
    """What every session shares. Speech fields may hold objects or zero-argument factories;
    None means no speech of that kind."""

    def __init__(self, config: Config, kb: KnowledgeBase, matcher: Matcher, *, speaker: Any = None,
                 recognizer: Any = None, clock: Callable[[], float] = time.monotonic, ops: Any = None,
                 problems: tuple = ()) -> None:
        self.config = config
        self.speaker = speaker
        self.recognizer = recognizer
        self.clock = clock
        self.ops = ops  # kiosk.staff.operations.Operations in a running kiosk: reload, question log, heartbeat
        self._knowledge = ops.knowledge if ops is not None and ops.knowledge.kb is kb else \
            Knowledge(kb, matcher, tuple(problems), dt.datetime.now(), 0)
        self._index: tuple[int, InitialsIndex] | None = None
        self._cache: tuple[int, MatchCache] | None = None
        self._started = False

    # -- the guides in service: one owner -----------------------------------------------------------
    @property
    def knowledge(self) -> Knowledge:
        """The knowledge base and matcher in service, swapped as one by :meth:`tick`."""
        return self._knowledge

    @property
    def kb(self) -> KnowledgeBase:
        return self._knowledge.kb

    @property
    def matcher(self) -> Matcher:
        return self._knowledge.matcher

    @property
    def generation(self) -> int:
        return self._knowledge.generation

    def use_knowledge(self, knowledge: Knowledge) -> None:
        """Put a knowledge base in service (one reference assignment: readers see the old or the new one)."""
        self._knowledge = knowledge

    @property
    def cached_matcher(self) -> "MatchCache":
        """The matcher in service behind a cache of its answers (one per knowledge base)."""
        k = self._knowledge
        cache = self._cache
        if cache is None or cache[0] != id(k):
            cache = self._cache = (id(k), MatchCache(k.matcher))
        return cache[1]

    @property
    def index(self) -> InitialsIndex:
        k = self._knowledge
        if self._index is None or self._index[0] != id(k):
            self._index = (id(k), InitialsIndex(k.kb.guides, order=self.popular_ids()))
        return self._index[1]

    def popular_ids(self) -> list[str]:
        return [str(i) for i in (self.config.get("ui.popular") or [])]

    def popular(self) -> list:
        return [g for g in (self.kb.get(i) for i in self.popular_ids()) if g is not None]

    @property
    def idle_seconds(self) -> float:
        return float(self.config.get("dialogue.idle_seconds", 60))

    def dialogue(self) -> Dialogue:
        return Dialogue(self.kb, self.matcher, self.idle_seconds)

    # -- the staff side ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start the staff side once (reloader thread, systemd READY); later calls do nothing."""
        if self.ops is not None and not self._started:
            self._started = True
            self.ops.start()

    def tick(self) -> Knowledge | None:
        """Call about once a second from one thread: takes in reloaded guides, writes the heartbeat.
        Returns the knowledge put in service by this call, if any."""
        if self.ops is None:
            return None
        try:
            swapped = self.ops.tick()
        except Exception:  # the staff side must never take the resident's screen down
            log.exception("operations tick failed")
            return None
        if swapped is not None:
            self.use_knowledge(swapped)
            log.info("guide generation %d in service (%d guides)", swapped.generation, len(swapped.kb))
        return swapped

    def log_questions(self, dialogue: Dialogue, source: str) -> None:
        """Every question the dialogue hears goes to the question log (personal data removed)."""
        if self.ops is not None:
            self.ops.attach(dialogue, source=source)

    # -- speech -----------------------------------------------------------------------------------
    def speech_ready(self) -> bool:
        """Both speech parts are components already (no factory left to run)."""
        return not (_is_factory(self.speaker, "say") or _is_factory(self.recognizer, "start"))

    def ensure_speech(self) -> None:
        """Turn factories into components (model loading is slow: the UI runs this off its thread)."""
        if _is_factory(self.speaker, "say"):
            self.speaker = self._make(self.speaker, NO_SPEAKER)
        if _is_factory(self.recognizer, "start"):
            self.recognizer = self._make(self.recognizer, NO_RECOGNIZER)

    @staticmethod
    def _make(factory: Callable[[], Any], problem: str) -> Any:
        try:
            return factory()
        except Exception:  # a broken speech part must never stop the kiosk
            log.exception("a speech component failed to start")
            return Unavailable(problem)

    def close(self) -> None:
        if self.ops is not None:
            self.ops.stop()
        for part in (self.speaker, self.recognizer):
            if _is_factory(part, "close"):
                continue
            close = getattr(part, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:
                    log.exception("closing %r", part)


# -- the two interfaces a session talks to ---------------------------------------------------------------
class View(Protocol):
    """What a session shows. ``show`` gets ShowGuide, ShowChoices and ShowNotFound actions."""

    def show(self, action: Action) -> None: ...

    def reset(self) -> None:
        """Back to the start with nothing of the last resident left."""

    def rebuild(self) -> None:
        """The guides in service changed: make the screens again (called when nobody is using them)."""

    def status(self, session: "Session") -> None:
        """mic_state, prompt, heard, voice_problem or elder changed."""


class Handle(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    def call_later(self, seconds: float, fn: Callable[[], None]) -> Handle:
        """Run fn on the session's thread after seconds; must be safe to call from any thread."""


class NoView:
    """A session nobody looks at (the server's): shows nothing."""

    def show(self, action: Action) -> None:
        pass

    def reset(self) -> None:
        pass

    def rebuild(self) -> None:
        pass

    def status(self, session: "Session") -> None:
        pass


class MatchCache:
    """The matcher with a cache of its answers, shared by every session on one knowledge base: matching
    is deterministic, and residents ask the same questions over and over (the API's load is mostly
    repeats). Match objects are frozen, so sharing them is safe."""

    def __init__(self, matcher: Matcher, size: int = 4096) -> None:
        self.matcher = matcher
        self.match = functools.lru_cache(maxsize=size)(matcher.match)
        self._pick = functools.lru_cache(maxsize=size)(lambda query, ids: matcher.pick(query, list(ids)))
        self.standing = functools.lru_cache(maxsize=size)(matcher.standing)

    def pick(self, query: str, ids: list[str]) -> str | None:
        return self._pick(query, tuple(ids))


class _Repeat:
    """A call every ``seconds`` on a scheduler, until cancelled."""

    def __init__(self, scheduler: Scheduler, seconds: float, fn: Callable[[], None]) -> None:
        self.scheduler, self.seconds, self.fn = scheduler, seconds, fn
        self.cancelled = False
        self._handle = scheduler.call_later(seconds, self._run)

    def _run(self) -> None:
        if self.cancelled:
            return
        try:
            self.fn()
        finally:
            if not self.cancelled:
                self._handle = self.scheduler.call_later(self.seconds, self._run)

    def cancel(self) -> None:
        self.cancelled = True
        self._handle.cancel()


class Session:
    """One resident's session. All methods run on the scheduler's thread; recogniser callbacks (from
    its worker thread) are handed over with ``scheduler.call_later(0, ...)`` before anything happens.

    ``speech=False`` (the server): the session neither speaks nor listens itself; Say actions are only
    reported, and the client's audio comes in through :meth:`heard`.
    ``drive=True`` (the kiosk's one session): :meth:`start` also starts and ticks the staff side.
    """

    def __init__(self, services: Services, view: View | None = None, scheduler: Scheduler | None = None, *,
                 source: str = "kiosk", speech: bool = True, drive: bool = False) -> None:
        self.services = services
        self.view: View = view or NoView()
        self.scheduler = scheduler
        self.speech = speech
        self.drive = drive
        self.dialogue = services.dialogue()
        self._matcher = services.cached_matcher
        self.dialogue.replace_knowledge(services.kb, self._matcher)
        services.log_questions(self.dialogue, source)
        self.generation = services.generation  # the guides the view was built with
        self.mic_state = "ready" if speech else "off"
        self.heard = ""  # the live partial transcript, then what was heard
        self.prompt = PROMPTS["ready"]
        self.voice_problem = ""  # why the microphone is off
        self.elder = False
        self.knowledge_changed = False
        self.continuous = str(services.config.get("recognition.mode", "push_to_talk")) == "continuous"
        self._repeats: list[_Repeat] = []
        self._running = False

    # -- life cycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Begin the idle clock and the speech poll; bring speech up (factories may be slow)."""
        assert self.scheduler is not None, "a running session needs a scheduler"
        self._running = True
        if self.drive:
            self.services.start()
        self._repeats = [_Repeat(self.scheduler, TICK_SECONDS, self.tick)]
        if self.speech:
            self._repeats.append(_Repeat(self.scheduler, SPEECH_POLL_SECONDS, self._poll_speech))
            self.attach_speech()

    def stop(self) -> None:
        self._running = False
        for r in self._repeats:
            r.cancel()
        self._repeats = []
        rec = self.recognizer
        if rec is not None and getattr(rec, "is_listening", False):
            rec.cancel()

    @property
    def speaker(self) -> Any:
        """The speaker in use; None while speech is off or its factory has not run yet."""
        part = self.services.speaker if self.speech else None
        return None if part is None or _is_factory(part, "say") else part

    @property
    def recognizer(self) -> Any:
        """The recogniser in use; None while speech is off or its factory has not run yet."""
        part = self.services.recognizer if self.speech else None
        return None if part is None or _is_factory(part, "start") else part

    def attach_speech(self) -> None:
        """Speech objects handed in are used at once; factories (model loading) run on a thread."""
        s = self.services
        if s.speech_ready():
            self._speech_ready()
            return
        self._update(voice_problem=LOADING)
        self._set_mic("off")

        def load() -> None:
            try:
                s.ensure_speech()
            finally:
                self.scheduler.call_later(0, self._speech_ready)

        threading.Thread(target=load, name="kiosk-speech-start", daemon=True).start()

    def _speech_ready(self) -> None:
        self.services.ensure_speech()
        rec = self.recognizer
        if rec is None or not getattr(rec, "available", False):
            # Residents get a plain sentence; the technical reason (model path, device) is for staff:
            # it is in the log and on the staff panel.
            reason = getattr(rec, "problem", None)
            if reason:  # said once per process, however many parts (recogniser, session) notice it
                report_once(reason, logger=log)
            self._update(voice_problem=NO_RECOGNIZER)
            self._set_mic("off")
        else:
            self._update(voice_problem="")
            self._set_mic("ready")

    def tick(self) -> list:
        """Once a second: the staff side (when this session drives it), reloaded guides, the idle clock."""
        if self.drive:
            self.services.tick()
        self._follow_knowledge()
        if self.services.generation != self.generation:
            self.knowledge_changed = True
            self.generation = self.services.generation
            if self.dialogue.state.mode == "home":
                self._rebuild_view()
        return self.send(Tick())

    def _follow_knowledge(self) -> None:
        k = self.services.knowledge
        if self._matcher.matcher is not k.matcher or self.dialogue.kb is not k.kb:
            self._matcher = self.services.cached_matcher
            self.dialogue.replace_knowledge(k.kb, self._matcher)

    def _rebuild_view(self) -> None:
        self.knowledge_changed = False
        self.view.rebuild()

    # -- events in --------------------------------------------------------------------------------
    def send(self, event) -> list:
        if not isinstance(event, Tick):
            self._follow_knowledge()
        actions = self.dialogue.handle(event, self.services.clock())
        for action in actions:
            self._apply(action)
        return actions

    def ask(self, query: str, alternatives: tuple[str, ...] = ()) -> tuple[dict, list]:
        """A typed (or client-recognised) question: the ``kiosk ask --json`` object and the dialogue's actions."""
        from .answer import compose

        self._follow_knowledge()
        self.send(Tick())  # the idle reset first, as the kiosk's clock would have done
        command = spoken.command(query)
        if command is not None:  # 再说一遍, 说慢一点, 返回: acted on, not matched
            obj = {"query": query, "status": "command", "command": command, "results": [], "section": None,
                   "reply": ""}
        else:
            match = self._matcher.match(query)
            obj = answer_object(query, match, compose(match, self.dialogue.kb))
        actions = self.send(Heard(query, alternatives))
        say = next((a for a in actions if isinstance(a, Say)), None)
        if say is not None:  # in a session the dialogue answers (要本人来吗 of the guide on screen): say that
            obj["reply"] = say.text
        if command is not None:
            # a robot that speaks for itself is told how: elder mode (slower) and the volume share asked for
            obj["slow"], obj["volume"] = self.dialogue.state.elder, VOLUME_STEPS[self.dialogue.state.volume]
        return obj, actions

    @property
    def idle(self) -> bool:
        """Untouched for longer than the idle time: a fresh session would be the same."""
        last = self.dialogue.state.last_activity
        return last is None or self.services.clock() - last >= self.dialogue.idle_seconds

    def touched(self) -> None:
        """Any touch: keeps the session alive and stops speech (barge-in by touch)."""
        self.send(Touched())

    def tapped_guide(self, guide_id: str) -> None:
        self.send(TappedGuide(guide_id))

    def tapped_choice(self, index: int) -> None:
        self.send(TappedChoice(index))

    def tapped_tab(self, sections: tuple[str, ...]) -> None:
        self.send(TappedSection(sections[0], tuple(sections[1:])))

    def back(self) -> list:
        return self.send(Back())

    def go_home(self) -> None:
        self.send(GoHome())

    def replay(self) -> None:
        self.send(Replay())

    def toggle_elder(self) -> None:
        self.send(SetElderMode(not self.elder))

    def none_of_these(self) -> None:
        self.send(Heard("都不是"))

    # -- the microphone ---------------------------------------------------------------------------
    def mic_pressed(self) -> None:
        rec = self.recognizer
        if self.mic_state == "off" or rec is None:
            self._update(heard=self.voice_problem or NO_RECOGNIZER)
            return
        if self.mic_state == "listening":
            rec.cancel()
            self._update(heard="")
            self._set_mic("ready")
            return
        self.send(Touched())  # stops speech: the resident wants to talk now
        self._update(heard="")
        self._set_mic("listening")
        rec.start(self._partial_from_worker, self._final_from_worker, self._error_from_worker)

    # Worker-thread callbacks: nothing but a hand-over to the session's thread.
    def _partial_from_worker(self, text: str) -> None:
        self.scheduler.call_later(0, lambda: self._on_partial(text))

    def _final_from_worker(self, transcript) -> None:
        self.scheduler.call_later(0, lambda: self._on_final(transcript))

    def _error_from_worker(self, message: str) -> None:
        self.scheduler.call_later(0, lambda: self._on_error(message))

    def _on_partial(self, text: str) -> None:
        if self.mic_state == "listening":
            self._update(heard=text)

    def _on_final(self, transcript) -> None:
        if self.mic_state not in ("listening", "thinking"):
            return  # cancelled meanwhile
        text = getattr(transcript, "text", "") or ""
        alternatives = tuple(getattr(transcript, "alternatives", ()) or ())
        self._update(heard=text)
        self._set_mic("thinking")
        # Let the view show 正在查找 before matching runs.
        self.scheduler.call_later(0, lambda: self._answer(text, alternatives))

    def _answer(self, text: str, alternatives: tuple[str, ...]) -> None:
        actions = self.send(Heard(text, alternatives))
        if not any(isinstance(a, Say) for a in actions) and self.mic_state == "thinking":
            self._set_mic("ready")

    def _on_error(self, message: str) -> None:
        log.info("recogniser: %s", message)
        rec = self.recognizer
        self._update(heard=message)
        self._set_mic("ready" if rec is not None and getattr(rec, "available", False) else "off")

    def _set_mic(self, state: str) -> None:
        if state == "ready" and self.continuous and self._running:
            self.scheduler.call_later(LISTEN_AGAIN_SECONDS, self._listen_again)
        prompt = PROMPTS.get(state, "") if state != "off" else (self.voice_problem or NO_RECOGNIZER)
        if state == "ready" and self.dialogue.state.last_reply:
            prompt = PROMPTS["again"]
        self._update(mic_state=state, prompt=prompt)

    def _listen_again(self) -> None:
        rec = self.recognizer
        if self.mic_state == "ready" and rec is not None and getattr(rec, "available", False) \
                and not getattr(rec, "is_listening", False):
            self.mic_pressed()

    def _poll_speech(self) -> None:
        if self.mic_state == "speaking" and not getattr(self.speaker, "is_speaking", False):
            self._set_mic("ready")

    def _update(self, **changes) -> None:
        changed = False
        for name, value in changes.items():
            if getattr(self, name) != value:
                setattr(self, name, value)
                changed = True
        if changed:
            self.view.status(self)

    # -- actions out ------------------------------------------------------------------------------
    def _apply(self, action) -> None:
        if isinstance(action, (ShowGuide, ShowChoices, ShowNotFound)):
            self.view.show(action)
        elif isinstance(action, Say):
            speaker = self.speaker
            if speaker is not None and getattr(speaker, "available", False):
                speak(speaker, action.text, action.slow, action.volume)
                if self.mic_state in ("ready", "thinking"):
                    self._set_mic("speaking")
            elif self.mic_state == "thinking":
                self._set_mic("ready")
        elif isinstance(action, StopSpeaking):
            speaker = self.speaker
            if speaker is not None:
                speaker.stop()
            if self.mic_state == "speaking":
                self._set_mic("ready")
        elif isinstance(action, Reset):
            rec = self.recognizer
            if rec is not None and getattr(rec, "is_listening", False):
                rec.cancel()
            self._update(heard="")
            if self.mic_state != "off":
                self._set_mic("ready")
            if self.knowledge_changed:
                self._rebuild_view()
            else:
                self.view.reset()
        elif isinstance(action, SetElder):
            self._update(elder=action.on)
