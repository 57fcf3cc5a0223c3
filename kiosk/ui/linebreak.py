"""Chinese line breaking for the kiosk's labels. Pure Python (no Kivy): the widgets hand in a measure
function, the layout checker uses the same rules to judge the lines Kivy drew.

Break opportunities come from the Unicode line breaking algorithm (UAX #14, `uniseg`), which carries the
CJK rules: no break before closing punctuation (。，、；：）》」 …), none after opening punctuation
(（《「 …), none inside runs of digits or Latin letters. On top of it one tailoring of our own, which
UAX #14 leaves to the application: a number stays with what belongs to it (180元, 65至69周岁, 8:30,
021-12345678, 第3项), since a resident must read an amount or an age range in one piece.

Kivy itself wraps CJK text wherever a character does not fit; :func:`wrap` chooses the lines instead
and the label draws them with explicit line ends.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from uniseg.linebreak import line_break, line_break_breakables

#: A number with what is read with it: an optional 第, ranges (至/到/-/~), decimals and times, and a unit.
UNITS = ("周岁|个工作日|工作日|个自然日|个月|个小时|小时|分钟|平方米|公斤|千克|公里|万元|千元|元/月|元/人|元|岁|年|月|日|天"
         "|号|周|次|人|户|个|项|张|份|页|类|级|期|倍|楼|层|室|%|％|‰")
NUMBER = re.compile(
    r"第?[0-9０-９]+(?:[.:：/][0-9０-９]+)*"
    r"(?:\s*(?:至|到|-|－|~|～|—)\s*[0-9０-９]+(?:[.:：/][0-9０-９]+)*)*"
    rf"(?:\s*(?:{UNITS}))?")

#: What may not start a line (closing punctuation, small kana-like marks) and what may not end one.
NO_LINE_START = set("。，、；：？！）》」』】〕〉”’…—·.,;:?!)]}%％‰")
NO_LINE_END = set("（《「『【〔〈“‘([{")


@lru_cache(maxsize=None)
def _ideographic(ch: str) -> bool:
    return line_break(ch) == "ID"


@lru_cache(maxsize=16384)
def _uax14(chunk: str) -> tuple[bool, ...]:
    return tuple(bool(b) for b in line_break_breakables(chunk))


def uax14(text: str) -> list[bool]:
    """uniseg's UAX #14 break opportunities for text, computed piecewise: uniseg is pure Python and takes
    tens of microseconds a character. Between two ideographs (class ID) UAX #14 always allows a break
    (LB31) and no rule looks back across one, so the text is cut there and the short pieces between
    (人，  65周  卡（原件）) are worked out once each and remembered (tests/test_linebreak.py checks that
    the result equals uniseg's on every guide)."""
    out: list[bool] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or (_ideographic(text[i - 1]) and _ideographic(text[i])):
            piece = _uax14(text[start:i])
            out.extend(piece if start == 0 else (True,) + piece[1:])
            start = i
    return out


@lru_cache(maxsize=4096)
def breaks(text: str) -> tuple[bool, ...]:
    """For each index i, whether a line may start at text[i] (index 0 is always False)."""
    if not text:
        return ()
    allowed = uax14(text)
    allowed[0] = False
    for m in NUMBER.finditer(text):
        for i in range(m.start() + 1, m.end()):
            allowed[i] = False
    return tuple(allowed)


def units(text: str) -> list[str]:
    """The text cut at every break opportunity: pieces that are never split (unless one alone is too wide)."""
    out, start = [], 0
    for i, ok in enumerate(breaks(text)):
        if ok:
            out.append(text[start:i])
            start = i
    if text:
        out.append(text[start:])
    return out


Measure = Callable[[str], float]


def _greedy(pieces: list[str], width: float, measure: Measure) -> list[list[str]]:
    lines: list[list[str]] = []
    line: list[str] = []
    for piece in pieces:
        if line and measure("".join(line + [piece]).rstrip()) > width:
            lines.append(line)
            line = []
        if not line and measure(piece.rstrip()) > width:
            # One unbreakable piece wider than the line (a long number or word): cut it by characters.
            for ch in piece:
                if line and measure("".join(line) + ch) > width:
                    lines.append(line)
                    line = []
                line.append(ch)
            continue
        line.append(piece)
    if line:
        lines.append(line)
    return lines


def letters(text: str) -> int:
    """Characters that carry meaning: punctuation and spaces do not count (a lone 找。 is a widow too)."""
    return sum(1 for ch in text if not ch.isspace() and ch not in NO_LINE_START and ch not in NO_LINE_END)


def _visible_len(line: list[str]) -> int:
    return letters("".join(line))


def wrap_paragraph(text: str, width: float, measure: Measure, balance: bool = False) -> list[str]:
    """The lines for one paragraph (no line ends inside). balance: make the lines about equally long
    (for short button and tile labels); otherwise fill each line, but never leave one character alone
    on the last line."""
    if not text or width <= 0 or measure(text) <= width:
        return [text]
    pieces = units(text)
    lines = _greedy(pieces, width, measure)
    if len(lines) > 1 and balance:
        lo, hi = width / len(lines), width
        best = lines
        for _ in range(12):  # the narrowest width that still needs no more lines
            mid = (lo + hi) / 2
            trial = _greedy(pieces, mid, measure)
            if len(trial) <= len(lines):
                best, hi = trial, mid
            else:
                lo = mid
        lines = best
    if len(lines) > 1 and _visible_len(lines[-1]) <= 1 and len(lines[-2]) > 1:
        lines[-1].insert(0, lines[-2].pop())  # a widow: give it a companion from the line above
        if measure("".join(lines[-1]).rstrip()) > width:
            lines[-2].append(lines[-1].pop(0))
    return ["".join(line).rstrip() for line in lines]


def wrap(text: str, width: float, measure: Measure, balance: bool = False) -> str:
    """text with line ends where it should break at this width (existing line ends are kept)."""
    return "\n".join("\n".join(wrap_paragraph(p, width, measure, balance)) for p in text.split("\n"))


# -- judging lines that were drawn ----------------------------------------------------------------------
def line_problems(lines: list[str], balanced: bool = False) -> list[str]:
    """What is wrong with these drawn lines of one label: a line starting with closing punctuation or ending
    with an opening one, a number torn from its unit, one character left alone."""
    out: list[str] = []
    shown = [ln.strip() for ln in lines]
    for i in range(1, len(shown)):
        prev, cur = shown[i - 1], shown[i]
        if not prev or not cur:
            continue
        if cur[0] in NO_LINE_START:
            out.append(f"line starts with {cur[0]!r}: {prev[-6:]}/{cur[:6]}")
        if prev[-1] in NO_LINE_END:
            out.append(f"line ends with {prev[-1]!r}: {prev[-6:]}/{cur[:6]}")
        joined = prev + cur
        cut = len(prev)
        for m in NUMBER.finditer(joined):
            if m.start() < cut < m.end() and not joined[m.start():m.end()].isspace():
                out.append(f"number split: {prev[-6:]}/{cur[:6]}")
                break
    if len([s for s in shown if s]) > 1 and shown[-1] and letters(shown[-1]) <= 1:
        out.append(f"one character alone on the last line: {shown[-2][-6:]}/{shown[-1]}")
    if balanced and len(shown) > 1:
        longest, shortest = max(len(s) for s in shown), min(len(s) for s in shown)
        if shortest * 3 < longest:
            out.append(f"unbalanced lines: {' / '.join(shown)}")
    return out
