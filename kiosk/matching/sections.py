"""Which part of a guide a question asks for (材料, 在哪办, 多久, ...)."""
from __future__ import annotations

import re
from typing import Iterable

# Checked in this order; the first pattern that matches wins. Within a pattern the longer words come first
# (在哪里 before 在哪): stripping the shorter would leave a stray character (里, 个) in the service words.
# Patterns run on normalised text (digits for spoken numbers, Shanghainese folded: 几钿 → 多少钱, 伐 → 吗).
# benefits (what the resident receives) comes before fees (what the resident pays): 每月发多少 is a benefit.
_MONEY = r"(?:多少钱|多少|几个月|几年|几成|多少天)"
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("contact", r"电话|热线|号码是多少|联系方式|打什么号|拨打"),
    ("basis", r"依据|政策文件|哪个文件|什么文件|法规|根据什么|根据哪|哪条规定|什么规定"),
    ("benefits", r"待遇标准|补贴标准|补助标准|发放标准|津贴标准|救助标准|保障标准|标准是多少|什么标准|啥标准"
                 r"|(?:能|可以|一共|总共|每个?月|每年|1个月|1年|一个月|一年)?(?:发|拿|领|补|给|补贴|补助|贴|赔|报销)" + _MONEY
                 + r"|(?:有|能有)多少(?:钱|补贴|补助|津贴|生活费)|多少补贴|按什么算|怎么算"
                 r"|待遇是多少|待遇有多少|发多少|拿多少|领多少|(?:政府)?(?:给不给钱|给钱吗|补不补钱)"
                 r"|(?:钱|补贴|津贴|补助)(?:有|能有|能拿|能领)?多少"
                 r"|(?:有|能有)(?:什么|啥|哪些)好处|好处是什么|有(?:什么|啥)用"),
    ("materials", r"材料|(?:需要|要)?带(?:点|些)?(?:什么|啥|哪些)(?:东西)?|带什么|带啥|带哪些|拿什么|准备(?:些|点)?(?:什么|啥|哪些)|要带|需要带|要拿|哪些证件|什么证件|证件"
                  r"|开什么证明|开什么单子?|要开证明|开证明吗|什么单子|哪些单子"),
    ("fees", r"多少钱|收费|收钱|要钱|花钱吗|付钱|费用是多少|手续费|工本费|免费吗|免费的吗|收不收|贵不贵|要交钱"
             r"|交多少|付多少|付几成|自己付|自己出多少|最少交|最低交|缴多少|缴费标准"),
    ("time_limit", r"(?:拿到手?|办好|办完|批下来|到账)(?:要|需要|得)?(?:多久|多长时间|多少时间|几天|多少天|几个工作日)"
                   r"|(?:多久|多长时间|多少时间|几天|多少天|几个工作日)(?:能|可以|才能|就能)?(?:拿到手?|办好|办完|批下来|到账|下来|出来)?"
                   r"|时限|(?:什么|啥)时候能(?:拿到手?|办好|办完|批下来|到账)?|什么时候到账|多快|批下来|拿到手"
                   r"|当场|加急|急用|能早点拿"
                   r"|(?:当天|当日|今天|马上|立刻|立即)就?(?:能|可以)?(?:拿到手?|拿|取|领到?|办好|办完|出来)"),
    ("hours", r"(?:哪天|哪几天|星期几|礼拜几)(?:来|在|上班|坐班|开门|有人)|几点钟?(?:上班|下班)?|上班时间|上不上班|上班吗|开不开门|办公时间|开门|关门|下班|周末|星期六|星期天|周六|周日|节假日|中午|开吗"),
    # 打到哪张卡 / 发到哪个银行 / 打在哪张卡 / 打到哪儿 ask where the money goes, not where the service is done
    ("location", r"(?:(?<![打发转存汇寄])在|去|(?<![打发转存汇寄])到)(?:哪里|哪儿|哪边|哪个窗口|哪)(?:办理|办)?|哪个窗口|哪里办理|哪里办"
                 r"|(?<![打发转存汇寄][到在])哪儿|地址|地点|什么地方|哪里可以|哪里能"
                 r"|哪里申请|哪里登记|哪里开|哪里查|哪里做|在几楼|几楼|哪一楼|哪层楼?|几层楼?"),
    ("steps", r"流程|步骤|程序|手续怎么|怎么走|办理过程|过程是|怎么操作|先做什么|第一步"),
    ("conditions", r"条件|资格|要求|能不能|能否|可不可以|可以申请吗|能申请吗|能办吗|可以办吗|能领吗|符合|哪些人|什么人|什么样的人|哪种人|哪类人|谁可以|谁能|够不够|多大年纪|几岁"
                   r"|好(?:办|领|申请|参加|拿|读|享受)|(?:可以|能)(?:办|领|申请|参加|拿|享受)(?=[^吗\n]{0,10}吗)|不够"),
)


def _compile(pattern: str) -> re.Pattern:
    """A pattern with an alternative that opens with a group ((?:能|可以)?发多少) is led by a lookahead for the
    characters it is written with: a match starts with one of them, and the regex engine passes over other
    characters far faster than it tries each alternative at each (2-4x on guide texts). Patterns of plain
    words are fast as they are."""
    if not (pattern.startswith("(") or "|(" in pattern):
        return re.compile(pattern)
    return re.compile(f"(?=[{re.escape(''.join(sorted({c for c in pattern if c.isalnum()})))}])(?:{pattern})")


_COMPILED = tuple((name, _compile(p)) for name, p in _PATTERNS)

# Question words that say nothing about the service itself; removed before matching the service.
_DANGLING = re.compile(r"(?<=..)(?:要|的)+$", re.MULTILINE)
_QUESTION_WORDS = re.compile(
    r"什么时候|什么时间|啥时候|需要|怎么样|怎么办理|怎么办|怎么弄|怎么搞|咋办|咋弄|咋整|如何|怎样|怎么|什么|哪些|是什么|是多少|有没有|"
    r"我想|我要|想要|想办|可以|能不能|能否|吗|呢|啊|吧"
)


# Money questions that are lookups, neither fees nor benefits: 账户里还有多少钱 asks for a balance.
_BALANCE = re.compile(r"里的?钱还?有多少|还有多少钱|剩多少钱|剩下多少|余额|花了多少钱|[交缴]了(?:多少钱?|多少年|几年)|已经交了多少")


# A money question about something the resident receives (a subsidy, an allowance, a pension) with no
# word for paying asks for the benefit: 护理补贴每个月多少钱 is 待遇标准, not 收费标准.
_RECEIVED = re.compile(r"补贴|津贴|补助|优待金|抚恤金|救助金|养老金|失业金|保险金|奖励|扶助金|生活费|低保|定补|育儿补"
                       r"|减免|免掉|免多少")
_PAYING = re.compile(r"交(?!通)|缴|付|收费|收钱|手续费|工本费|花钱|花多少|自费|押金|要钱|要不要钱")  # 交通补贴 pays nothing
# How much, when no pattern named the part: of something received it is the benefit (重残护理补贴每月多少).
_AMOUNT = re.compile(r"多少|几块钱|几钿|几百|几千|百分之几")


# Misheard section words (才料 for 材料, 在那里办 for 在哪里办): the plain words of each pattern, compared
# by sound when the characters match nothing. Only words of two or more characters. (Removing such words
# by sound before ranking was measured too: it lowered top-1 on dev and LOO, so only detection uses it.)
_sound_words: tuple[tuple[str, tuple[str, ...]], ...] | None = None
_LITERAL = re.compile(r"[\u4e00-\u9fff]{2,}")


def _literals(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern that are plain words."""
    alts, depth, cur = [], 0, ""
    for ch in pattern:
        if ch == "|" and depth == 0:
            alts.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    alts.append(cur)
    return [alt for alt in alts if _LITERAL.fullmatch(alt)]


def _sounds() -> tuple[tuple[str, tuple[str, ...]], ...]:
    global _sound_words
    if _sound_words is None:
        from .text import code

        table = [(name, tuple(sorted({code(w) for w in _literals(p)}, key=lambda c: (-len(c), c))))
                 for name, p in _PATTERNS]
        _sound_words = tuple(table)
    return _sound_words


_received_sounds: tuple[str, ...] | None = None


def _received_by_sound(text: str) -> bool:
    """Something received (补贴, 津贴, ...) heard, though written with other characters (补帖)."""
    global _received_sounds
    from .text import code

    if _received_sounds is None:
        _received_sounds = tuple(sorted({code(w) for w in _RECEIVED.pattern.split("|")}))
    heard = code(text)
    return any(c in heard for c in _received_sounds)


def states_paying(text: str) -> bool:
    """Whether a normalised question has a word for the resident paying (交, 付, 收费 ...)."""
    return bool(_PAYING.search(text))


def detect_section(text: str, by_sound: bool = True) -> str | None:
    """The section asked for in normalised text, or None for the whole guide."""
    if _BALANCE.search(text):
        text = _BALANCE.sub("", text)
    for name, rx in _COMPILED:
        if rx.search(text):
            if name == "fees" and not _PAYING.search(text) and (
                    _RECEIVED.search(text) or (by_sound and _received_by_sound(text))):
                return "benefits"
            return name
    if _AMOUNT.search(text) and not _BALANCE.search(text):
        if _PAYING.search(text):
            return "fees"
        if _RECEIVED.search(text):
            return "benefits"
    if by_sound and text:
        from .text import code

        heard = code(text)
        for name, sounds in _sounds():
            if any(c in heard for c in sounds):
                return name
    return None


def strip_section_words(text: str) -> str:
    """Remove section triggers and question words, leaving the words that name the service (maybe none).
    No pattern reaches across a newline, so several lines are stripped at once, each as it would be alone."""
    out = _BALANCE.sub(lambda m: m.group(0).replace("多少钱", "钱"), text)
    for _, rx in _COMPILED:
        out = rx.sub("", out)
    # 低保要什么条件 and 低保的条件 leave 低保要 and 低保的: a 要 or 的 left dangling at the end names nothing, and
    # 低保要 had matched 低保要不要重新算 (信息变更) above the 低保 guide itself
    return _DANGLING.sub("", _QUESTION_WORDS.sub("", out))


# Words that, left alone once the section words are gone, still name no service: 电话多少 and
# 你们在哪里 ask for the centre's own phone and address. (Removed from every question they cost
# held-out accuracy: 你们这里几点关门 names the centre, 交了多少 the amount.)
_FILLER = re.compile(r"多少|你们|您们|这里|这边|请问|那个|一下|窗口|中心|办事大厅|大厅|今天|今朝|明天|明朝")


def names_nothing(core: str) -> bool:
    """A question's core (section and question words removed) that names no service."""
    return len(set(_FILLER.sub("", core))) < 2


# 我有套房子租出去了，还能申请吗? asked of 低保 on screen: whether the resident's situation still allows the
# service in view, whatever else the situation names (a let flat is also 住房租赁合同网签备案's subject).
_REFERS_BACK = re.compile(
    r"还(?:能|可以|能不能|可不可以|好)(?:申请|办|领|拿|享受|吃|继续)|(?:会不会|有没有|会)影响(?:申请|领取?|办|享受)?"
    r"|还算不算|还符合|还够(?:条件|格)|算不算(?:困难|条件)")


def refers_back(text: str) -> bool:
    """Whether a question (clean text) asks about the service in view by pointing back at it (还能申请吗,
    会不会影响), not about what it describes."""
    return bool(_REFERS_BACK.search(text))


# 哪能补? 怎么弄? 具体怎么办? asked of the guide on screen: how it is done (its steps). Read on normalised text
# (哪能 is 怎么 there); only the whole question, so 低保怎么办 still names a service.
_HOW_ONLY = re.compile(r"(?:那|那么|具体|到底|要|我|该|应该)*(?:怎么|如何|怎样|咋)"
                       r"(?P<verb>办理?|弄|补办?|换|申请|申领|领|搞|做|操作|登记|挂失|开|查|交|缴|报销?)?(?:呢|啊|呀|的)*")
_ANY_SERVICE = {"", "办", "办理", "弄", "搞", "做", "操作", "申请"}  # how-words that fit whatever is in view
# what a guide's names must say for a particular how-word to be about it (补 is 补领, not 补贴)
_VERB_IN_NAMES = {"补": r"补(?:领|办|发|卡|证)", "补办": r"补(?:领|办|发|卡|证)", "换": r"换(?:领|卡|证|发)|更换",
                  "挂失": "挂失", "领": "领", "申领": "领", "登记": "登记", "开": "开", "查": "查", "交": "交|缴",
                  "缴": "交|缴", "报": "报销", "报销": "报销"}


#: The verbs a follow-up may say alone of a service (补办要钱伐, 换要多久), with the names they fit.
VERBS = frozenset(_VERB_IN_NAMES)


def fits_verb(verb: str, names: str) -> bool:
    """Whether a service's title and aliases (``names``) do what the verb says (补 fits 敬老卡补领)."""
    return bool(re.search(_VERB_IN_NAMES[verb], names))


def how_verb(norm: str) -> str | None:
    """The verb of a question that is nothing but "how" (补 of 怎么补; "" for 怎么办 and its like), else None."""
    m = _HOW_ONLY.fullmatch(norm)
    if m is None:
        return None
    verb = m.group("verb") or ""
    return "" if verb in _ANY_SERVICE else verb


_ACTION_WORDS = re.compile(r"新办|申领|申请|补领|换领|补办|挂失|办理|登记|查询|变更|注销|开具|（[^）]*）|[、/]")


def sibling_for(verb: str, guide_name: str, others: Iterable[tuple[str, str]]) -> str | None:
    """The one other guide (id, its title and aliases) about the same thing as ``guide_name`` whose names have
    ``verb`` (怎么补 asked of 敬老卡申领: 敬老卡补领、换领), if exactly one."""
    thing = _ACTION_WORDS.sub("", guide_name)
    if len(thing) < 2 or not verb:
        return None
    found = [gid for gid, names in others if thing in names and fits_verb(verb, names)]
    return found[0] if len(found) == 1 else None


def asks_how_only(norm: str, names: str | None = None) -> bool:
    """Whether a normalised question is nothing but "how" (怎么补, 具体怎么办): the steps of the guide in view.
    With ``names`` (the guide's title and aliases), a particular verb must be one of them (怎么补 fits 敬老卡补领,
    not 敬老卡申领)."""
    verb = how_verb(norm)
    return verb is not None and (names is None or verb == "" or fits_verb(verb, names))


# 要本人来吗? 可以叫儿子来办伐? 能代办吗? Who must come in person, and whether someone else may: not a part of
# the schema, but the question older residents ask most after what to bring. Read on clean text (no fillers
# removed, no synonyms folded), as said.
_KIN = r"儿子|女儿|子女|小孩|孩子|小囡|家属|家人|家里人|屋里人|老伴|老公|老婆|爱人|亲戚|保姆|邻居|别人|其他人|朋友|孙子|孙女"
_WHO_COMES = re.compile(
    rf"本人(?:来|去|到场|亲自|办|必须|一定)|必须本人|一定要本人|要本人|亲自(?:来|去|到|办)|代办|代理|代领|代签|代为|委托"
    rf"|替(?:我|他|她|老人|阿拉|伊)|帮(?:我|他|她|老人|阿拉|伊)(?:来|去)?办"
    rf"|(?:叫|让|请|喊)(?:{_KIN})(?:来|去|帮|替|代|办)"
    # 女儿能来办吗, but not 给孙子办张社保卡 / 帮我女儿办低保 (done for the relative, not by them)
    rf"|(?<![给为帮替])(?<!给我)(?<!给他)(?<!给她)(?<!帮我)(?<!为我)(?:{_KIN})(?:能|可以|好|能不能)?(?:来|去|帮|替|代|办)"
)
# Said around it: who (我女儿), why (腿脚不好, 来不了) and the question's own words.
_WHO_COMES_REST = re.compile(
    rf"{_WHO_COMES.pattern}|{_KIN}|到场|来不了|去不了|不能来|走不动|腿脚不好|行动不便|不方便|生病|住院|瘫痪|老人|自己"
    rf"|可以|能不能|能否|好不好|行不行|怎么办|怎么|吗|伐|哇|呢|啊|的|我|要|能|来|去|办|了")


# 网上能办吗? 手机上能查伐? 随申办可以申请吗? 要不要跑窗口?
_ONLINE = re.compile(
    r"(?:网上|网上面|线上|手机上?|随申办|一网通办|app|小程序|微信|支付宝|电脑上?|自助机|自助终端)"
    r"(?:上|里|上面)?(?:能不能|可不可以|好不好|能|可以|好|也能|也可以|怎么|哪能|如何)?"
    r"(?:办|查|申请|弄|操作|交|缴|预约|认证|提交|开|打印|领)"
    r"|(?:不用|不要|用不用|要不要|一定要|必须)(?:跑|来|去|到)(?:窗口|中心|现场)|在家(?:里)?(?:能|可以)?(?:办|弄|申请)"
)
_ONLINE_REST = re.compile(
    rf"{_ONLINE.pattern}|网上|手机|自己|在家|可以|能不能|能否|好不好|行不行|怎么|吗|伐|哇|呢|啊|的|我|要|能|办|了|用")


def asks_online(text: str) -> bool:
    """Whether a question (clean text) asks if it can be done online, on a phone or without coming."""
    return bool(_ONLINE.search(text))


def online_rest(text: str) -> str:
    """What an online question says besides asking it (see who_comes_rest)."""
    return _ONLINE_REST.sub("", text)


def asks_who_comes(text: str) -> bool:
    """Whether a question (clean text) asks who must come or whether someone else may do it."""
    return bool(_WHO_COMES.search(text))


def who_comes_rest(text: str) -> str:
    """What a who-comes question says besides asking it: empty for 要本人来伐, 可以叫儿子来办伐; the service
    for 兵役档案查询要本人来吗."""
    return _WHO_COMES_REST.sub("", text)


_AGE = re.compile(r"(?<!\d)(\d{1,3})(?:周岁|岁)|(?:我|今年|已经|都|快|刚|刚刚)(\d{2,3})(?=了|啦|多了|出头)")
# A follow-up that gives nothing but an age (八十岁以后呢, 那九十岁的话): what is left once these are gone.
_AGE_ONLY = re.compile(r"\d{1,3}(?:周岁|岁)?|以后|以上|之后|往上|的话|呢|那|如果|要是|到了|满|了|我|今年|岁数|年纪|多|的")


def asked_age(text: str) -> int | None:
    """The age a normalised question gives (我80岁了: 80; 我95了: 95; 八十岁 is 80岁 after normalisation), if
    one (a number said without 岁 only after 我/今年/已经…, from 40 to 120)."""
    for m in _AGE.finditer(text):
        if m.group(1):
            return int(m.group(1))
        if 40 <= int(m.group(2)) <= 120:
            return int(m.group(2))
    return None


_DURATION = re.compile(r"几个月|多少个月|多久|多长时间|几年|多少年|几天|多少天")


def asks_amount(norm: str) -> bool:
    """Whether a normalised question asks how much money (能领多少, 每月几钿), not for how long (能领几个月) or what
    share (个人付百分之几, 报销几成)."""
    return bool(_AMOUNT.search(_DURATION.sub("", norm))) and not re.search(r"百分之|几成|比例", norm)


_WHO = re.compile(r"谁|什么人|哪些人|什么样的人|哪种人|哪类人|啥人")


def asks_who(norm: str) -> bool:
    """Whether a normalised question asks who may apply or claim (谁可以去领, 哪些人能申请)."""
    return bool(_WHO.search(norm))


def gives_only_an_age(text: str) -> bool:
    """Whether a normalised question says nothing but an age (八十岁以后呢): a follow-up about that age."""
    return asked_age(text) is not None and not _AGE_ONLY.sub("", text)


# 死亡证明在哪里开? 去哪里开亲属关系证明? Where to get a document a guide asks for: not where the guide's own
# service is done. Read on normalised text; the document is the words before the suffix, as few as needed.
#: What a document's name ends with (死亡证明, 学历证书, 体检报告), longest first.
DOCUMENT_KINDS = r"证明书|证明|证书|报告|单子"
_DOCUMENT = rf"[\u4e00-\u9fff]{{1,8}}?(?:{DOCUMENT_KINDS})"
_GET = r"(?:开具|出具|开|领|拿|弄|打印|办)"
_WHERE = r"(?:哪里|哪儿|哪边|哪个地方|什么地方|哪)"
_DOCUMENT_SOURCE = re.compile(
    rf"(?P<doc>{_DOCUMENT})(?:要|得|应该|需要|可以|能)?(?:在|到|去|上)?{_WHERE}{_GET}"
    rf"|(?:在|到|去|上){_WHERE}{_GET}(?P<doc2>{_DOCUMENT})"
    rf"|(?P<doc3>{_DOCUMENT})(?:要|得|应该|需要)?(?:怎么|如何)(?:开具|开|弄)"
)


def asked_document(text: str) -> str | None:
    """The document a normalised question asks where to get (死亡证明在哪里开 -> 死亡证明), if it asks that."""
    m = _DOCUMENT_SOURCE.search(text)
    if m is None:
        return None
    return m.group("doc") or m.group("doc2") or m.group("doc3")

