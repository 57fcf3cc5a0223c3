"""Life events (一件事): what residents go through, and the guides that event leads to.

``guides/events.yaml`` is a list of events::

    - id: birth
      title: 出生一件事
      situations: [孩子出生了, 刚生了宝宝, ...]   # how residents describe the event, in their words
      guides: [family-08, family-03, ...]         # best first

Problems are reported as ``path:line: message`` like the guide loader's; a broken event is left out,
the rest still load.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from .problems import ERROR, WARNING, Problem

EVENTS_FILE = "events.yaml"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same marks, much faster
_KEYS = ("id", "title", "situations", "guides")
MIN_GUIDES = 2
MIN_SITUATIONS = 3


@dataclass(frozen=True)
class Event:
    id: str
    title: str
    situations: tuple[str, ...]
    guides: tuple[str, ...]  # guide ids, best first
    line: int = 0


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _text_list(node: yaml.Node, what: str, path: str, problems: list[Problem]) -> tuple[str, ...] | None:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(path, _line(node), f"{what} 应该是列表"))
        return None
    out = []
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            problems.append(Problem(path, _line(item), f"{what} 的每一项都应该是一段文字"))
            return None
        out.append(str(item.value).strip())
    return tuple(out)


def parse_events(text: str, path: str, guide_ids: Iterable[str] | None = None) -> tuple[list[Event], list[Problem]]:
    """Events from the text of an events file; unknown guide ids are errors when guide_ids is given."""
    problems: list[Problem] = []
    known = set(guide_ids) if guide_ids is not None else None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return [], [Problem(path, mark.line + 1 if mark else 1, f"YAML 格式错误：{exc.problem or exc}")]
    if root is None:
        return [], []
    if not isinstance(root, yaml.SequenceNode):
        return [], [Problem(path, _line(root), "文件应该是一个事件列表")]
    events: list[Event] = []
    seen: dict[str, int] = {}
    for node in root.value:
        line = _line(node)
        if not isinstance(node, yaml.MappingNode):
            problems.append(Problem(path, line, "每个事件应该有 id、title、situations、guides"))
            continue
        values: dict[str, Any] = {}
        ok = True
        for k, v in node.value:
            key = str(k.value)
            if key not in _KEYS:
                problems.append(Problem(path, _line(k), f"未知字段 {key}（可用：{'、'.join(_KEYS)}）"))
                ok = False
            elif key in ("id", "title"):
                if not isinstance(v, yaml.ScalarNode) or not str(v.value).strip():
                    problems.append(Problem(path, _line(v), f"{key} 应该是一段文字"))
                    ok = False
                else:
                    values[key] = str(v.value).strip()
            else:
                items = _text_list(v, key, path, problems)
                if items is None:
                    ok = False
                else:
                    values[key] = (items, _line(v))
        missing = [k for k in _KEYS if k not in values]
        if missing:
            if ok:
                problems.append(Problem(path, line, f"缺少字段 {'、'.join(missing)}"))
            continue
        if not ok:
            continue
        eid = values["id"]
        if eid in seen:
            problems.append(Problem(path, line, f"id {eid} 重复（第 {seen[eid]} 行已有）"))
            continue
        seen[eid] = line
        guides, guides_line = values["guides"]
        situations, sit_line = values["situations"]
        if known is not None:
            unknown = [g for g in guides if g not in known]
            if unknown:
                problems.append(Problem(path, guides_line, f"没有这些指南：{'、'.join(unknown)}"))
                guides = tuple(g for g in guides if g in known)
        if len(set(guides)) != len(guides):
            problems.append(Problem(path, guides_line, "guides 里有重复的指南", WARNING))
            guides = tuple(dict.fromkeys(guides))
        if len(guides) < MIN_GUIDES:
            problems.append(Problem(path, guides_line, f"一件事至少要有 {MIN_GUIDES} 个指南"))
            continue
        if len(situations) < MIN_SITUATIONS:
            problems.append(Problem(path, sit_line, f"situations 至少写 {MIN_SITUATIONS} 种说法", WARNING))
        events.append(Event(eid, values["title"], situations, guides, line))
    return events, problems


def load_events(directory: str | os.PathLike, guide_ids: Iterable[str] | None = None
                ) -> tuple[list[Event], list[Problem]]:
    """The events of ``directory/events.yaml`` (none when the file does not exist)."""
    path = Path(directory) / EVENTS_FILE
    display = os.path.join(os.fspath(directory), EVENTS_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(display, 0, f"无法读取：{exc}", ERROR)]
    return parse_events(text, display, guide_ids)
