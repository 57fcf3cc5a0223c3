"""kiosk bench --only staff runs end to end (figures are printed, not asserted: no timed tests)."""


def test_staff_benchmark_prints_every_row(cli, guide_dir):
    res = cli("bench", "--only", "staff", "--quick", "--guides", str(guide_dir))
    assert res.code == 0, res.err
    names = ["reload 1 guides", "poll the guide folder", "worst adversarial question", "scrub one question",
             "log one question", "report over 2000 logged questions", "lint 1 guides"]
    lines = res.out.splitlines()
    assert lines[0] == "staff & operations"
    for name in names:
        assert any(name in ln and "(target" in ln for ln in lines), name
