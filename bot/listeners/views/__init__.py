from slack_bolt import App

from bot.blocks.ids import CLAUSE_MODAL, CONSTRAINT_REVIEW_MODAL, DIGEST_SETTINGS_MODAL, FLAG_MODAL, NOT_AN_ISSUE_MODAL
from bot.listeners.views.clause_form import handle_clause_form_submission
from bot.listeners.views.constraint_review import handle_constraint_review_submission
from bot.listeners.views.digest_settings import handle_digest_settings_submission
from bot.listeners.views.flag_modal import handle_flag_modal_submission
from bot.listeners.views.not_an_issue import handle_not_an_issue_submission


def register(app: App) -> None:
    app.view_submission(FLAG_MODAL)(handle_flag_modal_submission)
    app.view_submission(DIGEST_SETTINGS_MODAL)(handle_digest_settings_submission)
    app.view_submission(NOT_AN_ISSUE_MODAL)(handle_not_an_issue_submission)
    app.view_submission(CONSTRAINT_REVIEW_MODAL)(handle_constraint_review_submission)
    app.view_submission(CLAUSE_MODAL)(handle_clause_form_submission)
