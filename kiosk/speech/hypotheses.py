"""Recogniser output to kiosk text, and the choice among alternatives. Pure: no vosk import.

Vosk writes Chinese with a space between words (``最低 生活 保障``); residents and the matcher want
``最低生活保障``. Spaces next to a Chinese character go, spaces between other words (Korean, Latin)
stay. Grammar-mode output can hold the unknown-word token; it is dropped.

Free recognition and grammar recognition each give a ranked list of alternatives. The kiosk keeps the
one that matches a guide best (:func:`choose`); when nothing matches a guide, Vosk's own best guess from
free recognition stands, so a question outside the knowledge base is not forced onto a guide.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from .grammar import UNKNOWN_TOKENS

FREE, GRAMMAR = "free", "grammar"

_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_SPACE_NEAR_HAN = re.compile(rf"(?<={_HAN})\s+|\s+(?={_HAN})")
_UNK = re.compile("|".join(re.escape(t) for t in UNKNOWN_TOKENS))


def join_words(text: str) -> str:
    """Recogniser words to display text: no unknown tokens, no spaces inside Chinese."""
    text = _UNK.sub(" ", text or "")
    text = " ".join(text.split())
    return _SPACE_NEAR_HAN.sub("", text)


@dataclass(frozen=True)
class Hypothesis:
    text: str  # already joined
    source: str  # FREE or GRAMMAR
    rank: int  # 0 = the recogniser's best
    unknown_share: float = 0.0  # grammar mode: share of words that were the unknown token


def hypotheses(free: Sequence[str], grammar: Sequence[str] = ()) -> list[Hypothesis]:
    """Joined, de-duplicated alternatives: free recognition first, then grammar recognition."""
    out: list[Hypothesis] = []
    seen: set[str] = set()
    for source, texts in ((FREE, free), (GRAMMAR, grammar)):
        for rank, raw in enumerate(texts):
            words = (raw or "").split()
            unk = sum(1 for w in words if w in UNKNOWN_TOKENS)
            text = join_words(raw)
            if not text or text in seen:
                continue
            seen.add(text)
            out.append(Hypothesis(text, source, rank, unk / len(words) if words else 0.0))
    return out


#: A grammar result mostly made of "not in the grammar" is the grammar forcing words onto noise.
MAX_UNKNOWN_SHARE = 0.5

Score = Callable[[str], tuple]


def match_score(matcher) -> Score:
    """Order texts by how well they land on a guide: a spoken command (再说一遍, 回首页) > answer >
    clarify/referral > nothing, then score."""
    from ..matching import ANSWER, CLARIFY
    from ..matching.commands import command

    def score(text: str) -> tuple:
        if command(text) is not None:
            return (3, 0.0)
        m = matcher.match(text)
        level = 2 if m.status == ANSWER else 1 if (m.status == CLARIFY or m.referral) else 0
        best = m.best.score if m.best else 0.0
        return (level, best if level else 0.0)

    return score


def phrase_score(phrases: Sequence[str]) -> Score:
    """Order texts by closeness to the nearest of phrases (for a recogniser biased to a plain phrase
    list rather than a knowledge base); an exact phrase scores highest."""
    from difflib import SequenceMatcher

    targets = [join_words(p) for p in phrases if join_words(p)]

    def score(text: str) -> tuple:
        best = max((SequenceMatcher(None, text, t).ratio() for t in targets), default=0.0)
        return (1 if best >= 0.6 else 0, round(best * 100, 1) if best >= 0.6 else 0.0)

    return score


def usable(hyps: Iterable[Hypothesis]) -> list[Hypothesis]:
    """The alternatives worth answering: all of free recognition, and grammar results that are not mostly
    the unknown token (those are the grammar forcing guide words onto noise)."""
    return [h for h in hyps if h.source == FREE or h.unknown_share <= MAX_UNKNOWN_SHARE]


def choose(hyps: Iterable[Hypothesis], score: Score | None) -> Hypothesis | None:
    """The alternative that matches a guide best; ties and no-match keep the earliest (free best)."""
    pool = usable(hyps)
    if not pool:
        return None
    if score is None:
        return pool[0]
    best, best_key = pool[0], score(pool[0].text)
    for h in pool[1:]:
        key = score(h.text)
        if key > best_key:
            best, best_key = h, key
    return best


def ordered(chosen: Hypothesis | None, hyps: Sequence[Hypothesis]) -> tuple[str, ...]:
    """The usable alternative texts with the chosen one first. The dialogue matches every alternative, so
    one that :func:`choose` refused as noise must not come back this way."""
    rest = [h.text for h in usable(hyps) if h is not chosen]
    return tuple(([chosen.text] if chosen else []) + rest)
