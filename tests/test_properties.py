"""Property-based tests: random, enormous and malformed input never raises out of the core or staff code.

Time is not asserted here (no timed assertions in tests); `kiosk bench` measures the worst cases.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from functools import lru_cache
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kiosk.dialogue import (Dialogue, GoHome, Heard, Replay, Reset, Say, SetElder, SetElderMode, ShowChoices,
                            ShowGuide, ShowNotFound, StopSpeaking, TappedChoice, TappedGuide, TappedSection, Tick,
                            Touched)
from kiosk.knowledge.model import SECTIONS
from kiosk.matching import ANSWER, CLARIFY, NONE

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])
DOMAIN = "低保证明申请材料敬老卡居住证社保卡丢了怎么办在哪里多少钱要带什么老人残疾失业我叫是本人幺三八零一二"
CONTROL = "".join(map(chr, range(0, 32))) + "\x7f\u200b\u202e\ufeff\ud7ff\ue000\U0010ffff"
texts = st.one_of(
    st.text(),
    st.text(alphabet=DOMAIN + string.digits + " ，。？！", max_size=60),
    st.text(alphabet=CONTROL + DOMAIN, max_size=40),
    st.builds(lambda s, n: s * n, st.text(alphabet=DOMAIN, min_size=1, max_size=5), st.integers(1, 20_000)),
)


@SETTINGS
@given(texts)
def test_matcher_never_raises(matcher, text):
    m = matcher.match(text)
    assert m.status in (ANSWER, CLARIFY, NONE)
    assert len(m.candidates) <= 3 and all(0 <= c.score <= 100.0001 for c in m.candidates)
    assert m.section in (None, *SECTIONS)
    assert matcher.pick(text, ["assistance-01", "nothing-1"]) in (None, "assistance-01")


KNOWN = (ShowGuide, ShowChoices, ShowNotFound, Say, StopSpeaking, Reset, SetElder)
events = st.one_of(
    st.builds(Heard, texts, st.lists(texts, max_size=3).map(tuple)),
    st.builds(TappedGuide, st.sampled_from(["assistance-01", "", "nope-99", "x" * 1000])),
    st.builds(TappedChoice, st.integers(-5, 10)),
    st.builds(TappedSection, st.sampled_from([*SECTIONS, "", "nonsense"])),
    st.just(Touched()), st.just(GoHome()), st.just(Replay()), st.just(Tick()),
    st.builds(SetElderMode, st.booleans()),
)


@SETTINGS
@given(st.lists(st.tuples(events, st.floats(0, 1000, allow_nan=False)), max_size=25))
def test_dialogue_never_raises_and_only_emits_known_actions(kb, matcher, script):
    d = Dialogue(kb, matcher)
    asked = []
    d.on_asked = asked.append
    now = 0.0
    for event, step in script:
        now += step
        for action in d.handle(event, now):
            assert isinstance(action, KNOWN)
    assert all(a.status in ("answer", "clarify", "none", "followup", "choice") for a in asked)


_GOOD = None


def _good_text():
    global _GOOD
    if _GOOD is None:
        from conftest import GUIDES

        _GOOD = (GUIDES / "assistance" / "assistance-01.yaml").read_text(encoding="utf-8")
    return _GOOD


@st.composite
def broken_yaml(draw):
    """The good guide with random damage: lines dropped, duplicated, cut, re-indented, junk inserted."""
    lines = _good_text().splitlines()
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "dup", "cut", "indent", "junk", "tab"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, max(len(lines[i]) - 1, 0)))]
        elif op == "indent":
            lines[i] = " " * draw(st.integers(1, 5)) + lines[i]
        elif op == "tab":
            lines[i] = "\t" + lines[i]
        else:
            lines.insert(i, draw(st.text(alphabet=":-[]{}&*!|>'\"%@`#?, \t\n" + DOMAIN + CONTROL, max_size=30)))
        if not lines:
            lines = [""]
    return "\n".join(lines)


file_bodies = st.one_of(
    broken_yaml(),
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"- a\n- b\n", b"id: [\n", b"!!python/object:os.system x", b"a: *b\n",
                     b"&a [*a]\n", b"? [a, b]\n: c\n", b"id: 1e9999\nupdated: 2026-13-45\n"]).map(bytes),
).map(lambda b: b if isinstance(b, bytes) else b.encode("utf-8"))


@SETTINGS
@given(file_bodies)
def test_loader_never_raises_on_malformed_files(guide_dir, centre, body):
    from kiosk.knowledge import load_directory

    path = guide_dir / "assistance" / "assistance-02.yaml"
    path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass"))
    kb, problems = load_directory(guide_dir, centre)
    assert kb.get("assistance-01") is not None  # the good guide is never harmed by a bad neighbour
    for p in problems:
        assert isinstance(p.line, int) and p.line >= 0 and p.message
        assert re.match(r"^.+:\d+: ", str(p))


@SETTINGS
@given(broken_yaml())
def test_reloader_keeps_serving_whatever_is_saved(guide_dir, centre, body):
    from kiosk.staff.reload import KnowledgeReloader

    (guide_dir / "assistance" / "assistance-01.yaml").write_text(_good_text(), encoding="utf-8")
    r = KnowledgeReloader(guide_dir, centre, settle_seconds=0)
    good = r.current
    assert good.kb.get("assistance-01") is not None
    (guide_dir / "assistance" / "assistance-01.yaml").write_text(body, encoding="utf-8")
    r.reload()
    assert r.current.kb.get("assistance-01") is not None
    assert r.current is good or r.status.state == "ok"


digits = st.text(alphabet=string.digits, min_size=1, max_size=1)
mobiles = st.builds(lambda a, b: "1" + a + b, st.sampled_from("3456789"), st.text(string.digits, min_size=9,
                                                                                   max_size=9))
ids = st.builds(lambda a, b, c: a + b + c, st.sampled_from(["310105", "110101", "440305"]),
                st.dates(dt.date(1920, 1, 1), dt.date(2025, 12, 31)).map(lambda d: d.strftime("%Y%m%d")),
                st.text(string.digits, min_size=3, max_size=3).map(lambda s: s + "X"))
cards = st.text(string.digits, min_size=16, max_size=19).filter(lambda s: s[0] != "0")
around = st.text(alphabet=DOMAIN + "，。 ", max_size=12).filter(lambda s: not s[-1:].isdigit())


@SETTINGS
@given(around, st.one_of(mobiles, ids, cards), around)
def test_scrub_never_lets_a_long_number_through(before, number, after):
    from kiosk.staff.scrub import scrub

    assume(not after[:1].isdigit())
    out = scrub(before + number + after)
    assert number not in out and number[:-1] not in out
    assert not re.search(r"\d{7,}", out)


@SETTINGS
@given(texts)
def test_scrub_is_total(text):
    from kiosk.staff.scrub import scrub

    out = scrub(text)
    assert isinstance(out, str)


statuses = st.sampled_from(["answer", "clarify", "none", "followup", "choice"])
records = st.lists(st.tuples(texts.filter(lambda t: len(t) < 500), statuses,
                             st.sampled_from([None, "assistance-01", "gone-01"]),
                             st.integers(0, 24 * 3600 * 3)), max_size=30)


@SETTINGS
@given(records)
def test_question_log_and_report_handle_anything(tmp_path_factory, kb, rows):
    from kiosk.staff.qlog import QuestionLog, read_log
    from kiosk.staff.report import build_report, csv_rows, render_html, render_text, write_review

    base = tmp_path_factory.mktemp("q")
    clock = iter(sorted(dt.datetime(2026, 3, 2) + dt.timedelta(seconds=s) for *_, s in rows))
    qlog = QuestionLog(base / "log", now=lambda: next(clock), max_bytes=2048, backups=2)
    for text, status, guide, _ in rows:
        qlog.record(text, status, guide, 50.0, None, [(guide or "assistance-01", 50.0)])
    result = read_log(qlog.path)
    assert result.skipped == 0 and len(result.records) <= len(rows)
    rep = build_report(result.records, kb)
    render_text(rep)
    check_html(render_html(rep), rep)
    csv_rows(rep)
    write_review(rep, base / "review.tsv")


class _Page(HTMLParser):
    """Tags, attributes and the text of every table cell, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(sorted(name for name, _ in attrs))))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


ALLOWED_TAGS = {("html", ("lang",)), ("head", ()), ("meta", ("charset",)), ("title", ()), ("style", ()),
                ("body", ()), ("h1", ()), ("h2", ()), ("p", ()), ("table", ()), ("thead", ()), ("tbody", ()),
                ("tr", ()), ("th", ()), ("td", ()), ("span", ("class", "style"))}


def check_html(page: str, rep) -> None:
    """Whatever residents said, the report page has only its own markup and shows their words as text."""
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    assert set(parsed.tags) <= ALLOWED_TAGS
    groups = parsed.tables[0][1:]
    assert len(groups) == len(rep.groups)
    assert [row[1] for row in groups] == [g.wording for g in rep.groups]
    near = parsed.tables[1][1:]
    assert len(near) == len(rep.near)


html_texts = st.text(alphabet="<>&\"'/=;: ab\nscript" + DOMAIN, max_size=40)


@SETTINGS
@given(st.lists(st.tuples(st.one_of(html_texts, st.sampled_from(["<script>alert(1)</script>", "</td></tr><b>",
                                                                  "&amp;&lt;", "<img src=x onerror=y>", "\"'><"])),
                          st.sampled_from(["none", "clarify"])), min_size=1, max_size=12))
def test_report_html_shows_any_question_as_text(tmp_path_factory, kb, rows):
    from kiosk.staff.qlog import QuestionLog, read_log
    from kiosk.staff.report import build_report, render_html

    base = tmp_path_factory.mktemp("h")
    qlog = QuestionLog(base / "log", now=lambda: dt.datetime(2026, 3, 2, 10))
    for text, status in rows:
        qlog.record(text, status, None, 40.0, None, [("assistance-01", 40.0)])
    rep = build_report(read_log(qlog.path).records, kb)
    assert rep.groups  # unanswered questions are listed, so their text reaches the page
    check_html(render_html(rep), rep)


# -- the catalogue reader and the config loader: problems or ConfigError, never a traceback -------------
CATALOGUE_HEADER = "id\tcategory\tcategory_name\ttitle\tseed_aliases"
cells = st.text(alphabet=DOMAIN + string.ascii_lowercase + string.digits + "-;\t \r\x00\u3000" + CONTROL, max_size=30)
catalogue_lines = st.one_of(
    cells,
    st.builds(lambda a, b, c: f"{a}\t{b}\t类\t{c}\t低保;", st.sampled_from(["assistance-01", "x-1", "", "a" * 300]),
              st.sampled_from(["assistance", "", "\t"]), cells),
    st.just(CATALOGUE_HEADER),
    st.builds(lambda n, title: f"assistance-{n:02d}\tassistance\t社会救助\t{title}\t低保;", st.integers(1, 3),
              st.text(alphabet=DOMAIN, min_size=1, max_size=8)),  # good rows, ids often repeated
)
catalogue_bodies = st.one_of(
    st.lists(catalogue_lines, max_size=12).map(lambda ls: "\n".join([CATALOGUE_HEADER, *ls]).encode("utf-8")),
    st.lists(catalogue_lines, max_size=6).map(lambda ls: "\n".join(ls).encode("utf-8")),
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe\x00", CATALOGUE_HEADER.encode("utf-16")]),
)


@SETTINGS
@given(catalogue_bodies)
def test_catalogue_reader_reports_problems_and_never_raises(tmp_path_factory, body):
    from kiosk.knowledge import read_catalogue

    path = tmp_path_factory.mktemp("cat") / "catalogue.tsv"
    path.write_bytes(body)
    problems: list = []
    rows = read_catalogue(path, problems)
    for row in rows:
        assert row.id and row.category and row.title and row.line >= 2
    assert len({r.id for r in rows}) == len(rows)
    for p in problems:
        assert isinstance(p.line, int) and p.line >= 0 and p.message
        assert str(p).startswith(f"{path}:{p.line}: ")
    # every data line either gives a row or is reported, once
    try:
        lines = body.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        assert problems and rows == []
        return
    text = body.decode("utf-8")
    if any(not (ch.isprintable() or ch in "\t\n") for ch in text):
        return  # control characters: the reader may refuse the whole file (reported above)
    if lines and lines[0].lstrip("\ufeff") == CATALOGUE_HEADER and not problems:
        assert len(rows) == sum(1 for ln in lines[1:] if ln.strip())
    if lines and lines[0].lstrip("\ufeff") == CATALOGUE_HEADER:
        bad = sum(1 for ln in lines[1:] if ln.strip()) - len(rows)
        assert len({p.line for p in problems if p.line >= 2}) == bad


DEFAULTS_FOR_FUZZ = {"guides_dir": "guides", "centre": {"name": "中心", "address": "一楼", "hours": "周一", "phone": "1"},
                     "matching": {"answer_score": 46}, "speech": {"rate": 160}, "ui": {"staff_pin": "2468"},
                     "recognition": {"alternatives": 5}, "log": {"max_bytes": 5}}
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=20), st.lists(st.integers(), max_size=3))
yaml_values = st.recursive(scalars, lambda inner: st.dictionaries(st.one_of(st.text(max_size=8), st.integers()),
                                                                  inner, max_size=4), max_leaves=8)


@st.composite
def config_documents(draw):
    """A config file: the known keys with random values, unknown keys, or broken YAML/bytes."""
    import yaml

    kind = draw(st.sampled_from(["typed", "typed", "raw", "bytes"]))
    if kind == "typed":
        doc = {k: draw(st.one_of(st.just(v), yaml_values)) for k, v in DEFAULTS_FOR_FUZZ.items()
               if draw(st.booleans())}
        if draw(st.booleans()):
            doc[draw(st.one_of(st.text(max_size=6), st.integers()))] = draw(yaml_values)
        return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")
    if kind == "raw":
        return draw(st.text(alphabet=":-[]{}&*!|>'\"%@`#?, \t\n" + DOMAIN + string.ascii_lowercase, max_size=80)
                    ).encode("utf-8")
    return draw(st.one_of(st.binary(max_size=100), st.sampled_from([b"\xff\xfe", b"!!python/object:os.system x",
                                                                     b"a: *b\n", b"- 1\n- 2\n", b"ui: 3\n"])))


@lru_cache(maxsize=1)
def _default_config():
    from kiosk.config import load_config

    return load_config(env={})


@SETTINGS
@given(config_documents())
def test_config_loader_raises_only_config_errors(tmp_path_factory, body):
    from kiosk.config import Config, ConfigError, load_config

    path = tmp_path_factory.mktemp("cfg") / "kiosk.yaml"
    path.write_bytes(body)
    try:
        config = load_config(path, env={})
    except ConfigError as exc:
        assert str(exc).strip() and str(path) in str(exc)
    else:
        assert isinstance(config, Config)
        # the loaded config keeps the defaults' shape: a group of settings stays a group
        for key, value in _default_config().data.items():
            if isinstance(value, dict):
                assert isinstance(config.get(key), dict), key


def test_config_loader_refuses_what_the_fuzzing_found(tmp_path):
    from kiosk.config import ConfigError, load_config

    for body in (b"\x80", b"1: a\nfoo: b\n", b"ui: 3\n", b"centre:\n"):
        path = tmp_path / "kiosk.yaml"
        path.write_bytes(body)
        with pytest.raises(ConfigError):
            load_config(path, env={})
