"""Text preparation for speech: what guide wording turns into when read aloud."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.speech.textprep import MAX_PIECE, cardinal, digit_string, prepare, sentences, spoken_form, to_pinyin

SPOKEN = [
    # phone and hotline numbers: digit by digit, 幺 for 1
    ("12345", "幺二三四五"),
    ("拨打12345", "拨打幺二三四五"),
    ("962222", "九六二二二二"),
    ("可以拨打962218医保服务热线", "可以拨打九六二二幺八医保服务热线"),
    ("拨打12333人社服务热线", "拨打幺二三三三人社服务热线"),
    ("021-12345678", "零二幺，幺二三四五六七八"),
    ("咨询电话：021-62345678", "咨询电话：零二幺，六二三四五六七八"),
    ("400-810-8866", "四零零，八幺零，八八六六"),
    ("13812345678", "幺三八，幺二三四，五六七八"),
    ("请立即拨打110或120", "请立即拨打幺幺零或幺二零"),
    ("直接拨打110、119、120。", "直接拨打幺幺零、幺幺九、幺二零。"),
    # times and ranges
    # clock times as people say them: the part of the day, twelve-hour clock, 到 between them
    ("8:30至17:00", "上午八点半到下午五点"),
    ("周一至周五8:30-17:00，周六9:00至12:00", "周一至周五上午八点半到下午五点，周六上午九点到十二点"),
    ("8:30—11:30，13:30—17:00", "上午八点半到十一点半，下午一点半到五点"),
    ("下午2:00-5:30", "下午两点到五点半"),
    ("18:00-20:00", "晚上六点到八点"),
    ("８：３０", "上午八点半"),
    ("9:05", "上午九点零五分"),
    ("12:15", "中午十二点十五分"),
    ("上午9:00", "上午九点"),
    ("2:00", "凌晨两点"),
    ("全天24小时", "全天二十四小时"),
    # dates and years
    ("2025年7月1日", "二零二五年七月一日"),
    ("2025-07-01起", "二零二五年七月一日起"),
    ("2025/7/1", "二零二五年七月一日"),
    ("2000年前后", "二零零零年前后"),
    ("2025年为15年", "二零二五年为十五年"),
    ("8月31日", "八月三十一日"),
    ("国办发〔2021〕42号", "国办发二零二一，四十二号"),
    # money and quantities
    ("1555元", "一千五百五十五元"),
    ("1,555元", "一千五百五十五元"),
    ("每人每年3600元", "每人每年三千六百元"),
    ("2000元", "两千元"),
    ("¥100", "一百元"),
    ("2.5万元", "二点五万元"),
    ("100元/月", "一百元每月"),
    ("90%", "百分之九十"),
    ("65周岁", "六十五周岁"),
    ("20个工作日", "二十个工作日"),
    ("2个工作日", "两个工作日"),
    ("离校2年内", "离校两年内"),
    ("120分", "一百二十分"),
    ("10010", "幺零零幺零"),
    ("10000元以下", "一万元以下"),
    ("60-69周岁", "六十至六十九周岁"),
    ("60%-300%", "百分之六十至百分之三百"),
    ("4月-5月", "四月至五月"),
    ("2025年1月1日-12月31日", "二零二五年一月一日至十二月三十一日"),
    # comparison signs and （含）
    ("年龄≥60周岁", "年龄大于等于六十周岁"),
    ("年龄<35岁", "年龄小于三十五岁"),
    ("收入≤2000元", "收入小于等于两千元"),
    ("60周岁（含）以上", "六十周岁及以上"),
    ("截至12月31日（含）", "截至十二月三十一日，含当天"),
    ("0到6岁", "零到六岁"),
    ("国务院令第649号", "国务院令第六百四十九号"),
    ("第1项", "第一项"),
    ("第2项", "第二项"),
    ("4050人员", "四零五零人员"),
    ("1+1+1", "一加一加一"),
    # list markers, brackets, symbols, letters, width
    ("1.身份证；2.户口簿", "第一，身份证；第二，户口簿"),
    ("①身份证②户口簿", "第一，身份证，第二，户口簿"),
    ("（1）身份证", "第一，身份证"),
    ("符合下列条件之一（1）本市户籍（2）无房", "符合下列条件之一，第一，本市户籍，第二，无房"),
    ("（一）身份证；（二）户口簿", "第一，身份证；第二，户口簿"),
    ("办理居住证（原件）", "办理居住证，原件"),
    ("户籍所在街道（镇）的中心", "户籍所在街道或镇的中心"),
    ("《上海市社会救助条例》", "上海市社会救助条例"),
    ("“一网通办”", "一网通办"),
    ("身份证/户口簿", "身份证或户口簿"),
    ("A类", "A类"),
    ("Ａ类人员", "A类人员"),
    ("下载APP查询", "下载A P P查询"),
    ("（GB/T 26341-2010）", "G B T二六三四一，二零一零"),
    ("等等……", "等等"),
    ("", ""),
]


@pytest.mark.parametrize("text,expected", SPOKEN)
def test_spoken_form(text, expected):
    assert spoken_form(text) == expected


@pytest.mark.parametrize("n,words", [
    (0, "零"), (7, "七"), (10, "十"), (15, "十五"), (20, "二十"), (110, "一百一十"), (1005, "一千零五"),
    (2200, "两千二百"), (10010, "一万零一十"), (20000, "两万"), (100010, "十万零一十"), (120000, "十二万"),
    (1000001, "一百万零一"), (100000000, "一亿"), (-3, "负三"),
])
def test_cardinal(n, words):
    assert cardinal(n) == words


def test_digit_string_uses_yao_only_for_phones():
    assert digit_string("2010") == "二零一零"
    assert digit_string("110", phone=True) == "幺幺零"


def test_sentences_cut_at_stops_and_long_sentences_at_commas():
    text = ("为您找到城乡居民最低生活保障申请。家里人均收入低于本市低保标准、财产也符合规定的本市户籍家庭，"
            "可以到户籍所在街道的社区事务受理服务中心申请低保。需要准备：身份证；户口簿！")
    pieces = prepare(text)
    assert pieces == [
        "为您找到城乡居民最低生活保障申请。",
        "家里人均收入低于本市低保标准、财产也符合规定的本市户籍家庭",
        "可以到户籍所在街道的社区事务受理服务中心申请低保。",
        "需要准备：身份证",
        "户口簿！",
    ]


def test_sentence_without_any_punctuation_is_cut_to_the_limit():
    pieces = sentences("好" * 100, limit=30)
    assert [len(p) for p in pieces] == [30, 30, 30, 10]


def test_a_long_clause_is_cut_between_words_not_inside_one():
    clause = "申请人本人持有效身份证件和户口簿到户籍所在地社区事务受理服务中心提交申请并领取回执"
    pieces = sentences(clause, limit=20)
    assert "".join(pieces) == clause
    assert pieces[0] == "申请人本人持有效身份证件"  # before 和
    assert all(len(p) <= 20 for p in pieces)
    # a word of the pronunciation table is never cut in two
    assert all(not p.endswith(("长", "发", "为")) for p in sentences("请以窗口告知为准" * 6, limit=15))


def test_pieces_with_nothing_to_say_are_dropped():
    assert prepare("。。，，！！\n\n  ") == []
    assert prepare("——……") == []


def test_to_pinyin_reads_words_by_context():
    assert to_pinyin("银行行长") == "yin2 hang2 hang2 zhang3"
    assert to_pinyin("重新办理") == "chong2 xin1 ban4 li3"
    assert to_pinyin("一个人") == "yi2 ge4 ren2"  # 一 before a fourth tone is yi2
    assert to_pinyin("女儿") == "nv3 er2"


def test_to_pinyin_keeps_letters_and_pauses():
    assert to_pinyin("A类，办理。") == "A lei4 ， ban4 li3 。"
    assert to_pinyin("要带什么？") == "yao4 dai4 shen2 me5 ？"
    assert to_pinyin("，，。") == ""


_GUIDE_LIKE = st.text(
    alphabet=st.sampled_from(list("0123456789０１２:：.-/%+年月日元个周岁第号（）()《》【】，。；、？！ ABCab\n")
                             + list("办理居住证身份证户口簿拨打电话热线")),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(_GUIDE_LIKE)
def test_any_text_comes_out_as_words_without_digits(text):
    spoken = spoken_form(text)
    assert not re.search(r"[0-9０-９%+/]", spoken)
    for piece in sentences(spoken):
        assert 0 < len(piece) <= MAX_PIECE
        assert re.fullmatch(r"[a-z1-5A-Z，。？！ ]*", to_pinyin(piece))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises_and_keeps_every_chinese_character(text):
    spoken = spoken_form(text)
    han = re.sub(r"[^\u4e00-\u9fff]", "", spoken)
    assert re.sub(r"[^\u4e00-\u9fff]", "", "".join(sentences(spoken, limit=12))) == han
