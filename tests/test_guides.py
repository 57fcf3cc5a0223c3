"""The real knowledge base: complete against the catalogue and clean."""
from __future__ import annotations

import filecmp

from conftest import GUIDES, SHARED

from kiosk.knowledge import load_directory, read_catalogue


def test_guides_validate_with_no_errors_and_no_warnings(centre):
    kb, problems = load_directory(GUIDES, centre)
    assert [str(p) for p in problems] == []
    assert len(kb) == 195


def test_one_guide_per_catalogue_row_with_exact_title_and_category(kb):
    rows = read_catalogue(GUIDES / "catalogue.tsv")
    assert len(rows) == 195
    for row in rows:
        g = kb.get(row.id)
        assert g is not None, row.id
        assert (g.title, g.category) == (row.title, row.category)
        assert g.path.endswith(f"{row.category}/{row.id}.yaml")


def test_catalogue_copy_matches_the_shared_contract():
    shared = SHARED / "catalogue.tsv"
    assert shared.is_file(), "CI and developers have ../shared beside the project"
    assert filecmp.cmp(shared, GUIDES / "catalogue.tsv", shallow=False)


def test_every_category_has_guides_and_a_tile(kb):
    used = {g.category for g in kb.guides}
    assert used == {c.id for c in kb.categories}


def test_guides_are_rich_enough(kb):
    for g in kb.guides:
        assert len(g.aliases) >= 6 and len(g.questions) >= 4, g.id
        assert 20 <= len(g.summary) <= 120, g.id
        assert g.materials and g.steps and g.conditions and g.basis, g.id
