"""Who people are, as Slack's users.info says: a display name (to show someone without pinging them) and whether
they are a workspace admin or owner. Kept a few minutes per workspace and process.

users.info is Tier 4 and rate-limited per workspace: a digest names up to 60 people and every redraw names them
again, so the answers are kept in memory for PEOPLE_TTL. In memory, not in the database: names are personal data
the app has no reason to store, a stale admin flag must expire on its own, and each process asks rarely enough
that a cold cache after a restart costs a few calls.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

PEOPLE_TTL_SECONDS = 300
PEOPLE_KEPT_MAX = 10_000  # entries, over all workspaces: the oldest go first
UNKNOWN_NAME = "a teammate"


class SlackBusy(Exception):
    """Slack rate-limited users.info past the client's retries: the answer is "try again in a moment", not "no"."""


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    is_admin: bool  # admin, owner or primary owner


class People:
    """users.info answers per (workspace, user), each kept for `ttl` seconds. Thread-safe."""

    def __init__(
        self, ttl: float = PEOPLE_TTL_SECONDS, max_kept: int = PEOPLE_KEPT_MAX, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl, self._max_kept, self._clock = ttl, max_kept, clock
        self._kept: OrderedDict[tuple[str, str], tuple[float, Person | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, client: WebClient, *, team_id: str, user_id: str) -> Person | None:
        """The person, or None when Slack will not say (unknown user, another organisation's, missing scope).

        Raises SlackBusy on a rate limit, so a caller never mistakes "Slack is busy" for "not an admin"."""
        key = (team_id, user_id)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and self._clock() - kept[0] < self._ttl:
                return kept[1]
        try:
            user = client.users_info(user=user_id)["user"]
            person: Person | None = _person(user_id, user)
        except SlackApiError as error:
            if error.response.status_code == 429 or error.response.get("error") == "ratelimited":
                raise SlackBusy("Slack is busy right now") from error
            person = None
        with self._lock:
            self._kept[key] = (self._clock(), person)
            self._kept.move_to_end(key)
            while len(self._kept) > self._max_kept:
                self._kept.popitem(last=False)
        return person

    def names(
        self, client: WebClient, *, team_id: str, user_ids: Iterable[str], limit: int, deadline: float | None = None
    ) -> dict[str, str]:
        """Display names for up to `limit` people, best effort: on a rate limit, or past `deadline` (a
        time.monotonic() value), the rest show as "a teammate"."""
        names: dict[str, str] = {}
        for user_id in sorted(set(user_ids))[:limit]:
            if deadline is not None and time.monotonic() > deadline:
                break
            try:
                person = self.get(client, team_id=team_id, user_id=user_id)
            except SlackBusy:
                break
            if person is not None:
                names[user_id] = person.name
        return names


def _person(user_id: str, user: dict) -> Person:
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("name") or UNKNOWN_NAME
    return Person(
        user_id=user_id,
        name=str(name),
        is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
    )
