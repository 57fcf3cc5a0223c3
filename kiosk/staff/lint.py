"""``kiosk lint``: problems that validate cannot see because they are about the guides together.

* shared names: one alias (or title) in several guides, also when they differ only in width, spaces
  or punctuation;
* confusable names: a guide's own title or alias that the matcher does not answer with that guide,
  because another guide ranks first or comes within the clarify margin (or a topic handled elsewhere
  wins). The matcher's own scoring decides, so what lint reports is what a resident would meet; the
  reason says whether the rival sounds the same (same pinyin), is written the same, or is just close;
* with a speech model: words of titles and aliases that the recogniser's vocabulary lacks;
* with --issuers: materials that are documents (…证明, …证书, …报告) whose guide does not say who issues them
  and that no guide here issues, so 死亡证明在哪里开 gets "指南里没有写" and the telephone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..knowledge.model import Guide, KnowledgeBase
from ..knowledge.problems import WARNING, Problem
from ..matching import ANSWER, NONE, Matcher, normalize
from ..matching.sections import DOCUMENT_KINDS
from ..matching.text import code

SHARED, CONFUSABLE, MODEL, ISSUER = "shared", "confusable", "model", "issuer"
KIND_NAMES = {SHARED: "多个指南共用的叫法", CONFUSABLE: "容易混淆的名称（终端需要再问一次或会答错）",
              MODEL: "语音模型听不懂的词", ISSUER: "没写在哪里开的证明材料（居民问“在哪里开”时终端答不出）"}


@dataclass(frozen=True)
class Finding:
    kind: str
    problem: Problem


def _names(g: Guide) -> list[tuple[str, str]]:
    return [("标题", g.title)] + [("别名", a) for a in dict.fromkeys(g.aliases)]


_KEYS = {"标题": "title", "别名": "aliases"}


def shared_names(kb: KnowledgeBase) -> list[Finding]:
    owners: dict[str, list[tuple[Guide, str, str]]] = {}
    for g in kb.guides:
        for what, text in _names(g):
            key = normalize(text)
            if key and all(o[0].id != g.id for o in owners.get(key, [])):
                owners.setdefault(key, []).append((g, text, _KEYS[what]))
    out = []
    for key, gs in sorted(owners.items()):
        if len(gs) < 2:
            continue
        for g, text, field in gs:
            others = "、".join(f"{o.id}（{o.title}）的“{t}”" for o, t, _ in gs if o.id != g.id)
            out.append(Finding(SHARED, Problem(g.path, g.item_line(field, text),
                                               f"“{text}”与 {others}对终端是同一个叫法；居民这样说时终端只能请他"
                                               f"再选一次。如果不是有意的，请只留在最合适的指南里", WARNING)))
    return out


def _reason(text: str, rival: Guide | None) -> str:
    if rival is None:
        return ""
    mine_n = normalize(text)
    mine_c = code(mine_n)
    for _, other in _names(rival):
        n = normalize(other)
        if n == mine_n:
            return f"，写法相同（{rival.id} 的“{other}”）"
        if n and code(n) == mine_c:
            return f"，读音相同（{rival.id} 的“{other}”）"
    return ""


def confusable_names(kb: KnowledgeBase, matcher: Matcher, skip: Iterable[tuple[str, str]] = ()) -> list[Finding]:
    """Titles and aliases the matcher does not answer with their own guide. skip: (guide id, text) pairs."""
    skipped = set(skip)
    settings = matcher.ranker.settings
    out = []
    for g in kb.guides:
        for what, text in _names(g):
            if (g.id, text) in skipped or not normalize(text):
                continue
            m = matcher.match(text, top=max(settings.max_choices, 3))
            best = m.best
            if m.status == ANSWER and best and best.id == g.id:
                continue
            mine = next((c for c in m.candidates if c.id == g.id), None)
            rival_c = next((c for c in m.candidates if c.id != g.id), None)
            rival = kb.get(rival_c.id) if rival_c else None
            if m.status == NONE and m.referral:
                msg = f"{what}“{text}”会被当作别处办理的事项（{m.topic}），终端不会回答本指南"
            elif best and best.id != g.id:
                where = f"本指南 {mine.score:.0f} 分" if mine else "本指南不在前几名"
                msg = (f"{what}“{text}”匹配到了 {best.id}（{best.title}，{best.score:.0f} 分），{where}"
                       f"{_reason(text, kb.get(best.id))}")
            elif m.status == NONE:
                msg = (f"{what}“{text}”只得 {best.score if best else 0:.0f} 分，不到直接回答的 "
                       f"{settings.answer_score:.0f} 分；可以换成更完整的说法")
            else:
                gap = mine.score - rival_c.score if mine and rival_c else 0.0
                msg = (f"{what}“{text}”与 {rival_c.id}（{rival_c.title}）只差 {gap:.1f} 分，"
                       f"居民这样说时终端要请他再选一次{_reason(text, rival)}")
            out.append(Finding(CONFUSABLE, Problem(g.path, g.item_line(_KEYS[what], text), msg, WARNING)))
    return out


class ModelCheckUnavailable(Exception):
    """The speech model's vocabulary cannot be read here (no reader in this build, or no model)."""


def model_words(kb: KnowledgeBase, model: str | Path,
                importer: Callable[[str], object] | None = None) -> list[Finding]:
    """Words of guide titles and aliases the recogniser cannot hear, via kiosk.speech.grammar."""
    import importlib

    try:
        grammar = (importer or importlib.import_module)("kiosk.speech.grammar")
        vocabulary = getattr(grammar, "vocabulary")
        unknown = getattr(grammar, "unknown_word_problems")
    except (ImportError, AttributeError) as exc:
        raise ModelCheckUnavailable("这个版本没有读取语音模型词表的功能（kiosk.speech.grammar）") from exc
    try:
        vocab = vocabulary(model)
    except Exception as exc:  # the reader's own error says what is wrong with the model folder
        raise ModelCheckUnavailable(f"读不出模型 {model} 的词表：{exc}") from exc
    return [Finding(MODEL, p) for p in unknown(kb, vocab)]


_DOCUMENT_NAME = re.compile(rf"[\u4e00-\u9fff]{{1,8}}(?:{DOCUMENT_KINDS})")


def unsaid_issuers(kb: KnowledgeBase) -> list[Finding]:
    """Materials that are documents about which the kiosk, asked where to get one, can only say the guide does
    not say (kiosk.answer.document_source): the guide names no issuer and no guide here issues it."""
    from ..answer import UNSAID, document_source, for_ear

    out = []
    for g in kb.guides:
        for m in g.materials:
            found = _DOCUMENT_NAME.search(for_ear(m.name))
            reply = document_source(g, kb, found.group(0)) if found else None
            if reply is not None and reply.guide == g and UNSAID in reply.text:
                out.append(Finding(ISSUER, Problem(
                    g.path, g.line_of("materials"),
                    f"材料“{m.name}”没有写由哪里开具：居民问“{found.group(0)}在哪里开”时终端只能说指南里没有写。"
                    f"知道的话请在这项材料的 note 里写上出具单位（如“由就诊医院出具”）", WARNING)))
    return out

