"""The guide model: plain frozen dataclasses, no I/O.

Everything a resident reads or hears lives in these objects; the loader builds them from YAML
and the matcher, dialogue and UI only ever read them.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Mapping

#: The parts of a guide a resident can ask for, in display order.
SECTIONS: tuple[str, ...] = (
    "conditions",
    "benefits",
    "materials",
    "steps",
    "time_limit",
    "fees",
    "location",
    "hours",
    "contact",
    "basis",
)

#: Chinese names of the sections, as shown on screen and spoken.
SECTION_NAMES: Mapping[str, str] = {
    "conditions": "申办条件",
    "benefits": "待遇标准",
    "materials": "申请材料",
    "steps": "办理流程",
    "time_limit": "办理时限",
    "fees": "收费标准",
    "location": "办理地点",
    "hours": "办理时间",
    "contact": "咨询电话",
    "basis": "政策依据",
}

#: Where a service can be handled.
SCOPES: tuple[str, ...] = ("全市通办", "本区通办", "户籍地", "居住地", "线上自助", "其他机构")

#: Forms a material can take.
MATERIAL_FORMS: tuple[str, ...] = ("原件", "复印件", "原件及复印件", "现场填写", "电子证照")

#: The literal a guide uses for "same as the centre's own location/hours/contact".
CENTRE_DEFAULT = "中心默认"


_BRACKETED = re.compile(r"[（(]([^）)]*)[）)]")
#: A bracketed part of a title shorter than this (（新办）, （角）) is not a name residents use on its own.
MIN_TITLE_PART = 3


def title_variants(title: str) -> list[str]:
    """The names a title gives a guide, for the matcher and the recogniser alike: the title, the title
    without its bracketed parts, and each bracketed part of at least MIN_TITLE_PART characters."""
    outer = _BRACKETED.sub("", title).strip()
    inner = [p.strip() for p in _BRACKETED.findall(title) if len(p.strip()) >= MIN_TITLE_PART]
    return [p for p in dict.fromkeys([title, outer, *inner]) if p]


@dataclass(frozen=True)
class Material:
    name: str
    form: str | None = None
    count: int | None = None
    note: str | None = None

    def describe(self) -> str:
        """One line, e.g. '户口簿（原件及复印件，1份）：说明'."""
        bits = [b for b in (self.form, f"{self.count}份" if self.count else None) if b]
        text = self.name + (f"（{'，'.join(bits)}）" if bits else "")
        return text + (f"：{self.note}" if self.note else "")


@dataclass(frozen=True)
class FAQ:
    q: str
    a: str


@dataclass(frozen=True)
class Source:
    """Where a guide's facts come from, so staff can open it and check: a page or a document."""

    title: str
    checked: _dt.date
    url: str | None = None
    doc: str | None = None  # document number (文号), e.g. 沪府规〔2024〕1号

    def describe(self) -> str:
        bits = [b for b in (self.doc, self.url) if b]
        return self.title + (f"（{'，'.join(bits)}）" if bits else "") + f"，核对于{self.checked.isoformat()}"


@dataclass(frozen=True)
class Centre:
    """Centre-level defaults that guides refer to with 中心默认."""

    name: str
    address: str
    hours: str
    phone: str


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    order: int
    icon: str


@dataclass(frozen=True)
class Guide:
    id: str
    title: str
    category: str
    department: str
    summary: str
    aliases: tuple[str, ...]
    questions: tuple[str, ...]
    conditions: tuple[str, ...]
    materials: tuple[Material, ...]
    steps: tuple[str, ...]
    time_limit: str
    fees: str
    scope: str
    location: str
    hours: str
    contact: str
    basis: tuple[str, ...]
    updated: _dt.date
    notes: tuple[str, ...] = ()
    faq: tuple[FAQ, ...] = ()
    shared_with: tuple[str, ...] = ()
    #: A short name to say aloud instead of the full title (no brackets).
    spoken_name: str | None = None
    #: What the first answer says after the short name: one short sentence for the ear, from the summary's
    #: own facts (the screen shows the whole summary). None: the summary's who-may-apply-for-what clause.
    spoken_summary: str | None = None
    #: Life events and circumstances residents describe when this guide is what they need.
    situations: tuple[str, ...] = ()
    #: What the resident receives (待遇标准): amounts and tiers, or how the amount is decided.
    benefits: tuple[str, ...] = ()
    #: Where the facts come from; staff open these to check them.
    sources: tuple[Source, ...] = ()
    #: Facts a reviewer could not confirm, for staff to check.
    doubts: tuple[str, ...] = ()
    path: str = field(default="", compare=False)
    #: The line each field starts on in its file (for lint and staff tools); empty for guides built in code.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)

    def item_line(self, key: str, text: str) -> int:
        """The line of the list item of key whose text is text (aliases, questions...); the title's line for
        "title"; the key's own line when the item is not found or lines are not known."""
        items = getattr(self, key, ())
        if isinstance(items, tuple) and text in items:
            return self.lines.get(f"{key}.{items.index(text)}", self.line_of(key))
        return self.line_of(key)

    @property
    def short_name(self) -> str:
        """The name said aloud: spoken_name, or the title without bracketed parts."""
        if self.spoken_name:
            return self.spoken_name
        bare = re.sub(r"（[^）]*）|\([^)]*\)", "", self.title).strip()
        return bare or self.title

    def resolved(self, key: str, centre: Centre) -> str:
        """location/hours/contact with 中心默认 replaced by the centre's value."""
        value = getattr(self, key)
        if value != CENTRE_DEFAULT:
            return value
        return {
            "location": f"{centre.name}（{centre.address}）",
            "hours": centre.hours,
            "contact": centre.phone,
        }[key]

    def section_lines(self, section: str, centre: Centre) -> tuple[str, ...]:
        """The text of one section as display lines."""
        if section == "materials":
            return tuple(m.describe() for m in self.materials)
        if section in ("conditions", "steps", "basis", "benefits"):
            return getattr(self, section)
        if section == "location":
            return (f"{self.scope}：{self.resolved('location', centre)}",)
        if section in ("hours", "contact"):
            return (self.resolved(section, centre),)
        if section in ("time_limit", "fees"):
            return (getattr(self, section),)
        raise KeyError(section)


@dataclass(frozen=True)
class KnowledgeBase:
    guides: tuple[Guide, ...]
    categories: tuple[Category, ...]
    centre: Centre

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {g.id: g for g in self.guides})

    def get(self, guide_id: str) -> Guide | None:
        return self._by_id.get(guide_id)  # type: ignore[attr-defined]

    def by_category(self, category_id: str) -> tuple[Guide, ...]:
        return tuple(g for g in self.guides if g.category == category_id)

    def __len__(self) -> int:
        return len(self.guides)
