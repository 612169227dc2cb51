from slack_bolt import App

from bot.blocks.ids import SLASH_COMMAND
from bot.listeners.commands.deadline_flag import handle_deadline_flag_command, handle_empty_deadline_flag_command, is_empty


def register(app: App) -> None:
    # Bolt runs the first listener whose matchers pass: no text opens the modal, any text is an inline flag.
    app.command(SLASH_COMMAND, matchers=[is_empty])(handle_empty_deadline_flag_command)
    app.command(SLASH_COMMAND)(handle_deadline_flag_command)
