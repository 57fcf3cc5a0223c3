"""The UI's non-visual half: forwards touches and speech to the dialogue, carries out its actions,
drives the microphone states and the idle clock. Screens bind to its properties.

Recogniser callbacks arrive on the recogniser's worker thread; they are handed to Kivy's thread
with ``Clock.schedule_once`` before anything else happens.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, OptionProperty, StringProperty

from ..app import NO_RECOGNIZER, Services, speak
from ..dialogue import (Back, GoHome, Heard, Replay, Reset, Say, SetElder, SetElderMode, ShowChoices, ShowGuide,
                        ShowNotFound, StopSpeaking, TappedChoice, TappedGuide, TappedSection, Tick, Touched)
from .theme import THEME
from .widgets import MIC_STATES

log = logging.getLogger("kiosk.ui.controller")

PROMPTS = {
    "ready": "点一下话筒，说出您要办的事",
    "listening": "正在听，请说……",
    "thinking": "正在查找……",
    "speaking": "正在播报，点话筒可以打断",
}
LOADING = "语音功能正在启动，请稍候；现在可以点屏幕查找。"
TICK_SECONDS = 1.0
#: After a screen change, when its first frame is drawn: let GL finish (see finish_gl()).
FINISH_AFTER_SECONDS = 0.05
SPEECH_POLL_SECONDS = 0.25


class Controller(EventDispatcher):
    mic_state = OptionProperty("ready", options=list(MIC_STATES))
    heard = StringProperty("")  # the live partial transcript, then what was heard
    prompt = StringProperty(PROMPTS["ready"])
    voice_problem = StringProperty("")  # why the microphone is off, shown when it is tapped
    elder = BooleanProperty(False)

    def __init__(self, services: Services, **kw) -> None:
        super().__init__(**kw)
        self.services = services
        self.dialogue = services.dialogue()
        self.view: Any = None  # the KioskRoot, set by it
        self._tick_ev = None
        self._poll_ev = None
        self._prebuild_ev = None
        self._ops_ev = None
        self._knowledge_changed = False
        self._finish_ev = Clock.create_trigger(self.finish_gl, FINISH_AFTER_SECONDS)
        self.on_exit: Callable[[], None] | None = None
        # Robots listen all the time: after each answer (and its speech) the microphone opens again.
        self.continuous = str(services.config.get("recognition.mode", "push_to_talk")) == "continuous"

    # -- life cycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Begin the idle clock and the speech poll; bring speech up (factories may be slow)."""
        self._tick_ev = Clock.schedule_interval(lambda dt: self.send(Tick()), TICK_SECONDS)
        self._poll_ev = Clock.schedule_interval(self._poll_speech, SPEECH_POLL_SECONDS)
        ops = self.services.ops
        if ops is not None:
            ops.attach(self.dialogue, source="kiosk")
            ops.start()
            self._ops_ev = Clock.schedule_interval(lambda dt: self.ops_tick(), TICK_SECONDS)
        self.attach_speech()
        self._prebuild_ev = Clock.schedule_interval(self._prebuild, 0.05)

    def _prebuild(self, dt):
        """Make screens ahead in idle moments (one piece per frame); stops when all are made."""
        screens = getattr(self.view, "screens", {})
        category = screens.get("category")
        if category is None or not category.prebuild_one():
            return False
        return True

    def attach_speech(self) -> None:
        """Speech objects handed in are used at once; factories (model loading) run on a thread."""
        s = self.services
        if s.speech_ready():
            self._speech_ready()
            return
        self.voice_problem = LOADING
        self._set_mic("off")

        def load() -> None:
            try:
                s.ensure_speech()
            finally:
                Clock.schedule_once(lambda dt: self._speech_ready(), 0)

        threading.Thread(target=load, name="kiosk-speech-start", daemon=True).start()

    def _speech_ready(self) -> None:
        self.services.ensure_speech()
        rec = self.services.recognizer
        if rec is None or not getattr(rec, "available", False):
            # Residents get a plain sentence; the technical reason (model path, device) is for staff:
            # it is in the log and on the staff panel.
            reason = getattr(rec, "problem", None)
            if reason:
                log.warning("voice input off: %s", reason)
            self.voice_problem = NO_RECOGNIZER
            self._set_mic("off")
        else:
            self.voice_problem = ""
            self._set_mic("ready")

    def ops_tick(self) -> None:
        """Staff side, on the UI thread: take in reloaded guides, write the heartbeat. The screens are
        rebuilt at once when nobody is using the kiosk, otherwise at the next return home."""
        try:
            swapped = self.services.ops.tick(self.dialogue)
        except Exception:  # the staff side must never take the resident's screen down
            log.exception("operations tick failed")
            return
        if swapped is not None:
            self.services.use_knowledge(swapped.kb, swapped.matcher)
            self._knowledge_changed = True
            if self.dialogue.state.mode == "home" and self.view is not None:
                self._rebuild_view()

    def _rebuild_view(self) -> None:
        self._knowledge_changed = False
        rebuild = getattr(self.view, "rebuild", None)
        if callable(rebuild):
            rebuild()

    def stop(self) -> None:
        self._finish_ev.cancel()
        for ev in (self._tick_ev, self._poll_ev, self._prebuild_ev, self._ops_ev):
            if ev is not None:
                ev.cancel()
        self._tick_ev = self._poll_ev = self._prebuild_ev = self._ops_ev = None
        rec = self.services.recognizer
        if rec is not None and getattr(rec, "is_listening", False):
            rec.cancel()

    # -- events in --------------------------------------------------------------------------------
    def send(self, event) -> list:
        actions = self.dialogue.handle(event, self.services.clock())
        for action in actions:
            self._apply(action)
        return actions

    def screen_changed(self) -> None:
        """Called by the view after each screen change."""
        self._finish_ev()

    def finish_gl(self, *_) -> None:
        """Let the GL driver finish the frames drawn so far. Measured with Mesa's software renderer:
        without this, the memory of textures that a screen change replaces is only given back when
        rendering pauses, so a kiosk in constant use grew by several MB per screen change; with it,
        memory stays flat. One glFinish after the new screen's first frame costs a few ms."""
        from kivy.graphics.opengl import glFinish

        glFinish()

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
        rec = self.services.recognizer
        if self.mic_state == "off" or rec is None:
            self.heard = self.voice_problem or NO_RECOGNIZER
            return
        if self.mic_state == "listening":
            rec.cancel()
            self.heard = ""
            self._set_mic("ready")
            return
        self.send(Touched())  # stops speech: the resident wants to talk now
        self.heard = ""
        self._set_mic("listening")
        rec.start(self._partial_from_worker, self._final_from_worker, self._error_from_worker)

    # Worker-thread callbacks: nothing but a hand-over to the UI thread.
    def _partial_from_worker(self, text: str) -> None:
        Clock.schedule_once(lambda dt: self._on_partial(text), 0)

    def _final_from_worker(self, transcript) -> None:
        Clock.schedule_once(lambda dt: self._on_final(transcript), 0)

    def _error_from_worker(self, message: str) -> None:
        Clock.schedule_once(lambda dt: self._on_error(message), 0)

    def _on_partial(self, text: str) -> None:
        if self.mic_state == "listening":
            self.heard = text

    def _on_final(self, transcript) -> None:
        if self.mic_state not in ("listening", "thinking"):
            return  # cancelled meanwhile
        text = getattr(transcript, "text", "") or ""
        alternatives = tuple(getattr(transcript, "alternatives", ()) or ())
        self.heard = text
        self._set_mic("thinking")
        # Let the frame with 正在查找 show before matching runs.
        Clock.schedule_once(lambda dt: self._answer(text, alternatives), 0)

    def _answer(self, text: str, alternatives: tuple[str, ...]) -> None:
        actions = self.send(Heard(text, alternatives))
        if not any(isinstance(a, Say) for a in actions) and self.mic_state == "thinking":
            self._set_mic("ready")

    def _on_error(self, message: str) -> None:
        log.info("recogniser: %s", message)
        self.heard = message
        rec = self.services.recognizer
        self._set_mic("ready" if rec is not None and getattr(rec, "available", False) else "off")

    def _set_mic(self, state: str) -> None:
        if state == "ready" and self.continuous and self._tick_ev is not None:
            Clock.schedule_once(lambda dt: self._listen_again(), 0.3)
        self.mic_state = state
        self.prompt = PROMPTS.get(state, "") if state != "off" else (self.voice_problem or NO_RECOGNIZER)

    def _listen_again(self) -> None:
        rec = self.services.recognizer
        if self.mic_state == "ready" and rec is not None and getattr(rec, "available", False) \
                and not getattr(rec, "is_listening", False):
            self.mic_pressed()

    def _poll_speech(self, dt=None) -> None:
        if self.mic_state == "speaking" and not getattr(self.services.speaker, "is_speaking", False):
            self._set_mic("ready")

    # -- actions out ------------------------------------------------------------------------------
    def _apply(self, action) -> None:
        view = self.view
        if isinstance(action, ShowGuide):
            view.show_guide(action.guide, action.section)
        elif isinstance(action, ShowChoices):
            view.show_choices(action.choices, action.prompt)
        elif isinstance(action, ShowNotFound):
            view.show_not_found(action.text, action.query)
        elif isinstance(action, Say):
            speaker = self.services.speaker
            if speaker is not None and getattr(speaker, "available", False):
                speak(speaker, action.text, action.slow)
                if self.mic_state in ("ready", "thinking"):
                    self._set_mic("speaking")
            elif self.mic_state == "thinking":
                self._set_mic("ready")
        elif isinstance(action, StopSpeaking):
            speaker = self.services.speaker
            if speaker is not None:
                speaker.stop()
            if self.mic_state == "speaking":
                self._set_mic("ready")
        elif isinstance(action, Reset):
            rec = self.services.recognizer
            if rec is not None and getattr(rec, "is_listening", False):
                rec.cancel()
            self.heard = ""
            if self.mic_state != "off":
                self._set_mic("ready")
            if self._knowledge_changed:
                self._rebuild_view()
            else:
                view.reset()
        elif isinstance(action, SetElder):
            THEME.elder = action.on  # first: widgets bound to .elder read the theme
            self.elder = action.on
