"""Any Events API envelope Slack could sign (workspace or org-wide installs, shared channels, unknown events) is
handled without a 5xx or an error and writes only in its own workspace, in both modes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.invariants import FuzzedApp
from tests.slack_payloads import Sent, events

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(sent=events())
def test_any_signed_event_is_handled_without_error_or_writes_outside_its_workspace(
    fuzzed_app: FuzzedApp, sent: Sent
) -> None:
    fuzzed_app.check(lambda: fuzzed_app.event(sent.body), sending_team=sent.team_id)


@FUZZ
@given(sent=events())
def test_any_signed_event_to_the_oauth_app_is_handled_without_error_or_writes_outside_its_workspace(
    fuzzed_oauth_app: FuzzedApp, sent: Sent
) -> None:
    fuzzed_oauth_app.reinstall()  # a fuzzed app_uninstalled may have removed T1 or T2 in an earlier example

    fuzzed_oauth_app.check(lambda: fuzzed_oauth_app.event(sent.body), sending_team=sent.team_id)
