"""The digest settings modal and its reader (pure), for workspace admins on the Home tab."""

from __future__ import annotations

from dataclasses import dataclass

from bot.blocks import ids
from bot.blocks.fields import FormState, form_modal, input_block, option
from bot.domain.holding import MIN_REPORTERS_MAX, MIN_REPORTERS_MIN, OFF_WARNING
from bot.domain.workspace_settings import (
    LEADS_MAX,
    RETENTION_DAYS_MAX,
    RETENTION_DAYS_MIN,
    WEEKDAYS,
    DigestSchedule,
    check_settings,
)

HOUR_VALUES = tuple(str(hour) for hour in range(24))
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class DigestSettingsInput:
    channel_id: str | None
    weekday: str | None
    hour: str | None  # as picked: "0".."23"
    timezone: str | None
    lead_ids: list | None = None
    retention_days: str | None = None  # as typed
    allow_shared: bool = False
    min_reporters: str | None = None  # as typed

    def problems(self) -> dict[str, str]:
        """{block id: what would be accepted}, from the domain's one check."""
        found = check_settings(
            channel_id=self.channel_id,
            weekday=self.weekday,
            hour=self.hour,
            timezone=self.timezone,
            retention_days=self.retention_days,
            lead_ids=self.lead_ids,
            min_reporters=self.min_reporters,
        )
        return {BLOCK_FOR_FIELD[name]: problem for name, problem in found.items()}


def describe_settings(form: DigestSettingsInput) -> str:
    """The submitted settings as plain text, to give back when they could not be saved."""
    chosen = [
        ("Channel", form.channel_id),
        ("Day", form.weekday),
        ("Hour", None if form.hour is None else f"{int(form.hour):02d}:00"),
        ("Timezone", form.timezone),
        ("Leads", None if form.lead_ids is None else ", ".join(form.lead_ids) or "none"),
        ("Keep flags for", None if form.retention_days is None else f"{form.retention_days} days"),
        ("Different people before anonymous flags are shown", form.min_reporters),
    ]
    return "\n".join(f"{label}: {value}" for label, value in chosen if value)


def digest_settings_modal(schedule: DigestSchedule, lead_ids: list[str], retention_days: int, min_reporters: int) -> dict:
    weekdays = [option(name, key) for name, key in zip(WEEKDAY_NAMES, WEEKDAYS, strict=True)]
    hours = [option(f"{int(hour):02d}:00", hour) for hour in HOUR_VALUES]
    channel: dict = {"type": "conversations_select", "filter": {"include": ["public", "private"], "exclude_bot_users": True}}
    if schedule.channel_id:
        channel["initial_conversation"] = schedule.channel_id
    leads: dict = {
        "type": "multi_users_select",
        "placeholder": {"type": "plain_text", "text": "Pick people"},
        "max_selected_items": LEADS_MAX,
    }
    if lead_ids:
        leads["initial_users"] = lead_ids[:LEADS_MAX]
    retention = {
        "type": "number_input",
        "is_decimal_allowed": False,
        "min_value": str(RETENTION_DAYS_MIN),
        "max_value": str(RETENTION_DAYS_MAX),
        "initial_value": str(retention_days),
    }
    people = {
        "type": "number_input",
        "is_decimal_allowed": False,
        "min_value": str(MIN_REPORTERS_MIN),
        "max_value": str(MIN_REPORTERS_MAX),
        "initial_value": str(min_reporters),
    }
    return form_modal(
        ids.DIGEST_SETTINGS_MODAL,
        title="Digest settings",
        submit="Save",
        blocks=[
            input_block(
                ids.DIGEST_CHANNEL_BLOCK,
                "Post the weekly digest in",
                channel,
                "The leads' channel. For a private channel, invite the app there first.",
            ),
            {
                **input_block(
                    ids.DIGEST_SHARED_OK_BLOCK,
                    "Shared channels",
                    {
                        "type": "checkboxes",
                        "options": [
                            option("Post there even if it is shared with another organisation", ids.DIGEST_SHARED_OK)
                        ],
                    },
                    "Flags are meant for your own leads: a Slack Connect channel shows them to another organisation.",
                ),
                "optional": True,
            },
            input_block(
                ids.DIGEST_WEEKDAY_BLOCK,
                "On",
                {"type": "static_select", "options": weekdays, "initial_option": weekdays[schedule.weekday]},
            ),
            input_block(
                ids.DIGEST_HOUR_BLOCK,
                "At",
                {"type": "static_select", "options": hours, "initial_option": hours[schedule.hour]},
            ),
            input_block(
                ids.DIGEST_TIMEZONE_BLOCK,
                "Timezone",
                {"type": "plain_text_input", "initial_value": schedule.timezone, "max_length": 64},
                "An IANA name, e.g. Europe/Paris",
            ),
            input_block(
                ids.LEADS_BLOCK,
                "Leads",
                leads,
                "Besides admins and owners: who may change flags' outcomes and download the CSV.",
                optional=True,  # no leads: admins and owners only
            ),
            input_block(
                ids.RETENTION_BLOCK,
                "Keep flags for (days)",
                retention,
                f"Older flags are deleted, with their history. {RETENTION_DAYS_MIN} to {RETENTION_DAYS_MAX}.",
            ),
            input_block(
                ids.MIN_REPORTERS_BLOCK,
                "Show anonymous flags once this many people have flagged",
                people,
                "Until then leads see only how many flags are held, so nobody can tell who wrote which. 3 to 5 is usual; "
                f"{MIN_REPORTERS_MIN} to {MIN_REPORTERS_MAX}. {OFF_WARNING}",
            ),
        ],
    )


def settings_checking_modal() -> dict:
    """Opened at once with the click's trigger_id (it lives 3 seconds), while Slack is asked whether this is an admin."""
    return _notice_modal(":hourglass_flowing_sand: Checking that you are a workspace admin…")


def settings_refused_modal(text: str) -> dict:
    return _notice_modal(text)


def _notice_modal(text: str) -> dict:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Digest settings"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def read_digest_settings(state_values: dict) -> DigestSettingsInput:
    """What the admin picked and typed, as given: the domain's check_settings says what cannot be used."""
    state = FormState(state_values)
    element, selected = state.element, state.selected
    timezone = element(ids.DIGEST_TIMEZONE_BLOCK).get("value")
    leads = element(ids.LEADS_BLOCK).get("selected_users")
    retention = element(ids.RETENTION_BLOCK).get("value")
    people = element(ids.MIN_REPORTERS_BLOCK).get("value")
    channel_id = element(ids.DIGEST_CHANNEL_BLOCK).get("selected_conversation")
    shared = element(ids.DIGEST_SHARED_OK_BLOCK).get("selected_options")
    allow_shared = isinstance(shared, list) and any(
        isinstance(o, dict) and o.get("value") == ids.DIGEST_SHARED_OK for o in shared
    )
    return DigestSettingsInput(
        channel_id=channel_id if isinstance(channel_id, str) and channel_id else None,
        weekday=selected(ids.DIGEST_WEEKDAY_BLOCK),
        hour=selected(ids.DIGEST_HOUR_BLOCK),
        timezone=timezone.strip() if isinstance(timezone, str) and timezone.strip() else None,
        lead_ids=list(dict.fromkeys(leads)) if isinstance(leads, list) else None,
        retention_days=retention.strip() if isinstance(retention, str) else None,
        allow_shared=allow_shared,
        min_reporters=people.strip() if isinstance(people, str) else None,
    )


# The domain names the setting at fault (check_settings); the form shows the message beside that block.
BLOCK_FOR_FIELD = {
    "channel_id": ids.DIGEST_CHANNEL_BLOCK,
    "weekday": ids.DIGEST_WEEKDAY_BLOCK,
    "hour": ids.DIGEST_HOUR_BLOCK,
    "timezone": ids.DIGEST_TIMEZONE_BLOCK,
    "retention_days": ids.RETENTION_BLOCK,
    "lead_ids": ids.LEADS_BLOCK,
    "min_reporters": ids.MIN_REPORTERS_BLOCK,
}
