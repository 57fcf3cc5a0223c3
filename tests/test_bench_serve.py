"""kiosk bench serve runs end to end against a real kiosk serve process (figures printed, not asserted)."""


def test_serve_benchmark_prints_every_row_and_asks_without_errors(cli, guide_dir):
    res = cli("bench", "serve", "--questions", "300", "--sessions", "5", "--guides", str(guide_dir))
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0] == "local API (kiosk serve)"
    for name in ["300 questions, 5 sessions, offered 330 q/s", "throughput", "latency p95", "latency p99",
                 "inside the server", "flat out", "CPU per question", "server memory growth"]:
        assert any(name in ln for ln in lines), name
    errors = next(ln for ln in lines if ln.strip().startswith("errors"))
    assert errors.split()[1] == "0" and errors.rstrip().endswith("ok"), errors


def test_bench_refuses_an_unknown_benchmark(cli):
    res = cli("bench", "nope")
    assert res.code == 2 and "nope" in res.err
