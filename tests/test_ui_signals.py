"""`kiosk run` stops cleanly on SIGTERM (systemctl stop) and SIGINT (Ctrl+C), full screen and windowed:
a real process, offscreen, exit 0 within 2 s with its speech and logs closed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def _start(tmp_path, windowed: bool) -> tuple[subprocess.Popen, list[str]]:
    env = {**os.environ, "SDL_VIDEODRIVER": "offscreen", "KIVY_HOME": str(tmp_path / "kivy"),
           "KIVY_NO_CONSOLELOG": "1"}
    cmd = [sys.executable, "-m", "kiosk", "run"] + (["--windowed"] if windowed else [])
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen: list[str] = []
    deadline = time.monotonic() + 120
    for line in proc.stdout:  # the app logs its first frame: the window is up, the main loop runs
        seen.append(line)
        if "first frame after" in line or time.monotonic() > deadline:
            break
    assert proc.poll() is None, "".join(seen)[-3000:]
    return proc, seen


@pytest.mark.parametrize("windowed", [False, True], ids=["fullscreen", "windowed"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_kiosk_run_ends_cleanly_on_a_signal(tmp_path, windowed, signum):
    proc, seen = _start(tmp_path, windowed)
    try:
        assert any("first frame after" in line for line in seen), "".join(seen)[-3000:]
        time.sleep(0.5)  # speech start-up under way, the clock ticking
        sent = time.monotonic()
        proc.send_signal(signum)
        code = proc.wait(timeout=10)
        took = time.monotonic() - sent
        rest = proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, rest[-3000:]
    assert took < 2.0, f"{took:.2f} s"
    name = signal.Signals(signum).name
    assert f"{name} received: stopping" in rest and f"kiosk window closed ({name})" in rest, rest[-3000:]


def test_kiosk_run_without_a_display_says_how_to_see_the_screens(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    res = subprocess.run([sys.executable, "-m", "kiosk", "run"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 2
    assert "没有可用的显示器" in res.stderr and "kiosk shots" in res.stderr
