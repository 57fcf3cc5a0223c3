"""The committed font subset covers every character the kiosk shows.

Checked against the font file itself (its character map, read with fontTools), and coverage.txt, which
`kiosk validate` reads without fontTools, must describe exactly that font.
"""
import dataclasses
from functools import lru_cache

from conftest import GUIDES, ROOT
from kiosk.knowledge.glyphs import COVERAGE_FILE, Coverage, font_coverage, guide_text

FONT = ROOT / "kiosk" / "data" / "fonts" / "NotoSansSC-Kiosk.otf"


@lru_cache(maxsize=1)
def font_chars() -> frozenset[str]:
    """Every character the shipped font file has a glyph for."""
    from fontTools.ttLib import TTFont

    font = TTFont(FONT, lazy=True)
    return frozenset(chr(cp) for cp, glyph in font.getBestCmap().items() if glyph != ".notdef")


def not_in_font(text: str) -> list[str]:
    chars = font_chars()
    return sorted({ch for ch in text if ch.isprintable() and not ch.isspace() and ch not in chars})


def strings(value):
    """Every piece of text in a guide field: strings, lists of them, and nested records (materials, faq...)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from strings(v)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from strings(getattr(value, f.name))


def test_coverage_parses_ranges_and_reports_missing_characters():
    cov = Coverage.parse("# comment\n0041-005a\n4e00-4e01\n")
    assert "A" in cov and "Z" in cov and "一" in cov and "丁" in cov
    assert "a" not in cov and "丂" not in cov
    assert cov.missing("A丂 a丂\n") == ["丂", "a"]


def test_font_file_and_licence_are_committed():
    fonts = ROOT / "kiosk" / "data" / "fonts"
    assert (fonts / "NotoSansSC-Kiosk.otf").stat().st_size > 1_000_000
    assert "Open Font License" in (fonts / "OFL.txt").read_text(encoding="utf-8")


def test_coverage_file_describes_the_font_file():
    cov = Coverage.parse(COVERAGE_FILE.read_text(encoding="utf-8"))
    listed = {chr(cp) for a, b in zip(cov._starts, cov._ends) for cp in range(a, b + 1)}
    assert len(font_chars()) > 7000
    assert sorted(listed - font_chars()) == [] and sorted(font_chars() - listed) == []


def test_every_character_of_every_guide_has_a_glyph_in_the_font_file(kb):
    for g in kb.guides:
        fields = [f.name for f in dataclasses.fields(g) if f.name not in ("path", "lines")]
        for name in fields:
            assert not_in_font("".join(strings(getattr(g, name)))) == [], (g.id, name)
        assert font_coverage().missing(guide_text(g)) == [], g.id  # what kiosk validate checks agrees
    assert not_in_font("".join(c.name for c in kb.categories)) == []
    assert not_in_font(kb.centre.name + kb.centre.address + kb.centre.hours + kb.centre.phone) == []


def test_validate_checks_the_text_of_every_section_the_screen_shows(kb, centre):
    """kiosk validate warns about missing glyphs in guide_text(g): it must hold every section shown."""
    from kiosk.knowledge import SECTIONS

    fixed = set(centre.name + centre.address + centre.hours + centre.phone)  # checked on their own
    fixed |= set((ROOT / "kiosk" / "knowledge" / "model.py").read_text(encoding="utf-8"))  # labels: 地点：
    for g in kb.guides:
        text = set(guide_text(g))
        for section in SECTIONS:
            shown = set("".join(g.section_lines(section, centre))) - fixed
            assert {ch for ch in shown if not ch.isspace()} <= text, (g.id, section)


def test_the_check_sees_a_character_the_font_lacks():
    assert not_in_font("低保") == [] and not_in_font("低保龘𠀀") == ["龘", "𠀀"]


def test_every_string_in_the_ui_source_is_in_the_font():
    for path in sorted((ROOT / "kiosk").rglob("*")):
        if {"benchmarks", "cli"} & set(path.parts) or path.name in ("textprep.py", "report.py", "synonyms.yaml"):
            continue  # terminal-only output (Korean test phrases, report bars), speech and matcher input tables
        if path.suffix in (".py", ".kv", ".yaml"):
            assert not_in_font(path.read_text(encoding="utf-8")) == [], path
    assert not_in_font((GUIDES / "catalogue.tsv").read_text(encoding="utf-8")) == []
