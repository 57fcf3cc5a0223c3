"""Chinese line breaking (kiosk.ui.linebreak): pure, no Kivy; a fake measure of one unit per Chinese
character and half a unit per Latin letter or digit."""
from __future__ import annotations

import pytest

from kiosk.ui.linebreak import breaks, line_problems, wrap


def measure(text: str) -> float:
    return sum(1.0 if ord(c) > 0x2E80 else 0.5 for c in text)


def lines(text: str, width: float, balance: bool = False) -> list[str]:
    return wrap(text, width, measure, balance).split("\n")


@pytest.mark.parametrize("width", [5, 6, 7, 8, 9, 10, 12])
def test_amounts_ages_and_phone_numbers_are_never_split(width):
    text = "每月：65至69周岁领取75元，80至89周岁180元，咨询电话962222，上午8:30开门。"
    got = lines(text, width)
    assert "".join(got) == text
    assert line_problems(got) == []
    for piece in ("65至69周岁", "180元", "962222", "8:30", "75元"):
        assert any(piece in line for line in got), (piece, got)


@pytest.mark.parametrize("width", range(3, 12))
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(width):
    text = "携带身份证（原件）、户口簿（原件）和近期照片。到窗口办理《敬老卡》「换领」手续。"
    got = lines(text, width)
    assert "".join(got) == text
    for line in got[1:]:
        assert line[0] not in "。，、）》」：；", got
    for line in got[:-1]:
        assert line[-1] not in "（《「", got


def test_short_labels_are_balanced_not_left_with_one_character():
    assert lines("退役军人与工会", 6, balance=True) == ["退役军人", "与工会"]
    assert lines("再听一遍", 3, balance=True) == ["再听", "一遍"]
    assert lines("时限与收费", 4, balance=True) == ["时限与", "收费"]


def test_a_body_paragraph_never_ends_with_one_character_alone():
    got = lines("请带好本人身份证到社区事务受理服务中心办理", 10)
    assert len(got[-1]) >= 2 and "".join(got) == "请带好本人身份证到社区事务受理服务中心办理"


def test_line_ends_given_by_the_text_are_kept_and_fitting_text_is_untouched():
    assert lines("地点\n长宁路1号", 20) == ["地点", "长宁路1号"]
    assert wrap("办理", 10, measure) == "办理"


def test_the_rules_come_from_uax14_with_numbers_tailored():
    allowed = breaks("补贴180元。")
    assert allowed[2] and not any(allowed[3:])  # before 1 only: 180元。 is one piece


def test_the_checker_sees_each_kind_of_bad_break():
    assert any("number split" in p for p in line_problems(["每月：6", "5至69周岁"]))
    assert any("number split" in p for p in line_problems(["80至89周岁18", "0元"]))
    assert any("starts with '。'" in p for p in line_problems(["带好材料", "。"]))
    assert any("starts with '、'" in p for p in line_problems(["身份证", "、换领"]))
    assert any("ends with '（'" in p for p in line_problems(["身份证（", "原件）"]))
    assert any("alone" in p for p in line_problems(["退役军人与工", "会"]))
    assert any("unbalanced" in p for p in line_problems(["退役军人与工会优", "待证"], balanced=True))
    assert line_problems(["退役军人", "与工会"], balanced=True) == []


def test_a_character_with_its_full_stop_is_still_a_widow():
    got = lines("语音识别暂时不能使用，请点屏幕查找。", 16)
    assert len(got) == 2 and got[-1] != "找。" and "".join(got) == "语音识别暂时不能使用，请点屏幕查找。"
    assert any("alone" in p for p in line_problems(["语音识别暂时不能使用，请点屏幕查", "找。"]))


def test_piecewise_uax14_equals_uniseg_on_every_guide(kb):
    """uax14() cuts the text between ideographs for speed; its answer must be uniseg's, on all real text."""
    from uniseg.linebreak import line_break_breakables

    from kiosk.ui.linebreak import uax14

    texts = set()
    for g in kb.guides:
        texts.update((g.title, g.summary, *g.notes, *g.conditions, *g.steps, *g.basis, g.fees, g.time_limit,
                      *(m.describe() for m in g.materials)))
    texts.update(("（原件）、“第一个”", "8:30至17:00，周六9:00", "A B 1 2", "居住证 JZZ。", "「新」《办法》"))
    assert len(texts) > 1000
    for text in texts:
        if text:
            assert uax14(text) == [bool(b) for b in line_break_breakables(text)], text
