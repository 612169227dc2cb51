"""Command line: `python -m bot serve | migrate | purge`. Wiring only: the work lives in the modules it calls."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime, timedelta

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging

log = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="deadline-flag: a Slack app that makes artificial deadlines visible, without blame.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve Slack's requests on POST /slack/events (and GET /healthz; in OAuth mode GET /slack/install and "
        "/slack/oauth_redirect)",
    )
    serve.add_argument("--port", type=int, help="port to listen on (default: $PORT, else 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default: 0.0.0.0)")
    serve.set_defaults(run=run_serve)

    migrate = commands.add_parser("migrate", help="bring DATABASE_URL to the newest schema revision")
    migrate.set_defaults(run=run_migrate)

    purge = commands.add_parser(
        "purge",
        help="delete uninstalled workspaces' data once PURGE_AFTER_DAYS have passed; with --team, one workspace's at once",
    )
    purge.add_argument("--team", metavar="TEAM_ID", help="purge this workspace's data now, installed or not")
    purge.set_defaults(run=run_purge)
    return parser


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    settings = settings.with_port(args.port).require_serving()

    from bot.db.migrate import upgrade_to_head
    from bot.server import serve
    from bot.slack_checks import warn_if_token_unusable

    if settings.database_url.startswith("sqlite"):
        # The embedded database has no release phase to migrate it: do it here, so a newcomer needs no extra step.
        upgrade_to_head(settings.database_url)
    warn_if_token_unusable(settings)
    log.info("serving", extra={"port": settings.port, "mode": settings.require_mode(), "database": _backend(settings)})
    serve(settings, host=args.host)
    return 0


def run_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db.migrate import upgrade_to_head

    upgrade_to_head(settings.database_url)
    log.info("database is at the newest revision", extra={"database": _backend(settings)})
    return 0


def run_purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db.session import create_db_engine, create_session_factory
    from bot.domain.workspaces import purge_uninstalled_workspaces, purge_workspace

    engine = create_db_engine(settings.database_url)
    db = create_session_factory(engine)
    if args.team:
        deleted = purge_workspace(db, args.team)
        log.info("workspace purged", extra={"team_id": args.team, "rows": deleted})
    else:
        grace = timedelta(days=settings.purge_after_days)
        purged = purge_uninstalled_workspaces(db, datetime.now(UTC), grace)
        log.info("uninstalled workspaces purged", extra={"team_ids": purged, "purge_after_days": settings.purge_after_days})
    engine.dispose()
    return 0


def _backend(settings: Settings) -> str:
    return settings.database_url.split(":", 1)[0]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    try:
        return args.run(args, load_settings())
    except ConfigError as problem:
        print(f"deadline-flag: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
