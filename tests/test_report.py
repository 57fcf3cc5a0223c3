"""kiosk report: unanswered questions grouped by wording and nearest guide, top guides, busy hours."""
from __future__ import annotations

import csv
import datetime as dt

import pytest

from kiosk.matching import group_similar
from kiosk.staff.qlog import QuestionLog, read_log
from kiosk.staff.report import build_report, render_html, render_text

DAY = dt.datetime(2026, 3, 2)  # a Monday


def _records(tmp_path):
    """A small log: what a morning at the kiosk could look like."""
    times = iter(DAY + dt.timedelta(hours=h, minutes=m) for h, m in
                 [(9, 1), (9, 5), (9, 20), (9, 40), (10, 2), (10, 30), (10, 31), (14, 0), (14, 10), (14, 15),
                  (16, 0), (16, 1)])
    qlog = QuestionLog(tmp_path / "log", now=lambda: next(times))
    c = [("assistance-01", 58.0), ("assistance-02", 50.0)]
    qlog.record("老人卡丢掉了怎么弄", "none", None, 40, None, [("elderly-02", 40.0)])
    qlog.record("老年卡丢了咋办", "none", None, 41, None, [("elderly-02", 41.0)])
    qlog.record("请问老人卡丢掉了怎么弄", "none", None, 40, None, [("elderly-02", 40.0)])
    qlog.record("低保证明开哪种", "clarify", None, 70, None, [("assistance-02", 70.0), ("assistance-01", 66.0)])
    qlog.record("低保怎么吃", "answer", "assistance-01", 88, None, c)
    qlog.record("低保户开证明", "clarify", None, 68, None, [("assistance-02", 68.0), ("assistance-04", 63.0)])
    qlog.record("我叫张建国手机13812345678低保", "answer", "assistance-01", 80, None, c)
    qlog.record("第二个", "choice", "assistance-02")
    qlog.record("要带什么材料", "followup", "assistance-02", None, "materials")
    qlog.record("这周末会下雨吗", "none")
    qlog.record("低保要什么材料", "answer", "assistance-01", 90, "materials", c)
    qlog.record("老人卡掉了", "none", None, 39, None, [("elderly-02", 39.0)])
    return qlog


def test_report_groups_unanswered_questions_and_counts_the_rest(tmp_path, kb):
    qlog = _records(tmp_path)
    rep = build_report(read_log(qlog.path).records, kb)
    assert rep.records == 12 and rep.statuses["none"] == 5 and rep.statuses["clarify"] == 2
    first = rep.groups[0]
    assert first.count == 4 and first.wording == "老人卡丢掉了怎么弄"
    assert {t for t, _ in first.variants} == {"老年卡丢了咋办", "老人卡掉了"}
    assert first.nearest == [("elderly-02", 4)] and first.suggestion == "老人卡丢掉了"  # as said, not as folded
    # the two 低保 证明 wordings fall together, apart from the weather
    wordings = [sorted([g.wording, *(t for t, _ in g.variants)]) for g in rep.groups]
    assert sorted(["低保证明开哪种", "低保户开证明"]) in wordings and ["这周末会下雨吗"] in wordings
    near = {n.guide: n for n in rep.near}
    assert near["elderly-02"].count == 4 and near["assistance-02"].count == 2
    assert set(near["assistance-02"].rivals) == {"assistance-01", "assistance-04"}
    assert rep.top_guides == [("assistance-01", 3), ("assistance-02", 1)]
    assert rep.hours[9] == 4 and rep.hours[10] == 3 and rep.hours[14] == 3 and sum(rep.hours) == 12
    assert rep.weekdays[0] == 12


def test_text_report_is_in_chinese_and_names_the_guides(tmp_path, kb):
    rep = build_report(read_log(_records(tmp_path).path).records, kb)
    text = "\n".join(render_text(rep))
    assert "共 12 个问题" in text and "没有找到 5（41.7%）" in text
    assert "1. 老人卡丢掉了怎么弄  ×4（没有找到 4）" in text
    assert "可考虑的别名：老人卡丢掉了" in text
    assert "assistance-01 城乡居民最低生活保障申请  3 次" in text
    assert "09时 " in text and "张建国" not in text and "13812345678" not in text
    assert f"最接近：elderly-02 {rep.title('elderly-02')}" in text  # title, or 已不在指南中 when not loaded


def test_empty_log_says_so(kb):
    assert render_text(build_report([], kb)) == ["问题记录中没有符合条件的问题。"]


def test_html_escapes_what_residents_typed(tmp_path, kb):
    qlog = QuestionLog(tmp_path / "log")
    qlog.record("<script>alert(1)</script>低保", "none", None, 10, None, [("assistance-01", 10.0)])
    page = render_html(build_report(read_log(qlog.path).records, kb))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>")


def test_report_cli_since_csv_html_and_review(tmp_path, cli, capsys):
    qlog = _records(tmp_path)
    later = QuestionLog(tmp_path / "log", now=lambda: DAY + dt.timedelta(days=3, hours=11))
    later.record("居住证怎么办", "none", None, 30, None, [("residence-03", 30.0)])
    out_csv, out_html, review = tmp_path / "r.csv", tmp_path / "r.html", tmp_path / "review.tsv"
    res = cli("report", "--log", str(qlog.path), "--csv", str(out_csv), "--html", str(out_html),
              "--export-review", str(review))
    assert res.code == 0, res.err
    assert "共 13 个问题" in res.out
    rows = list(csv.reader(out_csv.open(encoding="utf-8-sig")))
    assert rows[0][:4] == ["部分", "序号", "内容", "次数"]
    assert ["未答问题", "1", "老人卡丢掉了怎么弄", "4"] == rows[1][:4]
    assert sum(1 for r in rows if r[0] == "繁忙时段") == 24
    assert "老人卡丢掉了怎么弄" in out_html.read_text(encoding="utf-8")
    lines = [ln for ln in review.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    assert lines[0] == "query\texpected\tsection\tnote"
    assert lines[1].startswith("老人卡丢掉了怎么弄\t?elderly-02\t\t这样问过 2 次（同类 4 次：没有找到 4）")
    assert any(ln.startswith("低保证明开哪种\t?assistance-02\t") for ln in lines)
    since = cli("report", "--log", str(qlog.path), "--since", "2026-03-04")
    assert "共 1 个问题" in since.out and "居住证怎么办" in since.out
    bad = cli("report", "--log", str(qlog.path), "--since", "3月4日")
    assert bad.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err  # argparse usage error
    missing = cli("report", "--log", str(tmp_path / "none.jsonl"))
    assert missing.code == 2 and "找不到问题记录" in missing.err


@pytest.mark.parametrize("text,alias", [
    ("失业金怎么领", "失业金"), ("请问长护险怎么申请呀", "长护险"), ("老人卡丢了要带什么材料", "老人卡丢了"),
    ("要带什么材料", "要带什么材料"), ("退休工资哪能领", "退休工资"),  # not 养老金, the word it is compared as
])
def test_alias_suggestion_is_a_piece_the_resident_said(text, alias):
    from kiosk.matching.grouping import alias_suggestion

    assert alias_suggestion(text) == alias


@pytest.mark.parametrize("texts,groups", [
    (["低保怎么申请", "申请低保", "请问低保怎么申请呀"], [[0, 1, 2]]),
    (["低保", "低保证明"], [[0], [1]]),
    (["", "", "低保"], [[0], [1], [2]]),
])
def test_group_similar(texts, groups):
    assert sorted(group_similar(texts)) == sorted(groups)


def test_what_residents_said_to_the_kiosk_is_counted_with_a_hint_for_the_speech_rate(tmp_path, kb):
    from kiosk.dialogue import Dialogue, Heard
    from kiosk.matching import Matcher

    qlog = QuestionLog(tmp_path / "log")
    d = Dialogue(kb, Matcher.for_knowledge(kb))
    d.on_asked = qlog.record_asked  # as the app wires it
    for i, text in enumerate(["敬老卡怎么办", "没听清，再说一遍", "说慢一点", "要带什么", "再说一遍", "不是这个", "谢谢"]):
        d.handle(Heard(text), now=i)
    records = read_log(qlog.path).records
    assert [r.status for r in records].count("command") == 5
    rep = build_report(records, kb)
    assert rep.commands == {"repeat": 2, "slower": 1, "not_it": 1, "thanks": 1}
    text = "\n".join(render_text(rep))
    assert "五、居民对终端说的话" in text and "再说一遍 2 次" in text and "speech.rate" in text
    page = render_html(rep)
    assert "居民对终端说的话" in page and page.endswith("</html>")
    quiet = build_report([r for r in records if r.status != "command"], kb)
    assert "居民对终端说的话" not in "\n".join(render_text(quiet))
    # the voice commands are named too, and only they said: no empty line (they had been left out)
    loud = Dialogue(kb, Matcher.for_knowledge(kb))
    qlog2 = QuestionLog(tmp_path / "log2")
    loud.on_asked = qlog2.record_asked
    for i, text in enumerate(["敬老卡怎么办", "声音大一点", "讲大声点", "别说了"]):
        loud.handle(Heard(text), now=i)
    lines = render_text(build_report(read_log(qlog2.path).records, kb))
    said = lines[lines.index("五、居民对终端说的话") + 1]
    assert "声音大一点 2 次" in said and "别说了 1 次" in said and "speech.volume" in "\n".join(lines)
