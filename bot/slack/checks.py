"""Start-up checks against the Web API that help an operator, but never stop the app on their own."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.config import Config, ConfigError
from bot.slack.tokens import SingleWorkspace

log = logging.getLogger(__name__)


def warn_if_token_unusable(config: Config) -> None:
    """Single-workspace mode: fail on a token Slack rejects; only warn when Slack cannot be reached.

    OAuth mode has no token at start-up: each workspace's is checked by Bolt on its requests.
    """
    if config.is_oauth:
        return
    try:
        SingleWorkspace(config).check_token()  # auth.test
    except SlackApiError as error:
        raise ConfigError(f"Slack refused SLACK_BOT_TOKEN ({error.response.get('error')}): check the token") from None
    except Exception as error:  # a network failure: Slack will be asked again on the first request
        log.warning("could not reach Slack to check the bot token", extra={"error": type(error).__name__})
