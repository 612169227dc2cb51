from slack_bolt import App

from bot.blocks.ids import FLAG_MODAL
from bot.listeners.views.flag_modal import handle_flag_modal_submission


def register(app: App) -> None:
    app.view_submission(FLAG_MODAL)(handle_flag_modal_submission)
