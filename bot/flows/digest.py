"""Post one workspace's digest exactly once per ISO week: take the week's lock, claim it in the database, check the
channel, post the summary and its thread of flags, recording each message as it goes.

The week's run moves claimed -> posting -> posted. The week's lock (bot/db/locks.py) is held for the whole send and
dies with its process, so a run found "claimed" or "posting" by whoever takes the lock next was left by a process
that died: a claim is taken over (nothing was posted under it); a thread is finished with the flags it does not list
yet. The summary itself is never posted twice: "posting" is recorded before it goes out, and if Slack's answer is
lost (or the process dies before recording it), the week is "unsure", the admins are told, and only an operator
posts it again (`digest send --force`). A channel the app cannot use (private and not invited, archived, shared with
another organisation) fails the week with a reason the admins are told once; it is tried again when the settings
change or the next week comes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.blocks.digest import (
    DigestPost,
    digest_posts,
    digest_unposted_message,
    digest_unsure_message,
    thread_replies,
    unsure_failure,
)
from bot.blocks.learnings import chart_alt_text
from bot.domain import digest as digests
from bot.domain.digest import Digest
from bot.domain.flags import RecordedFlag
from bot.domain.workspace_settings import DigestSchedule, effective_schedule, settings_saved_by
from bot.logs import describe_error
from bot.slack.people import People
from bot.slack.tokens import Workspaces

log = logging.getLogger(__name__)
NAMES_LOOKUP_MAX = 60  # users.info calls per digest at most; beyond, people show as "a teammate"
SEND_BUDGET_SECONDS = 300  # one send, the week's lock held: a thread longer than this is cut short
NAMES_BUDGET_SECONDS = 60
# What Slack answers for a channel the app cannot post in; anything else is a transient failure, retried next tick.
CHANNEL_ERRORS = {"channel_not_found", "not_in_channel", "is_archived", "method_not_supported_for_channel_type"}


class ChannelUnusable(Exception):
    """The app cannot post in the digest channel by itself; the message says what an admin can do."""


@dataclass(frozen=True)
class SendResult:
    team_id: str
    status: Literal["posted", "already_sent", "no_channel", "failed"]
    detail: str
    channel_id: str | None = None
    message_ts: str | None = None


def send_digest(
    db: sessionmaker[Session],
    workspaces: Workspaces,
    *,
    team_id: str,
    default_channel: str | None,
    now: datetime,
    force: bool = False,
    people: People | None = None,
) -> SendResult:
    """Post the digest of the seven days up to `now`, unless this week's is already posted (or `force`); finish a
    week that a process which died had started."""
    deadline = time.monotonic() + SEND_BUDGET_SECONDS
    people = people or People()
    with ExitStack() as held:
        try:
            schedule = effective_schedule(db, team_id=team_id, default_channel=default_channel)
            if not schedule.channel_id:
                return SendResult(team_id, "no_channel", "no digest channel: set DIGEST_CHANNEL or `settings set --channel`")
            week = schedule.iso_week(now)
            if not held.enter_context(digests.week_lock(db, team_id=team_id, iso_week=week)):
                return SendResult(team_id, "already_sent", f"the digest for {week} is being posted by another process")
            claimed = digests.claim_week(db, team_id=team_id, iso_week=week, now=now, force=force)
            unfinished = None if claimed else digests.unfinished_week(db, team_id=team_id, iso_week=week)
        except Exception as error:  # the database is down: nothing claimed, the next run tries again
            log.error("digest not claimed", extra={"team_id": team_id, "error": _describe(error)})
            return SendResult(team_id, "failed", _describe(error))
        if unfinished is not None:
            return _finish(db, workspaces, unfinished, team_id=team_id, week=week, now=now, people=people, deadline=deadline)
        if not claimed:
            return SendResult(
                team_id, "already_sent", f"the digest for {week} was already posted or tried (--force posts it)"
            )
        return _send(db, workspaces, schedule, week=week, now=now, people=people, deadline=deadline)


def _send(
    db: sessionmaker[Session],
    workspaces: Workspaces,
    schedule: DigestSchedule,
    *,
    week: str,
    now: datetime,
    people: People,
    deadline: float,
) -> SendResult:
    team_id, channel_id = schedule.team_id, schedule.channel_id
    assert channel_id
    client: WebClient | None = None
    try:
        digest = digests.build_digest(db, team_id=team_id, period=digests.rolling_week(now))
        client = workspaces.client_for(team_id)
        check_channel(client, schedule)
        names = _names(client, people, team_id, digest.flags)
        digests.start_posting(db, team_id=team_id, iso_week=week, channel_id=channel_id, period=digest.period)
    except ChannelUnusable as unusable:
        return _fail_week(db, client, team_id, week, str(unusable), now)
    except Exception as error:
        _release(db, team_id, week)
        log.error("digest not posted", extra={"team_id": team_id, "iso_week": week, "error": _describe(error)})
        return SendResult(team_id, "failed", _describe(error), channel_id)
    return _post(db, client, digest, names, team_id=team_id, week=week, channel_id=channel_id, now=now, deadline=deadline)


def named_user_ids(flags: Iterable[RecordedFlag]) -> set[str]:
    """The people a digest message names: who asked (when given as a user) and reporters who chose to be named."""
    return {user_id for flag in flags for user_id in (flag.source_user_id, flag.reporter_user_id) if user_id}


def _names(client: WebClient, people: People, team_id: str, flags: Iterable[RecordedFlag]) -> dict[str, str]:
    return people.names(
        client,
        team_id=team_id,
        user_ids=named_user_ids(flags),
        limit=NAMES_LOOKUP_MAX,
        deadline=time.monotonic() + NAMES_BUDGET_SECONDS,
    )


def _post(
    db: sessionmaker[Session],
    client: WebClient,
    digest: Digest,
    names: dict[str, str],
    *,
    team_id: str,
    week: str,
    channel_id: str,
    now: datetime,
    deadline: float,
) -> SendResult:
    summary, *replies = digest_posts(digest, names)
    try:
        posted = _post_message(client, channel_id, summary.message)
    except SlackApiError as error:  # Slack answered: nothing was posted, so the claim can be given back
        if error.response.get("error") in CHANNEL_ERRORS:
            return _fail_week(db, client, team_id, week, channel_problem(channel_id, error.response.get("error")), now)
        _release(db, team_id, week)
        log.error("digest not posted", extra={"team_id": team_id, "iso_week": week, "error": _describe(error)})
        return SendResult(team_id, "failed", _describe(error), channel_id)
    except Exception as error:  # no answer: Slack may have posted it, so the summary is never posted again by itself
        log.error("digest post unanswered", extra={"team_id": team_id, "iso_week": week, "error": _describe(error)})
        return _fail_week(db, client, team_id, week, unsure_failure(channel_id), now, unsure=True)
    summary_ts = posted["ts"]
    try:
        digests.record_message(
            db, team_id=team_id, iso_week=week, part=0, channel_id=channel_id, message_ts=summary_ts, flag_ids=[]
        )
        charted = post_chart(client, digest, channel_id=channel_id, thread_ts=summary_ts, week=week)
    except Exception as error:  # the summary is out, unrecorded: the next run cannot know, and gives the week up
        log.error("digest thread incomplete", extra={"team_id": team_id, "iso_week": week, "error": _describe(error)})
        return SendResult(team_id, "failed", f"posted, then {_describe(error)}", channel_id, summary_ts)
    result = _post_thread(
        db,
        client,
        replies,
        team_id=team_id,
        week=week,
        channel_id=channel_id,
        summary_ts=summary_ts,
        now=now,
        deadline=deadline,
    )
    if result is not None:
        return result
    log.info(
        "digest posted",
        extra={"team_id": team_id, "iso_week": week, "flags": digest.total, "parts": len(replies), "chart": charted},
    )
    chart = "the trend chart" if charted else "no chart (the summary's sparklines stand in)"
    detail = f"posted the digest for {week} ({digest.total} flags, {len(replies)} thread replies, {chart})"
    return SendResult(team_id, "posted", detail, channel_id, summary_ts)


def _post_thread(
    db: sessionmaker[Session],
    client: WebClient,
    replies: Sequence[DigestPost],
    *,
    team_id: str,
    week: str,
    channel_id: str,
    summary_ts: str,
    now: datetime,
    deadline: float,
) -> SendResult | None:
    """Post the replies in the summary's thread, recording each as Slack takes it, then the week as posted. None when
    it is done; a failure leaves the week "posting", and the next run posts the replies not recorded."""
    try:
        for reply in replies:
            if time.monotonic() > deadline:
                log.error("digest thread cut short", extra={"team_id": team_id, "iso_week": week, "part": reply.part})
                break
            answer = _post_message(client, channel_id, reply.message, thread_ts=summary_ts)
            digests.record_message(
                db,
                team_id=team_id,
                iso_week=week,
                part=reply.part,
                channel_id=channel_id,
                message_ts=answer["ts"],
                flag_ids=[f.id for f in reply.flags],
            )
        digests.record_posted(db, team_id=team_id, iso_week=week, now=now)
    except Exception as error:
        log.error("digest thread incomplete", extra={"team_id": team_id, "iso_week": week, "error": _describe(error)})
        detail = f"posted, then {_describe(error)}; the next run posts the rest of the thread"
        return SendResult(team_id, "failed", detail, channel_id, summary_ts)
    return None


def _finish(
    db: sessionmaker[Session],
    workspaces: Workspaces,
    unfinished: digests.UnfinishedWeek,
    *,
    team_id: str,
    week: str,
    now: datetime,
    people: People,
    deadline: float,
) -> SendResult:
    """A week left "posting" by a process that died (or lost Slack's answer): post the flags its thread does not list
    yet. Its summary is never posted again: without one recorded, nobody can know whether Slack has it."""
    channel_id = unfinished.channel_id
    client: WebClient | None = None
    try:
        client = workspaces.client_for(team_id)
        if unfinished.summary_ts is None:
            return _fail_week(db, client, team_id, week, unsure_failure(channel_id), now, unsure=True)
        digest = digests.build_digest(db, team_id=team_id, period=unfinished.period)
        left = [flag for flag in digest.flags if flag.id not in unfinished.listed_flag_ids]
        names = _names(client, people, team_id, left)
    except Exception as error:  # the week stays "posting": the next run tries again
        log.error("digest not finished", extra={"team_id": team_id, "iso_week": week, "error": _describe(error)})
        return SendResult(team_id, "failed", _describe(error), channel_id)
    replies = thread_replies(digest.period.label, left, names, posted=unfinished.replies)
    summary_ts = unfinished.summary_ts
    result = _post_thread(
        db,
        client,
        replies,
        team_id=team_id,
        week=week,
        channel_id=channel_id,
        summary_ts=summary_ts,
        now=now,
        deadline=deadline,
    )
    if result is not None:
        return result
    log.info("digest finished", extra={"team_id": team_id, "iso_week": week, "parts": len(replies)})
    detail = f"finished the digest for {week} that a stopped run had started ({len(replies)} more thread replies)"
    return SendResult(team_id, "posted", detail, channel_id, summary_ts)


def post_chart(client: WebClient, digest: Digest, *, channel_id: str, thread_ts: str, week: str) -> bool:
    """Upload the 8-week trend as a PNG into the digest's thread, first in it. True if Slack took it; if drawing or
    uploading fails, the digest goes on without it (its summary has the text sparklines) and the failure is logged."""
    if digest.learnings is None:
        return False
    try:
        from bot.chart import trend_png  # here, not at the top: the web process imports this module, never matplotlib

        client.files_upload_v2(
            channel=channel_id,
            thread_ts=thread_ts,
            file=trend_png(digest.learnings),
            filename=f"deadline-flag-trend-{week}.png",
            title=f"deadline-flag trend, {digest.learnings.label}",
            alt_txt=chart_alt_text(digest.learnings),
            initial_comment="The last 8 weeks: flags a week per side of the agreement, and flags resolved a week.",
        )
        return True
    except Exception as error:
        log.warning("digest chart not uploaded", extra={"team_id": digest.team_id, "error": _describe(error)})
        return False


def _post_message(client: WebClient, channel_id: str, message: dict, thread_ts: str | None = None) -> dict:
    return client.chat_postMessage(  # type: ignore[return-value]
        channel=channel_id, thread_ts=thread_ts, unfurl_links=False, unfurl_media=False, **message
    ).data


def check_channel(client: WebClient, schedule: DigestSchedule) -> None:
    """Make sure the app can post in the digest channel: join it if it is public, refuse it otherwise with what to do.

    Raises ChannelUnusable. An installation made before channels:read and groups:read were asked for cannot look
    the channel up (missing_scope): the post itself then says whether it can go."""
    assert schedule.channel_id
    channel_id = schedule.channel_id
    try:
        channel = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as error:
        if error.response.get("error") == "missing_scope":
            log.warning("digest channel not checked: missing scope", extra={"team_id": schedule.team_id})
            return
        if error.response.get("error") in CHANNEL_ERRORS:
            raise ChannelUnusable(channel_problem(channel_id, error.response.get("error"))) from error
        raise
    if channel.get("is_archived"):
        raise ChannelUnusable(channel_problem(channel_id, "is_archived"))
    if channel.get("is_ext_shared") and not schedule.channel_shared_ok:
        raise ChannelUnusable(SHARED_CHANNEL.format(channel=f"<#{channel_id}>", confirm=CONFIRM_ON_HOME))
    if channel.get("is_member"):
        return
    if channel.get("is_private") or channel.get("is_im") or channel.get("is_mpim"):
        raise ChannelUnusable(channel_problem(channel_id, "channel_not_found"))
    join_channel(client, channel_id)


SHARED_CHANNEL = (
    "{channel} is shared with another organisation (Slack Connect), so people outside yours would read the flags. "
    "Pick a channel of your own organisation, or {confirm}."
)
CONFIRM_ON_HOME = "tick “Post there even if it is shared” in the digest settings on the Home tab"
CONFIRM_IN_CLI = "confirm it with `python -m bot settings set --channel C… --allow-shared`"


def shared_channel_refusal(client: WebClient, channel_id: str, *, confirm: str) -> str | None:
    """Why a channel an admin picks for the digest is refused: it is shared with another organisation. None when it
    is not, or when Slack cannot say (the send checks again, and refuses then)."""
    try:
        channel = client.conversations_info(channel=channel_id)["channel"]
    except Exception as error:
        log.info("digest channel not checked for sharing", extra={"error": describe_error(error)})
        return None
    return SHARED_CHANNEL.format(channel=f"<#{channel_id}>", confirm=confirm) if channel.get("is_ext_shared") else None


def join_channel(client: WebClient, channel_id: str) -> None:
    """Join a public channel (apps cannot join private ones: they must be invited)."""
    try:
        client.conversations_join(channel=channel_id)
    except SlackApiError as error:
        raise ChannelUnusable(channel_problem(channel_id, error.response.get("error"))) from error


def channel_problem(channel_id: str, error: object) -> str:
    """What an admin can do about a channel Slack will not let the app post in."""
    channel = f"<#{channel_id}>"
    if error == "is_archived":
        return f"{channel} is archived: pick another digest channel."
    if error in ("channel_not_found", "method_not_supported_for_channel_type"):
        return (
            f"The app cannot see {channel}: it is private and the app is not in it (or it was deleted). "
            "Type `/invite @deadline-flag` in that channel, or pick another one."
        )
    return f"The app cannot post in {channel} ({error}): type `/invite @deadline-flag` there, or pick another channel."


def _fail_week(
    db: sessionmaker[Session],
    client: WebClient | None,
    team_id: str,
    week: str,
    failure: str,
    now: datetime,
    *,
    unsure: bool = False,
) -> SendResult:
    """Record why the week cannot be posted (or, `unsure`, may not have been), and tell the admin who chose the
    channel, once: the week is not tried again by itself."""
    try:
        record = digests.record_unsure if unsure else digests.record_failed
        record(db, team_id=team_id, iso_week=week, failure=failure, now=now)
    except Exception as error:
        if not unsure:  # nothing was posted: the next run tries again. Unsure, the week stays "posting", and the next
            _release(db, team_id, week)  # run to find it gives it up again: released, it would post a second summary
        log.error("digest failure not recorded", extra={"team_id": team_id, "error": _describe(error)})
        return SendResult(team_id, "failed", failure)
    log.warning("digest channel unusable", extra={"team_id": team_id, "iso_week": week})
    admin_id = _saved_by(db, team_id)
    if client is not None and admin_id:
        try:
            told = digest_unsure_message(week, failure) if unsure else digest_unposted_message(week, failure)
            client.chat_postMessage(channel=admin_id, **told)
        except Exception as error:  # the Home tab says it too
            log.warning("admin not told of the digest failure", extra={"team_id": team_id, "error": _describe(error)})
    return SendResult(team_id, "failed", failure)


def _saved_by(db: sessionmaker[Session], team_id: str) -> str | None:
    try:
        return settings_saved_by(db, team_id=team_id)
    except Exception:
        return None


def _release(db: sessionmaker[Session], team_id: str, week: str) -> None:
    try:
        digests.release_week(db, team_id=team_id, iso_week=week)
    except Exception as error:  # the claim stays: the next run to hold the week's lock takes it over
        log.error("digest claim not released", extra={"team_id": team_id, "iso_week": week, "error": _describe(error)})


def _describe(error: Exception) -> str:
    # A ChannelUnusable says what an admin can do: that sentence is the detail.
    return str(error) if isinstance(error, ChannelUnusable) else describe_error(error)


def run_due_digests(
    db: sessionmaker[Session],
    workspaces: Workspaces,
    *,
    default_channel: str | None,
    now: datetime,
    people: People | None = None,
) -> list[SendResult]:
    """Send every digest that is due and not yet sent this week. Safe to run any number of times, anywhere."""
    try:
        team_ids = workspaces.team_ids()
    except Exception as error:
        log.error("could not list workspaces", extra={"error": type(error).__name__})
        return []
    results = []
    for team_id in team_ids:
        try:
            schedule = effective_schedule(db, team_id=team_id, default_channel=default_channel)
            if now < schedule.due_at(now):
                continue
            if digests.is_week_done(db, team_id=team_id, iso_week=schedule.iso_week(now), now=now):
                continue
        except Exception as error:  # the database is down: try again next tick
            log.error("digest check failed", extra={"team_id": team_id, "error": type(error).__name__})
            continue
        try:  # one workspace's failure, whatever it is, never skips the others
            results.append(
                send_digest(db, workspaces, team_id=team_id, default_channel=default_channel, now=now, people=people)
            )
        except Exception as error:
            log.error("digest send failed", extra={"team_id": team_id, "error": type(error).__name__})
    return results
