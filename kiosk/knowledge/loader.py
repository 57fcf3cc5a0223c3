"""Load and validate the guide directory.

One loader serves both ``kiosk validate`` and the running kiosk: it never raises on bad content.
Every problem is collected as a :class:`Problem` (``path:line: message``, in Chinese for staff),
guides with errors are left out, and the rest are loaded.
"""
from __future__ import annotations

import csv
import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping

import yaml

from .model import (
    CENTRE_DEFAULT,
    FAQ,
    MATERIAL_FORMS,
    SCOPES,
    Category,
    Centre,
    Guide,
    KnowledgeBase,
    Material,
    Source,
)
from . import files
from .problems import ERROR, WARNING, Problem

CATEGORIES_FILE = "categories.yaml"
EVENTS_FILE = "events.yaml"  # life-event bundles, read by kiosk.knowledge.events
CATALOGUE_FILE = "catalogue.tsv"
MIN_ALIASES = 6
MIN_QUESTIONS = 4
MAX_CONDITION_CHARS = 60
#: The first answer says the short name, spoken_summary and how to ask on: about 13 seconds in all.
MAX_SPOKEN_SUMMARY_CHARS = 24
#: Limits that keep one bad file from using up the kiosk's time and memory.
MAX_DEPTH = 12
MAX_LIST_ITEMS = 200
MAX_TEXT_CHARS = 2000
#: Every guide must name its sources and back each basis entry with one (switched on once all are sourced).
REQUIRE_SOURCES = True

# key -> (kind, required)
GUIDE_FIELDS: dict[str, tuple[str, bool]] = {
    "id": ("str", True),
    "title": ("str", True),
    "category": ("str", True),
    "department": ("str", True),
    "summary": ("str", True),
    "aliases": ("strlist", True),
    "questions": ("strlist", True),
    "conditions": ("strlist", True),
    "materials": ("materials", True),
    "steps": ("strlist", True),
    "time_limit": ("str", True),
    "fees": ("str", True),
    "scope": ("str", True),
    "location": ("str", True),
    "hours": ("str", True),
    "contact": ("str", True),
    "basis": ("strlist", True),
    "updated": ("date", True),
    "notes": ("strlist", False),
    "faq": ("faq", False),
    "shared_with": ("strlist", False),
    "spoken_name": ("str", False),
    "spoken_summary": ("str", False),
    "situations": ("strlist", False),
    "benefits": ("strlist", False),
    "sources": ("sources", False),
    "doubts": ("strlist", False),
}
MATERIAL_FIELDS = ("name", "form", "count", "note")
FAQ_FIELDS = ("q", "a")
SOURCE_FIELDS = ("title", "url", "doc", "checked")
# A document number (文号) such as 沪府规〔2024〕1号 or 主席令第九十三号.
_DOC_NUMBER = re.compile(r"[〔\[（(]\d{4}[〕\]）)]\s*\d+\s*号|第\s*[\d一二三四五六七八九十百零]+\s*号")
CATEGORY_FIELDS = ("id", "name", "order", "icon")

_PLACEHOLDER = re.compile(r"待补充|待完善|待填写|待定|TODO|TBD|FIXME|XXX|x{3,}|……|\.\.\.|^\s*[略同上]+\s*$|^\s*-+\s*$", re.I)
# Titles of services that pay or grant something, and of the certificates and look-ups about them (which do not).
_PAYS = re.compile(r"最低生活保障|补贴|津贴|补助|救助|抚恤|优待金|保险金|养老金|失业金|待遇|奖励|资助|补偿|报销|慰问|生活费|医疗费")
_NOT_PAYING = re.compile(r"证明|查询|变更|复核|维护|调整|认证|挂失|登记证")
_ID = re.compile(r"^[a-z]{2,20}-[0-9]{2,4}$")
# libyaml's loader is about ten times faster and gives the same node marks; fall back when absent.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Node:
    """A YAML value with the line it starts on (1-based)."""

    __slots__ = ("value", "line")

    def __init__(self, value: Any, line: int) -> None:
        self.value = value
        self.line = line


@dataclass
class _Ctx:
    path: str
    problems: list[Problem]

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, ERROR))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, WARNING))


def _parse_yaml(text: str, ctx: _Ctx) -> _Node | None:
    """Parse text into _Node trees; report syntax errors and duplicate keys."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            ctx.error(1, "文件是空的")
            return None
        _reject_aliases(root)
        return _convert(root, loader, ctx)
    except _TooDeep as exc:
        ctx.error(exc.line, f"层次嵌套太深（超过 {MAX_DEPTH} 层），指南不需要这么多层，请检查缩进")
        return None
    except _AliasUsed as exc:
        ctx.error(exc.line, "不能使用 YAML 引用（& 和 *）；以 & 或 * 开头的文字请整段加引号")
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        ctx.error(line, f"YAML 格式错误：{_yaml_reason(exc)}")
        return None
    except yaml.YAMLError as exc:
        ctx.error(1, f"YAML 格式错误：{exc}")
        return None
    finally:
        loader.dispose()


class _AliasUsed(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _TooDeep(_AliasUsed):
    pass


def _reject_aliases(root: yaml.Node) -> None:
    """Guides need no YAML aliases (*name); one could refer to itself or multiply a file a billion times."""
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise _AliasUsed(node.start_mark.line + 1)
        if depth > MAX_DEPTH:
            raise _TooDeep(node.start_mark.line + 1)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack += ((k, depth + 1), (v, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack += ((v, depth + 1) for v in node.value)


def _scalar(node: yaml.Node, loader: yaml.BaseLoader):
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError, TypeError):  # e.g. a date like 2026-13-45: keep the text, checks say why
        return node.value if isinstance(node, yaml.ScalarNode) else None


def _yaml_reason(exc: yaml.MarkedYAMLError) -> str:
    reason = (exc.problem or exc.context or "无法解析").strip()
    hints = {
        "could not find expected ':'": "缺少冒号“:”（注意要用英文冒号）",
        "mapping values are not allowed here": "这里不能出现冒号，文字中含冒号时请整段加引号",
        "found character '\\t' that cannot start any token": "不能用 Tab 缩进，请用空格",
        "expected <block end>, but found '-'": "列表项缩进不一致",
        "found undefined alias": "不能以 * 开头，请整段加引号",
    }
    for key, hint in hints.items():
        if reason.startswith(key):
            return hint
    return reason


def _convert(node: yaml.Node, loader: yaml.BaseLoader, ctx: _Ctx) -> _Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, tuple[_Node, int]] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, loader)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                ctx.error(key_line, f"字段名必须是文字：{key!r}")
                continue
            if key in out:
                ctx.error(key_line, f"字段 {key} 重复出现（第 {out[key][1]} 行已有）")
                continue
            out[key] = (_convert(value_node, loader, ctx), key_line)
        return _Node(out, line)
    if isinstance(node, yaml.SequenceNode):
        return _Node([_convert(item, loader, ctx) for item in node.value], line)
    return _Node(_scalar(node, loader), line)


def _suggest(key: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    return f"，是不是 {close[0]}？" if close else ""


def _check_text(value: Any, line: int, what: str, ctx: _Ctx) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        ctx.error(line, f"{what} 不能为空")
        return None
    if isinstance(value, (dict, list)):
        ctx.error(line, f"{what} 应该是一段文字，不是{'列表' if isinstance(value, list) else '字段组'}")
        return None
    if isinstance(value, bool):
        ctx.error(line, f"{what} 应该是一段文字，不是 {'true' if value else 'false'}（请加引号）")
        return None
    text = str(value).strip()
    if len(text) > MAX_TEXT_CHARS:
        ctx.error(line, f"{what} 有 {len(text)} 个字，太长了（最多 {MAX_TEXT_CHARS} 字）")
        return None
    if _PLACEHOLDER.search(text):
        ctx.error(line, f"{what} 含有占位文字：{text[:30]}")
        return None
    return text


def _check_mapping(node: _Node, allowed: Iterable[str], what: str, ctx: _Ctx) -> dict[str, tuple[_Node, int]] | None:
    if not isinstance(node.value, dict):
        ctx.error(node.line, f"{what} 应该是“字段: 内容”的形式")
        return None
    allowed = tuple(allowed)
    for key, (_, key_line) in node.value.items():
        if key not in allowed:
            ctx.error(key_line, f"未知字段 {key}{_suggest(key, allowed)}")
    return node.value


def _check_list(node: _Node, what: str, ctx: _Ctx) -> list[_Node] | None:
    if node.value is None:
        ctx.error(node.line, f"{what} 不能为空")
        return None
    if not isinstance(node.value, list):
        ctx.error(node.line, f"{what} 应该是列表（每项以“- ”开头）")
        return None
    if not node.value:
        ctx.error(node.line, f"{what} 至少要有一项")
        return None
    if len(node.value) > MAX_LIST_ITEMS:
        ctx.error(node.line, f"{what} 有 {len(node.value)} 项，太多了（最多 {MAX_LIST_ITEMS} 项）")
        return None
    return node.value


def _strlist(node: _Node, key: str, ctx: _Ctx) -> tuple[str, ...] | None:
    items = _check_list(node, key, ctx)
    if items is None:
        return None
    out = []
    for i, item in enumerate(items, 1):
        text = _check_text(item.value, item.line, f"{key} 第 {i} 项", ctx)
        if text is not None:
            out.append(text)
    return tuple(out) if len(out) == len(items) else None


def _materials(node: _Node, key: str, ctx: _Ctx) -> tuple[Material, ...] | None:
    items = _check_list(node, key, ctx)
    if items is None:
        return None
    out: list[Material] = []
    ok = True
    for i, item in enumerate(items, 1):
        what = f"materials 第 {i} 项"
        if isinstance(item.value, str):
            text = _check_text(item.value, item.line, what, ctx)
            ok &= text is not None
            if text:
                out.append(Material(text))
            continue
        fields = _check_mapping(item, MATERIAL_FIELDS, what, ctx)
        if fields is None:
            ok = False
            continue
        if "name" not in fields:
            ctx.error(item.line, f"{what} 缺少 name（材料名称）")
            ok = False
            continue
        name = _check_text(fields["name"][0].value, fields["name"][1], f"{what} 的 name", ctx)
        form = note = None
        count = None
        if "form" in fields:
            fnode, fline = fields["form"]
            form = _check_text(fnode.value, fline, f"{what} 的 form", ctx)
            if form is not None and form not in MATERIAL_FORMS:
                ctx.error(fline, f"{what} 的 form 只能是 {'、'.join(MATERIAL_FORMS)} 之一，现在是 {form}")
                form = None
                ok = False
        if "count" in fields:
            cnode, cline = fields["count"]
            if isinstance(cnode.value, bool) or not isinstance(cnode.value, int) or cnode.value < 1:
                ctx.error(cline, f"{what} 的 count 应该是正整数，现在是 {cnode.value!r}")
                ok = False
            else:
                count = cnode.value
        if "note" in fields:
            note = _check_text(fields["note"][0].value, fields["note"][1], f"{what} 的 note", ctx)
            ok &= note is not None
        if name is None:
            ok = False
        else:
            out.append(Material(name, form, count, note))
    return tuple(out) if ok and len(out) == len(items) else None


def _faq(node: _Node, key: str, ctx: _Ctx) -> tuple[FAQ, ...] | None:
    items = _check_list(node, key, ctx)
    if items is None:
        return None
    out = []
    for i, item in enumerate(items, 1):
        fields = _check_mapping(item, FAQ_FIELDS, f"faq 第 {i} 项", ctx)
        if fields is None:
            continue
        texts = {}
        for k in FAQ_FIELDS:
            if k not in fields:
                ctx.error(item.line, f"faq 第 {i} 项缺少 {k}")
            else:
                texts[k] = _check_text(fields[k][0].value, fields[k][1], f"faq 第 {i} 项的 {k}", ctx)
        if all(texts.get(k) for k in FAQ_FIELDS):
            out.append(FAQ(texts["q"], texts["a"]))
    return tuple(out) if len(out) == len(items) else None


def _sources(node: _Node, key: str, ctx: _Ctx, today: dt.date) -> tuple[Source, ...] | None:
    items = _check_list(node, key, ctx)
    if items is None:
        return None
    out = []
    for i, item in enumerate(items, 1):
        what = f"sources 第 {i} 项"
        fields = _check_mapping(item, SOURCE_FIELDS, what, ctx)
        if fields is None:
            continue
        texts: dict[str, Any] = {}
        for k in ("title", "url", "doc"):
            if k in fields:
                texts[k] = _check_text(fields[k][0].value, fields[k][1], f"{what} 的 {k}", ctx)
        if "title" not in fields:
            ctx.error(item.line, f"{what} 缺少 title（文件或网页的名称）")
            continue
        if "url" not in fields and "doc" not in fields:
            ctx.error(item.line, f"{what} 要写 url（网址）或 doc（文号），工作人员才能找到原文")
            continue
        url = texts.get("url")
        if url is not None and not re.match(r"^https?://\S+$", url):
            ctx.error(fields["url"][1], f"{what} 的 url 应以 http:// 或 https:// 开头，现在是 {url}")
            continue
        if "checked" not in fields:
            ctx.error(item.line, f"{what} 缺少 checked（核对日期，格式 YYYY-MM-DD）")
            continue
        checked = _date(fields["checked"][0], f"{what} 的 checked", ctx, today)
        if checked is None or any(texts.get(k) is None for k in ("title", "url", "doc") if k in fields):
            continue
        out.append(Source(texts["title"], checked, texts.get("url"), texts.get("doc")))
    return tuple(out) if len(out) == len(items) else None


def _date(node: _Node, key: str, ctx: _Ctx, today: dt.date) -> dt.date | None:
    value = node.value
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        ctx.error(node.line, f"{key} 应该是日期，格式 YYYY-MM-DD，例如 2026-01-31")
        return None
    if value > today:
        ctx.error(node.line, f"{key} 是将来的日期：{value.isoformat()}")
        return None
    return value


def _parse_guide(root: _Node, ctx: _Ctx, today: dt.date) -> dict[str, Any] | None:
    fields = _check_mapping(root, GUIDE_FIELDS, "指南文件", ctx)
    if fields is None:
        return None
    values: dict[str, Any] = {}
    ok = True
    for key, (kind, required) in GUIDE_FIELDS.items():
        if key not in fields:
            if required:
                ctx.error(root.line, f"缺少必填字段 {key}")
                ok = False
            continue
        node, key_line = fields[key]
        if node.value is None:
            ctx.error(key_line, f"{key} 不能为空")
            ok = False
            continue
        if kind == "str":
            value = _check_text(node.value, key_line, key, ctx)
        elif kind == "strlist":
            value = _strlist(node, key, ctx)
        elif kind == "materials":
            value = _materials(node, key, ctx)
        elif kind == "faq":
            value = _faq(node, key, ctx)
        elif kind == "sources":
            value = _sources(node, key, ctx, today)
        else:
            value = _date(node, key, ctx, today)
        if value is None:
            ok = False
        else:
            values[key] = value
            values[f"_line_{key}"] = key_line
            if kind == "strlist":  # each item's own line, for staff tools (Guide.item_line)
                for i, item in enumerate(node.value):
                    values[f"_line_{key}.{i}"] = item.line
    return values if ok else None


def _check_guide_values(values: dict[str, Any], file: Path, categories: set[str], ctx: _Ctx) -> bool:
    ok = True
    line = lambda key: values.get(f"_line_{key}", 1)  # noqa: E731
    if not _ID.match(values["id"]):
        ctx.error(line("id"), f"id {values['id']} 格式不对，应为 类别-两位编号，如 assistance-01")
        ok = False
    if categories and values["category"] not in categories:
        ctx.error(line("category"), f"类别 {values['category']} 不存在{_suggest(values['category'], categories)}"
                  f"（见 {CATEGORIES_FILE}）")
        ok = False
    elif file.parent.name != values["category"]:
        ctx.error(line("category"), f"类别 {values['category']} 与所在文件夹 {file.parent.name} 不一致")
        ok = False
    if values["scope"] not in SCOPES:
        ctx.error(line("scope"), f"scope 只能是 {'、'.join(SCOPES)} 之一，现在是 {values['scope']}")
        ok = False
    for key in ("location", "hours", "contact"):
        if CENTRE_DEFAULT in values[key] and values[key] != CENTRE_DEFAULT:
            ctx.error(line(key), f"{key} 中的“{CENTRE_DEFAULT}”要单独写（{key}: {CENTRE_DEFAULT}），其他说明请写到 notes")
            ok = False
    if len(values["aliases"]) < MIN_ALIASES:
        ctx.error(line("aliases"), f"aliases 至少要 {MIN_ALIASES} 个，现在只有 {len(values['aliases'])} 个")
        ok = False
    if len(values["questions"]) < MIN_QUESTIONS:
        ctx.error(line("questions"), f"questions 至少要 {MIN_QUESTIONS} 句，现在只有 {len(values['questions'])} 句")
        ok = False
    for key in ("aliases", "questions"):
        seen: set[str] = set()
        for item in values[key]:
            if item in seen:
                ctx.warn(line(key), f"{key} 中“{item}”重复")
            seen.add(item)
    _check_provenance(values, line, ctx)
    if _PAYS.search(values["title"]) and not _NOT_PAYING.search(values["title"]) and not values.get("benefits"):
        ctx.warn(line("title"), "这个事项发钱或发补贴，请写 benefits（待遇标准）：能领多少、按什么档次；金额未公开时写清楚怎么定、去哪里问")
    for i, item in enumerate(values["conditions"], 1):
        if len(item) > MAX_CONDITION_CHARS:
            ctx.warn(line("conditions"), f"conditions 第 {i} 项有 {len(item)} 个字，读出来太长，"
                                         f"请拆成不超过 {MAX_CONDITION_CHARS} 字的几条")
    spoken = values.get("spoken_summary")
    if spoken and len(spoken) > MAX_SPOKEN_SUMMARY_CHARS:
        ctx.warn(line("spoken_summary"), f"spoken_summary 有 {len(spoken)} 个字，第一次回答读它，"
                                         f"请不超过 {MAX_SPOKEN_SUMMARY_CHARS} 字；其余的写在 summary 里给屏幕看")
    n = len(values["summary"])
    if n > 120:
        ctx.warn(line("summary"), f"summary 有 {n} 个字，读出来太长，建议 60 字左右")
    return ok


def _check_provenance(values: dict[str, Any], line: Callable[[str], int], ctx: _Ctx) -> None:
    """Every guide names where its facts come from, and every basis entry is backed by a source."""
    if not REQUIRE_SOURCES:
        return
    sources: tuple[Source, ...] = values.get("sources", ())
    report = ctx.error
    if not sources:
        report(line("id"), "缺少 sources：请写出事实的来源（标题、网址或文号、核对日期），工作人员才能核对")
        return
    titles = " ".join(s.title for s in sources)
    docs = " ".join(s.doc or "" for s in sources) + " " + titles
    for i, entry in enumerate(values["basis"], 1):
        names = re.findall(r"《([^》]+)》", entry)
        numbers = [re.sub(r"\s", "", m.group(0)) for m in _DOC_NUMBER.finditer(entry)]
        backed = any(n in titles for n in names) or any(n in re.sub(r"\s", "", docs) for n in numbers)
        if not backed:
            report(line("basis"), f"basis 第 {i} 项“{entry}”在 sources 中找不到出处：请在 sources 中写上它的原文"
                                  f"（标题和网址或文号），找不到原文的请删去并写入 doubts")


def _guide_from_values(values: dict[str, Any], path: str, field_lines: Mapping[str, int] | None = None) -> Guide:
    kwargs = {k: v for k, v in values.items() if not k.startswith("_line_")}
    return Guide(path=path, lines=MappingProxyType(dict(field_lines or {})), **kwargs)


def load_categories(directory: Path, display: str, problems: list[Problem]) -> tuple[Category, ...]:
    path = directory / CATEGORIES_FILE
    ctx = _Ctx(os.path.join(display, CATEGORIES_FILE), problems)
    if not path.is_file():
        ctx.error(1, "找不到类别文件")
        return ()
    text = _read_text(path, ctx, directory)
    if text is None:
        return ()
    root = _parse_yaml(text, ctx)
    if root is None:
        return ()
    items = _check_list(root, "类别列表", ctx)
    out: list[Category] = []
    seen: set[str] = set()
    for item in items or ():
        fields = _check_mapping(item, CATEGORY_FIELDS, "类别", ctx)
        if fields is None:
            continue
        missing = [k for k in CATEGORY_FIELDS if k not in fields]
        if missing:
            ctx.error(item.line, f"类别缺少 {'、'.join(missing)}")
            continue
        cid, name, icon = (_check_text(fields[k][0].value, fields[k][1], k, ctx) for k in ("id", "name", "icon"))
        order = fields["order"][0].value
        if not isinstance(order, int) or isinstance(order, bool):
            ctx.error(fields["order"][1], f"order 应该是整数，现在是 {order!r}")
            continue
        if cid and cid in seen:
            ctx.error(fields["id"][1], f"类别 {cid} 重复")
            continue
        if cid and name and icon:
            seen.add(cid)
            out.append(Category(cid, name, order, icon))
    return tuple(sorted(out, key=lambda c: c.order))


@dataclass(frozen=True)
class CatalogueRow:
    id: str
    category: str
    title: str
    aliases: tuple[str, ...]
    line: int


CATALOGUE_COLUMNS = ("id", "category", "title")


def read_catalogue(path: Path, problems: list[Problem] | None = None, display: str | None = None,
                   base: Path | None = None) -> list[CatalogueRow]:
    """The catalogue's usable rows. Never raises: every problem (encoding, header, short rows) is reported."""
    problems = [] if problems is None else problems
    ctx = _Ctx(display or os.fspath(path), problems)
    text = _read_text(path, ctx, base)
    if text is None:
        return []
    lines = text.splitlines()
    if not lines:
        ctx.error(1, "目录文件是空的")
        return []
    header = lines[0].split("\t")
    missing = [c for c in CATALOGUE_COLUMNS if c not in header]
    if missing:
        ctx.error(1, f"目录第一行应是表头（{'、'.join(CATALOGUE_COLUMNS)} 等，用 Tab 分隔），缺少 {'、'.join(missing)}")
        return []
    col = {name: i for i, name in enumerate(header)}
    rows: list[CatalogueRow] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        cells = line.split("\t")
        values = {c: cells[col[c]].strip() if col[c] < len(cells) else "" for c in CATALOGUE_COLUMNS}
        empty = [c for c in CATALOGUE_COLUMNS if not values[c]]
        if empty:
            ctx.error(n, f"这一行缺少 {'、'.join(empty)}（每行要有 {len(header)} 列，用 Tab 分隔）")
            continue
        if not _ID.match(values["id"]):
            ctx.error(n, f"id {values['id'][:40]} 格式不对，应为 类别-两位编号，如 assistance-01")
            continue
        if values["id"] in seen:
            ctx.error(n, f"id {values['id']} 重复，第 {seen[values['id']]} 行已有")
            continue
        seen[values["id"]] = n
        alias_cell = cells[col["seed_aliases"]] if "seed_aliases" in col and col["seed_aliases"] < len(cells) else ""
        aliases = tuple(a.strip() for a in alias_cell.split(";") if a.strip())
        rows.append(CatalogueRow(values["id"], values["category"], values["title"], aliases, n))
    return rows


_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _read_text(path: Path, ctx: _Ctx, base: Path | None = None) -> str | None:
    """The file's text, or None with the reason reported. base: the guide folder links must stay in."""
    _, problem = files.check_file(path, os.path.realpath(base if base is not None else path.parent))
    if problem:
        ctx.error(1, problem)
        return None
    try:
        data = files.read_bytes(path)
    except OSError as exc:
        ctx.error(1, f"无法读取文件：{exc.strerror or exc}")
        return None
    if len(data) > files.MAX_FILE_BYTES:
        ctx.error(1, f"文件太大，一个指南文件不应超过 {files.MAX_FILE_BYTES // 1024} KB")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        ctx.error(line, "文件不是 UTF-8 编码，请用 UTF-8 保存")
        return None
    text = text.lstrip("\ufeff")
    bad = _NOT_PRINTABLE.search(text)
    if bad:  # YAML refuses these; say where, whichever YAML parser is in use
        ctx.error(text[: bad.start()].count("\n") + 1, f"文件里有不能出现的控制字符（#x{ord(bad.group()):04x}），请删掉")
        return None
    return text


def _check_catalogue(directory: Path, display: str, guides: dict[str, Guide], seen_ids: set[str],
                     lines: dict[str, dict[str, int]], problems: list[Problem]) -> None:
    path = directory / CATALOGUE_FILE
    if not path.is_file():
        return
    cat_display = os.path.join(display, CATALOGUE_FILE)
    before = sum(p.is_error for p in problems)
    rows = read_catalogue(path, problems, cat_display, directory)
    if not rows and sum(p.is_error for p in problems) > before:
        return  # an unreadable catalogue is reported; the guides themselves stay in service
    known = {r.id for r in rows}
    for row in rows:
        ctx = _Ctx(cat_display, problems)
        guide = guides.get(row.id)
        if row.id not in seen_ids:
            ctx.error(row.line, f"缺少事项 {row.id}（{row.title}）的指南文件，应在 "
                                f"{os.path.join(display, row.category, row.id + '.yaml')}")
            continue
        if guide is None:
            continue  # the guide file itself has errors, already reported
        gctx = _Ctx(guide.path, problems)
        if guide.title != row.title:
            gctx.error(lines[row.id]["title"], f"title 与目录不一致：目录中是“{row.title}”")
        if guide.category != row.category:
            gctx.error(lines[row.id]["category"], f"category 与目录不一致：目录中是 {row.category}")
    for gid, guide in guides.items():
        if gid not in known:
            _Ctx(guide.path, problems).error(1, f"事项 {gid} 不在目录 {CATALOGUE_FILE} 中")


def _cross_checks(guides: list[Guide], problems: list[Problem]) -> None:
    """Warnings across guides: copied blocks and aliases that point to several guides."""
    by_id = {g.id: g for g in guides}
    for g in guides:
        for other in g.shared_with:
            if other not in by_id:
                problems.append(Problem(g.path, g.line_of("shared_with"), f"shared_with 中的 {other} 不存在", WARNING))
    for key in ("materials", "steps"):
        seen: dict[tuple, Guide] = {}
        for g in guides:
            block = getattr(g, key)
            if len(block) < 2:
                continue
            first = seen.get(block)
            if first is None:
                seen[block] = g
            elif first.id not in g.shared_with and g.id not in first.shared_with:
                problems.append(Problem(g.path, g.line_of(key), f"{key} 与 {first.id} 完全相同；如果是有意的，请在两个文件中写 "
                                                   f"shared_with", WARNING))
    owners: dict[str, list[Guide]] = {}
    for g in guides:
        for alias in set(g.aliases):
            owners.setdefault(alias, []).append(g)
    for alias, gs in sorted(owners.items()):
        if len(gs) > 1:  # once, at the alias in the last guide that repeats it
            ids = "、".join(x.id for x in gs)
            problems.append(Problem(gs[-1].path, gs[-1].item_line("aliases", alias),
                                    f"别名“{alias}”同时属于 {ids}，居民说这个词时需要再问一次", WARNING))


def load_directory(directory: str | os.PathLike, centre: Centre, *, today: dt.date | None = None,
                   extra_checks: Iterable[Callable[[list[Guide], list[Problem]], None]] = ()
                   ) -> tuple[KnowledgeBase, list[Problem]]:
    """Load every guide under directory. Never raises for bad content."""
    today = today or dt.date.today()
    display = os.fspath(directory)
    base = Path(directory)
    problems: list[Problem] = []
    if not base.is_dir():
        problems.append(Problem(display, 0, "指南文件夹不存在"))
        return KnowledgeBase((), (), centre), problems
    categories = load_categories(base, display, problems)
    category_ids = {c.id for c in categories}
    guides: dict[str, Guide] = {}
    lines: dict[str, dict[str, int]] = {}
    seen_ids: dict[str, str] = {}
    for entry in files.walk(base):
        file = entry.path
        if file.name in (CATEGORIES_FILE, EVENTS_FILE) and file.parent == base:
            continue
        rel = os.path.join(display, entry.relative)
        ctx = _Ctx(rel, problems)
        if entry.problem:
            ctx.error(1, entry.problem)
            continue
        if file.parent == base:
            ctx.error(1, "指南文件应放在类别文件夹里，例如 assistance/assistance-01.yaml")
            continue
        errors_before = sum(p.is_error for p in problems)
        text = _read_text(file, ctx, base)
        if text is None:
            continue
        root = _parse_yaml(text, ctx)
        if root is None:
            continue
        values = _parse_guide(root, ctx, today)
        id_ok = True
        if isinstance(root.value, dict) and "id" in root.value and isinstance(root.value["id"][0].value, str):
            gid, id_line = root.value["id"][0].value.strip(), root.value["id"][1]
            if gid != file.stem:
                ctx.error(id_line, f"id {gid} 与文件名 {file.name} 不一致")
                id_ok = False
            elif gid in seen_ids:
                ctx.error(id_line, f"id {gid} 重复，已在 {seen_ids[gid]} 中使用")
                continue
            else:
                seen_ids[gid] = rel
        if values is None or not _check_guide_values(values, file, category_ids, ctx) or not id_ok:
            continue
        if sum(p.is_error for p in problems) > errors_before:
            continue  # e.g. a key written twice: which one staff meant is unknown, so the guide is not used
        field_lines = {k[6:]: v for k, v in values.items() if k.startswith("_line_")}
        guides[values["id"]] = _guide_from_values(values, rel, field_lines)
        lines[values["id"]] = field_lines
    _check_catalogue(base, display, guides, set(seen_ids), lines, problems)
    ordered = sorted(guides.values(), key=lambda g: _sort_key(g.id))
    _cross_checks(ordered, problems)
    for check in extra_checks:
        check(ordered, problems)
    problems.sort(key=lambda p: (p.path, p.line, p.message))
    return KnowledgeBase(tuple(ordered), categories, centre), problems


def _sort_key(guide_id: str) -> tuple[str, int]:
    cat, _, num = guide_id.rpartition("-")
    return (cat, int(num) if num.isdigit() else 0)
