"""manifest.yml creates the app this code serves: same command, same request URL everywhere."""

from pathlib import Path

import yaml

from bot.blocks.ids import SLASH_COMMAND
from bot.web import SLACK_EVENTS_PATH

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[1] / "manifest.yml").read_text())


def test_manifest_declares_the_slash_command_the_app_listens_to() -> None:
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == [SLASH_COMMAND]


def test_every_request_url_in_the_manifest_points_at_the_bolt_endpoint() -> None:
    urls = [c["url"] for c in MANIFEST["features"]["slash_commands"]]
    urls.append(MANIFEST["settings"]["interactivity"]["request_url"])
    urls += (
        [MANIFEST["settings"]["event_subscriptions"]["request_url"]] if "event_subscriptions" in MANIFEST["settings"] else []
    )

    assert all(url == f"https://YOUR-APP-HOST{SLACK_EVENTS_PATH}" for url in urls), urls
