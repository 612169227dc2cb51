"""deadline-flag with Bolt's own lazy listeners for `/deadline-flag`, served as `python -m bot serve` serves the app.

The question it answers (issue 14, item 3): should after-ack work go through Bolt's lazy listeners
(`app.command(...)(ack=..., lazy=[...])`) instead of `Deps.after_ack` / `Deps.open_now`? This is the real app
(`create_app`: same middleware, same pools, same database), with one change: the command's two listeners are
registered Bolt's way in front of ours, doing the same work, so benchmarks/run.py can load both in one run.
Benchmark-only: nothing in bot/ imports it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from slack_bolt import Ack, App, BoltContext  # noqa: E402
from slack_sdk import WebClient  # noqa: E402

from bot.blocks.flag_modal import FlagDraft, flag_modal  # noqa: E402
from bot.blocks.origin import ModalOrigin  # noqa: E402
from bot.config import ConfigError, load_config  # noqa: E402
from bot.db.session import create_db_engine, create_session_factory  # noqa: E402
from bot.flows.replies import open_modal  # noqa: E402
from bot.listeners.commands.deadline_flag import is_empty  # noqa: E402
from bot.logs import configure_logging  # noqa: E402
from bot.slack.app import create_app  # noqa: E402
from bot.slack.deps import Deps  # noqa: E402
from bot.slack.server import GunicornServer, gunicorn_options  # noqa: E402
from bot.slack.web import WsgiApp, create_wsgi_app  # noqa: E402

COMMAND = "/deadline-flag"


def _same_deps(self: Deps, memo: dict[int, Any]) -> Deps:
    return self


# Bolt deep-copies the request's context for each lazy function; Deps holds thread pools and a session factory,
# which cannot be copied (Bolt would drop them with a warning). Adopting lazy listeners would need this in bot/.
Deps.__deepcopy__ = _same_deps  # type: ignore[attr-defined]


def ack_at_once(ack: Ack) -> None:
    ack()


def open_the_flag_modal(command: dict, context: BoltContext, client: WebClient) -> None:
    """What handle_empty_deadline_flag_command hands to Deps.open_now, as a lazy function."""
    origin = ModalOrigin(response_url=command.get("response_url"))
    open_modal(
        client,
        flag_modal(FlagDraft(), origin),
        trigger_id=command.get("trigger_id"),
        user_id=context.user_id or "",
        response_url=origin.response_url,
    )


def register_lazy_command(app: App) -> None:
    """The empty command opens the modal from a lazy function. The inline command stays the app's own: it has no
    after-ack work (the receipt is the HTTP answer). In front of the app's listeners, as the first match wins."""
    app.command(COMMAND, matchers=[is_empty])(ack=ack_at_once, lazy=[open_the_flag_modal])
    app._listeners.insert(0, app._listeners.pop())  # private list: a benchmark-only reordering


class LazyListenerServer(GunicornServer):
    def load(self) -> WsgiApp:
        engine = create_db_engine(self.config.database_url, serving=True)
        app = create_app(self.config, create_session_factory(engine))
        register_lazy_command(app)
        assert self.config.signing_secret
        return create_wsgi_app(app, engine, signing_secret=self.config.signing_secret)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve deadline-flag with Bolt lazy listeners for /deadline-flag.")
    parser.add_argument("--port", type=int, required=True, help="port to listen on")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    args = parser.parse_args(argv)
    configure_logging()
    try:
        config = load_config().with_port(args.port).require_serving()
    except ConfigError as problem:
        print(f"lazy-listeners: {problem}", file=sys.stderr)
        return 2
    LazyListenerServer(config, gunicorn_options(config, host=args.host)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
