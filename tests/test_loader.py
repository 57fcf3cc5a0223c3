"""The loader/validator: every problem at once, as path:line: message, with exact text."""
from __future__ import annotations

import datetime as dt
import re

from kiosk.knowledge import load_directory


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_good_guide_loads_with_no_problems(guide_dir, centre):
    kb, problems = load_directory(guide_dir, centre)
    assert problems == []
    g = kb.get("assistance-01")
    assert g.title == "城乡居民最低生活保障申请"
    assert "低保" in g.aliases
    assert g.materials[1].form == "原件及复印件"
    assert g.updated == dt.date(2026, 12, 2)
    assert g.resolved("hours", centre) == centre.hours


def test_broken_copy_reports_every_problem_with_its_line(guide_dir, cli):
    good = guide_dir / "assistance" / "assistance-01.yaml"
    bad = guide_dir / "assistance" / "assistance-02.yaml"
    bad.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    _edit(bad, "id: assistance-01", "id: assistance-03")
    _edit(bad, "aliases:", "alias:")
    _edit(bad, "fees: 不收费", "fees: 待补充")
    _edit(bad, "scope: 户籍地", "scope: 哪里都行")
    _edit(bad, "    form: 现场填写\n    count: 1\n  - name: 家庭成员的居民身份证",
          "    form: 现场填写\n    count: 一份\n  - name: 家庭成员的居民身份证")
    _edit(bad, "updated: 2026-12-02", "updated: 2026年11月")
    res = cli("validate", str(guide_dir))
    p = f"{guide_dir}/assistance/assistance-02.yaml"
    assert res.code == 1
    expected = sorted([
        f"{p}:1: 缺少必填字段 aliases",
        f"{p}:1: id assistance-03 与文件名 assistance-02.yaml 不一致",
        f"{p}:{_line_of(bad, 'alias:')}: 未知字段 alias，是不是 aliases？",
        f"{p}:{_line_of(bad, 'count: 一份')}: materials 第 1 项 的 count 应该是正整数，现在是 '一份'",
        f"{p}:{_line_of(bad, 'fees:')}: fees 含有占位文字：待补充",
        f"{p}:{_line_of(bad, 'updated:')}: updated 应该是日期，格式 YYYY-MM-DD，例如 2026-01-31",
    ], key=lambda s: (int(s.split(":")[1]), s))
    assert _lines(res.out) == expected
    assert res.err == "共 1 个指南可用；6 个错误，0 个警告。\n"


def test_second_pass_checks_run_once_the_fields_are_readable(guide_dir, cli):
    good = guide_dir / "assistance" / "assistance-01.yaml"
    bad = guide_dir / "assistance" / "assistance-02.yaml"
    bad.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    _edit(bad, "scope: 户籍地", "scope: 哪里都行")
    _edit(bad, "category: assistance", "category: asistance")
    res = cli("validate", str(guide_dir))
    p = f"{guide_dir}/assistance/assistance-02.yaml"
    assert res.code == 1
    assert _lines(res.out) == [
        f"{p}:1: id assistance-01 与文件名 assistance-02.yaml 不一致",
        f"{p}:3: 类别 asistance 不存在，是不是 assistance？（见 categories.yaml）",
        f"{p}:{_line_of(bad, 'scope:')}: scope 只能是 全市通办、本区通办、户籍地、居住地、线上自助、其他机构 之一，现在是 哪里都行",
    ]


def test_yaml_syntax_error_gives_the_line(guide_dir, cli):
    bad = guide_dir / "assistance" / "assistance-02.yaml"
    bad.write_text("id: assistance-02\ntitle: 城乡居民最低生活保障家庭证明出具\naliases:\n  - 低保证明\n"
                   "  bad indent: [\n", encoding="utf-8")
    res = cli("validate", str(guide_dir))
    assert res.code == 1
    line = res.out.splitlines()[0]
    assert line.startswith(f"{guide_dir}/assistance/assistance-02.yaml:")
    assert "YAML 格式错误" in line
    assert int(line.split(":")[1]) in (5, 6)


def test_duplicate_ids_and_keys(guide_dir, cli):
    good = guide_dir / "assistance" / "assistance-01.yaml"
    (guide_dir / "elderly").mkdir()
    dup = guide_dir / "elderly" / "assistance-01.yaml"
    dup.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    _edit(good, "fees: 不收费", "fees: 不收费\nfees: 免费")
    res = cli("validate", str(guide_dir))
    assert res.code == 1
    fees_line = _line_of(good, "fees: 免费")
    assert _lines(res.out) == [
        f"{guide_dir}/assistance/assistance-01.yaml:{fees_line}: 字段 fees 重复出现（第 {fees_line - 1} 行已有）",
        f"{guide_dir}/elderly/assistance-01.yaml:1: id assistance-01 重复，已在 "
        f"{guide_dir}/assistance/assistance-01.yaml 中使用",
    ]


def test_empty_lists_wrong_types_and_non_utf8(guide_dir, cli):
    good = guide_dir / "assistance" / "assistance-01.yaml"
    bad = guide_dir / "assistance" / "assistance-02.yaml"
    bad.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    _edit(bad, "id: assistance-01", "id: assistance-02")
    _edit(bad, "time_limit: 受理之日起", "time_limit:\n  - 受理之日起")
    text = bad.read_text(encoding="utf-8")
    start = text.index("basis:")
    end = text.index("notes:")
    bad.write_text(text[:start] + "basis: []\n" + text[end:], encoding="utf-8")
    (guide_dir / "assistance" / "assistance-03.yaml").write_bytes("id: 低保\n".encode("gbk"))
    res = cli("validate", str(guide_dir))
    p = f"{guide_dir}/assistance"
    assert _lines(res.out) == [
        f"{p}/assistance-02.yaml:{_line_of(bad, 'time_limit:')}: time_limit 应该是一段文字，不是列表",
        f"{p}/assistance-02.yaml:{_line_of(bad, 'basis: []')}: basis 至少要有一项",
        f"{p}/assistance-03.yaml:1: 文件不是 UTF-8 编码，请用 UTF-8 保存",
    ]


def test_warnings_do_not_fail_but_are_listed(guide_dir, cli):
    good = guide_dir / "assistance" / "assistance-01.yaml"
    other = guide_dir / "assistance" / "assistance-02.yaml"
    other.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    _edit(other, "id: assistance-01", "id: assistance-02")
    res = cli("validate", str(guide_dir))
    assert res.code == 0
    out = _lines(res.out)
    second = f"{guide_dir}/assistance/assistance-02.yaml"
    assert f"{second}:{_line_of(other, 'materials:')}: 警告：materials 与 assistance-01 完全相同；如果是有意的，" \
           f"请在两个文件中写 shared_with" in out
    # a shared alias is reported once, at its own line in the guide that repeats it
    shared = [line for line in out if "别名“低保”同时属于" in line]
    assert shared == [f"{second}:{_line_of(other, '  - 低保')}: 警告：别名“低保”同时属于 assistance-01、assistance-02，"
                      f"居民说这个词时需要再问一次"]
    assert _lines(cli("validate", "-q", str(guide_dir)).out) == []


def test_missing_directory_is_one_clear_error(tmp_path, cli):
    res = cli("validate", str(tmp_path / "nowhere"))
    assert res.code == 1
    assert res.out == f"{tmp_path / 'nowhere'}:0: 指南文件夹不存在\n"


def test_catalogue_coverage(guide_dir, cli):
    (guide_dir / "catalogue.tsv").write_text(
        "id\tcategory\tcategory_name\ttitle\tseed_aliases\n"
        "assistance-01\tassistance\t社会救助\t城乡居民最低生活保障申请\t低保\n"
        "assistance-02\tassistance\t社会救助\t城乡居民最低生活保障家庭证明出具\t低保证明\n",
        encoding="utf-8")
    res = cli("validate", str(guide_dir))
    assert res.code == 1
    assert _lines(res.out) == [
        f"{guide_dir}/catalogue.tsv:3: 缺少事项 assistance-02（城乡居民最低生活保障家庭证明出具）的指南文件，"
        f"应在 {guide_dir}/assistance/assistance-02.yaml",
    ]


def test_control_characters_are_reported_not_raised(guide_dir, cli):
    bad = guide_dir / "assistance" / "assistance-02.yaml"
    bad.write_text("id: assistance-02\ntitle: 低保\x00证明\n", encoding="utf-8")
    res = cli("validate", str(guide_dir))
    assert res.code == 1
    assert res.out == f"{bad}:2: 文件里有不能出现的控制字符（#x0000），请删掉\n"


def test_impossible_dates_and_yaml_references_are_reported_not_raised(guide_dir, cli):
    good = guide_dir / "assistance" / "assistance-01.yaml"
    bad = guide_dir / "assistance" / "assistance-02.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("id: assistance-01", "id: assistance-02")
                   .replace("updated: 2026-12-02", "updated: 2026-13-45"), encoding="utf-8")
    loop = guide_dir / "assistance" / "assistance-03.yaml"
    loop.write_text("id: assistance-03\naliases: &a [*a]\n", encoding="utf-8")
    res = cli("validate", str(guide_dir), "-q")
    assert res.code == 1
    assert f"{bad}:{_line_of(bad, 'updated:')}: updated 应该是日期，格式 YYYY-MM-DD，例如 2026-01-31" in res.out
    assert f"{loop}:2: 不能使用 YAML 引用（& 和 *）；以 & 或 * 开头的文字请整段加引号" in res.out


def _known_basis(text: str) -> str:
    """The guide with its own sources removed and a basis this test knows."""
    import re

    text = re.sub(r"^sources:\n(?:[ -].*\n)+", "", text, flags=re.M)
    basis = "basis:\n  - 《社会救助暂行办法》（国务院令第649号）\n  - 《上海市社会救助条例》\n  - 《上海市城乡居民最低生活保障工作规程》\n"
    return re.sub(r"^basis:\n(?:  - .*\n)+", basis, text, flags=re.M)


SOURCES = """sources:
  - title: 社会救助暂行办法
    doc: 国务院令第649号
    checked: 2026-11-30
  - title: 某网页
    url: https://www.shanghai.gov.cn/example
    checked: 2026-11-30
"""


def test_sources_are_read_and_back_the_basis(guide_dir, centre, monkeypatch):
    monkeypatch.setattr("kiosk.knowledge.loader.REQUIRE_SOURCES", True)
    path = guide_dir / "assistance" / "assistance-01.yaml"
    original = _known_basis(path.read_text(encoding="utf-8"))
    path.write_text(original.replace("updated:", SOURCES + "updated:"), encoding="utf-8")
    kb, problems = load_directory(guide_dir, centre)
    # The first basis entry is backed by its 文号; the other two name documents no source gives.
    unbacked = [p.message for p in problems if "找不到出处" in p.message]
    assert len(unbacked) == 2 and "《上海市社会救助条例》" in unbacked[0]
    assert kb.get("assistance-01") is None  # a guide with errors is not served
    backed = SOURCES + """  - title: 上海市社会救助条例
    url: https://www.shanghai.gov.cn/law1
    checked: 2026-11-29
  - title: 上海市城乡居民最低生活保障工作规程
    url: https://www.shanghai.gov.cn/rule2
    checked: 2026-11-29
"""
    path.write_text(original.replace("updated:", backed + "updated:"), encoding="utf-8")
    kb, problems = load_directory(guide_dir, centre)
    g = kb.get("assistance-01")
    assert [p for p in problems if p.is_error] == []
    assert [s.doc for s in g.sources] == ["国务院令第649号", None, None, None]
    assert g.sources[1].url == "https://www.shanghai.gov.cn/example"
    assert g.sources[0].checked == dt.date(2026, 11, 30)


def test_a_source_needs_a_url_or_document_number_and_a_date(guide_dir, cli):
    path = guide_dir / "assistance" / "assistance-01.yaml"
    bad = """sources:
  - title: 只有标题
    checked: 2026-11-30
  - title: 网址不对
    url: www.example.com
    checked: 2026-11-30
  - title: 没有日期
    doc: 沪府规〔2024〕1号
updated:"""
    path.write_text(_known_basis(path.read_text(encoding="utf-8")).replace("updated:", bad), encoding="utf-8")
    res = cli("validate", str(guide_dir))
    assert res.code == 1
    p = f"{guide_dir}/assistance/assistance-01.yaml"
    first = _line_of(path, "title: 只有标题")
    assert f"{p}:{first}: sources 第 1 项 要写 url（网址）或 doc（文号），工作人员才能找到原文" in res.out
    assert f"{p}:{first + 3}: sources 第 2 项 的 url 应以 http:// 或 https:// 开头，现在是 www.example.com" in res.out
    assert f"{p}:{first + 5}: sources 第 3 项 缺少 checked（核对日期，格式 YYYY-MM-DD）" in res.out


def test_a_paying_guide_without_benefits_is_warned(guide_dir, cli):
    path = guide_dir / "assistance" / "assistance-01.yaml"
    text = re.sub(r"^benefits:\n(?:  - .*\n)+", "", path.read_text(encoding="utf-8"), flags=re.M)
    path.write_text(text, encoding="utf-8")
    res = cli("validate", str(guide_dir))
    assert f"{path}:{_line_of(path, 'title:')}: 警告：这个事项发钱或发补贴，请写 benefits（待遇标准）" in res.out


def test_each_guide_keeps_the_line_of_every_field_and_list_item(guide_dir, centre):
    kb, _ = load_directory(guide_dir, centre)
    (g,) = kb.guides
    path = guide_dir / "assistance" / "assistance-01.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    for key in ("id", "title", "summary", "aliases", "questions", "materials", "updated"):
        assert lines[g.line_of(key) - 1].startswith(f"{key}:"), key
    for key in ("aliases", "questions", "conditions", "steps"):
        items = getattr(g, key)
        assert len(items) >= 2
        for text in items:
            assert lines[g.item_line(key, text) - 1].strip() == f"- {text}", (key, text)
    assert g.item_line("aliases", "不是这个指南的别名") == g.line_of("aliases")
    assert g.item_line("title", g.title) == g.line_of("title")


def test_a_long_spoken_summary_is_a_warning_at_its_line(guide_dir, cli):
    path = guide_dir / "assistance" / "assistance-01.yaml"
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("spoken_summary:")]
    at = next(i for i, line in enumerate(lines) if line.startswith("summary:"))
    long = "家里人均收入低于本市低保标准、财产也符合规定的本市户籍家庭可以申请每月救助"
    lines.insert(at + 1, f"spoken_summary: {long}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = cli("validate", str(guide_dir))
    assert res.code == 0
    assert f"{path}:{_line_of(path, 'spoken_summary:')}: 警告：spoken_summary 有 {len(long)} 个字，第一次回答读它，" \
           f"请不超过 24 字；其余的写在 summary 里给屏幕看" in _lines(res.out)
    _edit(path, long, "收入低的本市户籍家庭，每月可以领救助金")
    assert "spoken_summary" not in cli("validate", str(guide_dir)).out
