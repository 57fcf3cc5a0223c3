"""The pure core must import and work without Kivy, Vosk, pyttsx3 or sounddevice."""
import subprocess
import sys

# numpy is a core dependency since the matcher's BM25F index (install_requires); the hardware libraries stay out.
HEAVY = ["kivy", "vosk", "pyttsx3", "sounddevice"]

SCRIPT = f"""
import sys
for name in {HEAVY!r}:
    sys.modules[name] = None  # any import of these now raises ImportError
import kiosk.cli, kiosk.config, kiosk.knowledge, kiosk.matching, kiosk.answer
import kiosk.staff.reload, kiosk.staff.qlog, kiosk.staff.report, kiosk.staff.health, kiosk.staff.lint
kiosk.cli.build_parser()
from kiosk.config import load_config
from kiosk.knowledge import load_directory
from kiosk.matching import Matcher
kb, _ = load_directory("guides", load_config(env={{}}).centre)
print(Matcher.for_knowledge(kb).match("城乡居民最低生活保障申请").best.id)
"""


def test_core_imports_and_answers_without_hardware_libraries():
    from conftest import ROOT

    res = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "assistance-01"


def test_cli_help_does_not_import_heavy_libraries():
    from conftest import ROOT

    code = "import sys, kiosk.cli; kiosk.cli.main(['--help']); print(sorted(m for m in %r if m in sys.modules))" % HEAVY
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith("[]")
