"""A seeded set of utterances with personal data in the forms residents really say it: none of it reaches disk.

Each item is (utterance, the personal parts). The personal parts are checked on what the log stores: no
name, no address part and no run of seven or more digits (Arabic or spoken) may remain.
"""
from __future__ import annotations

import itertools
import json
import re

from kiosk.staff.qlog import QuestionLog
from kiosk.staff.scrub import scrub

CN = "零一二三四五六七八九"


def spoken(digits: str, sep: str = "", group: int = 0) -> str:
    """Digits as the recogniser writes them when read out, optionally in groups with a separator."""
    words = [CN[int(d)] if d.isdigit() else "叉" for d in digits]
    if group:
        return sep.join("".join(words[i:i + group]) for i in range(0, len(words), group))
    return "".join(words)


IDS = ["310105195003151234", "31010519480722201X", "320102196512300021"]
MOBILES = ["13812345678", "15900001111", "18621346688"]
LANDLINES = ["02162345678", "62345678"]
CARDS = ["6222021234567890123", "6217001180012345678"]


def id_forms(n: str) -> list[str]:
    return [n, f"{n[:6]} {n[6:14]} {n[14:]}", spoken(n), spoken(n, "，", 3), f"{n[:6]}-{n[6:14]}-{n[14:]}",
            spoken(n, " ", 4)]


def mobile_forms(n: str) -> list[str]:
    return [n, f"{n[:3]} {n[3:7]} {n[7:]}", f"{n[:3]}  {n[3:7]}  {n[7:]}", f"{n[:3]}-{n[3:7]}-{n[7:]}",
            spoken(n), spoken(n, "，", 4), spoken(n).replace("一", "幺"), f"{n[:3]}，{n[3:7]}，{n[7:]}"]


NAME_FRAMES = ["我叫{n}，想问问低保", "我姓{s}，叫{g}", "我姓{s}叫{g}，办敬老卡", "姓名：{n}", "姓名是{n}", "申请人是{n}",
               "我老伴叫{n}，她的医保卡丢了", "我老伴的名字叫{n}", "帮我爸爸{n}办一下敬老卡", "我妈{n}要办长护险",
               "替我爸爸{n}问一下养老金", "本人是{n}", "我是{n}，来开证明", "我女儿叫{n}，要办居住证", "联系人：{n}"]
NAMES = [("张", "建国"), ("李", "秀英"), ("王", "芳"), ("欧阳", "娜娜"), ("陈", "小红"), ("徐", "志明")]

ADDRESSES = ["仙霞路123弄5号302室", "天山五村12号楼301室", "愚园路1088弄21号", "虹桥路一千零八十八弄五号三零二室",
             "古北新区黄金城道600号2单元1201室", "金钟路28号501室"]
ADDRESS_FRAMES = ["我住在{a}，想办低保", "家庭住址{a}", "我家在{a}，离哪个中心近", "地址是{a}"]
EMAILS = ["zhang.jianguo@qq.com", "lxy1950@163.com", "wang_fang88@sina.com.cn"]


def seeded() -> list[tuple[str, list[str]]]:
    items: list[tuple[str, list[str]]] = []
    frames = ["身份证号{x}，低保怎么申请", "我的身份证是{x}", "{x}是我老伴的身份证号"]
    for n, frame in itertools.product(IDS, frames):
        for form in id_forms(n):
            items.append((frame.format(x=form), [n]))
    for n in MOBILES:
        for i, form in enumerate(mobile_forms(n)):
            frame = ["手机号{x}，有消息打给我", "我电话是{x}", "联系电话{x}"][i % 3]
            items.append((frame.format(x=form), [n]))
    for n in LANDLINES:
        items += [(f"家里电话{n}", [n]), (f"座机{n[:-8]} {n[-8:-4]} {n[-4:]}", [n]), (f"电话{spoken(n, '，', 4)}", [n])]
    for n in CARDS:
        items += [(f"卡号{n}养老金到了没有", [n]), (f"银行卡{' '.join(n[i:i + 4] for i in range(0, len(n), 4))}", [n]),
                  (f"卡号是{spoken(n, '，', 4)}", [n])]
    for (s, g), frame in itertools.product(NAMES, NAME_FRAMES):
        parts = [s + g] if "{n}" in frame else [g]
        items.append((frame.format(n=s + g, s=s, g=g), parts))
    for a, frame in itertools.product(ADDRESSES, ADDRESS_FRAMES):
        number = re.findall(r"[0-9一二三四五六七八九零千百]+(?=弄|号|室)", a)
        items.append((frame.format(a=a), [a, *number]))
    for e in EMAILS:
        items += [(f"材料发到我邮箱{e}", [e]), (f"邮箱 {e.replace('@', ' @ ')}", [e.split("@")[0]])]
    return items


def _leaks(stored: str, parts: list[str]) -> list[str]:
    digits = "".join(str(CN.index(c)) if c in CN else c for c in stored if c.isdigit() or c in CN)
    out = [p for p in parts if p in stored]
    if re.search(r"[0-9零一二三四五六七八九幺]{7}", re.sub(r"[ ，,、\-]", "", stored)):
        out.append(f"7+ digits in {stored}")
    for p in parts:
        if p.isdigit() and len(p) >= 7 and p in digits:
            out.append(p)
    return out


def test_the_seeded_set_is_large_and_varied():
    items = seeded()
    assert len(items) >= 150
    assert len({u for u, _ in items}) == len(items)


def test_no_seeded_personal_item_reaches_the_log(tmp_path):
    items = seeded()
    log = QuestionLog(tmp_path / "log")
    for utterance, _ in items:
        log.record(utterance, "none")
    stored = [json.loads(line)["q"] for line in (tmp_path / "log" / log.path.name).read_text(encoding="utf-8")
              .splitlines()]
    assert len(stored) == len(items)
    leaks = [(u, _leaks(s, parts)) for (u, parts), s in zip(items, stored) if _leaks(s, parts)]
    assert leaks == []


def test_kiosk_scrub_prints_what_the_log_stores(cli):
    items = seeded()
    res = cli("scrub", stdin="\n".join(u for u, _ in items) + "\n")
    assert res.code == 0
    assert res.out.splitlines() == [scrub(u) for u, _ in items]
    assert "[身份证号]" in res.out and "[手机号]" in res.out and "[地址]" in res.out and "[邮箱]" in res.out


KEPT = ["低保怎么申请", "我是低保户", "我爸爸高血压能办长护险吗", "我妈今年80岁了", "一楼大厅在哪", "去三号窗口",
        "打12345", "962222是什么电话", "65岁和70岁补贴一样吗", "2024年1月1日以后", "我老伴去世了要办什么",
        "帮我爸爸办敬老卡", "三楼办什么", "住在长宁区能办吗"]


def test_service_questions_stay_as_they_were():
    assert [scrub(q) for q in KEPT] == KEPT
