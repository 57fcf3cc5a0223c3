"""What the kiosk says for a match: short spoken Chinese for the ear. The screen carries the detail.

The first answer about a guide says its short spoken name, what it offers in one clause, and
``CLOSING`` (还想知道什么，可以接着问). An answer about a section says the asked fact first (要带四样东西：…,
分四步：第一步，…, 不收费), after the guide's name when that is short, cut at a clause boundary to fit
``FACT_SYLLABLES``; it does not repeat the closing words (at the normal rate they take 4 s, as long as
a whole fact). Lengths are counted in spoken syllables (``textprep.count_syllables``: 12345 is five, 8:30
is three), so a reply is never longer than ``MAX_SYLLABLES``; ``kiosk bench speech`` measures them all.
Elder mode says the same words, slower (the speaker's rate).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, Sequence

from .knowledge.model import CENTRE_DEFAULT, SECTION_NAMES, SECTIONS, Guide, KnowledgeBase
from .matching import ANSWER, CLARIFY, Match
from .matching.sections import (DOCUMENT_KINDS, asked_age, asked_document, asks_amount, asks_online, asks_who,
                                asks_who_comes, gives_only_an_age, states_paying)
from .matching.text import clean, normalize
from .speech.textprep import cardinal, count_syllables

ORDINALS = ("第一", "第二", "第三", "第四", "第五")
NOT_FOUND = "抱歉，没有找到相关的办事指南。您可以换个说法再问，或者点屏幕上的类别查找。"
ASK_AGAIN = "请您再说一遍，要办理什么事情？"
#: Questions about the centre itself (hours, where, phone) when no service is named.
CENTRE_ANSWERS = {"hours": "本中心的办理时间：{hours}。", "location": "{name}在{address}。",
                  "contact": "本中心的咨询电话是{phone}。"}
ASK_WHICH = "请先告诉我您要办理哪一项业务，比如“敬老卡要带什么材料”。"
CLOSING = "还想知道什么，可以接着问。"
MORE_ON_SCREEN = "请看屏幕"  # said only when a section has nothing short to say

#: The asked fact, in spoken syllables, before the closing words (about 5 s at the normal rate).
FACT_SYLLABLES = 14
#: The first answer says who may use a service with what it offers when that and the service's name fit in
#: this many syllables (about 13 s at the normal rate, with the closing words 16 s): 临时救助申请。遇到火灾、车祸、
#: 突发重病等急事，或者一时开支太大、生活陷入困境的家庭和个人，可以申请临时救助 says far more than 可以申请临时救助.
WHO_OFFER_SYLLABLES = 44
#: A first clause up to this many syllables over the budget is said whole rather than cut.
OVERRUN = 8
#: A guide's name is said before a section's fact only when it is this short (敬老卡, 居住证).
NAME_SYLLABLES = 5
#: No reply is longer than this (about 22 s at the normal rate, 30 s in elder mode).
MAX_SYLLABLES = 60
#: What to bring is what residents most need to hear whole: its list may run longer than other facts.
MATERIALS_SYLLABLES = FACT_SYLLABLES + 8
#: A first condition this short (具有本市户籍) is said with the second.
SHORT_CONDITION = 8
#: ... and what only some residents, or someone coming for the resident, bring besides, said after it.
PROXY_SYLLABLES = 10

# How each scope is said aloud before the place itself.
SCOPE_SPEECH = {
    "全市通办": "全市哪个中心都能办",
    "本区通办": "本区哪个中心都能办",
    "户籍地": "要到户籍地办",
    "居住地": "要到居住地办",
    "线上自助": "网上或者自助终端就能办",
    "其他机构": "不在中心窗口办",
}

# How a one-line section is introduced: 敬老卡办理时限：当场办结。
SECTION_LEAD = {
    "time_limit": "办理时限",
    "fees": "收费标准",
    "hours": "办理时间",
    "contact": "咨询电话",
}

# A clause and the marks that end it; the colon of a clock time (8:30) does not end a clause.
_CLAUSE = re.compile(r"(?:[^，。；;：:！？!?,]|(?<=\d)[:：](?=\d))+(?:[，。；;！？!?,]|[：:](?!\d))*")
_SAFE_CUT = re.compile(r"(?=[和或及并])")
_DANGLING = re.compile(r"[的后时起中][，；：,;:]*$")
_LABEL = re.compile(r"^[^，。；;！？!?,]{1,8}[：:]$")


@dataclass(frozen=True)
class Reply:
    status: str
    guide: Guide | None
    section: str | None
    text: str
    choices: tuple[Guide, ...] = ()
    doubtful: bool = False  # a choice list for a question that may be handled elsewhere
    elsewhere: bool = False  # no guide: the question is handled elsewhere, and the text says where
    shown: str = ""  # what the screen shows when it is more than what is said (a long referral), else text


def for_ear(text: str) -> str:
    """Guide text as it should be said in a reply: bracketed asides and notes left to the screen."""
    text = re.sub(r"（[^（）]{2,}）|\([^()]{2,}\)|【[^【】]*】", "", text)
    return re.sub(r"\s+", "", text).strip("，、；;。 ")


def fit(text: str, budget: int, prefer: str = "", whole_label: bool = True) -> tuple[str, bool]:
    """The first clauses of text that fit in budget syllables, and whether anything was left out.

    Cut only where a clause ends (，；。：); a first clause more than ``OVERRUN`` syllables over the budget
    is cut between list items (、, then 等 is said), else before 和/或/及/并, never inside a word; ``prefer``: when the
    clauses that fit leave out the one matching it (the number of days, the fee), that clause instead;
    ``whole_label``: a first clause that is only a label (上门服务：) is said with what follows it."""
    text = for_ear(text)
    out = ""
    clauses = _CLAUSE.findall(text)
    joined = False
    for n, clause in enumerate(clauses):
        # a label (上门服务：) says nothing without what follows it; an alternative (本市户籍人员，或持居住证的…)
        # is said with the clause it is the other half of, a little over the budget, rather than dropped
        alternative = n == 1 and clause.startswith(("或", "或者")) and \
            count_syllables(out + clause) <= budget + 3 * OVERRUN
        if out and count_syllables(out + clause) > budget and not (whole_label and _LABEL.search(out)):
            if not alternative:
                break
            joined = True
        out += clause
    if prefer and not re.search(prefer, out):
        # not an exception (部分银行网点可以当场领卡) in place of the rule before it (领卡时间以窗口告知为准)
        k = next((i for i, c in enumerate(clauses) if re.search(prefer, c) and not c.startswith(("部分", "个别", "少数"))),
                 None)
        if k is not None:  # with the clause before it when that one leans on it (参与表决的业主中，…四分之三以上同意)
            out = clauses[k - 1] + clauses[k] if k and _DANGLING.search(clauses[k - 1]) else clauses[k]
    if count_syllables(out) > budget + OVERRUN and not joined:  # a clause a little too long is said whole
        # a cut must leave at least half the budget: 本人 of 本人或代办人带身份证… says nothing
        items = [m.end() for m in re.finditer("、", out) if budget // 2 <= count_syllables(out[:m.start()]) <= budget]
        cuts = [m.start() for m in _SAFE_CUT.finditer(out)
                if 0 < m.start() < len(out) and budget // 2 <= count_syllables(out[:m.start()]) <= budget]
        if items:
            out = out[:items[-1] - 1] + "等"
        elif cuts and count_syllables(out) > budget + 2 * OVERRUN:
            # before 和/或/并 the words that complete the clause may still be to come (先向居委会|和街道…咨询,
            # 户籍在本区|并完成…的退役军人): a clause up to twice the overrun is said whole rather than so cut
            out = out[:cuts[-1]]
    # a clause ending in 的/后/时 (卡丢了的，… 注销后，…) means nothing without the clause after it
    if _DANGLING.search(out) and len(out) < len(text):
        taken = _CLAUSE.findall(out)
        following = clauses[len(taken)] if len(taken) < len(clauses) else ""
        room = budget + 3 * OVERRUN - count_syllables(out)  # a fragment is worse than a longer clause
        rest = fit(following, room - OVERRUN)[0] if following and room > 2 else ""
        if rest and not _DANGLING.search(rest) and count_syllables(out + rest) <= budget + 3 * OVERRUN:
            out = out.rstrip("，、；;：:,") + "，" + rest
        elif len(taken) > 1:
            out = "".join(taken[:-1])
    out = out.rstrip("，、；;：:,。")
    return out, len(out) < len(text.rstrip("。；;，、"))


def _count_word(n: int) -> str:
    return "两" if n == 2 else cardinal(n)


def spoken_name(guide: Guide, limit: int = NAME_SYLLABLES) -> str:
    """The guide's short name when it is short enough to say before every fact, else nothing."""
    name = guide.short_name
    return name if count_syllables(name) <= limit else ""


def _listed(items: list[str], budget: int) -> str:
    """Items in order while they fit in budget syllables; 等 when some are left to the screen."""
    said: list[str] = []
    for item in items:
        if said and count_syllables("、".join(said + [item])) > budget:
            break
        said.append(item)
    return "、".join(said) + ("等" if len(said) < len(items) else "")


#: A material of this form is not brought: it is filled in at the window or on the terminal.
ON_SITE = "现场填写"


def for_proxy(material) -> bool:
    """A material brought only when someone else comes for the resident (委托书及代办人身份证, 家属代办时提供)."""
    note = material.note or ""
    return bool(re.search(r"委托|代办|代理|授权", material.name)) and (
        bool(re.search(r"代办人|代理人|受托人", material.name)) or bool(re.search(r"[代替托].*(?:时提供|时需要|的，带)", note)))


# When a material is needed, as its note says: only in some cases (损坏换领时交回, 因残疾申请的提供, 按实际情况提供),
# never by the resident (本人不能自带, 由单位提供), or, said of the window itself, always (到窗口办理的带原件).
_SOME_CASES = re.compile(r"(?:的|时|后)(?:才|再)?(?:要)?(?:提供|带上?|需要|交回|出示|提交)|只在|只有.{0,10}才|不是必须"
                         r"|按实际情况|视情况|如有|有的话|没有的?不用|的不用|不用带|可不带|不必")
_AT_THE_WINDOW = re.compile(r"窗口|自助终端|到中心|来中心|^(?:申领|申请|报名|咨询|注册|参加报名|办理)时")
_WHEN = re.compile(r"(?:的|时)(?:带|提供)")
_NOT_BROUGHT = re.compile(r"不能自带|由(?:单位|原单位|档案保管机构)[^；。]{0,10}提供")


def needed(material) -> str:
    """"always", "some cases" or "never" (the resident does not bring it): read from the material's note. An
    identity document is always brought; a note that sets out several cases (本市户籍的带…；来沪人员另带…) says
    which form it takes, not whether."""
    note = material.note or ""
    if _NOT_BROUGHT.search(note):
        return "never"
    if "身份证" in material.name and not for_proxy(material):
        return "always"
    if "只在" in note and for_proxy(material):
        return "some cases"  # 只在委托他人到区档案馆代查时需要: not at this window
    # 居住在境外的，提供…生存证明: after a comma too, when what it provides is this material (not 非产权人申请的，
    # 提供产权人同意的书面意见, something more)
    some = _SOME_CASES.search(note) or ("或" not in material.name  # 残疾人证或…诊断证明: which of the two
                                        and re.search(rf"的，提供[^；。]*{re.escape(material.name[-4:])}", note))
    if not some or _AT_THE_WINDOW.search(note) or len(_WHEN.findall(note)) >= 2:
        return "always"
    return "some cases"


def _one_item(name: str) -> str:
    """A material's name said as one thing: a 、 inside it (新的银行卡、存折或社会保障卡) would be heard as another
    item after 要带两样东西, so it is said as 或 (or 和 when the name has no 或)."""
    name = for_ear(name)
    return name.replace("、", "或" if "或" in name else "和")


def _materials(guide: Guide) -> str:
    """What to bring, counted and named while they fit; forms filled in on the spot are not things to
    bring (要带三样东西 for a card, a certificate and a form the window hands out misleads). What only some
    residents bring (损坏的旧卡, 因残疾申请的残疾人证) is said after, as 有的还要带, and what only someone
    coming for the resident brings after that (a resident who comes himself needs no 委托书)."""
    brought = [m for m in guide.materials if m.form != ON_SITE and needed(m) != "never"]
    own = [m for m in brought if not for_proxy(m) and needed(m) == "always"]
    if not own:  # nothing everyone brings: all of them, as they are
        own = [m for m in brought if not for_proxy(m)] or brought
    names = [_one_item(m.name) for m in own]
    cases = [_one_item(m.name) for m in brought if m not in own and not for_proxy(m)]
    proxy = [_one_item(m.name) for m in brought if m not in own and for_proxy(m) and "只在" not in (m.note or "")]
    on_site = "；表格到现场填写" if any(m.form == ON_SITE for m in guide.materials) else ""
    if not names:
        return "不用带材料" + on_site
    some = f"；有的还要带{_listed(cases, PROXY_SYLLABLES)}" if cases else ""
    others = f"；代办的另带{_listed(proxy, PROXY_SYLLABLES)}" if proxy else ""
    # two are both said, however long (副食品补贴 had said 两样 and named one)
    listed = "、".join(names) if len(names) <= 2 else _listed(names, MATERIALS_SYLLABLES)
    if others and count_syllables(listed + some) > MATERIALS_SYLLABLES + 6:
        others = ""  # a long list already: who comes instead is on the screen (and asked: 可以叫儿子来办伐)
    said = f"要带{_count_word(len(names))}样东西：{listed}{some}{others}"
    if count_syllables(said + on_site) > MATERIALS_SYLLABLES + PROXY_SYLLABLES:
        on_site = ""  # a long list: that the form is filled in at the window is on the screen
    return said + on_site


#: A step's first clause that only sets the scene (发现卡丢了, 带齐材料, 在失业登记到期前): the action follows.
_SCENE = re.compile(r"(?:前|后|时|内|期间|时段|时候|以后|之后)$|带齐材料$|^发现")


def _step(step: str) -> str:
    """One step, short: its first clause, or, when that only sets the scene (发现卡丢了，马上拨打962222挂失), the
    clause with the action too."""
    said, cut = fit(step, FACT_SYLLABLES, whole_label=False)
    label = _CLAUSE.findall(for_ear(step))[:1] in ([said + "："], [said + ":"])  # 网上办：, a way to do it
    nowhere = not re.search(r"[到：:]", said)  # 带好身份证、户口簿和住所证明 says what, not where
    short = count_syllables(said) <= SHORT_CONDITION and nowhere
    if cut and not label and (short or _SCENE.search(said) or (nowhere and re.match(r"(?:本人)?带", said))):
        longer = fit(step, FACT_SYLLABLES + 3 * OVERRUN, whole_label=False)[0]
        if len(_CLAUSE.findall(longer)) > len(_CLAUSE.findall(said)):
            return longer
    return said


def _steps(guide: Guide) -> str:
    # steps that are ways to do it (网上办：…；窗口办：…) are said by their labels, so all the ways are heard
    steps = [_step(s) for s in guide.steps]
    if len(steps) <= 1:
        return f"办理流程：{steps[0]}" if steps else f"办理流程{MORE_ON_SCREEN}"
    text = f"分{_count_word(len(steps))}步：第一步，{steps[0]}"
    used = count_syllables(steps[0])
    for i, step in enumerate(steps[1:], 2):
        used += count_syllables(step)
        if used > FACT_SYLLABLES + 4:
            break
        text += f"；第{cardinal(i)}步，{step}"
    return text


_AMOUNT_LINE = re.compile(r"\d+(?:\.\d+)?元")
_AMOUNT_WORD = re.compile(r"金额|标准[由按]|按.{1,20}(?:计算|核定)")


#: A condition on who applies or claims (申请人是去世者的配偶、子女…), said first when the question asks who.
_CLAIMANT = re.compile(r"申请人(?:是|为|应当是|须是)|直系亲属|继承人|由.{0,12}(?:申领|申请)")


def _items(guide: Guide, section: str, amount: bool = False, who: bool = False) -> str:
    """``amount``: the question asked how much (失业金能领多少): benefits are read from the first line with an
    amount in yuan, not from one on how long they are paid."""
    items = list(getattr(guide, section))
    if section == "benefits" and amount:
        # the line with an amount in yuan; with none, the line on how the amount is set (金额按…标准核定)
        first_amount = next((i for i, line in enumerate(items) if _AMOUNT_LINE.search(line)),
                            next((i for i, line in enumerate(items) if _AMOUNT_WORD.search(line)), 0))
        items = items[first_amount:] + items[:first_amount]
    if not items:
        return "这里没有写待遇标准，可以问窗口" if section == "benefits" else f"{SECTION_NAMES[section]}{MORE_ON_SCREEN}"
    first, _ = fit(items[0], FACT_SYLLABLES)
    if section == "conditions":
        if len(items) == 1:
            return f"条件是：{first}"
        claimant = next((line for line in items if _CLAIMANT.search(line)), None) if who else None
        if claimant is not None and claimant != items[0]:
            # 谁可以去领 of 丧葬补助金: the condition on who claims, not the first one (about the deceased)
            return f"条件有{_count_word(len(items))}条，其中：{fit(claimant, FACT_SYLLABLES + 8)[0]}"
        said = f"条件有{_count_word(len(items))}条，第一条，{first}"
        if count_syllables(first) <= SHORT_CONDITION:
            # 具有本市户籍 alone says little of who may apply: the second condition too (属于低保…救助对象)
            said += f"；第二条，{fit(items[1], FACT_SYLLABLES)[0]}"
        return said
    if section == "basis":
        return f"依据是{first}" + ("等" if len(items) > 1 else "")
    # benefits: the amounts, whole lines while they fit (65至69周岁，每人每月75元；70至79周岁，…); asked how much,
    # the clause with the amount (2026年7月1日起 alone says nothing)
    said, cut = fit(items[0], FACT_SYLLABLES + 10, r"\d元" if amount else "")
    for item in items[1:]:
        line, line_cut = fit(item, FACT_SYLLABLES + 10)
        if cut or line_cut or count_syllables(f"{said}；{line}") > FACT_SYLLABLES + 16:
            return f"{said}，其余的{MORE_ON_SCREEN}"
        said += f"；{line}"
    return said + (f"，其余的{MORE_ON_SCREEN}" if cut else "")


# What the answer to a one-line section must contain: a duration, an amount, a phone number.
# (缴纳 counts: 参加时按当期标准缴纳互助金 is what is paid, not 申请给付不收费.)
_ESSENTIAL = {"time_limit": r"\d|当场|即时|当天|立即|马上|日|天|月", "fees": r"\d|元|免费|不收|收取|缴纳|交纳|承担|自付",
              "contact": r"\d", "hours": r"\d|全天"}


def _one_line(guide: Guide, section: str, kb: KnowledgeBase) -> str:
    # hours: weekdays and Saturday, 25 syllables; fees: what is free and what may cost (卡片有效期满…的不收费；因个人原因遗失…)
    budget = FACT_SYLLABLES + {"hours": 12, "fees": 34}.get(section, 8)
    line = guide.section_lines(section, kb.centre)[0]
    if section == "fees":  # 不收费（医保费按年龄段标准另行缴纳）: the bracket is what the resident pays, said too
        line = re.sub(r"（([^）]{4,})）", lambda m: "".join(
            f"，{part}" for part in m.group(1).split("，") if "不收费" not in part), line)
    value, _ = fit(line, budget, _ESSENTIAL.get(section, ""))
    if section == "hours" and guide.scope == "其他机构" and guide.hours == CENTRE_DEFAULT:
        return f"本中心窗口的办公时间是{value}"  # the centre's hours, not the reading room's or the screening's
    if section == "fees" and "费" in value:
        return value
    return f"{SECTION_LEAD[section]}：{value}" if section in ("time_limit", "fees", "contact") else value


_SAYS_WHERE = re.compile(r"^[在到去]|(?<!所)[在到]|[：:]|电话|拨打")


_ONLINE = re.compile(r"在?(?:随申办|“?一网通办|网上|手机|国家医保服务平台|“移民局”)")
_AT_A_WINDOW = ("全市通办", "本区通办", "户籍地", "居住地")


def _location(guide: Guide, kb: KnowledgeBase) -> str:
    if guide.location == CENTRE_DEFAULT:
        place = "就在" + fit(kb.centre.address, FACT_SYLLABLES)[0]
    else:
        place = fit(guide.location, FACT_SYLLABLES + 4)[0]
        # 在 goes before a bare place (户籍所在街道…), not before a clause that says its own where or how
        # (查询在本中心…, 咨询：本中心…, 电话12345, 网上可以在随申办…)
        first = re.split(r"[；;，,]", place, maxsplit=1)[0]
        place = place if _SAYS_WHERE.search(first) else "在" + place
    scope = SCOPE_SPEECH.get(guide.scope, "")
    if guide.scope == "线上自助" and guide.location == CENTRE_DEFAULT:
        # 中心在哪里 asked of the centre's own guide: "网上就能办" would contradict the place that follows
        scope = ""
    if scope and guide.scope in _AT_A_WINDOW and _ONLINE.match(place):
        # 在随申办网上办理 first: which centre is for the window, not for the app (要到居住地办，在随申办… had said both)
        return place if re.search(r"中心|窗口|街道", place) else f"{place}；到窗口办的话，{scope}"
    return f"{scope}，{place}" if scope else place


def section_fact(guide: Guide, section: str, kb: KnowledgeBase, amount: bool = False, who: bool = False) -> str:
    """The asked fact of one section, short, without the guide's name or the closing words (``amount``: see
    :func:`_items`)."""
    if section == "materials":
        return _materials(guide)
    if section == "steps":
        return _steps(guide)
    if section in ("conditions", "benefits", "basis"):
        return _items(guide, section, amount, who)
    if section == "location":
        return _location(guide, kb)
    return _one_line(guide, section, kb)


@dataclass(frozen=True)
class _Asked:
    """A question residents ask of any guide that the schema has no section for, and where a guide says it."""

    asks: Callable[[str], bool]  # does a question (clean text) ask it (kiosk.matching.sections)
    says: re.Pattern  # does a line of the guide say it
    fields: tuple[tuple[str, str | None], ...]  # guide fields to look in, in order, with the tab they are on
    unknown: str  # said when the guide does not say it, before the telephone
    brings: re.Pattern | None = None  # materials that imply it: 代办人的身份证 says someone may come instead
    not_it: re.Pattern | None = None  # lines that say the words but not the thing
    narrow: Mapping[str, re.Pattern] = field(default_factory=dict)  # fields where only this says it
    first: re.Pattern | None = None  # of the clauses that say it, the one to begin with when there is one


ASKED = {
    # 要本人来吗? 可以叫儿子来办伐?
    "proxy": _Asked(asks_who_comes,
                    re.compile(r"代办|代理人|代领|代查|代为|代签|委托|受托|帮办|亲自"
                               r"|本人(?:办理|到场|来|去|申请|前往|查询|完成|刷脸|签名|签字|签署|带|到)"
                               r"|限本人|须本人|由本人|只能本人|必须本人|由[^，。；]{1,12}本人|家属.{0,6}办"
                               r"|由(?:家属|亲属|子女)|(?:家属|亲属|子女)(?:带|可以|来)"),
                    # the steps last: 本人带身份证到中心 says who comes only where nothing else does
                    (("conditions", "conditions"), ("notes", None), ("steps", "steps")),
                    "指南里没有写能不能请别人代办，请先问清楚。",
                    brings=re.compile(r"代办|代理|委托|受托"),
                    not_it=re.compile(r"广告|诉讼"),  # 不要相信收费代办的广告, 不代理诉讼
                    # a step says who comes by the resident (本人带身份证到…) or by who may come instead, not by
                    # 委托设计单位 or 帮办
                    narrow={"steps": re.compile(r"本人|代办人|代为|由(?:家属|亲属|子女)"
                                                r"|(?:委托|请)[^，。；]{0,4}(?:他人|家属|亲属|子女|居委)")},
                    # 本人到中心申请；本人申请有困难的，可以委托他人代为提出: begin where someone else may come, but
                    # not where an employer or an agency files for the resident (在职职工也可以由原单位代为申报)
                    first=re.compile(r"(?<![不能得可])(?<!单位)(?<!机构)(?:代办|代为|代签|委托|受托)")),
    # 网上能办吗? 手机上能查伐?
    "online": _Asked(asks_online,
                     re.compile(r"随申办|一网通办|网上|手机(?!号)|线上|小程序|app|APP|自助终端|自助机|微信|支付宝|电脑"),
                     (("steps", "steps"), ("location", "location"), ("notes", None), ("summary", None)),
                     "指南里没有写能不能在网上或手机上办，请先问清楚。"),
}


def _lines(guide: Guide, field: str) -> tuple[str, ...]:
    value = getattr(guide, field)
    if field == "summary":
        return tuple(c for c in re.split(r"(?<=[。；])", value) if c)
    return (value,) if isinstance(value, str) else tuple(value)


def asked_fact(guide: Guide, kb: KnowledgeBase, kind: str) -> tuple[str, str | None]:
    """What the guide says about a question of this kind (ASKED), and the tab it is on (None: the summary
    page, where notes and questions are). In order: a question and answer about it, the kind's fields, what
    materials imply; else that the guide does not say, with the telephone to ask. Never a guess."""
    asked = ASKED[kind]
    for f in guide.faq:
        if asked.asks(clean(f.q)):
            return f.a, None
    for name, section in asked.fields:
        narrow = asked.narrow.get(name)
        for line in _lines(guide, name):
            if asked.says.search(line) and not (asked.not_it and asked.not_it.search(line)) and (
                    narrow is None or narrow.search(line)):
                return line, section
    brought = [m.name for m in guide.materials if asked.brings and asked.brings.search(m.name)]
    if brought:
        return f"可以请人代办，代办的要带{'、'.join(brought)}", "materials"
    return asked.unknown + section_fact(guide, "contact", kb), "contact"


def _from_clause(clauses: list[str], at: int) -> int:
    """Where to begin saying the clause at ``at``: with the condition before it (行动不便的，可以由家属代办)."""
    return at - 1 if at and clauses[at - 1].rstrip("，,").endswith("的") else at


def asked_reply(guide: Guide, kb: KnowledgeBase, kind: str) -> Reply:
    """The answer to a question of this kind (要本人来吗, 网上能办吗) about one guide."""
    fact, section = asked_fact(guide, kb, kind)
    name = spoken_name(guide)
    if fact.startswith(ASKED[kind].unknown):  # the guide does not say: that, and the telephone, whole
        return Reply("answer", guide, section, _bounded(f"{name}，{fact}" if name else fact))
    clauses = _CLAUSE.findall(for_ear(fact))
    # from the clause that says it (with the condition before it: 行动不便的，可以由家属代办), so a long
    # line cut to fit keeps what was asked
    says, first = ASKED[kind].says, ASKED[kind].first
    budget = FACT_SYLLABLES + 16
    at = _from_clause(clauses, next((i for i, c in enumerate(clauses) if says.search(c)), 0))
    if first is not None and not first.search(fit("".join(clauses[at:]), budget)[0]):
        # 本人到中心申请；本人申请有困难的，可以委托他人代为提出, too long for both: where someone else may come
        later = next((i for i, c in enumerate(clauses) if i > at and says.search(c) and first.search(c)), None)
        at = at if later is None else _from_clause(clauses, later)
    label = clauses[at] if clauses[at + 1:] and clauses[at].rstrip().endswith(("：", ":")) else ""
    if label:  # 手机查询：在随申办…: the label with as much of what follows it as fits, never the label alone
        body, _ = fit("".join(clauses[at + 1:]), budget - count_syllables(label))
        text = label + body
    else:
        text, _ = fit("".join(clauses[at:]), budget)
    text = re.sub(r"^(?:然后|再|先)(?=本人)", "", text)  # 先办好失业登记，再本人带身份证…: from 本人
    return Reply("answer", guide, section, _bounded(f"{name}，{text}" if name else text))


_DOCUMENT_SUFFIX = re.compile(rf"(?:{DOCUMENT_KINDS})$")
#: How a reply begins when the guide does not say what was asked (who issues a document: see kiosk lint --issuers).
UNSAID = "指南里没有写"
# A line that says who issues a document (由医院出具死亡医学证明; 派出所出具的证明).
_ISSUED = re.compile(r"出具|开具|签发|核发|开出|取得(?!的)")  # 取得火化证明, not 取得的证书


def _names_document(guide: Guide, stem: str, kind: str) -> bool:
    """Whether a name of the guide's own service has the document's words and kind (亲属关系户籍证明 for
    亲属关系证明): the guide issues it."""
    return any(stem in n and kind in n for n in (guide.title, *guide.aliases, guide.spoken_name or ""))


def _document_parts(document: str) -> tuple[str, str, list[str]]:
    """A document's words before its kind (死亡 of 死亡证明), the kind's first two characters (证明), and the
    tails of those words, longest first (母亲去世死亡 … 死亡)."""
    stem = _DOCUMENT_SUFFIX.sub("", document)
    return stem, document[len(stem):][:2], [stem[i:] for i in range(max(len(stem) - 1, 1))]


def document_source(guide: Guide, kb: KnowledgeBase, document: str) -> Reply | None:
    """Where to get a document this guide asks residents to bring (死亡证明在哪里开, asked of 身后一件事):
    the guide's own words on who issues it (the material's name or note, then its steps, notes and answers);
    else the guide here that issues it, with where that is done; else that the guide does not say, with the
    telephone. None when the document is the guide's own service (户籍证明 asked of the guide that issues it:
    where that is done is the answer) or not one of its materials."""
    stem, kind, tails = _document_parts(document)
    if not stem or _names_document(guide, stem, kind):
        return None
    # the material of this kind named by the longest tail of the words before 证明 (母亲去世死亡证明 -> 死亡)
    material = next((m for t in tails for m in guide.materials if t in m.name and kind in m.name), None)
    if material is None:
        return None
    # who issues it: the material's own name or note (单位出具的…证明), else a line of the steps, notes or
    # answers that names it by the longest words it shares with the question (those, or any shorter of three
    # characters at least)
    shared = [t for t in tails if t in material.name]
    keys = shared[:1] + [t for t in shared[1:] if len(t) >= 3]
    said = _issued_by(guide, material, keys)
    # the material by its name, or by the words asked when it lists several (亲属关系证明和死亡证明)
    name = shared[0] + kind if re.search(r"[或和及、]", material.name) else for_ear(material.name)
    if said is not None:
        text, _ = fit(for_ear(said), FACT_SYLLABLES + 16)
        return Reply("answer", guide, "materials", _bounded(text if said == material.name else f"{name}：{text}"))
    issuer = next((g for key in keys for g in kb.guides if g.id != guide.id and _names_document(g, key, kind)), None)
    if issuer is not None:  # 亲属关系证明 asked of a guide that needs it: the guide here that issues it
        where = section_fact(issuer, "location", kb)
        via = "" if name in issuer.short_name or issuer.short_name in name else f"，要办{issuer.short_name}"
        return Reply("answer", issuer, "location", _bounded(f"{name}{via}：{where}"))
    # another guide that asks for the same document and says who issues it (火化证明: 身后一件事's steps)
    elsewhere = next((line for g in kb.guides if g.id != guide.id for m in g.materials
                      if material.name in m.name or m.name in material.name
                      for line in [_issued_by(g, m, keys, strict=True)] if line is not None), None)
    if elsewhere is not None:
        text, _ = fit(for_ear(elsewhere), FACT_SYLLABLES + 16)
        return Reply("answer", guide, "materials", _bounded(f"{name}：{text}"))
    # the guide does not say; what it does say of the material (结婚证、离婚证或法院判决书, for 婚姻状况证明) first
    contact = section_fact(guide, "contact", kb)
    unsaid = f"{UNSAID}{name}在哪里开，请先问清楚。"
    tail = f"{UNSAID}在哪里开，请先问清楚。"
    room = MAX_SYLLABLES - count_syllables(f"{name}：。{tail}{contact}") - 1  # the telephone is never cut
    note = fit(for_ear(material.note), min(FACT_SYLLABLES + 16, room))[0].rstrip("。；，") if material.note else ""
    if note and count_syllables(note) <= room:  # fit keeps a first clause whole, however long
        unsaid = f"{name}：{note}。{tail}"
    return Reply("answer", guide, "materials", _bounded(unsaid + contact))


def document_anywhere(kb: KnowledgeBase, document: str) -> Reply | None:
    """Where to get a document asked about with no guide in view (诊断证明去哪开, which the guides only ask
    for): what the first guide that asks for it says issues it (:func:`_issued_by`, strict). None when a guide
    here issues it itself (户籍证明: that guide is the answer), or no guide says."""
    stem, kind, tails = _document_parts(document)
    if not stem or any(_names_document(g, stem, kind) for g in kb.guides):
        return None
    for t in tails:
        keys = [t] + [u for u in tails if len(u) >= 3 and u != t]
        for guide in kb.guides:
            for m in guide.materials:
                if t in m.name and kind in m.name:
                    said = _issued_by(guide, m, keys, strict=True)
                    if said is not None:
                        text, _ = fit(for_ear(said), FACT_SYLLABLES + 16)
                        return Reply("none", None, "materials", _bounded(f"{t}{kind}：{text}"), elsewhere=True)
    return None


def _issued_by(guide: Guide, material, keys: Sequence[str], strict: bool = False) -> str | None:
    """What a guide says issues one of its materials: the material's name or note (单位出具的…证明), else a line
    of its steps, notes or answers naming it (by one of keys) with 出具/开具/签发/核发/取得. ``strict``: only a
    text where the verb and the document stand together in one clause, with no other document listed between
    them (取得火化证明, 由医院出具死亡医学证明; not 流产的改交医疗机构出具的诊断证明 for 出生医学证明): for a
    document another guide asks for, whose name and note speak of that guide's own case."""
    lines = [*guide.steps, *guide.notes, *(f.a for f in guide.faq)]
    if strict:
        own = next((t for t in (material.name, material.note or "") if _says_issuer(t, keys, own=True)), None)
        return own or next((t for t in lines if _says_issuer(t, keys)), None)
    own = next((t for t in (material.name, material.note or "") if _ISSUED.search(t)), None)
    return own or next((line for key in keys for line in lines if key in line and _ISSUED.search(line)), None)


def _says_issuer(text: str, keys: Sequence[str], own: bool = False) -> bool:
    """Whether a clause of text has an issuing verb and the document (by one of keys) with no other document
    listed between them; ``own``: the text is the material's own name or note, where a clause with the verb
    and no document at all (由看病的医院出具) is about the material itself."""
    for clause in re.split(r"[，。；,;]", text):
        if own and _ISSUED.search(clause) and not re.search(DOCUMENT_KINDS, clause):
            return True
        for key in keys:
            at = clause.find(key)
            if at < 0:
                continue
            for verb in _ISSUED.finditer(clause):
                gap = clause[verb.end():at] if verb.end() <= at else clause[at + len(key):verb.start()]
                if not re.search(r"[或和及、]", gap):
                    return True
    return False


def _bounded(text: str, closing: str = "") -> str:
    """A reply, ending with closing words if any, never longer than MAX_SYLLABLES."""
    budget = MAX_SYLLABLES - count_syllables(closing)
    if count_syllables(text) > budget:
        text, _ = fit(text, budget)
    return text.rstrip("。；，") + "。" + closing


_AGE_RANGE = re.compile(r"(\d{1,3})(?:周岁|岁)?(?:至|到|-|～|~)(\d{1,3})周?岁|(\d{1,3})周?岁(?:及以上|以上)")


def benefit_for_age(guide: Guide, age: int) -> str | None:
    """The benefit line whose age range holds age (80 → 80至89周岁，每人每月180元), if the guide's benefits
    are set out by age."""
    for line in guide.benefits:
        m = _AGE_RANGE.search(line)
        if m is None:
            continue
        low, high = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(3)), 200)
        if low <= age <= high:
            return line
    return None


def section_speech(guide: Guide, section: str, kb: KnowledgeBase, age: int | None = None,
                   amount: bool = False, who: bool = False, named: bool = False) -> str:
    """One section read aloud: the short name if it is short, then the asked fact; no closing words,
    the resident heard them with the first answer about the guide. ``age``: the age the question gave
    (她八十岁了，钱有多少): the benefit for that age, not the first tier; ``amount``: it asked how much.
    ``named``: the short name is said however long (a new question answered with this part: the resident
    hears which service the fact is about, as with a first answer)."""
    name = guide.short_name if named else spoken_name(guide)
    tier = benefit_for_age(guide, age) if section == "benefits" and age is not None else None
    fact = fit(tier, FACT_SYLLABLES + 10)[0].rstrip("。") if tier else section_fact(guide, section, kb, amount, who)
    if section == "fees" and fact.startswith(("不收费", "免费")) and (not name or count_syllables(name) > NAME_SYLLABLES):
        # 不收费 alone, or after a long name (残疾人交通补贴，不收费), after 残疾人坐公交车免费吗 sounds like the ride
        # is free: say what costs nothing, 办理 and its name (said whole when named, as a new question's answer
        # is; else when not too long: 老年人坐公交免费吗 lands on 退役军人优待证 and the resident hears which).
        # A short name stays before the fee: 低保不收费.
        what = name or (guide.short_name if count_syllables(guide.short_name) <= 2 * NAME_SYLLABLES else "这项业务")
        fact, name = f"办理{what}{fact}", ""
    # 社保卡补领换领，卡片有效期满…: a long name said before a fee is set off, or it runs into the fee's subject
    comma = name and (section in ("location", "hours", "benefits") or
                      (section == "fees" and count_syllables(name) > NAME_SYLLABLES))
    if name and not comma and fact.startswith(name[-2:]):  # 公证咨询 + 咨询不收费: 公证咨询不收费
        fact = fact[2:]
    return _bounded(f"{name}{'，' if comma else ''}{fact}")


#: A clause that leans on the one before it (也可以到窗口办理, 都可以到中心办理): said alone, it is half a thought.
_LEANS = re.compile(r"(?:也|都|还|并|而且)")


def _who_offer(clauses: list[str], budget: int) -> str:
    """The summary's first offer said with whom it is for, when that is short: 年满65周岁的本市户籍老人，
    可以申领敬老卡. The offer alone (可以申领敬老卡) only repeats the guide's name; who may use it is what a
    resident asks first."""
    for i, c in enumerate(clauses):
        if "可以" not in c or _LEANS.match(c):
            continue
        start = i
        while start > 0 and not clauses[start - 1].rstrip().endswith(("。", "；", ";")):
            start -= 1
        if not c.startswith("可以") or start == i:
            return ""  # the offer names its subject itself (持证的可以…), or nothing comes before it
        whole = "".join(clauses[start:i + 1]).rstrip("，；。")
        return whole if count_syllables(whole) <= budget else ""
    return ""


def summary_speech(guide: Guide) -> str:
    """The first answer about a guide: its short name, then the guide's spoken_summary when staff wrote one,
    else who may use it for what when that is short (the clauses up to the first 可以), else what the guide
    offers when that is short and says more than the name; the screen shows the whole summary."""
    name = guide.short_name  # whole, however long: the first answer confirms which service this is
    if guide.spoken_summary:  # written for the ear by staff
        return _bounded(f"{name}。{for_ear(guide.spoken_summary).rstrip('。')}", CLOSING)
    clauses = _CLAUSE.findall(for_ear(guide.summary))
    budget = WHO_OFFER_SYLLABLES - count_syllables(name)
    first = re.split(r"[。！？]", for_ear(guide.summary))[0]
    offer = _who_offer(clauses, budget) or next(
        (c.rstrip("，；。") for c in clauses
         if "可以" in c and count_syllables(c) <= FACT_SYLLABLES + 2 and not _LEANS.match(c)
         and not _repeats_name(c, guide)), "") or (
        first if count_syllables(first) <= budget else "")  # 从来没办过上海社保卡的人，第一次申领社保卡看这里
    return _bounded(f"{name}。{offer}" if offer else f"找到了{name}", CLOSING)


# What an offer says besides its object: 可以申请 / 可以到中心办理.
_OFFER_WORDS = re.compile(r"可以|申请|申领|办理|查询|办|来中心|到中心|认定为|认定|的|。|，|；")


def _repeats_name(clause: str, guide: Guide) -> bool:
    """Whether an offer says nothing but the service's own name (医疗救助申请: 可以申请医疗救助)."""
    rest = _OFFER_WORDS.sub("", clause)
    names = guide.short_name + guide.title
    return len(rest) < 2 or all(rest[i:i + 2] in names for i in range(len(rest) - 1))


# -- a follow-up's words found in the guide on screen ------------------------------------------------
#: Characters that say nothing of what a follow-up is about (要去医院伐: 医院 says it, 要去 does not).
PLAIN_CHARS = set("要的了吗呢吧伐是有没在去到办弄做好可以能会我你他她它们这那个些一还也都就先再和或跟给让把被得着过")
# Per knowledge base (by id, holding it so that the id cannot be reused while cached): each 2-gram's number
# of guide lines, and the number of lines.
_line_df: dict[int, tuple[KnowledgeBase, dict[str, int], int]] = {}


def _guide_lines(guide: Guide) -> list[tuple[str | None, str]]:
    """The guide's own lines, each with the section it is shown under (None: the first screen)."""
    out: list[tuple[str | None, str]] = [(None, c) for c in re.split(r"[。；;]", guide.summary) if c]
    out += [(sec, line) for sec in ("conditions", "benefits", "steps") for line in getattr(guide, sec)]
    out += [("materials", f"{m.name}：{m.note}" if m.note else m.name) for m in guide.materials]
    out += [(sec, getattr(guide, sec)) for sec in ("time_limit", "fees") if getattr(guide, sec)]
    out += [(None, n) for n in guide.notes] + [(None, f.a) for f in guide.faq]
    return out


def _grams(text: str) -> set[str]:
    """The character 2-grams of a text that are not made of plain characters only."""
    return {text[i:i + 2] for i in range(len(text) - 1) if not set(text[i:i + 2]) <= PLAIN_CHARS}


def _document_frequency(kb: KnowledgeBase) -> tuple[dict[str, int], int]:
    cached = _line_df.get(id(kb))
    if cached is None:
        df: dict[str, int] = {}
        n = 0
        for g in kb.guides:
            for _, line in _guide_lines(g):
                n += 1
                for gram in _grams(line):
                    df[gram] = df.get(gram, 0) + 1
        cached = _line_df[id(kb)] = (kb, df, n)
        if len(_line_df) > 4:  # knowledge bases reloaded: keep the newest few
            del _line_df[next(iter(_line_df))]
    return cached[1], cached[2]


def find_in_guide(guide: Guide, kb: KnowledgeBase, words: str) -> tuple[str | None, str] | None:
    """The guide's own line a short follow-up's words point at (要去医院伐 of 残疾人证新办: the line on the
    hospital; 要照片伐: the photo among its materials), with the section it is shown under; None when no line
    shares a word of two characters with them. Of several, the one sharing the rarest words (over all guides)."""
    grams = _grams(words)
    if not grams:
        return None
    df, n = _document_frequency(kb)
    best, best_score = None, 0.0
    for section, line in _guide_lines(guide):
        score = sum(math.log(1 + n / (1 + df.get(g, 0))) for g in grams if g in line)
        if score > best_score:
            best, best_score = (section, line), score
    return best


#: 还有呢 with nothing more to tell of the part on screen: what else can be asked.
MORE_PROMPT = "还可以问：要带什么、怎么办、在哪里办、要多久、要不要钱。详细内容都在屏幕上。"
_MORE_ITEM = {"conditions": "第{n}条，", "steps": "第{n}步，", "benefits": ""}


def more_of(guide: Guide, section: str | None) -> str:
    """还有呢 after a part was told: the rest of it (条件 from the second on, every material by name), as much as
    fits; MORE_PROMPT when the part has nothing more."""
    if section == "materials":
        brought = [m for m in guide.materials if m.form != ON_SITE and not for_proxy(m)]
        names = [for_ear(m.name) for m in brought]
        if "等" in _listed(names, MATERIALS_SYLLABLES):  # the first answer left some to the screen: all of them
            return _bounded(f"全部{_count_word(len(names))}样是：{_listed(names, MAX_SYLLABLES - 10)}")
        notes = [f"{for_ear(m.name)}，{fit(m.note, FACT_SYLLABLES)[0]}" for m in brought if m.note]
        return _bounded(_listed(notes, MAX_SYLLABLES - 10).replace("、", "；")) if notes else MORE_PROMPT
    items = getattr(guide, section) if section in _MORE_ITEM else ()
    if len(items) < 2:
        return MORE_PROMPT
    said = ""
    for n, item in enumerate(items[1:], 2):
        line = _MORE_ITEM[section].format(n=cardinal(n)) + fit(item, FACT_SYLLABLES + 4)[0]
        if said and count_syllables(f"{said}；{line}") > MAX_SYLLABLES - 8:
            return f"{said}，其余的{MORE_ON_SCREEN}。"
        said = f"{said}；{line}" if said else line
    return said + "。"


def line_reply(guide: Guide, section: str | None, line: str, words: str = "") -> Reply:
    """One line of a guide said as the answer to a follow-up that pointed at it (see :func:`find_in_guide`;
    ``words``: the follow-up's, so that the clause with them is the one said), shown under its section."""
    name = spoken_name(guide)
    shared = "|".join(re.escape(g) for g in sorted(_grams(words)) if g in line)
    said = fit(line, FACT_SYLLABLES + 10, shared)[0]
    return Reply("answer", guide, section, _bounded(f"{name}，{said}" if name else said))


#: A line that sends the resident elsewhere for something (银行卡密码要到发卡银行去办, 不在本中心办理).
_ELSEWHERE = re.compile(r"不在本?中心|要到|请到|需到|去.{1,8}办|由.{1,10}(?:办理|负责|出具)")


def foreign_line(guide: Guide, name: str, norm: str) -> str:
    """What the guide says, short, of a thing another office owns that the question names (工商银行卡密码忘了,
    answered with 社保卡密码重置: 银行卡密码要到发卡银行去办), when one of its lines sends the resident elsewhere
    for it; "" otherwise. Of several, the line sharing most with the question."""
    if not name:
        return ""
    pieces = {name[i:i + 2] for i in range(len(name) - 1)}
    lines = [c for text in (guide.summary, *guide.notes, *(f.a for f in guide.faq))
             for c in re.split(r"[。；;！!]", for_ear(text)) if c]
    said = [c for c in lines if _ELSEWHERE.search(c) and any(p in c for p in pieces)]
    if not said:
        return ""
    shared = lambda c: sum(norm[i:i + 2] in c for i in range(len(norm) - 1))
    best = max(said, key=lambda c: (shared(c), -len(c)))
    return fit(best, FACT_SYLLABLES + 8)[0]


def compose(match: Match, kb: KnowledgeBase, section: str | None = None) -> Reply:
    """The reply for a match; section overrides the one detected in the question."""
    section = section or match.section
    if match.status == ANSWER and match.best:
        guide = kb.get(match.best.id)
        if guide is not None:
            line = foreign_line(guide, match.foreign, match.normalized) if section is None else ""
            if line:
                return Reply("answer", guide, None, _bounded(f"{guide.short_name}。{line}", CLOSING))
            return answer_asked(guide, kb, match.normalized, section, named=True)
    document = asked_document(match.normalized) if match.status != ANSWER and not match.referral else None
    sourced = document_anywhere(kb, document) if document else None
    if sourced is not None:  # 诊断证明去哪开: who issues it, not a list of services that issue other papers
        return sourced
    if match.status == CLARIFY:
        choices = tuple(g for g in (kb.get(c.id) for c in match.candidates[:3]) if g is not None)
        if len(choices) >= 2:
            return clarify(choices, section, doubtful=getattr(match, "doubtful", False))
    if match.referral:
        # an office named by nothing the resident said (加油卡充值 landing on 公共交通卡) is a guess: said as one
        guess = "" if match.topic_named or not match.elsewhere else f"如果您问的是{match.topic}："
        said = referral_speech(match.referral, match.normalized)
        shown = guess + match.referral if said != match.referral else ""
        return Reply("none", None, section, guess + said, elsewhere=match.elsewhere, shown=shown)
    if section in CENTRE_ANSWERS and not match.candidates:
        # 礼拜六开门伐 / 你们在哪里: with no service named, the resident means this centre itself.
        c = kb.centre
        fact = CENTRE_ANSWERS[section].format(hours=c.hours, address=c.address, phone=c.phone, name=c.name)
        return Reply("none", None, section, fact + "要办哪一项业务，可以接着问。")
    if section and not match.candidates:
        return Reply("none", None, section, ASK_WHICH)
    return Reply("none", None, section, NOT_FOUND)


def referral_speech(referral: str, norm: str) -> str:
    """A referral as said: whole when it is short; else the one of its parts (split at 。 and ；) that shares
    the most of the question's words (研究生落户 → the graduates' part of the hukou referral, not the police's),
    the first when none does, and the rest left to the screen. A 40-second referral had been read whole."""
    if count_syllables(referral) <= MAX_SYLLABLES:
        return referral
    parts = [p for p in re.split(r"(?<=[。；])", referral) if p.strip("。；")]
    grams = {norm[i:i + 2] for i in range(len(norm) - 1)}

    def shared(part: str) -> int:
        n = normalize(part)
        return sum(n[i:i + 2] in grams for i in range(len(n) - 1))

    best = max(range(len(parts)), key=lambda i: (shared(parts[i]), -i))
    said = fit(parts[best], MAX_SYLLABLES - count_syllables(f"，其余的{MORE_ON_SCREEN}。"))[0]
    return f"{said}，其余的{MORE_ON_SCREEN}。"


_COSTS_NOTHING = re.compile(r"(?:首次申领)?(?:不收费|免费)。?")


def money_section(guide: Guide, section: str | None, paying: bool) -> str | None:
    """The section a question asks of this guide. A money question with no word for paying (独生子女费每个月
    多少钱) about a guide that costs nothing and pays something out asks what the resident receives: the
    benefit, never "不收费". An amount asked of a look-up service (查询) that lists none is answered with
    how to look it up (the summary, None)."""
    if section == "fees" and not paying and guide.benefits and _COSTS_NOTHING.fullmatch(guide.fees.strip()):
        return "benefits"
    if section == "benefits" and not paying and not guide.benefits and "查询" in guide.title:
        # 养老金每个月多少 asked of a look-up service: how to look it up (its summary), not "no amounts here"
        return None
    return section


def answer_guide(guide: Guide, kb: KnowledgeBase, section: str | None = None,
                 also: tuple[str, ...] = (), paying: bool = True, age: int | None = None,
                 amount: bool = False, who: bool = False, named: bool = False) -> Reply:
    """The answer about one guide: its summary, or a section (and the sections shown with it). ``paying``:
    whether the question had a word for paying (see :func:`money_section`); a tapped tab counts as one.
    ``age``: an age the question gave, ``amount``: it asked how much, ``named``: say the service's name
    however long (see :func:`section_speech`)."""
    section = money_section(guide, section, paying)
    if section:
        text = section_speech(guide, section, kb, age, amount, who, named)
        extra = [section_fact(guide, s, kb) for s in also if s in SECTIONS and s != section]
        if extra:
            text = _bounded("。".join([text.rstrip("。"), *extra]))
        return Reply("answer", guide, section, text)
    return Reply("answer", guide, None, summary_speech(guide))


def answer_asked(guide: Guide, kb: KnowledgeBase, norm: str, section: str | None, age: int | None = None,
                 named: bool = False) -> Reply:
    """The answer about one guide to a question (normalised): where to get a document it asks for
    (:func:`document_source`), else the section asked, read with the question's word for paying and its age
    (``age``: the one the conversation gave before, when the question gives none; ``named``: a new
    question, so the service's name is said with the part asked)."""
    document = asked_document(norm)
    sourced = document_source(guide, kb, document) if document else None
    age = asked_age(norm) or age
    if sourced is None and section is None and gives_only_an_age(norm) and benefit_for_age(guide, age):
        section = "benefits"  # 八十岁以后呢, asked of a guide whose benefit is set out by age: that age's
    return sourced or answer_guide(guide, kb, section, paying=states_paying(norm), age=age, amount=asks_amount(norm),
                                   who=asks_who(norm), named=named)


def clarify(choices: tuple[Guide, ...], section: str | None = None, doubtful: bool = False) -> Reply:
    """A choice list; ``doubtful``: the question looks like one no guide here serves, so say so first."""
    ask = "这件事可能不在本中心办理。是不是下面这几项？" if doubtful else "您问的是哪一项？"
    return Reply("clarify", None, section, ask + choice_list(choices), choices, doubtful)


def choice_list(choices: tuple[Guide, ...]) -> str:
    """The choices read aloud, and how to pick: 第一，低保申请；第二，…。请说第几个，都不是就说“都不是”。"""
    names = [g.short_name for g in choices]
    names = [g.title if names.count(n) > 1 else n for g, n in zip(choices, names)]  # 失业登记（…） twice
    listed = "；".join(f"{ORDINALS[i]}，{n}" for i, n in enumerate(names))
    return f"{listed}。请说第几个，都不是就说“都不是”。"


def every_reply(kb: KnowledgeBase) -> Iterator[tuple[str, Reply]]:
    """Every reply the answer layer can build for kb, labelled by section ("summary", "clarify", "none",
    "referral")."""
    for guide in kb.guides:
        yield "summary", answer_guide(guide, kb)
        for section in SECTIONS:
            yield section, answer_guide(guide, kb, section)
    for category in kb.categories:
        guides = kb.by_category(category.id)
        for i in range(0, len(guides) - 1, 3):
            yield "clarify", clarify(guides[i:i + 3])
    for text in (NOT_FOUND, ASK_AGAIN, ASK_WHICH):
        yield "none", Reply("none", None, None, text)
    from .matching import load_topics

    for topic in load_topics():  # every part of a referral that can be said (see referral_speech)
        referral = topic.referral or ""
        parts = [p for p in re.split(r"(?<=[。；])", referral) if p.strip("。；")]
        for part in parts if referral_speech(referral, "") != referral else [referral]:
            said = referral_speech(referral, normalize(part))
            yield "referral", Reply("none", None, None, said, elsewhere=topic.elsewhere)
