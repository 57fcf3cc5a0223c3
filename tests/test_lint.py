"""kiosk lint: shared names, names the matcher confuses (by characters or by pinyin), the model hook."""
from __future__ import annotations

import types

import pytest

from staff_helpers import add_second_guide
from kiosk.knowledge import Problem, load_directory
from kiosk.matching import Matcher
from kiosk.staff.lint import ModelCheckUnavailable, confusable_names, model_words, shared_names

ALIASES = "  - 低收入户\n"


def _line(path, text):
    return next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if ln == f"  - {text}")


@pytest.fixture
def two(guide_dir, centre):
    """assistance-03 also claims 低保 (same characters) and 最低生活保章 (sounds like 最低生活保障)."""
    second = add_second_guide(guide_dir, {ALIASES: ALIASES + "  - 低 保\n  - 最低生活保章\n"})
    kb, problems = load_directory(guide_dir, centre)
    assert len(kb) == 2
    return kb, guide_dir / "assistance" / "assistance-01.yaml", second


def test_shared_names_even_when_written_differently(two):
    kb, first, second = two
    found = [f.problem for f in shared_names(kb)]
    assert found == [
        Problem(str(first), _line(first, "低保"), "“低保”与 assistance-03（低收入困难家庭认定申请）的“低 保”对终端是"
                "同一个叫法；居民这样说时终端只能请他再选一次。如果不是有意的，请只留在最合适的指南里", "warning"),
        Problem(str(second), _line(second, "低 保"), "“低 保”与 assistance-01（城乡居民最低生活保障申请）的“低保”对终端"
                "是同一个叫法；居民这样说时终端只能请他再选一次。如果不是有意的，请只留在最合适的指南里", "warning"),
    ]


def test_confusable_names_use_the_matchers_own_scoring(two):
    kb, first, second = two
    matcher = Matcher.for_knowledge(kb)
    found = {(f.problem.path, f.problem.line): f.problem.message for f in confusable_names(kb, matcher)}
    homophone = found[(str(second), _line(second, "最低生活保章"))]
    assert homophone.startswith("别名“最低生活保章”")
    assert "读音相同（assistance-01 的“最低生活保障”）" in homophone
    same = found[(str(second), _line(second, "低 保"))]
    assert "写法相同（assistance-01 的“低保”）" in same
    # every finding is something the matcher really does: not answered with the guide's own id
    for f in confusable_names(kb, matcher):
        text = f.problem.message.split("“")[1].split("”")[0]
        m = matcher.match(text)
        owner = "assistance-01" if f.problem.path == str(first) else "assistance-03"
        assert not (m.status == "answer" and m.best.id == owner)
    # and a name the matcher answers with its own guide is not reported
    assert not any("“低收入认定”" in msg for msg in found.values())


def test_no_findings_for_a_single_clean_guide(guide_dir, centre, cli):
    res = cli("lint", "--guides", str(guide_dir))
    assert res.code == 0, res.out
    assert res.out == "" and res.err == "检查了 1 个指南：多个指南共用的叫法 0 处，容易混淆的名称 0 处。\n"


def test_lint_cli_lists_findings_by_kind(two, cli):
    kb, first, second = two
    res = cli("lint", "--guides", str(first.parent.parent))
    assert res.code == 1
    lines = res.out.splitlines()
    assert lines[0] == "== 多个指南共用的叫法：2 处 =="
    assert lines[3].startswith("== 容易混淆的名称（终端需要再问一次或会答错）：")
    assert all(ln.startswith(str(first.parent)) for ln in lines if not ln.startswith("=="))


def test_model_check_unavailable_is_reported_clearly(guide_dir, cli, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "kiosk.speech.grammar", None)  # as in a build without the reader
    res = cli("lint", "--guides", str(guide_dir), "--model", "models/none")
    assert res.code == 2
    assert "语音模型检查不可用（model check unavailable）" in res.err and "kiosk.speech.grammar" in res.err


def test_model_hook_reports_what_the_real_grammar_module_finds(guide_dir, centre, tmp_path):
    """With a model whose word list lacks 吃 and 户, lint names exactly the aliases using them, each at its
    own line of the file (the guide's line map, not a reread)."""
    kb, _ = load_directory(guide_dir, centre)
    (guide,) = kb.guides
    model = tmp_path / "cn-model"
    (model / "graph").mkdir(parents=True)
    words = {ch for text in (guide.title, *guide.aliases) for ch in text} - {"吃", "户"}
    (model / "graph" / "words.txt").write_text("".join(f"{w} {i}\n" for i, w in enumerate(sorted(words))),
                                               encoding="utf-8")
    found = model_words(kb, model)
    assert {f.kind for f in found} == {"model"}
    path = guide_dir / "assistance" / "assistance-01.yaml"
    expected = {(_line(path, a), a) for a in guide.aliases if "吃" in a or "户" in a}
    assert len(expected) >= 2
    got = {(f.problem.line, f.problem.message.split("“")[1].split("”")[0]) for f in found}
    assert got == expected
    assert all(f.problem.path == str(path) for f in found)

    def broken(model):
        raise OSError("找不到模型 models/cn")

    with pytest.raises(ModelCheckUnavailable, match="读不出模型 models/cn 的词表"):
        model_words(kb, "models/cn", importer=lambda name: types.SimpleNamespace(
            vocabulary=broken, unknown_word_problems=lambda kb_, vocab: []))
    with pytest.raises(ModelCheckUnavailable, match="kiosk.speech.grammar"):
        model_words(kb, "models/cn", importer=lambda name: types.SimpleNamespace())


def test_issuers_lists_documents_no_guide_says_who_issues(centre, cli):
    from conftest import ROOT
    from kiosk.staff.lint import ISSUER, unsaid_issuers

    kb, _ = load_directory(ROOT / "guides", centre)
    listed = unsaid_issuers(kb)
    found = [f for f in listed if f.problem.path.endswith("general-06.yaml")]
    said = " ".join(f.problem.message for f in found)
    assert all(f.kind == ISSUER for f in listed)
    assert any("“婚姻状况证明”" in f.problem.message for f in listed
               if f.problem.path.endswith("assistance-01.yaml"))  # no guide says who issues it
    assert not any("“火化证明”" in f.problem.message for f in listed)  # 身后一件事's steps say it for all
    assert "居民死亡医学证明" not in said   # its steps say: the hospital
    assert "火化证明" not in said           # ... and: 联系殡仪馆办理遗体火化，取得火化证明
    assert "亲属关系证明" not in said       # another guide here issues it (户籍证明开具)
    res = cli("lint", "--guides", str(ROOT / "guides"), "--skip-confusable", "--issuers")
    assert res.code == 1 and "== 没写在哪里开的证明材料" in res.out
    assert res.err.endswith(f"没写在哪里开的证明材料 {len(unsaid_issuers(kb))} 处。\n")
