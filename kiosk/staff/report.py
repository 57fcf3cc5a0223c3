"""What residents asked: the report staff read to decide which alias or guide to add.

Built from the question log (:mod:`kiosk.staff.qlog`): questions that got ``none`` or ``clarify``
grouped by similar wording and by the guide they nearly matched, the most asked guides, and busy
hours. Rendered as text (terminal), CSV (spreadsheet, UTF-8 with BOM so WPS/Excel show Chinese) and
one self-contained HTML page; :func:`write_review` writes candidate rows for the regression file.
"""
from __future__ import annotations

import csv
import datetime as dt
import html
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from ..knowledge.model import KnowledgeBase
from ..matching import detect_section, group_similar, normalize
from ..matching.commands import command
from ..matching.grouping import alias_suggestion
from .qlog import Record

UNANSWERED = ("none", "clarify")
STATUS_NAMES = {"answer": "直接回答", "clarify": "需要选择", "none": "没有找到", "followup": "追问", "choice": "选择",
                "command": "对终端说的话"}
#: Spoken commands (kiosk.matching.commands) as staff read them.
COMMAND_NAMES = {"repeat": "再说一遍", "slower": "说慢一点/字大一点", "normal": "说快一点", "back": "返回",
                 "home": "回首页/算了", "thanks": "好的/谢谢", "not_it": "不是这个", "more": "还有呢",
                 "louder": "声音大一点", "quieter": "声音小一点", "hush": "别说了"}
#: Asked to say it again or slower this often (share of all questions), the speech may be too fast.
SLOW_HINT_SHARE = 0.05
EXAMPLES = 3


@dataclass
class WordingGroup:
    wording: str  # the most asked wording in the group, as asked (scrubbed)
    count: int
    statuses: Counter
    nearest: list[tuple[str, int]]  # guides the group came closest to, most often first
    variants: list[tuple[str, int]]  # other wordings in the group, most asked first
    suggestion: str  # the words that name the service: an alias to consider

    @property
    def queries(self) -> list[tuple[str, int]]:
        return [(self.wording, self.count - sum(n for _, n in self.variants)), *self.variants]


@dataclass
class NearGuide:
    guide: str
    count: int
    statuses: Counter
    rivals: Counter  # for clarify: the other guides offered with it
    examples: list[tuple[str, int]]


@dataclass
class Report:
    records: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    statuses: Counter = field(default_factory=Counter)
    groups: list[WordingGroup] = field(default_factory=list)
    near: list[NearGuide] = field(default_factory=list)
    top_guides: list[tuple[str, int]] = field(default_factory=list)
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    weekdays: list[int] = field(default_factory=lambda: [0] * 7)
    skipped_lines: int = 0
    commands: Counter = field(default_factory=Counter)  # spoken commands by kind (COMMAND_NAMES)
    titles: dict[str, str] = field(default_factory=dict)

    def title(self, guide_id: str | None) -> str:
        if not guide_id:
            return ""
        return self.titles.get(guide_id, "（已不在指南中）")


def build_report(records: Sequence[Record], kb: KnowledgeBase | None = None, top: int = 20) -> Report:
    rep = Report(records=len(records))
    rep.titles = {g.id: g.title for g in kb.guides} if kb is not None else {}
    if not records:
        return rep
    rep.first = min(r.time for r in records)
    rep.last = max(r.time for r in records)
    for r in records:
        rep.statuses[r.status] += 1
        rep.hours[r.time.hour] += 1
        rep.weekdays[r.time.weekday()] += 1
    # by kind as the phrases read them today (a phrase since dropped is not counted)
    rep.commands = Counter(filter(None, (command(r.query) for r in records if r.status == "command")))
    asked = Counter(r.guide for r in records if r.guide and r.status in ("answer", "choice"))
    rep.top_guides = asked.most_common(top)
    missed = [r for r in records if r.status in UNANSWERED]
    rep.groups = _wording_groups(missed)
    rep.near = _near_guides(missed)
    return rep


def _wording_groups(missed: Sequence[Record]) -> list[WordingGroup]:
    by_text: dict[str, list[Record]] = defaultdict(list)
    for r in missed:
        by_text[normalize(r.query) or r.query].append(r)
    keys = list(by_text)
    # The wording shown for a normalised text: the way it was asked most often.
    shown = {k: Counter(r.query for r in by_text[k]).most_common(1)[0][0] for k in keys}
    out = []
    for idx in group_similar(keys, [len(by_text[k]) for k in keys]):
        members = [r for i in idx for r in by_text[keys[i]]]
        counts = [(shown[keys[i]], len(by_text[keys[i]])) for i in idx]
        nearest = Counter(r.nearest for r in members if r.nearest).most_common()
        out.append(WordingGroup(counts[0][0], len(members), Counter(r.status for r in members), nearest,
                                counts[1:], alias_suggestion(counts[0][0])))
    return out


def _near_guides(missed: Sequence[Record]) -> list[NearGuide]:
    by_guide: dict[str, list[Record]] = defaultdict(list)
    for r in missed:
        if r.nearest:
            by_guide[r.nearest].append(r)
    out = []
    for gid, rs in by_guide.items():
        rivals = Counter(c for r in rs if r.status == "clarify" for c, _ in r.candidates[1:3])
        examples = Counter(r.query for r in rs).most_common(EXAMPLES)
        out.append(NearGuide(gid, len(rs), Counter(r.status for r in rs), rivals, examples))
    out.sort(key=lambda n: (-n.count, n.guide))
    return out


# -- text -----------------------------------------------------------------------------------------
def _pct(n: int, total: int) -> str:
    return f"{100.0 * n / total:.1f}%" if total else "0%"


def _statuses(c: Counter) -> str:
    return "，".join(f"{STATUS_NAMES[s]} {c[s]}" for s in UNANSWERED if c.get(s))


def render_text(rep: Report, limit: int = 30) -> list[str]:
    if not rep.records:
        tail = f"（另有 {rep.skipped_lines} 行无法读取，已跳过：文件可能不是问题记录或已损坏）" if rep.skipped_lines else ""
        return [f"问题记录中没有符合条件的问题。{tail}"]
    total = rep.records
    lines = [f"问题记录报告：{rep.first:%Y-%m-%d %H:%M} 至 {rep.last:%Y-%m-%d %H:%M}，共 {total} 个问题",
             "  " + " · ".join(f"{STATUS_NAMES[s]} {rep.statuses[s]}（{_pct(rep.statuses[s], total)}）"
                               for s in STATUS_NAMES if rep.statuses.get(s))]
    if rep.skipped_lines:
        lines.append(f"  另有 {rep.skipped_lines} 行无法读取，已跳过")
    missed = sum(rep.statuses[s] for s in UNANSWERED)
    lines += ["", f"一、没有找到或需要选择的问题，按说法归类（{missed} 个问题，{len(rep.groups)} 类）"]
    for i, g in enumerate(rep.groups[:limit], 1):
        near = "；".join(f"{gid} {rep.title(gid)}" for gid, _ in g.nearest[:2]) or "无"
        lines.append(f"  {i}. {g.wording}  ×{g.count}（{_statuses(g.statuses)}）")
        lines.append(f"     最接近：{near}；可考虑的别名：{g.suggestion}")
        if g.variants:
            lines.append("     相近说法：" + "；".join(f"{t}（{n}）" for t, n in g.variants[:4]))
    if len(rep.groups) > limit:
        lines.append(f"  ……另有 {len(rep.groups) - limit} 类，见 CSV 或 HTML 报告")
    lines += ["", "二、按最接近的指南（这些指南可能缺少居民的说法）"]
    for n in rep.near[:limit]:
        rivals = f"；常与 {'、'.join(g for g, _ in n.rivals.most_common(3))} 一起让居民选择" if n.rivals else ""
        lines.append(f"  {n.guide} {rep.title(n.guide)}：{n.count} 次（{_statuses(n.statuses)}）{rivals}")
        lines.append("     例：" + "；".join(f"{t}（{c}）" for t, c in n.examples))
    lines += ["", "三、问得最多的指南"]
    for i, (gid, c) in enumerate(rep.top_guides[:limit], 1):
        lines.append(f"  {i:>2}. {gid} {rep.title(gid)}  {c} 次")
    lines += ["", "四、繁忙时段（按小时，所有问题）"]
    peak = max(rep.hours) or 1
    for h, c in enumerate(rep.hours):
        if c:
            lines.append(f"  {h:02d}时 {'█' * max(1, round(30 * c / peak)):<30} {c}")
    days = "一二三四五六日"
    lines.append("  按星期：" + "  ".join(f"周{days[d]} {c}" for d, c in enumerate(rep.weekdays) if c))
    return lines + command_lines(rep)


def command_lines(rep: Report) -> list[str]:
    """五、居民对终端说的话: how often residents asked to hear it again, slower, or said it was not that one."""
    if not rep.commands:
        return []
    lines = ["", "五、居民对终端说的话"]
    lines.append("  " + "，".join(f"{COMMAND_NAMES[k]} {n} 次" for k, n in rep.commands.most_common()
                                  if k in COMMAND_NAMES))
    again = rep.commands["repeat"] + rep.commands["slower"]
    if rep.records and again / rep.records >= SLOW_HINT_SHARE:
        lines.append(f"  要求再说一遍或说慢一点的占全部问题的 {_pct(again, rep.records)}：可以考虑把语速"
                     "（配置 speech.rate）调慢一些。")
    louder = rep.commands["louder"]
    if rep.records and louder / rep.records >= SLOW_HINT_SHARE:
        lines.append(f"  要求声音大一点的占全部问题的 {_pct(louder, rep.records)}：可以考虑把音量（配置 speech.volume）"
                     "调大一些，或检查喇叭。")
    if rep.commands["not_it"]:
        lines.append("  说“不是这个”的，多半是终端给错了指南：请对照问题记录核对前一句问题。")
    return lines


# -- CSV and HTML ---------------------------------------------------------------------------------
CSV_HEADER = ["部分", "序号", "内容", "次数", "没有找到", "需要选择", "最接近的指南", "指南名称", "可考虑的别名", "相近说法"]


def csv_rows(rep: Report) -> list[list[str]]:
    rows = []
    for i, g in enumerate(rep.groups, 1):
        near = g.nearest[0][0] if g.nearest else ""
        rows.append(["未答问题", str(i), g.wording, str(g.count), str(g.statuses.get("none", 0)),
                     str(g.statuses.get("clarify", 0)), near, rep.title(near), g.suggestion,
                     "；".join(t for t, _ in g.variants)])
    for i, n in enumerate(rep.near, 1):
        rows.append(["最接近的指南", str(i), "；".join(t for t, _ in n.examples), str(n.count),
                     str(n.statuses.get("none", 0)), str(n.statuses.get("clarify", 0)), n.guide, rep.title(n.guide),
                     "", "、".join(g for g, _ in n.rivals.most_common(3))])
    for i, (gid, c) in enumerate(rep.top_guides, 1):
        rows.append(["问得最多的指南", str(i), rep.title(gid), str(c), "", "", gid, rep.title(gid), "", ""])
    for h, c in enumerate(rep.hours):
        rows.append(["繁忙时段", str(h), f"{h:02d}:00-{h:02d}:59", str(c), "", "", "", "", "", ""])
    return rows


def write_csv(rep: Report, path: str | Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_HEADER)
        w.writerows(csv_rows(rep))


def _table(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(rep: Report) -> str:
    parts = ["<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>问题记录报告</title>",
             "<style>body{font-family:sans-serif;margin:2em;}table{border-collapse:collapse;margin:1em 0;}"
             "td,th{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top;}"
             "th{background:#eee;}.bar{background:#4a7;height:1em;display:inline-block;}</style></head><body>"]
    text = render_text(rep, limit=0)
    parts.append(f"<h1>问题记录报告</h1><p>{html.escape(text[0])}</p>")
    if len(text) > 1 and rep.records:
        parts.append(f"<p>{html.escape(text[1].strip())}</p>")
    parts.append("<h2>一、没有找到或需要选择的问题（按说法归类）</h2>")
    parts.append(_table(["序号", "说法", "次数", "情况", "最接近的指南", "可考虑的别名", "相近说法"], (
        (i, g.wording, g.count, _statuses(g.statuses),
         "；".join(f"{gid} {rep.title(gid)}" for gid, _ in g.nearest[:2]), g.suggestion,
         "；".join(f"{t}（{n}）" for t, n in g.variants[:6]))
        for i, g in enumerate(rep.groups, 1))))
    parts.append("<h2>二、按最接近的指南</h2>")
    parts.append(_table(["指南", "名称", "次数", "情况", "一起让居民选择的指南", "例句"], (
        (n.guide, rep.title(n.guide), n.count, _statuses(n.statuses), "、".join(g for g, _ in n.rivals.most_common(3)),
         "；".join(f"{t}（{c}）" for t, c in n.examples)) for n in rep.near)))
    parts.append("<h2>三、问得最多的指南</h2>")
    parts.append(_table(["序号", "指南", "名称", "次数"],
                        ((i, gid, rep.title(gid), c) for i, (gid, c) in enumerate(rep.top_guides, 1))))
    parts.append("<h2>四、繁忙时段</h2>")
    peak = max(rep.hours) or 1
    rows = "".join(f"<tr><td>{h:02d}时</td><td><span class=\"bar\" style=\"width:{round(300 * c / peak)}px\">"
                   f"</span> {c}</td></tr>" for h, c in enumerate(rep.hours) if c)
    parts.append(f"<table><tbody>{rows}</tbody></table>")
    spoken = command_lines(rep)
    if spoken:
        parts.append(f"<h2>{html.escape(spoken[1])}</h2>")
        parts.extend(f"<p>{html.escape(line.strip())}</p>" for line in spoken[2:])
    parts.append("</body></html>")
    return "".join(parts)


def write_html(rep: Report, path: str | Path) -> None:
    Path(path).write_text(render_html(rep), encoding="utf-8")


# -- review file ----------------------------------------------------------------------------------
REVIEW_HEADER = """\
# 待审核的问题（来自问题记录）。请逐行填写第二列 expected：
#   正确的指南编号（如 assistance-01）；没有对应指南、终端不该回答的写 NONE；不确定或不要的行删掉。
# 预填的“?编号”是终端认为最接近的指南，只是提示，不去掉问号的行不会被采用。
# 第三列 section 是问的部分（materials、location 等，可以留空）。填好后运行：
#   kiosk regression add 本文件
"""


def write_review(rep: Report, path: str | Path, per_group: int = 3) -> int:
    """Candidate regression rows (query, ?nearest, section, note) for staff to fill in. Returns rows written."""
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(REVIEW_HEADER)
        fh.write("query\texpected\tsection\tnote\n")
        for g in rep.groups:
            near = g.nearest[0][0] if g.nearest else ""
            for text, n in g.queries[:per_group]:
                clean = " ".join(text.replace("\t", " ").split())
                if not clean:
                    continue
                section = detect_section(normalize(clean)) or ""
                note = (f"这样问过 {n} 次（同类 {g.count} 次：{_statuses(g.statuses)}）；"
                        f"最接近 {near} {rep.title(near)}").strip()
                fh.write(f"{clean}\t?{near}\t{section}\t{note}\n")
                rows += 1
    return rows
