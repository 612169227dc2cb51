"""The baseline: a Bolt app whose one listener only acks, served by the same gunicorn code as deadline-flag.

Same `GunicornServer`, same `gunicorn_options()`, same environment variables, so the gap the benchmark measures is
deadline-flag's own work (parsing, the database write, the receipt), not the server around it.

    SLACK_SIGNING_SECRET=... SLACK_BOT_TOKEN=xoxb-... SLACK_API_URL=http://127.0.0.1:9999/api/ \\
        python benchmarks/bare_bolt_app.py --port 3100
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Run as a script, Python puts benchmarks/ first on the path: import `bot` from this checkout instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from slack_bolt import Ack, App  # noqa: E402
from slack_bolt.adapter.socket_mode import SocketModeHandler  # noqa: E402
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler as WebsocketClientHandler  # noqa: E402
from slack_bolt.adapter.wsgi import SlackRequestHandler  # noqa: E402
from slack_sdk import WebClient  # noqa: E402

from bot.config import Config, ConfigError, load_config  # noqa: E402
from bot.logs import configure_logging  # noqa: E402
from bot.slack.server import GunicornServer, gunicorn_options  # noqa: E402
from bot.slack.web import SLACK_EVENTS_PATH, WsgiApp  # noqa: E402

COMMAND = "/deadline-flag"


def create_bare_app(config: Config) -> App:
    """Bolt with its defaults (process_before_response=False): the listener runs in Bolt's executor."""
    # The token goes on the client: given a client, App() ignores its own token= argument and then finds none.
    client = WebClient(token=config.bot_token, base_url=config.slack_api_url)
    app = App(
        signing_secret=config.signing_secret,
        client=client,
        token_verification_enabled=False,
        request_verification_enabled=not config.is_socket_mode,
    )

    @app.command(COMMAND)
    def ack_only(ack: Ack) -> None:
        ack("ok")

    return app


class BareBoltServer(GunicornServer):
    def load(self) -> WsgiApp:
        # Built in each worker after the fork, as GunicornServer builds deadline-flag.
        return SlackRequestHandler(create_bare_app(self.config), path=SLACK_EVENTS_PATH)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a bare Bolt app (ack only) with deadline-flag's gunicorn settings.")
    parser.add_argument("--port", type=int, required=True, help="port to listen on")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--socket-mode", action="store_true", help="take requests over Socket Mode (SLACK_APP_TOKEN)")
    parser.add_argument(
        "--socket-client",
        choices=("builtin", "websocket-client"),
        default="builtin",
        help="the WebSocket client under Bolt's adapter (default: builtin, slack_sdk's own, as the app uses)",
    )
    args = parser.parse_args(argv)
    # As `python -m bot` does first: gunicorn_options() takes its log level from the root logger.
    configure_logging()
    try:
        config = load_config().with_port(args.port).require_serving()
    except ConfigError as problem:
        print(f"bare-bolt: {problem}", file=sys.stderr)
        return 2
    if args.socket_mode:  # slack-bolt's Socket Mode adapter with its defaults, as its templates start
        handler = WebsocketClientHandler if args.socket_client == "websocket-client" else SocketModeHandler
        handler(create_bare_app(config), app_token=config.app_token).start()
        return 0
    BareBoltServer(config, gunicorn_options(config, host=args.host)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
