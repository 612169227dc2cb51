"""Reporter anonymity: the database holds a keyed hash of who flagged, not who flagged."""

from __future__ import annotations

import hashlib
import hmac


def reporter_hash(key: bytes, *, team_id: str, user_id: str) -> str:
    """HMAC-SHA256 of the workspace and user ids, hex. Without the key, nobody can tell whose it is.

    The team is part of the message so one person's hashes in two workspaces cannot be linked.
    """
    return hmac.new(key, f"{team_id}:{user_id}".encode(), hashlib.sha256).hexdigest()
