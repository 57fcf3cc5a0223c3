"""What the kiosk says for a match: short, natural spoken Chinese. The screen carries the detail."""
from __future__ import annotations

from dataclasses import dataclass

from .knowledge.model import SECTION_NAMES, Guide, KnowledgeBase
from .matching import ANSWER, CLARIFY, Match

ORDINALS = ("第一", "第二", "第三", "第四", "第五")
NOT_FOUND = "抱歉，我没有找到相关的办事指南。您可以换个说法再问一次，或者点屏幕上的类别查找，也可以到人工窗口咨询。"
ASK_AGAIN = "请您再说一遍，要办理什么事情？"
ASK_WHICH = "请先告诉我您要办理哪一项业务，比如“敬老卡要带什么材料”。"
MAX_SPOKEN_ITEMS = 4

# How each scope is said aloud before the place itself.
SCOPE_SPEECH = {
    "全市通办": "在全市任何一个社区事务受理服务中心都可以办理",
    "本区通办": "在本区任何一个社区事务受理服务中心都可以办理",
    "户籍地": "要到户籍所在地办理",
    "居住地": "要到居住地办理",
    "线上自助": "可以在网上或者自助终端办理",
    "其他机构": "不在社区事务受理服务中心窗口办理",
}


@dataclass(frozen=True)
class Reply:
    status: str
    guide: Guide | None
    section: str | None
    text: str
    choices: tuple[Guide, ...] = ()


def _join(items: list[str]) -> str:
    return "；".join(i.rstrip("。；;") for i in items) + "。"


def section_speech(guide: Guide, section: str, kb: KnowledgeBase) -> str:
    """One section read aloud, bounded: long lists say how many more are on screen."""
    name = SECTION_NAMES[section]
    if section == "materials":
        names = [m.name + (f"{m.form}" if m.form in ("原件", "复印件", "原件及复印件") else "") for m in guide.materials]
        body = _join(names[:MAX_SPOKEN_ITEMS])
        extra = len(names) - MAX_SPOKEN_ITEMS
        tail = f"另外还有{extra}项，请看屏幕。" if extra > 0 else ""
        return f"办理{guide.title}，需要准备：{body}{tail}"
    if section == "benefits" and not guide.benefits:
        return f"{guide.title}本身不发放钱款或补贴；具体情况请看屏幕或咨询窗口。"
    if section in ("conditions", "steps", "basis", "benefits"):
        items = list(getattr(guide, section))
        body = _join(items[:MAX_SPOKEN_ITEMS] if section != "steps" else items[:3])
        shown = 3 if section == "steps" else MAX_SPOKEN_ITEMS
        tail = "其余内容请看屏幕。" if len(items) > shown else ""
        return f"{guide.title}的{name}：{body}{tail}"
    if section == "location":
        place = guide.resolved("location", kb.centre).rstrip("。")
        return f"{guide.title}{SCOPE_SPEECH.get(guide.scope, '')}，地点是：{place}。"
    value = guide.section_lines(section, kb.centre)[0].rstrip("。")
    return f"{guide.title}的{name}：{value}。"


def compose(match: Match, kb: KnowledgeBase, section: str | None = None) -> Reply:
    """The reply for a match; section overrides the one detected in the question."""
    section = section or match.section
    if match.status == ANSWER and match.best:
        guide = kb.get(match.best.id)
        if guide is not None:
            return answer_guide(guide, kb, section)
    if match.status == CLARIFY:
        choices = tuple(g for g in (kb.get(c.id) for c in match.candidates[:3]) if g is not None)
        if len(choices) >= 2:
            return clarify(choices, section)
    if match.referral:
        return Reply("none", None, section, match.referral)
    if section and not match.candidates:
        return Reply("none", None, section, ASK_WHICH)
    return Reply("none", None, section, NOT_FOUND)


def answer_guide(guide: Guide, kb: KnowledgeBase, section: str | None = None) -> Reply:
    if section:
        return Reply("answer", guide, section, section_speech(guide, section, kb))
    return Reply("answer", guide, None, f"为您找到{guide.title}。{guide.summary}")


def clarify(choices: tuple[Guide, ...], section: str | None = None) -> Reply:
    listed = "；".join(f"{ORDINALS[i]}，{g.title}" for i, g in enumerate(choices))
    text = f"您要办理的是哪一项？{listed}。请点屏幕或者说第几个。"
    return Reply("clarify", None, section, text, choices)
