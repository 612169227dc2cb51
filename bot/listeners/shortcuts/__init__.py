from slack_bolt import App

from bot.blocks.ids import LOG_REQUEST_SHORTCUT
from bot.listeners.shortcuts.log_request import handle_log_request_shortcut


def register(app: App) -> None:
    app.message_shortcut(LOG_REQUEST_SHORTCUT)(handle_log_request_shortcut)
