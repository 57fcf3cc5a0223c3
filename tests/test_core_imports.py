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


# -- the import graph ---------------------------------------------------------------------------------------
EDGES = ("kiosk.ui", "kiosk.server", "kiosk.cli", "kiosk.benchmarks")
WIRING = ("kiosk.app", "kiosk.__main__")


def _imports(path, module: str) -> set[str]:
    """Every kiosk module a file imports, at module level or inside functions."""
    import ast

    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.add(name)
            out.update(f"{name}.{a.name}" for a in node.names)
    return {n for n in out if n == "kiosk" or n.startswith("kiosk.")}


def _modules():
    from conftest import ROOT

    for path in sorted((ROOT / "kiosk").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def _under(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_import_graph_keeps_the_core_free_of_edges_and_the_edges_free_of_the_wiring():
    bad = []
    for name, path in _modules():
        imported = _imports(path, name)
        if not _under(name, EDGES + WIRING):  # the core: knowledge, matching, dialogue, session, speech, staff …
            bad += [f"{name} (core) imports {i}" for i in imported if _under(i, EDGES + WIRING)]
        for edge in ("kiosk.ui", "kiosk.server"):
            if _under(name, (edge,)):
                others = [e for e in EDGES if e != edge]
                bad += [f"{name} (edge) imports {i}" for i in imported if _under(i, WIRING + tuple(others))]
    assert bad == []


def test_the_graph_check_sees_lazy_and_relative_imports():
    from conftest import ROOT

    imported = _imports(ROOT / "kiosk" / "app.py", "kiosk.app")
    assert {"kiosk.ui", "kiosk.server", "kiosk.session"} <= imported  # the edges only inside run()/serve()
    assert _imports(ROOT / "kiosk" / "ui" / "controller.py", "kiosk.ui.controller") >= {"kiosk.session"}


def test_app_and_session_import_no_edge_at_module_level():
    from conftest import ROOT

    code = ("import sys, kiosk.app, kiosk.session; print(sorted(m for m in sys.modules if m.startswith("
            "('kiosk.ui', 'kiosk.server', 'kiosk.cli', 'kivy', 'starlette', 'uvicorn'))))")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"
