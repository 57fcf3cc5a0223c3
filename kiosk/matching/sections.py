"""Which part of a guide a question asks for (材料, 在哪办, 多久, ...)."""
from __future__ import annotations

import re

# Checked in this order; the first pattern that matches wins. Patterns run on normalised text.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("contact", r"电话|热线|号码是多少|联系方式|打什么号|拨打"),
    ("basis", r"依据|政策文件|哪个文件|什么文件|法规|根据什么|根据哪|哪条规定|什么规定"),
    ("materials", r"材料|带什么|带啥|带哪些|拿什么|准备什么|准备哪些|准备啥|要带|需要带|要拿|哪些证件|什么证件|证件"),
    ("fees", r"多少钱|收费|收钱|要钱|花钱吗|付钱|费用是多少|手续费|工本费|免费吗|收不收|贵不贵|要交钱"),
    ("time_limit", r"多久|多长时间|几天|多少天|几个工作日|时限|什么时候能|啥时候能|什么时候到账|多快|批下来|拿到手"),
    ("hours", r"几点|上班时间|办公时间|开门|关门|下班|周末|星期六|星期天|周六|周日|节假日|中午"),
    ("location", r"在哪|哪里办|去哪|到哪|哪儿|地址|地点|哪个窗口|什么地方|哪里可以|哪里能|哪里申请|哪里登记|哪里开|哪里查|哪里做|哪里办理"),
    ("steps", r"流程|步骤|程序|手续怎么|怎么走|办理过程|过程是|怎么操作|先做什么|第一步"),
    ("conditions", r"条件|资格|要求|能不能|能否|可不可以|可以申请吗|能申请吗|能办吗|可以办吗|能领吗|符合|哪些人|谁可以|够不够"),
)
_COMPILED = tuple((name, re.compile(p)) for name, p in _PATTERNS)

# Question words that say nothing about the service itself; removed before matching the service.
_QUESTION_WORDS = re.compile(
    r"需要|怎么样|怎么办理|怎么办|怎么弄|怎么搞|咋办|咋弄|咋整|如何|怎样|怎么|什么|哪些|是什么|是多少|有没有|"
    r"我想|我要|想要|想办|可以|能不能|能否|吗|呢|啊|吧"
)


def detect_section(text: str) -> str | None:
    """The section asked for in normalised text, or None for the whole guide."""
    for name, rx in _COMPILED:
        if rx.search(text):
            return name
    return None


def strip_section_words(text: str) -> str:
    """Remove section triggers and question words, leaving the words that name the service (maybe none)."""
    out = text
    for _, rx in _COMPILED:
        out = rx.sub("", out)
    return _QUESTION_WORDS.sub("", out)
