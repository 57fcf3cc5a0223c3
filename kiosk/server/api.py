"""The routes of ``kiosk serve`` (Starlette): the kiosk's knowledge, understanding and dialogue for
robots and web terminals. Sessions are :class:`kiosk.session.Session` objects, one per client session
id, run on the event loop's thread; blocking work (speech, health checks) runs on worker threads.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import gc
import json
import logging
import re
import time
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.schemas import SchemaGenerator
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..answer import compose
from ..dialogue import Reset, Say, SetElder, ShowChoices, ShowGuide, ShowNotFound, StopSpeaking
from ..knowledge.model import SECTION_NAMES, SECTIONS, Guide
from ..session import Services, Session, answer_object
from .guard import ApiError, Guard, Limits, error_body

log = logging.getLogger("kiosk.server")

SESSION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
HEALTH_CACHE_SECONDS = 5.0
TICK_SECONDS = 1.0


class JSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def settle_memory() -> None:
    """Move the loaded guides and indexes out of the garbage collector's way: without this, every full
    collection walks them (tens of ms on the event loop, the slowest answers under load)."""
    gc.collect()
    gc.freeze()


# -- JSON out -------------------------------------------------------------------------------------
def guide_brief(g: Guide) -> dict:
    return {"id": g.id, "title": g.title, "category": g.category}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.compare}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def guide_full(g: Guide, centre) -> dict:
    """The whole guide, with 中心默认 resolved to the centre's location, hours and phone."""
    # The guide's content; where it came from (path, line numbers: compare=False fields) is for staff.
    out = {f.name: _plain(getattr(g, f.name)) for f in dataclasses.fields(g) if f.compare}
    for key in ("location", "hours", "contact"):
        out[key] = g.resolved(key, centre)
    out["short_name"] = g.short_name
    out["sections"] = [{"id": s, "name": SECTION_NAMES[s], "lines": list(g.section_lines(s, centre))}
                       for s in SECTIONS]
    return json.loads(json.dumps(out, ensure_ascii=False, default=lambda o: o.isoformat()
                                 if isinstance(o, (dt.date, dt.datetime)) else str(o)))


def action_json(a) -> dict:
    if isinstance(a, ShowGuide):
        return {"type": "show_guide", "guide": a.guide.id, "title": a.guide.title, "section": a.section}
    if isinstance(a, ShowChoices):
        return {"type": "show_choices", "prompt": a.prompt, "choices": [guide_brief(g) for g in a.choices]}
    if isinstance(a, ShowNotFound):
        return {"type": "show_not_found", "text": a.text, "query": a.query, "elsewhere": a.elsewhere}
    if isinstance(a, Say):
        return {"type": "say", "text": a.text, "slow": a.slow}
    if isinstance(a, StopSpeaking):
        return {"type": "stop_speaking"}
    if isinstance(a, Reset):
        return {"type": "reset"}
    if isinstance(a, SetElder):
        return {"type": "set_elder", "on": a.on}
    return {"type": type(a).__name__}


# -- JSON in --------------------------------------------------------------------------------------
async def read_json(request: Request, limits: Limits) -> dict:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise ApiError(415, "unsupported_media_type", "请求内容必须是 JSON（Content-Type: application/json）")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limits.max_body_bytes):
        raise ApiError(413, "too_large", f"请求内容太大（最多 {limits.max_body_bytes} 字节）")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limits.max_body_bytes:
            raise ApiError(413, "too_large", f"请求内容太大（最多 {limits.max_body_bytes} 字节）")
    try:
        data = json.loads(bytes(body).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "bad_json", "请求内容不是合法的 UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "请求内容必须是 JSON 对象")
    return data


def text_field(data: dict, name: str, max_chars: int, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ApiError(422, "bad_field", f"字段 {name} 必须是字符串")
    if len(value) > max_chars:
        raise ApiError(413, "too_large", f"字段 {name} 太长（最多 {max_chars} 个字）")
    if "\x00" in value:
        raise ApiError(422, "bad_field", f"字段 {name} 含有不可用的字符")
    return value


def session_field(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not SESSION_ID.match(value):
        raise ApiError(422, "bad_session", "session 必须是 1 到 64 个字母、数字或 _.:- 组成的字符串")
    return value


# -- sessions -------------------------------------------------------------------------------------
class Sessions:
    """Client sessions by id, each its own :class:`Session`; idle ones are dropped (the kiosk's idle reset)."""

    def __init__(self, services: Services, max_sessions: int) -> None:
        self.services = services
        self.max_sessions = max_sessions
        self._by_id: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, sid: str) -> Session:
        s = self._by_id.get(sid)
        if s is not None:
            return s
        if len(self._by_id) >= self.max_sessions:
            self.sweep()
            if len(self._by_id) >= self.max_sessions:
                raise ApiError(429, "too_many_sessions", "同时进行的会话太多，请稍后再试")
        s = self._by_id[sid] = Session(self.services, source="api", speech=False)
        return s

    def sweep(self) -> None:
        """Forget sessions idle for longer than the idle time: a new one with the same id starts fresh."""
        for sid in [sid for sid, s in self._by_id.items() if s.idle]:
            del self._by_id[sid]


class Api:
    def __init__(self, services: Services, *, speech: Any = None, listener: Any = None,
                 health: Callable[[], Any] | None = None, limits: Limits | None = None) -> None:
        self.services = services
        self.speech = speech
        self.listener = listener
        self.health_check = health
        self.limits = limits or Limits()
        self.sessions = Sessions(services, self.limits.max_sessions)
        self._health: tuple[float, dict, int] | None = None
        self._ticker: asyncio.Task | None = None

    # -- background: staff side and idle sessions ------------------------------------------------------
    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                if self.services.tick() is not None:
                    settle_memory()
                self.sessions.sweep()
            except Exception:
                log.exception("server tick failed")

    async def startup(self) -> None:
        self.services.start()
        settle_memory()
        self._ticker = asyncio.get_running_loop().create_task(self._tick_forever())

    async def shutdown(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        if self.listener is not None and hasattr(self.listener, "close"):
            self.listener.close()
        if self.speech is not None:
            await asyncio.to_thread(self.speech.close)

    # -- routes -------------------------------------------------------------------------------
    async def ask(self, request: Request) -> Response:
        """
        summary: Answer a question; with a session, also the dialogue's actions (follow-ups work per session)
        requestBody:
          required: true
          content:
            application/json:
              schema:
                type: object
                required: [query]
                properties:
                  query: {type: string, maxLength: 500, example: 低保怎么申请}
                  session: {type: string, pattern: "^[A-Za-z0-9_.:-]{1,64}$", example: robot-1}
        responses:
          200:
            description: the `kiosk ask --json` object (query, status, results, section, reply); with a
              session also `session` and `actions` (show_guide / show_choices / show_not_found / say /
              stop_speaking / reset / set_elder); with a session, a spoken command (再说一遍, 说慢一点,
              返回, 首页) is acted on and answered with status `command`, the `command` (repeat / slower /
              normal / back / home) and in `reply` what the kiosk says
          4XX: {description: '{"error": code, "message": 中文}'}
        """
        data = await read_json(request, self.limits)
        query = text_field(data, "query", self.limits.max_query_chars)
        sid = session_field(data.get("session"))
        return JSON(self.answer(query, sid))

    def answer(self, query: str, sid: str | None, alternatives: tuple[str, ...] = ()) -> dict:
        if sid is None:
            k = self.services.knowledge
            match = self.services.cached_matcher.match(query)
            ops = self.services.ops
            if ops is not None and ops.qlog is not None:
                ops.qlog.record_match(match, source="api")
            return answer_object(query, match, compose(match, k.kb))
        obj, actions = self.sessions.get(sid).ask(query, alternatives)
        return {**obj, "session": sid, "actions": [action_json(a) for a in actions]}

    async def guides(self, request: Request) -> Response:
        """
        summary: All guides in service (id, title, category)
        responses: {200: {description: '{"guides": [{"id", "title", "category"}]}'}}
        """
        return JSON({"guides": [guide_brief(g) for g in self.services.kb.guides]})

    async def guide(self, request: Request) -> Response:
        """
        summary: One whole guide, with the centre's defaults (location, hours, phone) resolved
        parameters: [{name: id, in: path, required: true, schema: {type: string}}]
        responses:
          200: {description: 'every field of the guide, plus short_name and sections [{id, name, lines}]'}
          404: {description: no such guide}
        """
        kb = self.services.kb
        g = kb.get(request.path_params["id"])
        if g is None:
            raise ApiError(404, "not_found", "没有这个指南")
        return JSON(guide_full(g, kb.centre))

    async def categories(self, request: Request) -> Response:
        """
        summary: The categories, in display order, with how many guides each has
        responses: {200: {description: '{"categories": [{"id", "name", "order", "icon", "guides"}]}'}}
        """
        kb = self.services.kb
        return JSON({"categories": [{**dataclasses.asdict(c), "guides": len(kb.by_category(c.id))}
                                    for c in sorted(kb.categories, key=lambda c: c.order)]})

    async def say(self, request: Request) -> Response:
        """
        summary: The kiosk's Mandarin speech for a text, as a WAV file
        requestBody:
          required: true
          content:
            application/json:
              schema:
                type: object
                required: [text]
                properties:
                  text: {type: string, maxLength: 1000}
                  elder: {type: boolean, description: elder mode (slower)}
        responses:
          200: {description: audio/wav, 16-bit PCM}
          503: {description: speech output is not available on this machine}
        """
        data = await read_json(request, self.limits)
        text = text_field(data, "text", self.limits.max_say_chars)
        elder = data.get("elder", False)
        if not isinstance(elder, bool):
            raise ApiError(422, "bad_field", "字段 elder 必须是 true 或 false")
        if not text.strip():
            raise ApiError(422, "bad_field", "字段 text 不能为空")
        if self.speech is None:
            raise ApiError(503, "no_speech", "本机没有语音播报")
        wav = await asyncio.to_thread(self.speech.wav, text, elder)
        if wav is None:
            raise ApiError(503, "no_speech", getattr(self.speech, "problem", None) or "语音合成失败")
        return Response(wav, media_type="audio/wav")

    async def health(self, request: Request) -> Response:
        """
        summary: The same facts as `kiosk health --json` (code, checks, heartbeat); 503 unless healthy
        responses: {200: {description: healthy}, 503: {description: not healthy; see code and checks}}
        """
        now = time.monotonic()
        if self._health is None or now - self._health[0] > HEALTH_CACHE_SECONDS:
            if self.health_check is None:
                raise ApiError(503, "no_health", "没有健康检查")
            report = await asyncio.to_thread(self.health_check)
            body = {"code": report.code, "checks": [c.__dict__ for c in report.checks],
                    "heartbeat": report.heartbeat}
            self._health = (now, body, 200 if report.code == 0 else 503)
        return JSON(self._health[1], status_code=self._health[2])

    async def openapi(self, request: Request) -> Response:
        return JSON(SCHEMAS.get_schema(routes=request.app.routes))

    async def listen(self, ws: WebSocket) -> None:
        """16 kHz mono 16-bit PCM in (binary messages); partial transcripts out, then each utterance's
        final transcript with the answer. A text message {"type": "end"} ends the stream."""
        from ..speech.stream import StreamOverflow, StreamSource

        try:
            sid = session_field(ws.query_params.get("session"))
        except ApiError as exc:
            await ws.close(code=1008, reason=exc.code)
            return
        await ws.accept()
        if self.listener is None:
            await ws.send_text(json.dumps({"type": "error", "error": "no_recognizer", "message": "本机没有语音识别"},
                                          ensure_ascii=False))
            await ws.close(code=1011)
            return
        source = StreamSource(max_seconds=min(30.0, self.limits.max_listen_seconds))
        recognizer = await asyncio.to_thread(self.listener.recognizer, source)
        if recognizer is None:
            problem = getattr(self.listener, "problem", None) or "语音识别不可用"
            await ws.send_text(json.dumps({"type": "error", "error": "no_recognizer", "message": problem},
                                          ensure_ascii=False))
            await ws.close(code=1011)
            return
        loop = asyncio.get_running_loop()
        out: asyncio.Queue = asyncio.Queue()
        done = asyncio.Event()

        def later(item) -> None:  # from the recogniser's thread
            loop.call_soon_threadsafe(out.put_nowait, item)

        recognizer.start(lambda text: later(("partial", text)), lambda t: later(("final", t)),
                         lambda message: later(("error", message)))

        async def sender() -> None:
            while True:
                kind, value = await out.get()
                if kind == "partial":
                    msg = {"type": "partial", "text": value}
                elif kind == "final":
                    answer = self.answer(value.text, sid, tuple(value.alternatives)) if value.text.strip() else None
                    msg = {"type": "final", "text": value.text, "alternatives": list(value.alternatives),
                           "answer": answer}
                elif kind == "error":
                    msg = {"type": "error", "error": "recognizer", "message": value}
                else:
                    return
                await ws.send_text(json.dumps(msg, ensure_ascii=False))

        send_task = loop.create_task(sender())
        received = 0.0
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message.get("bytes") is not None:
                    data = message["bytes"]
                    received += len(data) / 32000
                    if len(data) > self.limits.max_frame_bytes or received > self.limits.max_listen_seconds:
                        await ws.send_text(json.dumps({"type": "error", "error": "too_large",
                                                       "message": "音频太长或太大"}, ensure_ascii=False))
                        break
                    try:
                        source.push(data)
                    except StreamOverflow:
                        await ws.send_text(json.dumps({"type": "error", "error": "too_fast",
                                                       "message": "音频发送得太快"}, ensure_ascii=False))
                        break
                else:
                    try:
                        ctl = json.loads(message.get("text") or "")
                    except ValueError:
                        ctl = None
                    if isinstance(ctl, dict) and ctl.get("type") == "end":
                        source.end()
                        await asyncio.to_thread(recognizer.wait, 30)
                        break
                    await ws.send_text(json.dumps({"type": "error", "error": "bad_message",
                                                   "message": "只接受二进制音频或 {\"type\": \"end\"}"},
                                                  ensure_ascii=False))
        except WebSocketDisconnect:
            pass
        finally:
            source.end()
            recognizer.cancel()
            await asyncio.to_thread(recognizer.close)
            later(("stop", None))
            try:
                await asyncio.wait_for(send_task, 10)
                await ws.send_text(json.dumps({"type": "end"}))
                await ws.close()
            except Exception:  # the client went away: nothing more to tell it
                send_task.cancel()


SCHEMAS = SchemaGenerator({"openapi": "3.0.0", "info": {"title": "长宁智能服务 kiosk API", "version": "1"}})


async def _api_error(request, exc: ApiError) -> Response:
    return Response(error_body(exc.code, exc.message), status_code=exc.status,
                    media_type="application/json; charset=utf-8")


async def _http_error(request, exc: HTTPException) -> Response:
    codes = {404: ("not_found", "没有这个地址"), 405: ("method_not_allowed", "不支持这种请求方法")}
    code, message = codes.get(exc.status_code, ("http_error", str(exc.detail)))
    return Response(error_body(code, message), status_code=exc.status_code,
                    media_type="application/json; charset=utf-8")


async def _server_error(request, exc: Exception) -> Response:
    log.exception("request failed: %s %s", request.method, request.url.path)
    return Response(error_body("internal", "服务内部出错，已记录"), status_code=500,
                    media_type="application/json; charset=utf-8")


def create_app(services: Services, *, speech: Any = None, listener: Any = None, health: Callable[[], Any] | None = None,
               token: str | None = None, host: str = "127.0.0.1", limits: Limits | None = None):
    """The ASGI app. A host other than loopback needs a token (then every request needs it)."""
    from .guard import is_loopback

    limits = limits or Limits.from_config(services.config)
    token = token or str(services.config.get("server.token") or "") or None
    if not is_loopback(host) and token is None:
        raise ValueError(f"listening on {host} needs an access token (server.token or --token)")
    api = Api(services, speech=speech, listener=listener, health=health, limits=limits)
    routes = [
        Route("/v1/ask", api.ask, methods=["POST"]),
        Route("/v1/guides", api.guides, methods=["GET"]),
        Route("/v1/guides/{id}", api.guide, methods=["GET"]),
        Route("/v1/categories", api.categories, methods=["GET"]),
        Route("/v1/say", api.say, methods=["POST"]),
        Route("/v1/health", api.health, methods=["GET"]),
        Route("/v1/openapi.json", api.openapi, methods=["GET"], include_in_schema=False),
        WebSocketRoute("/v1/listen", api.listen),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await api.startup()
        try:
            yield
        finally:
            await api.shutdown()

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _server_error})
    app.state.api = api
    return Guard(app, token=token, limits=limits)
