"""kiosk eval: the baseline in the same run, leave-one-out, homophone garbling and cross-validated thresholds."""
from __future__ import annotations

ROWS = "query\texpected\tsection\tkind\n敬老卡丢了怎么补\telderly-02\t\tcolloquial\n低保每个月能领多少钱\tassistance-01\tbenefits\t\n" \
       "明天会下雨吗\tNONE\t\toos\n"


def test_eval_prints_the_matcher_next_to_a_plain_bm25(tmp_path, cli):
    f = tmp_path / "q.tsv"
    f.write_text(ROWS, encoding="utf-8")
    res = cli("eval", str(f), "--misses", "0")
    assert res.code == 0, res.err
    assert "rows: 3 (2 in scope, 1 NONE)" in res.out
    assert "baseline (plain BM25" in res.out and "matcher top-1  BM25 top-1" in res.out
    assert "section accuracy (labelled rows): 100.0%  (1/1)" in res.out
    assert "top-1, kind colloquial:" in res.out


def test_eval_loo_garble_and_tune(tmp_path, cli):
    f = tmp_path / "q.tsv"
    f.write_text(ROWS, encoding="utf-8")
    res = cli("eval", str(f), "--loo", "--folds", "3", "--garble", "0.15", "--seed", "2", "--tune", "--misses", "0")
    assert res.code == 0, res.err
    assert "== LOO, 3 folds, garbled 0.15 seed 2" in res.out
    assert "5-fold cross-validation of the decision" in res.out and "held out" in res.out
    assert "chosen on all: answer_score" in res.out
    again = cli("eval", str(f), "--garble", "0.15", "--seed", "2", "--misses", "0")
    assert _table(again.out)[0] == _table(res.out)[0]  # the same garbling in another run


def _table(out: str) -> list[str]:
    lines = out.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("set ") and "BM25 top-1" in ln)
    return lines[at + 1:]


def test_eval_needs_a_file_or_loo(cli):
    res = cli("eval")
    assert res.code != 0 and "--loo" in res.err
