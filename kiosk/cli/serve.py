"""kiosk serve: the kiosk's knowledge, understanding and dialogue as a local API for robots and web terminals."""
from __future__ import annotations

import argparse

from .common import CommandError, add_guides_option
from .env import Environment

TOKEN_ENV = "KIOSK_SERVER_TOKEN"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="启动本地接口（机器人、网页终端）/ serve the local HTTP and WebSocket API",
                       description="Serve the kiosk's guides, matcher, dialogue and speech over HTTP and WebSocket "
                                   "(see README, 'Local API'). Loopback only unless a token is configured; "
                                   f"the token comes from server.token in config or ${TOKEN_ENV}.")
    p.add_argument("--host", default=None, help="address to listen on (default: server.host, 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default: server.port, 8765; 0 = any free port)")
    add_guides_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Environment) -> int:
    import logging

    from ..server.guard import is_loopback
    from .common import config_of, guides_dir

    config = config_of(args, env)
    host = args.host or str(config.get("server.host") or "127.0.0.1")
    port = args.port if args.port is not None else int(config.get("server.port", 8765))
    token = env.environ.get(TOKEN_ENV) or str(config.get("server.token") or "") or None
    if not is_loopback(host) and token is None:
        raise CommandError(f"在 {host} 上提供接口需要访问令牌：请在配置 server.token 或环境变量 {TOKEN_ENV} 中设置。")
    if not 0 <= port <= 65535:
        raise CommandError(f"端口 {port} 不对（0 到 65535）。")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from ..app import serve

    def ready(bound: int) -> None:
        env.err(f"kiosk serve: http://{host}:{bound}/v1/ （按 Ctrl+C 停止）")
        env.stderr.flush()

    return serve(config, host=host, port=port, guides_dir=guides_dir(args, config), token=token, on_ready=ready)
