"""kiosk ask: plain and JSON output, stdin mode, bad input never raises."""
from __future__ import annotations

import json
import re

import pytest

KEYS = ["query", "status", "results", "section", "reply"]
SECTIONS = {None, "conditions", "materials", "steps", "time_limit", "fees", "location", "hours", "contact", "basis"}


def _objects(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def _check_format(obj: dict) -> None:
    assert list(obj) == KEYS
    assert isinstance(obj["query"], str)
    assert obj["status"] in ("answer", "clarify", "none")
    assert obj["section"] in SECTIONS
    assert isinstance(obj["reply"], str) and obj["reply"]
    for r in obj["results"]:
        assert list(r) == ["id", "title", "score"]
        assert isinstance(r["score"], (int, float)) and 0 <= r["score"] <= 100
    scores = [r["score"] for r in obj["results"]]
    assert scores == sorted(scores, reverse=True)


def test_json_answer_with_section(cli):
    res = cli("ask", "--json", "城乡居民最低生活保障申请要带什么材料")
    assert res.code == 0
    (obj,) = _objects(res.out)
    _check_format(obj)
    assert obj["query"] == "城乡居民最低生活保障申请要带什么材料"
    assert obj["status"] == "answer"
    assert obj["results"][0]["id"] == "assistance-01"
    assert obj["results"][0]["title"] == "城乡居民最低生活保障申请"
    assert obj["section"] == "materials"
    # the guide's short name if it has one, the count, then the first items
    assert re.match("[^，。：]{0,6}要带[一二两三四五六七八九十]+样东西：", obj["reply"])


def test_stdin_one_question_per_line_in_one_process(cli):
    lines = ["城乡居民最低生活保障申请", "这周末会下雨吗", "", "城乡居民最低生活保障申请在哪里办"]
    res = cli("ask", "--json", "--top", "2", stdin="\n".join(lines) + "\n")
    objs = _objects(res.out)
    assert [o["query"] for o in objs] == lines
    for o in objs:
        _check_format(o)
        assert len(o["results"]) <= 2
    assert objs[1]["status"] == "none"
    assert objs[2] == {"query": "", "status": "none", "results": [], "section": None, "reply": objs[2]["reply"]}
    assert objs[3]["section"] == "location"


@pytest.mark.parametrize("junk", ["", "   ", "😀😀😀", "x" * 10_000, "低" * 10_000, "\x00\x01\x1b[31m", "？！。，",
                                  "\ud800", "SELECT * FROM guides;"])
def test_bad_input_gets_none_not_a_traceback(cli, junk):
    res = cli("ask", "--json", stdin=junk + "\n")
    assert res.code == 0, res.err
    (obj,) = _objects(res.out)
    _check_format(obj)
    assert obj["status"] == "none"


def test_plain_output_is_readable(cli):
    res = cli("ask", "城乡居民最低生活保障申请在哪里办")
    assert res.code == 0
    assert res.out.startswith("问：城乡居民最低生活保障申请在哪里办\n答：")
    assert "要到户籍地办，在户籍所在街道" in res.out.splitlines()[1]
    assert "【办理地点】" in res.out


def test_unknown_option_is_a_usage_error(cli, capsys):
    res = cli("ask", "--nonsense")
    assert res.code == 2
