"""The answer / clarify / none decisions, on small hand-made knowledge bases."""
from __future__ import annotations

import dataclasses

import pytest

from kiosk.matching import ANSWER, CLARIFY, NONE, Matcher
from kiosk.matching.ranker import Entry, make_phrases


def guide(kb, gid, title, aliases, questions=()):
    return dataclasses.replace(kb.get("assistance-01"), id=gid, title=title, aliases=tuple(aliases),
                               questions=tuple(questions), faq=())


TOPIC = Entry("oos-idcard", "居民身份证", tuple(make_phrases(["身份证", "身份证丢了", "补办身份证"], "topic")),
              referral="请到派出所办理身份证。")


def _small_guides(kb):
    return [
        guide(kb, "t-01", "居住证挂失", ["居住证挂失", "居住证遗失先报挂失"]),
        guide(kb, "t-02", "居住证补领", ["居住证补领", "居住证补办"]),
        guide(kb, "t-03", "残疾人交通补贴办理", ["残疾人交通补贴", "残疾人车贴"]),
        guide(kb, "t-04", "敬老卡申领", ["敬老卡", "老人卡", "老年卡"]),
    ]


@pytest.fixture(scope="module")
def small(kb):
    return Matcher(_small_guides(kb), topics=[TOPIC])


def test_one_clear_winner_is_answered(small):
    m = small.match("老人卡怎么办")
    assert m.status == ANSWER and m.best.id == "t-04"


def test_homophones_from_the_recogniser_still_match(small):
    m = small.match("精老卡怎么办")  # 精 jing for 敬 jing
    assert m.best.id == "t-04" and m.status == ANSWER
    assert small.match("居住正补领").best.id == "t-02"


def test_misheard_characters_cost_less_than_unknown_words(kb, small):
    asked = "残急人交同补帖"  # 急 同 帖 for 疾 通 贴: no guide has these characters, but their sounds
    deaf = Matcher(_small_guides(kb), dataclasses.replace(small.ranker.settings, misheard_credit=0.0), topics=[TOPIC])
    heard, plain = small.match(asked), deaf.match(asked)
    assert heard.best.id == plain.best.id == "t-03"
    assert heard.best.score >= plain.best.score + 10
    assert small.match("残疾人交通补贴").best.score == deaf.match("残疾人交通补贴").best.score  # heard right: as before


def test_close_neighbours_are_offered_together(small):
    m = small.match("居住证")
    assert m.status == CLARIFY
    assert {c.id for c in m.candidates[:2]} == {"t-01", "t-02"}


def test_nothing_that_fits_is_none(small):
    for q in ("今天吃什么好", "", "？？？", "abc"):
        assert small.match(q).status == NONE, q


def test_a_service_handled_elsewhere_is_none_with_a_referral(small):
    m = small.match("身份证找不到了要重新做一张")
    assert m.status == NONE and m.referral == "请到派出所办理身份证。" and m.topic == "居民身份证"


def test_a_topic_word_inside_a_real_guide_question_does_not_win(small):
    m = small.match("残疾人交通补贴要带身份证吗")
    assert m.status == ANSWER and m.best.id == "t-03" and m.referral is None


def test_scores_are_ranked_and_bounded(small):
    m = small.match("居住证丢了补办")
    scores = [c.score for c in m.candidates]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)


def test_pick_names_one_of_the_offered_guides(small):
    assert small.pick("补领那个", ["t-01", "t-02"]) == "t-02"
    assert small.pick("挂失", ["t-01", "t-02"]) == "t-01"
    assert small.pick("随便", ["t-01", "t-02"]) is None


# -- a thing only another office issues (an "owned" topic name) --------------------------------------
PASSPORT = Entry("oos-exit-entry", "护照和出入境证件",
                 tuple(make_phrases(["护照"], "owned") + make_phrases(["出国", "出境"], "topic")),
                 referral="护照请到出入境管理部门办理。")


@pytest.fixture(scope="module")
def owned(kb):
    guides = [
        guide(kb, "t-11", "残疾人证换领", ["残疾证换领", "残疾证旧了换一本"], ["证件旧了破了怎么换"]),
        guide(kb, "t-12", "境外人员居住登记", ["外国人住宿登记", "凭护照办理境外人员居住登记"]),
    ]
    return guides


def test_an_owned_name_the_best_guide_never_speaks_of_goes_to_its_office(owned):
    m = Matcher(owned, topics=[PASSPORT]).match("出国用的护照旧了破了怎么换")
    assert m.status == NONE and m.topic == "护照和出入境证件"
    # without the rule the guide's common words (过期, 换, 新) would win: the rule is what decides
    off = Matcher(owned, dataclasses.replace(Matcher(owned).ranker.settings, foreign_share=0.0), topics=[PASSPORT])
    assert off.match("出国用的护照旧了破了怎么换").status != NONE


def test_an_owned_name_our_guide_speaks_of_stays_with_the_guide(owned):
    m = Matcher(owned, topics=[PASSPORT]).match("拿护照怎么做居住登记")
    assert m.status != NONE and m.best.id == "t-12" and m.topic is None


def test_a_question_about_nothing_but_an_owned_thing_goes_to_its_office(owned):
    """拿护照怎么做居住登记 stays ours (above): the guide speaks of 护照 and the question names more. But a
    question whose service words are the owned thing alone asks about that thing, however much a guide speaks
    of it (大厅的电梯 beside 加装电梯)."""
    m = Matcher(owned, topics=[PASSPORT])
    for q in ("护照在哪里办", "护照怎么办理"):
        assert m.match(q).status == NONE and m.match(q).topic == "护照和出入境证件", q
    assert m.match("凭护照办理居住登记在哪里").best.id == "t-12"


def test_the_hall_lift_is_the_halls_and_fitting_a_lift_is_a_guide(matcher):
    asked = matcher.match("电梯在哪边")
    assert asked.status == NONE and asked.topic == "大厅里的设施"
    fitting = matcher.match("老房子加装电梯到哪里申请")
    assert fitting.status == ANSWER and fitting.best.id == "housing-11" and fitting.section == "location"


def test_a_certificate_asked_for_another_offices_business_is_ours(matcher):
    """考编制 / 考公务员 is what the certificate is for: the resident asks for the 户籍证明, which is ours; a
    certificate another office issues (出生证明) stays theirs."""
    for q in ("单位招聘考编制，要我开一张户籍证明", "考公务员政审要开户籍证明"):
        m = matcher.match(q)
        assert m.status != NONE and m.best.id == "residence-12", (q, m)
    born = matcher.match("出生证明去哪开")
    assert born.status == NONE and born.topic == "出生医学证明"


def test_an_answer_to_a_question_about_another_offices_thing_says_so(matcher, kb):
    """我的银行卡密码记不得了 is answered with 社保卡密码重置, whose own words send bank passwords to the bank:
    that is said first, not 可以本人带卡和身份证来中心重置."""
    from kiosk.answer import compose

    m = matcher.match("我的银行卡密码记不得了")
    assert m.status == ANSWER and m.best.id == "sscard-07" and m.foreign == "银行卡密码"
    assert compose(m, kb).text.startswith("社保卡密码重置。银行卡密码要到发卡银行去办。")
    # a thing named in passing is not what the question asks: the guide's own line on moving a hukou now
    # (现在想办理户口迁入上海的，不属于查档) is not said to a resident who wants the old file
    passing = matcher.match("我是知青子女，以前户口迁到上海外婆家，想查一下当年的审批档案")
    assert passing.status == ANSWER and passing.best.id == "archives-07" and passing.foreign == ""
    assert "不属于查档" not in compose(passing, kb).text


def test_a_third_choice_far_below_the_best_is_not_offered(matcher):
    from kiosk.matching.ranker import Settings, offered_count

    st = Settings()
    assert offered_count(st, [26.4, 20.5, 9.4]) == 2  # 生育保险待遇 after two 老年津贴 guides
    assert offered_count(st, [26.4, 20.5, 13.2]) == 3
    assert offered_count(st, [12.0, 3.0, 2.0]) == 2  # a list is never shorter than two
    assert offered_count(st, [12.0]) == 1
    m = matcher.match("阿拉阿爹八十五岁，老年津贴一个号头有几钿")
    assert m.status == CLARIFY and [c.id for c in m.candidates] == ["elderly-01", "elderly-04"]


def test_a_referral_no_word_of_the_question_named_is_said_as_a_guess(matcher, kb):
    from kiosk.answer import compose

    named = matcher.match("护照过期了到哪里换")
    assert named.topic and named.topic_named and compose(named, kb).text.startswith("护照")
    guessed = matcher.match("马路边上捡到一只皮夹子")
    assert guessed.topic == "报警、报案和失物" and not guessed.topic_named
    assert compose(guessed, kb).text.startswith("如果您问的是报警、报案和失物：")


def test_a_bank_named_in_changing_a_cards_bank_is_a_detail_of_that_service(matcher):
    """敬老卡换到建设银行 is 敬老卡…变更发卡银行, not a question for the bank; a bank's own card is the bank's."""
    for q in ("敬老卡换到建设银行", "老年卡想改到农业银行发"):
        m = matcher.match(q)
        assert m.status != NONE and m.best.id == "elderly-03", (q, m)
    own = matcher.match("招商银行的卡丢了要补一张")
    assert own.status == NONE and own.topic == "银行、证券和商业保险"


def test_decide_turns_to_the_topic_only_for_an_unexplained_owned_name():
    from kiosk.matching.ranker import Settings, decide

    st = Settings()
    assert decide(st, [40.0, 10.0], (10.0, True, 0.0), None) == (NONE, "topic")
    assert decide(st, [40.0, 10.0], (10.0, True, 0.9), None) == (ANSWER, "guides")
    assert decide(st, [40.0, 10.0], (10.0, False, 1.0), None) == (ANSWER, "guides")


def test_the_words_of_the_part_asked_still_count_a_little(kb):
    """交多少钱 asks for the fee, and also says the resident is asking about paying: scored on the core
    alone that is lost; a quarter of the score on the whole question brings the paying guide closer."""
    guides = [
        guide(kb, "t-21", "居民医保参保登记", ["参加居民医保", "居民医保参保"]),
        guide(kb, "t-22", "居民医保缴费", ["居民医保缴费"], ["居民医保一年交多少钱"]),
        guide(kb, "t-23", "敬老卡申领", ["敬老卡", "老人卡"]),
    ]
    q = "参加居民医保要交多少钱"

    def gap(core_weight):
        st = dataclasses.replace(Matcher(guides, topics=[]).ranker.settings, core_weight=core_weight)
        scores = {c.id: c.score for c in Matcher(guides, st, topics=[]).match(q).candidates}
        return scores["t-21"] - scores["t-22"]

    assert Matcher(guides, topics=[]).ranker.settings.core_weight < 1.0
    assert gap(0.75) < gap(1.0) - 3


def test_an_owned_name_as_long_as_the_guide_name_heard_still_counts(kb):
    bank = Entry("oos-bank", "银行", tuple(make_phrases(["工商银行", "银行卡密码"], "owned")), referral="请找银行。")
    guides = [guide(kb, "t-31", "社保卡密码重置", ["密码忘了", "社保卡密码重置"]),
              guide(kb, "t-32", "敬老卡申领", ["敬老卡", "老人卡"])]
    m = Matcher(guides, topics=[bank])
    # 银行卡密码 is heard too, and the guide explains most of it (卡密码); 工商银行 it never speaks of
    assert m.match("工商银行的卡密码忘了").status == NONE
    assert m.match("社保卡的密码忘了").best.id == "t-31"


def test_hours_or_address_with_no_service_named_are_the_centres(kb):
    centre = guide(kb, "t-centre", "受理中心办理时间与地点", ["几点开门", "几点下班", "中心地址", "中心电话"])
    m = Matcher(_small_guides(kb) + [centre], topics=[TOPIC])
    for q in ("你们几点下班", "中心几点钟开门", "中心地址在哪里"):
        assert m.match(q).best.id == "t-centre" and m.match(q).status == ANSWER, q
    assert m.match("敬老卡几点下班").best.id == "t-04"   # a service named: that service's
    assert m.match("要带什么材料").status == NONE       # materials of nothing named: nothing to answer
    assert m.match("电话多少").status == NONE           # the answer layer gives the centre's own number


def test_a_pair_is_heard_in_either_order_a_few_characters_apart():
    from kiosk.matching.ranker import PAIR_GAP, pair_heard

    assert pair_heard(("户口", "迁"), "户口从外地迁到本市")
    assert pair_heard(("户口", "迁"), "想迁户口")
    assert pair_heard(("户口", "迁"), "户口" + "一" * PAIR_GAP + "迁")
    assert not pair_heard(("户口", "迁"), "户口" + "一" * (PAIR_GAP + 1) + "迁")
    assert not pair_heard(("户口", "迁"), "户口本丢了")


def test_moving_a_hukou_is_the_police_unless_it_is_background_or_the_guide_speaks_of_it(matcher):
    """户口…迁 asked as the point of the question goes to the police's window; the same act told as background
    to a question about one of our services (医保) stays with that service, and a guide that speaks of the move
    itself (残疾人证迁移) answers it."""
    for q in ("想把老家的户口迁进上海，到哪里去办", "老公的户口怎么转到我家里来"):
        m = matcher.match(q)
        assert m.status == NONE and m.topic == "户口迁移和落户" and m.topic_named, (q, m)
    background = matcher.match("儿子户口刚迁过来，想给他办居民医保，要带什么")
    assert background.status == ANSWER and background.best.id == "medical-01"
    own = matcher.match("我户口迁走了，原来的残疾证怎么办")
    assert own.status == ANSWER and own.best.id == "disability-03"
