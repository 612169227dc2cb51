"""Where a request belongs: the workspace the person acted in, read from where Slack puts it for org-wide installs."""

from __future__ import annotations

from slack_bolt import BoltContext

from bot.slack.placement import place_in_workspace


def placed(body: dict, **context: object) -> tuple[str | None, str | None]:
    bolt_context = BoltContext(context)
    return place_in_workspace(body, bolt_context), bolt_context.team_id


def test_an_org_wide_event_whose_authorization_names_no_workspace_is_placed_by_its_context_team_id() -> None:
    body = {"authorizations": [{"enterprise_id": "E0GRID", "team_id": None}], "context_team_id": "T0ALPHA"}

    assert placed(body, is_enterprise_install=True, enterprise_id="E0GRID") == ("T0ALPHA", "T0ALPHA")


def test_an_org_id_is_never_taken_for_a_workspace() -> None:
    # Bolt reads a view's app_installed_team_id first; the org's own id is no workspace to file a flag under.
    body = {"team": None, "user": {"id": "W1", "team_id": "T0BETA"}, "view": {"app_installed_team_id": "E0GRID"}}

    assert placed(body, is_enterprise_install=True, team_id="E0GRID") == ("T0BETA", "T0BETA")


def test_an_org_wide_payload_that_names_no_workspace_is_placed_nowhere() -> None:
    body = {"team": None, "user": {"id": "W1"}, "enterprise": {"id": "E0GRID"}, "team_id": "E0GRID"}

    assert placed(body, is_enterprise_install=True, team_id="E0GRID") == (None, None)


def test_a_workspace_installs_request_keeps_the_workspace_bolt_read() -> None:
    body = {"team": {"id": "T1"}, "user": {"id": "U1", "team_id": "TEXT0"}}  # a Slack Connect partner's user

    assert placed(body, is_enterprise_install=False, team_id="T1") == ("T1", "T1")
