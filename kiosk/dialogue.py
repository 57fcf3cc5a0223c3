"""The conversation as a pure state machine: events in, actions out, the clock passed in.

No Kivy, no threads, no audio: the UI turns touches and recognised speech into events, calls
:meth:`Dialogue.handle` with the current time, and carries out the actions it gets back.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence, Union

from .answer import (ASK_AGAIN, MAX_SYLLABLES, MORE_PROMPT, NOT_FOUND, ORDINALS, PLAIN_CHARS, Reply, answer_asked,
                     answer_guide, asked_reply, benefit_for_age, choice_list, clarify, compose, document_source,
                     find_in_guide, line_reply, more_of)
from .knowledge.model import SECTION_NAMES, SECTIONS, Guide, KnowledgeBase
from .matching import ANSWER, CLARIFY, NONE, Candidate, Match, Matcher
from .matching import commands as spoken
from .matching.sections import (VERBS, asked_age, asked_document, asks_how_only, asks_online, asks_who_comes,
                                detect_section, fits_verb, gives_only_an_age, how_verb, names_nothing, online_rest,
                                refers_back, sibling_for, states_paying, strip_section_words, who_comes_rest)
from .matching.text import clean, normalize
from .speech.textprep import count_syllables

HOME, GUIDE, CHOICES, NOT_FOUND_MODE = "home", "guide", "choices", "not_found"
#: A question with a guide on screen leaves it, naming no other service, only when it has this many characters
#: of service words and the guide on screen scores less than LEAVE_SHARE of the best (see _names_another).
NEW_QUESTION_CHARS = 6
LEAVE_SHARE = 0.5
DEFAULT_IDLE_SECONDS = 60.0
FOLLOWUP, CHOICE, COMMAND = "followup", "choice", "command"

log = logging.getLogger("kiosk.dialogue")
CHOOSE_PROMPT = "您要办理的是哪一项？"
DOUBTFUL_PROMPT = "这件事可能不在本中心办理。是不是下面这几项？"
#: Spoken commands (kiosk.matching.commands): what the kiosk says when there is nothing to say again.
WHAT_TO_DO = "请问您要办理什么事情？可以直接说，比如“敬老卡怎么办”。"
SLOWER_NOW = "好的，我说慢一点，字也放大了。"
NORMAL_NOW = "好的，恢复正常语速和字号。"
LOUDER_NOW = "好的，声音大一点。"
QUIETER_NOW = "好的，声音小一点。"
QUIETEST = "声音已经是最小了。"
LOUDEST = "声音已经是最大了。"
#: 回首页 said aloud: the screen goes home and the resident hears that it did (a tap on 首页 is seen).
HOME_NOW = "好的，回到首页。请问您要办理什么事情？"
#: 再见, 不办了, 算了: the resident is leaving (commands.leaving).
FAREWELL = "好的，再见，您慢走。"
#: Speech volume as a share of the configured one: each 声音小一点 one step down, 声音大一点 one step back up;
#: a new resident starts at full volume again (the next one may hear less well).
VOLUME_STEPS = (1.0, 0.7, 0.5, 0.35)
THANKED = "不客气。还有别的事，可以接着问。"
NOTED = "好的。还有别的事，可以接着问。"
SAY_IT_OTHERWISE = "请换个说法，再说一遍您要办的事。"
ASK_PICK = "请先选是哪一项，我再说{part}："
NO_LIST = "现在没有可以选的列表。请直接说您要办的事，比如“敬老卡怎么办”。"
_THANKS_WORDS = re.compile(r"谢|感|辛苦|麻烦")
# 你好 / 侬好 said to the kiosk is a greeting, not an acknowledgement (好的 had been its reply)
_GREETING = re.compile(r"你好|您好|侬好")
GREETED = "您好！" + WHAT_TO_DO
#: Questions asked of any guide with no section of their own (answer.ASKED): how to tell one, and what it
#: says besides (empty: it names no other service).
_ASKED_OF_A_GUIDE = {"proxy": (asks_who_comes, who_comes_rest), "online": (asks_online, online_rest)}


# -- events --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Heard:
    """A question, spoken (with the recogniser's alternatives) or typed."""

    text: str
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class TappedGuide:
    guide_id: str


@dataclass(frozen=True)
class TappedChoice:
    index: int  # 0-based position in the choices shown


@dataclass(frozen=True)
class TappedSection:
    section: str
    also: tuple[str, ...] = ()  # sections shown on the same tab (时限与收费), spoken after the first


@dataclass(frozen=True)
class Back:
    """The back button: from a guide picked among choices, back to the choices; otherwise browsing."""


@dataclass(frozen=True)
class Touched:
    """Any other touch: scrolling, browsing categories, the keypad. Stops speech, keeps the session."""


@dataclass(frozen=True)
class GoHome:
    pass


@dataclass(frozen=True)
class Replay:
    pass


@dataclass(frozen=True)
class SetElderMode:
    on: bool


@dataclass(frozen=True)
class Tick:
    """Time passing; the UI sends one every second or so. Resets after the idle time."""


Event = Union[Heard, TappedGuide, TappedChoice, TappedSection, Back, Touched, GoHome, Replay, SetElderMode, Tick]


# -- actions -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShowGuide:
    guide: Guide
    section: str | None


@dataclass(frozen=True)
class ShowChoices:
    choices: tuple[Guide, ...]
    prompt: str


@dataclass(frozen=True)
class ShowNotFound:
    text: str
    query: str
    elsewhere: bool = False  # the text says where else to go (护照: the exit-entry office), not "not found"


@dataclass(frozen=True)
class Say:
    text: str
    slow: bool = False
    volume: float = 1.0  # share of the configured speech volume (VOLUME_STEPS)


@dataclass(frozen=True)
class StopSpeaking:
    pass


@dataclass(frozen=True)
class Reset:
    """Back to the home screen with nothing of the last resident left: transcript, results, history."""


@dataclass(frozen=True)
class SetElder:
    on: bool


Action = Union[ShowGuide, ShowChoices, ShowNotFound, Say, StopSpeaking, Reset, SetElder]


@dataclass(frozen=True)
class Asked:
    """A question and what the kiosk did with it: what the question log keeps (see kiosk.staff.qlog).

    status: answer / clarify / none as matched; followup (a part of the guide on screen); choice (an
    answer while choosing: guide_id is the one picked, None for 都不是); command (再说一遍, 说慢一点: see
    kiosk.matching.commands).
    """

    text: str
    status: str
    guide_id: str | None = None
    score: float | None = None
    section: str | None = None
    candidates: tuple[Candidate, ...] = ()


# -- state ---------------------------------------------------------------------------------------
def _covered(name: str, words: str) -> float:
    """The share of a short name's characters (three or more) that a question's words have: 0 for shorter."""
    chars = set(normalize(name))
    return sum(c in words for c in chars) / len(chars) if len(chars) >= 3 else 0.0


def _in_title(words: str, guide: Guide) -> bool:
    """Whether a question's words have a two-character word of the guide's title or short name (not made of
    particles only: 还有 is no word of a title)."""
    title = normalize(guide.title + " " + guide.short_name)
    return any(words[i:i + 2] in title and not set(words[i:i + 2]) <= PLAIN_CHARS for i in range(len(words) - 1))


def _says_part_of(text: str, guide: Guide) -> bool:
    """Whether a question says two characters running of a guide's title or aliases (交通补贴 of 残疾人交通补贴申请)."""
    said = strip_section_words(normalize(text)) or normalize(text)
    names = normalize(" ".join((guide.title, *guide.aliases, guide.spoken_name or "")))
    return any(said[i:i + 2] in names for i in range(len(said) - 1))


@dataclass(frozen=True)
class State:
    mode: str = HOME
    guide: Guide | None = None
    section: str | None = None
    choices: tuple[Guide, ...] = ()
    last_reply: str = ""
    last_activity: float | None = None
    elder: bool = False
    volume: int = 0  # index into VOLUME_STEPS: how many times the resident asked for it quieter
    history: tuple[str, ...] = field(default_factory=tuple)  # guide ids shown this session
    offered: tuple[Guide, ...] = ()  # the choices the guide on screen was picked from, for Back
    others: tuple[Guide, ...] = ()  # the runners-up of the question the guide on screen answers, for 不是这个
    asked: str | None = None  # while choosing: the question asked of each guide (answer.ASKED: 网上能办吗)
    paying: bool = True  # the question behind the choices had a word for paying (see answer.money_section)
    age: int | None = None  # the age the question behind the choices or the guide on screen gave (我九十二岁: 92)
    document: str | None = None  # the document the question behind the choices asks where to get (火化证明)


_ORDINAL = re.compile(r"^(?:第|选)?([一二三四五1-5两]|头一?)(?:个|项|条|种)?$")
_LAST = re.compile(r"^(?:最后一?个|最后那个|最后一项)$")
_ORDINAL_VALUE = {"一": 0, "1": 0, "头": 0, "二": 1, "两": 1, "2": 1, "三": 2, "3": 2, "四": 3, "4": 3,
                  "五": 4, "5": 4}
_NONE_OF_THEM = re.compile(r"^(?:都不是|都不对|不是这些|没有我要的|不是)$")


def ordinal_choice(text: str, count: int) -> int | None:
    """第一个 / 第2项 / 头一个 / 最后一个 → 0-based index, when within count."""
    t = normalize(text)
    t = re.sub(r"^(?:我要|我选|要|选|就)", "", t)
    t = re.sub(r"(?:吧|啊|呀|的|那个)$", "", t)
    if _LAST.match(t):
        return count - 1 if count else None
    m = _ORDINAL.match(t)
    if not m:
        return None
    i = _ORDINAL_VALUE[m.group(1)[0]]
    return i if i < count else None


class Dialogue:
    def __init__(self, kb: KnowledgeBase, matcher: Matcher, idle_seconds: float = DEFAULT_IDLE_SECONDS) -> None:
        self.kb = kb
        self.matcher = matcher
        self.idle_seconds = idle_seconds
        self.state = State()
        #: Called with an :class:`Asked` for every question heard; errors in it are logged, not raised.
        self.on_asked: Callable[[Asked], None] | None = None

    def replace_knowledge(self, kb: KnowledgeBase, matcher: Matcher) -> None:
        """Swap in a reloaded knowledge base; a guide on screen that no longer exists goes home."""
        self.kb, self.matcher = kb, matcher
        if self.state.guide is not None and kb.get(self.state.guide.id) is None:
            self.state = State(last_activity=self.state.last_activity, elder=self.state.elder, volume=self.state.volume)

    # -- entry point ------------------------------------------------------------------------------
    def handle(self, event: Event, now: float) -> list[Action]:
        if isinstance(event, Tick):
            return self._tick(now)
        self.state = replace(self.state, last_activity=now)
        if isinstance(event, Heard):
            return [StopSpeaking(), *self._heard(event)]
        if isinstance(event, TappedGuide):
            guide = self.kb.get(event.guide_id)
            if guide is None:
                return [StopSpeaking()]
            return [StopSpeaking(), *self._show(answer_guide(guide, self.kb))]
        if isinstance(event, TappedChoice):
            choices = self.state.choices
            if not 0 <= event.index < len(choices):
                return [StopSpeaking()]
            return [StopSpeaking(), *self._show_picked(choices[event.index])]
        if isinstance(event, TappedSection):
            if self.state.guide is None or event.section not in SECTIONS:
                return [StopSpeaking()]
            reply = answer_guide(self.state.guide, self.kb, event.section, also=event.also)
            return [StopSpeaking(), *self._show(reply)]
        if isinstance(event, Back):
            return [StopSpeaking(), *self._back()]
        if isinstance(event, Replay):
            if not self.state.last_reply:
                return []
            return [StopSpeaking(), self._say(self.state.last_reply)]
        if isinstance(event, SetElderMode):
            self.state = replace(self.state, elder=event.on)
            return [SetElder(event.on)]
        if isinstance(event, GoHome):
            self.state = State(last_activity=now, elder=self.state.elder, volume=self.state.volume)
            return [StopSpeaking(), Reset(), SetElder(self.state.elder)]
        if isinstance(event, Touched):
            return [StopSpeaking()]
        raise TypeError(f"unknown event {event!r}")

    def _back(self) -> list[Action]:
        s = self.state
        if s.mode == GUIDE and s.offered:
            self.state = replace(s, mode=CHOICES, guide=None, choices=s.offered, offered=())
            return [ShowChoices(s.offered, CHOOSE_PROMPT)]
        # Browsing again: a follow-up question no longer refers to a guide that left the screen.
        self.state = replace(s, mode=HOME, guide=None, section=None, choices=(), offered=())
        return []

    def _tick(self, now: float) -> list[Action]:
        last = self.state.last_activity
        if last is None or now - last < self.idle_seconds:
            return []
        fresh = self.state.mode == HOME and not self.state.elder and not self.state.history
        self.state = State()
        return [] if fresh else [StopSpeaking(), Reset(), SetElder(False)]

    # -- speech -----------------------------------------------------------------------------------
    def _say(self, text: str) -> Say:
        return Say(text, slow=self.state.elder, volume=VOLUME_STEPS[self.state.volume])

    def _heard(self, event: Heard) -> list[Action]:
        texts = [t for t in (event.text, *event.alternatives) if isinstance(t, str) and t.strip()]
        if not texts:
            return [self._say(ASK_AGAIN)]
        said = spoken.command(texts[0])
        if said == spoken.NOT_IT and self.state.mode == CHOICES:
            said, texts = None, ["都不是"]  # 不是 / 不对 while choosing: none of them
        if said == spoken.NORMAL and not self.state.elder and spoken.bare_hurry(texts[0]):
            # 能不能快点 at normal speed asks about the service, not the voice: how long the guide on screen takes
            if self.state.mode == GUIDE and self.state.guide is not None:
                return self._show(answer_guide(self.state.guide, self.kb, "time_limit"))
            said = None
        if said is not None:
            self._asked(Asked(texts[0], COMMAND))  # staff see how often residents ask to hear it again
            return self._command(said, texts[0])
        if self.state.mode != CHOICES and ordinal_choice(texts[0], len(ORDINALS)) is not None:
            return self._ordinal_without_a_list(texts[0])
        if self.state.mode == CHOICES:
            picked = self._pick_choice(texts)
            if picked is not None:
                # 死亡证明在哪里开 while 身后一件事 is offered for 要带啥: the part this question asks
                own = detect_section(normalize(texts[0]))
                if own is not None and ordinal_choice(texts[0], len(self.state.choices)) is None:
                    self.state = replace(self.state, section=own, asked=None,
                                         paying=states_paying(normalize(texts[0])),
                                         document=asked_document(normalize(texts[0])))
                self._asked(Asked(texts[0], CHOICE, picked.id, section=self.state.section))
                return self._show_picked(picked)
            if any(_NONE_OF_THEM.match(normalize(t)) for t in texts):
                self._asked(Asked(texts[0], CHOICE))
                return self._show(Reply(NONE, None, None, NOT_FOUND), query=texts[0])
        match = self._best_match(texts)
        best = match.best
        asked = self._asked_of_a_guide(match)
        if asked is not None:
            kind, guide = asked
            same = guide == self.state.guide
            self._asked(Asked(match.query, FOLLOWUP if same else ANSWER, guide.id, best.score if best else None,
                              match.section, match.candidates))
            actions = self._show(asked_reply(guide, self.kb, kind))
            self.state = replace(self.state, asked=kind)  # 返回 to a list and another pick: the same question
            return actions
        followup = self._follow_up(match)
        if followup is not None:
            self._asked(Asked(match.query, FOLLOWUP, self.state.guide.id if self.state.guide else None,
                              best.score if best else None, match.section, match.candidates))
            return followup
        part = self._part_while_choosing(match)
        if part is not None:
            self._asked(Asked(match.query, FOLLOWUP, None, best.score if best else None, match.section,
                              match.candidates))
            return part
        self._asked(Asked(match.query, match.status, best.id if best and match.status == ANSWER else None,
                          best.score if best else None, match.section, match.candidates))
        actions = self._show(compose(match, self.kb), query=match.query)
        if self.state.mode == CHOICES:  # 敬老卡网上能办吗 with three 敬老卡 guides: asked of the one picked
            self.state = replace(self.state, asked=self._asked_kind(match.query))
        if match.status == ANSWER and best is not None:
            others = tuple(g for g in (self.kb.get(c.id) for c in match.candidates[1:3])
                           if g is not None and g.id != best.id)
            self.state = replace(self.state, others=others)
        return actions

    def _command(self, said: str, text: str) -> list[Action]:
        """Act on a spoken command: the same as the buttons (重播, 长者模式, 返回, 首页) where there is one."""
        s = self.state
        if said == spoken.THANKS:
            if _GREETING.search(text) and not _THANKS_WORDS.search(text):
                return [self._say(GREETED)]
            return [self._say(THANKED if _THANKS_WORDS.search(text) else NOTED)]
        if said == spoken.NOT_IT:
            if s.mode == GUIDE and s.offered:  # picked from a list: the list again
                return self._spoken_back()
            if s.mode == GUIDE and len(s.others) >= 2:  # the question's runners-up, as a choice list
                return self._show(clarify(s.others, s.section))
            return [self._say(SAY_IT_OTHERWISE)]
        if said == spoken.REPEAT:
            return [self._say(s.last_reply or WHAT_TO_DO)]
        if said == spoken.MORE:
            if s.mode != GUIDE or s.guide is None:
                return [self._say(s.last_reply or WHAT_TO_DO)]  # a list or nothing on screen: said again
            more = more_of(s.guide, s.section)
            if s.last_reply in (more, MORE_PROMPT):  # told already: what else can be asked
                more = MORE_PROMPT
            self.state = replace(s, last_reply=more)
            return [self._say(more)]
        if said == spoken.SLOWER:
            self.state = replace(s, elder=True)
            again = s.last_reply or WHAT_TO_DO
            return [SetElder(True), self._say(SLOWER_NOW + again)]
        if said == spoken.NORMAL:
            self.state = replace(s, elder=False)
            return [SetElder(False), self._say(NORMAL_NOW)]
        if said == spoken.HUSH:
            return []  # the voice was stopped on hearing; the screen stays, and 再说一遍 says it again
        if said == spoken.QUIETER:
            if s.volume == len(VOLUME_STEPS) - 1:
                return [self._say(QUIETEST)]
            self.state = replace(s, volume=s.volume + 1)
            return [self._say(QUIETER_NOW + (s.last_reply or WHAT_TO_DO))]
        if said == spoken.LOUDER:
            if s.volume == 0:  # full volume already: slower speech and larger text, as 说慢一点 gives
                again = s.last_reply or WHAT_TO_DO
                if s.elder:
                    return [self._say(LOUDEST + again)]
                self.state = replace(s, elder=True)
                return [SetElder(True), self._say(LOUDEST + SLOWER_NOW.removeprefix("好的，") + again)]
            self.state = replace(s, volume=s.volume - 1)
            return [self._say(LOUDER_NOW + (s.last_reply or WHAT_TO_DO))]
        if said == spoken.BACK and s.mode == GUIDE and s.offered:
            return self._spoken_back()
        # 首页, and 返回 with no choice list to go back to: a fresh start, as the 首页 button gives, said aloud
        # for a resident who spoke (返回 on the first screen changes nothing to say)
        self.state = State(last_activity=s.last_activity, elder=s.elder, volume=s.volume)
        if said != spoken.HOME:
            return [Reset(), SetElder(s.elder)]
        return [Reset(), SetElder(s.elder), self._say(FAREWELL if spoken.leaving(text) else HOME_NOW)]

    def _spoken_back(self) -> list[Action]:
        """Back to the list the guide on screen was picked from, said again for a resident who is listening."""
        listed = clarify(self.state.offered, self.state.section).text
        actions = self._back()
        self.state = replace(self.state, last_reply=listed)
        return [*actions, self._say(listed)]

    def _ordinal_without_a_list(self, text: str) -> list[Action]:
        """第二个 with no list on screen: from the list the guide on screen was picked from, if any."""
        s = self.state
        i = ordinal_choice(text, len(s.offered)) if s.mode == GUIDE else None
        if i is None:
            return [self._say(NO_LIST)]
        picked = s.offered[i]
        self._asked(Asked(text, CHOICE, picked.id, section=s.section))
        self.state = replace(s, mode=CHOICES, choices=s.offered)  # so the guide keeps its list for Back
        return self._show_picked(picked)

    def _asked(self, asked: Asked) -> None:
        if self.on_asked is None:
            return
        try:
            self.on_asked(asked)
        except Exception:  # logging a question must never break answering it
            log.exception("on_asked callback failed")

    def _best_match(self, texts: Sequence[str]) -> Match:
        """Match each alternative and keep the one the matcher is surest of."""
        rank = {ANSWER: 2, CLARIFY: 1, NONE: 0}
        matches = [self.matcher.match(t) for t in texts]
        return max(matches, key=lambda m: (rank[m.status], m.best.score if m.best else 0.0))

    def _follow_up(self, match: Match) -> list[Action] | None:
        """A question about a part of the guide on screen (要带什么? 在哪里办?) answers that part."""
        guide = self.state.guide
        if guide is None or self.state.mode != GUIDE:
            return None
        if match.section is None:
            # 那到了八十岁以后呢, with a guide whose benefit is set out by age on screen: that age's benefit
            age = asked_age(match.normalized)
            if gives_only_an_age(match.normalized) and benefit_for_age(guide, age):
                return self._show(answer_asked(guide, self.kb, match.normalized, None))
            names = " ".join((guide.title, *guide.aliases))
            if asks_how_only(match.normalized, names):  # 哪能补? of 敬老卡补领 on screen: its steps
                return self._show(answer_asked(guide, self.kb, match.normalized, "steps"))
            # 怎么补? of 敬老卡申领: the steps of the guide about the same card that 补 belongs to
            sibling = self._sibling(guide, how_verb(match.normalized), match.normalized, "steps")
            if sibling is not None:
                return sibling
            if match.referral or self._names_another(match, guide):
                return None
            # 要去医院伐? 要照片伐? of the guide on screen: its own line on the hospital, the photo
            words = strip_section_words(match.normalized)
            found = find_in_guide(guide, self.kb, words)
            return self._show(line_reply(guide, *found, words)) if found else None
        rest = strip_section_words(match.normalized)
        # 几点下班? names no service: that part of the guide on screen, not the centre's own hours; 还能申请吗
        # points back at it, whatever the situation told names
        if not names_nothing(rest) and not refers_back(clean(match.query)) and self._names_another(match, guide):
            return None  # the resident names another service
        # 补办要钱伐? of 社保卡挂失: that part of 社保卡补领、换领, the guide about the same card 补办 belongs to
        sibling = self._sibling(guide, rest if rest in VERBS else None, match.normalized, match.section)
        if sibling is not None:
            return sibling
        age = asked_age(match.normalized) or self.state.age  # 我七十五了…, then 能拿多少: the benefit at 75
        return self._show(answer_asked(guide, self.kb, match.normalized, match.section, age=age))

    def _sibling(self, guide: Guide, verb: str | None, norm: str, section: str | None) -> list[Action] | None:
        """A verb the guide on screen does not do (补 of 敬老卡申领) answered from the one other guide about the
        same thing that does, named first since the screen changes to it; None when there is no such verb or
        not exactly one such guide."""
        if not verb or fits_verb(verb, " ".join((guide.title, *guide.aliases))):
            return None
        other = sibling_for(verb, guide.short_name, ((g.id, " ".join((g.title, *g.aliases)))
                                                     for g in self.kb.guides if g.id != guide.id))
        if other is None:
            return None
        reply = answer_asked(self.kb.get(other), self.kb, norm, section)
        named = f"{reply.guide.short_name}，{reply.text}"
        fits = count_syllables(named) <= MAX_SYLLABLES and not reply.text.startswith(reply.guide.short_name)
        return self._show(replace(reply, text=named) if fits else reply)

    def _names_another(self, match: Match, guide: Guide) -> bool:
        """Whether a question asked with a guide on screen is about another service: it names one (a title or
        alias of the best guide heard whole: 那失业金呢, 居住证怎么办), or it is a whole new question (six
        characters or more of service words) the guide on screen explains less than half as well as the best.
        Otherwise a follow-up's words are read against the guide on screen: 谁可以去领 of 丧葬补助 is who may
        claim it, though 领 alone sounds most like 领结婚证."""
        best = match.best
        if match.status not in (ANSWER, CLARIFY) or best is None or best.id == guide.id:
            return False
        (score, named), (own_score, own_named) = self.matcher.standing(match.query, (best.id, guide.id))
        if named >= 2 and named > own_named:
            return True
        words = strip_section_words(match.normalized)
        other = self.kb.get(best.id)
        if other is not None and _covered(other.short_name, words) >= 0.75 > _covered(guide.short_name, words):
            return True  # 我儿子失业了要去登记: every word of 失业登记, said apart
        if other is not None and _in_title(words, other) and not _in_title(words, guide):
            return True  # 退休了还有伐 of 独生子女费: 退休 is in 退休独生子女奖励's title, not in the one on screen
        return len(words) >= NEW_QUESTION_CHARS and own_score < LEAVE_SHARE * score

    def _show_picked(self, guide: Guide) -> list[Action]:
        """The answer about a guide picked from the list: the part or the question the list was for."""
        s = self.state
        if s.asked is None:
            # 火化证明去哪里拿, then 身后一件事 picked: who issues it, not where 身后一件事 is done
            sourced = document_source(guide, self.kb, s.document) if s.document else None
            return self._show(sourced or answer_guide(guide, self.kb, s.section, paying=s.paying, age=s.age))
        actions = self._show(asked_reply(guide, self.kb, s.asked))
        self.state = replace(self.state, asked=s.asked)
        return actions

    def _asked_of_a_guide(self, match: Match) -> tuple[str, Guide] | None:
        """A question the schema has no section for (ASKED: 要本人来吗, 网上能办吗) and the guide it asks about:
        the one on screen unless the question names another (兵役档案查询要本人来吗 asked from home: the one it
        names). None: not such a question."""
        text = clean(match.query)
        s = self.state
        kind = self._asked_kind(text)
        if s.mode == CHOICES or kind is None:
            return None
        named = self.kb.get(match.best.id) if match.status == ANSWER and match.best else None
        if s.mode == GUIDE and s.guide is not None:
            rest = _ASKED_OF_A_GUIDE[kind][1](text)
            listed = match.status == CLARIFY and any(c.id == s.guide.id for c in match.candidates[:3])
            if names_nothing(rest) or named == s.guide or (named is None and listed and len(rest) < 4):
                return kind, s.guide
        return (kind, named) if named is not None else None

    @staticmethod
    def _asked_kind(text: str) -> str | None:
        """Which question with no section of its own a text asks (proxy, online), if any."""
        kinds = (k for k, (asks, _) in _ASKED_OF_A_GUIDE.items() if asks(clean(text)))
        return next(kinds, None)

    def _part_while_choosing(self, match: Match) -> list[Action] | None:
        """办好要多久? while choosing: the list stays, and the part asked is answered for the one picked. A
        question that names a service off the list is a new question (None)."""
        s = self.state
        section = match.section or ("steps" if asks_how_only(match.normalized) else None)  # 哪能补?
        if s.mode != CHOICES or section is None:
            return None
        rest = strip_section_words(match.normalized)
        ids = [g.id for g in s.choices]
        if not names_nothing(rest) and not refers_back(clean(match.query)):
            if match.status == ANSWER and match.best and match.best.id not in ids:
                return None
            if all(c.id not in ids for c in match.candidates[:3]) and len(rest) >= 4:
                return None
        text = ASK_PICK.format(part=SECTION_NAMES[section]) + choice_list(s.choices)
        self.state = replace(s, section=section, paying=states_paying(match.normalized), last_reply=text)
        return [ShowChoices(s.choices, CHOOSE_PROMPT), self._say(text)]

    def _pick_choice(self, texts: Sequence[str]) -> Guide | None:
        choices = self.state.choices
        for t in texts:
            i = ordinal_choice(t, len(choices))
            if i is not None:
                return choices[i]
        ids = [g.id for g in choices]
        for t in texts:
            gid = self.matcher.pick(t, ids)
            if gid is None or not _says_part_of(t, next(g for g in choices if g.id == gid)):
                continue  # 要去医院伐 scores for 残疾人交通补贴 but says nothing of its name: not a pick
            fresh = self.matcher.match(t)
            if fresh.status in (ANSWER, CLARIFY) and fresh.best and fresh.best.id not in ids:
                # a new question (医保卡丢了哪能办 while 宝宝社保卡 is offered; 残疾证坏掉了好换伐 while 办残疾证 is:
                # it names 残疾证, but its own list puts 换领 first), not a pick
                return None
            if fresh.status == NONE:
                return None  # names nothing any guide has: not a pick, whatever the list resembles
            return next(g for g in choices if g.id == gid)
        # 要先备案吗 while 跨省异地就医登记备案 is offered: a question the matcher alone would answer with a list
        # of its own that shares exactly one guide with this one is about that guide
        fresh = self.matcher.match(texts[0])
        shared = [c.id for c in fresh.candidates[:3] if c.id in ids]
        if fresh.status == CLARIFY and len(shared) == 1:
            return next(g for g in choices if g.id == shared[0])
        return None

    # -- showing ----------------------------------------------------------------------------------
    def _show(self, reply: Reply, query: str = "") -> list[Action]:
        s = self.state
        if reply.status == ANSWER and reply.guide is not None:
            history = s.history + ((reply.guide.id,) if reply.guide.id not in s.history[-1:] else ())
            offered = s.choices if s.mode == CHOICES else s.offered if s.mode == GUIDE else ()
            if reply.guide not in offered:
                offered = ()
            # the age a question gave (我七十五了敬老卡哪能办) is kept for the follow-ups about this guide
            age = (asked_age(normalize(query)) if query else None) or (s.age if reply.guide == s.guide else None)
            self.state = replace(s, mode=GUIDE, guide=reply.guide, section=reply.section, choices=(),
                                 last_reply=reply.text, history=history, offered=offered, age=age,
                                 others=s.others if reply.guide == s.guide else (), asked=None)  # others: follow-ups
            return [ShowGuide(reply.guide, reply.section), self._say(reply.text)]
        if reply.status == CLARIFY:
            section = reply.section or detect_section(normalize(query)) if query else reply.section
            paying = states_paying(normalize(query)) if query else True
            self.state = replace(s, mode=CHOICES, guide=None, section=section, choices=reply.choices,
                                 last_reply=reply.text, offered=(), paying=paying, others=(), asked=None,
                                 age=asked_age(normalize(query)) if query else None,
                                 document=asked_document(normalize(query)) if query else None)
            prompt = DOUBTFUL_PROMPT if reply.doubtful else CHOOSE_PROMPT
            return [ShowChoices(reply.choices, prompt), self._say(reply.text)]
        self.state = replace(s, mode=NOT_FOUND_MODE, guide=None, section=None, choices=(), last_reply=reply.text,
                             offered=(), others=(), asked=None)
        return [ShowNotFound(reply.shown or reply.text, query, reply.elsewhere), self._say(reply.text)]

