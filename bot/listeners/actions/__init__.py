from slack_bolt import App

from bot.blocks import ids
from bot.listeners.actions.agreement import handle_add_clause_action, handle_edit_clause_action
from bot.listeners.actions.digest_settings import handle_digest_settings_action
from bot.listeners.actions.flag_buttons import (
    handle_edit_flag_action,
    handle_new_flag_action,
    handle_release_flag_action,
    handle_withdraw_flag_action,
)
from bot.listeners.actions.flag_status import handle_flag_status_action
from bot.listeners.actions.home_controls import handle_export_csv_action, handle_outcome_dms_action


def register(app: App) -> None:
    app.action(ids.NEW_FLAG_ACTION)(handle_new_flag_action)
    app.action(ids.EDIT_FLAG_ACTION)(handle_edit_flag_action)
    app.action(ids.RELEASE_FLAG_ACTION)(handle_release_flag_action)
    app.action(ids.WITHDRAW_FLAG_ACTION)(handle_withdraw_flag_action)
    app.action(ids.DIGEST_SETTINGS_ACTION)(handle_digest_settings_action)
    app.action(ids.FLAG_STATUS_ACTION)(handle_flag_status_action)
    app.action(ids.OUTCOME_DMS_ACTION)(handle_outcome_dms_action)
    app.action(ids.EXPORT_CSV_ACTION)(handle_export_csv_action)
    app.action(ids.AGREEMENT_ADD_ACTION)(handle_add_clause_action)
    app.action(ids.AGREEMENT_EDIT_ACTION)(handle_edit_clause_action)
