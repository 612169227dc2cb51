"""Reporter anonymity: the database holds a keyed hash of who flagged, not who flagged."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


def reporter_hash(key: bytes, *, team_id: str, user_id: str) -> str:
    """HMAC-SHA256 of the workspace and user ids, hex. Without the key, nobody can tell whose it is.

    The team is part of the message so one person's hashes in two workspaces cannot be linked.
    """
    return hmac.new(key, f"{team_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def _contact_cipher(key: bytes) -> Fernet:
    # A key of its own, derived from REPORTER_KEY: the HMAC key never doubles as an encryption key.
    derived = hmac.new(key, b"deadline-flag reporter contact v1", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def seal_contact(key: bytes, user_id: str) -> str:
    """The reporter's user id, encrypted: where to DM them about the outcome, unreadable without the key."""
    return _contact_cipher(key).encrypt(user_id.encode()).decode()


def open_contact(key: bytes, sealed: str | None) -> str | None:
    """The user id back, or None (no contact stored, or sealed under a key that has since changed)."""
    if not sealed:
        return None
    try:
        return _contact_cipher(key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
