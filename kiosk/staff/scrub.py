"""Remove personal data from a resident's question before anything is written.

What residents say to a kiosk: "我叫张建国，身份证号310105195003151234，低保怎么办", phone numbers
read out digit by digit (the recogniser writes 幺三八… or 138 1234 5678), bank card numbers when
asking about payments. A question never needs a long number or a name to be understood, so:

* any run of 7 or more digits (ASCII, full-width or spoken Chinese numerals, with spaces or dashes
  between groups) becomes a label saying what it was: ID number, mobile, phone, bank card, number;
* short numbers stay: hotlines (12345, 962222, 12333), years, amounts, ages;
* a name after 我叫 / 名字叫 / 名字是 / 姓名是 / 姓名： becomes [姓名]; after 我是 / 本人 / 我姓 and after a
  relative (我老伴 / 帮我爸爸 / 我妈 ...) only when it looks like a name (a common surname, not a word of
  the services: 我是低保户 and 我爸爸高血压 stay); 我姓王，叫建国 loses both parts;
* a home address (…路…弄…号…室, …小区…号楼…室) becomes [地址], an e-mail address [邮箱].

Numbers are normalised first: groups read out with commas or several spaces between them
(一三八，一二三四，五六七八 or 138  1234  5678) are one number.
"""
from __future__ import annotations

import re

ID_LABEL = "[身份证号]"
MOBILE_LABEL = "[手机号]"
PHONE_LABEL = "[电话]"
CARD_LABEL = "[银行卡号]"
NUMBER_LABEL = "[号码]"
NAME_LABEL = "[姓名]"
ADDRESS_LABEL = "[地址]"
EMAIL_LABEL = "[邮箱]"

#: Shortest digit run treated as personal. Hotlines and service numbers are 5-6 digits.
MIN_PERSONAL_DIGITS = 7

_CN_DIGITS = {"零": "0", "〇": "0", "洞": "0", "幺": "1", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_DIGIT_CHARS = "0-9" + "".join(_CN_DIGITS)
# A run of digits with short separators (spaces, dashes, dots, commas as the recogniser writes pauses) between
# groups; an ID may end in X.
_SEP = r"(?:[ \-–—.·]{0,3}|[ ]?[,，、][ ]?)"
_RUN = re.compile(rf"[{_DIGIT_CHARS}](?:{_SEP}[{_DIGIT_CHARS}])*(?:[ \-]?[xX叉])?")
# Chinese numerals are also ordinary words (一下, 第一, 三楼), but never 7 in a row: runs that long
# are numbers read out. Dates written with separators are kept.
_DATE = re.compile(r"^(?:19|20)\d{2}[\-.](?:0?[1-9]|1[0-2])[\-.](?:0?[1-9]|[12]\d|3[01])$")

_ID18 = re.compile(r"^[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]$")
_MOBILE = re.compile(r"^(?:0?86)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")  # area code 0xx/0xxx + 7-8 digit local number
_SERVICE = re.compile(r"^(?:400|800)\d{7}$")  # company hotlines: not personal

# Common surnames (single and compound); a name is a surname and one or two more characters.
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "公孙", "夏侯", "尉迟",
                      "长孙", "宇文", "端木", "独孤", "南宫", "西门")
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
    "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
    "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
# Words that follow 我是/本人/我姓 in questions and are not names, though they start with a surname
# character (高龄, 单身, 党员, 退休...). Checked as prefixes of what follows.
_NOT_NAMES = (
    "高龄", "高中", "高校", "高考", "单身", "单亲", "单位", "党员", "退休", "退役", "退伍", "失业", "失独", "残疾", "低保",
    "低收入", "外地", "外来", "外籍", "外省", "本地", "本市", "本区", "上海", "长宁", "户籍", "户主", "个体", "孤寡", "孤老",
    "独生", "独居", "军人", "军属", "烈属", "老人", "老年", "老党员", "学生", "新上海", "新市民", "应届", "华侨", "港澳",
    "台湾", "归侨", "农民", "农村", "居民", "业主", "房东", "租户", "全职", "灵活", "自由", "临时", "下岗", "困难", "特困",
    "重残", "高血压", "程序员", "盲人", "聋哑", "家长", "监护", "代办", "代理", "社区", "居委", "志愿", "项目", "企业", "公司", "单位的", "来",
    "想", "要", "在", "从", "第", "不", "没", "刚", "已经", "现在", "今年", "明年", "去年", "这里", "那个", "这个", "从事",
    "一个", "一名", "一位", "个人", "本人", "文盲", "方便", "方才", "明天", "明年", "时候", "武警", "解放军", "常住", "常年",
    "包括", "和", "钱", "金", "全日制", "全家", "安置", "宁波", "江苏", "浙江", "安徽", "湖南", "湖北", "江西", "山东",
    "河南", "四川", "福建", "广东", "黄浦", "徐汇", "静安", "杨浦", "闵行", "宝山", "嘉定", "金山", "松江", "青浦",
    "奉贤", "崇明", "浦东", "普陀", "虹口", "于", "孙子", "孙女", "向", "关于", "连续", "成年", "成人", "司机", "师傅",
)
# What cannot be part of a name: particles and verbs that end it (我叫张三想办低保).
_NAME_STOP = set("想要我你他她是的了在来住今去办问请，,。.？?！!、 的有和跟给叫要家因为所以刚")
_RELATIVES = ("老伴", "老公", "老婆", "爱人", "丈夫", "妻子", "媳妇", "老头子", "老太婆", "爸爸", "妈妈", "父亲", "母亲",
              "老爸", "老妈", "爸", "妈", "儿子", "女儿", "孙子", "孙女", "外孙", "外孙女", "外婆", "外公", "奶奶", "爷爷",
              "婆婆", "公公", "岳父", "岳母", "哥哥", "姐姐", "弟弟", "妹妹", "家属", "邻居", "朋友", "同事")
_RELATIVE = "|".join(sorted(_RELATIVES, key=len, reverse=True))
_EXPLICIT = re.compile(r"(?:我叫|我名叫|名字叫|名字是|姓名叫|姓名是|我的名字|我名字|姓名[:：]|名字[:：]"
                       r"|(?:申请人|联系人|代办人|经办人|户主|本人姓名)(?:是|叫|[:：])"
                       rf"|(?:{_RELATIVE})(?:的名字)?(?:叫|名叫|名字叫|名字是)"
                       r"|\[姓名\][，, ]?(?:名字)?叫)(?:是|叫)?")
_GUARDED = re.compile(rf"(?:我是|本人是?|我姓|(?:我|我的|我家|我们家|帮我|给我|替我)(?:{_RELATIVE})(?!的名字|叫|名叫|名字))")
_INTRO = re.compile(f"{_EXPLICIT.pattern}|{_GUARDED.pattern}")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z'’\-]*(?: [A-Za-z][A-Za-z'’\-]*)?")


# Full-width digits, letters, space and dash as their ASCII forms; Chinese punctuation is kept as typed.
_HALF_WIDTH = {c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), 0xFF0D]}
_HALF_WIDTH[0x3000] = 0x20


def _digits(run: str) -> str:
    return "".join(_CN_DIGITS.get(c, c) for c in run if c.isdigit() or c in _CN_DIGITS)


def classify_number(digits: str, id_check_x: bool = False) -> str | None:
    """The label for a string of digits that is personal data, or None to keep it."""
    n = len(digits)
    if id_check_x:
        return ID_LABEL if n == 17 else (NUMBER_LABEL if n >= MIN_PERSONAL_DIGITS else None)
    if n < MIN_PERSONAL_DIGITS or _SERVICE.match(digits):
        return None
    if (n == 18 and _ID18.match(digits)) or n == 15:
        return ID_LABEL
    if _MOBILE.match(digits):
        return MOBILE_LABEL
    if _LANDLINE.match(digits) or n in (7, 8):
        return PHONE_LABEL
    if 16 <= n <= 19:
        return CARD_LABEL
    return NUMBER_LABEL


def _scrub_numbers(text: str) -> str:
    def repl(m: re.Match) -> str:
        run = m.group(0)
        if _DATE.match(run):
            return run
        body = run.rstrip("xX叉 -")
        x_tail = run[len(body):]
        digits = _digits(body)
        if x_tail.strip(" -") and len(digits) == 17:
            return ID_LABEL
        label = classify_number(digits)
        return label + x_tail if label else run

    return _RUN.sub(repl, text)


def _name_length(rest: str, intro: str) -> int:
    """How many characters at the start of rest are a person's name (0 if none), after intro."""
    guarded = bool(_GUARDED.fullmatch(intro))
    latin = _LATIN_NAME.match(rest)
    if latin:
        return 0 if guarded else len(latin.group(0))
    if not rest or (guarded and rest.startswith(_NOT_NAMES)):
        return 0
    surname = next((s for s in _COMPOUND_SURNAMES if rest.startswith(s)), rest[0])
    if guarded and surname not in _SURNAMES and surname not in _COMPOUND_SURNAMES:
        return 0  # 我是外地人: not a name; after 我叫 any surname counts
    if not "\u4e00" <= rest[0] <= "\u9fff" or rest[0] in _NAME_STOP:
        return 0
    n = len(surname)
    given = 0
    while given < 2 and n + given < len(rest):
        ch = rest[n + given]
        if ch in _NAME_STOP or not "\u4e00" <= ch <= "\u9fff":
            break
        given += 1
    if given == 0 and intro != "我姓":
        return 0 if guarded else n  # 我是王 is unclear; 我叫王 still names someone
    return n + given


def _scrub_names(text: str) -> str:
    out = []
    pos = 0
    for m in _INTRO.finditer(text):
        if m.start() < pos:
            continue
        n = _name_length(text[m.end():], m.group(0))
        if n:
            out.append(text[pos:m.end()] + NAME_LABEL)
            pos = m.end() + n
    out.append(text[pos:])
    return "".join(out)


_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+\s*(?:@|＠|艾特)\s*[A-Za-z0-9\-]+(?:\s*(?:\.|点)\s*[A-Za-z0-9\-]+)+")
_NUM = r"[0-9一二三四五六七八九十百千零〇两幺]+"
_PLACE = r"(?:(?![我你他她住在是到去的了和从向往家])[\u4e00-\u9fff]){1,8}?(?:路|街|大街|大道|公路|巷|弄堂|小区|新村|花园|公寓|苑|村|里|坊|大厦)"
# One part of an address: a number and its unit (弄, 号, 号楼, 幢, 栋, 单元, 室, 楼 ...).
_UNIT = rf"{_NUM}\s*(?:弄|支弄|号楼|号|幢|栋|单元|室|楼|层)"
# A place name followed by at least one numbered part, or two numbered parts in a row (…号…室).
_ADDRESS = re.compile(rf"(?:{_PLACE}\s*(?:{_UNIT}\s*)+|(?:{_UNIT}\s*){{2,}}|{_NUM}\s*室)")


def _scrub_places(text: str) -> str:
    text = _EMAIL.sub(EMAIL_LABEL, text)
    return _ADDRESS.sub(lambda m: ADDRESS_LABEL + (" " if m.group(0).endswith(" ") else ""), text)


def scrub(text: str) -> str:
    """text with ID, phone and bank card numbers, names, addresses and e-mails replaced by labels."""
    if not isinstance(text, str):
        return ""
    text = text.translate(_HALF_WIDTH)
    text = _scrub_places(text)
    return _scrub_names(_scrub_names(_scrub_numbers(text)))
