"""Slack plumbing: one package per surface, each with `register(app)`. Listeners parse, call the domain, render."""

from slack_bolt import App

from bot.listeners import commands


def register_listeners(app: App) -> None:
    commands.register(app)
