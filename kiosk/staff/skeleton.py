"""A new guide file for staff to fill in (``kiosk new GUIDE_ID``).

Every field the validator requires is there with a Chinese comment on what to write. Everything staff
must supply is the placeholder 待填写, which the validator rejects on purpose: the file cannot go into
service until each one is replaced. Facts the catalogue already has (id, category, title, the names
residents use) are filled in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..knowledge.loader import MIN_ALIASES, MIN_QUESTIONS

TODO = "待填写"
ID_PATTERN = re.compile(r"^([a-z]{2,20})-([0-9]{2,4})$")


@dataclass(frozen=True)
class Seed:
    id: str
    category: str
    title: str | None = None
    aliases: tuple[str, ...] = ()


def _quote(text: str) -> str:
    """A YAML scalar that stays text whatever it contains (colons, #, leading symbols)."""
    if re.search(r"[:#\[\]{},&*!|>'\"%@`]|^[\s\-?]|\s$", text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def skeleton(seed: Seed) -> str:
    title = _quote(seed.title) if seed.title else TODO
    aliases = list(dict.fromkeys(seed.aliases))
    alias_lines = [f"  - {_quote(a)}" for a in aliases]
    alias_lines += [f"  - {TODO}"] * max(MIN_ALIASES - len(aliases), 1)
    q_lines = [f"  - {TODO}"] * MIN_QUESTIONS
    title_note = "与 catalogue.tsv 完全一致（已从目录填好）" if seed.title else \
        f"事项名称；这个编号不在 catalogue.tsv 里，请同时在目录中加一行"
    lines = [
        f"# 新指南：{seed.id}。把每个“{TODO}”改成真实内容（不需要的可选项整段删掉），",
        f"# 保存后运行 kiosk validate 检查；还有“{TODO}”时这个指南不会在终端上使用。",
        f"id: {seed.id}            # 编号，与文件名相同，不要改",
        f"title: {title}   # {title_note}",
        f"category: {seed.category}   # 类别编号，与所在文件夹相同，不要改",
        f"department: {TODO}   # 主管部门，如 长宁区民政局",
        f"summary: {TODO}   # 找到事项时先读给居民听的一两句话，约60字，口语、好懂：谁可以办、在哪办",
        f"aliases:   # 居民的叫法、简称、俗称，至少 {MIN_ALIASES} 个（已填入目录里的叫法）",
        *alias_lines,
        f"questions:   # 居民会怎么问，用居民自己的话，至少 {MIN_QUESTIONS} 句",
        *q_lines,
        f"spoken_name: {TODO}   # 可选：读出来用的简短名称（不带括号）；标题好读时删掉这一行",
        f"spoken_summary: {TODO}   # 可选：第一次回答时在简称后面读的一句话，不超过24字，只用本指南写了的事实",
        "situations:   # 可选：居民会描述的生活情形（不点业务名），如 家里老人中风了",
        f"  - {TODO}",
        "conditions:   # 申办条件，每条一句，不超过60字",
        f"  - {TODO}",
        "benefits:   # 发钱或发补贴的事项必填：能领多少、按什么档次；金额未公开时写清楚怎么定、去哪里问",
        f"  - {TODO}",
        "materials:   # 申请材料，每项写 name；form 只能是 原件/复印件/原件及复印件/现场填写/电子证照；count 是份数；note 是说明",
        f"  - name: {TODO}",
        "    form: 原件",
        "    count: 1",
        "steps:   # 办理流程，按先后顺序，每步一句",
        f"  - {TODO}",
        f"time_limit: {TODO}   # 办理时限，如 受理之日起20个工作日内、当场办结",
        f"fees: {TODO}   # 收费标准，多数写 不收费",
        f"scope: {TODO}   # 只能是 全市通办、本区通办、户籍地、居住地、线上自助、其他机构 之一",
        "location: 中心默认   # 办理地点；与本中心不同时改写成具体地点和窗口",
        "hours: 中心默认   # 办理时间；与本中心不同时改写",
        "contact: 中心默认   # 咨询电话；有专线时写明，如 962222",
        "basis:   # 政策依据：法规、文件的名称；每一项都要能在 sources 中找到原文",
        f"  - {TODO}",
        "notes:   # 可选：温馨提示；不需要时删掉这一段",
        f"  - {TODO}",
        "faq:   # 可选：常见问题；不需要时删掉这一段",
        f"  - q: {TODO}",
        f"    a: {TODO}",
        "sources:   # 事实出处：title 文件或网页名称，url 网址或 doc 文号（至少一个），checked 核对日期",
        f"  - title: {TODO}",
        f"    url: {TODO}",
        f"    checked: {TODO}",
        "doubts:   # 可选：核对时没能确认的事实，留给工作人员核实；没有时删掉这一段",
        f"  - {TODO}",
        f"updated: {TODO}   # 内容最近一次核对的日期，格式 YYYY-MM-DD，如 2026-01-31",
    ]
    return "\n".join(lines) + "\n"
