"""Gunicorn started from Python, so `python -m bot serve` locally and the Procfile's web process run the same code."""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.config import Config
from bot.db.session import create_db_engine, create_session_factory
from bot.slack.app import create_app
from bot.slack.web import WsgiApp, create_wsgi_app


def build_wsgi_app(config: Config) -> WsgiApp:
    """The whole web process: engine, session factory, Bolt app, routes."""
    engine = create_db_engine(config.database_url, serving=True)
    signing_secret = config.require_serving().signing_secret
    assert signing_secret  # require_serving() refuses to start without it
    return create_wsgi_app(create_app(config, create_session_factory(engine)), engine, signing_secret=signing_secret)


class GunicornServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, config: Config, options: dict[str, Any]) -> None:
        self.config = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> WsgiApp:
        # Runs in each worker after the fork (no preload), so no engine or thread pool is shared across processes.
        return build_wsgi_app(self.config)


def gunicorn_options(config: Config, *, host: str = "0.0.0.0") -> dict[str, Any]:
    return {
        "bind": f"{host}:{config.port}",
        "workers": config.workers,
        # gthread, with each request read whole by the worker's event loop before a thread takes it: a client that
        # sends slowly costs a socket, never one of the few threads (bot/slack/buffering_worker.py; README, Deploy).
        "worker_class": "bot.slack.buffering_worker.BufferingThreadWorker",
        "threads": config.web_threads,
        "timeout": 30,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": logging.getLevelName(logging.getLogger().level).lower(),
        # gunicorn 25+ opens a control socket in $HOME, shared by every server on the host; nothing here uses it.
        "control_socket_disable": True,
    }


def serve(config: Config, *, host: str = "0.0.0.0") -> None:
    GunicornServer(config, gunicorn_options(config, host=host)).run()
