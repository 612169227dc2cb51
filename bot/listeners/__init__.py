"""Slack plumbing: one package per surface, each with `register(app)`. Listeners parse, call the domain, render."""

from slack_bolt import App

from bot.listeners import actions, commands, events, shortcuts, views
from bot.listeners.unplaced import refuse_unplaced_request
from bot.slack.middleware import PlainMiddleware


def register_listeners(app: App) -> None:
    app.use(PlainMiddleware(refuse_unplaced_request))  # before any listener: a request without a workspace stores nothing
    commands.register(app)
    shortcuts.register(app)
    views.register(app)
    actions.register(app)
    events.register(app)
