"""kiosk bench serve: the local API under load. A real ``kiosk serve`` in its own process; an async client
(aiohttp) holds N concurrent sessions, each asking real questions (guide names and residents' phrasings from
the guides, then follow-ups and choices) one after another. Prints throughput, p50/p95/p99 latency, errors
and the server's memory (resident set) over the run."""
from __future__ import annotations

import asyncio
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import Context, Row, percentiles

TITLE = "local API (kiosk serve)"
SESSIONS = 50
QUESTIONS = 100_000
QUICK_QUESTIONS = 5_000
FOLLOW_UPS = ["要带什么材料", "在哪里办", "要多久", "收费吗", "第一个", "第二个", "都不是", "电话多少"]
TARGET_QPS = 300.0
RATE = 330.0  # offered: 10% above the target, so reaching the target means the server keeps up
TARGET_P95_MS = 50.0
TARGET_GROWTH_MB = 10.0


def questions(guides_dir: Path, config, rng: random.Random) -> list[str]:
    from ..knowledge import load_directory

    kb, _ = load_directory(guides_dir, config.centre)
    phrases = [p for g in kb.guides for p in (g.title, *g.aliases, *g.questions)]
    return phrases or ["低保怎么申请"]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(guides_dir: Path, tmp: Path) -> tuple[subprocess.Popen, str]:
    """kiosk serve on a free loopback port with its own log folder and heartbeat; the rate limit is
    raised above the bench's load (it stays in the request path)."""
    cfg = tmp / "bench.yaml"
    cfg.write_text(f"log: {{dir: {tmp / 'log'}}}\nhealth: {{heartbeat_file: {tmp / 'heartbeat.json'}}}\n"
                   "server: {rate_per_second: 100000, burst: 100000}\n", encoding="utf-8")
    root = Path(__file__).resolve().parent.parent.parent
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(cfg), "serve", "--port", "0",
                             "--guides", str(guides_dir)], cwd=root, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        m = re.search(r"kiosk serve: (http://\S+?)/v1/", line)
        if m:
            return proc, m.group(1)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise RuntimeError("kiosk serve did not start")


async def load(url: str, pid: int, phrases: list[str], sessions: int, total: int, rng: random.Random,
               rate: float = 0.0) -> dict:
    """N sessions asking one question after another. With rate, the sessions together offer that many
    questions a second (each waits for its answer before the next; a slow server lets the schedule slip)."""
    import aiohttp

    latencies: list[float] = []
    server_ms: list[float] = []  # the server's own time per answer (its Server-Timing header)
    errors: list[str] = []
    memory: list[tuple[int, float]] = []  # (questions done, server MB)
    left = [total]

    async def one_session(i: int, client) -> None:
        sid = f"bench-{i}"
        gap = sessions / rate if rate > 0 else 0.0
        due = time.perf_counter() + gap * i / sessions
        while left[0] > 0:
            left[0] -= 1
            if gap:
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                due += gap
            q = rng.choice(FOLLOW_UPS) if rng.random() < 0.3 else rng.choice(phrases)
            t0 = time.perf_counter()
            try:
                async with client.post("/v1/ask", json={"query": q, "session": sid}) as r:
                    body = await r.json()
                    timing = r.headers.get("server-timing", "")
                    if "dur=" in timing:
                        server_ms.append(float(timing.rpartition("dur=")[2]))
                    if r.status != 200 or "actions" not in body:
                        errors.append(f"{r.status} {str(body)[:80]}")
            except Exception as exc:  # counted, not raised: the bench reports errors
                errors.append(repr(exc))
            latencies.append(time.perf_counter() - t0)

    async def watch() -> None:
        while True:
            memory.append((len(latencies), rss_mb(pid)))
            await asyncio.sleep(0.5)

    connector = aiohttp.TCPConnector(limit=sessions)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base_url=url, connector=connector, timeout=timeout) as client:
        watcher = asyncio.create_task(watch())
        t0 = time.perf_counter()
        await asyncio.gather(*(one_session(i, client) for i in range(sessions)))
        wall = time.perf_counter() - t0
        watcher.cancel()
    memory.append((len(latencies), rss_mb(pid)))
    return {"latencies": latencies, "errors": errors, "wall": wall, "memory": memory, "server_ms": server_ms}


def run(ctx: Context) -> list[Row]:
    try:
        import aiohttp  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        return [Row("kiosk serve", "not run", f"pip install changning-kiosk[serve] ({exc.name} missing)", False)]
    sessions = int(ctx.options.get("sessions") or SESSIONS)
    rate = float(ctx.options.get("rate") or RATE)
    total = int(ctx.options.get("questions") or (QUICK_QUESTIONS if ctx.quick else QUESTIONS))
    rng = random.Random(16)
    phrases = questions(ctx.guides_dir, ctx.config, rng)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-serve-") as tmp:
        proc, url = start_server(ctx.guides_dir, Path(tmp))
        try:
            warm = asyncio.run(load(url, proc.pid, phrases, sessions, min(2_000, total), rng))
            server_cpu, client_cpu = cpu_seconds(proc.pid), time.process_time()
            res = asyncio.run(load(url, proc.pid, phrases, sessions, total, rng, rate))
            server_cpu, client_cpu = cpu_seconds(proc.pid) - server_cpu, time.process_time() - client_cpu
            flat_out = asyncio.run(load(url, proc.pid, phrases, sessions, min(10_000, total), rng))
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    lat = res["latencies"]
    qps = len(lat) / res["wall"]
    p50, p95, p99 = (x * 1000 for x in percentiles(lat))
    mem = res["memory"]
    tenth = [m for n, m in mem if n >= len(lat) // 10] or [mem[-1][1]]
    start_mb, end_mb, peak_mb = tenth[0], mem[-1][1], max(m for _, m in mem)
    growth = end_mb - start_mb
    errors = res["errors"] + warm["errors"] + flat_out["errors"]
    return [
        Row(f"{len(lat)} questions, {sessions} sessions, offered {rate:.0f} q/s", f"{res['wall']:.1f} s"),
        Row("throughput", f"{qps:.0f} q/s", f"≥ {TARGET_QPS:.0f} q/s", qps >= TARGET_QPS),
        Row("latency p50", f"{p50:.1f} ms"),
        Row("latency p95", f"{p95:.1f} ms", f"≤ {TARGET_P95_MS:.0f} ms", p95 <= TARGET_P95_MS),
        Row("latency p99", f"{p99:.1f} ms"),
        Row("inside the server p50/p95/p99 (Server-Timing)", "/".join(
            f"{x:.1f}" for x in percentiles(res["server_ms"])) + " ms"),
        Row("errors", f"{len(errors)}", "0", not errors),
        Row(f"flat out (no pacing, {len(flat_out['latencies'])} questions)",
            f"{len(flat_out['latencies']) / flat_out['wall']:.0f} q/s"),
        Row("CPU per question: server / load client", f"{server_cpu / len(lat) * 1000:.2f}/"
                                                      f"{client_cpu / len(lat) * 1000:.2f} ms"),
        Row("machine load (1 min) / cores", f"{os.getloadavg()[0]:.1f}/{os.cpu_count()}"),
        Row("server memory after 10% / at the end / peak", f"{start_mb:.0f}/{end_mb:.0f}/{peak_mb:.0f} MB"),
        Row("server memory growth over the last 90%", f"{growth:+.1f} MB", f"≤ {TARGET_GROWTH_MB:.0f} MB",
            growth <= TARGET_GROWTH_MB),
        *([Row("first error", errors[0][:60])] if errors else []),
    ]
