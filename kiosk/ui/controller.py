"""The Kivy adapter of the session core (:mod:`kiosk.session`): screens bind to its properties and call
its methods; it forwards them to the session, schedules on Kivy's clock and shows the session's actions
on the :class:`~kiosk.ui.root.KioskRoot`.

Everything non-visual (the dialogue, the microphone states, speech, the idle clock, reloaded guides)
lives in the session; only Kivy things stay here (properties, the clock, prebuilding screens, glFinish).
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, OptionProperty, StringProperty

from ..dialogue import ShowChoices, ShowGuide, ShowNotFound
from ..session import MIC_STATES, PROMPTS, Session
from .theme import THEME

log = logging.getLogger("kiosk.ui.controller")

#: After a screen change, when its first frame is drawn: let GL finish (see finish_gl()).
FINISH_AFTER_SECONDS = 0.05


class KivyScheduler:
    """Session calls on Kivy's clock (``Clock.schedule_once`` may be called from any thread)."""

    def call_later(self, seconds: float, fn: Callable[[], None]):
        return Clock.schedule_once(lambda dt: fn(), seconds)


class Controller(EventDispatcher):
    mic_state = OptionProperty("ready", options=list(MIC_STATES))
    heard = StringProperty("")  # the live partial transcript, then what was heard
    prompt = StringProperty(PROMPTS["ready"])
    voice_problem = StringProperty("")  # why the microphone is off, shown when it is tapped
    elder = BooleanProperty(False)

    def __init__(self, services: Any, **kw) -> None:
        super().__init__(**kw)
        self.services = services
        self.session = Session(services, self, KivyScheduler(), source="kiosk", drive=True)
        self.view: Any = None  # the KioskRoot, set by it
        self._prebuild_ev = None
        self._finish_ev = Clock.create_trigger(self.finish_gl, FINISH_AFTER_SECONDS)
        self.on_exit: Callable[[], None] | None = None

    @property
    def dialogue(self):
        return self.session.dialogue

    # -- life cycle -------------------------------------------------------------------------------
    def start(self) -> None:
        self.session.start()
        self._prebuild_ev = Clock.schedule_interval(self._prebuild, 0.05)

    def stop(self) -> None:
        self._finish_ev.cancel()
        if self._prebuild_ev is not None:
            self._prebuild_ev.cancel()
            self._prebuild_ev = None
        self.session.stop()

    def _prebuild(self, dt):
        """Make screens ahead in idle moments (one piece per frame); stops when all are made."""
        screens = getattr(self.view, "screens", {})
        category = screens.get("category")
        if category is None or not category.prebuild_one():
            return False
        return True

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

    # -- the session's view -----------------------------------------------------------------------
    def show(self, action) -> None:
        view = self.view
        if isinstance(action, ShowGuide):
            view.show_guide(action.guide, action.section)
        elif isinstance(action, ShowChoices):
            view.show_choices(action.choices, action.prompt)
        elif isinstance(action, ShowNotFound):
            view.show_not_found(action.text, action.query, action.elsewhere)

    def reset(self) -> None:
        self.view.reset()

    def rebuild(self) -> None:
        rebuild = getattr(self.view, "rebuild", None)
        if callable(rebuild):
            rebuild()

    def status(self, session: Session) -> None:
        THEME.elder = session.elder  # first: widgets bound to .elder read the theme
        self.voice_problem = session.voice_problem
        self.heard = session.heard
        self.prompt = session.prompt
        self.mic_state = session.mic_state
        self.elder = session.elder

    # -- events in: straight to the session ---------------------------------------------------------
    def send(self, event) -> list:
        return self.session.send(event)

    def touched(self) -> None:
        self.session.touched()

    def tapped_guide(self, guide_id: str) -> None:
        self.session.tapped_guide(guide_id)

    def tapped_choice(self, index: int) -> None:
        self.session.tapped_choice(index)

    def tapped_tab(self, sections: tuple[str, ...]) -> None:
        self.session.tapped_tab(sections)

    def back(self) -> list:
        return self.session.back()

    def go_home(self) -> None:
        self.session.go_home()

    def replay(self) -> None:
        self.session.replay()

    def toggle_elder(self) -> None:
        self.session.toggle_elder()

    def none_of_these(self) -> None:
        self.session.none_of_these()

    def mic_pressed(self) -> None:
        self.session.mic_pressed()

    # -- for the screenshot tool (kiosk shots), which poses the microphone states -----------------------
    def attach_speech(self) -> None:
        self.session.attach_speech()

    def _set_mic(self, state: str) -> None:
        """Put the microphone in a state and show the session's state again (the poses set properties)."""
        self.session._set_mic(state)
        self.status(self.session)
