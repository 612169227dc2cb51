"""The digest's messages at any volume: for 0, 1, 40, 200 and 5,000 flags of long, hostile text, how many messages
the summary and its thread take, and the most block text and `text` fallback any one holds, against Slack's limit
(msg_blocks_too_long past about 12,000) and the app's own margin (10,000). Built by the same pure builder the send
posts (tests/test_digest_send.py posts them through the strict stand-in). Prints; asserts nothing.

    .venv/bin/python benchmarks/digest_messages.py
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bot.blocks.digest import FLAG_REPLY_TEXT_MAX, digest_posts  # noqa: E402
from bot.blocks.text import block_text_length  # noqa: E402
from bot.domain.agreement import DEFAULT_AGREEMENT, Agreement  # noqa: E402
from bot.domain.digest import LISTED_FLAGS_MAX, TREND_WEEKS, Digest, rolling_week, side_counts  # noqa: E402
from bot.domain.flags import RecordedFlag  # noqa: E402

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
HOSTILE = "<!channel> & <@U1> *ship* the payload by Friday, the board wants it. "
AGREEMENT = Agreement("T1", tuple(replace(c, id=i) for i, c in enumerate(DEFAULT_AGREEMENT, start=1)))


def a_flag(i: int) -> RecordedFlag:
    text = (HOSTILE * 60)[: 300 + i % 2700]
    return RecordedFlag(
        id=i + 1, number=i + 1, team_id="T1", clause=AGREEMENT.clauses[0], summary=text, status="not_an_issue",
        status_reason=text[:200], created_at=NOW - timedelta(minutes=i), reporter_named=False, source_text=text[:200],
        source_user_id="U0BOSS", date_demanded=date(2026, 12, 4), external_constraint=text[:200], channel_id="C1",
        message_ts="1700000000.000100", permalink="https://example.slack.com/archives/C1/p1700000000000100",
        reporter_user_id=None, released_at=NOW - timedelta(minutes=i),
    )  # fmt: skip


def main() -> int:
    print(f"limit per message: {FLAG_REPLY_TEXT_MAX:,} characters of block text (Slack refuses past ~12,000)")
    print(f"{'flags':>6} {'listed':>7} {'messages':>9} {'max block text':>15} {'summary':>8} {'max fallback':>13}")
    for total in (0, 1, 40, 200, 5000):
        counts = side_counts(AGREEMENT, {(TREND_WEEKS - 1, c.id): total for c in AGREEMENT.clauses})
        listed = tuple(a_flag(i) for i in range(min(total, LISTED_FLAGS_MAX)))
        digest = replace(Digest(team_id="T1", period=rolling_week(NOW), sides=counts, flags=()), flags=listed)
        posts = digest_posts(digest, {"U0BOSS": "Pat " * 40})
        sizes = [block_text_length(post.message["blocks"]) for post in posts]
        fallback = max(len(post.message["text"]) for post in posts)
        print(f"{total:>6,} {len(listed):>7} {len(posts):>9} {max(sizes):>15,} {sizes[0]:>8,} {fallback:>13}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
