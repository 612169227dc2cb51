"""Any button click, modal submission or message shortcut Slack could sign is answered without a 5xx or an error,
writes only in its own workspace, and whatever the app sends back stays inside Block Kit's limits."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.invariants import FuzzedApp
from tests.slack_payloads import Sent, block_actions, message_shortcuts, view_submissions

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(sent=block_actions())
def test_any_signed_button_click_is_handled_without_error_or_writes_outside_its_workspace(
    fuzzed_app: FuzzedApp, sent: Sent
) -> None:
    fuzzed_app.check(lambda: fuzzed_app.interaction(sent.body), sending_team=sent.team_id)


@FUZZ
@given(sent=view_submissions())
def test_any_signed_modal_submission_is_handled_without_error_or_writes_outside_its_workspace(
    fuzzed_app: FuzzedApp, sent: Sent
) -> None:
    fuzzed_app.check(lambda: fuzzed_app.interaction(sent.body), sending_team=sent.team_id)


@FUZZ
@given(sent=message_shortcuts())
def test_any_signed_message_shortcut_is_handled_without_error_or_writes_outside_its_workspace(
    fuzzed_app: FuzzedApp, sent: Sent
) -> None:
    fuzzed_app.check(lambda: fuzzed_app.interaction(sent.body), sending_team=sent.team_id)
