"""Replies for the ear: the asked fact first, short, count first for materials, numbered steps."""
from __future__ import annotations

import dataclasses
import re

import pytest

from conftest import ROOT
from kiosk.answer import (CLOSING, MAX_SYLLABLES, WHO_OFFER_SYLLABLES, answer_guide, clarify, compose, every_reply,
                          fit, for_ear, money_section, section_fact, section_speech, spoken_name,
                          summary_speech)
from kiosk.config import load_config
from kiosk.knowledge import load_directory
from kiosk.knowledge.model import SECTIONS
from kiosk.speech.textprep import count_syllables


@pytest.fixture(scope="module")
def kb():
    kb, _ = load_directory(ROOT / "guides", load_config(env={}).centre)
    return kb


@pytest.fixture(scope="module")
def guide(kb):
    return kb.get("assistance-01")


def test_every_reply_is_bounded_and_answers_end_cleanly(kb):
    replies = list(every_reply(kb))
    assert len(replies) >= len(kb) * (len(SECTIONS) + 1)
    for section, reply in replies:
        assert count_syllables(reply.text) <= MAX_SYLLABLES + (12 if section == "clarify" else 0), reply.text
        if section != "clarify":  # there a bracket may be what tells two guides apart
            assert not re.search(r"[（(][^）)]{2,}[）)]", reply.text), reply.text  # asides are for the screen
        assert reply.text.endswith(("。", "？")), reply.text
        if section == "summary":
            assert reply.text.endswith(CLOSING)
        elif section in SECTIONS:
            assert CLOSING not in reply.text  # said once, with the first answer


def test_a_short_materials_list_also_says_the_form_is_filled_in_at_the_window(kb):
    text = answer_guide(kb.get("archives-01"), kb, "materials").text
    assert text.endswith("要带一样东西：本人有效居民身份证；表格到现场填写。"), text


def test_materials_say_the_count_first(kb, guide):
    from kiosk.answer import MATERIALS_SYLLABLES, ON_SITE

    from kiosk.answer import needed

    text = answer_guide(guide, kb, "materials").text
    brought = [for_ear(m.name) for m in guide.materials if m.form != ON_SITE and needed(m) == "always"]
    assert len(brought) < len(guide.materials)  # this guide has a form filled in at the window
    words = {2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八"}
    head = f"{spoken_name(guide)}要带{words[len(brought)]}样东西："  # after the guide's name when that is short
    assert text.startswith(head)
    assert text.index(brought[0]) == len(head)
    assert "表格" not in text  # a long list: that the form is filled in at the window is left to the screen
    listed = text[len(head):].split("；")[0]
    assert listed.endswith("等") == (count_syllables("、".join(brought)) > MATERIALS_SYLLABLES)
    # forms filled in on the spot are not things to bring
    assert not any(for_ear(m.name) in text for m in guide.materials if m.form == ON_SITE)
    only_forms = dataclasses.replace(guide, materials=tuple(m for m in guide.materials if m.form == ON_SITE))
    assert answer_guide(only_forms, kb, "materials").text.endswith("不用带材料；表格到现场填写。")


def test_steps_are_numbered(kb):
    g = next(g for g in kb.guides if len(g.steps) >= 3)
    assert re.match("[^：]*分[三四五六七八九十]步：第一步，", answer_guide(g, kb, "steps").text)
    short = dataclasses.replace(g, steps=("带身份证到窗口", "填申请表", "等短信通知"), spoken_name="试办")
    text = section_speech(short, "steps", kb)
    assert text == "试办分三步：第一步，带身份证到窗口；第二步，填申请表；第三步，等短信通知。"


def test_a_long_title_is_not_repeated_before_a_fact_but_a_short_name_is(kb, guide):
    assert not answer_guide(guide, kb, "fees").text.startswith(guide.title)
    named = dataclasses.replace(guide, spoken_name="低保")
    assert answer_guide(named, kb, "fees").text.startswith("低保")
    assert "低保" in summary_speech(named)[:5]


def test_a_new_question_answered_with_a_part_hears_which_service_however_long_its_name(kb):
    """老房子的档案去哪里查 answered with one guide's place: the resident hears which service the place is for, so
    a wrong one is noticed; a follow-up about the guide on screen (answer_guide) does not repeat a long name."""
    from kiosk.matching import Matcher

    m = Matcher.for_knowledge(kb).match("外地人做失业登记，需要准备哪些材料")
    guide = kb.get(m.best.id)
    assert m.status == "answer" and m.section == "materials" and guide.id == "employment-03"
    assert count_syllables(guide.short_name) > 5  # longer than a name said before every fact
    assert compose(m, kb).text.startswith(guide.short_name + "要带")
    assert not answer_guide(guide, kb, "materials").text.startswith(guide.short_name)


def test_a_long_referral_says_the_part_the_question_is_about_and_shows_it_whole(kb):
    """The hukou referral ran to 40 seconds read whole; now the part that shares the question's words is said
    (the graduates' part for 毕业生, the police's for moving a hukou) and the screen shows all of it."""
    from kiosk.matching import Matcher
    from kiosk.speech.textprep import count_syllables as syllables

    matcher = Matcher.for_knowledge(kb)
    graduates = compose(matcher.match("应届生落户去哪里办"), kb)
    assert graduates.status == "none" and graduates.text.startswith("应届高校毕业生落户由用人单位")
    assert graduates.text.endswith("其余的请看屏幕。") and syllables(graduates.text) <= 60
    assert graduates.shown.startswith("户口迁入") and "学生事务中心" in graduates.shown
    moving = compose(matcher.match("想把老家的户口迁进上海，到哪里去办"), kb)
    assert moving.text.startswith("户口迁入、迁出") and moving.shown == graduates.shown
    short = compose(matcher.match("护照过期了到哪里换"), kb)
    assert short.text.startswith("护照") and not short.shown  # short enough: said whole, shown as said


def test_hours_are_said_as_people_say_them(kb, guide):
    from kiosk.speech.textprep import spoken_form

    text = spoken_form(answer_guide(guide, kb, "hours").text)
    assert "周一至周五上午八点半到下午五点，周六上午九点到十二点" in text and "十七点" not in text


def test_one_line_facts_keep_the_asked_number(kb, guide):
    slow = dataclasses.replace(guide, time_limit="受理后经街道初审、区民政局复核、公示等环节，一般30个工作日内办结")
    text = answer_guide(slow, kb, "time_limit").text
    assert "30个工作日" in text


def test_fit_cuts_between_clauses_or_list_items_never_inside_a_word():
    text = "本市户籍，家庭人均月收入低于本市最低生活保障标准，家庭财产符合规定"
    assert fit(text, 10) == ("本市户籍", True)
    assert fit("身份证、户口簿、结婚证、一寸照片、收入证明", 8) == ("身份证、户口簿等", True)
    assert fit("短句", 10) == ("短句", False)
    # before 和 the words that complete the clause may be still to come: a clause up to twice the overrun
    # over the budget is said whole, a longer one cut there
    whole = "申请人本人和配偶以及共同生活的子女的收入证明"
    assert fit(whole, 8) == (whole, False)
    assert fit(whole + "和财产证明以及户口簿", 8)[0] == "申请人本人"
    # a label says nothing alone: it is said with what follows it (cut between list items), but not in steps
    label = "上门服务：高龄、失能、残疾、重病等行动不便、确实无法到中心的居民"
    assert fit(label, 14)[0] == "上门服务：高龄、失能、残疾等"
    assert fit(label, 14, whole_label=False)[0] == "上门服务"


def test_what_only_some_residents_bring_is_not_counted_as_what_everyone_brings(kb):
    """损坏的旧敬老卡 is brought to replace a broken card, not a lost one; 本人不能自带 the personnel file."""
    from kiosk.answer import needed
    from kiosk.knowledge.model import Material

    assert needed(Material("损坏的旧敬老卡", note="换领时交回")) == "some cases"
    assert needed(Material("残疾人证", note="因残疾申请的提供")) == "some cases"
    assert needed(Material("境外生存证明", note="居住在境外的，提供当地公证机构出具的生存证明")) == "some cases"
    assert needed(Material("本人人事档案", note="由窗口告知调档方式，本人不能自带")) == "never"
    # always: an identity document; a note on which form (本市户籍的带…；来沪人员另带…); the window's own case
    assert needed(Material("本人居民身份证", note="未满16周岁的提供户口簿")) == "always"
    assert needed(Material("住所证明", note="租房的带租赁合同；住宿舍的带住宿证明")) == "always"
    assert needed(Material("户口簿", note="窗口需要核对户籍时提供")) == "always"
    assert needed(Material("残疾人证或诊断证明", note="没有办证的，提供医院的诊断证明")) == "always"
    assert needed(Material("房屋产权证明", note="非产权人申请的，提供产权人同意的书面意见")) == "always"
    text = answer_guide(kb.get("elderly-02"), kb, "materials").text
    assert "要带一样东西" in text and "有的还要带损坏的旧敬老卡" in text
    # a proxy's papers that only the district archive takes are not offered at this window
    assert "代办" not in answer_guide(kb.get("archives-01"), kb, "materials").text


def test_what_only_someone_coming_instead_brings_is_said_as_such(kb):
    """委托书及代办人身份证 is not one of the things a resident who comes himself must bring."""
    from kiosk.answer import for_proxy

    guide = kb.get("pension-09")
    proxy = [m for m in guide.materials if for_proxy(m)]
    assert [m.name for m in proxy] == ["委托书及代办人身份证"]
    text = answer_guide(guide, kb, "materials").text
    assert text.startswith("要带两样东西：居民身份证、社会保障卡；代办的另带委托书及代办人身份证")
    # a will's draft is what the service is about, not a proxy's paper
    assert not any(for_proxy(m) for m in kb.get("law-04").materials if "遗嘱" in m.name)
    # a guide whose every material is for a proxy still counts them
    only = dataclasses.replace(guide, materials=tuple(proxy))
    assert answer_guide(only, kb, "materials").text.startswith("要带一样东西：委托书及代办人身份证")


def test_asked_how_much_with_no_amount_written_says_how_it_is_set(kb, guide):
    """残疾人交通补贴一年多少: with no amount in yuan, the line on how the amount is set, not how it is paid."""
    lines = ("按年度发放到本人银行账户。", "金额按残疾类别、等级和当年标准核定，可在窗口询问。")
    g = dataclasses.replace(guide, benefits=lines, spoken_name="")
    assert answer_guide(g, kb, "benefits", amount=True).text.startswith("金额按残疾类别")
    assert answer_guide(g, kb, "benefits").text.startswith("按年度发放")  # not asked how much: in order


def test_a_first_step_that_only_sets_the_scene_is_said_with_its_action(kb):
    """发现卡丢了。 / 带齐材料。 / 在失业登记到期前。 said alone tell the resident nothing to do."""
    from kiosk.answer import FACT_SYLLABLES, _step

    assert _step("发现卡丢了，马上拨打962222按提示挂失，或在网上自助挂失；这是临时挂失。").startswith("发现卡丢了，马上拨打")
    assert "窗口" in _step("带好身份证和住所证明，到居住地街道（镇）的社区事务受理服务中心窗口；也可网上申请。")
    assert "续登" in _step("在失业登记到期前，本人带身份证到中心就业服务窗口申请续登，也可以在网上办理。")
    way = "网上办：打开随申办，搜索“出生一件事”，用父母一方账号实名登录，勾选要联办的事项并填写信息。"
    assert _step(way) == fit(way, FACT_SYLLABLES, whole_label=False)[0]  # a way, said by its label: not longer
    assert _step("带上身份证到户籍所在街道（镇）社区事务受理服务中心社会救助窗口，说明用途，当场开具。") \
        == "带上身份证到户籍所在街道（镇）社区事务受理服务中心社会救助窗口"  # says where already


def test_fees_and_time_limits_say_the_rule_not_its_exception(kb, guide):
    """参加时按当期标准缴纳互助金 is what a resident pays, not 申请给付不收费 after it; 领卡时间以窗口告知为准 the
    wait, not 部分银行网点可以当场领卡; a bracket holding what is paid is said; a name is not said twice."""
    g = dataclasses.replace(guide, spoken_name="互助", fees="参加时按当期标准缴纳互助金；申请给付不收费",
                            time_limit="受理后制卡，领卡时间以窗口告知为准；部分银行网点可以当场制卡领卡")
    assert "缴纳互助金" in answer_guide(g, kb, "fees").text
    assert "部分银行" not in answer_guide(g, kb, "time_limit").text
    g = dataclasses.replace(g, spoken_name="医保登记", fees="不收费（登记不收费，医保费按年龄段标准另行缴纳）")
    assert answer_guide(g, kb, "fees").text.endswith("不收费，医保费按年龄段标准另行缴纳。")
    card = kb.get("sscard-02")  # what is free and what may cost, both
    assert "遗失" in answer_guide(card, kb, "fees").text and "不收费" in answer_guide(card, kb, "fees").text
    g = dataclasses.replace(g, spoken_name="公证咨询", fees="咨询不收费；办理公证按标准收费")
    assert answer_guide(g, kb, "fees").text.startswith("公证咨询不收费")


def test_clarify_names_each_choice_distinguishably(kb):
    g = kb.guides[0]
    twin = dataclasses.replace(g, id="twin", title=g.short_name + "（续办）")
    reply = clarify((g, twin))
    assert reply.text.count(g.short_name) == 2 and "续办" in reply.text


def test_benefits_say_the_amounts_tier_after_tier(kb, guide):
    guide = dataclasses.replace(guide, spoken_name="低保")
    tiers = ("一级每月300元", "二级每月200元", "三级每月100元")
    text = answer_guide(dataclasses.replace(guide, benefits=tiers), kb, "benefits").text
    assert text == "低保，一级每月300元；二级每月200元；三级每月100元。"
    ages = ("65至69周岁，每人每月75元。", "70至79周岁，每人每月150元。", "80至89周岁，每人每月180元。")
    text = answer_guide(dataclasses.replace(guide, benefits=ages), kb, "benefits").text
    assert text == "低保，65至69周岁，每人每月75元，其余的请看屏幕。"  # a whole tier with its amount
    assert "没有写" in answer_guide(dataclasses.replace(guide, benefits=()), kb, "benefits").text


def test_no_answer_stops_on_a_clause_that_needs_the_next_one(kb):
    """卡丢了的。 or 办好退休后。 say nothing: such a clause is said with the one after it."""
    dangling = [r.text for _, r in every_reply(kb)
                if re.search(r"(?<!小)[的后时][。；]", r.text.replace(CLOSING, ""))]
    assert len(dangling) <= 2, dangling  # where even the next clause cannot complete it within bounds
    assert fit("卡丢了的，先拨打电话挂失，再去窗口", 10) == ("卡丢了的，先拨打电话挂失", True)


def test_a_question_about_the_centre_itself_gets_the_centres_own_fact(kb):
    from kiosk.answer import compose
    from kiosk.matching import Match

    hours = compose(Match("礼拜天中心上班伐", "星期天中心上班", "none", (), "hours"), kb)
    assert kb.centre.hours in hours.text and hours.guide is None
    where = compose(Match("你们在哪里", "你们在哪里", "none", (), "location"), kb)
    assert kb.centre.address in where.text
    # the centre's own guide, asked where: the place, not "网上就能办" before it
    guide = kb.get("general-07")
    said = section_speech(guide, "location", kb)
    assert kb.centre.address[:6] in said and "网上" not in said
    # other self-service guides still say so before their place
    assert section_speech(kb.get("general-09"), "location", kb).startswith("网上或者自助终端就能办，在中心")
    # a section with no guide and no centre fact still asks which service
    assert "哪一项业务" in compose(Match("要带什么材料", "要带什么材料", "none", (), "materials"), kb).text


def test_an_online_place_is_not_said_after_where_to_go(kb):
    """要到居住地办，在随申办网上办理 tells the resident to go somewhere and to stay home at once."""
    import dataclasses as dc

    g = kb.get("residence-03")
    online = dc.replace(g, scope="居住地", location="随申办网上办理")
    assert section_fact(online, "location", kb) == "在随申办网上办理；到窗口办的话，要到居住地办"
    both = dc.replace(g, scope="户籍地", location="随申办网上申领；或户籍所在街道（镇）的社区事务受理服务中心")
    assert section_fact(both, "location", kb) == "在随申办网上申领；或户籍所在街道（镇）的社区事务受理服务中心"


def test_the_centres_hours_are_not_said_as_another_places(kb):
    """无障碍电影's hours are the centre window's, where it is asked about, not the screenings'."""
    assert "本中心窗口的办公时间是" in section_fact(kb.get("disability-13"), "hours", kb)
    assert "本中心窗口" not in section_fact(kb.get("assistance-01"), "hours", kb)


def test_a_place_is_said_with_one_where(kb):
    """在 goes before a bare place, not before a line that says its own where or how."""
    import dataclasses as dc

    g = kb.get("residence-03")
    for place, with_where in (("户籍所在街道（镇）的社区事务受理服务中心", True), ("户口所在地派出所户籍窗口", True),
                              ("查询在本中心残疾人服务窗口", False), ("咨询：本中心住房保障窗口", False),
                              ("可以先打962222电话挂失", False), ("到区残联公布的放映点观看", False)):
        text = section_fact(dc.replace(g, location=place, scope="其他机构"), "location", kb)
        assert text == "不在中心窗口办，" + ("在" if with_where else "") + place, text


def test_a_choice_list_says_how_to_refuse_it(kb):
    from kiosk.answer import clarify

    reply = clarify((kb.get("elderly-01"), kb.get("residence-03")))
    assert reply.text.endswith("请说第几个，都不是就说“都不是”。")


def test_a_money_question_about_a_free_guide_that_pays_out_asks_for_the_benefit(kb, guide):
    # 低保 costs nothing and pays a monthly amount: 多少钱 without a word for paying is the benefit
    assert guide.fees == "不收费" and guide.benefits
    assert money_section(guide, "fees", paying=False) == "benefits"
    assert money_section(guide, "fees", paying=True) == "fees"  # 要交钱吗: the fee, 不收费
    assert money_section(guide, "materials", paying=False) == "materials"
    costly = dataclasses.replace(guide, fees="登记不收费；入住后按养老机构公布的收费标准缴费")
    assert money_section(costly, "fees", paying=False) == "fees"  # it does cost something: say so
    assert money_section(dataclasses.replace(guide, benefits=()), "fees", paying=False) == "fees"
    assert answer_guide(guide, kb, "fees", paying=False).section == "benefits"
    assert "不收费" in answer_guide(guide, kb, "fees").text  # a tapped 收费 tab is answered as asked
    # an amount asked of a look-up service with no amounts: how to look it up, not "这里没有写待遇标准"
    lookup = kb.get("pension-05")
    assert "查询" in lookup.title and not lookup.benefits
    assert money_section(lookup, "benefits", paying=False) is None
    said = answer_guide(lookup, kb, "benefits", paying=False)
    assert said.section is None and "没有写待遇标准" not in said.text
    assert money_section(dataclasses.replace(guide, benefits=()), "benefits", paying=False) == "benefits"


def test_compose_reads_the_question_for_a_word_for_paying(kb):
    from kiosk.matching import Matcher

    matcher = Matcher.for_knowledge(kb)
    benefit = compose(matcher.match("低保每个月多少钱"), kb)
    assert benefit.guide.id == "assistance-01" and benefit.section == "benefits" and "不收费" not in benefit.text
    fee = compose(matcher.match("申请低保要交钱吗"), kb)
    assert fee.guide.id == "assistance-01" and fee.section == "fees" and "不收费" in fee.text


def test_the_first_answer_never_says_half_a_thought(kb, guide):
    guide = dataclasses.replace(guide, spoken_summary=None)  # the summary's own clauses
    # 也可以到窗口办理 said on its own leans on a clause the resident never heard
    leaning = dataclasses.replace(guide, summary="可以在随申办上申请，也可以到窗口办理。", spoken_name="试办")
    assert summary_speech(leaning) == "试办。可以在随申办上申请。" + CLOSING
    only_leaning = dataclasses.replace(leaning, summary="网上就能办；也可以到窗口办理。")
    assert summary_speech(only_leaning) == "试办。网上就能办；也可以到窗口办理。" + CLOSING  # its sentence whole
    too_long = dataclasses.replace(leaning, summary="网上就能办，在随申办里搜索这项业务的名称，按提示实名认证、填写信息、"
                                                     "上传材料并提交；也可以到窗口办理。")
    assert summary_speech(too_long) == "找到了试办。" + CLOSING
    said = [summary_speech(g).replace(CLOSING, "") for g in kb.guides]
    assert not [t for t in said if re.search(r"。(?:也|都|还)", t)]


def test_the_first_answer_says_who_the_service_is_for_when_that_is_short(kb, guide):
    guide = dataclasses.replace(guide, spoken_summary=None)  # the summary's own clauses
    # 可以申领敬老卡 alone only repeats the name; who may apply is what a resident asks first
    assert summary_speech(kb.get("elderly-01")).startswith("敬老卡申领。年满65周岁的本市户籍老人，可以申领敬老卡。")
    who = dataclasses.replace(guide, summary="本市户籍、年满60周岁的老人，可以申请试办；到窗口办理。", spoken_name="试办")
    assert summary_speech(who) == "试办。本市户籍、年满60周岁的老人，可以申请试办。" + CLOSING
    long_who = dataclasses.replace(who, summary="家里人均收入低于本市低保标准、财产也符合规定、户口在本市满三年、"
                                                "没有子女赡养也没有其他生活来源的家庭，可以申请试办。")
    assert summary_speech(long_who) == "找到了试办。" + CLOSING  # too long to say; the offer alone only repeats the name
    other = dataclasses.replace(long_who, summary=long_who.summary.replace("可以申请试办", "可以申请补助"))
    assert summary_speech(other) == "试办。可以申请补助。" + CLOSING  # too long to say: the offer alone, which says more
    named = dataclasses.replace(who, summary="持证的残疾人可以申请试办，按年发放。")
    assert summary_speech(named) == "试办。持证的残疾人可以申请试办。" + CLOSING  # its own subject
    firsts = [summary_speech(dataclasses.replace(g, spoken_summary=None)).replace(CLOSING, "") for g in kb.guides]
    assert all(count_syllables(t) <= WHO_OFFER_SYLLABLES for t in firsts if "，可以" in t)
    assert sum("，可以" in t for t in firsts) >= 20


def test_staff_can_write_the_first_answer_for_the_ear(kb, guide):
    # 临时救助申请。可以申请临时救助: the summary's who-may-apply clause is too long to say, so staff write one
    written = dataclasses.replace(guide, spoken_name="试办", spoken_summary="遇到急事、一时过不去的家庭，可以来问问。")
    assert summary_speech(written) == "试办。遇到急事、一时过不去的家庭，可以来问问。" + CLOSING
    assert summary_speech(dataclasses.replace(written, spoken_summary="每月发30元")) == "试办。每月发30元。" + CLOSING
    assert sum(1 for g in kb.guides if g.spoken_summary) >= 90
    # with them, every guide's first answer says something besides its name (68 had said only 找到了…)
    assert not [g.id for g in kb.guides if summary_speech(g).startswith("找到了")]


def test_a_free_service_with_a_long_name_says_what_costs_nothing(kb, guide):
    # 残疾人坐公交车免费吗 answered 不收费 sounded like free rides; it is applying that costs nothing
    long_named = dataclasses.replace(guide, spoken_name="一项很长的试办业务", fees="不收费")
    assert section_speech(long_named, "fees", kb) == "办理一项很长的试办业务不收费。"
    longer = dataclasses.replace(guide, spoken_name="一项名字实在是太长太长了的试办业务申请", fees="不收费")
    assert section_speech(longer, "fees", kb) == "办理这项业务不收费。"
    short = dataclasses.replace(guide, spoken_name="低保", fees="不收费")
    assert section_speech(short, "fees", kb) == "低保不收费。"
    # a new question's answer says the name however long (named): still what costs nothing, not 名字，不收费
    assert section_speech(long_named, "fees", kb, named=True) == "办理一项很长的试办业务不收费。"
    assert section_speech(longer, "fees", kb, named=True) == "办理一项名字实在是太长太长了的试办业务申请不收费。"
    assert section_speech(short, "fees", kb, named=True) == "低保不收费。"


def test_who_must_come_is_answered_from_the_guide_in_order_of_how_directly_it_says_it(kb, guide):
    from functools import partial

    from kiosk.answer import ASKED, asked_fact, asked_reply

    NO_PROXY_WORD = ASKED["proxy"].unknown
    proxy_fact, proxy_reply = partial(asked_fact, kind="proxy"), partial(asked_reply, kind="proxy")
    from kiosk.knowledge.model import FAQ, Material

    bare = dataclasses.replace(guide, faq=(), notes=(), conditions=("本市户籍。",),
                               materials=(Material("居民身份证", "原件", 1),))
    fact, section = proxy_fact(bare, kb)
    assert fact.startswith(NO_PROXY_WORD) and section == "contact"  # never a guess: who to ask
    brings = dataclasses.replace(bare, materials=(*bare.materials, Material("代办人的居民身份证", "原件", 1)))
    assert proxy_fact(brings, kb) == ("可以请人代办，代办的要带代办人的居民身份证", "materials")
    noted = dataclasses.replace(brings, notes=("请不要相信收费代办的广告。", "行动不便的，可以委托家属代办。"))
    assert proxy_fact(noted, kb) == ("行动不便的，可以委托家属代办。", None)
    ruled = dataclasses.replace(noted, conditions=("本市户籍。", "须本人到场办理。"))
    assert proxy_fact(ruled, kb) == ("须本人到场办理。", "conditions")
    asked = dataclasses.replace(ruled, faq=(FAQ("孩子上学要什么？", "看学校。"), FAQ("子女能替我办吗？", "可以，带委托书。")))
    assert proxy_fact(asked, kb) == ("可以，带委托书。", None)
    # a long condition is said from the clause that answers, with the condition before it
    long = dataclasses.replace(bare, spoken_name="试办", conditions=(
        "具有本市户籍，年满六十五周岁，持有效居民身份证，按规定在户籍所在地的街道办理，行动不便的，可以由家属凭双方身份证代办。",))
    assert proxy_reply(long, kb).text == "试办，行动不便的，可以由家属凭双方身份证代办。"
    # 认证必须由领取养老金的老人本人完成 says it (养老金认证要本人来伐 had heard 指南里没有写)
    by_self = dataclasses.replace(bare, notes=("认证必须由领取的老人本人完成，别人不能代替。",))
    assert proxy_fact(by_self, kb) == ("认证必须由领取的老人本人完成，别人不能代替。", None)
    # the steps say it only where nothing else does, and only of who comes: not 委托设计单位 or 帮办
    stepped = dataclasses.replace(bare, spoken_name="试办", steps=(
        "居委会委托设计单位出方案。", "能当场帮办的当场办理。",
        "本人带身份证到户籍所在街道（镇）社区事务受理服务中心窗口提出申请；本人申请有困难的，可以委托居委会或他人代为提出。"))
    assert proxy_fact(stepped, kb)[1] == "steps"
    # too long to say whole: begin where someone else may come, the answer to 可以叫儿子来办伐
    assert proxy_reply(stepped, kb).text == "试办，本人申请有困难的，可以委托居委会或他人代为提出。"
    assert proxy_fact(dataclasses.replace(stepped, steps=stepped.steps[:2]), kb)[0].startswith(NO_PROXY_WORD)
    assert proxy_fact(dataclasses.replace(stepped, notes=("行动不便的，可以委托家属代办。",)), kb)[1] is None
    # 由家属带材料 says who comes; an employer filing (由原单位代为申报) is not where 可以叫儿子来办伐 is answered
    family = dataclasses.replace(bare, spoken_name="试办", steps=(
        "办完死亡证明和户口注销后，由家属带材料到任一社区事务受理服务中心窗口申请；在职职工也可以由原单位代为申报。",))
    assert proxy_reply(family, kb).text.startswith("试办，由家属带材料")


def test_a_benefit_set_out_by_age_is_said_for_the_age_asked(kb):
    from kiosk.answer import benefit_for_age

    card = kb.get("elderly-01")
    assert [benefit_for_age(card, a) is not None for a in (64, 65, 80, 99, 105)] == [False, True, True, True, True]
    assert "80至89周岁" in benefit_for_age(card, 85)
    eighty = answer_guide(card, kb, "benefits", paying=False, age=80).text
    assert "80至89周岁" in eighty and "65至69" not in eighty
    assert answer_guide(card, kb, "benefits", paying=False).text == answer_guide(card, kb, "benefits", age=64).text
    from kiosk.dialogue import Dialogue, Heard, Say, ShowChoices, TappedChoice
    from kiosk.matching import Matcher

    d = Dialogue(kb, Matcher.for_knowledge(kb))
    acts = d.handle(Heard("我九十二岁，敬老卡每个月发多少钱"), now=0)  # a choice list or the guide itself
    shown = [a for a in acts if isinstance(a, ShowChoices)]
    if shown:
        acts = d.handle(TappedChoice([g.id for g in shown[0].choices].index("elderly-01")), now=1)
    said = [a.text for a in acts if isinstance(a, Say)][0]
    assert "90至99周岁" in said and "65至69" not in said


def test_asked_how_much_a_benefit_is_answered_with_an_amount_not_how_long_it_is_paid(kb):
    from kiosk.answer import answer_asked
    from kiosk.matching.sections import asks_amount
    from kiosk.matching.text import normalize

    assert asks_amount(normalize("失业金一个月有多少钱")) and not asks_amount(normalize("失业金能领几个月"))
    assert not asks_amount(normalize("长护险个人要付百分之几"))  # a share, not an amount in yuan
    dole = kb.get("employment-05")  # its first benefit line is how many months, the second the amount
    assert "元" not in dole.benefits[0] and "元" in dole.benefits[1]
    said = answer_asked(dole, kb, normalize("一个月有多少钱"), "benefits").text
    assert re.search(r"\d+元", said)
    said = answer_asked(dole, kb, normalize("能领几个月"), "benefits").text
    assert "个月" in said and "元" not in said


def test_a_follow_up_that_gives_only_an_age_gets_that_ages_benefit(kb):
    from kiosk.dialogue import Dialogue, Heard, Say, TappedGuide
    from kiosk.matching import Matcher

    d = Dialogue(kb, Matcher.for_knowledge(kb))
    d.handle(TappedGuide("elderly-01"), now=0)
    said = [a.text for a in d.handle(Heard("那到了八十岁以后呢"), now=1) if isinstance(a, Say)][-1]
    assert "80至89周岁" in said
    # an age said in a question about something else is not a question about the benefit
    said = [a.text for a in d.handle(Heard("我刚满65岁，这张卡怎么申请"), now=2) if isinstance(a, Say)][-1]
    assert "每人每月" not in said


# -- where to get a document the guide asks for (死亡证明在哪里开) ------------------------------------------
@pytest.mark.parametrize("question,document", [
    ("死亡证明在哪里开", "死亡证明"), ("去哪里开亲属关系证明", "亲属关系证明"), ("体检报告到哪儿拿", "体检报告"),
    ("火化证明怎么开", "火化证明"), ("敬老卡在哪里办", None), ("低保要带什么证明", None),
])
def test_which_questions_ask_where_to_get_a_document(question, document):
    from kiosk.matching.sections import asked_document
    from kiosk.matching.text import normalize

    assert asked_document(normalize(question)) == document


def test_where_to_get_a_document_is_where_the_guide_says_it_is_issued(kb):
    from kiosk.answer import document_source

    after_death = kb.get("general-06")  # 身后一件事: brings 居民死亡医学证明（推断）书
    reply = document_source(after_death, kb, "死亡证明")
    assert reply.section == "materials" and "医院出具" in reply.text and "受理大厅" not in reply.text
    # the guide's own service is not a document to get elsewhere: where it is done is the answer
    assert document_source(kb.get("residence-12"), kb, "亲属关系证明") is None
    # nor is a document the guide does not ask for
    assert document_source(after_death, kb, "体检报告") is None
    # a step that says where it is obtained (联系殡仪馆办理遗体火化，取得火化证明)
    assert "殡仪馆" in document_source(after_death, kb, "火化证明").text


def test_a_document_whose_source_no_guide_gives_is_said_so_with_the_telephone(kb):
    from kiosk.answer import document_source

    # no guide says who issues 婚姻状况证明
    assert not any("婚姻状况证明" in line and re.search("出具|开具|签发|核发|开出|取得(?!的)", line)
                   for g in kb.guides
                   for line in (*g.steps, *g.notes, *(f.a for f in g.faq), *(m.note or "" for m in g.materials)))
    reply = document_source(kb.get("assistance-01"), kb, "婚姻状况证明")
    # what the guide does say of it first (its note: 结婚证、离婚证或法院判决书), then that it does not say
    assert reply.text.startswith("婚姻状况证明：结婚证") and "指南里没有写在哪里开" in reply.text
    assert reply.text.rstrip("。").endswith(section_fact(kb.get("assistance-01"), "contact", kb).rstrip("。"))


def test_a_document_reply_that_the_guide_does_not_say_always_keeps_the_telephone(kb):
    from kiosk.answer import MAX_SYLLABLES, UNSAID, document_source
    from kiosk.speech.textprep import count_syllables

    said = 0
    for guide in kb.guides:
        contact = section_fact(guide, "contact", kb).rstrip("。")
        for m in guide.materials:
            found = re.search(r"[\u4e00-\u9fff]{2,8}?(?:证明|证书|报告)", m.name)
            reply = document_source(guide, kb, found.group(0)) if found else None
            if reply is not None and UNSAID in reply.text:
                said += 1
                assert contact and contact in reply.text, reply.text
                assert count_syllables(reply.text) <= MAX_SYLLABLES
    assert said >= 30


def test_a_document_another_guide_says_who_issues_is_answered_with_that(kb):
    from kiosk.answer import document_source

    # 基本殡葬服务费用减免 asks for 火化证明 without saying where it comes from; 身后一件事's steps do
    relief = kb.get("assistance-19")
    assert not any("殡仪馆" in line and "火化证明" in line for line in (*relief.steps, *relief.notes))
    reply = document_source(relief, kb, "火化证明")
    assert reply.guide is relief and reply.section == "materials" and "殡仪馆" in reply.text
    # a note of another guide that names an issuer for a different document is not taken (生育保险待遇's
    # 出生医学证明 note once read 流产的改交医疗机构出具的诊断证明)
    def noted(guide, note):
        return dataclasses.replace(guide, materials=tuple(
            dataclasses.replace(m, note=note) if "出生医学证明" in m.name else m for m in guide.materials))

    card = noted(kb.get("sscard-08"), None)
    maternity = noted(kb.get("family-01"), "已有电子证照的窗口可直接调取；流产的改交医疗机构出具的诊断证明")
    two = dataclasses.replace(kb, guides=(card, maternity))
    assert document_source(card, two, "出生医学证明").text.startswith("指南里没有写出生医学证明在哪里开")
    # ... and one that names the document with its issuer is (出生医学证明由孩子出生的医院出具)
    maternity = noted(maternity, "出生医学证明由孩子出生的医院出具")
    two = dataclasses.replace(kb, guides=(card, maternity))
    assert "孩子出生的医院" in document_source(card, two, "出生医学证明").text


def test_asked_of_the_guide_on_screen_or_first_the_document_source_is_the_reply(kb):
    from kiosk.dialogue import Dialogue, Say, TappedGuide, Heard
    from kiosk.matching import Matcher

    d = Dialogue(kb, Matcher.for_knowledge(kb), idle_seconds=60)
    said = [a.text for a in d.handle(Heard("我妈走了，死亡证明去哪开"), now=0) if isinstance(a, Say)]
    assert "医院出具" in said[-1]
    d.handle(TappedGuide("general-06"), now=1)
    said = [a.text for a in d.handle(Heard("死亡证明要到哪里开"), now=2) if isinstance(a, Say)]
    assert "医院出具" in said[-1]
    said = [a.text for a in d.handle(Heard("在哪里办"), now=3) if isinstance(a, Say)]
    assert "医院" not in said[-1]  # the service's own place


def test_a_document_asked_with_no_guide_in_view_is_answered_with_who_issues_it(kb):
    from kiosk.answer import compose, document_anywhere
    from kiosk.matching import Matcher

    matcher = Matcher.for_knowledge(kb)
    # the guides only ask for 诊断证明; the matcher had offered three services that issue other papers
    reply = compose(matcher.match("看病的诊断证明要去哪里开"), kb)
    assert reply.status == "none" and reply.guide is None and "看病的医院" in reply.text
    # a document a guide here issues is that guide's answer, not another guide's material note
    assert document_anywhere(kb, "户籍证明") is None
    reply = compose(matcher.match("户籍证明到哪里去开"), kb)
    assert reply.guide is not None and reply.guide.id == "residence-12"
    # no guide says who issues it: the matcher's reply stands
    assert document_anywhere(kb, "婚姻状况证明") is None


def test_a_guide_picked_from_the_list_a_document_question_gave_answers_the_document(kb, monkeypatch):
    import kiosk.answer
    from kiosk.dialogue import Dialogue, Say, ShowChoices, TappedChoice, Heard
    from kiosk.matching import Matcher

    # as for a document no guide says who issues: the question gets the matcher's choice list
    monkeypatch.setattr(kiosk.answer, "document_anywhere", lambda *args, **kwargs: None)
    d = Dialogue(kb, Matcher.for_knowledge(kb), idle_seconds=60)
    shown = d.handle(Heard("老父亲过世了，火化证明要去哪里拿"), now=0)
    choices = next(a.choices for a in shown if isinstance(a, ShowChoices))
    after_death = next(i for i, g in enumerate(choices) if g.id == "general-06")
    said = [a.text for a in d.handle(TappedChoice(after_death), now=1) if isinstance(a, Say)]
    # who issues it, not where 身后一件事 is done (就在中心一楼受理大厅)
    assert "殡仪馆" in said[-1] and "受理大厅" not in said[-1]


def test_a_document_another_guide_here_issues_is_sent_there(kb):
    from kiosk.answer import document_source

    needs = next(g for g in kb.guides if g.id != "residence-12" and any("亲属关系证明" in m.name for m in g.materials))
    reply = document_source(needs, kb, "亲属关系证明")
    assert reply.guide.id == "residence-12" and reply.section == "location" and "派出所" in reply.text


def test_a_material_whose_name_says_who_issues_it_is_answered_with_that(kb):
    from kiosk.answer import document_source

    guide = next(g for g in kb.guides if any(m.name.startswith("单位出具的") for m in g.materials))
    reply = document_source(guide, kb, "劳动关系证明")
    assert reply.guide == guide and reply.text.startswith("单位出具的")
