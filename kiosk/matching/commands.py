"""Spoken commands to the kiosk itself: say it again, slower, go back, start over, thanks, not that one.

A resident who did not catch an answer says 再说一遍 or 没听清; one who finds it too fast or too small
says 说慢一点 or 字大一点; too loud or too soft, 声音小一点 or 声音大一点; 别说了 stops the voice; one who is done says 回首页 or 算了, or just 好的, 谢谢; one shown the wrong
guide says 不是这个. These are not questions about a service:
matched against the guides, 返回 found 知青返城档案查询 and 听不清 found 残疾人证新办. The dialogue asks
:func:`command` first and acts on what it returns.

Only a whole utterance is a command (with politeness and particles around it: 请你再说一遍好吗), so a
question that contains such words (我耳朵听不清，能办残疾人证吗) still goes to the matcher.
"""
from __future__ import annotations

import re

from .text import clean, strip_fillers

REPEAT, SLOWER, NORMAL, BACK, HOME = "repeat", "slower", "normal", "back", "home"
THANKS, NOT_IT, MORE = "thanks", "not_it", "more"
LOUDER, QUIETER, HUSH = "louder", "quieter", "hush"

# Each command: the phrases that are it, as regular-expression alternatives (一 before 点 is optional:
# 慢点 and 慢一点 alike).
# 再见, 不办了, 算了: going home because the resident is leaving (the dialogue says goodbye to these).
_LEAVING_WORDS = r"不问了|不办了|不要了|算了|没事了|结束|再见|拜拜|我走了|我要走了|我先走了|先走了"
_LEAVING = re.compile(_LEAVING_WORDS)

_PHRASES: dict[str, str] = {
    REPEAT: r"再说一[遍次下]|再讲一[遍次下趟]|再念一[遍次]|重复一[遍次下]|重新说一[遍次]|重说一[遍次]|再来一[遍次]"
            r"|没听清楚?|没听清爽|没听到|没听见|没听懂|听不懂|没有听清楚?|没有听到|没有听懂"
            r"|刚才说什么|你说什么|刚刚说什么|刚才讲什么|刚才讲啥|说的什么|讲的啥",
    SLOWER: r"说慢一?点|讲慢一?点|慢一?点说|慢一?点讲|慢慢说|慢慢讲|说得?太快了?|讲得?太快了?|太快了"
            r"|听不清楚?|听不清爽|听不见|听不到"
            r"|字大一?点|字放大一?点?|字太小了?|看不清楚?|看不见|看不到|放大一?点"
            r"|长者模式|老人模式|打开长者模式|开长者模式",
    NORMAL: r"说快一?点|讲快一?点|快一?点说|快一?点|说得?太慢了?|讲得?太慢了?|字小一?点|字太大了?"
            r"|关掉长者模式|关闭长者模式|退出长者模式|关长者模式|普通模式|正常速度|恢复正常|恢复正常速度|恢复正常语速|正常一?点|正常[讲说]",
    # 声音大一点: the volume back up after 声音小一点; at full volume, elder mode (slower speech, larger text)
    LOUDER: r"声音大一?点|声音响一?点|大声一?点|[讲说]大声一?点|大声[讲说]|响一?点|声音太小了?|声音太轻了?"
            r"|音量大一?点|音量调大一?点?|声音调大一?点?|调大一?点|开大一?点|声音再大一?点|再响一?点|大一?点声"
            r"|声音高一?点|调高一?点",
    QUIETER: r"声音小一?点|声音轻一?点|小声一?点|[讲说]轻一?点|轻一?点[讲说]|小声[讲说]|轻一?点"
             r"|声音太大了?|声音太响了?|太响了|太吵了|音量小一?点|音量调小一?点?|声音调小一?点?|调小一?点|关小一?点"
             r"|声音再小一?点|再轻一?点|小一?点声|声音低一?点|调低一?点|太大声了?|[讲说]得太响了?|声音太吵了?",
    # 别说了: stop talking now; what is on the screen stays
    HUSH: r"别说了|不要说了|不用说了|别讲了|不要讲了|不用讲了|别念了|不要念了|停一下|停下来?|安静|闭嘴|静音",
    BACK: r"返回|返回上一步|上一步|上一页|回上一页|回到上一页|后退|退回去|回去|往回",
    # 好的, 谢谢: the resident acknowledges; matched as a question, 好的 found 婚姻登记预约. Not 嗯 or 哦: in
    # front of a microphone they are hesitation, and the recogniser's other guesses may hold the question.
    THANKS: r"好的?|好吧|好了|行|行了|可以了|知道了|晓得了|明白了|懂了|清楚了|听清楚?了|没问题"
            r"|好额|好个|谢谢你?|谢谢您|谢谢侬|多谢|多谢侬|谢啦|感谢|麻烦你了|辛苦了",
    # 不是这个: the guide on screen is not what was meant (while choosing, 不是 is 都不是: see the dialogue).
    NOT_IT: r"不是|不对|都不是|都不对|全都不是|全都不对|不是这个|不是这项|不是这个事|搞错了|弄错了|错了|不是我要的|不是我问的",
    # 还有呢 / 然后呢: the rest of what was being told (the other conditions, the other steps)
    MORE: r"还有呢|还有吗|还有没有|还有什么|还有别的吗?|然后呢|接下来呢|后面呢|下面呢|继续说?|接着说|说下去",
    HOME: r"回首页|回到首页|返回首页|首页|主页|回主页|回到主页|重新开始|从头开始|重新来|从头来|重来|" + _LEAVING_WORDS,
}
# Politeness before and particles after: 请你, 麻烦, 能不能, 可以 ... 好吗, 吧, 了. Before, also what the
# resident points at (屏幕上的字太小, 你的声音太轻, 我听不见) and why (我眼睛不好，字看不清).
_BEFORE = (r"(?:请|你的?|您的?|侬|麻烦|能不能|能否|能|可不可以|可以|帮我|再|给我|我的?|屏幕上?的?|上面的?|这个|字|声音"
           # why, said first: 我眼睛不好，字看不清 asks for larger text, not for a guide about sight
           r"|眼睛不(?:大|太)?好|眼神不好|老花眼?|耳朵不(?:大|太)?好|耳朵背|年纪大了|人老了)*")
_AFTER = r"(?:好吗|好伐|好不好|行吗|行伐|可以吗|可以伐|吗|伐|吧|呀|啊|了|啦|哦|喔|的|点|一下|谢谢)*"
_ONE = "|".join(f"(?P<{name}>{phrases})" for name, phrases in _PHRASES.items())
# One command or several run together (没听清楚，再说一遍; 算了，回首页), around politeness and particles.
_UTTERANCE = re.compile(rf"(?:{_BEFORE}(?:{_ONE}){_AFTER})+")
_PIECE = re.compile(rf"{_BEFORE}(?:{_ONE}){_AFTER}")
#: When several are said together, the one acted on: 说慢一点 also says it again; 回首页 leaves the rest;
#: 停一下，再说一遍 wants it again, not silence.
_PRIORITY = (SLOWER, LOUDER, QUIETER, NORMAL, HOME, BACK, REPEAT, HUSH, MORE, NOT_IT, THANKS)


def command(text: str) -> str | None:
    """The command a whole utterance gives (REPEAT, SLOWER, LOUDER, QUIETER, HUSH, NORMAL, BACK, HOME, THANKS,
    NOT_IT or MORE), or None for a question."""
    t = clean(text)
    if not t or len(t) > 24:
        return None
    for text in (t, strip_fillers(t)):  # as said (谢谢您: 谢谢 is a filler word), then without fillers
        if _UTTERANCE.fullmatch(text):
            said = {m.lastgroup for m in _PIECE.finditer(text)}
            return next(name for name in _PRIORITY if name in said)
    return None


# 快点 / 能快点吗 alone: faster speech in elder mode; otherwise the resident more likely means the service
# (能不能快点, after 多久能拿到), and it is not a command.
_BARE_HURRY = re.compile(r"(?:请|你|您|能|能不能|可以|可不可以|再)*快一?点(?:吗|伐|好吗|好伐|行吗|嘛|呀|啊|吧|了)*")


def leaving(text: str) -> bool:
    """Whether a HOME command says the resident is leaving (好了不办了, 再见), not only going back to the start."""
    return bool(_LEAVING.search(clean(text)))


def bare_hurry(text: str) -> bool:
    """Whether an utterance is only 快点 (with politeness): NORMAL in elder mode, else not a command."""
    return bool(_BARE_HURRY.fullmatch(clean(text)))


def _expand(alt: str) -> list[str]:
    """The plain phrases of one alternative: 一? is there or not, [遍次] is each of them."""
    m = re.search(r"(.)\?|\[([^\]]+)\]", alt)
    if m is None:
        return [alt]
    head, tail = alt[:m.start()], alt[m.end():]
    options = [m.group(1), ""] if m.group(1) is not None else list(m.group(2))
    return [head + o + rest for o in options for rest in _expand(tail)]


def command_words() -> list[str]:
    """Every plain phrase of the commands, for a recogniser's grammar."""
    words: list[str] = []
    for phrases in _PHRASES.values():
        for alt in phrases.split("|"):
            words.extend(w for w in _expand(alt) if w and w not in words)
    return words
