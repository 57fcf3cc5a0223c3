"""Personal data is removed from questions before they are logged; service words and hotlines stay."""
import pytest

from kiosk.staff.scrub import scrub

CASES = [
    # ID numbers: 18 digits, trailing X, spoken digits, old 15-digit numbers
    ("身份证号310105195003151234，低保怎么办", "身份证号[身份证号]，低保怎么办"),
    ("身份证31010519500315123X补办", "身份证[身份证号]补办"),
    ("号码是31010519500315123x", "号码是[身份证号]"),
    ("三一零一零五一九五零零三一五一二三四是我的身份证", "[身份证号]是我的身份证"),
    ("老身份证310105500315123", "老身份证[身份证号]"),
    # mobiles, with spaces, dashes, country code, full-width and spoken digits
    ("我的手机13812345678", "我的手机[手机号]"),
    ("手机138 1234 5678打给我", "手机[手机号]打给我"),
    ("电话+86 138-1234-5678", "电话+[手机号]"),
    ("手机１３８１２３４５６７８。", "手机[手机号]。"),
    ("幺三八幺二三四五六七八", "[手机号]"),
    # landlines with and without area code
    ("家里电话021-62345678", "家里电话[电话]"),
    ("打02162345678", "打[电话]"),
    ("我家电话62345678有人接", "我家电话[电话]有人接"),
    # bank cards, 16-19 digits, grouped
    ("卡号6222021234567890", "卡号[银行卡号]"),
    ("卡号6222 0212 3456 7890 123到账了吗", "卡号[银行卡号]到账了吗"),
    # names
    ("我叫张建国，想办低保", "我叫[姓名]，想办低保"),
    ("我叫张三想办低保", "我叫[姓名]想办低保"),
    ("我叫欧阳娜娜今年六十岁", "我叫[姓名]今年六十岁"),
    ("你好我的名字叫李梅", "你好我的名字叫[姓名]"),
    ("我是王建国，要开低保证明", "我是[姓名]，要开低保证明"),
    ("本人是陈小红", "本人是[姓名]"),
    ("我姓王", "我姓[姓名]"),
    ("我叫Tom Smith", "我叫[姓名]"),
]

KEPT = [
    "打12345还是962222",
    "社保热线12333几点上班",
    "法律援助12348",
    "我是低保户，医疗救助怎么申请",
    "我是高龄老人要办敬老卡",
    "我是外地人能办居住证吗",
    "我是残疾人",
    "我是党员退休了",
    "我是个体户交社保",
    "本人身份证丢了",
    "我是第一次来",
    "我今年85岁，1940年出生",
    "低保每个月能拿1510元吗",
    "2024-03-15退休的",
    "客服电话400-820-1234",
    "三楼第一个窗口",
    "一二三四",
]


@pytest.mark.parametrize("text,expected", CASES)
def test_personal_data_is_replaced_by_a_label(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_service_words_hotlines_and_short_numbers_are_kept(text):
    assert scrub(text) == text


def test_non_text_becomes_empty():
    assert scrub(None) == ""  # type: ignore[arg-type]
