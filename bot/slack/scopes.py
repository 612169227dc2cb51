"""The bot scopes the app asks for: the one list that OAuth installs request and manifest.yml declares."""

from __future__ import annotations

from collections.abc import Iterable

# tests/test_manifest.py checks manifest.yml's oauth_config.scopes.bot against this.
BOT_SCOPES: tuple[str, ...] = (
    "commands",  # /deadline-flag and the "Log this request" shortcut
    "chat:write",  # receipts (ephemeral or DM) and the digest
    "users:read",  # users.info: who is a workspace admin; display names in the digest, so nobody is pinged
    "channels:join",  # join a public digest channel the app is not in yet
    "channels:read",  # conversations.info on a public digest channel: archived? shared with another organisation?
    "groups:read",  # the same for a private digest channel the app was invited to
    "im:write",  # conversations.open: the DM a lead's CSV export is uploaded to
    "files:write",  # files_upload_v2: the CSV export, and the digest's trend chart in its thread
)


def missing_scopes(granted: Iterable[str]) -> list[str]:
    """The scopes the app asks for that an installation was not granted (installed before the app asked for them)."""
    have = set(granted)
    return [scope for scope in BOT_SCOPES if scope not in have]
