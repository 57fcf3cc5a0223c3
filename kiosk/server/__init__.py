"""``kiosk serve``: the kiosk's brain as a local HTTP and WebSocket API for robots and web terminals.

An edge like ``kiosk/ui``: it gets a :class:`kiosk.session.Services` (and the speech parts) from
``kiosk.app`` and never imports it back. Starlette on uvicorn; see the README for why.
"""
from __future__ import annotations

import asyncio
import threading
from typing import Callable

from .api import create_app  # noqa: F401
from .guard import Limits  # noqa: F401


def _config(app, host: str, port: int):
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on",
                          http="auto", loop="auto",
                          ws="websockets-sansio", ws_max_size=1_000_000, timeout_keep_alive=30,
                          limit_concurrency=1000, server_header=False)


def bound_port(server) -> int:
    return server.servers[0].sockets[0].getsockname()[1]


def run_server(app, host: str, port: int, on_ready: Callable[[int], None] | None = None) -> int:
    """Serve until interrupted (Ctrl+C or SIGTERM); on_ready gets the port (useful with port 0)."""
    import uvicorn

    server = uvicorn.Server(_config(app, host, port))

    async def main() -> None:
        task = asyncio.get_running_loop().create_task(server.serve())
        while not server.started and not task.done():
            await asyncio.sleep(0.05)
        if server.started and on_ready is not None:
            on_ready(bound_port(server))
        await task

    asyncio.run(main())
    return 0 if server.started else 1


class ServerThread:
    """The server on a free loopback port in a background thread (tests, the example client)."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0) -> None:
        import uvicorn

        self.server = uvicorn.Server(_config(app, host, port))
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.host = host
        self.port = 0
        self._thread = threading.Thread(target=self.server.run, name="kiosk-serve", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> "ServerThread":
        self._thread.start()
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the server did not start")
            threading.Event().wait(0.02)
        self.port = bound_port(self.server)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self._thread.join(15)
