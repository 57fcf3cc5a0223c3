"""Pinyin-initial search: the keypad's logic, without Kivy."""
import dataclasses

import pytest

from kiosk.search import EXACT, INSIDE, PREFIX, InitialsIndex, clean_query, initials, primary_initials


def make(base, gid, title, *aliases):
    return dataclasses.replace(base, id=gid, title=title, aliases=tuple(aliases))


@pytest.fixture(scope="module")
def guides(kb):
    base = kb.get("assistance-01")
    return [
        base,
        make(base, "residence-03", "上海市居住证新办（申领）", "居住证", "办居住证"),
        make(base, "residence-04", "居住证签注", "签注"),
        make(base, "general-14", "儿童预防接种证办理指引", "接种证"),
        make(base, "elderly-01", "敬老卡申领、发放（老年综合津贴申领）", "敬老卡", "老年卡"),
        make(base, "bank-01", "副食品价格补贴发放银行卡维护", "改银行卡"),
    ]


def test_initials_follow_usual_readings_and_skip_punctuation():
    assert primary_initials("居住证") == "JZZ"
    assert primary_initials("低保") == "DB"
    assert primary_initials("社会保障卡（新办）") == "SHBZKXB"
    assert primary_initials("A类人才") == "ALRC"
    # 银行 is Y H by the phrase dictionary, and 行 may also be typed X.
    seq = initials("银行卡")
    assert seq[0] == {"Y"} and seq[1] == {"H", "X"} and seq[2] == {"K"}
    assert initials("，。（）123") == ()


def test_clean_query_keeps_letters_only():
    assert clean_query(" j z-z1 ") == "JZZ"


def test_jzz_finds_the_residence_permit_before_names_that_only_contain_it(guides):
    index = InitialsIndex(guides, order=["residence-03"])
    hits = index.search("JZZ")
    assert [h.guide.id for h in hits[:2]] == ["residence-03", "general-14"]
    assert hits[0].name == "居住证" and hits[0].how == EXACT and hits[0].via_alias
    assert {h.guide.id for h in hits} == {"residence-03", "residence-04", "general-14"}
    assert next(h for h in hits if h.guide.id == "residence-04").how == PREFIX


def test_db_finds_minimum_living_allowance_by_its_alias(guides):
    hits = InitialsIndex(guides).search("db")
    assert hits[0].guide.id == "assistance-01" and hits[0].name == "低保"


def test_each_letter_narrows_the_list(guides):
    index = InitialsIndex(guides)
    counts = [len(index.search(q)) for q in ("J", "JZ", "JZZ", "JZZQ")]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > counts[-1] >= 1
    assert [h.guide.id for h in index.search("JZZQZ")] == ["residence-04"]
    assert index.search("JZZQZX") == []


def test_names_that_start_with_the_letters_come_before_names_that_contain_them(guides):
    index = InitialsIndex(guides)
    hits = index.search("Q")
    # 签注 starts with Q; 居住证签注 and others only contain a Q further in.
    assert (hits[0].guide.id, hits[0].name, hits[0].how) == ("residence-04", "签注", PREFIX)
    assert len(hits) >= 2 and all(h.how == INSIDE for h in hits[1:])
    # spelled out whole beats started: 签注 is Q Z exactly
    assert [(h.guide.id, h.name, h.how) for h in index.search("QZ")][:1] == [("residence-04", "签注", EXACT)]
    hit = next(h for h in index.search("ZQ") if h.guide.id == "residence-04")
    assert hit.how == INSIDE


def test_the_list_only_ever_narrows(kb, guides):
    """Every letter keeps a subset of the guides listed before it (real guides and test ones)."""
    for gs in (guides, list(kb.guides)):
        index = InitialsIndex(gs)
        for word in ("JZZQZ", "DBZM", "SBKBL", "JLK", "YLBX"):
            before = {g.id for g in gs}
            for i in range(1, len(word) + 1):
                now = {h.guide.id for h in index.search(word[:i])}
                assert now <= before, word[:i]
                before = now


def test_next_letters_are_exactly_those_that_leave_results(guides):
    index = InitialsIndex(guides)
    for query in ("", "J", "JZ", "JZZ", "D", "YH"):
        allowed = index.next_letters(query)
        for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            assert bool(index.search(query + letter)) == (letter in allowed), (query, letter)


def test_empty_query_lists_nothing(guides):
    assert InitialsIndex(guides).search("") == []
