"""The API's safety rules, in front of every route: who may call, how often, how much.

* Loopback only by default. Once a bearer token is configured (it must be, to listen on any other
  address), every request and WebSocket needs ``Authorization: Bearer <token>``. Without a token, a
  request from any address but loopback is refused.
* A request rate per client address (token bucket), and a cap on request bodies.
* Every refusal and every bad input is a JSON error with a 4xx code: ``{"error": code, "message": 中文}``.
"""
from __future__ import annotations

import hmac
import ipaddress
import json
import time
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 16_384  # JSON bodies (questions, text to say)
    max_query_chars: int = 500
    max_say_chars: int = 1_000
    rate_per_second: float = 20.0  # per client address; 0 = no rate limit
    burst: int = 40
    max_sessions: int = 500
    max_listen_seconds: float = 600.0  # one WebSocket's audio, in total
    max_frame_bytes: int = 64_000  # one WebSocket message (2 s of 16 kHz PCM)

    @classmethod
    def from_config(cls, config: Any) -> "Limits":
        d = cls()
        get = lambda key, default: type(default)(config.get(f"server.{key}", default))  # noqa: E731
        return cls(**{name: get(name, getattr(d, name)) for name in d.__dataclass_fields__})


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": code, "message": message}, ensure_ascii=False).encode("utf-8")


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class TokenBuckets:
    """Requests per client address: ``rate`` a second on average, ``burst`` at once."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = 10_000) -> None:
        self.rate, self.burst, self.clock = rate, float(burst), clock
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        if self.rate <= 0:
            return True
        now = self.clock()
        tokens, then = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if len(self._buckets) >= self.max_clients and key not in self._buckets:
            self._forget(now)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1.0, now)
        return True

    def _forget(self, now: float) -> None:
        """Drop clients whose bucket has refilled (they are as if new)."""
        full = self.burst / self.rate
        for k in [k for k, (_, t) in self._buckets.items() if now - t >= full]:
            del self._buckets[k]


class Guard:
    """ASGI middleware: token, client address and rate; JSON errors (HTTP) or a close code (WebSocket)."""

    def __init__(self, app, *, token: str | None, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.token = token or None
        self.buckets = TokenBuckets(limits.rate_per_second, limits.burst, clock)

    def _refusal(self, scope) -> tuple[int, str, str] | None:
        client = scope.get("client") or (None, None)
        host = client[0]
        if self.token is not None:
            given = ""
            for name, value in scope.get("headers", ()):
                if name == b"authorization":
                    given = value.decode("latin-1")
                    break
            scheme, _, secret = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(secret.strip().encode(), self.token.encode()):
                return 401, "unauthorized", "需要正确的访问令牌（Authorization: Bearer …）"
        elif not is_loopback(host):
            return 403, "forbidden", "本服务只接受本机访问；要从其他地址访问，请在配置中设置访问令牌"
        if not self.buckets.allow(str(host)):
            return 429, "rate_limited", "请求太频繁，请稍后再试"
        return None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        refusal = self._refusal(scope)
        if refusal is None:
            if scope["type"] == "websocket":
                await self.app(scope, receive, send)
                return

            async def timed_send(message) -> None:
                if message["type"] == "http.response.start":  # how long the server took (Server-Timing)
                    took = (time.perf_counter() - started) * 1000
                    message = {**message, "headers": [*message.get("headers", ()),
                                                      (b"server-timing", f"app;dur={took:.2f}".encode())]}
                await send(message)

            await self.app(scope, receive, timed_send)
            return
        status, code, message = refusal
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008 if status != 429 else 1013, "reason": code})
            return
        body = error_body(code, message)
        headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
        if status == 401:
            headers.append((b"www-authenticate", b"Bearer"))
        if status == 429:
            headers.append((b"retry-after", b"1"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
