"""Every callback, action and block id the app uses, in one place (manifest.yml repeats the shortcut's)."""

SLASH_COMMAND = "/deadline-flag"
LOG_REQUEST_SHORTCUT = "log_this_request"  # manifest.yml: shortcuts[].callback_id

FLAG_MODAL = "flag_modal"  # the view's callback_id, for new flags and edits alike

# Flag modal blocks; each holds one element whose action_id is VALUE.
CLAUSE_BLOCK = "clause"  # which clause of the agreement was not kept
SUMMARY_BLOCK = "summary"
SOURCE_TEXT_BLOCK = "source_text"
SOURCE_USER_BLOCK = "source_user"
DATE_DEMANDED_BLOCK = "date_demanded"
CONSTRAINT_CHOICE_BLOCK = "constraint_choice"
CONSTRAINT_TEXT_BLOCK = "constraint_text"
NAME_ME_BLOCK = "name_me"
VALUE = "value"

CONSTRAINT_NONE = "none_known"
CONSTRAINT_YES = "yes"
NAME_ME = "name_me"

# Buttons: on receipts and on the Home tab. Their `value` is the flag id.
EDIT_FLAG_ACTION = "flag_edit"
WITHDRAW_FLAG_ACTION = "flag_withdraw"
RELEASE_FLAG_ACTION = "flag_release"  # "Release mine now", on a held flag only
NEW_FLAG_ACTION = "flag_new"

# Digest settings (workspace admins and owners only)
DIGEST_SETTINGS_ACTION = "digest_settings_open"
DIGEST_SETTINGS_MODAL = "digest_settings_modal"
DIGEST_CHANNEL_BLOCK = "digest_channel"
DIGEST_WEEKDAY_BLOCK = "digest_weekday"
DIGEST_HOUR_BLOCK = "digest_hour"
DIGEST_TIMEZONE_BLOCK = "digest_timezone"
DIGEST_SHARED_OK_BLOCK = "digest_shared_ok"  # "post there even if it is shared with another organisation"
DIGEST_SHARED_OK = "shared_ok"

# The working agreement, edited on the Home tab (workspace admins, owners and leads)
AGREEMENT_ADD_ACTION = "agreement_add"  # a button: the clause form, empty
AGREEMENT_EDIT_ACTION = "agreement_edit"  # a select of clauses (its option values: keywords): the form, prefilled
CLAUSE_MODAL = "agreement_clause_modal"
CLAUSE_SIDE_BLOCK = "clause_side"
CLAUSE_KEYWORD_BLOCK = "clause_keyword"
CLAUSE_TITLE_BLOCK = "clause_title"
CLAUSE_DESCRIPTION_BLOCK = "clause_description"
CLAUSE_ACTIVE_BLOCK = "clause_active"
CLAUSE_ACTIVE = "active"

# Flag outcomes (leads)
FLAG_STATUS_ACTION = "flag_status"  # an overflow menu; each option's value is "<flag id>:<status>"
NOT_AN_ISSUE_MODAL = "not_an_issue_modal"
REASON_BLOCK = "reason"
# The status menu's option for a flag with a claimed constraint: "<flag id>:constraint" opens the review form.
CONSTRAINT_REVIEW_OPTION = "constraint"
CONSTRAINT_REVIEW_MODAL = "constraint_review_modal"
VERDICT_BLOCK = "constraint_verdict"
OUTCOME_DMS_ACTION = "outcome_dms"  # a reporter's "DM me about outcomes" checkbox on the Home tab
EXPORT_CSV_ACTION = "export_csv"
LEADS_BLOCK = "leads"
RETENTION_BLOCK = "retention_days"
MIN_REPORTERS_BLOCK = "min_reporters"
FLAG_BLOCK_PREFIX = "flag:"  # block_id of a flag's section in the digest (with its number, never its internal id)
