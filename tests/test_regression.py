"""The regression file: reviewed questions must keep reaching their guide; and how it grows."""
from __future__ import annotations

from conftest import ROOT
from kiosk.evaluation import NONE_LABEL, read_rows
from kiosk.staff.regression import add_reviewed, check_row, run_file

REGRESSION = ROOT / "tests" / "data" / "regression.tsv"


def test_every_reviewed_question_still_reaches_its_guide(kb, matcher):
    outcomes, left_out = run_file(REGRESSION, kb, matcher)
    failed = [o.describe() for o in outcomes if not o.ok]
    assert failed == []
    # The shipped knowledge base has every guide the file names: no row may be left out unchecked.
    assert left_out == 0
    assert len(outcomes) == len(read_rows(REGRESSION)) >= 100
    assert any(o.row.expected == NONE_LABEL for o in outcomes)
    assert any(o.row.expected != NONE_LABEL and o.row.section for o in outcomes)


def test_every_row_names_a_catalogue_guide_or_none():
    from kiosk.knowledge import read_catalogue

    ids = {r.id for r in read_catalogue(ROOT / "guides" / "catalogue.tsv")} | {NONE_LABEL}
    rows = read_rows(REGRESSION)
    assert [r for r in rows if r.expected not in ids] == []
    assert len({r.query for r in rows}) == len(rows)


def test_a_row_fails_when_the_guide_or_section_is_wrong(matcher):
    from kiosk.evaluation import Row

    assert check_row(Row("吃低保要准备哪些材料", "assistance-01", "materials", 1), matcher).ok
    wrong_section = check_row(Row("吃低保要准备哪些材料", "assistance-01", "fees", 2), matcher)
    assert not wrong_section.ok and "[materials]" in wrong_section.got
    assert not check_row(Row("吃低保要准备哪些材料", NONE_LABEL, None, 3), matcher).ok
    assert not check_row(Row("这周末会下雨吗", "assistance-01", None, 4), matcher).ok


REVIEW = """\
# 审核过的问题
query\texpected\tsection\tnote
低保怎么吃\tassistance-01\t\t问过 3 次
我想问问低保要带啥\tassistance-01\tmaterials\t
这周末会下雨吗\tNONE\t\t
还没审核的问题\t?assistance-01\t\t
没填的\t\t\t
不存在的指南\tnothing-99\t\t
部分写错\tassistance-01\tmoney\t
陪我聊聊天吧\tassistance-01\t\t答错的
"""


def test_add_appends_reviewed_rows_the_matcher_gets_right(tmp_path, kb, matcher, cli):
    review = tmp_path / "review.tsv"
    review.write_text(REVIEW, encoding="utf-8")
    target = tmp_path / "regression.tsv"
    res = add_reviewed(review, target, kb, matcher)
    assert [r.query for r in res.added] == ["低保怎么吃", "我想问问低保要带啥", "这周末会下雨吗"]
    assert [o.row.query for o in res.failing] == ["陪我聊聊天吧"]
    assert res.unreviewed == 2 and len(res.invalid) == 2 and res.duplicates == 0
    assert target.read_text(encoding="utf-8").splitlines() == [
        "query\texpected\tsection", "低保怎么吃\tassistance-01\t", "我想问问低保要带啥\tassistance-01\tmaterials",
        "这周末会下雨吗\tNONE\t"]
    again = add_reviewed(review, target, kb, matcher)
    assert again.added == [] and again.duplicates == 3
    outcomes, _ = run_file(target, kb, matcher)
    assert len(outcomes) == 3 and all(o.ok for o in outcomes)


def test_regression_cli_check_and_add(tmp_path, cli):
    review = tmp_path / "review.tsv"
    review.write_text(REVIEW, encoding="utf-8")
    target = tmp_path / "regression.tsv"
    res = cli("regression", "add", str(review), "--file", str(target))
    assert res.code == 1  # one row is answered wrongly and two are invalid: staff must act
    assert "陪我聊聊天吧" in res.out and "没有编号为 nothing-99 的指南" in res.out
    assert res.err.startswith("已加入 3 行")
    ok = cli("regression", "check", "--file", str(target))
    assert (ok.code, ok.out, ok.err) == (0, "", "3/3 行通过。\n")
    with open(target, "a", encoding="utf-8") as fh:
        fh.write("陪我聊聊天吧\tassistance-01\t\n")
    bad = cli("regression", "check", "--file", str(target))
    assert bad.code == 1 and "陪我聊聊天吧" in bad.out and bad.err == "3/4 行通过。\n"
    missing = cli("regression", "check", "--file", str(tmp_path / "nope.tsv"))
    assert missing.code == 2 and "找不到文件" in missing.err
