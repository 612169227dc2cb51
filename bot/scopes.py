"""The bot scopes the app asks for: the one list that OAuth installs request and manifest.yml declares."""

from __future__ import annotations

# tests/test_manifest.py checks manifest.yml's oauth_config.scopes.bot against this.
BOT_SCOPES: tuple[str, ...] = ("commands", "chat:write")
