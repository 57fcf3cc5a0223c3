"""Bias recognition to the knowledge base: the model's vocabulary, and a Vosk grammar built from it.

Vosk's grammar mode takes a list of phrases whose words are separated by spaces; a word the model's
vocabulary lacks is dropped with only a log line. So every phrase is first split into words the model
knows (fewest words, longest first), and whatever cannot be covered is reported, so staff can add an
alias the model can hear (``kiosk validate --model PATH``).

The vocabulary is read without vosk: from ``graph/words.txt`` when the model has one, otherwise from
the output symbol table stored in the header of the OpenFst graph (``graph/Gr.fst`` for the small
lookahead models, ``graph/HCLG.fst`` for the big ones).
"""
from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from ..knowledge.model import title_variants

FST_MAGIC = 2125659606
SYMBOL_TABLE_MAGIC = 2125658996
_HAS_ISYMBOLS, _HAS_OSYMBOLS = 1, 2

#: Tokens that stand for "something not in the grammar", in the order they are looked for.
UNKNOWN_TOKENS = ("[unk]", "<unk>", "<UNK>")
#: Symbols in a vocabulary that are not words.
_NOT_WORDS = re.compile(r"^(<eps>|#\d+|<s>|</s>|!SIL|<SPOKEN_NOISE>|\[unk\]|<unk>|<UNK>)$")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPLIT = re.compile(rf"[^0-9A-Za-z{_HAN}\uac00-\ud7af\u3040-\u30ff]+")

# Words residents wrap around a service name; in the grammar so a whole question can be heard.
REQUEST_WORDS = (
    "请问 我想 我要 想问 怎么办 怎么 如何 办理 申请 补办 领取 需要 要 带 什么 材料 哪些 在哪里 哪里 去哪 "
    "多久 多长时间 几天 多少钱 收费 费用 电话 条件 流程 步骤 时间 几点 地址 可以 能不能 吗 呢 的 了 我 "
    "家里 老人 孩子 第一个 第二个 第三个 是 不是 对 返回 再说一遍"
).split()


class VocabularyError(Exception):
    """The model's word list cannot be read; Chinese message."""


# -- vocabulary ----------------------------------------------------------------------------------

def _read_string(f: io.BufferedReader) -> str:
    (n,) = struct.unpack("<i", f.read(4))
    if n < 0 or n > 1 << 20:
        raise VocabularyError("词表格式异常")
    return f.read(n).decode("utf-8", "replace")


def fst_symbols(path: Path) -> list[str]:
    """The output symbols of an OpenFst binary file (only its header is read)."""
    with open(path, "rb", buffering=1 << 20) as f:
        try:
            magic, = struct.unpack("<i", f.read(4))
            if magic != FST_MAGIC:
                raise VocabularyError(f"{path} 不是 OpenFst 文件")
            _read_string(f), _read_string(f)  # fst type, arc type
            _version, flags = struct.unpack("<ii", f.read(8))
            f.read(8 + 8 * 3)  # properties, start, number of states, number of arcs
            tables = []
            for bit in (_HAS_ISYMBOLS, _HAS_OSYMBOLS):
                if not flags & bit:
                    tables.append(None)
                    continue
                magic, = struct.unpack("<i", f.read(4))
                if magic != SYMBOL_TABLE_MAGIC:
                    raise VocabularyError(f"{path} 的符号表格式异常")
                _read_string(f)
                _available, size = struct.unpack("<qq", f.read(16))
                unpack = struct.Struct("<q").unpack
                words = []
                for _ in range(size):
                    words.append(_read_string(f))
                    unpack(f.read(8))
                tables.append(words)
        except struct.error as exc:
            raise VocabularyError(f"{path} 已截断，读不出词表") from exc
    out = tables[1] if tables[1] is not None else tables[0]
    if out is None:
        raise VocabularyError(f"{path} 里没有词表")
    return out


@lru_cache(maxsize=4)
def _vocabulary(path: str, stamp: tuple) -> frozenset[str]:
    model = Path(path)
    words_txt = model / "graph" / "words.txt"
    if words_txt.is_file():
        symbols = [line.split()[0] for line in words_txt.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        for name in ("Gr.fst", "HCLG.fst"):
            fst = model / "graph" / name
            if fst.is_file():
                symbols = fst_symbols(fst)
                break
        else:
            raise VocabularyError(f"{model} 里没有词表（graph/words.txt、graph/Gr.fst 或 graph/HCLG.fst）")
    return frozenset(symbols)


def vocabulary(model: str | Path) -> frozenset[str]:
    """All symbols of the model's word table (special symbols included; see :func:`is_word`)."""
    p = Path(model).resolve()
    if not p.is_dir():
        raise VocabularyError(f"找不到模型文件夹 {model}")
    stamp = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size)
                  for f in (p / "graph" / n for n in ("words.txt", "Gr.fst", "HCLG.fst")) if f.is_file())
    return _vocabulary(str(p), stamp)


def is_word(symbol: str) -> bool:
    return not _NOT_WORDS.match(symbol)


def unknown_token(vocab: frozenset[str]) -> str | None:
    return next((t for t in UNKNOWN_TOKENS if t in vocab), None)


# -- segmentation --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Split:
    words: tuple[str, ...]
    unknown: tuple[str, ...]  # pieces the model cannot hear


class Segmenter:
    """Split text into the model's words: fewest unknown characters, then fewest words."""

    def __init__(self, vocab: Iterable[str], max_word: int = 12) -> None:
        self.vocab = frozenset(w for w in vocab if is_word(w))
        self.max_word = min(max_word, max((len(w) for w in self.vocab), default=1))

    def split_token(self, token: str) -> Split:
        n = len(token)
        # best[i] = (unknown chars, words, back pointer, known?) for token[:i]
        best: list[tuple[int, int, int, bool]] = [(0, 0, 0, True)] + [(n + 1, n + 1, 0, False)] * n
        for i in range(n):
            u, w, _, _ = best[i]
            for j in range(i + 1, min(n, i + self.max_word) + 1):
                if token[i:j] in self.vocab:
                    cand = (u, w + 1, i, True)
                    if cand[:2] < best[j][:2]:
                        best[j] = cand
            cand = (u + 1, w + 1, i, False)
            if cand[:2] < best[i + 1][:2]:
                best[i + 1] = cand
        spans, j = [], n
        while j > 0:
            _, _, i, known = best[j]
            spans.append((i, j, known))
            j = i
        spans.reverse()
        words = tuple(token[i:j] for i, j, known in spans if known)
        unknown: list[str] = []
        last = -1
        for i, j, known in spans:
            if known:
                continue
            if unknown and i == last:  # adjacent unknown characters are one piece (残疾, not 残 + 疾)
                unknown[-1] += token[i:j]
            else:
                unknown.append(token[i:j])
            last = j
        return Split(words, tuple(unknown))

    def split(self, text: str) -> Split:
        words: list[str] = []
        unknown: list[str] = []
        for token in _SPLIT.split(text):
            if not token:
                continue
            if token in self.vocab:
                words.append(token)
                continue
            s = self.split_token(token)
            words += s.words
            unknown += s.unknown
        return Split(tuple(words), tuple(unknown))


# -- grammar -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """Where a phrase came from, for reports: the guide file, the line, and what kind of text it is."""

    text: str
    kind: str  # 标题 / 别名 / 常见问法 / 类别外话题 / 常用词
    path: str = ""
    line: int = 1


@dataclass
class Grammar:
    phrases: list[str] = field(default_factory=list)  # space-separated model words
    unknown: list[tuple[Source, str]] = field(default_factory=list)  # (where, piece the model lacks)
    unk: str | None = None

    def vosk_json(self) -> str | None:
        """The grammar as Vosk takes it, or None when there is nothing to bias to."""
        import json

        if not self.phrases:
            return None
        return json.dumps(self.phrases + ([self.unk] if self.unk else []), ensure_ascii=False)


def build_grammar(sources: Iterable[Source], vocab: frozenset[str], segmenter: Segmenter | None = None) -> Grammar:
    seg = segmenter or Segmenter(vocab)
    g = Grammar(unk=unknown_token(vocab))
    seen: set[str] = set()
    for src in sources:
        s = seg.split(src.text)
        for piece in s.unknown:
            g.unknown.append((src, piece))
        phrase = " ".join(s.words)
        if phrase and phrase not in seen:
            seen.add(phrase)
            g.phrases.append(phrase)
    return g


def knowledge_sources(guides: Sequence, topics: Sequence = (), questions: bool = True) -> list[Source]:
    """Phrases the kiosk should hear well: guide titles, aliases and questions, out-of-scope topics,
    and the request words residents wrap around them."""
    out: list[Source] = []
    for g in guides:
        out += [Source(t, "标题", g.path, g.line_of("title")) for t in title_variants(g.title)]
        out += [Source(a, "别名", g.path, g.item_line("aliases", a)) for a in g.aliases]
        if questions:
            out += [Source(q, "常见问法", g.path, g.item_line("questions", q)) for q in g.questions]
    for t in topics:
        out += [Source(a, "类别外话题", "") for a in t]
    out += [Source(w, "常用词") for w in REQUEST_WORDS]
    from ..matching.commands import command_words

    out += [Source(w, "终端指令") for w in command_words()]  # 再说一遍, 说慢一点, 回首页
    return out


def guide_grammar(kb, vocab: frozenset[str]) -> Grammar:
    """The grammar for a knowledge base (guides and the out-of-scope topics the matcher knows)."""
    from ..matching import load_topics

    topics = [[p.text for p in t.phrases] for t in load_topics()]
    return build_grammar(knowledge_sources(kb.guides, topics), vocab)


def unknown_word_problems(kb, vocab: frozenset[str]) -> list:
    """Warnings, one per guide text with words the model lacks, as ``path:line: 警告：...``."""
    from ..knowledge.problems import WARNING, Problem

    sources = [s for s in knowledge_sources(kb.guides, questions=False) if s.path]
    grammar = build_grammar(sources, vocab)
    by_source: dict[Source, list[str]] = {}
    for src, piece in grammar.unknown:
        by_source.setdefault(src, []).append(piece)
    problems = []
    for src, pieces in by_source.items():
        pieces = list(dict.fromkeys(pieces))
        what = f"{src.kind}“{src.text}”"
        if pieces != [src.text]:
            what += "中的" + "、".join(f"“{p}”" for p in pieces)
        problems.append(Problem(src.path, src.line, f"语音模型不认识{what}，说这个词时识别不到；"
                                                f"可以加一个模型能听懂的别名", WARNING))
    return sorted(set(problems))
