"""The team's own question files: independent of the shared dev sets, and the out-of-scope file answered `none`.

tests/data/none_queries.tsv (questions no guide serves; `make eval` runs it) and tests/data/regression.tsv
(reviewed questions and their guides) are written by the team. The dev sets in ../shared/eval measure the
matcher; a test file that quotes them would make that measurement meaningless, so no row here may be within
85% (rapidfuzz ratio on normalised text) of a dev question.
"""
from __future__ import annotations

import pytest
from conftest import ROOT, SHARED

from kiosk.evaluation import NONE_LABEL, read_rows
from kiosk.matching import NONE

NONE_QUERIES = ROOT / "tests" / "data" / "none_queries.tsv"
REGRESSION = ROOT / "tests" / "data" / "regression.tsv"
DEV_SETS = [SHARED / "eval" / "dev_queries.tsv", SHARED / "eval" / "dev2_queries.tsv"]
TOO_CLOSE = 85.0


def _forms(text: str) -> set[str]:
    """The text as the matcher sees it: cleaned, and cleaned without filler words."""
    from kiosk.matching.text import clean, strip_fillers

    c = clean(text)
    return {c, strip_fillers(c)}


def too_close(rows: list[str], dev: list[str], limit: float = TOO_CLOSE) -> list[tuple[str, str, float]]:
    """(row, dev question, score) for every row within `limit` of a dev question."""
    from rapidfuzz import fuzz, process

    dev_forms = [(f, q) for q in dev for f in _forms(q)]
    choices = [f for f, _ in dev_forms]
    found = []
    for row in rows:
        best = max((process.extractOne(f, choices, scorer=fuzz.ratio) for f in _forms(row)),
                   key=lambda hit: hit[1])
        if best[1] >= limit:
            found.append((row, dev_forms[best[2]][1], round(best[1], 1)))
    return found


@pytest.fixture(scope="module")
def dev_questions() -> list[str]:
    for path in DEV_SETS:
        assert path.is_file(), f"{path}: CI and developers have ../shared beside the project"
    questions = [r.query for path in DEV_SETS for r in read_rows(path)]
    assert len(questions) > 500
    return questions


def test_the_similarity_check_catches_copies_and_near_copies(dev_questions):
    # Guards the guard: a verbatim dev question, one with a filler and punctuation added, and one with a
    # character changed must all be caught; a sentence of our own must not.
    q = max(dev_questions[:40], key=len)
    near = q[:-1] + ("吗" if q[-1] != "吗" else "呢")
    assert [r for r, _, _ in too_close([q, "请问，" + q + "？", near], dev_questions)] == [q, "请问，" + q + "？", near]
    assert too_close(["楼下哪家面馆味道好"], dev_questions) == []


TRAINING = sorted((ROOT / "tests" / "data" / "scope-train").glob("*.tsv"))


@pytest.mark.parametrize("path", [NONE_QUERIES, REGRESSION, *TRAINING], ids=lambda p: p.name)
def test_no_row_is_within_85_percent_of_a_dev_question(path, dev_questions):
    rows = [r.query for r in read_rows(path)]
    assert len(rows) >= 20
    assert too_close(rows, dev_questions) == []


def test_every_out_of_scope_question_is_answered_none(matcher):
    rows = read_rows(NONE_QUERIES)
    assert len(rows) >= 20 and all(r.expected == NONE_LABEL for r in rows)
    answered = []
    for r in rows:
        m = matcher.match(r.query)
        if m.status != NONE:
            answered.append(f"{r.line}: {r.query} -> {m.status} {[c.id for c in m.candidates[:2]]}")
    assert answered == []


def test_make_eval_runs_files_that_exist():
    import re

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    block = makefile.split("\neval:", 1)[1].split("\n\n", 1)[0]
    paths = re.findall(r"\$\(KIOSK\) eval ((?:[^\s\\]+(?:\s*\\\n\s*|[ \t]+)?)+)", block)
    paths = [p for group in paths for p in group.replace("\\", " ").split()]
    assert "tests/data/none_queries.tsv" in paths
    for p in paths:
        assert (ROOT / p).resolve().is_file(), p


def _chinese_literals(path) -> list[tuple[int, str]]:
    """(line, text) of every string literal in a Python file with at least 6 Chinese characters."""
    import ast
    import re

    cjk = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and len(cjk.findall(node.value)) >= 6]


def test_no_test_file_quotes_a_dev_question(dev_questions):
    # Test sentences are the team's own: a dev question pasted into a test (or reworded by a character or
    # two) would let the matcher be tuned on what measures it.
    found = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        literals = _chinese_literals(path)
        for row, dev, score in too_close(sorted({text for _, text in literals}), dev_questions):
            lines = [line for line, text in literals if text == row]
            found.append(f"tests/{path.name}:{lines[0]}: {row!r} ~ {dev!r} ({score})")
    assert found == []


def test_the_test_file_scan_reads_literals_of_six_chinese_characters_or_more(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('A = "五个汉字呀"\nB = f"六个汉字在这{A}"\nC = ["七个汉字写在这里", "ab今天天气"]\n', encoding="utf-8")
    assert [text for _, text in _chinese_literals(sample)] == ["六个汉字在这", "七个汉字写在这里"]
