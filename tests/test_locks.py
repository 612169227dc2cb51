"""The week's lock (bot/db/locks.py) dies with its holder: another process cannot take it while its holder lives,
and can the moment the holder is SIGKILLed, with no timeout to wait out. That is what lets the next clock process
finish a digest a killed one had started, and leave alone one a live one is sending."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from sqlalchemy import Engine

from bot.db.locks import hold

HOLDER = """
import sys, time
from bot.db.locks import hold
from bot.db.session import create_db_engine
with hold(create_db_engine(sys.argv[1]), "digest T1 2026-W49") as held:
    print(held, flush=True)
    time.sleep(120)
"""


def taken_within(engine: Engine, name: str, *, seconds: float) -> bool:
    """PostgreSQL lets go once its server process has read the dead connection's end: milliseconds, not a timeout."""
    deadline = time.monotonic() + seconds
    while True:
        with hold(engine, name) as held:
            if held or time.monotonic() > deadline:
                return held
        time.sleep(0.05)


def test_a_lock_is_taken_by_one_holder_at_a_time_and_let_go_on_leaving(engine: Engine) -> None:
    with (
        hold(engine, "digest T1 2026-W49") as first,
        hold(engine, "digest T1 2026-W49") as second,
        hold(engine, "digest T2 2026-W49") as other_week,
    ):
        assert (first, second, other_week) == (True, False, True)
    with hold(engine, "digest T1 2026-W49") as after:
        assert after


def test_a_lock_held_by_another_process_is_refused_until_that_process_is_killed(engine: Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        with hold(engine, "digest T1 2026-W49") as while_alive:
            assert not while_alive
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        assert taken_within(engine, "digest T1 2026-W49", seconds=10)
    finally:
        holder.kill()
        holder.wait(timeout=10)
