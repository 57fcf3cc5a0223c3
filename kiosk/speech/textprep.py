"""Text for the ear: guide wording turned into what a Mandarin voice should say.

Pure functions, no speech library: ``spoken_form`` spells out numbers, dates, times, money, phone
numbers, letters and symbols in Chinese; ``sentences`` cuts the result into short pieces so the first
one is ready quickly and ``stop()`` never waits long; ``to_pinyin`` is the input espeak-ng's
``sit/cmn-latn-pinyin`` voice reads correctly (pinyin with tone numbers, chosen per word by pypinyin).

Reading rules follow Shanghai service-desk usage: phone and hotline numbers digit by digit with 幺 for
1 (962222 → 九六二二二二, 12345 → 幺二三四五), years digit by digit (2025年 → 二零二五年), times as
on a clock (8:30 → 八点半), quantities as numbers (1555元 → 一千五百五十五元, 2个 → 两个).
"""
from __future__ import annotations

import re
import unicodedata

DIGITS = "零一二三四五六七八九"
PHONE_DIGITS = "零幺二三四五六七八九"
_GROUP_UNITS = ("", "万", "亿", "万亿")

#: Longest piece handed to the voice at once, in characters. Longer sentences are cut at commas.
MAX_PIECE = 36

# Words after which "2" is read 两 (两个, 两年, 两万), not 二 (二月, 第二).
_MEASURES = ("个", "人", "份", "张", "次", "天", "年", "周", "小时", "岁", "项", "本", "户", "名", "位", "种",
             "件", "类", "间", "套", "寸", "倍", "页", "万", "千", "百", "亿", "元", "块", "点", "分钟", "台", "辆", "条")
# Units after which a long number is a quantity, not a phone number.
_QUANTITY_UNITS = ("元", "万", "亿", "%", "个", "岁", "周岁", "年", "月", "日", "天", "次", "户", "名", "位", "平方",
                   "米", "公里", "千克", "分")
# Words that announce a phone number within the few characters before it.
_PHONE_CUES = ("拨打", "致电", "电话", "热线", "手机", "号码", "拨", "打", "呼叫", "联系")
# Service numbers read digit by digit wherever they appear: 123xx government hotlines, 96xxxx
# Shanghai public-service lines, 95xxx(x) company lines.
_HOTLINE = re.compile(r"123\d\d|96\d{4}|95\d{3,4}")
# Domain terms whose digits are a name, not a quantity (4050人员: women over 40, men over 50).
_NAMED_NUMBERS = [(re.compile(r"4050(?=人员|岗位|补贴|工程|对象|就业|政策)"), "四零五零")]

_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff"
_CLAUSE_PUNCT = "，、：；"
_END_PUNCT = "。！？"

_WIDTH_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}  # ０-９
_WIDTH_TABLE.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_WIDTH_TABLE.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_WIDTH_TABLE.update({ord(a): b for a, b in zip("％＋－．／～＃＆＝＊＠　\u3000", "%+-./~#&=*@  ")})
_WIDTH_TABLE.update({ord(c): None for c in "\u200b\u200c\u200d\ufeff"})

_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}  # ①-⑳


# --- numbers -------------------------------------------------------------------------------------

def _group(g: int, first: bool) -> str:
    """0 < g < 10000 in words; ``first``: the leading group, where 10-19 read 十, 十五."""
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = g // value % 10
        if d == 0:
            zero = zero or bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        if d == 2 and unit == "千":
            word = "两"
        elif d == 1 and unit == "十" and first and not out:
            word = ""
        else:
            word = DIGITS[d]
        out += word + unit
    return out


def cardinal(n: int) -> str:
    """A whole number as counted: 1005 → 一千零五, 100010 → 十万零一十, 20000 → 两万."""
    if n < 0:
        return "负" + cardinal(-n)
    if n == 0:
        return "零"
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(_GROUP_UNITS):
        return digit_string("".join(str(g) for g in reversed(groups)))
    parts: list[str] = []
    gap = False
    for i in reversed(range(len(groups))):
        g = groups[i]
        if g == 0:
            gap = gap or bool(parts)
            continue
        if parts and (gap or g < 1000):
            parts.append("零")
        word = "两" if (g == 2 and i > 0) else _group(g, first=not parts)
        parts.append(word + _GROUP_UNITS[i])
        gap = False
    return "".join(parts)


def digit_string(digits: str, phone: bool = False) -> str:
    """Digits one by one; ``phone`` reads 1 as 幺, as Shanghai callers do (12345 → 幺二三四五)."""
    table = PHONE_DIGITS if phone else DIGITS
    return "".join(table[int(c)] for c in digits if c.isdigit())


def decimal(text: str) -> str:
    """3.5 → 三点五; 0.50 → 零点五零; 1,555 → 一千五百五十五."""
    whole, _, frac = text.replace(",", "").partition(".")
    out = cardinal(int(whole or "0"))
    return out + ("点" + digit_string(frac) if frac else "")


def _read_phone(groups: tuple[str, ...]) -> str:
    return "，".join(digit_string(g, phone=True) for g in groups if g)


# --- the passes ----------------------------------------------------------------------------------

def _fold_width(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_WIDTH_TABLE)
    text = re.sub(r"[ \t]*\r?\n[ \t\r\n]*", "\n", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _list_markers(text: str) -> str:
    """Item numbers at the start of a line or clause become 第一, 第二 …; circled numbers too."""
    text = re.sub(r"[①-⑳]", lambda m: f"，第{cardinal(_CIRCLED[m.group()])}，", text)

    def marker(m: re.Match) -> str:
        return f"{m.group(1)}第{cardinal(int(m.group(2) or m.group(3)))}，"

    start = r"(^|[\n。；;：:！？!?])\s*"
    text = re.sub(start + r"(?:(\d{1,2})[.、)）](?![\d.])|[(（](\d{1,2})[)）])\s*", marker, text)
    # (1) and （一） inside a sentence are list markers too: 符合下列条件之一（1）… （2）…
    text = re.sub(r"[(（](\d{1,2})[)）]\s*", lambda m: f"，第{cardinal(int(m.group(1)))}，", text)
    text = re.sub(r"[(（]([一二三四五六七八九十]{1,2})[)）]\s*", r"，第\1，", text)
    text = re.sub(r"(^|[\n。；;：:！？!?])\s*[•·・\-*]\s+", r"\1", text)  # bullets
    return text


def _phones(text: str) -> str:
    """Numbers that look like phone numbers wherever they are: 021-12345678, 400-810-8866, mobiles."""
    text = re.sub(r"(?<![\d.])(0\d{2,3})[-－ ](\d{7,8})(?![\d.])", lambda m: _read_phone(m.groups()), text)
    text = re.sub(r"(?<![\d.])([48]00)-?(\d{3})-?(\d{4})(?![\d.])", lambda m: _read_phone(m.groups()), text)
    text = re.sub(r"(?<![\d.])(1[3-9]\d)(\d{4})(\d{4})(?![\d.])", lambda m: _read_phone(m.groups()), text)
    return text


def _dates(text: str) -> str:
    """2025-07-01, 2025/7/1, 2025.7.1 → 2025年7月1日 (the number pass reads it); 〔2017〕 → 二零一七."""
    def full(y: str, mo: str, d: str, original: str) -> str:
        if 1 <= int(mo) <= 12 and 1 <= int(d) <= 31:
            return f"{y}年{int(mo)}月{int(d)}日"
        return original

    text = re.sub(r"(?<![\d.])((?:19|20)\d\d)([-/.])(\d{1,2})\2(\d{1,2})(?![\d.])",
                  lambda m: full(m.group(1), m.group(3), m.group(4), m.group()), text)
    # Document numbers: 国办发〔2021〕42号 → 国办发二零二一，42号
    return re.sub(r"[〔\[［]((?:19|20)\d\d)[〕\]］]", lambda m: digit_string(m.group(1)) + "，", text)


def _codes(text: str) -> str:
    """Letters followed by digits are codes (GB/T 26341-2010): digits one by one."""
    def code(m: re.Match) -> str:
        numbers = "，".join(digit_string(g) for g in re.findall(r"\d+", m.group(2)))
        return m.group(1).replace("/", " ") + " " + numbers

    return re.sub(r"([A-Za-z]+(?:/[A-Za-z]+)?)\s*(\d+(?:-\d+)*)", code, text)


def _time_words(h: int, m: int) -> str:
    hour = "两" if h == 2 else cardinal(h)
    if m == 0:
        return f"{hour}点"
    if m == 30:
        return f"{hour}点半"
    return f"{hour}点{'零' if m < 10 else ''}{cardinal(m)}分"


_PERIOD_WORDS = ("上午", "下午", "中午", "晚上", "早上", "凌晨", "傍晚", "夜间", "夜里", "白天", "早晨")


def _period(h: int) -> str:
    """The part of the day people name before a clock time: 上午八点半, 下午五点."""
    if h < 5:
        return "凌晨"
    if h < 12:
        return "上午"
    if h < 13:
        return "中午"
    return "下午" if h < 18 else "晚上"


def _clock(h: int, m: int, period: str) -> str:
    return period + _time_words(h - 12 if 12 < h < 24 else h, m)


_CLOCK = r"(?<![\d.])(\d{1,2})[:：](\d\d)(?!\d)"
_CLOCK_RANGE = re.compile(_CLOCK + r"(?:\s*(?:[-~—–]+|至|到)\s*" + _CLOCK + ")?")


def _times(text: str) -> str:
    """Clock times as people say them: 8:30-17:00 → 上午八点半到下午五点, 9:00至12:00 → 上午九点到十二点;
    a dash between numbers is 至 (60-69周岁, 60%-300%, 4月-5月)."""
    def clock_range(m: re.Match) -> str:
        h1, m1 = int(m.group(1)), int(m.group(2))
        if h1 > 24 or m1 > 59:
            return m.group()
        named = m.string[max(0, m.start() - 2):m.start()]
        named = named if named in _PERIOD_WORDS else ""
        pm = named in ("下午", "晚上", "傍晚", "夜间", "夜里")
        h1 = h1 + 12 if pm and h1 < 12 else h1
        first = _clock(h1, m1, "" if named or h1 == 24 else _period(h1))
        if m.group(3) is None:
            return first
        h2, m2 = int(m.group(3)), int(m.group(4))
        if h2 > 24 or m2 > 59:
            return m.group()
        h2 = h2 + 12 if pm and h2 < 12 else h2
        same = _period(h2) == _period(h1) or (h2, m2) == (12, 0) or h2 == 24
        return first + "到" + _clock(h2, m2, "" if same else _period(h2))

    text = _CLOCK_RANGE.sub(clock_range, text)
    text = re.sub(r"(?<![\d.])(\d{1,4}(?:\.\d+)?%?)\s*[-~—–]+\s*(?=\d{1,4}(?![\d:：]))", r"\1至", text)
    return re.sub(r"(?<=[日月年号岁元天个人])\s*[-~—–]+\s*(?=[¥￥]?\d)", "至", text)


_NUMBER = re.compile(r"([¥￥])?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%)?")


def _is_phone(digits: str, before: str, after: str, previous_was_phone: bool) -> bool:
    if len(digits) < 3 or after.startswith(("点", ".")):
        return False
    quantity = after.startswith(_QUANTITY_UNITS)
    if _HOTLINE.fullmatch(digits) and not quantity:
        return True
    if any(before.rstrip("：: ").endswith(cue) for cue in _PHONE_CUES):
        return True
    if previous_was_phone and before.rstrip() and before.rstrip()[-1] in "或、和/，及":
        return True
    round_number = digits.endswith("000")
    return len(digits) >= 5 and not (quantity or round_number or after.startswith(_MEASURES))


def _numbers(text: str) -> str:
    """Every remaining number read by its context: phone, year, ordinal, percent, money or quantity."""
    out: list[str] = []
    pos = 0
    previous_phone_end = -10
    for m in _NUMBER.finditer(text):
        money, whole, frac, percent = m.groups()
        before, after = text[max(0, m.start() - 4):m.start()], text[m.end():]
        out.append(text[pos:m.start()])
        pos = m.end()
        plain = "," not in whole and not frac and not money and not percent
        near_previous = m.start() - previous_phone_end <= 2
        if plain and _is_phone(whole, before, after, near_previous):
            out.append(digit_string(whole, phone=True))
            previous_phone_end = m.end()
        elif plain and len(whole) == 4 and after.startswith("年") and not after.startswith("年龄"):
            out.append(digit_string(whole))
        elif plain and len(whole) > 1 and whole.startswith("0"):
            out.append(digit_string(whole))
        else:
            words = decimal(whole + (frac or ""))
            if words == "二" and not before.endswith("第") and after.startswith(_MEASURES):
                words = "两"
            if percent:
                words = "百分之" + words
            out.append(words + ("元" if money and not after.startswith("元") else ""))
    out.append(text[pos:])
    return "".join(out)


_SYMBOLS = [
    (r"[“”‘’\"'《》〈〉「」『』]", ""),
    (r"[（(]含[）)]\s*(?=以上|以下|以内|以前|以后)", "及"),  # 60周岁（含）以上 → 六十周岁及以上
    (r"(?<=日)[（(]含[）)]", "，含当天，"),
    (r"[（(]含[）)]", "，含本数，"),
    (r"≥|>=|＞=", "大于等于"),
    (r"≤|<=|＜=", "小于等于"),
    (r"[>＞]", "大于"),
    (r"[<＜]", "小于"),
    (r"≠", "不等于"),
    (rf"[（(]([{_HAN}])[）)]", r"或\1"),  # 街道（镇） → 街道或镇
    (r"[（(【\[〔]", "，"),
    (r"[）)】\]〕]", "，"),
    (r"…+|—+|–|\.{3,}", "，"),
    (r"(?<=[元块次天人])/(?=[月年天日人次周户件份张])", "每"),
    (r"/", "或"),
    (r"\+", "加"),
    (r"&", "和"),
    (r"[~～]", "至"),
    (r"=", "等于"),
    (r"×", "乘"),
    (r"#", "号"),
    (r"%", ""),
    (r"[-*•·・_|\\^@`<>{}$]", " "),
    (r",", "，"),
    (r";", "；"),
    (r":", "："),
    (r"!", "！"),
    (r"\?", "？"),
    (r"(?<![A-Za-z])\.(?![A-Za-z])", "。"),
]
_SYMBOL_RES = [(re.compile(p), r) for p, r in _SYMBOLS]


def _symbols(text: str) -> str:
    for pattern, repl in _SYMBOL_RES:
        text = pattern.sub(repl, text)
    return text


def _letters(text: str) -> str:
    """Latin words are spelled: APP, app → A P P; A类 stays A类."""
    def spell(m: re.Match) -> str:
        word = m.group().upper()
        return word if len(word) == 1 else " ".join(word)

    return re.sub(r"[A-Za-z]+", spell, text)


def _tidy(text: str) -> str:
    text = re.sub(rf"\s*([{_CLAUSE_PUNCT}{_END_PUNCT}\n])\s*", r"\1", text)
    text = re.sub(rf"(?<=[{_HAN}])\s+|\s+(?=[{_HAN}])", "", text)
    text = re.sub(rf"[{_CLAUSE_PUNCT}]*([{_END_PUNCT}])[{_CLAUSE_PUNCT}{_END_PUNCT}]*", r"\1", text)
    text = re.sub(rf"([{_CLAUSE_PUNCT}])[{_CLAUSE_PUNCT}]+", r"\1", text)
    text = re.sub(rf"(^|[\n{_END_PUNCT}])[{_CLAUSE_PUNCT}]+", r"\1", text)
    return text.strip(_CLAUSE_PUNCT + " \n")


def spoken_form(text: str) -> str:
    """Text with numbers, dates, times, symbols and letters written as they should be said."""
    if not isinstance(text, str):
        return ""
    text = _fold_width(text)
    for pattern, words in _NAMED_NUMBERS:
        text = pattern.sub(words, text)
    for step in (_list_markers, _phones, _dates, _codes, _times, _numbers, _symbols, _letters, _tidy):
        text = step(text)
    return text


# --- sentences -----------------------------------------------------------------------------------

_BEFORE_CUT = set("和或及并但且与、")
_AFTER_CUT = set("的了后时等地得")
_PHRASE_START = set("到在向从对把给由带交办申领填提说找去来用按凭经先再")


def _cut_at(clause: str, limit: int) -> int:
    """Where to cut a clause longer than limit: before 和/或/及…, after 的/了/后…, never inside a word
    of the pronunciation table; at the limit only when no such place is in the second half."""
    table = pronunciation_table()
    inside = set()
    for word in table:
        for m in re.finditer(re.escape(word), clause[:limit + _table_longest]):
            inside.update(range(m.start() + 1, m.end()))
    for i in range(limit, limit // 2, -1):
        if i not in inside and (clause[i] in _BEFORE_CUT or clause[i - 1] in _AFTER_CUT):
            return i
    for i in range(limit, limit // 2, -1):  # before a word that starts a phrase: 到…, 向…, 说明…
        if i not in inside and clause[i] in _PHRASE_START:
            return i
    return next((i for i in range(limit, 0, -1) if i not in inside), limit)


def _cut_long(sentence: str, limit: int) -> list[str]:
    """Cut a long sentence after commas (or between words, as a last resort) into pieces ≤ limit."""
    pieces: list[str] = []
    current = ""
    for clause in re.findall(rf"[^{_CLAUSE_PUNCT}]+[{_CLAUSE_PUNCT}]*|[{_CLAUSE_PUNCT}]+", sentence):
        while len(clause.rstrip(_CLAUSE_PUNCT + _END_PUNCT)) > limit:
            if current:
                pieces.append(current)
                current = ""
            cut = _cut_at(clause, limit)
            pieces.append(clause[:cut])
            clause = clause[cut:]
        if current and len(current) + len(clause) > limit:
            pieces.append(current)
            current = ""
        current += clause
    if current:
        pieces.append(current)
    return [p.strip(_CLAUSE_PUNCT) for p in pieces if p.strip(_CLAUSE_PUNCT)]


def sentences(spoken: str, limit: int = MAX_PIECE) -> list[str]:
    """Spoken text cut at 。！？；, line breaks, and at commas when a sentence is longer than limit."""
    out: list[str] = []
    for sentence in re.findall(rf"[^{_END_PUNCT}；\n]+[{_END_PUNCT}；]*", spoken):
        sentence = sentence.strip(_CLAUSE_PUNCT + " ")
        if re.search(rf"[{_HAN}A-Za-z0-9]", sentence):
            out.extend(_cut_long(sentence, limit))
    return out


def count_syllables(text: str) -> int:
    """How many syllables text takes to say (Chinese characters and spelled letters, numbers as read)."""
    return len(re.findall(rf"[{_HAN}A-Za-z]", spoken_form(text)))


def prepare(text: str, limit: int = MAX_PIECE) -> list[str]:
    """What a speaker says for text, piece by piece."""
    return sentences(spoken_form(text), limit)


# --- pinyin for espeak-ng ------------------------------------------------------------------------
#
# Readings come from three places, in this order: the reviewed pronunciation table
# (kiosk/data/pronunciation.yaml: service words pypinyin gets wrong, matched longest first, so 为准,
# 长宁, 发卡 are never handed to pypinyin's own phrase matching), pypinyin for everything else
# (without its tone sandhi, which works inside its own phrases only and gets 一月, 周一 wrong), then
# one tone-sandhi pass over the whole clause here: 一 and 不 by the next syllable, third tones before
# third tones. espeak-ng's cmn-latn-pinyin voice applies 3-3 sandhi by itself too (it realises
# "hao3 hao3" as 35 214) but not 一/不 sandhi; after this pass no two third tones are adjacent within
# a clause, so its pass finds nothing to change and exactly one sandhi pass happens.

_TOKEN = re.compile(rf"([{_HAN}]+)|([A-Z])|([{_CLAUSE_PUNCT}])|([{_END_PUNCT}])|(\d+)")
_NUMBER_WORDS = set("零〇一二三四五六七八九十百千万亿两幺")
# 一 keeps its first tone after these (第一, 周一, 星期一, 初一, 统一, 唯一, 之一, 逐一 …) …
_YI_FIRST_AFTER = set("第周期初统唯之逐专单划合") | _NUMBER_WORDS
# … and before these (dates 一月 一日 一号, floors 一楼, numbers 一十, 一二三).
_YI_FIRST_BEFORE = set("月日号楼十零〇一二三四五六七八九幺")

_table: dict[str, tuple[str, ...]] | None = None
_table_longest = 0


def pronunciation_table() -> dict[str, tuple[str, ...]]:
    """The reviewed readings, word → syllables with tone numbers (kiosk/data/pronunciation.yaml)."""
    global _table, _table_longest
    if _table is None:
        from pathlib import Path

        import yaml

        path = Path(__file__).resolve().parent.parent / "data" / "pronunciation.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        table: dict[str, tuple[str, ...]] = {}
        for word, reading in data.items():
            syllables = tuple(str(reading).split())
            if len(syllables) != len(word) or not all(re.fullmatch(r"[a-zv]+[1-5]", s) for s in syllables):
                raise ValueError(f"{path}: {word}: {reading!r} needs one syllable with a tone number per character")
            table[str(word)] = syllables
        _table_longest = max(map(len, table), default=0)
        _table = table
    return _table


def _pypinyin(han: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    out = lazy_pinyin(han, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=False,
                      errors=lambda chars: [""] * len(chars))
    return out if len(out) == len(han) else [s for c in han for s in _pypinyin_char(c)]


def _pypinyin_char(char: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return (lazy_pinyin(char, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda c: [""]) or [""])[:1]


def _base_readings(han: str) -> tuple[list[str], list[bool]]:
    """One syllable per character (empty if unknown) and whether it came from the reviewed table."""
    table = pronunciation_table()
    readings: list[str] = []
    fixed: list[bool] = []
    rest = ""
    i = 0
    while i < len(han):
        for n in range(min(_table_longest, len(han) - i), 1, -1):
            word = han[i:i + n]
            if word in table:
                if rest:
                    readings += _pypinyin(rest)
                    fixed += [False] * len(rest)
                    rest = ""
                readings += table[word]
                fixed += [True] * n
                i += n
                break
        else:
            if han[i] == "的":  # a particle almost always; pypinyin glues dí to the next word (的当 dí dàng)
                if rest:
                    readings += _pypinyin(rest)
                    fixed += [False] * len(rest)
                    rest = ""
                readings.append(_de(han, i))
                fixed.append(True)
            else:
                rest += han[i]
            i += 1
    if rest:
        readings += _pypinyin(rest)
        fixed += [False] * len(rest)
    return readings, fixed


def _de(han: str, i: int) -> str:
    """的: dí in 的确 (indeed) and 的士, dì in 目的 (aim), otherwise the particle de."""
    nxt, after = han[i + 1:i + 2], han[i + 2:i + 3]
    if nxt == "士" or (nxt == "确" and after not in "认定保诊立实"):
        return "di2"
    if i and han[i - 1] == "目" and han[i - 2:i - 1] not in ("项", "节", "题", "科", "栏"):
        return "di4"
    return "de5"


def _tone(s: str) -> str:
    return s[-1] if s and s[-1].isdigit() else ""


def _with_tone(s: str, tone: str) -> str:
    return s[:-1] + tone if _tone(s) else s


def _sandhi(han: str, readings: list[str], fixed: list[bool]) -> list[str]:
    """The one tone-sandhi pass over a clause: 一, 不, then third tone before third tone."""
    out = list(readings)
    n = len(han)
    for i, char in enumerate(han):
        if char not in "一不":
            continue
        prev = han[i - 1] if i else ""
        nxt = han[i + 1] if i + 1 < n else ""
        next_tone = _tone(readings[i + 1]) if nxt else ""
        if char == "一":
            if not nxt or prev in _YI_FIRST_AFTER or nxt in _YI_FIRST_BEFORE:
                out[i] = "yi1"
            else:
                out[i] = "yi2" if next_tone in ("4", "5") else "yi4"
        else:
            if prev and prev == nxt:  # 是不是, 好不好
                out[i] = "bu5"
            else:
                out[i] = "bu2" if next_tone == "4" else "bu4"
    i = 0
    while i < n:  # a run of third tones: all but the last become second tones
        j = i
        while j < n and _tone(out[j]) == "3":
            j += 1
        for k in range(i, j - 1):
            out[k] = _with_tone(out[k], "2")
        i = j + 1 if j == i else j
    return out


def syllables(piece: str, sandhi: bool = True) -> list[tuple[str, str]]:
    """(text, what the voice is given) for each character, letter, number and pause of a piece;
    ``sandhi=False``: the words' own tones, before the tone-sandhi pass."""
    out: list[tuple[str, str]] = []
    for han, letter, clause, end, digits in _TOKEN.findall(piece):
        if han:
            han = han.replace("\u3007", "零")
            readings, fixed = _base_readings(han)
            out.extend(zip(han, _sandhi(han, readings, fixed) if sandhi else readings))
        elif letter:
            out.append((letter, letter))
        elif digits:
            out.extend(syllables(digit_string(digits), sandhi))
        elif clause or end:
            if out and out[-1][1] not in ("，", "。", "？", "！"):
                out.append((clause or end, "，" if clause else end))
    return out


def to_pinyin(piece: str) -> str:
    """Pinyin with tone numbers (5 = neutral), words read by context: 银行 yin2 hang2, 重新 chong2 xin1.

    Letters stay capitals (espeak-ng says their names), pauses stay Chinese punctuation.
    """
    return " ".join(reading for _, reading in syllables(piece) if reading)
