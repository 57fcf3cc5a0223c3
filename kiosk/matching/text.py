"""Text normalisation and toneless, dialect-folded pinyin codes.

A *code string* has one character per syllable: each folded pinyin syllable is mapped to a private-use
character, so rapidfuzz can compare pronunciations syllable by syllable. 居住正 and 居住证 give the same
code; so do 知情/知青 and 残急证/残疾证.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

#: The longest question the matcher reads, in characters after normalisation.
MAX_QUERY_CHARS = 120

# Words that carry no request: greetings, hesitation, politeness. Longest first.
FILLERS = sorted(
    """请问一下 我想问一下 我想问问 想问一下 想咨询一下 咨询一下 我想咨询 请问 问一下 问问 你好 您好 麻烦你 麻烦您 麻烦
    帮我看看 帮我查查 帮忙 谢谢你 谢谢 那个那个 那个 这个 就是说 就是 然后 嗯嗯 嗯 呃 额 啊 哦 噢 唉 哎 呀 啦 吧 呢
    嘛 咯 喽 的话 一下下 好吗 可以吗 行吗 小爱 机器人 同志 老师""".split(),
    key=len,
    reverse=True,
)
_FILLER_RE = re.compile("|".join(map(re.escape, FILLERS)))
_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# Readings fixed where pypinyin's context guess hurts this domain (长护险, 长者, 长宁).
_READING_OVERRIDES = {"长": "chang"}


def clean(text: str) -> str:
    """Width-fold, lower-case, and keep only Chinese characters, letters and digits."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    return _KEEP.sub("", text)[: MAX_QUERY_CHARS * 4]


def strip_fillers(text: str) -> str:
    stripped = _FILLER_RE.sub("", text)
    return stripped or text


def normalize(text: str) -> str:
    """What the matcher compares: clean text without filler words, bounded in length."""
    return strip_fillers(clean(text))[:MAX_QUERY_CHARS]


def fold_syllable(syl: str) -> str:
    """Fold the distinctions that southern speakers and recognisers blur.

    zh/z, ch/c, sh/s, n/l (initials); ang/an, eng/en, ing/in (finals; ong stays).
    """
    if syl.startswith(("zh", "ch", "sh")):
        syl = syl[0] + syl[2:]
    elif syl.startswith("n") and len(syl) > 1 and syl[1] != "g":
        syl = "l" + syl[1:]
    if len(syl) > 2 and syl.endswith("ng") and not syl.endswith("ong"):
        syl = syl[:-1]
    return syl


class _Codebook:
    """Maps folded syllables to private-use characters, one each, for the life of the process."""

    def __init__(self) -> None:
        self._codes: dict[str, str] = {}

    def code(self, syllable: str) -> str:
        c = self._codes.get(syllable)
        if c is None:
            c = chr(0xE000 + len(self._codes))
            self._codes[syllable] = c
        return c


_BOOK = _Codebook()


@lru_cache(maxsize=65536)
def syllables(text: str) -> tuple[str, ...]:
    """Folded toneless pinyin, one item per character of ``text`` (letters and digits pass through)."""
    out = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chunk: list(chunk))
    if len(out) != len(text):  # pypinyin merged something unexpectedly: fall back to per character
        out = [lazy_pinyin(ch, style=Style.NORMAL, errors=lambda c: list(c))[0] for ch in text]
    return tuple(
        fold_syllable(_READING_OVERRIDES.get(ch, syl)) if _CJK.match(ch) else ch
        for ch, syl in zip(text, out)
    )


@lru_cache(maxsize=65536)
def code(text: str) -> str:
    """The pronunciation code string of already-normalised text (same length as text)."""
    return "".join(_BOOK.code(s) for s in syllables(text))


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))
