"""Normalisation, dialect-folded pinyin codes and section detection."""
from __future__ import annotations

import pytest

from kiosk.matching.sections import detect_section, strip_section_words
from kiosk.matching.text import MAX_QUERY_CHARS, _KEEP, clean, code, fold_syllable, normalize, syllables


@pytest.mark.parametrize("raw,expected", [
    ("请问，低保怎么申请？", "低保怎么申请"),
    ("嗯……那个，我想问一下敬老卡", "敬老卡"),
    ("ＡＢＣ１２３　社保卡", "abc123社保卡"),          # full width to half width, spaces gone
    ("您好！居住证！！！", "居住证"),
    ("😀社保卡😀", "社保卡"),
    ("\x00\x1b[31m医保\t卡\n", "医保卡"),             # a whole ANSI colour sequence dropped
    ("\x1b[1;32m低保\x1b[0m怎么\x1b[2K申请", "低保怎么申请"),  # parameters; erase-line; reset
    ("\x9b31m敬老卡\x1b]0;标题\x07", "敬老卡"),       # 8-bit CSI and an OSC title sequence
    ("\x1b]0;居住证", "0居住证"),                     # an unended OSC does not swallow the question
    ("嗯", "嗯"),                                      # only filler: kept rather than emptied
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_normalize_bounds_length_and_survives_non_text():
    assert len(normalize("低" * 100_000)) == MAX_QUERY_CHARS
    assert normalize(None) == "" and clean(12) == ""  # type: ignore[arg-type]


def test_punctuation_dropped_before_nfkc_changes_nothing_nfkc_alone_would_not():
    """clean() turns full-width and CJK punctuation into spaces before NFKC, which is most of NFKC's cost on
    guide texts; what it keeps must be what plain NFKC keeps, combining marks and full-width digits included."""
    import random
    import unicodedata

    pool = [chr(c) for c in [*range(0x20, 0x7F), *range(0x3000, 0x3100), *range(0xFF00, 0xFFF0),
                             *range(0x2460, 0x24FF), *range(0x4E00, 0x4E20), 0x0301, 0x0308, 0x3099,
                             0x2F00, 0xF900, 0x2150, 0x00B2, 0x2103]]
    rng = random.Random(5)
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(1, 10))) for _ in range(20_000)]
    texts += ["（六十五岁）：敬老卡！", "〸五年，ＡＢＣ１２３；ｉ̈", "“低保”、【医保】"]
    for t in texts:
        assert clean(t) == _KEEP.sub("", unicodedata.normalize("NFKC", t).lower()), repr(t)


@pytest.mark.parametrize("syl,folded", [
    ("zheng", "zen"), ("shi", "si"), ("chang", "can"), ("nian", "lian"), ("ning", "lin"),
    ("ying", "yin"), ("long", "long"), ("zhong", "zong"), ("ng", "ng"), ("n", "n"),
])
def test_fold_syllable(syl, folded):
    assert fold_syllable(syl) == folded


@pytest.mark.parametrize("heard,meant", [
    ("居住正", "居住证"), ("滴保", "低保"), ("残急证", "残疾证"), ("知情", "知青"), ("玉儿", "育儿"),
    ("常护险", "长护险"), ("难办", "蓝办"), ("是宁", "四零"),
])
def test_homophones_and_near_homophones_share_a_code(heard, meant):
    assert code(heard) == code(meant)


def test_different_words_get_different_codes():
    assert code("低保") != code("医保")
    assert code("挂失") != code("补领")


def test_codes_are_one_per_character_and_letters_pass_through():
    assert len(code("社保卡abc12")) == 8
    assert syllables("ab") == ("a", "b")


@pytest.mark.parametrize("text,section", [
    ("低保要带什么材料", "materials"), ("敬老卡在哪里办", "location"), ("居住证续签几天能拿到", "time_limit"),
    ("换新社保卡收不收钱", "fees"), ("哪些人家可以申请廉租房", "conditions"), ("失业登记的流程", "steps"),
    ("中心几点开门", "hours"), ("周六上班吗", "hours"), ("长护险的联系电话多少", "contact"),
    ("这是根据哪个文件规定的", "basis"), ("请保姆照顾老人政府给不给钱", "benefits"), ("低保怎么申请", None), ("老人卡丢了", None),
    # said as residents say it: 准备些啥, 多少辰光 (辰光 is 时间), 星期几来坐班
    ("开残疾证明要准备些啥", "materials"), ("居住证办下来要多少辰光", "time_limit"),
    ("法律顾问星期几来坐班", "hours"),
])
def test_detect_section(text, section):
    assert detect_section(normalize(text)) == section


def test_strip_section_words_leaves_the_service():
    assert strip_section_words("低保要带什么材料") == "低保"
    assert strip_section_words(normalize("敬老卡啥辰光发")) == "敬老卡发"  # not 敬老卡时间发
    assert strip_section_words("要带什么材料") == ""
    # a 要 or 的 left dangling names nothing (低保要 had matched 低保要不要重新算, the 信息变更 guide)
    assert strip_section_words("低保要什么条件") == strip_section_words("低保的条件") == "低保"
    assert strip_section_words("重要") == "重要"


def test_the_service_named_before_a_part_is_the_one_answered(matcher):
    for q in ("低保要什么条件", "低保的条件"):
        m = matcher.match(q)
        assert m.status == "answer" and m.best.id == "assistance-01" and m.section == "conditions", q


def test_a_can_i_question_keeps_the_service_it_names():
    # 可以领…吗 asks for the conditions, but what is to be received (失业金) names the service: only the
    # asking words go, not the thing asked about (it used to be cut out with them).
    text = normalize("我儿子没工作，可以领失业金伐")
    assert detect_section(text) == "conditions"
    assert "失业金" in strip_section_words(text)
    assert strip_section_words(normalize("能领低保吗")) == "低保"


@pytest.mark.parametrize("text,core", [("中心几点钟开门", "中心"), ("几点钟上班", ""), ("礼拜六几点下班", "")])
def test_opening_hours_words_leave_nothing_behind(text, core):
    # 几点钟 is one question word: a stray 钟 (zhong, as in 中心) made 中心几点钟开门 unmatched
    n = normalize(text)
    assert detect_section(n) == "hours" and strip_section_words(n) == core


@pytest.mark.parametrize("text,section,core", [
    ("低保去哪里办", "location", "低保"), ("社保卡在哪个窗口", "location", "社保卡"),
    ("低保哪里办理", "location", "低保"), ("敬老卡要带点什么", "materials", "敬老卡"),
    ("居住证需要带些啥", "materials", "居住证"), ("敬老卡要带哪些东西", "materials", "敬老卡"), ("低保开什么单子", "materials", "低保"),
    ("居住证什么时候能拿到", "time_limit", "居住证"),
])
def test_longer_section_words_are_stripped_whole(text, section, core):
    # 在哪 before 在哪里 left 里, 哪里办 before 哪里办理 left 理, 带点什么 kept 点什么, 开什么单 left 子 and
    # 什么时候能 left 拿到: the stray characters
    # then matched other guides.
    n = normalize(text)
    assert detect_section(n) == section and strip_section_words(n) == core


@pytest.mark.parametrize("spoken,written", [
    ("我今年六十五了", "我今年65了"), ("交了十五年", "交了15年"), ("三个月", "3个月"), ("一百二十元", "120元"),
    ("两岁孩子", "2岁孩子"), ("一网通办", "一网通办"), ("第一个", "第一个"), ("一件事", "一件事"),
])
def test_spoken_numbers_become_digits_where_guides_use_digits(spoken, written):
    assert normalize(spoken) == written


@pytest.mark.parametrize("text", ["医保卡里还有多少钱", "今年看病一共花了多少钱", "公积金账户余额多少",
                                  "城乡居保我每年交了多少", "社保一共缴了多少"])  # what was paid: a record
def test_balance_questions_are_neither_fees_nor_benefits(text):
    assert detect_section(normalize(text)) is None


def test_a_balance_keeps_its_money_word_for_matching():
    assert "钱" in strip_section_words(normalize("医保卡里还有多少钱"))


@pytest.mark.parametrize("text", ["低保每个月能领多少钱", "失业金每月发多少", "护理补贴的补贴标准是什么", "定补每月能拿几钿",
                                  "养老金能拿多少", "重残护理补贴每个月多少钱", "优待金一年多少钱"])
def test_what_the_resident_receives_is_the_benefits_section(text):
    assert detect_section(normalize(text)) == "benefits"


@pytest.mark.parametrize("text", ["办居住证要多少钱", "重做一张医保卡收不收费", "城乡居民医保一年交多少钱", "工本费多少",
                                  "居家上门护理个人自付几成"])
def test_what_the_resident_pays_stays_fees(text):
    assert detect_section(normalize(text)) == "fees"


@pytest.mark.parametrize("text", ["多久能拿到", "几天能拿到", "多久能办好", "要多久", "什么时候能拿到", "可以加急吗", "我急用"])
def test_how_long_questions_leave_no_stray_verb(text):
    from kiosk.matching.sections import names_nothing, strip_section_words

    n = normalize(text)
    assert detect_section(n) == "time_limit" and names_nothing(strip_section_words(n))  # 能拿到 named nothing


@pytest.mark.parametrize("text", ["敬老卡要钱吗", "办高龄津贴要不要钱"])
def test_asking_whether_it_costs_money_is_paying(text):
    from kiosk.matching.sections import states_paying

    assert states_paying(normalize(text))  # so a guide that pays out answers its fee (不收费), not its benefit


def test_a_misheard_subsidy_word_still_makes_a_money_question_the_benefits_section():
    assert detect_section(normalize("高温补帖多少钱")) == "benefits"  # 补帖 sounds like 补贴
    assert detect_section(normalize("高温补帖多少钱"), by_sound=False) == "fees"
    assert detect_section(normalize("补帖要交多少钱")) == "fees"  # paying is still paying


def test_shanghainese_is_folded_into_mandarin():
    assert normalize("阿拉屋里厢") == normalize("我们家里")
    assert normalize("一个月几钿") == normalize("一个月多少钱")
    assert detect_section(normalize("礼拜天侬几点钟开门伐")) == "hours"


def test_shanghainese_verbs_for_losing_and_finding_fold_into_mandarin():
    assert normalize("卡寻不着了") == normalize("卡丢脱了") == normalize("卡丢了")
    assert normalize("卡寻着了") == normalize("卡找到了")
    assert normalize("交关难") == normalize("很难")  # 交关 is "very", not paying


def test_synonyms_file_lists_each_form_and_each_variant_once():
    # YAML keeps only the last of two equal keys: a second "丢了:" line would silently drop the first list
    import yaml

    from kiosk.matching.text import SYNONYMS_FILE

    root = yaml.compose(SYNONYMS_FILE.read_text(encoding="utf-8"))
    forms = [k.value for k, _ in root.value]
    variants = [v.value for _, seq in root.value for v in seq.value]
    assert sorted({f for f in forms if forms.count(f) > 1}) == []
    assert sorted({v for v in variants if variants.count(v) > 1}) == []


def test_synonyms_are_applied_to_both_sides():
    assert normalize("敬老卡掉了") == normalize("敬老卡丢了")
    assert normalize("咋办") == normalize("怎么办")


def test_a_misheard_section_word_is_still_heard():
    assert detect_section(normalize("低保的才料")) == "materials"  # 才料 sounds like 材料
    assert detect_section(normalize("低保的才料"), by_sound=False) is None
    assert detect_section(normalize("低保在那里申请")) == "location"  # 那里 / 哪里
    assert detect_section(normalize("低保怎么申请"), by_sound=True) is None


def test_a_month_asked_either_way_reads_as_the_guides_per_month():
    from kiosk.matching.text import normalize

    assert normalize("低保一个月能拿多少钱") == normalize("低保每个月能拿多少钱") == normalize("低保每月能拿多少钱")


def test_a_core_of_fillers_names_no_service():
    from kiosk.matching.sections import names_nothing

    core = strip_section_words(normalize("电话多少"))
    assert core == "多少" and names_nothing(core)
    assert names_nothing(strip_section_words(normalize("你们在哪里")))
    assert names_nothing(strip_section_words(normalize("窗口几点下班")))  # the centre's hours, not a service
    assert names_nothing(strip_section_words(normalize("今朝几点关门")))  # 今朝: today, in Shanghainese
    assert detect_section(normalize("办事大厅在几楼")) == "location"
    assert names_nothing(strip_section_words(normalize("办事大厅在几楼")))
    assert strip_section_words(normalize("在哪里")) == ""  # not 里 left behind
    assert not names_nothing(strip_section_words(normalize("敬老卡电话多少")))


def test_a_bare_phone_question_asks_for_the_centre_not_a_guide(matcher):
    # matched whole, 电话多少 would land on the 12345 hotline's guide: the answer layer gives the centre's number
    for q in ("你们电话多少", "电话多少"):
        m = matcher.match(q)
        assert m.status == "none" and m.section == "contact" and m.candidates == (), q


def test_hours_or_address_with_no_service_named_open_the_centres_guide(matcher):
    for q, section in (("你们几点下班", "hours"), ("地址在哪里", "location")):
        m = matcher.match(q)
        assert m.status == "answer" and m.section == section and m.best.id == "general-07", q
    # ... or, when that guide is not clearly it, nothing: the answer layer says the centre's hours or address,
    # never a list of guides the question did not name
    for q in ("周日你们上班伐", "星期天上不上班", "在哪里办", "中午休息吗"):
        m = matcher.match(q)
        assert m.section in ("hours", "location") and (
            (m.status == "answer" and m.best.id == "general-07") or (m.status == "none" and m.candidates == ())), q


@pytest.mark.parametrize("question, section", [
    ("残疾人交通补贴一年给多少", "benefits"),  # 交通 is not 交 (paying)
    ("重残护理补贴每月多少", "benefits"),  # an amount of something received
    ("殡葬费减免能免多少", "benefits"),
    ("请护工到家里个人要付几成", "fees"),
    ("这个补助什么人能申请", "conditions"),
    ("岗位补贴要多大年纪才能拿", "conditions"),
    ("护理补贴是给什么样的人的", "conditions"),
    ("这笔津贴谁能领", "conditions"),
    ("社保卡里还有多少钱", None),  # a balance is neither
])
def test_amounts_and_who_questions_find_their_section(question, section):
    assert detect_section(normalize(question)) == section


def test_synonyms_fold_until_nothing_changes():
    # 上海户籍 is read as 本市户籍, and 非本市户籍 as 外地: a question must reach the same form as the title
    assert normalize("非上海户籍") == normalize("非本市户籍") == normalize("外地")


@pytest.mark.parametrize("text,age", [("她八十岁了，钱有多少", 80), ("我今年75周岁", 75), ("孩子3岁了", 3), ("敬老卡多少钱", None),
                                      ("我九十五了能拿多少", 95), ("今年三十了", None), ("我要交500", None)])
def test_the_age_a_question_gives(text, age):
    from kiosk.matching.sections import asked_age

    assert asked_age(normalize(text)) == age


@pytest.mark.parametrize("text,section", [("她八十岁了，钱有多少", "benefits"), ("补贴有多少", "benefits"),
                                          ("公积金账户里的钱有多少", None), ("医保卡里钱还有多少", None),
                                          ("办了这个证有啥好处", "benefits"), ("这张卡有什么用", "benefits"),
                                          ("当天就能拿到手吗", "time_limit"), ("马上可以领到吗", "time_limit")])
def test_money_there_is_for_the_resident_or_in_an_account(text, section):
    assert detect_section(normalize(text)) == section


def test_question_names_stripped_together_are_stripped_as_each_alone():
    """The index strips the section words of a guide's questions in one pass over all of them; no line may
    reach into the next (能办 on one line, 吗 on the next, is not a can-I question)."""
    from pathlib import Path

    from kiosk.knowledge import load_directory
    from kiosk.matching.ranker import name_part, name_parts

    kb, _ = load_directory(Path(__file__).resolve().parent.parent / "guides", None)
    questions = [normalize(q) for g in kb.guides for q in g.questions]
    assert len(questions) > 1000
    assert name_parts("question", questions) == [name_part("question", q) for q in questions]
    lines = ["低保能办", "吗", "敬老卡在哪里办"]
    assert name_parts("question", lines) == ["低保能办", "吗", "敬老卡"]
    assert name_parts("alias", lines) == lines


def test_section_patterns_led_by_a_lookahead_match_as_written():
    """Patterns that open with an optional group get a lookahead for their own characters, for speed; they
    must strip exactly what the pattern as written strips, in guide texts and residents' questions alike."""
    import re
    from pathlib import Path

    from kiosk.knowledge import load_directory
    from kiosk.matching import guide_fields
    from kiosk.matching.sections import _COMPILED, _PATTERNS

    root = Path(__file__).resolve().parent
    kb, _ = load_directory(root.parent / "guides", None)
    texts = [t for g in kb.guides for _, ts in guide_fields(g) for t in ts]
    texts += [line.split("\t")[0] for f in sorted((root / "data").rglob("*.tsv"))
              for line in f.read_text(encoding="utf-8").splitlines()]
    block = "\n".join(normalize(t) for t in texts)
    guarded = [name for (name, rx), (_, p) in zip(_COMPILED, _PATTERNS) if rx.pattern != p]
    assert {"benefits", "materials", "time_limit", "location", "conditions"} <= set(guarded)
    for (name, rx), (_, p) in zip(_COMPILED, _PATTERNS):
        plain = re.compile(p)
        assert rx.findall(block) == plain.findall(block), name
        assert rx.sub("", block) == plain.sub("", block), name


def test_where_the_money_goes_is_not_where_the_service_is_done():
    """打到哪张卡 / 发到哪个银行 ask which account is paid, not the service's place (the reply had read out the
    window's location); 到哪里办 still asks the place."""
    for q in ("退休金每月打到哪张卡上", "补贴发到哪个银行", "钱转到哪里去了", "养老金打到哪儿", "补贴打在哪张卡"):
        assert detect_section(normalize(q)) != "location", q
    for q in ("敬老卡到哪里办", "要到哪个窗口", "去哪儿申请", "在哪儿办", "哪儿能办残疾证", "在哪里申请"):
        assert detect_section(normalize(q)) == "location", q
