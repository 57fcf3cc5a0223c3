"""Property-based tests: random, enormous and malformed input never raises out of the core or staff code.

Time is not asserted here (no timed assertions in tests); `kiosk bench` measures the worst cases.
"""
from __future__ import annotations

import datetime as dt
import re
import string

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
    render_html(rep)
    csv_rows(rep)
    write_review(rep, base / "review.tsv")
