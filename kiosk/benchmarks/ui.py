"""The kiosk screen: start-up to first frame, tap-to-screen latency, memory.

Measured in a child process (SDL offscreen, real GL through Mesa) so that the start-up time is a
cold start of the whole program, the way ``kiosk run`` starts: Python, Kivy, guides, matcher,
window, first frame. Speech components start after the first frame, in the background.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from . import Context, Row, percentiles

TITLE = "ui (offscreen window, portrait profile)"
TAPS = 30
READ_PAUSE_S = 2.0  # after every fourth tap the "resident" reads for a moment, as people do


def run(ctx: Context) -> list[Row]:
    env = {**os.environ, "SDL_VIDEODRIVER": os.environ.get("SDL_VIDEODRIVER", "offscreen"), "KIVY_NO_ARGS": "1"}
    taps = 10 if ctx.quick else TAPS
    cmd = [sys.executable, "-m", "kiosk.benchmarks.ui", str(ctx.guides_dir), str(taps)]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if res.returncode != 0:
        return [Row("ui benchmark", "failed", ok=False), Row("  stderr", res.stderr.strip()[-200:])]
    data = json.loads(res.stdout.strip().splitlines()[-1])
    rows = [
        Row("start-up to first frame (cold process)", f"{data['first_frame_s']:.2f} s", "≤ 3 s",
            data["first_frame_s"] <= 3.0),
        Row("  of which Python + Kivy import", f"{data['import_s']:.2f} s"),
        Row("  of which guides + matcher + search index", f"{data['services_s']:.2f} s"),
    ]
    p50, p95, p99 = percentiles(data["tap_ms"])
    rows.append(Row(f"tap to new screen drawn, p50/p95/p99 ({len(data['tap_ms'])} taps, 2 s pause every 4)",
                    f"{p50:.0f}/{p95:.0f}/{p99:.0f} ms", "p95 ≤ 150 ms", p95 <= 150))
    rows.append(Row("memory at first frame", f"{data['rss_first_mb']:.0f} MB"))
    rows.append(Row("memory when start-up has settled (4 s)", f"{data['rss_settled_mb']:.0f} MB"))
    # Software GL (Mesa llvmpipe) keeps every texture in system memory; on a GPU much of this moves there.
    rows.append(Row("peak memory during the taps (software GL)", f"{data['rss_mb']:.0f} MB"))
    rows.append(Row("memory 3 s after the last tap", f"{data['rss_quiet_mb']:.0f} MB", "≤ 800 MB",
                    data["rss_quiet_mb"] <= 800))
    rows.append(Row("child process wall time", f"{time.perf_counter() - t0:.1f} s"))
    return rows


def _child(guides_dir: str, taps: int) -> None:
    """Start the real app offscreen, time the first frame, then tap between screens."""
    start = time.perf_counter()
    from ..app import build_services
    from ..config import load_config
    from ..ui import prepare_kivy
    from ..ui.profiles import PROFILES

    config = load_config(env={})
    prepare_kivy(PROFILES["portrait"].size, fullscreen=False, headless=True, kivy_home=config.path("ui.kivy_home"))
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.tests.common import UnitTestTouch

    from ..ui.app import KioskApp

    imported = time.perf_counter()
    services = build_services(config, guides_dir)
    built = time.perf_counter()
    app = KioskApp(services, "portrait", locked=False)
    app.started_at = start
    result: dict = {"import_s": imported - start, "services_s": built - imported, "tap_ms": []}
    pending: dict = {}

    def on_flip(*_):
        if "t" in pending and app.kiosk.current == pending["want"]:
            result["tap_ms"].append((time.perf_counter() - pending.pop("t")) * 1000)

    def tap_widget(widget, want):
        x, y = widget.to_window(*widget.center)
        pending.update(t=time.perf_counter(), want=want, cooldown=5)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()

    steps: list = []

    def scrolled_into_view(widget) -> bool:
        """Scroll the widget's scroll view so that all of it shows; True if it had to move."""
        from kivy.uix.scrollview import ScrollView

        sv = widget.parent
        while sv is not None and not isinstance(sv, ScrollView):
            sv = None if sv.parent is sv else sv.parent
        if sv is None:
            return False
        x, y = widget.to_window(widget.x, widget.y)
        sx, sy = sv.to_window(sv.x, sv.y)
        if y >= sy and y + widget.height <= sy + sv.height:
            return False
        sv.scroll_to(widget, padding=10, animate=False)
        return True

    def script(dt):
        if app.first_frame_at is None:
            return
        if "first_frame_s" not in result:
            import resource

            result["first_frame_s"] = app.first_frame_at - start
            result["rss_first_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            Window.bind(on_flip=on_flip)
            root = app.kiosk
            home = root.screens["home"]
            tiles = list(home.category_tiles.values())
            for i in range(taps):
                steps.append((tiles[i % len(tiles)], "category"))
                steps.append((root.header.home_button, "home"))
            return
        if "settle" not in result:
            # Let start-up finish (speech, category pages made ahead) before tapping.
            if time.perf_counter() - app.first_frame_at < 4.0:
                return
            import resource

            result["settle"] = True
            result["rss_settled_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if "t" in pending:
            return  # waiting for the frame that shows the last tap
        if pending.get("cooldown", 0) > 0:
            pending["cooldown"] -= 1  # let the screen settle (scroll views finish their touch handling)
            return
        if steps and len(steps) % 4 == 0 and time.perf_counter() - result.get("last_tap", 0) < READ_PAUSE_S:
            return
        if steps:
            widget, want = steps[0]
            if scrolled_into_view(widget):
                return  # a resident scrolls first when the tile is below the fold; tap on a later frame
            steps.pop(0)
            pending["cooldown"] = 5
            tap_widget(widget, want)
            result["last_tap"] = time.perf_counter()
            return
        if time.perf_counter() - result["last_tap"] < 3.0:
            return  # a quiet moment: the kiosk tidies up after screen changes
        import resource

        result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with open("/proc/self/statm") as f:
            result["rss_quiet_mb"] = int(f.read().split()[1]) * resource.getpagesize() / 2**20
        ev.cancel()
        app.stop()

    ev = Clock.schedule_interval(script, 0)
    app.run()
    print(json.dumps(result))


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]))
