"""The BM25F index, the char+pinyin fusion, life events, the CV'd decision and determinism across processes."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, SHARED
from kiosk.matching import ANSWER, CLARIFY, NONE, Matcher, Settings
from kiosk.matching.index import FieldIndex, IndexSettings, top_k


def _index(docs, **kw):
    return FieldIndex(docs, {"title": 3.0, "body": 1.0}, IndexSettings(**kw))


def test_scores_only_documents_that_share_a_term_and_prefer_the_heavier_field():
    ix = _index([[("title", "居住证")], [("body", "居住证")], [("title", "敬老卡")]])
    s = ix.fused("居住证")
    assert s[2] == 0.0 and s[0] > s[1] > 0.0
    assert 0.0 < s.max() < 1.0  # a share of the question's information


def test_a_rare_term_outweighs_a_common_one():
    docs = [[("body", "申请补贴")], [("body", "申请低保")], [("body", "申请居住证")], [("body", "申请敬老卡")]]
    s = _index(docs).fused("低保申请")
    assert top_k(s, 1) == [1]


def test_pinyin_view_hears_homophones_and_fusion_weighs_the_views():
    ix = _index([[("title", "居住证")], [("title", "敬老卡")]], char_weight=0.0)
    char, pin = ix.scores("居住正")
    assert pin[0] > 0.9 * pin.max() and pin[0] > char[0]  # 正 and 证 sound alike (zheng)
    assert char[0] > 0.0  # the characters 居住 still match
    only_char = _index([[("title", "居住证")], [("title", "敬老卡")]], char_weight=1.0).fused("居住正")
    assert only_char[0] == pytest.approx(char[0])


def test_a_misheard_character_is_read_by_its_sound_in_the_character_view():
    docs = [[("title", "居住证补领")], [("title", "敬老卡申领")], [("title", "残疾人交通补贴")]]
    clean = _index(docs, char_weight=0.7).fused("居住证补领")
    off, half, full = (_index(docs, char_weight=0.7, misheard_credit=c).fused("居住正补领") for c in (0.0, 0.5, 1.0))
    # 正 is in no document but its sound (zheng, as 证) is: it no longer sinks the character view
    assert off[0] < half[0] < full[0]
    assert full[0] == pytest.approx(clean[0])  # here the sound terms are exactly as rare as the characters
    assert top_k(half, 1) == [0] and half[1] == pytest.approx(clean[1])
    # a question heard right is scored as before
    assert np.allclose(_index(docs, char_weight=0.7, misheard_credit=1.0).fused("居住证补领"), clean)


def test_only_character_terms_no_document_has_but_whose_sound_one_has_count_as_misheard():
    from kiosk.matching.index import _code_points, is_char_key, misheard_terms, term_keys

    ix = _index([[("title", "居住证补领")], [("title", "敬老卡申领")]])

    def char_terms(text):
        k = term_keys(_code_points(text))
        return set(k[is_char_key(k)].tolist())

    def misheard(text):
        keys = np.unique(term_keys(_code_points(text)))
        mask, sounds = misheard_terms(text, keys, ix.document_frequency(keys))
        return set(keys[mask].tolist()), sounds.sum()

    assert misheard("居住证") == (set(), 0.0)  # every character term is in a document
    # 正 and 住正: no document has them, but 证 and 住证 sound the same
    assert misheard("居住正") == (char_terms("住正") - char_terms("住"), 2.0)
    assert misheard("喝牛奶") == (set(), 0.0)  # no document has these sounds either: an unknown word, not misheard


def test_segments_give_the_same_scores_as_one_segment(monkeypatch):
    import kiosk.matching.index as index

    docs = [[("title", t), ("body", "办理" + t)] for t in ("低保", "居住证", "敬老卡", "残疾人证", "社保卡")]
    whole = _index(docs).fused("社保卡怎么办理")
    monkeypatch.setattr(index, "SEGMENT", 2)
    split = _index(docs)
    assert len(split.segments) == 3
    assert np.allclose(split.fused("社保卡怎么办理"), whole)


def test_top_k_breaks_ties_by_position():
    assert top_k(np.array([1.0, 2.0, 2.0, 0.5, 2.0]), 2) == [1, 2]
    assert top_k(np.array([0.0, 3.0, 3.0]), 1, np.array([2, 1])) == [1]


def test_a_life_event_offers_its_guides_best_first(kb):
    from kiosk.knowledge.events import Event

    event = Event("birth", "添丁", ("添丁进口", "喜得贵子", "喜得千金"), ("family-01", "family-03", "sscard-08"))
    m = Matcher(kb.guides, events=[event])
    got = m.match("喜得贵子")
    assert got.status == CLARIFY and got.event == "添丁"
    assert {c.id for c in got.candidates} <= set(event.guides) and len(got.candidates) >= 2
    named = m.match("喜得贵子，新生儿社保卡怎么办")
    assert named.best.id == "sscard-08"  # the guide the question names comes first


def test_a_bundle_that_is_itself_a_guide_is_answered_with_it(kb):
    from kiosk.knowledge.events import Event

    event = Event("birth", "出生一件事", ("添丁进口", "喜得贵子", "喜得千金"), ("family-01", "family-08", "sscard-08"))
    got = Matcher(kb.guides, events=[event]).match("喜得贵子")
    assert got.status == "answer" and got.best.id == "family-08" and got.event == "出生一件事"


def test_events_file_loads_and_reports_problems_with_lines(tmp_path, kb):
    from kiosk.knowledge.events import load_events, parse_events

    events, problems = load_events(ROOT / "guides", [g.id for g in kb.guides])
    assert problems == [] and len(events) >= 10
    assert all(len(e.guides) >= 2 for e in events)
    text = "- id: x\n  title: 某件事\n  situations: [一, 二, 三]\n  guides: [assistance-01, nope-01]\n- id: y\n  title: t\n"
    got, problems = parse_events(text, "events.yaml", [g.id for g in kb.guides])
    assert got == []
    assert [str(p) for p in problems] == ["events.yaml:4: 没有这些指南：nope-01",
                                          "events.yaml:4: 一件事至少要有 2 个指南",
                                          "events.yaml:5: 缺少字段 situations、guides"]


def test_the_decision_follows_its_thresholds(kb):
    strict = Matcher(kb.guides, Settings(none_score=999.0, answer_score=999.5))
    assert strict.match("低保怎么申请").status == NONE
    lenient = Matcher(kb.guides, Settings(none_score=1.0, answer_score=1.0, clarify_margin=0.0))
    assert lenient.match("低保怎么申请").status == "answer"
    listing = Matcher(kb.guides, Settings(none_score=1.0, answer_score=999.5))
    assert listing.match("低保怎么申请").status == CLARIFY


def test_replayed_decision_equals_the_matcher(kb):
    from kiosk.evaluation import decide, features

    m = Matcher.for_knowledge(kb)
    asked = ["低保怎么申请", "家里老人中风了", "身份证丢了", "晚饭烧啥菜好", "居住证", "残疾人交通补贴要带身份证吗", "添丁"]
    asked += [g.aliases[0] + "要带什么" for g in kb.guides] + [s for g in kb.guides for s in g.situations[:1]]
    statuses = set()
    for q in asked:
        got = m.match(q)
        status, ids = decide(features(m, q, "x"), m.ranker.settings)
        assert (status, ids) == (got.status, tuple(c.id for c in got.candidates)), q
        statuses.add(status)
    assert statuses == {ANSWER, CLARIFY, NONE}


def test_garble_is_deterministic_and_keeps_the_sound():
    from kiosk.evaluation import garble
    from kiosk.matching.text import syllables

    text = "我想申请城乡居民最低生活保障"
    a, b = garble(text, 0.5, 3), garble(text, 0.5, 3)
    assert a == b and a != text and len(a) == len(text)
    assert garble(text, 0.0, 3) == text
    changed = [(x, y) for x, y in zip(text, a) if x != y]
    assert changed and all(syllables(x) == syllables(y) for x, y in changed)


SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
from kiosk.config import load_config
from kiosk.knowledge import load_directory
from kiosk.evaluation import read_rows
from kiosk.matching import Matcher
kb, _ = load_directory({guides!r}, load_config(env={{}}).centre)
m = Matcher.for_knowledge(kb)
out = []
for f in {files!r}:
    for r in read_rows(f):
        x = m.match(r.query)
        out.append([x.status, x.section, x.event, [(c.id, c.score) for c in x.candidates]])
print(json.dumps(out))
"""


def test_every_answer_is_the_same_under_two_hash_seeds():
    files = [str(SHARED / "eval" / n) for n in ("dev_queries.tsv", "dev2_queries.tsv")]
    files = [f for f in files if os.path.exists(f)]
    assert files, "the shared dev sets are needed for this check"
    script = SCRIPT.format(root=str(ROOT), guides=str(ROOT / "guides"), files=files)
    runs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        res = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, env=env,
                             timeout=300)
        assert res.returncode == 0, res.stderr
        runs.append(json.loads(res.stdout))
    assert len(runs[0]) > 600 and runs[0] == runs[1]


def test_validate_reports_events_file_problems_with_lines(tmp_path, cli):
    import shutil

    guides = tmp_path / "guides"
    shutil.copytree(ROOT / "guides", guides)
    n = len((guides / "events.yaml").read_text(encoding="utf-8").splitlines())
    with open(guides / "events.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: moved\n  title: 某件事\n  situations: [一, 二, 三]\n  guides: [assistance-01, gone-01, general-05]\n")
    res = cli("validate", str(guides))
    assert res.code == 1
    assert f"events.yaml:{n + 4}: 没有这些指南：gone-01" in res.out


def test_a_mix_of_two_texts_costs_one_pass_and_equals_the_mix_of_their_scores():
    from kiosk.matching.index import FieldIndex

    docs = [[("t", "敬老卡申领")], [("t", "居住证补领")], [("t", "低保申请条件")], [("t", "敬老卡补领")]]
    ix = FieldIndex(docs, {"t": 1.0})
    a, b = ix.fused("敬老卡"), ix.fused("敬老卡补领要带什么")
    (mixed,) = ix.fused_mixes(["敬老卡", "敬老卡补领要带什么"], [({0: 0.75, 1: 0.25}, 0)])
    assert np.allclose(mixed, 0.75 * a + 0.25 * b)
    assert mixed.argmax() == 3  # the whole question's 补领 tips 敬老卡补领 over 敬老卡申领


@pytest.mark.parametrize("rows16", [1 << 16, 2])  # 16-bit term rows, and 32-bit past the limit
def test_the_forward_view_scores_a_few_documents_as_the_index_does(monkeypatch, rows16):
    import kiosk.matching.index as index
    from kiosk.matching.index import FieldIndex, ForwardIndex

    monkeypatch.setattr(index, "_ROWS16", rows16)

    docs = [[("t", "敬老卡申领"), ("s", "老人坐车免费")], [("t", "居住证补领")], [], [("t", "低保申请条件")],
            [("t", "敬老卡补领"), ("s", "卡丢了")]]
    def make():
        return FieldIndex(docs, {"t": 2.0, "s": 1.0}, IndexSettings(misheard_credit=0.5))

    ix, fw = make(), ForwardIndex(make())
    assert fw.segments[0][4].dtype == (np.uint16 if rows16 > 2 else np.int32)
    for q in ("敬老卡没了去哪换", "居住正补领", "老人坐车", "天气"):
        at = np.array([4, 0, 2, 1])
        assert np.allclose(fw.fused_at(q, at), ix.fused(q)[at]), q
    assert fw.fused_at("敬老卡", np.array([0, 4])).min() > 0


def _segment_arrays(ix):
    return [(s.start, s.size, s.keys.tolist(), np.diff(s.offsets).tolist(), s.docs.tolist(), s.sat.tolist(),
             s.dense_rows.tolist(), s.dense_df.tolist(), s.dense.tolist()) for s in ix.segments]


_COMMON = [[("title", t), ("body", "办理" + t + "需要带身份证和户口簿")]
           for t in ("低保", "居住证", "敬老卡", "残疾人证", "社保卡", "失业登记", "养老金")] + [[], [("title", "天气")]]


def test_common_terms_kept_dense_turn_back_into_the_same_postings():
    ix = FieldIndex(_COMMON, {"title": 3.0, "body": 1.0})
    seg = ix.segments[0]
    assert len(seg.dense_rows) > 0 and seg.dense.shape == (len(seg.dense_rows), seg.size)
    # a third of the documents or more, and their postings gone
    assert (seg.dense_df * 3 >= seg.size).all() and (np.diff(seg.offsets)[seg.dense_rows] == 0).all()
    assert ((seg.dense > 0).sum(axis=1) == seg.dense_df).all()
    seg.sparsify()
    plain = FieldIndex(_COMMON, {"title": 3.0, "body": 1.0})
    plain.segments[0].sparsify()
    assert not len(seg.dense_rows) and _segment_arrays(ix) == _segment_arrays(plain)
    keys = seg.keys
    first_build = FieldIndex(_COMMON, {"title": 3.0, "body": 1.0})
    assert np.array_equal(first_build.document_frequency(keys), ix.document_frequency(keys))


@pytest.mark.parametrize("question", ["办理低保需要带什么", "身份证和户口簿", "天气", "敬老卡"])
def test_scores_document_frequencies_and_scope_counts_are_the_same_with_dense_rows(monkeypatch, question):
    import kiosk.matching.index as index
    from kiosk.matching.index import _code_points, term_keys
    from kiosk.matching.scope import _postings

    def build(share):
        monkeypatch.setattr(index, "DENSE_SHARE", share)
        return FieldIndex(_COMMON, {"title": 3.0, "body": 1.0})

    sparse, dense = build(2.0), build(0.0)  # no row dense; every row dense
    assert not len(sparse.segments[0].dense_rows)
    assert len(dense.segments[0].dense_rows) == len(dense.segments[0].keys)
    assert np.allclose(dense.fused(question), sparse.fused(question), rtol=0, atol=1e-12)
    keys = np.unique(term_keys(_code_points(question)))
    guides = np.arange(sparse.n) < 7
    for best in (0, 3, 8):
        for a, b in zip(_postings(dense, keys, guides, best), _postings(sparse, keys, guides, best)):
            assert np.array_equal(a, b)


def test_views_built_in_the_same_pass_equal_indexes_of_their_own(monkeypatch):
    """The second stage's field groups are cut from the first stage's pass over all documents: each view must
    be the index its fields of the first view_docs documents alone would give (lengths averaged over those),
    also across segments and with documents after them (topics) that have the same fields."""
    import kiosk.matching.index as index

    monkeypatch.setattr(index, "SEGMENT", 2)
    weights = {"title": 3.0, "alias": 3.0, "body": 1.0, "topic": 2.0}
    docs = [[("title", "敬老卡申领"), ("alias", "老人卡"), ("body", "年满六十五周岁的老人")],
            [("title", "居住证补领"), ("body", "居住证丢了")], [], [("body", "只有正文")],
            [("title", "低保申请"), ("alias", "最低生活保障低保")],
            [("title", "护照"), ("topic", "出国护照")], [("title", "天气怎么样")]]
    both = FieldIndex(list(docs), weights, views=[("title", "alias"), ("body",)], view_docs=5)
    assert _segment_arrays(both) == _segment_arrays(FieldIndex(list(docs), weights))
    for view, fields in zip(both.views, [("title", "alias"), ("body",)]):
        alone = FieldIndex([[(k, t) for k, t in d if k in fields] for d in docs[:5]], {f: weights[f] for f in fields})
        for seg in alone.segments:
            seg.sparsify()  # a view stays sparse (it becomes a ForwardIndex)
        assert view.n == 5 and _segment_arrays(view) == _segment_arrays(alone)
        for q in ("敬老卡", "老人卡丢了", "低保"):
            assert np.allclose(view.fused(q), alone.fused(q)), q


def test_sorting_in_two_threads_builds_the_same_index(monkeypatch):
    import kiosk.matching.index as index

    docs = [[("title", t), ("body", "办理" + t + "需要带身份证")] for t in ("低保", "居住证", "敬老卡", "残疾人证", "社保卡")]
    monkeypatch.setattr(index, "_PARALLEL_TERMS", 10**9)
    serial = _segment_arrays(_index(docs))
    monkeypatch.setattr(index, "_PARALLEL_TERMS", 0)
    monkeypatch.setattr(index.os, "cpu_count", lambda: 2)
    assert _segment_arrays(_index(docs)) == serial
