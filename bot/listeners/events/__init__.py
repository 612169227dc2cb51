from slack_bolt import App

from bot.listeners.events.app_home_opened import handle_app_home_opened
from bot.listeners.events.app_uninstalled import (
    handle_app_uninstalled,
    handle_team_access_granted,
    handle_team_access_revoked,
    handle_tokens_revoked,
)


def register(app: App) -> None:
    app.event("app_home_opened")(handle_app_home_opened)
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
    app.event("team_access_revoked")(handle_team_access_revoked)
    app.event("team_access_granted")(handle_team_access_granted)
