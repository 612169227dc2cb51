"""manifest.socket-mode.yml creates the same app as manifest.yml, for Socket Mode: no request URLs anywhere."""

from pathlib import Path

import yaml

from bot.slack.scopes import BOT_SCOPES

ROOT = Path(__file__).resolve().parents[1]
SOCKET = yaml.safe_load((ROOT / "manifest.socket-mode.yml").read_text())
HTTP = yaml.safe_load((ROOT / "manifest.yml").read_text())


def strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def test_it_turns_socket_mode_on_and_has_no_request_url() -> None:
    assert SOCKET["settings"]["socket_mode_enabled"] is True
    assert [s for s in strings(SOCKET) if "YOUR-APP-HOST" in s or s.startswith("https://")] == []


def test_it_asks_for_the_same_scopes_command_shortcut_and_events_as_the_http_manifest() -> None:
    assert SOCKET["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert [c["command"] for c in SOCKET["features"]["slash_commands"]] == [
        c["command"] for c in HTTP["features"]["slash_commands"]
    ]
    assert SOCKET["features"]["shortcuts"] == HTTP["features"]["shortcuts"]
    assert SOCKET["settings"]["event_subscriptions"]["bot_events"] == HTTP["settings"]["event_subscriptions"]["bot_events"]
    assert SOCKET["features"]["app_home"] == HTTP["features"]["app_home"]


def test_it_can_be_installed_org_wide_on_enterprise_grid_like_the_http_manifest() -> None:
    assert SOCKET["settings"]["org_deploy_enabled"] is HTTP["settings"]["org_deploy_enabled"] is True
