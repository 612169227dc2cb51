"""manifest.yml creates the app this code serves: same command, same request URL everywhere."""

import re
from pathlib import Path

import yaml

from bot.blocks.ids import LOG_REQUEST_SHORTCUT, SLASH_COMMAND
from bot.slack.scopes import BOT_SCOPES
from bot.slack.web import OAUTH_REDIRECT_PATH, SLACK_EVENTS_PATH

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_declares_the_slash_command_the_app_listens_to() -> None:
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == [SLASH_COMMAND]


def test_every_request_url_in_the_manifest_points_at_the_bolt_endpoint() -> None:
    urls = [c["url"] for c in MANIFEST["features"]["slash_commands"]]
    urls.append(MANIFEST["settings"]["interactivity"]["request_url"])
    urls += (
        [MANIFEST["settings"]["event_subscriptions"]["request_url"]] if "event_subscriptions" in MANIFEST["settings"] else []
    )

    assert all(url == f"https://YOUR-APP-HOST{SLACK_EVENTS_PATH}" for url in urls), urls


def test_manifest_declares_the_message_shortcut_the_app_listens_to() -> None:
    shortcuts = MANIFEST["features"]["shortcuts"]

    assert [(s["name"], s["type"], s["callback_id"]) for s in shortcuts] == [
        ("Log this request", "message", LOG_REQUEST_SHORTCUT)
    ]


def test_manifest_subscribes_to_the_events_the_app_handles() -> None:
    assert MANIFEST["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
        "team_access_revoked",
        "team_access_granted",
    ]
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_manifest_lets_an_enterprise_grid_org_install_the_app_org_wide() -> None:
    assert MANIFEST["settings"]["org_deploy_enabled"] is True


def test_manifest_asks_for_exactly_the_bot_scopes_the_oauth_install_requests() -> None:
    assert MANIFEST["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)


def test_manifest_redirect_url_is_the_oauth_redirect_the_app_serves() -> None:
    assert MANIFEST["oauth_config"]["redirect_urls"] == [f"https://YOUR-APP-HOST{OAUTH_REDIRECT_PATH}"]


def test_readme_lists_exactly_the_bot_scopes_the_app_asks_for() -> None:
    readme = (ROOT / "README.md").read_text()
    [listed] = re.findall(r"the bot scopes \((.*?): the list in `bot/slack/scopes.py`", " ".join(readme.split()))

    assert re.findall(r"`([^`]+)`", listed) == list(BOT_SCOPES)
