"""The dialogue tells the question log what it did with every question (Dialogue.on_asked)."""
from __future__ import annotations

import pytest

from staff_helpers import add_second_guide
from kiosk.dialogue import Asked, Dialogue, Heard, ShowChoices, ShowGuide, TappedGuide
from kiosk.knowledge import load_directory
from kiosk.matching import Matcher


@pytest.fixture
def dialogue(guide_dir, centre):
    add_second_guide(guide_dir, {"  - 低收入户\n": "  - 低收入户\n  - 生活困难补助\n"})  # shared: a sure clarify
    kb, _ = load_directory(guide_dir, centre)
    d = Dialogue(kb, Matcher.for_knowledge(kb))
    d.asked = []
    d.on_asked = d.asked.append
    return d


def test_answer_followup_and_none_are_reported(dialogue):
    dialogue.handle(Heard("我想吃低保"), now=1)
    dialogue.handle(Heard("要带什么材料"), now=2)
    dialogue.handle(Heard("楼下哪家面馆味道好"), now=3)
    a, f, n = dialogue.asked
    assert (a.text, a.status, a.guide_id) == ("我想吃低保", "answer", "assistance-01")
    assert a.score == a.candidates[0].score and a.score >= 60
    assert (f.status, f.guide_id, f.section) == ("followup", "assistance-01", "materials")
    assert (n.status, n.guide_id) == ("none", None)


def test_clarify_then_choice(dialogue):
    actions = dialogue.handle(Heard("生活困难补助"), now=1)
    assert any(isinstance(x, ShowChoices) for x in actions)
    dialogue.handle(Heard("第二个"), now=2)
    c, pick = dialogue.asked
    assert c.status == "clarify" and c.guide_id is None
    assert {x.id for x in c.candidates[:2]} == {"assistance-01", "assistance-03"}
    assert pick == Asked("第二个", "choice", c.candidates[1].id, section=None)


def test_none_of_them_is_a_choice_without_a_guide(dialogue):
    dialogue.handle(Heard("生活困难补助"), now=1)
    dialogue.handle(Heard("都不是"), now=2)
    assert dialogue.asked[-1] == Asked("都不是", "choice")


def test_touches_are_not_questions(dialogue):
    dialogue.handle(TappedGuide("assistance-01"), now=1)
    assert dialogue.asked == []


def test_a_failing_log_does_not_stop_the_answer(dialogue):
    def broken(asked):
        raise OSError(28, "No space left on device")

    dialogue.on_asked = broken
    actions = dialogue.handle(Heard("我想吃低保"), now=1)
    assert any(isinstance(x, ShowGuide) and x.guide.id == "assistance-01" for x in actions)


def test_question_log_records_what_the_dialogue_reports(dialogue, tmp_path):
    from kiosk.staff.qlog import QuestionLog, read_log

    qlog = QuestionLog(tmp_path / "log")
    dialogue.on_asked = qlog.record_asked
    question = "我叫王建国，我想吃低保"
    dialogue.handle(Heard(question), now=1)
    rec = read_log(qlog.path).records[0]
    match = dialogue.matcher.match(question)
    assert rec.query == "我叫[姓名]，我想吃低保" and "王建国" not in qlog.path.read_text(encoding="utf-8")
    assert (rec.status, rec.nearest, rec.score) == (match.status, match.best.id, match.best.score)


def test_a_question_pointing_back_at_the_service_in_view_stays_with_it(kb):
    """我有套房子租出去了，还能申请吗 asked of 低保: its conditions, not 住房租赁合同网签备案's, which the let flat names."""
    from kiosk.dialogue import CHOICES, Dialogue, Heard, ShowChoices, ShowGuide, TappedGuide
    from kiosk.matching import Matcher
    from kiosk.matching.sections import refers_back

    assert refers_back("还能申请吗") and refers_back("会不会影响领养老金") and not refers_back("房子租出去了")
    matcher = Matcher.for_knowledge(kb)
    question = "我家有套房子租给别人了，还能申请吗"
    assert matcher.match(question).best.id != "assistance-01"  # alone, the let flat's guide
    d = Dialogue(kb, matcher)
    d.handle(TappedGuide("assistance-01"), now=0)
    shown = [a for a in d.handle(Heard(question), now=1) if isinstance(a, ShowGuide)]
    assert shown == [ShowGuide(kb.get("assistance-01"), "conditions")]
    # while choosing, the list stays and the part is asked of the one picked
    d = Dialogue(kb, matcher)
    listed = [a for a in d.handle(Heard("家里日子过不下去了，低保怎么申请"), now=0) if isinstance(a, ShowChoices)]
    assert listed and kb.get("assistance-01") in listed[0].choices
    acts = d.handle(Heard(question), now=1)
    assert d.state.mode == CHOICES and d.state.section == "conditions"
    assert [a for a in acts if isinstance(a, ShowChoices)][0].choices == listed[0].choices


def test_a_question_whose_own_list_shares_one_guide_with_the_list_on_screen_picks_it(kb):
    """要先备案吗 while 跨省异地就医登记备案 is offered: alone it lists 住房租赁合同网签备案 too; here it means the one."""
    from kiosk.dialogue import Dialogue, Heard, ShowChoices, ShowGuide
    from kiosk.matching import CLARIFY, Matcher

    matcher = Matcher.for_knowledge(kb)
    d = Dialogue(kb, matcher)
    listed = [a for a in d.handle(Heard("人在外地看病，医保怎么用"), now=0) if isinstance(a, ShowChoices)]
    assert listed and kb.get("medical-06") in listed[0].choices
    alone = matcher.match("要先备案吗")
    assert alone.status == CLARIFY and [c.id for c in alone.candidates[:3] if c.id in
                                        {g.id for g in listed[0].choices}] == ["medical-06"]
    shown = [a for a in d.handle(Heard("要先备案吗"), now=1) if isinstance(a, ShowGuide)]
    assert shown and shown[0].guide.id == "medical-06"


def test_how_alone_asks_for_the_steps_of_the_guide_in_view(kb):
    from kiosk.dialogue import Dialogue, Heard, Say, ShowGuide, TappedGuide
    from kiosk.matching import Matcher
    from kiosk.matching.sections import asks_how_only
    from kiosk.matching.text import normalize

    assert asks_how_only(normalize("哪能补")) and asks_how_only(normalize("那具体怎么办呢"))
    assert not asks_how_only(normalize("低保怎么办")) and not asks_how_only(normalize("怎么回事"))
    # a particular verb must be the guide's: 补 is 补领, not the 补贴 of 敬老卡申领's aliases
    assert asks_how_only("怎么补", "敬老卡补领、换领") and not asks_how_only("怎么补", "敬老卡申领 高龄补贴")
    d = Dialogue(kb, Matcher.for_knowledge(kb))
    d.handle(TappedGuide("elderly-02"), now=0)
    shown = [a for a in d.handle(Heard("哪能补"), now=1) if isinstance(a, ShowGuide)]
    assert shown == [ShowGuide(kb.get("elderly-02"), "steps")]
    d.handle(TappedGuide("elderly-01"), now=2)
    acts = d.handle(Heard("哪能补"), now=3)
    shown = [a for a in acts if isinstance(a, ShowGuide)]
    assert ShowGuide(kb.get("elderly-01"), "steps") not in shown
    # ... but the guide about the same card that 补 belongs to, named first since the screen changes
    assert shown == [ShowGuide(kb.get("elderly-02"), "steps")]
    said = [a.text for a in acts if isinstance(a, Say)][-1]
    assert said.startswith(kb.get("elderly-02").short_name)
    # with no such guide (低保 has no 补领 of its own), nothing is forced
    from kiosk.matching.sections import sibling_for
    others = [(g.id, " ".join((g.title, *g.aliases))) for g in kb.guides if g.id != "assistance-01"]
    assert sibling_for("补", kb.get("assistance-01").short_name, others) is None
