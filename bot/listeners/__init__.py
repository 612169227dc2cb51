"""Slack plumbing: one package per surface, each with `register(app)`. Listeners parse, call the domain, render."""

from slack_bolt import App

from bot.listeners import actions, commands, events, shortcuts, views


def register_listeners(app: App) -> None:
    commands.register(app)
    shortcuts.register(app)
    views.register(app)
    actions.register(app)
    events.register(app)
