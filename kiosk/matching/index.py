"""A field-weighted BM25 (BM25F) inverted index over characters and pinyin syllables.

Every document (a guide, an out-of-scope topic, a life event) is a list of (field, normalised text).
Each text is read twice:

* the *character* view: characters and adjacent character pairs (1+2-grams);
* the *pinyin* view: the same over toneless syllables with the recogniser's confusions folded
  (zh/z, ch/c, sh/s, n/l, ang/an, eng/en, ing/in; see :func:`kiosk.matching.text.fold_syllable`),
  so 居住正 and 居住证 look alike.

Per term and document the index keeps BM25F's saturated, length-normalised term frequency

    tf~ = sum over fields f of  w_f * tf_f / (1 - b + b * len_f / avglen_f),   sat = tf~ / (k1 + tf~)

and a question's score for a document is sum over its distinct terms of idf(term) * sat(term, doc),
divided by sum of idf(term): the share of the question's information the document explains (0..1),
per view. The two views are fused linearly.

A character term no document has, whose pinyin term some document has, was most likely misheard (a
homophone written for the right character: 才料 for 材料). Counted as it is, it would carry the largest
IDF of the question and match nothing, so one misheard character would sink the character view. With
``misheard_credit`` set, such a term is read by its sound in the character view instead: its pinyin
term takes its place (with the pinyin term's IDF) and a document explaining that sound is credited
``misheard_credit`` of it. The pinyin view is unchanged.

The index is built in *segments* of up to 1,024 documents with numpy, so building costs a sort per kind of
term per segment (two at a time on two processors) and scoring a question costs the postings of its terms,
not the number of documents. A term in at least a third of a segment's documents (的, 办, 证) is kept there as
a row of one byte per document instead of a posting list (no more memory: a posting takes three bytes),
and such rows are added to the scores by one matrix product (most of a long question's postings at 20,000
guides are in them). Field groups the second stage scores on their own (``views``) are cut from the
same pass. All ordering is by numbers (term keys, document positions), never by hashed strings, so every
process gets the same result.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .text import _rare_reading, _readings, fold_syllable

SEGMENT = 1024
_SEP = 10  # "\n" separates texts inside a segment; it never survives normalisation
_KIND_SHIFT = 42
_CHAR1, _CHAR2, _PIN1, _PIN2 = (np.int64(k) << _KIND_SHIFT for k in range(4))
_MASK21 = (1 << 21) - 1
_MAX_FIELDS = 16

# Syllable ids: CJK code point -> folded syllable id (< 4096); anything else -> 4096 + code point.
_SYL_BASE = 4096
_syl_of_cp: np.ndarray | None = None
_syl_ids: dict[str, int] = {}


def _syllable_map() -> np.ndarray:
    global _syl_of_cp
    if _syl_of_cp is None:
        table = _readings()
        for syl in sorted({fold_syllable(r) for r in table.values()}):
            _syl_ids.setdefault(syl, len(_syl_ids))
        m = np.arange(0x110000, dtype=np.int32) + _SYL_BASE
        for ch, r in sorted(table.items()):
            m[ord(ch)] = _syl_ids[fold_syllable(r)]
        _syl_of_cp = m
    return _syl_of_cp


def _resolve_rare(cps: np.ndarray) -> None:
    """CJK characters outside the reading table get their pypinyin reading, once per process."""
    m = _syllable_map()
    todo = np.unique(cps[(m[cps] >= _SYL_BASE) & (cps >= 0x3400) & (cps <= 0x9FFF)])
    for cp in todo.tolist():
        reading = _rare_reading(chr(cp))
        if reading.isascii() and reading.isalpha():
            m[cp] = _syl_ids.setdefault(fold_syllable(reading), len(_syl_ids))
        else:
            m[cp] = _SYL_BASE + cp
        # an unknown character stays itself: it can only match itself


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def _term_parts(cps: np.ndarray):
    """The four kinds of terms of a run of code points separated by "\\n", as (positions, key maker)."""
    _resolve_rare(cps)
    syl = _syllable_map()[cps]  # int32: only the keys are 64-bit
    valid = cps != _SEP
    uni = np.flatnonzero(valid).astype(np.int32)
    bi = np.flatnonzero(valid[:-1] & valid[1:]).astype(np.int32)
    return (
        (uni, lambda: _CHAR1 | cps[uni].astype(np.int64)),
        (bi, lambda: _CHAR2 | (cps[bi].astype(np.int64) << 21) | cps[bi + 1]),
        (uni, lambda: _PIN1 | syl[uni].astype(np.int64)),
        (bi, lambda: _PIN2 | (syl[bi].astype(np.int64) << 21) | syl[bi + 1]),
    )


def term_keys(cps: np.ndarray) -> np.ndarray:
    """Every term (char and pinyin 1+2-grams) of a run of code points separated by "\\n"."""
    return np.concatenate([make() for _, make in _term_parts(cps)])


def _positions(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """The positions of the ranges [starts[i], starts[i] + lens[i]) one after another (some postings lists);
    the lengths must add up to at least one."""
    ends = np.cumsum(lens)
    return np.arange(int(ends[-1])) + np.repeat(starts - (ends - lens), lens)


def _starts(sorted_values: np.ndarray) -> np.ndarray:
    """Where each run of equal values of a sorted array starts (int32; a bool mask, not a diff, in between)."""
    change = np.empty(len(sorted_values), dtype=bool)
    change[:1] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=change[1:])
    return np.flatnonzero(change).astype(np.int32)


def _field_norms(lengths: np.ndarray, fw: np.ndarray, b: float) -> np.ndarray:
    """BM25F's weight of one occurrence in field f of document d: w_f / (1 - b + b * len / average len),
    the average over the documents that have the field."""
    present = (lengths > 0).sum(axis=0)
    avg = np.where(present > 0, lengths.sum(axis=0) / np.maximum(present, 1), 1.0)
    return fw / (1.0 - b + b * lengths / avg)


#: Below this many terms a segment's sorts are not worth a thread.
_PARALLEL_TERMS = 200_000


def _sort_all(arrays: list[np.ndarray]) -> None:
    """Sort each array in place; two at a time when there are two processors and enough to sort (numpy sorts
    without the GIL, in place: no memory is taken in the threads). The result is the same either way."""
    if (os.cpu_count() or 1) < 2 or sum(map(len, arrays)) < _PARALLEL_TERMS:
        for a in arrays:
            a.sort()
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(np.ndarray.sort, arrays))


def _empty_segment(start: int, size: int) -> "_Segment":
    return _Segment(start, size, np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64),
                    np.zeros(0, dtype=np.uint16), np.zeros(0, dtype=np.uint8))


def _joined_segment(start: int, size: int, parts: list[tuple]) -> "_Segment":
    """A segment from the postings of each kind of term, in kind order."""
    keys = np.concatenate([p[0] for p in parts])
    shifts = np.cumsum([0] + [len(p[2]) for p in parts[:-1]])
    offsets = np.concatenate([p[1][:-1] + shift for p, shift in zip(parts, shifts)] + [[shifts[-1] + len(parts[-1][2])]])
    return _Segment(start, size, keys, offsets.astype(np.int32), np.concatenate([p[2] for p in parts]),
                    np.concatenate([p[3] for p in parts]))


def is_char_key(keys: np.ndarray) -> np.ndarray:
    return (keys >> _KIND_SHIFT) < 2


@dataclass(frozen=True)
class IndexSettings:
    """BM25F parameters; field weights are per field name."""

    k1: float = 1.2
    b: float = 0.5
    char_weight: float = 0.5  # fusion: share of the character view, the rest is pinyin
    stop_share: float = 1.0  # postings of terms in more than this share of documents are not walked
    misheard_credit: float = 0.0  # a misheard char term, read by its sound, is explained this much (0: off)


#: A term in at least this share of a segment's documents is kept as a dense row (see the module's doc).
DENSE_SHARE = 1 / 3
_NO_ROWS = np.zeros(0, dtype=np.int32)


class _Segment:
    __slots__ = ("start", "size", "keys", "offsets", "docs", "sat", "dense_rows", "dense_df", "dense")

    def __init__(self, start: int, size: int, keys, offsets, docs, sat) -> None:
        self.start, self.size = start, size
        self.keys, self.offsets, self.docs, self.sat = keys, offsets, docs, sat
        # rows (ascending) kept dense: their document counts and saturated tf per document (0: absent);
        # their posting lists are empty
        self.dense_rows, self.dense_df = _NO_ROWS, _NO_ROWS
        self.dense = np.zeros((0, size), dtype=np.uint8)

    def dense_hits(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of ``rows`` are dense (mask), and their positions among the dense rows."""
        if not len(self.dense_rows):
            return np.zeros(len(rows), dtype=bool), _NO_ROWS
        j = np.minimum(np.searchsorted(self.dense_rows, rows), len(self.dense_rows) - 1)
        is_dense = self.dense_rows[j] == rows
        return is_dense, j[is_dense]

    def densify(self, share: float | None = None) -> None:
        """Keep the terms in at least ``share`` (by default DENSE_SHARE) of the documents as dense rows (none
        with a saturated tf of 0, which a dense row could not tell from absence)."""
        share = DENSE_SHARE if share is None else share
        lens = np.diff(self.offsets)
        big = np.flatnonzero(lens >= share * self.size) if self.size and len(lens) else _NO_ROWS
        if len(big):  # a fresh segment's rows are never empty, so reduceat gives each row's least
            big = big[np.minimum.reduceat(self.sat, self.offsets[:-1])[big] > 0]
        if not len(big):
            return
        blens = lens[big].astype(np.int64)
        positions = _positions(self.offsets[big].astype(np.int64), blens)
        dense = np.zeros((len(big), self.size), dtype=np.uint8)
        dense[np.repeat(np.arange(len(big)), blens), self.docs[positions]] = self.sat[positions]
        keep = np.ones(len(self.docs), dtype=bool)
        keep[positions] = False
        del positions
        lens[big] = 0
        offsets = np.zeros(len(lens) + 1, dtype=self.offsets.dtype)
        np.cumsum(lens, out=offsets[1:])
        self.docs, self.sat, self.offsets = self.docs[keep], self.sat[keep], offsets
        self.dense_rows, self.dense_df, self.dense = big.astype(np.int32), blens.astype(np.int32), dense

    def sparsify(self) -> None:
        """Turn the dense rows back into posting lists (documents ascending), as the segment was built."""
        if not len(self.dense_rows):
            return
        old = np.diff(self.offsets).astype(np.int64)
        lens = old.copy()
        lens[self.dense_rows] = self.dense_df
        offsets = np.zeros(len(lens) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        docs = np.empty(int(offsets[-1]), dtype=self.docs.dtype)
        sat = np.empty(int(offsets[-1]), dtype=self.sat.dtype)
        row = np.repeat(np.arange(len(old)), old)  # each sparse posting's row, kept in order
        at = np.arange(len(row)) - self.offsets[row].astype(np.int64) + offsets[row]
        docs[at], sat[at] = self.docs, self.sat
        r, d = np.nonzero(self.dense)  # by dense row, then document
        first = np.repeat(np.cumsum(self.dense_df.astype(np.int64)) - self.dense_df, self.dense_df)
        at = offsets[self.dense_rows[r]] + np.arange(len(r)) - first
        docs[at], sat[at] = d, self.dense[r, d]
        self.offsets, self.docs, self.sat = offsets.astype(self.offsets.dtype), docs, sat
        self.dense_rows, self.dense_df = _NO_ROWS, _NO_ROWS
        self.dense = np.zeros((0, self.size), dtype=np.uint8)


class FieldIndex:
    """BM25F over char and pinyin 1+2-grams. ``docs[i]`` is a sequence of (field name, normalised text)."""

    def __init__(self, docs: Sequence[Sequence[tuple[str, str]]], field_weights: dict[str, float],
                 settings: IndexSettings | None = None, consume: bool = False,
                 views: Sequence[Sequence[str]] = (), view_docs: int = 0) -> None:
        """``consume``: empty each document of the (mutable) docs list once it is indexed, to save memory.
        ``views``: groups of fields, each also indexed on its own over the first ``view_docs`` documents in
        the same pass (:attr:`views`: each the FieldIndex those documents' texts of those fields alone,
        with these field weights and settings, would give; built from the same sorted terms, not again)."""
        self.settings = st = settings or IndexSettings()
        names = sorted(field_weights)
        if len(names) > _MAX_FIELDS:
            raise ValueError("too many fields")
        self.fields = names
        fid = {n: i for i, n in enumerate(names)}
        fw = np.array([field_weights[n] for n in names], dtype=np.float64)
        self.n = len(docs)
        # Field lengths (in characters) per document, for length normalisation.
        lengths = np.zeros((self.n, len(names)), dtype=np.float64)
        for d, doc in enumerate(docs):
            for name, text in doc:
                if name in fid:
                    lengths[d, fid[name]] += len(text)
        # weight of one occurrence of a term in field f of document d
        self._norm = _field_norms(lengths, fw, st.b)
        self.views: list[FieldIndex] = []
        view_cols, view_norms = [], []
        for fields in views:
            cols = np.array(sorted(fid[f] for f in fields), dtype=np.int64)
            norm = np.zeros((view_docs, len(names)), dtype=np.float64)
            norm[:, cols] = _field_norms(lengths[:view_docs, cols], fw[cols], st.b)
            view = FieldIndex.__new__(FieldIndex)
            view.settings, view.fields, view.n, view.segments, view.views, view._norm = (
                st, sorted(fields), view_docs, [], [], None)
            self.views.append(view)
            view_cols.append(cols)
            view_norms.append(norm)
        del lengths
        self.segments: list[_Segment] = []
        for start in range(0, self.n, SEGMENT):
            stop = min(self.n, start + SEGMENT)
            views_here = [(v, c, nm) for v, c, nm in zip(self.views, view_cols, view_norms) if start < v.n]
            main, *seen = self._build_segment(docs, start, stop, fid, views_here)
            main.densify()  # the views' segments stay sparse: they become ForwardIndexes
            self.segments.append(main)
            for (view, _, _), seg in zip(views_here, seen):
                view.segments.append(seg)
            if consume:
                docs[start:stop] = [()] * (stop - start)  # the texts are in the index now
        self._norm = None  # only needed while building

    def _build_segment(self, docs, start: int, stop: int, fid: dict[str, int], views=()) -> list[_Segment]:
        """The segment of documents start..stop, and of each view (view, its field columns, its norms)."""
        texts: list[str] = []
        doc_of: list[int] = []
        field_of: list[int] = []
        for d in range(start, stop):
            for name, text in docs[d]:
                f = fid.get(name)
                if f is None or not text:
                    continue
                texts.append(text)
                doc_of.append(d - start)
                field_of.append(f)
        sizes = [stop - start] + [min(stop, view.n) - start for view, _, _ in views]
        if not texts:
            return [_empty_segment(start, size) for size in sizes]
        # 32-bit code points and 16-bit tags while the terms are made: a segment's transient memory is the
        # index's peak at 20,000 guides
        cps = np.frombuffer(("\n".join(texts) + "\n").encode("utf-32-le"), dtype=np.uint32).astype(np.int32)
        lens = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        tags = ((np.asarray(doc_of, dtype=np.int64) << 4) | np.asarray(field_of, dtype=np.int64)).astype(np.uint16)
        del texts, doc_of, field_of
        tag = np.repeat(tags, lens)
        # One kind of term at a time: the kind is the top of the key, so the kinds' postings one after the
        # other are in key order, and four sorts of a quarter each cost less time and memory than one.
        comps = []
        for positions, make in _term_parts(cps):
            comp = make()
            comp <<= 15
            comp |= tag[positions]
            comps.append(comp)
        del cps, tag
        _sort_all(comps)
        parts = [self._postings(comps.pop(0), start, views) for _ in range(4)]
        # parts[kind][index: 0 the segment, 1.. the views] = (keys, offsets, docs, sat)
        return [_joined_segment(start, size, [p[i] for p in parts]) if size else _empty_segment(start, 0)
                for i, size in enumerate(sizes)]

    def _postings(self, comp: np.ndarray, start: int, views=()) -> list[tuple]:
        """The sorted keys, offsets, documents and saturated tf of one kind of term of a segment (its terms
        as key << 15 | document << 4 | field, sorted), and of each view's part of it."""
        first = _starts(comp)
        counts = np.diff(np.append(first, len(comp))).astype(np.float32)
        u = comp[first]  # key << 15 | document << 4 | field, each once
        del comp, first
        out = []
        for cols, norm in [(None, self._norm)] + [(cols, norm) for _, cols, norm in views]:
            if cols is None:
                out.append(self._saturated(u, counts, norm, start))
                continue
            in_view = np.zeros(16, dtype=bool)
            in_view[cols] = True
            keep = in_view[u & 15] & (start + ((u >> 4) & 0x7FF) < len(norm))
            out.append(self._saturated(u[keep], counts[keep], norm, start))
        return out

    def _saturated(self, u: np.ndarray, counts: np.ndarray, norm: np.ndarray, start: int) -> tuple:
        """Postings (keys, offsets, documents, saturated tf) from each (key, document, field)'s count."""
        w = counts * norm[start + ((u >> 4) & 0x7FF), u & 15].astype(np.float32)
        u = u >> 4  # key << 11 | document
        g_first = _starts(u)
        tf = np.add.reduceat(w, g_first) if len(w) else np.zeros(0, dtype=np.float32)
        del w
        kd = u[g_first]
        del u, g_first
        k1 = self.settings.k1
        sat = np.rint(255.0 * tf / (k1 + tf)).astype(np.uint8)  # saturated tf in 1/255 steps
        del tf
        post_docs = (kd & 0x7FF).astype(np.uint16)
        kd >>= 11  # the term key of each posting
        k_first = _starts(kd)
        return kd[k_first], np.append(k_first, len(kd)).astype(np.int64), post_docs, sat

    # -- querying ----------------------------------------------------------------------------------
    def _lookup(self, keys: np.ndarray) -> tuple[list[tuple[_Segment, np.ndarray, np.ndarray]], np.ndarray]:
        """Per segment (segment, matched query-key positions, their rows in the segment); and df per key."""
        df = np.zeros(len(keys), dtype=np.int64)
        found = []
        for seg in self.segments:
            if not len(seg.keys):
                continue
            at = np.minimum(np.searchsorted(seg.keys, keys), len(seg.keys) - 1)
            hits = np.flatnonzero(seg.keys[at] == keys)
            if len(hits):
                rows = at[hits]
                df[hits] += seg.offsets[rows + 1] - seg.offsets[rows]
                is_dense, j = seg.dense_hits(rows)
                df[hits[is_dense]] += seg.dense_df[j]
                found.append((seg, hits, rows))
        return found, df

    def document_frequency(self, keys: np.ndarray) -> np.ndarray:
        return self._lookup(keys)[1]

    def idf(self, df: np.ndarray) -> np.ndarray:
        n = self.n
        return np.log1p((n - df + 0.5) / (df + 0.5))

    def _accumulate(self, found, weight: np.ndarray, skip: np.ndarray, first: int) -> np.ndarray:
        """sum over matched keys of weight[key] * sat(key, doc), for documents from ``first`` on
        (keys that are skipped or weigh nothing are not walked)."""
        out = np.zeros(self.n, dtype=np.float64)
        for seg, hits, rows in found:
            if seg.start + seg.size <= first:
                continue
            keep = ~skip[hits] & (weight[hits] != 0)
            hits, rows = hits[keep], rows[keep]
            if not len(hits):
                continue
            here = out[seg.start: seg.start + seg.size]
            is_dense, j = seg.dense_hits(rows)
            if len(j):
                here += (weight[hits[is_dense]] * (1.0 / 255.0)) @ seg.dense[j]
                hits, rows = hits[~is_dense], rows[~is_dense]
                if not len(hits):
                    continue
            starts = seg.offsets[rows]
            lens = seg.offsets[rows + 1] - starts
            positions = _positions(starts, lens)
            w = np.repeat(weight[hits] * (1.0 / 255.0), lens) * seg.sat[positions]
            here += np.bincount(seg.docs[positions], w, minlength=seg.size)
        return out

    def _prepare(self, text: str):
        keys = np.unique(term_keys(_code_points(text))) if text else np.zeros(0, dtype=np.int64)
        found, df = self._lookup(keys)
        idf = self.idf(df)
        is_char = is_char_key(keys)
        # Terms in more than stop_share of the documents add almost the same to everyone: they count in
        # the question's information but their postings are not walked.
        skip = df > self.settings.stop_share * max(self.n, 1)
        return found, idf, is_char, skip

    def scores(self, text: str, first: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Per document, the share of the question's char-view and pinyin-view information it explains
        (documents before ``first`` are left at 0)."""
        found, idf, is_char, skip = self._prepare(text)
        qc, qp = idf[is_char].sum(), idf[~is_char].sum()
        char = self._accumulate(found, np.where(is_char, idf / qc if qc > 0 else 0.0, 0.0), skip, first)
        pin = self._accumulate(found, np.where(is_char, 0.0, idf / qp if qp > 0 else 0.0), skip, first)
        return char, pin

    def fused(self, text: str, first: int = 0) -> np.ndarray:
        """char_weight * char share + (1 - char_weight) * pinyin share, in one pass over the postings."""
        return self.fused_many([(text, first)])[0]

    def fused_many(self, asked: Sequence[tuple[str, int]]) -> list[np.ndarray]:
        """:meth:`fused` for several texts (each with its ``first``), looking their terms up once."""
        return self.fused_mixes([t for t, _ in asked], [({i: 1.0}, first) for i, (_, first) in enumerate(asked)])

    def fused_mixes(self, texts: Sequence[str], mixes: Sequence[tuple[dict[int, float], int]]) -> list[np.ndarray]:
        """Linear mixes of the fused scores of several texts, each mix in one pass over the postings:
        ``mixes[j]`` = ({text index: coefficient}, first). The score is linear in each term's weight, so
        0.75 × score(a) + 0.25 × score(b) costs what one score costs."""
        per_text = [np.unique(term_keys(_code_points(t))) if t else np.zeros(0, dtype=np.int64) for t in texts]
        keys = np.unique(np.concatenate(per_text)) if per_text else np.zeros(0, dtype=np.int64)
        found, df = self._lookup(keys)
        idf = self.idf(df)
        is_char = is_char_key(keys)
        skip = df > self.settings.stop_share * max(self.n, 1)
        weights = [self._weights(text, own, keys, df, idf, is_char) for text, own in zip(texts, per_text)]
        out = []
        for coefs, first in mixes:
            w = sum(c * weights[i] for i, c in sorted(coefs.items()))
            out.append(self._accumulate(found, np.asarray(w, dtype=np.float64), skip, first))
        return out

    def _weights(self, text: str, own: np.ndarray, keys: np.ndarray, df: np.ndarray, idf: np.ndarray,
                 is_char: np.ndarray) -> np.ndarray:
        """Per key, the weight of its saturated tf in the text's fused score (0 for keys not in the text)."""
        a, credit = self.settings.char_weight, self.settings.misheard_credit
        mine = np.isin(keys, own)
        if credit > 0 and a > 0 and text:
            misheard, sounds = misheard_terms(text, keys, df)
        else:
            misheard, sounds = np.zeros(len(keys), dtype=bool), np.zeros(len(keys))
        known = mine & is_char & ~misheard
        # the char view's information: its known terms, and the sounds of its misheard ones
        qc, qp = idf[known].sum() + (idf * sounds).sum(), idf[mine & ~is_char].sum()
        char_w = a * idf * (known + credit * sounds) / qc if qc > 0 else np.zeros(len(keys))
        pin_w = np.where(mine & ~is_char, (1 - a) * idf / qp, 0.0) if qp > 0 else np.zeros(len(keys))
        return char_w + pin_w


#: A forward segment's term rows are 16-bit when it has at most this many distinct terms (at 20,000 guides
#: a field group's segment has about 45,000), else 32-bit.
_ROWS16 = 1 << 16


class ForwardIndex:
    """A FieldIndex turned around, segment by segment: per document the rows of its terms (sorted) and their
    saturated tf. Scores a few given documents without walking any posting list: what a second stage needs
    for its handful of candidates. Scores equal FieldIndex.fused at those documents. The FieldIndex's
    postings are moved, not copied (the index is not usable afterwards)."""

    def __init__(self, index: FieldIndex) -> None:
        self.settings, self.n = index.settings, index.n
        self._weights, self.idf = index._weights, index.idf
        self.segments = []  # (start, keys, df per key, offsets per document, rows by document, sat by document)
        while index.segments:
            seg = index.segments.pop(0)  # freed as it is turned around
            seg.sparsify()
            lens = np.diff(seg.offsets).astype(np.int32)
            rows = np.repeat(np.arange(len(seg.keys), dtype=np.uint16 if len(seg.keys) <= _ROWS16 else np.int32), lens)
            # by document, rows ascending within each (the postings are by row already; a stable sort of
            # the uint16 document numbers is a radix sort)
            order = np.argsort(seg.docs, kind="stable")
            offsets = np.zeros(seg.size + 1, dtype=np.int32)
            np.cumsum(np.bincount(seg.docs, minlength=seg.size), out=offsets[1:])
            self.segments.append((seg.start, seg.keys, lens, offsets, rows[order], seg.sat[order]))
            del rows, order, seg
        # document frequency of every term, over all segments (merged one segment at a time, to stay lean;
        # both sides are sorted, so a stable sort of the two is a merge): one lookup per question
        self.terms, self.df = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        for _, seg_keys, lens, *_ in self.segments:
            keys = np.concatenate([self.terms, seg_keys])
            order = np.argsort(keys, kind="stable")
            keys = keys[order]
            first = _starts(keys)
            self.df = np.add.reduceat(np.concatenate([self.df, lens.astype(np.int64)])[order], first)
            self.terms = keys[first]
            del keys, order, first

    def fused_at(self, text: str, at: np.ndarray) -> np.ndarray:
        """FieldIndex.fused(text)[at], for the documents ``at`` only."""
        at = np.asarray(at, dtype=np.int64)
        out = np.zeros(len(at), dtype=np.float64)
        keys = np.unique(term_keys(_code_points(text))) if text else np.zeros(0, dtype=np.int64)
        if not len(keys) or not self.segments:
            return out
        if not len(self.terms):
            return out
        p = np.minimum(np.searchsorted(self.terms, keys), len(self.terms) - 1)
        df = np.where(self.terms[p] == keys, self.df[p], 0)
        w = self._weights(text, keys, keys, df, self.idf(df), is_char_key(keys))
        w = np.where(df > self.settings.stop_share * max(self.n, 1), 0.0, w) * (1.0 / 255.0)
        rows_in: dict[int, np.ndarray] = {}  # per segment of a candidate: each key's row there, or -1
        for j, d in enumerate(at.tolist()):
            k = d // SEGMENT
            start, seg_keys, _, offsets, rows, sat = self.segments[k]
            want = rows_in.get(k)
            if want is None:
                want = np.full(len(keys), -1, dtype=np.int64)
                if len(seg_keys):
                    p = np.minimum(np.searchsorted(seg_keys, keys), len(seg_keys) - 1)
                    hit = seg_keys[p] == keys
                    want[hit] = p[hit]
                rows_in[k] = want
            lo, hi = int(offsets[d - start]), int(offsets[d - start + 1])
            if hi == lo or not (want >= 0).any():
                continue
            mine = rows[lo:hi]
            p = np.minimum(np.searchsorted(mine, want), hi - lo - 1)
            hit = (mine[p] == want) & (want >= 0)
            out[j] = float((w[hit] * sat[lo:hi][p[hit]]).sum())
        return out


def misheard_terms(text: str, keys: np.ndarray, df: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The text's misheard character terms: no document has the characters, some document has their
    pinyin term. Over ``keys`` (sorted, holding every term of the text; ``df`` per key): a mask of those
    character terms, and per pinyin key how many of them it is the sound of."""
    parts = _term_parts(_code_points(text))
    chars = np.concatenate([parts[0][1](), parts[1][1]()])
    sounds = np.concatenate([parts[2][1](), parts[3][1]()])  # the same positions, read by sound
    at_char, at_sound = np.searchsorted(keys, chars), np.searchsorted(keys, sounds)
    bad = (df[at_char] == 0) & (df[at_sound] > 0)
    once = np.zeros(len(chars), dtype=bool)
    once[np.unique(chars, return_index=True)[1]] = True  # a repeated term counts once, as in the question
    bad &= once
    mask = np.zeros(len(keys), dtype=bool)
    mask[at_char[bad]] = True
    return mask, np.bincount(at_sound[bad], minlength=len(keys)).astype(np.float64)


def top_k(scores: np.ndarray, k: int, among: np.ndarray | None = None) -> list[int]:
    """Indexes of the k best scores, best first; ties go to the lower index (deterministic)."""
    idx = np.arange(len(scores)) if among is None else among
    if not len(idx):
        return []
    vals = scores[idx]
    if len(idx) > 4 * k:
        part = np.argpartition(-vals, k)[: k]
        kth = vals[part].min()
        keep = np.flatnonzero(vals >= kth)  # every tie of the k-th value, so the cut is order-free
        idx, vals = idx[keep], vals[keep]
    order = np.lexsort((idx, -vals))
    return idx[order][:k].tolist()
