from slack_bolt import App

from bot.blocks import ids
from bot.listeners.actions.digest_settings import handle_digest_settings_action
from bot.listeners.actions.flag_buttons import handle_edit_flag_action, handle_new_flag_action, handle_withdraw_flag_action


def register(app: App) -> None:
    app.action(ids.NEW_FLAG_ACTION)(handle_new_flag_action)
    app.action(ids.EDIT_FLAG_ACTION)(handle_edit_flag_action)
    app.action(ids.WITHDRAW_FLAG_ACTION)(handle_withdraw_flag_action)
    app.action(ids.DIGEST_SETTINGS_ACTION)(handle_digest_settings_action)
