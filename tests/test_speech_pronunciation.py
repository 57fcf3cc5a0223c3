"""Pronunciation: the reviewed table of tricky service words, checked in every guide text and every reply;
one tone-sandhi pass (ours), which espeak-ng's Mandarin voice then realises unchanged."""
from __future__ import annotations

import dataclasses
import re
import subprocess

import pytest

from conftest import ROOT
from kiosk.answer import every_reply
from kiosk.config import load_config
from kiosk.knowledge import load_directory
from kiosk.speech.textprep import prepare, pronunciation_table, syllables, to_pinyin

# Reviewed: the word, then how each of its characters must be read (citation tones, before sandhi).
# Words pypinyin reads wrongly on its own, and a few it gets right that must stay right.
TRICKY = [
    ("为准", "wei2 zhun3"), ("认定为", "ren4 ding4 wei2"), ("一般为", "yi1 ban1 wei2"), ("视为", "shi4 wei2"),
    ("为单位", "wei2 dan1 wei4"), ("为您", "wei4 nin2"), ("为老服务", "wei4 lao3 fu2 wu4"), ("行为", "xing2 wei2"),
    ("长宁", "chang2 ning2"), ("长护险", "chang2 hu4 xian3"), ("长期", "chang2 qi1"), ("多长时间", "duo1 chang2 shi2 jian1"),
    ("最长", "zui4 chang2"), ("延长", "yan2 chang2"), ("家长", "jia1 zhang3"), ("长者", "zhang3 zhe3"),
    ("市长热线", "shi4 zhang3 re4 xian4"),
    ("发卡", "fa1 ka3"), ("发放", "fa1 fang4"), ("资金发到", "zi1 jin1 fa1 dao4"),
    ("当场", "dang1 chang3"), ("当事人", "dang1 shi4 ren2"), ("当期", "dang1 qi1"), ("当天", "dang4 tian1"),
    ("的当年", "de5 dang1 nian2"),
    ("接种", "jie1 zhong4"), ("种类", "zhong3 lei4"), ("供养", "gong1 yang3"), ("提供", "ti2 gong1"),
    ("重置", "chong2 zhi4"), ("重新", "chong2 xin1"), ("重复", "chong2 fu4"), ("重度", "zhong4 du4"), ("重病", "zhong4 bing4"),
    ("调整", "tiao2 zheng3"), ("调休", "tiao2 xiu1"), ("调档", "diao4 dang4"), ("调取", "diao4 qu3"), ("调查", "diao4 cha2"),
    ("人参加", "ren2 can1 jia1"), ("不看", "bu4 kan4"), ("看门诊", "kan4 men2 zhen3"), ("看家庭", "kan4 jia1 ting2"),
    ("都会", "dou1 hui4"), ("首都", "shou3 du1"),
    ("还是", "hai2 shi4"), ("还没", "hai2 mei2"), ("还有", "hai2 you3"), ("退还", "tui4 huan2"), ("还贷", "huan2 dai4"),
    ("中心", "zhong1 xin1"), ("中风", "zhong4 feng1"), ("相同", "xiang1 tong2"), ("相应", "xiang1 ying4"),
    ("项目的", "xiang4 mu4 de5"), ("的确认", "de5 que4 ren4"), ("银行", "yin2 hang2"), ("执行", "zhi2 xing2"),
    ("了解", "liao3 jie3"), ("便宜", "pian2 yi5"), ("给付", "ji3 fu4"), ("交给", "jiao1 gei3"), ("落户", "luo4 hu4"),
    ("处方", "chu3 fang1"), ("长处方", "chang2 chu3 fang1"), ("办事处", "ban4 shi4 chu4"), ("取得", "qu3 de2"), ("表现得", "biao3 xian4 de5"),
    ("学校", "xue2 xiao4"), ("散居", "san3 ju1"), ("自己干", "zi4 ji3 gan4"), ("滑倒", "hua2 dao3"),
    ("急难", "ji2 nan4"), ("查询", "cha2 xun2"), ("诊断为", "zhen3 duan4 wei2"), ("外省长住", "wai4 sheng3 chang2 zhu4"),
    ("看门急诊", "kan4 men2 ji2 zhen3"), ("记得", "ji4 de5"), ("居住证得补", "ju1 zhu4 zheng4 dei3 bu3"),
    ("还给交", "hai2 gei3 jiao1"), ("还给职工", "hai2 gei3 zhi2 gong1"), ("还清", "huan2 qing1"),
]


def _han(text: str) -> str:
    return re.sub(r"[^\u4e00-\u9fff]", "", text)


def guide_texts(guide) -> list[str]:
    """Every text of a guide a resident may hear: all string fields, lists, materials and FAQ (not the
    sources and doubts, which are for staff)."""
    out: list[str] = []
    for f in dataclasses.fields(guide):
        value = getattr(guide, f.name)
        if f.name in ("id", "category", "path", "scope", "updated", "sources", "doubts"):  # staff-only
            continue
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, str):
                out.append(item)
            elif dataclasses.is_dataclass(item):
                out.extend(v for v in dataclasses.astuple(item) if isinstance(v, str))
    return out


@pytest.fixture(scope="module")
def kb():
    kb, _ = load_directory(ROOT / "guides", load_config(env={}).centre)
    assert len(kb) >= 190
    return kb


@pytest.fixture(scope="module")
def everything_said(kb):
    """Every piece the kiosk can say: every guide text, every reply it can build."""
    texts = [t for g in kb.guides for t in guide_texts(g)] + [r.text for _, r in every_reply(kb)]
    return [p for t in texts for p in prepare(t)]


def wrong_readings(pieces, table):
    """(word, expected, heard, piece) for every occurrence of a table word read otherwise."""
    wrong = []
    for piece in pieces:
        syl = [(c, r) for c, r in syllables(piece, sandhi=False) if re.fullmatch(r"[\u4e00-\u9fff]", c)]
        han = "".join(c for c, _ in syl)
        for word, expected in table:
            for m in re.finditer(re.escape(word), han):
                heard = " ".join(r for _, r in syl[m.start():m.end()])
                if heard != expected:
                    wrong.append((word, expected, heard, piece))
    return wrong


def test_every_tricky_word_is_read_right_in_every_guide_text_and_reply(everything_said):
    found = {w for w, _ in TRICKY if any(w in _han(p) for p in everything_said)}
    assert len(found) >= 0.8 * len(TRICKY)  # the table is about words the guides really use
    assert wrong_readings(everything_said, TRICKY) == []


def test_every_entry_of_the_pronunciation_file_is_read_as_written(everything_said):
    table = [(w, " ".join(r)) for w, r in pronunciation_table().items()]
    for word, reading in table:
        assert " ".join(r for _, r in syllables(word, sandhi=False)) == reading
    assert wrong_readings(everything_said, table) == []


def test_the_scan_finds_a_wrong_reading():
    assert wrong_readings(["以窗口告知为准"], [("为准", "wei4 zhun3")]) == [
        ("为准", "wei4 zhun3", "wei2 zhun3", "以窗口告知为准")]


@pytest.mark.parametrize("text,pinyin", [
    # 一: yí before a fourth tone, yì before others, yī in numbers, dates, weekdays, ordinals, word-finally
    ("一个人", "yi2 ge4 ren2"), ("一天", "yi4 tian1"), ("一年", "yi4 nian2"), ("一起", "yi4 qi3"),
    ("一月一日", "yi1 yue4 yi1 ri4"), ("周一至周五", "zhou1 yi1 zhi4 zhou1 wu3"), ("第一步", "di4 yi1 bu4"),
    ("统一办理", "tong3 yi1 ban4 li3"), ("十一", "shi2 yi1"), ("二零一七", "er4 ling2 yi1 qi1"), ("一百", "yi4 bai3"),
    ("一万", "yi2 wan4"), ("之一", "zhi1 yi1"), ("一楼", "yi1 lou2"),
    # 不: bú before a fourth tone, bù otherwise, neutral between a repeated word
    ("不是", "bu2 shi4"), ("不看", "bu2 kan4"), ("不能", "bu4 neng2"), ("不用", "bu2 yong4"), ("是不是", "shi4 bu5 shi4"),
    # third tone before third tone: all but the last of a run rise
    ("你好", "ni2 hao3"), ("展览馆", "zhan2 lan2 guan3"), ("手续", "shou3 xu4"), ("我想买", "wo2 xiang2 mai3"),
    # the particle 的, wherever pypinyin would glue it to the next word
    ("的当场", "de5 dang1 chang3"), ("的士", "di2 shi4"), ("的确如此", "di2 que4 ru2 ci3"), ("目的", "mu4 di4"),
])
def test_tone_sandhi(text, pinyin):
    assert to_pinyin(text) == pinyin


def test_no_two_third_tones_stay_next_to_each_other(everything_said):
    """After our pass espeak-ng's own 3-3 sandhi has nothing left to change: exactly one pass happens."""
    for piece in everything_said:
        tones = [r[-1] if r[-1:].isdigit() else " " for _, r in syllables(piece)]
        assert "33" not in "".join(tones), (piece, to_pinyin(piece))


ESPEAK_TONES = {"55": "1", "35": "2", "214": "3", "21": "3", "51": "4", "53": "4"}


def espeak_tones(pinyin: str) -> list[str]:
    """The tone of every syllable espeak-ng will say for a pinyin string (its phoneme output)."""
    out = subprocess.run(["espeak-ng", "-q", "-x", "-v", "sit/cmn-latn-pinyin", pinyin],
                         capture_output=True, text=True, check=True).stdout
    tones = []
    for syllable in out.split("_|"):
        digits = re.findall(r"\d+", syllable)
        if digits:
            tones.append(ESPEAK_TONES.get(digits[-1], "5") if "'" in syllable else "5")
    return tones


@pytest.mark.audio
def test_espeak_says_exactly_the_tones_we_give(everything_said):
    sample = [p for p in everything_said if re.search("[一不老好所理小手有]", p) and not re.search("[A-Z]", p)]
    sample = sample[::97][:40]  # pieces without letters: espeak-ng spells letters with tones of its own
    assert len(sample) >= 20
    for piece in sample:
        pinyin = to_pinyin(piece)
        ours = [w[-1] for w in pinyin.split() if w[-1].isdigit()]
        assert espeak_tones(pinyin) == ours, (piece, pinyin)
    # and espeak-ng would apply its own third-tone sandhi if we had not: it is there, and ours pre-empts it
    assert espeak_tones("ni3 hao3") == ["2", "3"]


def test_no_piece_of_any_reply_ends_inside_a_word_of_the_table(kb):
    table = pronunciation_table()
    for _, reply in every_reply(kb):
        pieces = prepare(reply.text)
        for a, b in zip(pieces, pieces[1:]):
            if a[-1] in "，。；：！？、":
                continue
            joint = _han(a)[-3:] + "|" + _han(b)[:3]
            for word in table:
                for i in range(1, len(word)):
                    assert f"{word[:i]}|{word[i:]}" not in joint, (word, a, b)
