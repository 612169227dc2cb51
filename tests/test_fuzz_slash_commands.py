"""Any slash command Slack could sign (any text, any fields missing or odd) is answered without a 5xx or an error,
writes only in its own workspace, and answers inside Block Kit's limits."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.invariants import FuzzedApp
from tests.slack_payloads import Sent, slash_commands


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sent=slash_commands())
def test_any_signed_slash_command_is_answered_without_error_or_writes_outside_its_workspace(
    fuzzed_app: FuzzedApp, sent: Sent
) -> None:
    fuzzed_app.check(lambda: fuzzed_app.form(sent.body), sending_team=sent.team_id)
