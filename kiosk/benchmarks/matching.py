"""Knowledge base load time and per-question matching latency, at 195 and at 20,000 guides."""
from __future__ import annotations

import dataclasses
import random
import time

from . import Context, Row, percentiles, rss_mb

TITLE = "matching"
SYNTHETIC = 20_000


def _queries(guides, rng: random.Random, n: int) -> list[str]:
    """Resident-like questions made from the guides' own wording, with noise and wrappers."""
    wrappers = ["{}", "请问{}怎么办", "我想问一下{}要带什么材料", "嗯那个{}在哪里办", "{}多久能办好",
                "你好，我家老人{}，该怎么弄", "{}收费吗"]
    out = []
    for _ in range(n):
        g = rng.choice(guides)
        phrase = rng.choice(g.aliases + g.questions)
        out.append(rng.choice(wrappers).format(phrase))
    out += ["今天天气怎么样", "", "x" * 2000, "身份证丢了怎么补办"]
    return out


def _mutate(text: str, pool: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // 3)):
        chars[rng.randrange(len(chars))] = rng.choice(pool)
    return "".join(chars)


def synthetic_guides(guides, n: int, seed: int = 7):
    """n guides shaped like the real ones, with shuffled and mutated wording."""
    rng = random.Random(seed)
    pool = "".join({c for g in guides for a in g.aliases for c in a})
    out = []
    for i in range(n):
        g = guides[i % len(guides)]
        out.append(dataclasses.replace(
            g,
            id=f"gen-{i:05d}",
            title=_mutate(g.title, pool, rng),
            aliases=tuple(_mutate(a, pool, rng) for a in g.aliases),
            questions=tuple(_mutate(q, pool, rng) for q in g.questions),
        ))
    return out


def _latency(matcher, queries) -> list[float]:
    samples = []
    for q in queries:
        t0 = time.perf_counter()
        matcher.match(q)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def run(ctx: Context) -> list[Row]:
    from ..knowledge import load_directory
    from ..matching import Matcher

    rows = []
    t0 = time.perf_counter()
    kb, _ = load_directory(ctx.guides_dir, ctx.config.centre)
    matcher = Matcher.for_knowledge(kb)
    load_ms = (time.perf_counter() - t0) * 1000
    rows.append(Row(f"load + index {len(kb)} guides", f"{load_ms:.0f} ms", "≤ 300 ms", load_ms <= 300))
    rng = random.Random(1)
    queries = _queries(list(kb.guides), rng, 100 if ctx.quick else 1000)
    for q in queries[:50]:
        matcher.match(q)  # warm the caches
    p50, p95, p99 = percentiles(_latency(matcher, queries))
    rows.append(Row(f"question latency, {len(kb)} guides p50/p95/p99", f"{p50:.2f}/{p95:.2f}/{p99:.2f} ms",
                    "p95 ≤ 2 ms", p95 <= 2.0))
    n = 2_000 if ctx.quick else SYNTHETIC
    big = synthetic_guides(list(kb.guides), n)
    t0 = time.perf_counter()
    big_matcher = Matcher(big)
    build_s = time.perf_counter() - t0
    rows.append(Row(f"index {n} generated guides", f"{build_s:.1f} s"))
    p50, p95, p99 = percentiles(_latency(big_matcher, queries[: 200 if ctx.quick else 1000]))
    rows.append(Row(f"question latency, {n} guides p50/p95/p99", f"{p50:.1f}/{p95:.1f}/{p99:.1f} ms",
                    "p95 ≤ 20 ms", p95 <= 20.0))
    rows.append(Row("peak memory so far", f"{rss_mb():.0f} MB"))
    return rows
