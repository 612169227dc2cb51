"""Three web and two clock processes on one PostgreSQL database, one of each killed with SIGKILL mid-run: every
acknowledged flag is stored once, and every workspace gets exactly one digest for its week. Counts, never times
(benchmarks/scale_out.py prints those at 10,000 flags)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.engine import make_url

from benchmarks.scale_out import digest_channel, run_scale_out, team_ids

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)")


def admin_url() -> str:
    """The test server's maintenance database: the run creates its own database beside the suite's and drops it."""
    url = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg", database="postgres")
    return url.render_as_string(hide_password=False)


def test_processes_killed_mid_run_lose_no_flag_store_none_twice_and_post_each_digest_once() -> None:
    result = run_scale_out(admin_url(), flags=240, concurrency=8, workspaces=4, kill=True)

    assert result.killed, "a web process and a scheduler were killed and restarted"
    assert result.left_mid_digest, "the scheduler was killed halfway through a digest, which another then posted"
    assert len(result.acknowledged) == 240
    assert result.flags_stored == 240
    assert result.duplicate_request_keys == 0
    # The kill was felt: requests to the dead process failed and were sent again elsewhere.
    assert result.failed_attempts
    weeks = {week for _, week in result.digests_per_workspace_week}
    assert len(weeks) == 1
    assert result.digests_per_workspace_week == {(team, week): 1 for team in team_ids(4) for week in weeks}
    assert result.digest_summaries_per_channel == {digest_channel(team): 1 for team in team_ids(4)}
