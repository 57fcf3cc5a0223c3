"""kiosk new: a skeleton in the right folder that cannot validate until staff fill it in."""
from __future__ import annotations

import itertools
import re

import yaml

from conftest import GUIDES
from kiosk.knowledge import load_directory


def _catalogue(guide_dir, ids):
    lines = (GUIDES / "catalogue.tsv").read_text(encoding="utf-8").splitlines()
    keep = [lines[0]] + [ln for ln in lines[1:] if ln.split("\t")[0] in ids]
    (guide_dir / "catalogue.tsv").write_text("\n".join(keep) + "\n", encoding="utf-8")


def _fill(text: str) -> str:
    """What staff do: replace every placeholder with real text (dates and scope with valid values)."""
    counter = itertools.count(1)
    out: list[str] = []
    in_basis = False
    for line in text.splitlines():
        if not line.startswith("  "):
            in_basis = False
        if line.startswith("updated:"):
            line = "updated: 2026-01-31"
        elif line.startswith("scope:"):
            line = "scope: 本区通办"
        elif line.startswith("    url:"):
            line = "    url: https://www.shanghai.gov.cn/example"
        elif line.startswith("    checked:"):
            line = "    checked: 2026-01-31"
        elif line.startswith("basis:"):
            out += [line, "  - 《敬老卡办理说明》"]
            in_basis = True
            continue
        elif in_basis and line.startswith("  - "):
            continue  # the basis placeholder: replaced by the document the source names
        elif line.startswith("  - title:"):
            line = "  - title: 敬老卡办理说明"
        while "待填写" in line:
            line = line.replace("待填写", f"敬老卡办理说明第{next(counter)}条", 1)
        out.append(line)
    return "\n".join(out) + "\n"


def test_skeleton_for_a_catalogue_guide(guide_dir, centre, cli):
    _catalogue(guide_dir, {"assistance-01", "elderly-02"})
    res = cli("new", "elderly-02", "--guides", str(guide_dir))
    path = guide_dir / "elderly" / "elderly-02.yaml"
    assert res.code == 0 and res.out.strip() == str(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["id"] == "elderly-02" and data["category"] == "elderly" and data["title"] == "敬老卡补领、换领"
    assert data["aliases"][:3] == ["敬老卡丢了", "敬老卡坏了", "补办敬老卡"]  # from the catalogue
    from kiosk.knowledge.loader import GUIDE_FIELDS

    assert set(data) == set(GUIDE_FIELDS) - {"shared_with"}
    keys = [ln for ln in path.read_text(encoding="utf-8").splitlines() if re.match(r"^[a-z_]+:", ln)]
    assert len(keys) == len(data) and [ln for ln in keys if "   # " not in ln and "  # " not in ln] == []
    kb, problems = load_directory(guide_dir, centre)
    assert kb.get("elderly-02") is None  # not in service while unfilled
    mine = [p for p in problems if p.path.endswith("elderly-02.yaml")]
    assert mine and all(p.is_error for p in mine)
    assert {p.message.split(" ")[0] for p in mine} >= {"department", "summary", "aliases", "questions", "fees",
                                                       "scope", "updated"}
    assert not any(("title" in p.message and not p.message.startswith("sources")) or "category" in p.message
                   or p.message.startswith("id") for p in mine)
    # once every placeholder is replaced it validates with no problem at all
    path.write_text(_fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    kb, problems = load_directory(guide_dir, centre)
    assert [str(p) for p in problems if p.path.endswith("elderly-02.yaml") and p.is_error] == []
    assert kb.get("elderly-02").title == "敬老卡补领、换领"


def test_refuses_to_overwrite_unless_forced(guide_dir, cli):
    assert cli("new", "assistance-02", "--guides", str(guide_dir)).code == 0
    again = cli("new", "assistance-02", "--guides", str(guide_dir))
    assert again.code == 2 and "已经存在" in again.err
    assert cli("new", "assistance-02", "--guides", str(guide_dir), "--force").code == 0
    good = cli("new", "assistance-01", "--guides", str(guide_dir))
    assert good.code == 2  # a real guide is never clobbered by accident


def test_unknown_ids_and_categories(guide_dir, cli):
    bad = cli("new", "Assistance_1", "--guides", str(guide_dir))
    assert bad.code == 2 and "格式不对" in bad.err
    cat = cli("new", "weather-01", "--guides", str(guide_dir))
    assert cat.code == 2 and "类别 weather 不存在" in cat.err
    new = cli("new", "law-05", "--guides", str(guide_dir))  # not in any catalogue here
    assert new.code == 0 and "不在 catalogue.tsv 中" in new.err
    text = (guide_dir / "law" / "law-05.yaml").read_text(encoding="utf-8")
    assert "title: 待填写" in text
