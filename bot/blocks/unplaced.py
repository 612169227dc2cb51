"""What a person is told when Slack sent their request without a workspace the app can file it under (an org-wide
install's payload that names none): one sentence, whatever they did, and what they typed given back."""

from __future__ import annotations

from bot.blocks.text import fallback, mrkdwn_section, quoted_sections

NO_WORKSPACE = (
    "Slack sent this without saying which workspace it came from, so deadline-flag has nowhere to file it and saved "
    "nothing. Please try again from a channel or DM of your workspace."
)
NO_WORKSPACE_HOME = (
    "Slack opened this tab without saying which workspace it is in, so deadline-flag has no flags to show. "
    "Please open it again from a channel or DM of your workspace."
)


def no_workspace_message(kept: str | None = None) -> dict:
    """The refusal as a message; `kept` (what they typed) is given back so nothing is lost."""
    blocks = [mrkdwn_section(f":warning: {NO_WORKSPACE}")]
    if kept:
        # 3 sections of 3,000: the message stays under the 10,000 characters of block text the app keeps to.
        blocks += [mrkdwn_section("Here is what you wrote:"), *quoted_sections(kept, max_blocks=3)]
    return {"text": fallback(NO_WORKSPACE), "blocks": blocks}


def no_workspace_home_view() -> dict:
    """The Home tab of someone whose app_home_opened came without a workspace: there is no workspace's Home to show."""
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "deadline-flag"}},
            mrkdwn_section(f":warning: {NO_WORKSPACE_HOME}"),
        ],
    }
