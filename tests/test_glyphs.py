"""The committed font subset covers every character the kiosk shows."""

from conftest import GUIDES, ROOT
from kiosk.knowledge.glyphs import Coverage, font_coverage, guide_text


def test_coverage_parses_ranges_and_reports_missing_characters():
    cov = Coverage.parse("# comment\n0041-005a\n4e00-4e01\n")
    assert "A" in cov and "Z" in cov and "一" in cov and "丁" in cov
    assert "a" not in cov and "丂" not in cov
    assert cov.missing("A丂 a丂\n") == ["丂", "a"]


def test_font_file_and_licence_are_committed():
    fonts = ROOT / "kiosk" / "data" / "fonts"
    assert (fonts / "NotoSansSC-Kiosk.otf").stat().st_size > 1_000_000
    assert "Open Font License" in (fonts / "OFL.txt").read_text(encoding="utf-8")


def test_every_guide_and_category_character_is_in_the_font(kb):
    cov = font_coverage()
    for g in kb.guides:
        assert cov.missing(guide_text(g)) == [], g.id
    assert cov.missing("".join(c.name for c in kb.categories)) == []
    assert cov.missing(kb.centre.name + kb.centre.address + kb.centre.hours) == []


def test_every_string_in_the_ui_source_is_in_the_font():
    cov = font_coverage()
    for path in sorted((ROOT / "kiosk").rglob("*")):
        if {"benchmarks", "cli"} & set(path.parts) or path.name in ("textprep.py", "report.py"):
            continue  # terminal-only output (Korean test phrases, report bars) and speech input tables
        if path.suffix in (".py", ".kv", ".yaml"):
            assert cov.missing(path.read_text(encoding="utf-8")) == [], path
    assert cov.missing((GUIDES / "catalogue.tsv").read_text(encoding="utf-8")) == []
