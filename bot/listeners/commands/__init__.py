from slack_bolt import App

from bot.blocks.ids import SLASH_COMMAND
from bot.listeners.commands.deadline_flag import handle_deadline_flag_command


def register(app: App) -> None:
    app.command(SLASH_COMMAND)(handle_deadline_flag_command)
