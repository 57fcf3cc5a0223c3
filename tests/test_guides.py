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


def test_every_guide_can_be_reached_by_its_own_names_and_questions(kb, matcher):
    """What the guides are for: a resident who says a guide's title or spoken name gets it (answered, or
    offered among the choices), and none of a guide's own example questions is answered with another guide.
    (How many aliases and questions a guide needs is the validator's rule, checked by "no warnings" above.)"""
    from kiosk.matching import ANSWER, CLARIFY

    unreachable, wrong = [], []
    for g in kb.guides:
        for name in dict.fromkeys([g.title, g.short_name]):
            m = matcher.match(name)
            if not (m.status in (ANSWER, CLARIFY) and g.id in [c.id for c in m.candidates]):
                unreachable.append(f"{g.id} {name} -> {m.status} {[c.id for c in m.candidates]}")
        for q in g.questions:
            m = matcher.match(q)
            if m.status == ANSWER and m.best.id != g.id:
                wrong.append(f"{g.id} {q} -> {m.best.id}")
    assert unreachable == [] and wrong == []
