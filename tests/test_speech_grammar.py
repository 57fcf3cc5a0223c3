"""The model's vocabulary, splitting guide text into words the model knows, grammar building,
unknown-word warnings in kiosk validate --model, and the choice among recogniser alternatives."""
from __future__ import annotations

import json
import struct

import pytest

from kiosk.speech.grammar import (Segmenter, Source, VocabularyError, build_grammar, fst_symbols, guide_grammar,
                                  unknown_token, vocabulary)
from kiosk.speech.hypotheses import (FREE, GRAMMAR, Hypothesis, choose, hypotheses, join_words, match_score,
                                     ordered)

CN_WORDS = ["<eps>", "!SIL", "[unk]", "城乡", "居民", "最低", "生活", "保障", "最低生活保障", "申请", "低保", "我", "想",
            "要", "带", "什么", "材料", "吃", "户", "生活困难", "补助", "城", "乡", "#0", "<s>", "</s>"]


def _string(s: str) -> bytes:
    b = s.encode("utf-8")
    return struct.pack("<i", len(b)) + b


def write_fst(path, words, isyms=True, osyms=True):
    """A minimal OpenFst binary header with symbol tables, as Kaldi graph files carry them."""
    table = struct.pack("<i", 2125658996) + _string("words.txt") + struct.pack("<qq", len(words), len(words))
    table += b"".join(_string(w) + struct.pack("<q", i) for i, w in enumerate(words))
    flags = (1 if isyms else 0) | (2 if osyms else 0)
    head = struct.pack("<i", 2125659606) + _string("vector") + _string("standard")
    head += struct.pack("<ii", 2, flags) + struct.pack("<Q", 3) + struct.pack("<qqq", 0, 1, 0)
    path.write_bytes(head + (table if isyms else b"") + (table if osyms else b"") + b"\0" * 64)


@pytest.fixture
def cn_model(tmp_path):
    """A model folder whose Gr.fst carries a small Chinese word table (enough for vocabulary reading)."""
    m = tmp_path / "cn-model"
    (m / "graph").mkdir(parents=True)
    write_fst(m / "graph" / "Gr.fst", CN_WORDS)
    return m


def test_vocabulary_from_the_korean_models_graph(korean_model):
    vocab = vocabulary(korean_model)
    assert len(vocab) > 100_000
    assert {"주민등록증", "재발급", "신청", "<UNK>"} <= vocab
    assert unknown_token(vocab) == "<UNK>"


def test_vocabulary_from_words_txt_fst_header_and_hclg(tmp_path, cn_model):
    assert {"最低生活保障", "申请", "[unk]"} <= vocabulary(cn_model)
    assert unknown_token(vocabulary(cn_model)) == "[unk]"
    big = tmp_path / "big"
    (big / "graph").mkdir(parents=True)
    write_fst(big / "graph" / "HCLG.fst", ["<eps>", "护照", "签证"], isyms=False)
    assert vocabulary(big) == {"<eps>", "护照", "签证"}
    (big / "graph" / "words.txt").write_text("<eps> 0\n身份证 1\n", encoding="utf-8")
    assert vocabulary(big) == {"<eps>", "身份证"}  # words.txt wins when present


def test_broken_or_missing_vocabulary(tmp_path):
    m = tmp_path / "m"
    (m / "graph").mkdir(parents=True)
    with pytest.raises(VocabularyError, match="没有词表"):
        vocabulary(m)
    write_fst(m / "graph" / "Gr.fst", CN_WORDS)
    data = (m / "graph" / "Gr.fst").read_bytes()
    (m / "graph" / "Gr.fst").write_bytes(data[:120])
    with pytest.raises(VocabularyError, match="截断"):
        fst_symbols(m / "graph" / "Gr.fst")
    (m / "graph" / "Gr.fst").write_bytes(b"not an fst at all")
    with pytest.raises(VocabularyError, match="OpenFst"):
        fst_symbols(m / "graph" / "Gr.fst")
    with pytest.raises(VocabularyError):
        vocabulary(tmp_path / "nowhere")


def test_segmenter_prefers_the_fewest_known_words():
    seg = Segmenter(CN_WORDS)
    assert seg.split("城乡居民最低生活保障申请").words == ("城乡", "居民", "最低生活保障", "申请")
    assert seg.split("我想申请低保，要带什么材料？").words == ("我", "想", "申请", "低保", "要", "带", "什么", "材料")
    s = seg.split("残疾人证申请")
    assert s.words == ("申请",) and s.unknown == ("残疾人证",)
    s = seg.split("低保残疾证")
    assert s.unknown == ("残疾证",)  # adjacent unknown characters are reported together
    assert seg.split("[unk]").words == ()  # special symbols are never words


def test_segmenter_on_korean_words(korean_model):
    seg = Segmenter(vocabulary(korean_model))
    assert seg.split("주민등록증 재발급 신청").words == ("주민등록증", "재발급", "신청")
    assert seg.split("주민등록증재발급").words == ("주민등록증", "재발급")


def test_build_grammar_for_vosk(cn_model):
    vocab = vocabulary(cn_model)
    g = build_grammar([Source("城乡居民最低生活保障申请", "标题"), Source("低保", "别名"), Source("低保", "别名"),
                       Source("残疾人证", "别名")], vocab)
    assert g.phrases == ["城乡 居民 最低生活保障 申请", "低保"]
    assert [(s.text, piece) for s, piece in g.unknown] == [("残疾人证", "残疾人证")]
    assert json.loads(g.vosk_json()) == ["城乡 居民 最低生活保障 申请", "低保", "[unk]"]
    assert build_grammar([Source("残疾", "别名")], vocab).vosk_json() is None


def test_guide_grammar_covers_titles_aliases_questions_and_topics(kb, cn_model):
    g = guide_grammar(kb, vocabulary(cn_model))
    assert "城乡 居民 最低生活保障 申请" in g.phrases
    assert "吃 低保" in g.phrases and "低保 户" in g.phrases
    kinds = {s.kind for s, _ in g.unknown}
    assert {"标题", "别名", "常见问法", "类别外话题", "常用词", "终端指令"} >= kinds
    assert "常见问法" in kinds and "终端指令" in kinds  # the questions and the spoken commands were looked at too


def test_validate_with_model_warns_about_words_the_model_cannot_hear(cli, guide_dir, cn_model):
    res = cli("validate", str(guide_dir), "--model", str(cn_model))
    assert res.code == 0, res.out + res.err
    lines = res.out.splitlines()
    path = str(guide_dir / "assistance" / "assistance-01.yaml")
    text = (guide_dir / "assistance" / "assistance-01.yaml").read_text(encoding="utf-8").splitlines()
    warned = [ln for ln in lines if ln.startswith(path)]
    assert warned, res.out
    for ln in warned:
        file, line, message = ln.split(":", 2)
        assert message.startswith(" 警告：语音模型不认识")
    # 低保, 吃低保 and the title split into words this vocabulary has: no warning for them
    assert not any("“低保”" in ln or "“吃低保”" in ln or "标题" in ln for ln in warned)
    # 办, 金 and 费 are missing: each alias is reported on its own line, naming the missing piece
    expect = {"办低保": "“办”", "低保金": "“金”", "最低生活费": "“费”"}
    assert len(warned) == len(expect)
    for alias, piece in expect.items():
        (bad,) = [ln for ln in warned if f"别名“{alias}”" in ln]
        assert f"中的{piece}" in bad and "可以加一个模型能听懂的别名" in bad
        line_no = int(bad.split(":")[1])
        assert text[line_no - 1].strip() == f"- {alias}"
    assert "警告" in res.err


def test_validate_model_errors(cli, guide_dir, tmp_path):
    res = cli("validate", str(guide_dir), "--model", str(tmp_path / "none"))
    assert res.code == 2 and "词表" in res.err


def test_validate_against_the_korean_model_reports_every_chinese_alias(cli, guide_dir, korean_model):
    # The Korean model knows no Chinese word: every alias of the guide is reported once, at its own line.
    import yaml

    path = guide_dir / "assistance" / "assistance-01.yaml"
    aliases = yaml.safe_load(path.read_text(encoding="utf-8"))["aliases"]
    file_lines = path.read_text(encoding="utf-8").splitlines()
    res = cli("validate", str(guide_dir), "--model", str(korean_model))
    assert res.code == 0
    reported = {}
    for ln in res.out.splitlines():
        if "警告：语音模型不认识别名" in ln:
            alias = ln.split("别名“", 1)[1].split("”", 1)[0]
            assert alias not in reported, ln
            reported[alias] = int(ln.split(":")[1])
    assert set(reported) == set(aliases) and len(aliases) >= 2
    for alias, line in reported.items():
        assert file_lines[line - 1].strip() == f"- {alias}"


def test_title_variants_are_the_same_for_the_recogniser_and_the_matcher(kb):
    """The grammar and the matcher must see the same names from a title (they had drifted apart)."""
    from kiosk.knowledge.model import title_variants
    from kiosk.matching import guide_entry, normalize
    from kiosk.speech.grammar import knowledge_sources

    assert title_variants("社保卡补办（损坏）") == ["社保卡补办（损坏）", "社保卡补办"]
    assert title_variants("残疾人证办理（残疾评定申请）") == ["残疾人证办理（残疾评定申请）", "残疾人证办理", "残疾评定申请"]
    assert title_variants("最低生活保障") == ["最低生活保障"]
    bracketed = [g for g in kb.guides if "（" in g.title]
    assert len(bracketed) >= 10
    for g in kb.guides:
        heard = [s.text for s in knowledge_sources([g], questions=False) if s.kind == "标题"]
        assert heard == title_variants(g.title), g.id
        matched = {p.text for p in guide_entry(g).phrases if p.kind == "title"}
        assert matched == {normalize(t) for t in heard}, g.id


# -- transcripts and the choice among alternatives ---------------------------------------------------

@pytest.mark.parametrize("raw,text", [
    ("最低 生活 保障 申请", "最低生活保障申请"),
    (" 我 想 办 [unk] 低保 ", "我想办低保"),
    ("办 ic 卡", "办ic卡"),
    ("hello world", "hello world"),
    ("주민등록증 재발급 신청", "주민등록증 재발급 신청"),
    ("<UNK> 출생 신고", "출생 신고"),
    ("", ""),
])
def test_join_words(raw, text):
    assert join_words(raw) == text


def test_hypotheses_dedupe_and_mark_unknown_share():
    hs = hypotheses(["最低 生活 保障", "最低 生活 宝藏", "最低 生活 保障"], ["[unk] [unk] 低保", "最低 生活 保障"])
    assert [(h.text, h.source, h.rank) for h in hs] == [("最低生活保障", FREE, 0), ("最低生活宝藏", FREE, 1),
                                                         ("低保", GRAMMAR, 0)]
    assert hs[2].unknown_share == pytest.approx(2 / 3)


def test_matcher_picks_the_alternative_that_matches_a_guide(matcher):
    score = match_score(matcher)
    hs = hypotheses(["天气 生活 宝藏 申请", "城乡 居民 最低 生活 保障 申请"])
    best = choose(hs, score)
    assert best.text == "城乡居民最低生活保障申请" and best.rank == 1
    assert ordered(best, hs) == ("城乡居民最低生活保障申请", "天气生活宝藏申请")
    assert matcher.match(best.text).best.id == "assistance-01"


def test_grammar_result_wins_only_when_it_matches_better(matcher):
    score = match_score(matcher)
    hs = hypotheses(["我 想 吃饭"], ["我 想 吃 低保"])
    assert choose(hs, score).source == GRAMMAR
    # the matcher reads characters as well as sounds (issue 11), so the grammar's correctly written
    # homophone of the free result matches better and wins
    hs = hypotheses(["我 想 吃 低 宝"], ["我 想 吃 低保"])
    assert choose(hs, score).source == GRAMMAR
    # nothing matches a guide: Vosk's free best guess stands, the grammar does not force a guide
    hs = hypotheses(["周末 会 下雨 吗"], ["周末 会 下雨 吗 呢"])
    assert choose(hs, score).text == "周末会下雨吗"
    # a grammar result that is mostly "not in the grammar" is noise forced onto guide words
    hs = hypotheses(["嗯 嗯"], ["[unk] [unk] [unk] 低保"])
    assert choose(hs, score).text == "嗯嗯"
    # ... and it is not handed on as an alternative either (the dialogue matches every alternative)
    assert ordered(choose(hs, score), hs) == ("嗯嗯",)


def test_a_spoken_command_heard_by_either_recogniser_wins(matcher):
    score = match_score(matcher)
    # 再说一遍 is no guide, but a guide found in another guess must not drown the resident's command
    hs = hypotheses(["再 说 一遍"], ["在 说 低保"])
    assert matcher.match("在说低保").status != "none" and choose(hs, score).text == "再说一遍"
    hs = hypotheses(["回 手 也"], ["回 首页"])
    assert choose(hs, score).text == "回首页"


def test_choose_without_a_scorer_or_results():
    assert choose([], None) is None
    h = [Hypothesis("a", FREE, 0), Hypothesis("b", GRAMMAR, 0)]
    assert choose(h, None).text == "a"
    assert ordered(None, []) == ()
