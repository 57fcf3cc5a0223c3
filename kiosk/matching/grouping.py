"""Group questions by similar wording (for staff reports), comparing pronunciation codes."""
from __future__ import annotations

from difflib import SequenceMatcher
from typing import Sequence

from rapidfuzz import fuzz, process

from .sections import strip_section_words
from .text import MAX_QUERY_CHARS, arabic_numbers, clean, code, normalize, strip_fillers, synonym_table

DEFAULT_SIMILARITY = 72.0


def group_similar(texts: Sequence[str], weights: Sequence[int] | None = None,
                  similarity: float = DEFAULT_SIMILARITY) -> list[list[int]]:
    """Indexes of texts in groups of similar wording, heaviest group first.

    Texts are taken in order of weight (e.g. how often each was asked), so the most common wording
    leads its group; each text joins the first group whose leader sounds at least ``similarity``
    (0-100) alike, or starts a new one. What is compared is the part that names the service (fillers,
    question words and section words like 要带什么 removed), as syllables in any order, so 低保怎么申请
    and 申请低保, 老人卡丢了 and 老年卡丢了咋办, or homophones from the recogniser fall together.
    """
    weights = list(weights) if weights is not None else [1] * len(texts)
    order = sorted(range(len(texts)), key=lambda i: (-weights[i], i))
    spoken = [code(service_words(t)) for t in texts]
    # Syllables in sorted order: the Indel ratio of two sorted sequences is their Dice coefficient
    # 2·|shared| / (|a| + |b|), which is what "alike in any order" means here.
    codes = ["".join(sorted(c)) for c in spoken]
    # Candidates come from an index of adjacent syllable pairs (as said): wordings this alike share a pair
    # (低保申请 / 申请低保 share 低保), so each question is compared with a few leaders, not all of them.
    keys = [{a + b for a, b in zip(c, c[1:])} or set(c) for c in spoken]
    leaders: list[str] = []
    groups: list[list[int]] = []
    postings: dict[str, list[int]] = {}
    for i in order:
        c = codes[i]
        hit = None
        if c and leaders:
            near_set: set[int] = set()
            for k in keys[i]:
                near_set.update(postings.get(k, ()))
            near = sorted(near_set)  # rapidfuzz rejects lengths too far apart before comparing
            if near:
                found = process.extractOne(c, [leaders[j] for j in near], scorer=fuzz.ratio, score_cutoff=similarity)
                hit = near[found[2]] if found else None
        if hit is None:
            for k in keys[i] if c else ():
                postings.setdefault(k, []).append(len(leaders))
            leaders.append(c if c else f"\0{i}")  # empty wording never joins anything
            groups.append([i])
        else:
            groups[hit].append(i)
    groups.sort(key=lambda g: (-sum(weights[i] for i in g), g[0]))
    return groups


def service_words(text: str) -> str:
    """The words of a question that name the service: 老人卡丢了要带什么材料 → 老人卡丢了."""
    norm = normalize(text) if isinstance(text, str) else ""
    return strip_section_words(norm) or norm


def alias_suggestion(text: str) -> str:
    """The longest unbroken piece of a question that names the service: 失业金怎么领 → 失业金.

    Staff read it as a candidate alias, so it is a piece the resident really said, never words
    joined across a removed question word.
    """
    said = arabic_numbers(strip_fillers(clean(text))[:MAX_QUERY_CHARS]) if isinstance(text, str) else ""
    norm, spans = _folded(said)
    kept = strip_section_words(norm)
    if not kept:
        return norm
    # the removed words split norm into pieces; kept is those pieces joined: find the longest one
    blocks = SequenceMatcher(None, norm, kept, autojunk=False).get_matching_blocks()
    best = max(blocks, key=lambda b: b.size)
    if not best.size:
        return kept
    # ... said in the resident's words, not the synonyms it is compared as (老人卡, not 敬老卡)
    return said[spans[best.a][0]: spans[best.a + best.size - 1][1]]


def _folded(said: str) -> tuple[str, list[tuple[int, int]]]:
    """canonical(said), and for each of its characters the span of said it stands for."""
    pattern, table = synonym_table()
    text, spans = said, [(i, i + 1) for i in range(len(said))]
    for _ in range(3):  # as canonical(): until nothing changes
        out, out_spans, pos = [], [], 0
        for m in pattern.finditer(text):
            out.append(text[pos:m.start()])
            out_spans += spans[pos:m.start()]
            word = table[m.group(0)]
            out.append(word)
            out_spans += [(spans[m.start()][0], spans[m.end() - 1][1])] * len(word)
            pos = m.end()
        if not out:
            break
        out.append(text[pos:])
        out_spans += spans[pos:]
        text, spans = "".join(out), out_spans
    return text, spans
