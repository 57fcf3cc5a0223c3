"""kiosk serve: the real server (uvicorn) on a free loopback port, called with a real HTTP client.

Every endpoint, sessions and follow-ups, idle reset, live reload, the question log, the token rule, rate
and size limits and bad input (always a JSON 4xx, never a 500 or a traceback); the WebSocket test streams
a real WAV through the real Vosk recogniser (the Korean test model)."""
from __future__ import annotations

import io
import json
import re
import shutil
import time
import wave

import httpx
import pytest

from conftest import GUIDES
from kiosk.answer import answer_guide
from kiosk.app import build_services, make_server_app
from kiosk.config import load_config
from kiosk.server import ServerThread
from kiosk.server.guard import Limits

ASK_KEYS = ["query", "status", "results", "section", "reply"]
HANGUL = re.compile(r"^[\uac00-\ud7af\u3130-\u318f0-9\[\] ]+$")


class Clock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def make_config(tmp, **server):
    return load_config(env={}).with_overrides({
        "log": {"dir": str(tmp / "log")},
        "health": {"heartbeat_file": str(tmp / "run" / "heartbeat.json"), "heartbeat_seconds": 0},
        "reload": {"settle_seconds": 0, "interval_seconds": 0.05},
        "server": {"rate_per_second": 0, **server}})


@pytest.fixture(scope="module")
def served(tmp_path_factory, korean_model):
    """One server for the module: a copy of the guides (reloaded live), operations on, a fake clock."""
    tmp = tmp_path_factory.mktemp("serve")
    guides = tmp / "guides"
    shutil.copytree(GUIDES, guides)
    config = make_config(tmp).with_overrides({"recognition": {"model": str(korean_model)}})
    clock = Clock()
    services = build_services(config, str(guides), clock=clock, operations=True)
    with ServerThread(make_server_app(config, services, str(guides))) as server:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield type("Served", (), {"client": client, "services": services, "clock": clock, "tmp": tmp,
                                      "guides": guides, "url": server.url, "config": config})
    services.close()


def error_of(r, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    assert "Traceback" not in r.text
    body = r.json()
    assert set(body) == {"error", "message"} and body["message"]
    return body["error"]


# -- ask -------------------------------------------------------------------------------------------------
def test_ask_without_a_session_is_exactly_kiosk_ask_json(served, cli):
    r = served.client.post("/v1/ask", json={"query": "低保怎么申请"})
    assert r.status_code == 200
    expected = json.loads(cli("ask", "--json", "--guides", str(GUIDES), "低保怎么申请").out)
    assert r.json() == expected and list(r.json()) == ASK_KEYS


def test_a_session_gets_actions_and_its_follow_ups(served):
    c = served.client
    first = c.post("/v1/ask", json={"query": "低保怎么申请", "session": "robot-1"}).json()
    assert list(first)[:5] == ASK_KEYS and first["session"] == "robot-1"
    types = [a["type"] for a in first["actions"]]
    assert types == ["stop_speaking", "show_guide", "say"]
    assert first["actions"][1]["guide"] == "assistance-01" and first["actions"][2]["text"] == first["reply"]
    follow = c.post("/v1/ask", json={"query": "要带什么材料", "session": "robot-1"}).json()
    show = next(a for a in follow["actions"] if a["type"] == "show_guide")
    assert show == {"type": "show_guide", "guide": "assistance-01", "title": "城乡居民最低生活保障申请",
                    "section": "materials"}
    kb = served.services.kb
    said = next(a for a in follow["actions"] if a["type"] == "say")["text"]
    assert said == answer_guide(kb.get("assistance-01"), kb, "materials").text
    # another session has nothing of robot-1's: the same follow-up names no guide there
    other = c.post("/v1/ask", json={"query": "要带什么材料", "session": "wall-2"}).json()
    assert not any(a["type"] == "show_guide" for a in other["actions"])


def test_choices_are_picked_by_ordinal_within_the_session(served):
    c = served.client
    r = c.post("/v1/ask", json={"query": "养老金", "session": "t-choice"}).json()
    assert r["status"] == "clarify"
    choices = next(a for a in r["actions"] if a["type"] == "show_choices")
    assert [g["id"] for g in choices["choices"]] == [x["id"] for x in r["results"]][:len(choices["choices"])]
    second = choices["choices"][1]["id"]
    picked = c.post("/v1/ask", json={"query": "第二个", "session": "t-choice"}).json()
    assert next(a for a in picked["actions"] if a["type"] == "show_guide")["guide"] == second


def test_an_idle_session_starts_afresh(served):
    c = served.client
    c.post("/v1/ask", json={"query": "低保怎么申请", "session": "idle-1"})
    served.clock.t += 61  # dialogue.idle_seconds is 60
    r = c.post("/v1/ask", json={"query": "要带什么材料", "session": "idle-1"}).json()
    assert not any(a["type"] == "show_guide" for a in r["actions"])


def test_questions_go_to_the_scrubbed_question_log(served):
    served.client.post("/v1/ask", json={"query": "我叫王建国手机13812345678想吃低保"})
    served.client.post("/v1/ask", json={"query": "我的电话13900001111，低保", "session": "log-1"})
    from kiosk.staff.qlog import read_log

    records = read_log(served.services.ops.qlog.path).records
    text = (served.tmp / "log" / "questions.jsonl").read_text(encoding="utf-8")
    assert "13812345678" not in text and "13900001111" not in text and "王建国" not in text
    mine = [r for r in records if "低保" in r.query and r.source == "api"]
    assert len(mine) >= 2 and sum("[手机号]" in r.query for r in mine) >= 2


# -- guides, categories ------------------------------------------------------------------------------------------
def test_guides_and_categories_list_what_is_in_service(served):
    guides = served.client.get("/v1/guides").json()["guides"]
    assert len(guides) == len(served.services.kb) and guides[0].keys() == {"id", "title", "category"}
    cats = served.client.get("/v1/categories").json()["categories"]
    assert sum(c["guides"] for c in cats) == len(guides)
    assert [c["order"] for c in cats] == sorted(c["order"] for c in cats)


def test_one_guide_is_whole_with_the_centres_defaults_resolved(served):
    g = served.client.get("/v1/guides/assistance-01").json()
    kb = served.services.kb
    assert g["id"] == "assistance-01" and g["title"] == "城乡居民最低生活保障申请"
    assert g["materials"] and g["materials"][0]["name"]
    assert "中心默认" not in json.dumps(g, ensure_ascii=False)
    assert g["hours"] == kb.get("assistance-01").resolved("hours", kb.centre)
    assert [s["id"] for s in g["sections"]][:3] == ["conditions", "benefits", "materials"]
    assert error_of(served.client.get("/v1/guides/no-such-guide"), 404) == "not_found"


def test_every_guide_in_service_is_served_whole(served):
    for g in served.services.kb.guides:
        r = served.client.get(f"/v1/guides/{g.id}")
        assert r.status_code == 200 and r.json()["title"] == g.title, (g.id, r.text[:200])


def test_a_reloaded_guide_is_served_without_a_restart(served):
    path = served.guides / "assistance" / "assistance-02.yaml"
    text = path.read_text(encoding="utf-8")
    old = re.search(r"^summary: (.*)$", text, re.M).group(1)
    path.write_text(text.replace(f"summary: {old}", f"summary: 新的说明。{old}"), encoding="utf-8")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if served.client.get("/v1/guides/assistance-02").json()["summary"].startswith("新的说明"):
            break
        time.sleep(0.1)
    assert served.client.get("/v1/guides/assistance-02").json()["summary"].startswith("新的说明")


# -- say, health, openapi ------------------------------------------------------------------------------------------
@pytest.mark.audio
def test_say_gives_the_kiosks_speech_as_wav(served):
    r = served.client.post("/v1/say", json={"text": "请到三号窗口办理。"})
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(r.content)) as w:
        seconds = w.getnframes() / w.getframerate()
        assert w.getsampwidth() == 2 and seconds > 0.8
        pcm = w.readframes(w.getnframes())
    assert max(abs(int.from_bytes(pcm[i:i + 2], "little", signed=True)) for i in range(0, len(pcm), 2)) > 1000
    slow = served.client.post("/v1/say", json={"text": "请到三号窗口办理。", "elder": True})
    with wave.open(io.BytesIO(slow.content)) as w:
        assert w.getnframes() / w.getframerate() > seconds * 1.1  # elder mode speaks slower


def test_health_reports_what_kiosk_health_reports(served):
    deadline = time.monotonic() + 20
    r = served.client.get("/v1/health")
    # the server's ticks write the heartbeat (with the guides in service); answers are cached for 5 s
    while not (r.status_code == 200 and "guides" in (r.json()["heartbeat"] or {})) and time.monotonic() < deadline:
        time.sleep(0.5)
        r = served.client.get("/v1/health")
    body = r.json()
    assert r.status_code == 200 and body["code"] == 0, body
    assert {"心跳", "指南", "日志"} <= {c["name"] for c in body["checks"]}
    assert body["heartbeat"]["guides"] == len(served.services.kb)
    assert f"{len(served.services.kb)} 个指南可以加载" in body["checks"][1]["detail"]


def test_openapi_describes_every_endpoint(served):
    doc = served.client.get("/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/v1/ask", "/v1/guides", "/v1/guides/{id}", "/v1/categories", "/v1/say",
                                 "/v1/health"}
    assert all(op.get("summary") for ops in doc["paths"].values() for op in ops.values())


# -- bad input: JSON 4xx, never a 500 --------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,status,code", [
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "bad_json"),
    ({"content": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "headers": {"content-type": "application/json"}}, 400,
     "bad_json"),
    ({"json": ["低保"]}, 400, "bad_json"),
    ({"json": {}}, 422, "bad_field"),
    ({"json": {"query": 42}}, 422, "bad_field"),
    ({"json": {"query": None}}, 422, "bad_field"),
    ({"json": {"query": "低保", "session": 7}}, 422, "bad_session"),
    ({"json": {"query": "低保", "session": "../../etc"}}, 422, "bad_session"),
    ({"json": {"query": "低保\u0000"}}, 422, "bad_field"),
    ({"json": {"query": "低" * 501}}, 413, "too_large"),
    ({"json": {"query": "低保", "pad": "x" * 20_000}}, 413, "too_large"),
    ({"content": "query=低保".encode(), "headers": {"content-type": "application/x-www-form-urlencoded"}}, 415,
     "unsupported_media_type"),
    ({"content": b"\x00\x01\x02" * 1000, "headers": {"content-type": "application/octet-stream"}}, 415,
     "unsupported_media_type"),
])
def test_bad_asks_get_a_json_4xx(served, kwargs, status, code):
    assert error_of(served.client.post("/v1/ask", **kwargs), status) == code


def test_a_huge_streamed_body_is_cut_off(served):
    def chunks():
        yield b'{"query": "'
        for _ in range(200):
            yield b"x" * 10_000

    r = served.client.post("/v1/ask", content=chunks(), headers={"content-type": "application/json"})
    assert error_of(r, 413) == "too_large"


@pytest.mark.parametrize("method,path,status,code", [
    ("GET", "/v1/ask", 405, "method_not_allowed"),
    ("GET", "/v1/nothing", 404, "not_found"),
    ("DELETE", "/v1/guides", 405, "method_not_allowed"),
])
def test_wrong_routes_get_a_json_4xx(served, method, path, status, code):
    assert error_of(served.client.request(method, path), status) == code


@pytest.mark.parametrize("body,code", [({"text": ""}, "bad_field"), ({"text": 3}, "bad_field"),
                                       ({"text": "好", "elder": "yes"}, "bad_field"),
                                       ({"text": "好" * 1001}, "too_large")])
def test_bad_say_requests_get_a_json_4xx(served, body, code):
    r = served.client.post("/v1/say", json=body)
    assert error_of(r, 413 if code == "too_large" else 422) == code


# -- the token rule, rate limits, sessions limit -------------------------------------------------------------------
def _server(tmp_path, **kw):
    config = make_config(tmp_path, **kw.pop("server", {}))
    services = build_services(config, str(GUIDES))
    return ServerThread(make_server_app(config, services, **kw)), services


def test_a_token_is_required_on_every_request_once_configured(tmp_path):
    from websockets.exceptions import InvalidStatus, ConnectionClosed
    from websockets.sync.client import connect

    server, services = _server(tmp_path, token="s3cret-token")
    with server, httpx.Client(base_url=server.url) as c:
        assert error_of(c.get("/v1/guides"), 401) == "unauthorized"
        assert c.get("/v1/guides").headers["www-authenticate"] == "Bearer"
        assert error_of(c.get("/v1/guides", headers={"Authorization": "Bearer wrong"}), 401) == "unauthorized"
        assert error_of(c.get("/v1/guides", headers={"Authorization": "s3cret-token"}), 401) == "unauthorized"
        ok = c.get("/v1/guides", headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200 and ok.json()["guides"]
        with pytest.raises((InvalidStatus, ConnectionClosed)):
            with connect(server.url.replace("http", "ws") + "/v1/listen") as ws:
                ws.recv(timeout=5)
    services.close()


def test_any_address_but_loopback_needs_a_token(tmp_path, cli):
    config = make_config(tmp_path)
    services = build_services(config, str(GUIDES))
    with pytest.raises(ValueError, match="token"):
        make_server_app(config, services, host="0.0.0.0")
    res = cli("serve", "--host", "0.0.0.0", "--port", "0")
    assert res.code == 2 and "访问令牌" in res.err


def test_without_a_token_only_loopback_clients_are_served(tmp_path):
    import asyncio

    from kiosk.server.guard import Guard

    seen = []

    async def app(scope, receive, send):
        seen.append(scope["client"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    guard = Guard(app, token=None, limits=Limits(rate_per_second=0))

    def call(host):
        sent = []

        async def send(m):
            sent.append(m)

        async def receive():
            return {"type": "http.request", "body": b""}

        asyncio.run(guard({"type": "http", "client": (host, 5000), "headers": []}, receive, send))
        return sent[0]["status"], json.loads(sent[1]["body"] or b"{}")

    assert call("127.0.0.1")[0] == 200 and call("::1")[0] == 200
    status, body = call("192.168.1.20")
    assert status == 403 and body["error"] == "forbidden"
    assert seen == [("127.0.0.1", 5000), ("::1", 5000)]


def test_too_many_requests_from_one_client_get_429(tmp_path):
    server, services = _server(tmp_path, server={"rate_per_second": 1, "burst": 3})
    with server, httpx.Client(base_url=server.url) as c:
        codes = [c.get("/v1/categories").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
        r = c.get("/v1/categories")
        assert error_of(r, 429) == "rate_limited" and r.headers["retry-after"] == "1"
        time.sleep(1.1)
        assert c.get("/v1/categories").status_code == 200
    services.close()


def test_sessions_are_capped_and_idle_ones_make_room(tmp_path):
    clock = Clock()
    config = make_config(tmp_path, max_sessions=2)
    services = build_services(config, str(GUIDES), clock=clock)
    with ServerThread(make_server_app(config, services)) as server, httpx.Client(base_url=server.url) as c:
        for sid in ("a", "b"):
            assert c.post("/v1/ask", json={"query": "低保", "session": sid}).status_code == 200
        assert error_of(c.post("/v1/ask", json={"query": "低保", "session": "c"}), 429) == "too_many_sessions"
        assert c.post("/v1/ask", json={"query": "低保", "session": "a"}).status_code == 200  # known ones go on
        clock.t += 61
        assert c.post("/v1/ask", json={"query": "低保", "session": "c"}).status_code == 200
    services.close()


# -- listen: a real WAV through the real recogniser -----------------------------------------------------------------
@pytest.mark.vosk
@pytest.mark.audio
def test_listen_streams_a_wav_through_vosk_and_answers(served, espeak):
    from websockets.sync.client import connect

    from kiosk.speech.audio import read_wav

    pcm = read_wav(espeak("주민등록증 재발급 신청"))[1] + bytes(2 * 16000 * 2)  # then 2 s of silence
    messages = []
    with connect(served.url.replace("http", "ws") + "/v1/listen?session=robot-ws") as ws:
        for i in range(0, len(pcm), 3200):  # 0.1 s frames
            ws.send(pcm[i:i + 3200])
        ws.send(json.dumps({"type": "end"}))
        while True:
            m = json.loads(ws.recv(timeout=60))
            messages.append(m)
            if m["type"] == "end":
                break
    kinds = [m["type"] for m in messages]
    assert kinds[0] == "partial" and kinds.count("final") == 1 and kinds[-1] == "end", kinds
    partials = [m["text"] for m in messages if m["type"] == "partial"]
    assert any(p.strip() for p in partials)
    final = next(m for m in messages if m["type"] == "final")
    assert final["text"] and HANGUL.match(final["text"]), final["text"]
    assert final["alternatives"][0] == final["text"]
    answer = final["answer"]
    assert list(answer)[:5] == ASK_KEYS and answer["query"] == final["text"] and answer["session"] == "robot-ws"
    assert [a["type"] for a in answer["actions"]][-1] == "say"


@pytest.mark.vosk
def test_listen_rejects_text_that_is_not_a_command_and_oversized_frames(served):
    from websockets.sync.client import connect

    with connect(served.url.replace("http", "ws") + "/v1/listen") as ws:
        ws.send("hello")
        m = json.loads(ws.recv(timeout=30))
        assert m["type"] == "error" and m["error"] == "bad_message"
        ws.send(bytes(100_000))
        m = json.loads(ws.recv(timeout=30))
        assert m["type"] == "error" and m["error"] == "too_large"
        assert json.loads(ws.recv(timeout=30))["type"] == "end"


def test_serve_help_imports_no_server_library():
    import subprocess
    import sys

    from conftest import ROOT

    code = ("import sys, kiosk.cli; kiosk.cli.main(['serve', '--help']); "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'kiosk.server') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "--host" in res.stdout and "--port" in res.stdout and res.stdout.strip().endswith("[]")
