"""Facts that occur in several guides must agree: hotlines, allowance tiers, age thresholds.

A resident who asks about the same allowance from two directions must hear the same amount and age.
"""
from __future__ import annotations

import re
from collections import defaultdict

from kiosk.knowledge.model import Guide


def _texts(g: Guide) -> list[str]:
    return [g.summary, *g.conditions, *g.benefits, *g.steps, g.time_limit, g.fees, g.location, g.hours, g.contact,
            *g.notes, *(f.q + f.a for f in g.faq), *(m.describe() for m in g.materials)]


def _sentences(kb) -> list[tuple[str, str]]:
    out = []
    for g in kb.guides:
        for t in _texts(g):
            out += [(g.id, s) for s in re.split(r"[。；;\n]", t) if s.strip()]
    return out


HOTLINE = re.compile(r"(\d{5,8})[（(]([^）)]{2,30})[）)]")
# Which service a hotline label names: one number per service across all guides.
SERVICES = {"医保": "医保", "法律": "法律服务", "工会": "工会", "敬老卡": "敬老卡", "社会保障卡": "社保卡",
            "社保卡": "社保卡", "公积金": "公积金", "残联": "残联", "退役军人": "退役军人"}


def test_each_service_has_one_hotline_in_every_guide(kb):
    numbers = defaultdict(set)
    for gid, s in _sentences(kb):
        for number, label in HOTLINE.findall(s):
            for word, service in SERVICES.items():
                if word in label:
                    numbers[service].add((number, gid))
    clashes = {svc: sorted(v) for svc, v in numbers.items() if len({n for n, _ in v}) > 1}
    assert clashes == {}
    assert numbers  # the pattern still finds the hotlines


_PER = r"(?:的?老人)?[，：:、 ]?(?:每人每月|每月)?"
TIER = re.compile(rf"(\d+)至(\d+)周岁{_PER}(\d+)元|(\d+)周岁(?:及)?以上{_PER}(\d+)元")


def test_allowance_tiers_agree_across_guides(kb):
    bands = defaultdict(set)
    for gid, s in _sentences(kb):
        if "津贴" not in s and "周岁" not in s:
            continue
        for lo, hi, amount, above, amount2 in TIER.findall(s):
            band = f"{lo}-{hi}" if lo else f"{above}+"
            bands[band].add((amount or amount2, gid))
    clashes = {b: sorted(v) for b, v in bands.items() if len({a for a, _ in v}) > 1}
    assert clashes == {}
    assert {"65-69", "70-79", "80-89", "90-99"} <= set(bands)


AGE = re.compile(r"(?:年满|满|年龄在|年龄达到)(\d{2,3})(?:周岁|岁)")
TOPICS = ("敬老卡", "老年综合津贴", "长护险", "长期护理保险")


def test_age_thresholds_for_the_same_service_agree(kb):
    ages = defaultdict(set)
    for g in kb.guides:
        for topic in TOPICS:
            if topic in g.title:
                for s in g.conditions:
                    ages[topic].update((a, g.id) for a in AGE.findall(s))
    clashes = {t: sorted(v) for t, v in ages.items() if len({a for a, _ in v}) > 1}
    assert clashes == {}
    assert ages["敬老卡"]
